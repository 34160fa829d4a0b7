"""Bulk construction of the ``scale`` scenario's paid invoices, straight into the store.

The per-object write path (``scale_slow``) parses params, looks objects up and diffs versions for
every write; here a paid invoice's whole history (items, draft, finalization, payment intent, charge,
balance transaction, invoice payment and their events) is built from precomputed parts:

* line amounts and taxes come from the ``billing`` rules once per (currency, product, quantity);
* constant sub-dicts (pricing, taxes, period, tax rates, empty lists and metadata, line parents ...)
  are shared between objects and versions: stored objects are immutable (every update path copies:
  ``Resource.replace``); invoice totals are computed once per distinct set of lines, card details
  once per amount and billing details once per customer;
* invoice lines and their sources are built inline (the same dicts ``flows.lines`` builds);
* each record is appended with one sort key (an int) shared by the store and its indexes; events go
  straight into their ``type`` index bucket;
* an invoice's event IDs are drawn in one block (``IdFactory.many``), from the same ``evt`` stream.

Declines, refunds, disputes and payouts still go through the write paths (a few % of the objects),
so they act on bulk-built objects exactly as on any other.
"""

from __future__ import annotations

from decimal import Decimal

from stripe_sandbox.billing.money import round_minor
from stripe_sandbox.billing.payment_methods import card_for
from stripe_sandbox.billing.tax import line_taxes
from stripe_sandbox.billing.totals import summarize
from stripe_sandbox.event_record import EVENT_TYPE, EventRecord
from stripe_sandbox.events import changed_attributes, fingerprint
from stripe_sandbox.flows import invoicing
from stripe_sandbox.flows import lines as line_flow
from stripe_sandbox.resources.charges import card_details, outcome
from stripe_sandbox.resources.tax_rates import as_rate
from stripe_sandbox.state import WriteContext
from stripe_sandbox.store import Record

METHOD = "pm_card_visa"
EVENTS_PER_INVOICE = 9  # besides two per item (``invoiceitem.created`` and ``.updated``)
OPEN_PAYMENT = {"canceled_at": None, "paid_at": None}
NO_ADDRESS = None


class BulkInvoices:
    """Builds paid invoices for one sandbox; ``paid_invoice`` writes one invoice's full history."""

    def __init__(self, state, refs: dict) -> None:
        self.state = state
        self.store = state.store
        self.ids = state.ids
        self.refs = refs
        self._parts: dict[tuple, tuple] = {}
        self._billing: dict[str, tuple] = {}  # customer ID -> (customer version, its billing details)
        self._card_by_amount: dict[int, dict] = {}
        self._sums: dict[tuple, dict] = {}  # (currency, tax key, *lines) -> their ``summarize`` totals
        self._card = card_for(METHOD)
        self._txn = state.resources["balance_transaction"]
        self._prefix = state.account_prefix
        self._audit = state.events._audit
        self._store_add = self.store.add
        self._event_ids: list[str] = []  # this invoice's event IDs, drawn in one block, next last
        self._event_buckets: dict[str, tuple] = {}  # event type -> its ``type`` index bucket (in a 1-tuple)

    # -- ids and records -------------------------------------------------------------------
    def _add(self, object_type: str, data: dict, when: int, indexes=()) -> Record:
        return self._store_add(Record(object_type, data["id"], when, 0, data), indexes)

    def _event(self, event_type: str, obj: dict, when: int, request_id: str, previous=None) -> None:
        record = EventRecord(self._event_ids.pop(), event_type, when, obj, previous, request_id, None)
        bucket = self._event_buckets.get(event_type)
        if bucket is None:
            bucket = self._event_buckets[event_type] = (self.store.bucket(EVENT_TYPE, "type", event_type),)
        self._store_add(record, (), bucket)
        if self._audit is not None:
            self._audit.append((record, fingerprint(record.data)))

    # -- precomputed parts -----------------------------------------------------------------
    def _line_parts(self, product: str, quantity: int, currency: str, tax_key: str) -> tuple:
        key = (product, quantity, currency)
        parts = self._parts.get(key)
        if parts is None:
            price = self.store.get("price", self.refs["price"][(product, currency)]).data
            rate = self.store.get("tax_rate", self.refs["tax"][tax_key]).data
            amount = round_minor(Decimal(price["unit_amount_decimal"]) * quantity, currency)
            pricing = {"price_details": {"price": price["id"], "product": price["product"]}, "type": "price_details",
                       "unit_amount_decimal": price["unit_amount_decimal"]}
            description = self.store.get("product", price["product"]).data["name"]
            taxes = line_taxes(amount, [as_rate(rate)], currency, "none")
            parts = self._parts[key] = (amount, pricing, description, [rate], [rate["id"]], taxes)
        return parts

    def _billing_details(self, customer: dict) -> dict:
        """A charge's ``billing_details``, shared by the customer's charges (per customer version)."""
        cached = self._billing.get(customer["id"])
        if cached is None or cached[0] is not customer:
            details = {"address": customer.get("address") or _null_address(), "email": customer.get("email"),
                       "name": customer.get("name"), "phone": customer.get("phone"), "tax_id": None}
            cached = self._billing[customer["id"]] = (customer, details)
        return cached[1]

    def _card_details(self, amount: int) -> dict:
        """``payment_method_details`` of a bulk charge, shared by the charges of the same amount."""
        details = self._card_by_amount.get(amount)
        if details is None:
            details = self._card_by_amount[amount] = card_details(self._card, METHOD, amount)
        return details

    # -- one paid invoice ------------------------------------------------------------------
    def paid_invoice(self, at: int, customer: dict, lines: list, tax_key: str) -> str:
        state, ids = self.state, self.ids
        currency = customer["currency"]
        customer_id = customer["id"]
        period = {"end": at, "start": at}
        events = self._event_ids = ids.many("evt", 2 * len(lines) + EVENTS_PER_INVOICE)
        events.reverse()
        items, sources = [], []
        for product, quantity in lines:
            amount, pricing, description, rates, rate_ids, _ = self._line_parts(product, quantity, currency, tax_key)
            item = {
                "id": ids.new("ii"), "object": "invoiceitem", "amount": amount, "currency": currency,
                "customer": customer_id, "customer_account": None, "date": at, "description": description,
                "discountable": amount >= 0, "discounts": _NONE, "invoice": None, "livemode": False, "metadata": _EMPTY,
                "net_amount": amount, "parent": None, "period": period, "pricing": pricing, "proration": False,
                "proration_details": NO_PRORATION, "quantity": quantity,
                "quantity_decimal": QUANTITY_TEXT.get(quantity) or str(quantity), "tax_rates": rates,
                "test_clock": None,
            }
            record = self._add("invoiceitem", item, at, (("customer", customer_id),))
            self._event("invoiceitem.created", item, at, ids.new("req"))
            items.append(record)
        # the draft
        request = ids.new("req")
        invoice_id = ids.new("in")
        line_objects = []
        for (product, quantity), record in zip(lines, items):
            amount, pricing, description, rates, rate_ids, taxes = self._line_parts(product, quantity, currency,
                                                                                    tax_key)
            item = record.data
            # what ``lines.source_from_item`` and ``lines.line_object`` build, with the constant parts shared
            line_id = ids.new("il")
            details = pricing["price_details"]
            parent = {
                "invoice_item_details": {"invoice_item": item["id"], "proration": False,
                                         "proration_details": NO_CREDITED_ITEMS, "subscription": None},
                "subscription_item_details": None, "type": "invoice_item_details",
            }
            sources.append({
                "key": item["id"], "line_id": line_id, "amount": amount, "description": description,
                "discountable": item["discountable"], "discounts": _NONE, "tax_rates": rate_ids, "period": period,
                "price": details["price"], "product": details["product"],
                "unit_amount_decimal": pricing["unit_amount_decimal"], "quantity": quantity, "parent": parent,
                "metadata": _EMPTY, "subscription": None,
            })
            line_objects.append({
                "id": line_id, "object": "line_item", "amount": amount, "currency": currency,
                "description": description, "discount_amounts": _NONE, "discountable": item["discountable"],
                "discounts": _NONE, "invoice": invoice_id, "livemode": False, "metadata": _EMPTY, "parent": parent,
                "period": period, "pretax_credit_amounts": _NONE, "pricing": pricing, "quantity": quantity,
                "quantity_decimal": item["quantity_decimal"], "subscription": None, "subtotal": amount,
                "taxes": taxes,
            })
        data = invoicing.blank_invoice(invoice_id, at, customer, currency, billing_reason="manual",
                                       collection_method="charge_automatically", auto_advance=False)
        sums_key = (currency, tax_key, *lines)
        sums = self._sums.get(sums_key)
        if sums is None:  # totals depend only on the lines' parts: shared by invoices with the same lines
            sums = self._sums[sums_key] = summarize(line_objects)
        due = max(sums["total"], 0)
        data.update(
            lines=line_flow.embedded_page(invoice_id, line_objects), subtotal=sums["subtotal"],
            subtotal_excluding_tax=sums["subtotal_excluding_tax"], total=sums["total"],
            total_excluding_tax=sums["total_excluding_tax"], total_discount_amounts=sums["total_discount_amounts"],
            total_pretax_credit_amounts=sums["total_pretax_credit_amounts"], total_taxes=sums["total_taxes"],
            amount_due=due, amount_remaining=due)
        invoice = self._add("invoice", data, at)
        invoice.extra.update(domain=None, sources=sources, lines=line_objects, payment_intent=None, days_until_due=30)
        self._event("invoice.created", data, at, request)
        for record in items:
            after = {**record.data, "invoice": invoice_id}
            record.data = after
            self._event("invoiceitem.updated", after, at, request, {"invoice": None})
        # finalization (``auto_advance=true``) and the payment
        request = ids.new("req")
        token = ids.derived(invoice_id, 24)
        opened = {
            **data, "auto_advance": True, "number": f"{self._prefix}-{state.next_number('invoice'):04d}",
            "status": "open", "starting_balance": 0, "ending_balance": 0, "amount_paid": 0,
            "automatically_finalizes_at": None, "effective_at": at,
            "hosted_invoice_url": f"{invoicing.HOSTED}/test_{token}",
            "invoice_pdf": f"{invoicing.HOSTED}/test_{token}/pdf",
            "status_transitions": {**invoicing.NO_TRANSITIONS, "finalized_at": at}, "webhooks_delivered_at": at,
        }
        intents = state.resources["payment_intent"]
        ctx = WriteContext(now=at, request_id=request, idempotency_key=None)
        intent = intents.blank(due, currency, customer_id, "Payment for Invoice", ctx)
        intent_record = self._add("payment_intent", intent, at)
        intent_record.extra["invoice"] = invoice_id
        self._event("payment_intent.created", intent, at, request)
        invoice.extra["payment_intent"] = intent["id"]
        payment = {
            "id": ids.new("inpay"), "object": "invoice_payment", "amount_paid": None, "amount_requested": due,
            "created": at, "currency": currency, "invoice": invoice_id, "is_default": True, "livemode": False,
            "payment": {"charge": None, "payment_intent": intent["id"], "payment_record": None,
                        "type": "payment_intent"},
            "status": "open", "status_transitions": OPEN_PAYMENT,
        }
        payment_record = self._add("invoice_payment", payment, at, (("invoice", invoice_id),))
        opened["payments"] = invoicing.payments_page(invoice_id, [payment])
        opened["next_payment_attempt"] = at
        invoice.data = opened
        self._event("invoice.finalized", opened, at, request)
        # the charge and its balance transaction
        charge_id = ids.new("ch")
        card = self._card
        charge = {
            "id": charge_id, "object": "charge", "amount": due, "amount_captured": due, "amount_refunded": 0,
            "application": None, "application_fee": None, "application_fee_amount": None,
            "balance_transaction": None,
            "billing_details": self._billing_details(customer),
            "calculated_statement_descriptor": "STRIPE SANDBOX", "captured": True, "created": at,
            "currency": currency, "customer": customer_id, "description": intent["description"], "disputed": False,
            "failure_balance_transaction": None, "failure_code": None, "failure_message": None,
            "fraud_details": _EMPTY, "livemode": False, "metadata": intent["metadata"], "on_behalf_of": None,
            "outcome": outcome(card, int(ids.derived(charge_id, 2, digits=True)) % 65), "paid": True,
            "payment_intent": intent["id"], "payment_method": METHOD,
            "payment_method_details": self._card_details(due), "receipt_email": None,
            "receipt_number": None,
            "receipt_url": f"https://pay.stripe.com/receipts/payment/{ids.derived(charge_id, 32)}",
            "refunded": False,
            "refunds": {"object": "list", "data": [], "has_more": False, "url": f"/v1/charges/{charge_id}/refunds"},
            "review": None, "shipping": None, "source": None, "source_transfer": None, "statement_descriptor": None,
            "statement_descriptor_suffix": None, "status": "succeeded", "transfer_data": None,
            "transfer_group": None,
        }
        charge_record = self._add("charge", charge, at, (("payment_intent", intent["id"]),))
        txn = self._txn.for_charge(charge, ctx)
        charge_record.data = charge = {**charge, "balance_transaction": txn["id"]}
        self._event("charge.succeeded", charge, at, request)
        intent_record.data = intent = {**intent, "latest_charge": charge_id, "status": "succeeded",
                                       "amount_received": due, "payment_method": METHOD, "last_payment_error": None}
        self._event("payment_intent.succeeded", intent, at, request)
        attempted = {**opened, "attempt_count": 1, "attempted": True}
        payment_record.data = payment = {**payment, "status": "paid", "amount_paid": due,
                                         "status_transitions": {"canceled_at": None, "paid_at": at}}
        self._event("invoice_payment.paid", payment, at, request)
        paid = {**attempted, "status": "paid", "amount_paid": due, "amount_remaining": 0, "next_payment_attempt": None,
                "payments": invoicing.payments_page(invoice_id, [payment]),
                "status_transitions": {**opened["status_transitions"], "paid_at": at}}
        invoice.data = paid
        previous = changed_attributes(attempted, paid)
        self._event("invoice.updated", paid, at, request, previous)
        self._event("invoice.paid", paid, at, request)
        self._event("invoice.payment_succeeded", paid, at, request)
        assert not events, "EVENTS_PER_INVOICE is out of date"
        return invoice_id


_EMPTY: dict = {}
_NONE: list = []  # empty lists shared by the bulk-built objects (stored objects are never changed in place)
NO_CREDITED_ITEMS = {"credited_items": None}
NO_PRORATION = {"credited_items": None, "discount_amounts": _NONE}
QUANTITY_TEXT = {n: str(n) for n in range(1, 10)}


def _null_address() -> dict:
    from stripe_sandbox.resources.charges import NULL_ADDRESS
    return NULL_ADDRESS
