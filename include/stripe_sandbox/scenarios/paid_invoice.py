"""One bulk-built paid invoice's history, kept as its few distinct values and rendered when read.

A paid one-off invoice of the ``scale`` scenario goes through items, draft, finalization, payment
intent, charge and invoice payment, each version differing from the last in a few values. Instead
of storing every version as a dict (three 76-key invoice versions alone), ``PaidInvoice`` keeps the
IDs, instant, customer version, lines and amount due, and renders any version on demand
(``render(part)``, for ``rendered_record.py``): the same dicts, key for key, that the per-object
write paths store (``test_stripe_sandbox_scale_bulk.py`` compares them). ``field(part, key)``
answers the top-level fields list filters read without rendering the whole object.
"""

from __future__ import annotations

from functools import cache

from stripe_sandbox.events import changed_attributes
from stripe_sandbox.flows import invoicing
from stripe_sandbox.flows import lines as line_flow
from stripe_sandbox.ids import IdFactory
from stripe_sandbox.billing import settlement
from stripe_sandbox.resources.balance_transactions import charge_settlement, charge_txn
from stripe_sandbox.resources.charges import outcome
from stripe_sandbox.resources.payment_intents import blank_intent
from stripe_sandbox.scenarios.bulk_parts import METHOD, BulkParts

DESCRIPTION = "Payment for Invoice"
_EMPTY: dict = {}
_NONE: list = []  # empty lists shared by the rendered objects (stored objects are never changed in place)
NO_CREDITED_ITEMS = {"credited_items": None}
NO_PRORATION = {"credited_items": None, "discount_amounts": _NONE}
OPEN_PAYMENT = {"canceled_at": None, "paid_at": None}
ATTEMPT = {"attempt_count": 1, "attempted": True}
QUANTITY_TEXT = {n: str(n) for n in range(1, 10)}

# the versions a record or event can name (``part``): shared tuples
DRAFT, OPEN, PAID = ("invoice", "draft"), ("invoice", "open"), ("invoice", "paid")
PAID_CHANGES = ("paid_changes",)  # ``previous_attributes`` of the ``invoice.updated`` that pays it
NEW_INTENT, SUCCEEDED_INTENT = ("intent", False), ("intent", True)
PAID_PAYMENT = ("payment", True)
CHARGE = ("charge",)
PENDING_TXN, AVAILABLE_TXN = ("txn", False), ("txn", True)
BECOMES_AVAILABLE = {"status": "available"}
ITEM_CHANGES = ("item_changes",)  # ``previous_attributes`` of an item attached to the invoice


@cache
def item_part(index: int, invoiced: bool) -> tuple:
    return ("item", index, invoiced)


class PaidInvoice:
    __slots__ = ("parts", "at", "customer", "tax_key", "lines", "item_ids", "line_ids", "invoice_id", "number",
                 "intent_id", "payment_id", "charge_id", "txn_id", "due")

    def __init__(self, parts: BulkParts, at: int, customer: dict, tax_key: str, lines: tuple, item_ids: list,
                 invoice_id: str, line_ids: list) -> None:
        self.parts = parts
        self.at = at
        self.customer = customer  # the customer version the invoice was built from
        self.tax_key = tax_key
        self.lines = lines  # ((product, quantity), ...)
        self.item_ids = item_ids
        self.line_ids = line_ids
        self.invoice_id = invoice_id
        self.due = max(self.totals()["total"], 0)
        self.number = self.intent_id = self.payment_id = self.charge_id = self.txn_id = None

    def finalized(self, number: int, intent_id: str, payment_id: str, charge_id: str) -> None:
        """The IDs given at finalization and payment (drawn by the builder, in the write paths' order)."""
        self.number, self.intent_id, self.payment_id, self.charge_id = number, intent_id, payment_id, charge_id

    def render(self, part: tuple) -> dict:
        return getattr(self, part[0])(*part[1:])

    @staticmethod
    def changed_part(part: tuple, changes: dict) -> tuple | None:
        """The version ``part`` with ``changes`` applied, if there is one (else the record stores a dict)."""
        return AVAILABLE_TXN if part == PENDING_TXN and changes == BECOMES_AVAILABLE else None

    def field(self, part: tuple, key: str):
        """``render(part).get(key)``; the keys list filters read are answered without rendering it all."""
        fields = CHEAP_FIELDS.get(part[0])
        known = fields(self, *part[1:]) if fields is not None else {}
        return known[key] if key in known else self.render(part).get(key)

    def _invoice_fields(self, status: str) -> dict:
        return {"customer": self.customer["id"], "status": status, "collection_method": "charge_automatically",
                "due_date": None, "parent": None}

    def _item_fields(self, index: int, invoiced: bool) -> dict:
        return {"customer": self.customer["id"], "invoice": self.invoice_id if invoiced else None}

    def _intent_fields(self, succeeded: bool) -> dict:
        return {"customer": self.customer["id"]}

    def _payment_fields(self, paid: bool) -> dict:
        return {"status": "paid" if paid else "open"}

    def _charge_fields(self) -> dict:
        return {"customer": self.customer["id"], "payment_intent": self.intent_id, "transfer_group": None}

    def _txn_fields(self, available: bool) -> dict:
        settled, _, fee, _ = charge_settlement(self.due, self.customer["currency"])
        return {"status": "available" if available else "pending", "available_on": self.available_on(),
                "net": settled - fee, "source": self.charge_id}

    def extra(self, part: tuple) -> dict:
        """The resource-private state of the record holding ``part`` (what the write paths keep)."""
        if part[0] == "invoice":
            return {"domain": None, "sources": self.sources(), "lines": self.line_objects(),
                    "payment_intent": self.intent_id, "days_until_due": 30}
        if part[0] == "intent":
            return {"invoice": self.invoice_id}
        return {}

    # -- items and lines -------------------------------------------------------------------
    def _line_parts(self, index: int) -> tuple:
        product, quantity = self.lines[index]
        return self.parts.line(product, quantity, self.customer["currency"], self.tax_key)

    def item(self, index: int, invoiced: bool) -> dict:
        at = self.at
        amount, pricing, description, rates, _, _ = self._line_parts(index)
        quantity = self.lines[index][1]
        return {
            "id": self.item_ids[index], "object": "invoiceitem", "amount": amount, "currency": self.customer["currency"],
            "customer": self.customer["id"], "customer_account": None, "date": at, "description": description,
            "discountable": amount >= 0, "discounts": _NONE, "invoice": self.invoice_id if invoiced else None,
            "livemode": False, "metadata": _EMPTY, "net_amount": amount, "parent": None,
            "period": {"end": at, "start": at}, "pricing": pricing, "proration": False,
            "proration_details": NO_PRORATION, "quantity": quantity,
            "quantity_decimal": QUANTITY_TEXT.get(quantity) or str(quantity), "tax_rates": rates,
            "test_clock": None,
        }

    @staticmethod
    def item_changes() -> dict:
        return {"invoice": None}

    def _line_parent(self, index: int) -> dict:
        return {
            "invoice_item_details": {"invoice_item": self.item_ids[index], "proration": False,
                                     "proration_details": NO_CREDITED_ITEMS, "subscription": None},
            "subscription_item_details": None, "type": "invoice_item_details",
        }

    def line_objects(self) -> list[dict]:
        """What ``lines.line_object`` builds for each item, with the constant parts shared."""
        at, currency = self.at, self.customer["currency"]
        objects = []
        for index, (_, quantity) in enumerate(self.lines):
            amount, pricing, description, _, _, taxes = self._line_parts(index)
            objects.append({
                "id": self.line_ids[index], "object": "line_item", "amount": amount, "currency": currency,
                "description": description, "discount_amounts": _NONE, "discountable": amount >= 0,
                "discounts": _NONE, "invoice": self.invoice_id, "livemode": False, "metadata": _EMPTY,
                "parent": self._line_parent(index), "period": {"end": at, "start": at},
                "pretax_credit_amounts": _NONE, "pricing": pricing, "quantity": quantity,
                "quantity_decimal": QUANTITY_TEXT.get(quantity) or str(quantity), "subscription": None,
                "subtotal": amount, "taxes": taxes,
            })
        return objects

    def sources(self) -> list[dict]:
        """What ``lines.source_from_item`` builds for each item (the draft's line sources)."""
        at = self.at
        sources = []
        for index, (_, quantity) in enumerate(self.lines):
            amount, pricing, description, _, rate_ids, _ = self._line_parts(index)
            details = pricing["price_details"]
            sources.append({
                "key": self.item_ids[index], "line_id": self.line_ids[index], "amount": amount,
                "description": description, "discountable": amount >= 0, "discounts": _NONE, "tax_rates": rate_ids,
                "period": {"end": at, "start": at}, "price": details["price"], "product": details["product"],
                "unit_amount_decimal": pricing["unit_amount_decimal"], "quantity": quantity,
                "parent": self._line_parent(index), "metadata": _EMPTY, "subscription": None,
            })
        return sources

    def totals(self) -> dict:
        return self.parts.totals(self.customer["currency"], self.tax_key, self.lines, self.line_objects)

    # -- the invoice -----------------------------------------------------------------------
    def invoice(self, status: str) -> dict:
        return getattr(self, f"_{status}")()

    def _draft(self) -> dict:
        invoice_id, due, sums = self.invoice_id, self.due, self.totals()
        data = invoicing.blank_invoice(invoice_id, self.at, self.customer, self.customer["currency"],
                                       billing_reason="manual", collection_method="charge_automatically",
                                       auto_advance=False)
        data.update(
            lines=line_flow.embedded_page(invoice_id, self.line_objects()), subtotal=sums["subtotal"],
            subtotal_excluding_tax=sums["subtotal_excluding_tax"], total=sums["total"],
            total_excluding_tax=sums["total_excluding_tax"], total_discount_amounts=sums["total_discount_amounts"],
            total_pretax_credit_amounts=sums["total_pretax_credit_amounts"], total_taxes=sums["total_taxes"],
            amount_due=due, amount_remaining=due)
        return data

    def _open(self) -> dict:
        return {**self._draft(), **self._finalization()}

    def _attempted(self) -> dict:
        return {**self._draft(), **self._finalization(), **ATTEMPT}

    def _paid(self) -> dict:
        # one merge instead of draft -> open -> attempted -> paid: every changed key is already in the
        # draft, so the key order is the draft's either way
        return {**self._draft(), **self._finalization(), **ATTEMPT, **self._payment_changes()}

    def _finalization(self) -> dict:
        """What finalizing (``auto_advance=true``) changes in the draft."""
        at = self.at
        token = IdFactory.derived(self.invoice_id, 24)
        return {
            "auto_advance": True, "number": f"{self.parts.account_prefix}-{self.number:04d}",
            "status": "open", "starting_balance": 0, "ending_balance": 0, "amount_paid": 0,
            "automatically_finalizes_at": None, "effective_at": at,
            "hosted_invoice_url": f"{invoicing.HOSTED}/test_{token}",
            "invoice_pdf": f"{invoicing.HOSTED}/test_{token}/pdf",
            "next_payment_attempt": at,
            "status_transitions": {**invoicing.NO_TRANSITIONS, "finalized_at": at}, "webhooks_delivered_at": at,
        }

    def _payment_changes(self) -> dict:
        """What the successful payment changes in the attempted invoice."""
        return {"status": "paid", "amount_paid": self.due, "amount_remaining": 0, "next_payment_attempt": None,
                "status_transitions": {**invoicing.NO_TRANSITIONS, "finalized_at": self.at, "paid_at": self.at}}

    def paid_changes(self) -> dict:
        return changed_attributes(self._attempted(), self._paid())

    # -- payment intent, invoice payment, charge -------------------------------------------
    def intent(self, succeeded: bool) -> dict:
        intent = blank_intent(self.intent_id, self.due, self.customer["currency"], self.customer["id"], DESCRIPTION,
                              self.at)
        if not succeeded:
            return intent
        return {**intent, "latest_charge": self.charge_id, "status": "succeeded", "amount_received": self.due,
                "payment_method": METHOD, "last_payment_error": None}

    def payment(self, paid: bool) -> dict:
        at, due = self.at, self.due
        return {
            "id": self.payment_id, "object": "invoice_payment", "amount_paid": due if paid else None,
            "amount_requested": due, "created": at, "currency": self.customer["currency"],
            "invoice": self.invoice_id, "is_default": True, "livemode": False,
            "payment": {"charge": None, "payment_intent": self.intent_id, "payment_record": None,
                        "type": "payment_intent"},
            "status": "paid" if paid else "open",
            "status_transitions": {"canceled_at": None, "paid_at": at} if paid else OPEN_PAYMENT,
        }

    def txn(self, available: bool) -> dict:
        """The charge's balance transaction (as ``BalanceTransactions.for_charge`` stores it), pending or available."""
        charge = {"id": self.charge_id, "amount": self.due, "currency": self.customer["currency"],
                  "description": DESCRIPTION}
        data = charge_txn(self.txn_id, charge, self.at)
        return {**data, "status": "available"} if available else data

    def available_on(self) -> int:
        return settlement.charge_available_on(self.at)

    def charge(self) -> dict:
        charge_id, due, parts = self.charge_id, self.due, self.parts
        return {
            "id": charge_id, "object": "charge", "amount": due, "amount_captured": due, "amount_refunded": 0,
            "application": None, "application_fee": None, "application_fee_amount": None,
            "balance_transaction": self.txn_id,
            "billing_details": parts.billing_details(self.customer),
            "calculated_statement_descriptor": "STRIPE SANDBOX", "captured": True, "created": self.at,
            "currency": self.customer["currency"], "customer": self.customer["id"], "description": DESCRIPTION,
            "disputed": False, "failure_balance_transaction": None, "failure_code": None, "failure_message": None,
            "fraud_details": _EMPTY, "livemode": False, "metadata": _EMPTY, "on_behalf_of": None,
            "outcome": outcome(parts.card, int(IdFactory.derived(charge_id, 2, digits=True)) % 65), "paid": True,
            "payment_intent": self.intent_id, "payment_method": METHOD,
            "payment_method_details": parts.card_details(due), "receipt_email": None,
            "receipt_number": None,
            "receipt_url": f"https://pay.stripe.com/receipts/payment/{IdFactory.derived(charge_id, 32)}",
            "refunded": False,
            "refunds": {"object": "list", "data": [], "has_more": False, "url": f"/v1/charges/{charge_id}/refunds"},
            "review": None, "shipping": None, "source": None, "source_transfer": None, "statement_descriptor": None,
            "statement_descriptor_suffix": None, "status": "succeeded", "transfer_data": None,
            "transfer_group": None,
        }


CHEAP_FIELDS = {"invoice": PaidInvoice._invoice_fields, "item": PaidInvoice._item_fields,
                "intent": PaidInvoice._intent_fields, "payment": PaidInvoice._payment_fields,
                "charge": PaidInvoice._charge_fields, "txn": PaidInvoice._txn_fields}  # part kind -> the fields ``field`` answers cheaply
