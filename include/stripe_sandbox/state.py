"""The sandbox's mutable state and the context every write runs in."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from stripe_sandbox.clock import SandboxClock
from stripe_sandbox.events import EventRecorder
from stripe_sandbox.expand import Expander
from stripe_sandbox.ids import IdFactory
from stripe_sandbox.store import ObjectStore


@dataclass(frozen=True)
class WriteContext:
    """When a write happens and which request caused it (copied into the events it records)."""

    now: int
    request_id: str | None = None
    idempotency_key: str | None = None


class SandboxState:
    """Store, IDs, clock, events and expansion for one sandbox instance.

    ``lock`` serialises every API call: handlers run on server threads.
    """

    def __init__(self, *, seed: int = 0, now: Callable[[], float] | None = None) -> None:
        self.seed = seed
        self.ids = IdFactory(seed)
        self.clock = SandboxClock(now)
        self.store = ObjectStore()
        self.events = EventRecorder(self.store, self.ids)
        self.expander = Expander(self.store, {})
        self.lock = threading.RLock()

    def context(self, request_id: str | None = None, idempotency_key: str | None = None) -> WriteContext:
        return WriteContext(self.clock.now(), request_id, idempotency_key)
