"""Time-driven work (renewals, payment retries, auto-finalization, payouts, dispute outcomes).

Writes that start a process schedule a ``Task`` at the instant Stripe would act. Before every API
request, on a clock change and while a scenario is built, the sandbox runs every task that is
due, oldest first, each with a ``WriteContext`` dated at the task's own ``due`` time, so the events
it records carry the time Stripe would have recorded. Tasks live in a *domain*: ``None`` for the
sandbox clock, or a test clock ID for objects attached to a test clock (they run when that clock
advances). Handlers re-check the object's state when they run, so a task made stale by a later
write (a paid invoice, a canceled subscription) simply does nothing; nothing is ever unscheduled.
"""

from __future__ import annotations

import heapq
import itertools
from dataclasses import dataclass, field


@dataclass(order=True)
class Task:
    due: int
    seq: int
    kind: str = field(compare=False)
    key: str = field(compare=False)  # the object the task is about
    data: dict = field(compare=False, default_factory=dict)
    domain: str | None = field(compare=False, default=None)

    def describe(self) -> dict:
        return {"due": self.due, "kind": self.kind, "key": self.key, "data": dict(self.data), "domain": self.domain}


class Scheduler:
    def __init__(self) -> None:
        self._heaps: dict[str | None, list[Task]] = {}
        self._seq = itertools.count(1)
        self._unique: set[tuple] = set()

    def add(self, due: int, kind: str, key: str, data: dict | None = None, *, domain: str | None = None,
            unique: bool = False) -> Task | None:
        """Schedule ``kind`` for ``key`` at ``due``; ``unique`` drops a duplicate (same due, kind, key)."""
        if unique:
            marker = (domain, due, kind, key)
            if marker in self._unique:
                return None
            self._unique.add(marker)
        task = Task(int(due), next(self._seq), kind, key, dict(data or {}), domain)
        heapq.heappush(self._heaps.setdefault(domain, []), task)
        return task

    def pop_due(self, until: int, domain: str | None = None) -> Task | None:
        heap = self._heaps.get(domain)
        if not heap or heap[0].due > until:
            return None
        task = heapq.heappop(heap)
        self._unique.discard((domain, task.due, task.kind, task.key))
        return task

    def next_due(self, domain: str | None = None) -> int | None:
        heap = self._heaps.get(domain)
        return heap[0].due if heap else None

    def pending(self, domain: str | None = None) -> list[Task]:
        return sorted(self._heaps.get(domain, []))

    def domains(self) -> list[str | None]:
        return list(self._heaps)
