#!/usr/bin/env bash
# The project's commands. Each builds .venv on first use (uv, from the lock file), then:
#   ./dev.sh demo   both sandboxes, every flow through Airflow, a reconciliation summary
#   ./dev.sh test   the test suite (pass extra pytest arguments after it)
#   ./dev.sh lint   ruff (errors only) over plugins, include, dags and tests; mypy over plugins/stripe_netsuite
#   ./dev.sh ui     the real Airflow UI on http://127.0.0.1:8080 over both sandboxes (Ctrl-C stops it)
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

# The browser tests (tests/ui) drive Debian's chromium through Playwright; Playwright's own browser
# download is never used. Installed here when missing (as root, with apt-get); otherwise those tests
# skip, naming the reason this function exports.
ensure_browser() {
    [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] && return 0
    local log
    if [ "$(id -u)" != 0 ]; then
        export STRIPE_NETSUITE_NO_BROWSER="Debian's chromium is not installed and dev.sh does not run as root to install it (apt-get install chromium chromium-driver)"
    elif ! command -v apt-get >/dev/null 2>&1; then
        export STRIPE_NETSUITE_NO_BROWSER="Debian's chromium is not installed and there is no apt-get to install it"
    else
        echo "dev.sh: installing Debian's chromium and chromium-driver for the browser tests (tests/ui) ..." >&2
        log=$(mktemp)
        if DEBIAN_FRONTEND=noninteractive apt-get update -qq >"$log" 2>&1 &&
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
                chromium chromium-driver fonts-liberation >>"$log" 2>&1; then
            rm -f "$log"
            return 0
        fi
        tail -n 5 "$log" >&2
        rm -f "$log"
        export STRIPE_NETSUITE_NO_BROWSER="apt-get could not install chromium and chromium-driver (see its output above the test run)"
    fi
    echo "dev.sh: $STRIPE_NETSUITE_NO_BROWSER; the browser tests will skip" >&2
}

cmd=${1:-}
shift || true
case "$cmd" in
    test)
        ensure_env
        ensure_browser
        exec "$VENV/bin/python" -m pytest "$@"
        ;;
    lint)
        ensure_env
        # Both run, so one report names every problem; either failing fails the command.
        status=0
        "$VENV/bin/ruff" check plugins include dags tests || status=1
        "$VENV/bin/mypy" || status=1
        exit "$status"
        ;;
    demo)
        ensure_env
        exec "$VENV/bin/stripe-netsuite-demo" "$@"
        ;;
    ui)
        ensure_env
        exec "$VENV/bin/stripe-netsuite-ui" "$@"
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
        echo "usage: ./dev.sh {demo|test [pytest args]|lint|ui [--port N]|env|lock}" >&2
        exit 2
        ;;
esac
