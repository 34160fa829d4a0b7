"""Control endpoints under ``/_sandbox/`` (same API key as the API): clock and faults."""

from __future__ import annotations

from collections.abc import Callable

from sandbox_kit import Request

from stripe_sandbox.errors import invalid_request, unknown_parameter
from stripe_sandbox.faults import FaultInjector, parse_fault
from stripe_sandbox.forms import as_int, decode_json_or_form
from stripe_sandbox.state import SandboxState

CLOCK_KEYS = frozenset({"advance", "frozen_time"})


class Control:
    def __init__(self, state: SandboxState, faults: FaultInjector) -> None:
        self.state = state
        self.faults = faults

    def routes(self) -> list[tuple[str, str, Callable[[Request], dict]]]:
        return [
            ("GET", "/_sandbox/clock", self.get_clock),
            ("POST", "/_sandbox/clock", self.set_clock),
            ("GET", "/_sandbox/faults", self.list_faults),
            ("POST", "/_sandbox/faults", self.add_fault),
            ("DELETE", "/_sandbox/faults", self.clear_faults),
        ]

    def _clock_view(self) -> dict:
        clock = self.state.clock
        return {"object": "sandbox.clock", "now": clock.now(), "frozen": clock.frozen}

    def get_clock(self, request: Request) -> dict:
        return self._clock_view()

    def set_clock(self, request: Request) -> dict:
        body = decode_json_or_form(request.body, request.header("content-type"))
        for key in body:
            if key not in CLOCK_KEYS:
                raise unknown_parameter(key)
        if not body:
            raise invalid_request("Pass advance (seconds) or frozen_time (Unix seconds, or null to unfreeze).")
        clock = self.state.clock
        if "frozen_time" in body:
            if body["frozen_time"] in (None, ""):
                clock.unfreeze()
            else:
                clock.freeze(as_int(body["frozen_time"], "frozen_time"))
        if "advance" in body:
            seconds = as_int(body["advance"], "advance")
            if seconds < 0:
                raise invalid_request("advance must not be negative; use frozen_time to go back", param="advance")
            clock.advance(seconds)
        return self._clock_view()

    def list_faults(self, request: Request) -> dict:
        return {"object": "list", "data": self.faults.active(), "has_more": False, "url": "/_sandbox/faults"}

    def add_fault(self, request: Request) -> dict:
        spec = decode_json_or_form(request.body, request.header("content-type"))
        fault = parse_fault(spec, self.state.ids.new("flt"))
        return self.faults.add(fault).describe()

    def clear_faults(self, request: Request) -> dict:
        return {"object": "sandbox.faults", "deleted": self.faults.clear()}
