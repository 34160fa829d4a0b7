"""Refunds of a charge or payment intent, full or partial; create, retrieve, update, list.

A refund succeeds at once: a ``refund`` balance transaction (negative, no fee returned), the
charge's ``amount_refunded``/``refunded``/``refunds`` (``charge.refunded``) and ``refund.created``.
Refunds never exceed what is left of the charge; a charge with an open chargeback cannot be refunded, nor
can an ACH charge that is still pending. An open inquiry leaves the charge refundable, and a refund that
leaves nothing to refund closes it (``warning_closed``; stripe.com/docs/disputes, "Inquiries and retrievals"). Refunding an ACH charge (``py_``) records a ``payment_refund``
balance transaction and a ``us_bank_transfer`` destination.
Filters: ``charge``, ``payment_intent``, ``created``.
"""

from __future__ import annotations

from stripe_sandbox.billing import currency as money_currency
from stripe_sandbox.errors import invalid_request, unsupported_parameter
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
        ]

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
        record = self.insert(refund, ctx, action=None)
        txn = self.other("balance_transaction").for_refund(refund, ctx)
        record.data = {**record.data, "balance_transaction": txn["id"]}
        self.emit(record, "created", ctx)
        self.other("charge").record_refund(charge_id, record.data, ctx)
        self.other("dispute").charge_refunded(charge_id, ctx)
        return record.data

    def _update(self, call: ApiCall) -> dict:
        self.only(call.params, ("metadata",))
        record = self.record(call.id)
        if "metadata" in call.params:
            self.replace(record, {**record.data, "metadata": p.metadata(record.data["metadata"],
                                                                          call.params["metadata"])}, call.ctx)
        return self.render(record, self.expand_param(call.params))
