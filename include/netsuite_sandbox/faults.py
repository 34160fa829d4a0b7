"""Fault injection: make chosen requests fail the way a real NetSuite sometimes does.

Control endpoints (sandbox only, no authentication, never under ``/services/``):

* ``POST /_sandbox/faults`` with JSON ``{"path": "/services/rest/record/v1/invoice*",
  "method": "PUT", "status": 500, "count": 1, "after_commit": false, "timeout_seconds": 0,
  "drop_connection": false}`` -> ``201 {"id": ..., ...the rule}``. ``path`` is a glob on the
  request path (``*`` matches anything, ``/`` included); ``method`` is optional (any method);
  ``status`` one of 429, 500, 502, 503, 504; ``count`` how many matching requests fail
  (default 1).
* ``GET /_sandbox/faults`` lists the rules with their remaining counts; ``DELETE
  /_sandbox/faults`` removes them all.

A matching request:

* ``after_commit: false`` (default): is not performed; after ``timeout_seconds`` (hang) it is
  answered with ``status`` (REST: NetSuite's error body, ``UNEXPECTED_ERROR`` or
  ``SERVICE_UNAVAILABLE``; SOAP: an ``unexpectedErrorFault`` SOAP fault), or the connection is
  dropped (``drop_connection``);
* ``after_commit: true``: is performed and committed first, then hangs ``timeout_seconds`` (set
  it past the client's timeout for "the write committed but the client timed out") and is
  answered with ``status`` (or dropped) instead of the real answer.

Rules are checked before authentication and do not hold a concurrency slot while hanging. The
first matching rule applies; rules are in memory.
"""

from __future__ import annotations

import fnmatch
import itertools
import threading
from dataclasses import asdict, dataclass
from typing import Any

from sandbox_kit import Request, Response

from netsuite_sandbox import errors, jsonio

STATUSES = (429, 500, 502, 503, 504)


@dataclass
class FaultRule:
    id: int
    path: str
    method: str | None
    status: int
    count: int
    after_commit: bool = False
    timeout_seconds: float = 0
    drop_connection: bool = False

    def matches(self, request: Request) -> bool:
        if self.method and self.method != request.method:
            return False
        return fnmatch.fnmatchcase(request.path, self.path)


class FaultInjector:
    def __init__(self) -> None:
        self._rules: list[FaultRule] = []
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._closing = threading.Event()
        self.fired = 0

    # --- control endpoints -----------------------------------------------------------------
    def routes(self) -> list[tuple[str, str, Any]]:
        return [("POST", "/_sandbox/faults", self.add), ("GET", "/_sandbox/faults", self.list),
                ("DELETE", "/_sandbox/faults", self.clear)]

    def add(self, request: Request) -> Response:
        body = jsonio.loads(request.body)
        if not isinstance(body, dict) or not isinstance(body.get("path"), str):
            raise errors.invalid_content('A fault rule is a JSON object with at least "path".')
        status = body.get("status", 500)
        count = body.get("count", 1)
        timeout = body.get("timeout_seconds", 0)
        if status not in STATUSES:
            raise errors.invalid_value("status", f"status must be one of {', '.join(map(str, STATUSES))}.")
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            raise errors.invalid_value("count", "count must be a positive integer.")
        try:
            timeout = float(timeout)
        except (TypeError, ValueError):
            raise errors.invalid_value("timeout_seconds", "timeout_seconds must be a number.") from None
        rule = FaultRule(next(self._ids), body["path"], (body.get("method") or "").upper() or None, status, count,
                         bool(body.get("after_commit", False)), max(0.0, timeout), bool(body.get("drop_connection", False)))
        with self._lock:
            self._rules.append(rule)
        return jsonio.response(asdict(rule), 201)

    def list(self, request: Request) -> Response:
        with self._lock:
            return jsonio.response({"items": [asdict(r) for r in self._rules], "fired": self.fired})

    def clear(self, request: Request | None = None) -> Response:
        with self._lock:
            self._rules.clear()
        return Response(204, b"", {})

    # --- the request path ------------------------------------------------------------------
    def take(self, request: Request) -> FaultRule | None:
        """The first rule matching the request (its count is used up), or None."""
        with self._lock:
            for rule in self._rules:
                if rule.matches(request):
                    rule.count -= 1
                    if rule.count <= 0:
                        self._rules.remove(rule)
                    self.fired += 1
                    return rule
        return None

    def hang(self, rule: FaultRule) -> None:
        if rule.timeout_seconds:
            self._closing.wait(rule.timeout_seconds)

    def response(self, rule: FaultRule, request: Request, soap_fault=None) -> Response:
        if rule.drop_connection:
            return Response(rule.status, b"", {}, drop_connection=True)
        if soap_fault is not None:
            return soap_fault(rule.status, request.path)
        if rule.status == 429:
            return errors.concurrency_limit_exceeded(0).response()
        if rule.status == 503:
            return errors.NetSuiteError(503, "SERVICE_UNAVAILABLE",
                                        "The service is temporarily unavailable. Try again later.").response()
        code = "UNEXPECTED_ERROR"
        return errors.NetSuiteError(rule.status, code, "An unexpected error occurred. (injected fault)").response()

    def close(self) -> None:
        self._closing.set()
