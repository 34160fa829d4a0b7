"""Invoice payments: one per payment intent of an invoice; retrieve, list.

Opened when the invoice is finalized with an amount due (``status=open``, ``is_default`` for the
first one) and when a payment intent is attached (``attach_payment``, ``is_default=false``),
``paid`` with ``invoice_payment.paid`` when its intent succeeds (``amount_paid`` set then, null
before), ``canceled`` when the invoice is voided, paid out of band or re-priced by a credit note,
or when an attached intent is canceled. An open payment whose intent is processing (ACH) stays
``open`` until it settles: ``open``, ``paid`` and ``canceled`` are the only statuses. List filters: ``invoice``,
``payment[type]`` + ``payment[payment_intent]`` / ``payment[charge]`` / ``payment[payment_record]``,
``status``, ``created``.
"""

from __future__ import annotations

from stripe_sandbox.errors import invalid_request
from stripe_sandbox.forms import as_str
from stripe_sandbox.resources import filters as f
from stripe_sandbox.resources import params as p
from stripe_sandbox.resources.base import ID, ApiCall, Resource, Route
from stripe_sandbox.state import WriteContext

PAYMENT_KEYS = ("type", "payment_intent", "charge", "payment_record")


def _payment_filter(params: dict, data: dict) -> bool:
    wanted = p.hash_of(params["payment"], "payment", PAYMENT_KEYS)
    return all(data["payment"].get(key) == as_str(value, f"payment[{key}]") for key, value in wanted.items())


class InvoicePayments(Resource):
    object_name = "invoice_payment"
    prefix = "inpay"
    url = "/v1/invoice_payments"
    expandable = frozenset({"invoice", "payment.charge", "payment.payment_intent", "payment.payment_record"})
    filters = {
        "status": f.equals("status"),
        "payment": f.predicate(_payment_filter, "payment"),
    }
    list_filters = frozenset({"created", "invoice"})
    indexes = {"invoice": lambda data: data["invoice"]}

    def routes(self) -> list[Route]:
        return [("GET", self.url, self._list), ("GET", f"{self.url}/{ID}", self.retrieve_handler)]

    def _list(self, call: ApiCall) -> dict:
        if "status" in call.params:
            p.enum(call.params["status"], "status", ("open", "paid", "canceled"))
        if "payment" in call.params and "type" not in p.hash_of(call.params["payment"], "payment", PAYMENT_KEYS):
            raise invalid_request("Missing required param: payment[type].", param="payment[type]")
        if call.params.get("invoice"):
            source = self.state.store.indexed(self.object_name, "invoice", as_str(call.params["invoice"], "invoice"))
            return self.list_page(call.params, source=source)
        return self.list_page(call.params)

    def open_for(self, invoice: dict, intent: dict, ctx: WriteContext, *, default: bool = True) -> dict:
        first = default and not self.state.store.indexed(self.object_name, "invoice", invoice["id"]).records
        payment = {
            "id": self.new_id(),
            "object": "invoice_payment",
            "amount_paid": None,
            "amount_requested": intent["amount"],
            "created": ctx.now,
            "currency": invoice["currency"],
            "invoice": invoice["id"],
            "is_default": first,
            "livemode": False,
            "payment": {"charge": None, "payment_intent": intent["id"], "payment_record": None,
                        "type": "payment_intent"},
            "status": "open",
            "status_transitions": {"canceled_at": None, "paid_at": None},
        }
        return self.insert(payment, ctx, action=None).data

    def _open(self, invoice_id: str, payment_intent: str | None = None):
        """The first open payment of the invoice (or the open one of ``payment_intent``)."""
        for record in self.state.store.indexed(self.object_name, "invoice", invoice_id).records:
            if record.data["status"] == "open" and payment_intent in (None, record.data["payment"]["payment_intent"]):
                return record
        return None

    def mark_paid(self, invoice_id: str, ctx: WriteContext, *, payment_intent: str | None = None,
                  amount: int | None = None) -> None:
        record = self._open(invoice_id, payment_intent)
        if record is None:
            return
        paid = record.data["amount_requested"] if amount is None else amount
        data = {**record.data, "status": "paid", "amount_paid": paid,
                "status_transitions": {**record.data["status_transitions"], "paid_at": ctx.now}}
        self.replace(record, data, ctx, action=None)
        self.emit(record, "paid", ctx)

    def set_requested(self, invoice_id: str, payment_intent: str, amount: int, ctx: WriteContext) -> None:
        """The default payment asks for what is left after a partial payment (no event)."""
        record = self._open(invoice_id, payment_intent)
        if record is not None and record.data["amount_requested"] != amount:
            self.replace(record, {**record.data, "amount_requested": amount}, ctx, action=None)

    def cancel_open(self, invoice_id: str, ctx: WriteContext, *, payment_intent: str | None = None) -> None:
        record = self._open(invoice_id, payment_intent)
        if record is not None:
            data = {**record.data, "status": "canceled",
                    "status_transitions": {**record.data["status_transitions"], "canceled_at": ctx.now}}
            self.replace(record, data, ctx, action=None)  # Stripe records no event for this
