"""Account-wide concurrency governance (netsuite.md §6).

NetSuite counts in-flight requests per account, shared by every integration and channel
(REST, SOAP, RESTlets). A request past the limit is refused at once (REST: HTTP 429), not
queued. ``Governor`` does the same and keeps figures a test or benchmark can read: the limit,
requests in flight now, the peak, and how many were accepted and refused.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from collections.abc import Iterator
from dataclasses import dataclass

from netsuite_sandbox import errors


@dataclass(frozen=True)
class GovernanceSnapshot:
    limit: int
    in_flight: int
    peak: int
    accepted: int
    rejected: int


class Governor:
    def __init__(self, limit: int = 5) -> None:
        if limit < 1:
            raise ValueError("the concurrency limit must be at least 1")
        self.limit = limit
        self._lock = threading.Lock()
        self._in_flight = 0
        self._peak = 0
        self._accepted = 0
        self._rejected = 0

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold one concurrency slot for the request, or raise the 429 error."""
        with self._lock:
            if self._in_flight >= self.limit:
                self._rejected += 1
                raise errors.concurrency_limit_exceeded(self.limit)
            self._in_flight += 1
            self._accepted += 1
            self._peak = max(self._peak, self._in_flight)
        try:
            yield
        finally:
            with self._lock:
                self._in_flight -= 1

    def snapshot(self) -> GovernanceSnapshot:
        with self._lock:
            return GovernanceSnapshot(self.limit, self._in_flight, self._peak, self._accepted, self._rejected)

    def reset_stats(self) -> None:
        with self._lock:
            self._peak = self._in_flight
            self._accepted = 0
            self._rejected = 0
