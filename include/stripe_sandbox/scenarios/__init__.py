"""Scenarios seed a deterministic history at startup: ``SCENARIOS[name](seeder, seed)``.

A scenario writes through ``Seeder``, which calls the same resource write methods as the HTTP
handlers, with a ``WriteContext`` dated in the past, so events carry the past ``created``.
Time only moves forward: before each write the seeder runs the scheduled work due by then
(renewals, retries, payouts, dispute deadlines), dated when it was due, and ``finish()`` runs
what is due by the sandbox's now. Add a scenario = one module + one line in ``SCENARIOS``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from stripe_sandbox.state import SandboxState, WriteContext

if TYPE_CHECKING:
    from stripe_sandbox.resources import Resource


class Seeder:
    """Writes at chosen past times through the resources' own write path."""

    def __init__(self, state: SandboxState, resources: dict[str, Resource], options: dict | None = None) -> None:
        self.state = state
        self.resources = resources
        self.options = dict(options or {})
        self.now = state.clock.now()  # the instant the scenario is built against
        self.last = None

    def _ctx(self, at: int) -> WriteContext:
        if self.last is not None and at < self.last:
            raise ValueError(f"scenario writes must not go back in time ({at} < {self.last})")
        self.last = at
        self.state.run_due(at)
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

    def act(self, object_name: str, action: str, object_id: str | None, params: dict | None = None, *, at: int):
        """Any other write method: ``act("invoice", "pay", "in_...", {"payment_method": ...}, at=t)``.

        A declined payment answers 402 over HTTP; here the failure is recorded and ``None`` returned.
        """
        from stripe_sandbox.errors import StripeApiError

        with self.state.lock:
            method = getattr(self.resources[object_name], action)
            args = ([object_id] if object_id is not None else []) + ([params] if params is not None else [])
            try:
                return method(*args, self._ctx(at))
            except StripeApiError as err:
                if err.status == 402:
                    return None
                raise

    def advance_to(self, at: int) -> None:
        """Let time pass (run the work due by ``at``) without writing anything."""
        with self.state.lock:
            self._ctx(at)

    def finish(self) -> None:
        with self.state.lock:
            self.state.run_due(max(self.now, self.last or self.now))


def build_empty(seeder: Seeder, seed: int) -> None:
    """No objects at all (the same as no scenario)."""


from stripe_sandbox.scenarios.demo import build_demo  # noqa: E402 - needs Seeder above
from stripe_sandbox.scenarios.edge import build_edge  # noqa: E402
from stripe_sandbox.scenarios.payments import build_payments  # noqa: E402
from stripe_sandbox.scenarios.refunds import build_refunds  # noqa: E402
from stripe_sandbox.scenarios.scale import build_scale, build_scale_slow  # noqa: E402

Scenario = Callable[[Seeder, int], None]
SCENARIOS: dict[str, Scenario] = {
    "demo": build_demo,
    "edge": build_edge,
    "empty": build_empty,
    "payments": build_payments,
    "refunds": build_refunds,
    "scale": build_scale,
    "scale_slow": build_scale_slow,
}

__all__ = ["SCENARIOS", "Seeder", "Scenario", "build_demo", "build_edge", "build_empty", "build_scale"]
