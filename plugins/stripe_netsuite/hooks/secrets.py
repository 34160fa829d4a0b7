"""Secrets reach Airflow's masker, never a log line, whatever Airflow's log level.

Every secret the hooks handle (the Stripe key, the TBA consumer and token secrets, the OAuth 2.0 private
key, a bearer token) is handed to Airflow's ``mask_secret`` so the masker redacts it from task logs. Airflow
itself masks a connection's password and extra on every ``get_connection``. ``mask_secret`` sends each value
to the supervisor as a ``MaskSecret`` message, and Airflow 3.3's in-process supervisor (the one behind
``airflow dags test``, ``airflow tasks test`` and ``dag.test()``: ``InProcessSupervisorComms.send`` in
``airflow/sdk/execution_time/supervisor.py``) logs every message it is sent at DEBUG, ``"Sending request"
msg=MaskSecret(value='<the secret>')``. The masker cannot redact that line: the secret sits inside a pydantic
object, which it does not look into. (A deployment's subprocess supervisor omits the body of these messages:
``ActivitySubprocess._handle_request``, "Received message from task runner (body omitted)".)

So before a hook fetches its connection or masks a value, ``guard_supervisor_log()`` wraps the running
task's supervisor-comms logger so that a ``MaskSecret`` is logged as its type only, exactly as the subprocess
supervisor logs it. Use ``get_connection(hook, conn_id)`` and ``mask(value)`` instead of the plain calls. If
the guard cannot be installed (a future Airflow changed these internals) and DEBUG is on, the hook says so
in a WARNING rather than leaking in silence; tests/reliability/test_secrets_debug_log.py runs a real task at
DEBUG and greps everything it wrote for each secret.
"""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger("stripe_netsuite.hooks.secrets")


def _is_mask_secret(value: Any) -> bool:
    return type(value).__name__ == "MaskSecret" and hasattr(value, "value")


def _omit(value: Any) -> Any:
    return type(value) if _is_mask_secret(value) else value


class _MaskSecretBodiesOmitted:
    """A structlog logger that logs a ``MaskSecret`` argument as its type, never its value."""

    __slots__ = ("_inner",)

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._inner, name)
        if not callable(attribute) or name.startswith("_") or name in ("bind", "new", "unbind", "try_unbind"):
            return attribute

        def call(*args: Any, **kwargs: Any) -> Any:
            return attribute(*(_omit(a) for a in args), **{k: _omit(v) for k, v in kwargs.items()})

        return call


def guard_supervisor_log() -> bool:
    """Make the running task's supervisor comms log ``MaskSecret`` messages without their body.

    Returns True when no such log can print a secret (guarded, or no task running), False otherwise.
    """
    try:
        from airflow.sdk.execution_time import task_runner
    except ImportError:
        return True
    comms = getattr(task_runner, "SUPERVISOR_COMMS", None)
    if comms is None:
        return True
    current = getattr(comms, "log", None)
    if current is None or isinstance(current, _MaskSecretBodiesOmitted):
        return True
    try:
        comms.log = _MaskSecretBodiesOmitted(current)
    except (AttributeError, TypeError):
        return False
    return True


def _warn_if_unguarded() -> None:
    if not guard_supervisor_log() and logging.getLogger().isEnabledFor(logging.DEBUG):
        log.warning(
            "Airflow's log level is DEBUG and this Airflow's supervisor may log the connection's secrets in clear "
            "(stripe_netsuite could not guard its messages); run at INFO or above"
        )


def get_connection(hook: Any, conn_id: str) -> Any:
    """``hook.get_connection(conn_id)``, with the supervisor log guarded first (Airflow masks the connection's
    password and extra as it fetches them)."""
    _warn_if_unguarded()
    return hook.get_connection(conn_id)


def mask(value: Any) -> None:
    """Airflow's ``mask_secret(value)``, with the supervisor log guarded first."""
    from airflow.sdk.log import mask_secret

    _warn_if_unguarded()
    mask_secret(value)
