"""Test clocks (``/v1/test_helpers/test_clocks``): a frozen time for the customers attached to it.

Create a clock at ``frozen_time``, create customers with ``test_clock=clock_...``: their
subscriptions, invoices, payments and disputes happen at the clock's time and their scheduled work
(renewals, retries, auto-finalization, dispute deadlines) runs only when the clock advances:
``POST .../advance`` with a later ``frozen_time`` runs everything due in between, in order, dated
when it was due (``test_helpers.test_clock.advancing`` then ``.ready``). The advance completes
within the request, so the answer already says ``ready``. Deleting a clock leaves its objects.
Payouts follow the account (sandbox) clock.
"""

from __future__ import annotations

from stripe_sandbox.errors import invalid_request
from stripe_sandbox.resources import params as p
from stripe_sandbox.resources.base import ID, Resource, Route
from stripe_sandbox.state import WriteContext

LIFETIME = 30 * 86400


class TestClocks(Resource):
    object_name = "test_helpers.test_clock"
    prefix = "clock"
    url = "/v1/test_helpers/test_clocks"
    list_filters = frozenset()

    def routes(self) -> list[Route]:
        one = f"{self.url}/{ID}"
        return [
            ("POST", self.url, lambda call: self.respond(self.create(call.params, call.ctx), call)),
            ("GET", self.url, self.list_handler),
            ("GET", one, self.retrieve_handler),
            ("DELETE", one, lambda call: self.delete(call.id, call.ctx)),
            ("POST", f"{one}/advance", lambda call: self.respond(self.advance(call.id, call.params, call.ctx), call)),
        ]

    def create(self, params: dict, ctx: WriteContext) -> dict:
        self.only(params, ("frozen_time", "name"))
        frozen = p.integer(p.required(params, "frozen_time"), "frozen_time")
        clock = {
            "id": self.new_id(),
            "object": "test_helpers.test_clock",
            "created": ctx.now,
            "deletes_after": ctx.now + LIFETIME,
            "frozen_time": frozen,
            "livemode": False,
            "name": p.nullable_str(params["name"], "name", max_length=300) if "name" in params else None,
            "status": "ready",
            "status_details": {},
        }
        return self.insert(clock, ctx).data

    def advance(self, clock_id: str, params: dict, ctx: WriteContext) -> dict:
        self.only(params, ("frozen_time",))
        record = self.record(clock_id)
        target = p.integer(p.required(params, "frozen_time"), "frozen_time")
        if target <= record.data["frozen_time"]:
            raise invalid_request("frozen_time must be later than the clock's current frozen_time.",
                                  param="frozen_time", code="test_clock_advance_invalid")
        self.replace(record, {**record.data, "status": "advancing",
                              "status_details": {"advancing": {"target_frozen_time": target}}}, ctx, action="advancing")
        state = self.state
        while (due := state.scheduler.next_due(clock_id)) is not None and due <= target:
            self.replace(record, {**record.data, "frozen_time": due}, ctx, action=None)
            state.run_due(due, domain=clock_id)
        self.replace(record, {**record.data, "frozen_time": target, "status": "ready", "status_details": {}}, ctx,
                     action="ready")
        return record.data

    def delete(self, clock_id: str, ctx: WriteContext) -> dict:
        return self.mark_deleted(self.record(clock_id), ctx)
