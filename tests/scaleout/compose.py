"""Read docker-compose.yaml the way `docker compose` does, so the scale-out test runs what it says.

Only what the test needs: each service's command and environment, with `${VAR}`,
`${VAR:-default}` and `${VAR:?message}` filled from the variables a user would put in `.env`.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import yaml

COMPOSE_FILE = Path(__file__).resolve().parents[2] / "docker-compose.yaml"
_VARIABLE = re.compile(r"\$\$|\$\{(?P<name>\w+)(?:(?P<op>:-|:\?)(?P<arg>(?:[^{}]|\{[^{}]*(?:\{[^{}]*\}[^{}]*)*\})*))?\}")


class MissingVariable(KeyError):
    """A `${VAR:?message}` whose variable the user did not set: compose refuses to start."""


def load(path: Path = COMPOSE_FILE) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def interpolate(value: str, variables: dict[str, str]) -> str:
    def replace(match: re.Match) -> str:
        if match.group(0) == "$$":
            return "$"
        name, op, arg = match.group("name"), match.group("op"), match.group("arg")
        if variables.get(name):
            return variables[name]
        if op == ":-":
            return arg
        if op == ":?":
            raise MissingVariable(f"{name}: {arg}")
        return ""

    return _VARIABLE.sub(replace, value)


def service(compose: dict, name: str) -> dict:
    return compose["services"][name]


def environment(compose: dict, name: str, variables: dict[str, str]) -> dict[str, str]:
    env = service(compose, name).get("environment") or {}
    return {key: interpolate(str(value), variables) for key, value in env.items()}


def command(compose: dict, name: str) -> list[str]:
    """The command as the official image's entrypoint runs it: `bash ...` as is, else `airflow ...`."""
    raw = service(compose, name)["command"]
    args = shlex.split(raw) if isinstance(raw, str) else [str(a) for a in raw]
    return args if args[0] in ("bash", "python") else ["airflow", *args]


def healthcheck(compose: dict, name: str) -> list[str]:
    test = service(compose, name)["healthcheck"]["test"]
    if test[0] == "CMD-SHELL":
        return ["sh", "-c", interpolate(test[1], {})]
    return [interpolate(arg, {}) for arg in test[1:]]
