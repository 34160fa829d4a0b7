"""The sandbox's mutable state and the context every write runs in."""

from __future__ import annotations

import dataclasses
import string
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from stripe_sandbox.clock import SandboxClock
from stripe_sandbox.events import EventRecorder
from stripe_sandbox.expand import Expander
from stripe_sandbox.ids import IdFactory
from stripe_sandbox.scheduler import Scheduler, Task
from stripe_sandbox.store import ObjectStore

if TYPE_CHECKING:
    from stripe_sandbox.resources.base import Resource


@dataclass(frozen=True)
class WriteContext:
    """When a write happens and which request caused it (copied into the events it records)."""

    now: int
    request_id: str | None = None
    idempotency_key: str | None = None

    def at(self, now: int) -> WriteContext:
        return dataclasses.replace(self, now=now)


TaskHandler = Callable[[Task, WriteContext], None]


class SandboxState:
    """Store, IDs, clock, events, expansion and scheduled work for one sandbox instance.

    ``lock`` serialises every API call: handlers run on server threads. ``resources`` is filled by
    the app (object name -> resource) so cross-object workflows reach each other's write paths.
    """

    settlement_currency = "usd"

    def __init__(self, *, seed: int = 0, now: Callable[[], float] | None = None) -> None:
        self.seed = seed
        self.ids = IdFactory(seed)
        self.clock = SandboxClock(now)
        self.store = ObjectStore()
        self.events = EventRecorder(self.store, self.ids)
        self.expander = Expander(self.store, {})
        self.scheduler = Scheduler()
        self.resources: dict[str, Resource] = {}
        self.task_handlers: dict[str, TaskHandler] = {}
        self.counters: dict[str, int] = {}
        self.task_errors: list[dict] = []  # scheduled work that failed (GET /_sandbox/scheduler shows them)
        self.lock = threading.RLock()
        self._running: set[str | None] = set()
        self._account_prefix: str | None = None

    def context(self, request_id: str | None = None, idempotency_key: str | None = None) -> WriteContext:
        return WriteContext(self.clock.now(), request_id, idempotency_key)

    # -- scheduled work --------------------------------------------------------------------
    def run_due(self, until: int, domain: str | None = None) -> int:
        """Run every task of ``domain`` due at or before ``until``, oldest first; returns how many."""
        if domain in self._running:
            return 0  # a task's own writes never re-enter the loop; it picks up what they schedule
        self._running.add(domain)
        count = 0
        try:
            while (task := self.scheduler.pop_due(until, domain)) is not None:
                try:
                    self.task_handlers[task.kind](task, WriteContext(task.due))
                except Exception as exc:  # noqa: BLE001 - one failed task must not fail unrelated requests
                    self.task_errors.append({**task.describe(), "error": f"{type(exc).__name__}: {exc}"})
                count += 1
        finally:
            self._running.discard(domain)
        return count

    def catch_up(self) -> int:
        with self.lock:
            return self.run_due(self.clock.now())

    def schedule(self, due: int, kind: str, key: str, data: dict | None = None, *, domain: str | None = None,
                 unique: bool = False) -> None:
        self.scheduler.add(due, kind, key, data, domain=domain, unique=unique)

    # -- time domains (test clocks) --------------------------------------------------------
    def domain_of_customer(self, customer_id: str | None) -> str | None:
        record = self.store.get("customer", customer_id) if customer_id else None
        return record.data.get("test_clock") if record is not None else None

    def in_domain(self, domain: str | None, ctx: WriteContext) -> WriteContext:
        """``ctx`` re-dated to the test clock's frozen time when the object lives on a test clock."""
        if domain is None:
            return ctx
        clock = self.store.get("test_helpers.test_clock", domain)
        return ctx.at(clock.data["frozen_time"]) if clock is not None else ctx

    # -- account-wide numbering ------------------------------------------------------------
    def next_number(self, counter: str) -> int:
        self.counters[counter] = self.counters.get(counter, 0) + 1
        return self.counters[counter]

    @property
    def account_prefix(self) -> str:
        """The account-level invoice number prefix (Stripe's default numbering scheme)."""
        if self._account_prefix is None:
            self._account_prefix = self.ids.token("account_prefix", string.ascii_uppercase + string.digits, 8)
        return self._account_prefix
