"""Refunds of a charge or payment intent, full or partial; create, retrieve, update, list, cancel.

A refund succeeds at once: a ``refund`` balance transaction (negative, no fee returned), the
charge's ``amount_refunded``/``refunded``/``refunds`` (``charge.refunded``) and ``refund.created``.
Refunds never exceed what is left of the charge; a charge with an open chargeback cannot be refunded, nor
can an ACH charge that is still pending. An open inquiry leaves the charge refundable, and a refund that
leaves nothing to refund closes it (``warning_closed``; stripe.com/docs/disputes, "Inquiries and retrievals").
Refunding an ACH charge (``py_``) records a ``payment_refund`` balance transaction and a ``us_bank_transfer``
destination. Filters: ``charge``, ``payment_intent``, ``created``.

Refunds that change later ("Testing async refunds", docs.stripe.com/testing#refunds; statuses from
docs.stripe.com/api/refunds/object: "pending, requires_action, succeeded, failed, or canceled"), for charges
made with Stripe's test cards:
* ``pm_card_refundFail`` (4000000000005126): the refund is created ``succeeded`` ("the refund will appear to
  be successful at first and will only have the failed status on subsequent fetches") and fails
  (``billing.settlement.refund_settles_at``: 5 business days later): ``status`` ``failed``,
  ``failure_reason`` ``expired_or_canceled_card``, ``failure_balance_transaction`` a ``refund_failure``
  balance transaction (``reporting_category`` ``refund_failure``) giving the refunded amount back to the
  balance at the refund's rate; events ``refund.updated`` (``previous_attributes``), ``refund.failed``
  ("Occurs whenever a refund has failed", docs.stripe.com/api/refunds) and ``charge.refund.updated`` (its
  ``data.object`` is the refund; "We also notify you of refund failures using the charge.refund.updated
  webhook event", the testing page); then ``charge.updated``: the charge's ``amount_refunded`` no longer
  counts the failed amount (``refunded`` false again), so the charge can be refunded again (chosen: the
  money is back in the balance; Stripe's docs do not say it in so many words).
* ``pm_card_pendingRefund`` (4000000000007726): the refund is created ``pending`` (``pending_reason``
  ``processing``; its balance transaction exists at once) and becomes ``succeeded`` 5 business days later
  (``refund.updated``, ``charge.refund.updated``, ``charge.updated`` for the embedded refund).
* A charge disputed while one of its refunds is ``pending``: that refund fails at once with
  ``failure_reason`` ``charge_for_pending_refund_disputed`` (a value of the API's ``failure_reason``), before
  the dispute takes what is left.
``failure_reason`` / ``failure_balance_transaction`` appear once a refund has failed and ``pending_reason``
while it is pending (Stripe's example refund, fixtures3.json, has none of them). ``POST
/v1/refunds/{id}/cancel`` "Cancels a refund with a status of requires_action. You can't cancel refunds in
other states. Only refunds for payment methods that require customer action can enter the requires_action
state" (docs.stripe.com/api/refunds/cancel): no payment method the sandbox models needs customer action, so
no refund is ever ``requires_action`` and cancel always answers 400 naming the refund's status.
A credit note whose refund fails keeps its ``refunds[]`` (Stripe does not reissue the credit).
"""

from __future__ import annotations

from stripe_sandbox.billing import currency as money_currency
from stripe_sandbox.billing import settlement
from stripe_sandbox.billing.payment_methods import card_for
from stripe_sandbox.errors import invalid_request, unsupported_parameter
from stripe_sandbox.events import changed_attributes
from stripe_sandbox.forms import as_str
from stripe_sandbox.resources import filters as f
from stripe_sandbox.resources import params as p
from stripe_sandbox.resources.base import ID, ApiCall, Resource, Route
from stripe_sandbox.state import WriteContext

CREATE = frozenset({"charge", "payment_intent", "amount", "reason", "metadata", "instructions_email", "origin"})
REASONS = ("duplicate", "fraudulent", "requested_by_customer")
OPEN_CHARGEBACK = ("needs_response", "under_review")  # an open inquiry leaves the charge refundable


def destination_details(charge: dict, reference: str) -> dict:
    """Where the refund goes: the card, or (ACH Direct Debit charges) a bank transfer (SDK 16.1.0:
    ``destination_details.us_bank_transfer`` with ``reference`` / ``reference_status``)."""
    if (charge["payment_method_details"] or {}).get("type") == "us_bank_account":
        return {"type": "us_bank_transfer", "us_bank_transfer": {"reference": reference, "reference_status": "available"}}
    return {"card": {"reference": reference, "reference_status": "available",
                     "reference_type": "acquirer_reference_number", "type": "refund"}, "type": "card"}


class Refunds(Resource):
    object_name = "refund"
    prefix = "re"
    url = "/v1/refunds"
    expandable = frozenset({"charge", "payment_intent", "balance_transaction", "failure_balance_transaction",
                            "customer", "payment_method", "source_transfer_reversal", "transfer_reversal"})
    filters = {"charge": f.equals("charge"), "payment_intent": f.equals("payment_intent")}
    indexes = {"charge": lambda data: data["charge"]}

    def routes(self) -> list[Route]:
        one = f"{self.url}/{ID}"
        return [
            ("POST", self.url, lambda call: self.respond(self.create(call.params, call.ctx), call)),
            ("GET", self.url, self.list_handler),
            ("GET", one, self.retrieve_handler),
            ("POST", one, self._update),
            ("POST", f"{one}/cancel", lambda call: self.respond(self.cancel(call.id, call.params, call.ctx), call)),
        ]

    def tasks(self) -> dict:
        return {"refund.settle": self._settle}

    def create(self, params: dict, ctx: WriteContext) -> dict:
        for key in ("refund_application_fee", "reverse_transfer", "customer", "currency"):
            if key in params:
                raise unsupported_parameter(key)
        self.only(params, CREATE)
        charge_id = self._charge_of(params)
        charge = self.state.store.get("charge", charge_id).data
        ctx = self.state.in_domain(self.state.domain_of_customer(charge["customer"]), ctx)
        amount = p.integer(params["amount"], "amount", minimum=1) if "amount" in params else None
        reason = p.enum(params["reason"], "reason", REASONS) if params.get("reason") else None
        metadata = p.metadata({}, params["metadata"]) if "metadata" in params else {}
        return self.refund(charge_id, amount, ctx, reason=reason, metadata=metadata)

    def _charge_of(self, params: dict) -> str:
        if bool(params.get("charge")) == bool(params.get("payment_intent")):
            raise invalid_request("Pass exactly one of charge or payment_intent.", param="charge")
        if params.get("charge"):
            return self.other("charge").ref(as_str(params["charge"], "charge"), "charge").id
        intent = self.other("payment_intent").ref(as_str(params["payment_intent"], "payment_intent"),
                                                  "payment_intent").data
        if intent["status"] != "succeeded" or not intent["latest_charge"]:
            raise invalid_request("This PaymentIntent does not have a successful charge to refund.",
                                  param="payment_intent", code="charge_not_refundable")
        return intent["latest_charge"]

    def refund(self, charge_id: str, amount: int | None, ctx: WriteContext, *, reason: str | None = None,
               metadata: dict | None = None) -> dict:
        """The write path shared with credit notes: refund ``amount`` (default: what is left) of a charge."""
        charge = self.state.store.get("charge", charge_id).data
        if charge["status"] != "succeeded":
            raise invalid_request(f"Charge {charge_id} has not succeeded and cannot be refunded.",
                                  param="charge", code="charge_not_refundable")
        disputes = self.state.store.indexed("dispute", "charge", charge_id).records
        if any(r.data["status"] in OPEN_CHARGEBACK for r in disputes):
            raise invalid_request(f"Charge {charge_id} has been disputed and cannot be refunded.", param="charge",
                                  code="charge_disputed")
        left = charge["amount"] - charge["amount_refunded"]
        amount = left if amount is None else amount
        if left <= 0:
            raise invalid_request(f"Charge {charge_id} has already been refunded.", param="charge",
                                  code="charge_already_refunded")
        if amount > left:
            raise invalid_request(f"Refund amount ({amount}) is greater than unrefunded amount on charge ({left})",
                                  param="amount", code="amount_too_large")
        money_currency.check_amount(amount, charge["currency"])
        refund_id = self.new_id()
        reference = self.state.ids.derived(refund_id, 23, digits=True)
        is_card = (charge["payment_method_details"] or {}).get("type") == "card"
        later = card_for(charge["payment_method"]).refund if is_card else None
        refund = {
            "id": refund_id,
            "object": "refund",
            "amount": amount,
            "balance_transaction": None,
            "charge": charge_id,
            "created": ctx.now,
            "currency": charge["currency"],
            "customer": charge["customer"],
            "customer_account": None,
            "destination_details": destination_details(charge, reference),
            "metadata": metadata or {},
            "payment_intent": charge["payment_intent"],
            "payment_method": charge["payment_method"],
            "reason": reason,
            "receipt_number": None,
            "source_transfer_reversal": None,
            "status": "succeeded",
            "transfer_reversal": None,
        }
        if later == "pending":
            refund.update(status="pending", pending_reason="processing")
        record = self.insert(refund, ctx, action=None)
        txn = self.other("balance_transaction").for_refund(refund, ctx)
        record.data = {**record.data, "balance_transaction": txn["id"]}
        self.emit(record, "created", ctx)
        self.other("charge").record_refund(charge_id, record.data, ctx)
        self.other("dispute").charge_refunded(charge_id, ctx)
        if later:
            self.state.schedule(settlement.refund_settles_at(ctx.now), "refund.settle", refund_id,
                                {"outcome": "failed" if later == "fail" else "succeeded"},
                                domain=self.state.domain_of_customer(charge["customer"]))
        return record.data

    # -- refunds that change later -----------------------------------------------------------
    def _settle(self, task, ctx: WriteContext) -> None:
        """An asynchronous card refund's outcome (``refund_settles_at``)."""
        record = self.state.store.get(self.object_name, task.key)
        if record is None:
            return
        if task.data["outcome"] == "failed" and record.data["status"] in ("pending", "succeeded"):
            self._fail(record, "expired_or_canceled_card", ctx)
        elif task.data["outcome"] == "succeeded" and record.data["status"] == "pending":
            data = {key: value for key, value in record.data.items() if key != "pending_reason"}
            self._changed(record, {**data, "status": "succeeded"}, ctx)

    def _fail(self, record, reason: str, ctx: WriteContext) -> None:
        txn = self.other("balance_transaction").for_refund_failure(record.data, ctx)
        data = {key: value for key, value in record.data.items() if key != "pending_reason"}
        self._changed(record, {**data, "status": "failed", "failure_reason": reason,
                               "failure_balance_transaction": txn["id"]}, ctx, failed=True)

    def _changed(self, record, after: dict, ctx: WriteContext, *, failed: bool = False) -> None:
        """``refund.updated`` (+ ``refund.failed``), ``charge.refund.updated``, then the charge."""
        previous = changed_attributes(record.data, after)
        for key in record.data.keys() - after.keys():
            previous[key] = record.data[key]
        record.data = after
        self.state.events.record(self.event_type("updated"), after, ctx, previous_attributes=previous)
        if failed:
            self.emit(record, "failed", ctx)
        self.state.events.record("charge.refund.updated", after, ctx, previous_attributes=previous)
        self.other("charge").refund_changed(after["charge"], ctx, unrefunded=after["amount"] if failed else 0)

    def fail_pending_for_dispute(self, charge_id: str, ctx: WriteContext) -> None:
        """A charge disputed while a refund of it is pending: the refund fails (``charge_for_pending_refund_disputed``)."""
        for record in list(self.state.store.indexed(self.object_name, "charge", charge_id).records):
            if record.data["status"] == "pending":
                self._fail(record, "charge_for_pending_refund_disputed", ctx)

    def cancel(self, refund_id: str, params: dict, ctx: WriteContext) -> dict:
        self.only(params, ())
        record = self.record(refund_id)
        raise invalid_request(f"Refund {refund_id} cannot be canceled because it has a status of "
                              f"{record.data['status']}; only refunds with a status of requires_action can be "
                              f"canceled.")

    def update(self, refund_id: str, params: dict, ctx: WriteContext) -> dict:
        self.only(params, ("metadata",))
        record = self.record(refund_id)
        if "metadata" in params:
            changed = self.replace(record, {**record.data, "metadata": p.metadata(record.data["metadata"],
                                                                                    params["metadata"])}, ctx)
            if changed and record.data["charge"]:
                self.other("charge").refund_changed(record.data["charge"], ctx)  # its embedded copy follows
        return record.data

    def _update(self, call: ApiCall) -> dict:
        self.update(call.id, call.params, call.ctx)
        return self.render(self.record(call.id), self.expand_param(call.params))
