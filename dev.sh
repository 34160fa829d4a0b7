#!/usr/bin/env bash
# The project's two commands. Each builds .venv on first use (uv, from the lock file), then:
#   ./dev.sh demo   both sandboxes, every flow through Airflow, a reconciliation summary
#   ./dev.sh test   the test suite (pass extra pytest arguments after it)
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)
VENV="$ROOT/.venv"
PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null 2>&1 || PY=python3

# Bump when the install steps below change, so existing environments are rebuilt.
RECIPE=2

ensure_env() {
    local stamp="$VENV/.installed-$( (echo "$RECIPE"; cat requirements.lock pyproject.toml) | sha256sum | cut -c1-16)"
    [ -f "$stamp" ] && return 0
    if [ ! -x "$VENV/bin/python" ]; then
        "$PY" -m venv "$VENV"
    fi
    "$VENV/bin/python" -m pip install --quiet "uv==0.13.8"
    # Bytecode is compiled at install: where PYTHONDONTWRITEBYTECODE is set (CI machines), every
    # process would otherwise compile Airflow from source on each start (seconds per CLI call).
    "$VENV/bin/python" -m uv pip install --quiet --compile-bytecode --python "$VENV/bin/python" -r requirements.lock
    "$VENV/bin/python" -m uv pip install --quiet --python "$VENV/bin/python" --no-deps -e .
    "$VENV/bin/python" -m compileall -q -j 0 plugins include dags >/dev/null
    rm -f "$VENV"/.installed-*
    touch "$stamp"
}

cmd=${1:-}
shift || true
case "$cmd" in
    test)
        ensure_env
        exec "$VENV/bin/python" -m pytest "$@"
        ;;
    demo)
        ensure_env
        exec "$VENV/bin/stripe-netsuite-demo" "$@"
        ;;
    env)
        ensure_env
        ;;
    lock)
        [ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
        "$VENV/bin/python" -m pip install --quiet "uv==0.13.8"
        "$VENV/bin/python" -m uv pip compile --quiet --python-version 3.11 --extra test --extra celery pyproject.toml -o requirements.lock
        ;;
    *)
        echo "usage: ./dev.sh {demo|test [pytest args]|env|lock}" >&2
        exit 2
        ;;
esac
