"""Automatic daily payouts (``billing.settlement``): list, retrieve, update metadata.

At 00:00 UTC every day with funds available, a payout takes every available transaction not yet
paid out (``payout.created``, ``in_transit``, ``reconciliation_status=in_progress``); it arrives a
day later (``payout.paid``) and its reconciliation completes (``payout.reconciliation_completed``).
Manual payouts (``POST /v1/payouts``) are not modelled.
"""

from __future__ import annotations

from stripe_sandbox.billing import fx, settlement
from stripe_sandbox.errors import invalid_request
from stripe_sandbox.resources import filters as f
from stripe_sandbox.resources import params as p
from stripe_sandbox.resources.base import ID, ApiCall, Resource, Route
from stripe_sandbox.state import WriteContext


class Payouts(Resource):
    object_name = "payout"
    prefix = "po"
    url = "/v1/payouts"
    expandable = frozenset({"balance_transaction", "destination", "failure_balance_transaction", "original_payout",
                            "reversed_by", "application_fee"})
    filters = {"status": f.equals("status"), "arrival_date": f.time_range("arrival_date"),
               "destination": f.equals("destination")}

    def routes(self) -> list[Route]:
        return [
            ("POST", self.url, self._manual),
            ("GET", self.url, self.list_handler),
            ("GET", f"{self.url}/{ID}", self.retrieve_handler),
            ("POST", f"{self.url}/{ID}", self._update),
        ]

    def tasks(self) -> dict:
        return {"payout.run": self.run, "payout.arrive": self.arrive}

    def _manual(self, call: ApiCall) -> dict:
        raise invalid_request("Manual payouts are not supported by the Stripe sandbox: payouts are automatic and "
                              "daily (see GET /v1/payouts).", code="payouts_not_allowed")

    def _update(self, call: ApiCall) -> dict:
        self.only(call.params, ("metadata",))
        record = self.record(call.id)
        if "metadata" in call.params:
            self.replace(record, {**record.data, "metadata": p.metadata(record.data["metadata"],
                                                                          call.params["metadata"])}, call.ctx)
        return self.render(record, self.expand_param(call.params))

    def __init__(self, state) -> None:
        super().__init__(state)
        self._destination: str | None = None

    @property
    def destination(self) -> str:
        """The account's (fake) bank account, drawn on first use so it repeats per seed."""
        if self._destination is None:
            self._destination = self.state.ids.new("ba")
        return self._destination

    # -- scheduled work --------------------------------------------------------------------
    def run(self, task, ctx: WriteContext) -> None:
        """The daily automatic payout at ``task.due`` (00:00 UTC)."""
        txns = self.other("balance_transaction")
        due = txns.take_available(task.due, ctx)
        amount = sum(record.field("net") for record in due)
        if amount <= 0:
            txns.hold(due)
            return
        payout = {
            "id": self.new_id(),
            "object": "payout",
            "amount": amount,
            "application_fee": None,
            "application_fee_amount": None,
            "arrival_date": settlement.arrival(ctx.now),
            "automatic": True,
            "balance_transaction": None,
            "created": ctx.now,
            "currency": fx.SETTLEMENT_CURRENCY,
            "description": "STRIPE PAYOUT",
            "destination": self.destination,
            "failure_balance_transaction": None,
            "failure_code": None,
            "failure_message": None,
            "livemode": False,
            "metadata": {},
            "method": "standard",
            "original_payout": None,
            "payout_method": None,
            "reconciliation_status": "in_progress",
            "reversed_by": None,
            "source_type": "card",
            "statement_descriptor": None,
            "status": "in_transit",
            "trace_id": {"status": "pending", "value": None},
            "type": "bank_account",
        }
        record = self.insert(payout, ctx, action=None)
        own = txns.for_payout(payout, ctx)
        txns.paid_out(due, payout["id"])
        record.data = {**record.data, "balance_transaction": own["id"]}
        self.emit(record, "created", ctx)
        self.state.schedule(payout["arrival_date"], "payout.arrive", payout["id"])

    def arrive(self, task, ctx: WriteContext) -> None:
        record = self.record(task.key)
        if record.data["status"] != "in_transit":
            return
        trace = f"SBX{self.state.ids.derived(record.id, 12, digits=True)}"
        self.replace(record, {**record.data, "status": "paid", "trace_id": {"status": "supported", "value": trace}},
                     ctx, action=None)
        self.emit(record, "paid", ctx)
        self.replace(record, {**record.data, "reconciliation_status": "completed"}, ctx, action=None)
        self.emit(record, "reconciliation_completed", ctx)
