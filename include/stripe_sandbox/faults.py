"""Fault injection: the next N matching API requests get an error, a delay or a dropped socket.

A fault is a JSON spec posted to ``/_sandbox/faults``::

    {"path": "/v1/customers", "method": "GET", "status": 429, "count": 2,
     "headers": {"Stripe-Should-Retry": "true"}, "latency_ms": 0, "drop_connection": false,
     "phase": "before", "error": {"code": "lock_timeout"}}

``path`` is an exact path or a glob (``/v1/customers/*``); omitted = any API path. ``method``
omitted = any. ``phase`` "before" answers without running the request; "after" runs it (the
write happens, an idempotent result is saved) and then replaces the answer — a lost response.
Without ``status`` and ``drop_connection`` a fault only delays.
"""

from __future__ import annotations

import fnmatch
import threading
from dataclasses import asdict, dataclass, field

from stripe_sandbox.errors import StripeApiError, invalid_request, unknown_parameter
from stripe_sandbox.forms import as_bool, as_dict, as_int, as_str

SPEC_KEYS = frozenset(
    {"path", "method", "status", "count", "headers", "latency_ms", "drop_connection", "phase", "error"}
)

_DEFAULTS = {
    429: ("invalid_request_error", "rate_limit",
          "Too many requests hit the API too quickly. We recommend an exponential backoff of your requests."),
    409: ("invalid_request_error", "lock_timeout",
          "This object cannot be accessed right now because another API request or Stripe process is "
          "currently accessing it. If you see this error intermittently, retry the request."),
}


@dataclass
class Fault:
    id: str
    path: str | None = None
    method: str | None = None
    status: int | None = None
    count: int = 1
    headers: dict[str, str] = field(default_factory=dict)
    latency_ms: int = 0
    drop_connection: bool = False
    phase: str = "before"
    error: dict = field(default_factory=dict)

    def matches(self, method: str, path: str) -> bool:
        if self.method is not None and self.method != method:
            return False
        return self.path is None or fnmatch.fnmatchcase(path, self.path)

    @property
    def answers(self) -> bool:
        """Whether it replaces the response (rather than only delaying it)."""
        return self.drop_connection or self.status is not None

    def to_error(self) -> StripeApiError:
        status = self.status or 500
        if status in _DEFAULTS:
            type_, code, message = _DEFAULTS[status]
        elif status >= 500:
            type_, code, message = "api_error", None, "An unknown error occurred. (injected by the Stripe sandbox)"
        else:
            type_, code, message = "invalid_request_error", None, f"Injected fault (HTTP {status})."
        overrides = dict(self.error)
        err = StripeApiError(
            status,
            overrides.pop("message", message),
            type=overrides.pop("type", type_),
            code=overrides.pop("code", code),
            param=overrides.pop("param", None),
            headers=self.headers,
            extra=overrides,
        )
        return err

    def describe(self) -> dict:
        return {"object": "sandbox.fault", **asdict(self)}


def parse_fault(spec: dict, fault_id: str) -> Fault:
    for key in spec:
        if key not in SPEC_KEYS:
            raise unknown_parameter(key)
    fault = Fault(fault_id)
    if spec.get("path") is not None:
        fault.path = as_str(spec["path"], "path")
    if spec.get("method") is not None:
        fault.method = as_str(spec["method"], "method").upper()
    if spec.get("status") is not None:
        fault.status = as_int(spec["status"], "status")
        if not 400 <= fault.status <= 599:
            raise invalid_request("status must be between 400 and 599", param="status")
    if "count" in spec:
        fault.count = as_int(spec["count"], "count")
        if fault.count < 1:
            raise invalid_request("count must be at least 1", param="count")
    if "headers" in spec:
        fault.headers = {str(k): as_str(v, f"headers[{k}]") for k, v in as_dict(spec["headers"], "headers").items()}
    if "latency_ms" in spec:
        fault.latency_ms = as_int(spec["latency_ms"], "latency_ms")
        if not 0 <= fault.latency_ms <= 120_000:
            raise invalid_request("latency_ms must be between 0 and 120000", param="latency_ms")
    if "drop_connection" in spec:
        fault.drop_connection = as_bool(spec["drop_connection"], "drop_connection")
    if "phase" in spec:
        fault.phase = as_str(spec["phase"], "phase")
        if fault.phase not in ("before", "after"):
            raise invalid_request("phase must be 'before' or 'after'", param="phase")
    if "error" in spec:
        fault.error = dict(as_dict(spec["error"], "error"))
    if not fault.answers and not fault.latency_ms:
        raise invalid_request("A fault needs a status, drop_connection or latency_ms")
    return fault


class FaultInjector:
    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def add(self, fault: Fault) -> Fault:
        with self._lock:
            self._faults.append(fault)
        return fault

    def take(self, method: str, path: str) -> Fault | None:
        """The first matching fault, using up one of its ``count``."""
        with self._lock:
            for fault in self._faults:
                if fault.matches(method, path):
                    fault.count -= 1
                    if fault.count <= 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def clear(self) -> int:
        with self._lock:
            cleared = len(self._faults)
            self._faults.clear()
        return cleared

    def active(self) -> list[dict]:
        with self._lock:
            return [fault.describe() for fault in self._faults]
