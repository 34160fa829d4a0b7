"""Errors the NetSuite hook raises or returns, each readable by a finance user."""

from __future__ import annotations

from dataclasses import dataclass


class NetSuiteError(RuntimeError):
    """A NetSuite call failed as a whole (auth, configuration, transport)."""


class NetSuiteAuthError(NetSuiteError):
    """NetSuite refused the credentials of the connection."""


class NetSuiteTransientError(NetSuiteError):
    """429, 5xx, concurrency limit or timeout: worth retrying."""


def unreachable(exc: Exception, what: str, timeout: float, *, endpoint: str = "NetSuite") -> NetSuiteTransientError:
    """A request that got no answer (``requests.Timeout`` or ``ConnectionError``), told apart for the log.

    ``what``: the request (``PUT /record/...``), or "" when ``endpoint`` says it all."""
    import requests

    if isinstance(exc, requests.Timeout):
        return NetSuiteTransientError(
            f"{endpoint} did not answer{' ' + what if what else ''} within {timeout:g} s ({type(exc).__name__})")
    return NetSuiteTransientError(f"Could not reach {endpoint}{' for ' + what if what else ''} ({type(exc).__name__})")


@dataclass(frozen=True)
class RecordError:
    """NetSuite refused one record for a reason retrying will not fix by itself."""

    record_type: str
    external_id: str
    code: str
    message: str
    source_id: str = ""

    def __str__(self) -> str:
        return f"NetSuite rejected {self.record_type} {self.external_id} ({self.code}): {self.message}"


def error_details(body: object) -> list[tuple[str, str, str | None]]:
    """(code, detail, path) for each entry of a NetSuite REST error body."""
    if not isinstance(body, dict):
        return []
    details = body.get("o:errorDetails") or []
    return [
        (d.get("o:errorCode") or "UNKNOWN", d.get("detail") or "", d.get("o:errorPath"))
        for d in details
        if isinstance(d, dict)
    ]
