"""Scenarios seed a deterministic history at startup: ``SCENARIOS[name](seeder, seed)``.

A scenario writes through ``Seeder``, which calls the same resource write methods as the HTTP
handlers, with a ``WriteContext`` dated in the past, so events carry the past ``created``.
Add a scenario = one module + one line in ``SCENARIOS``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from stripe_sandbox.state import SandboxState, WriteContext

if TYPE_CHECKING:
    from stripe_sandbox.resources import Resource


class Seeder:
    """Writes at chosen past times through the resources' own write path."""

    def __init__(self, state: SandboxState, resources: dict[str, Resource]) -> None:
        self.state = state
        self.resources = resources
        self.now = state.clock.now()  # the instant the scenario is built against

    def _ctx(self, at: int) -> WriteContext:
        return WriteContext(now=at, request_id=self.state.ids.new("req"), idempotency_key=None)

    def create(self, object_name: str, params: dict, *, at: int) -> dict:
        with self.state.lock:
            return self.resources[object_name].create(params, self._ctx(at))

    def update(self, object_name: str, object_id: str, params: dict, *, at: int) -> dict:
        with self.state.lock:
            return self.resources[object_name].update(object_id, params, self._ctx(at))

    def delete(self, object_name: str, object_id: str, *, at: int) -> dict:
        with self.state.lock:
            return self.resources[object_name].delete(object_id, self._ctx(at))


def build_empty(seeder: Seeder, seed: int) -> None:
    """No objects at all (the same as no scenario)."""


from stripe_sandbox.scenarios.demo import build_demo  # noqa: E402 - needs Seeder above

Scenario = Callable[[Seeder, int], None]
SCENARIOS: dict[str, Scenario] = {
    "demo": build_demo,
    "empty": build_empty,
}

__all__ = ["SCENARIOS", "Seeder", "Scenario", "build_demo", "build_empty"]
