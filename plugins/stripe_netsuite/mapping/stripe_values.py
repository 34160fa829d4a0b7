"""The values of Stripe's enums that the mapping branches on, and the checks that an object holds no other (pure).

Stripe adds values to its enums (a new invoice status, pricing type, tax behaviour, ...). Mapped by a
default, such a value would be wrong silently: an invoice skipped like a draft, every line on the generic
item, an inclusive tax counted twice. So an object holding a value not listed here is not mapped: it fails
with ``UnknownValueError`` (retry queue code ``UNKNOWN_VALUE``), whose message names the object, the
field and the value. Each set lists what the code that branches on the field handles (named beside it);
a value joins a set only together with its handling. ``None`` stands for a field Stripe left out, which
the mapping reads as absent (no pricing, no parent, ...), except where the field is always sent.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from stripe_netsuite.mapping.records import UnknownValueError

# invoices.py: FINALIZED sync, drafts are skipped; the close memos follow uncollectible and void.
INVOICE_STATUSES = ("draft", "open", "paid", "uncollectible", "void")
# invoices.py _Mapper.taxes / item_lines: inclusive tax is moved out of its line into the tax lines.
TAX_BEHAVIORS = ("exclusive", "inclusive")
# invoices.py _Mapper.taxes: the rate of a line tax is read under tax_rate_details.
TAX_TYPES = ("tax_rate_details",)
# invoices.py price_id_of: the price (and so the item) of a line is read under price_details.
PRICING_TYPES = ("price_details",)
# invoices.py _is_proration: the proration flag is read under the parent's details.
LINE_PARENT_TYPES = ("invoice_item_details", "subscription_item_details")
# invoices.py coupons_of_discounts: a discount's item is its coupon's.
DISCOUNT_SOURCE_TYPES = ("coupon",)
# invoices.py invoice_record: the memo says "revision of" the invoice in from_invoice.
FROM_INVOICE_ACTIONS = ("revision",)
# invoices.py credit_note_memo: a void credit note zeroes its credit memo.
CREDIT_NOTE_STATUSES = ("issued", "void")
# invoices.py credit_note_memo: the pre-payment part is applied to the invoice, the post-payment part is
# refunded, credited to the balance or refunded outside Stripe.
CREDIT_NOTE_TYPES = ("pre_payment", "post_payment", "mixed")
# invoices.py credit_note_memo: a line takes its invoice line's item, or the custom-line item.
CREDIT_NOTE_LINE_TYPES = ("invoice_line_item", "custom_line_item")
# items.py is_one_time_price_data: a one-time price_data price uses the generic item.
PRICE_TYPES = ("one_time", "recurring")


def _check(stripe_id: str, what: str, field: str, value: Any, known: Collection[str], *, required: bool = False) -> None:
    if (value is None and required) or (value is not None and value not in known):
        raise UnknownValueError(stripe_id, what, field, value)


def _lines(obj: Mapping[str, Any]) -> Sequence[Mapping[str, Any]]:
    return (obj.get("lines") or {}).get("data") or []


def check_invoice_status(invoice: Mapping[str, Any]) -> None:
    """The invoice's status is one the mapping knows (it decides whether the invoice syncs at all)."""
    _check(invoice["id"], f"invoice {invoice['id']}", "status", invoice.get("status"), INVOICE_STATUSES, required=True)


def _check_taxes(invoice_id: str, what: str, taxes: Sequence[Mapping[str, Any]] | None) -> None:
    for tax in taxes or []:
        _check(invoice_id, what, "taxes[].type", tax.get("type"), TAX_TYPES)
        _check(invoice_id, what, "taxes[].tax_behavior", tax.get("tax_behavior"), TAX_BEHAVIORS)


def _check_discounts(invoice_id: str, discounts: Sequence[Any] | None) -> None:
    for discount in discounts or []:
        if isinstance(discount, Mapping) and isinstance(discount.get("source"), Mapping):
            _check(invoice_id, f"discount {discount.get('id')} on invoice {invoice_id}", "source.type",
                   discount["source"].get("type"), DISCOUNT_SOURCE_TYPES)


def check_invoice(invoice: Mapping[str, Any], credit_notes: Sequence[Mapping[str, Any]] = ()) -> None:
    """Every value the invoice mapping branches on, in the invoice, its lines, discounts, taxes and credit
    notes, is known; else ``UnknownValueError`` naming the first unknown one."""
    invoice_id = invoice["id"]
    check_invoice_status(invoice)
    revision = invoice.get("from_invoice")
    if isinstance(revision, Mapping):
        _check(invoice_id, f"invoice {invoice_id}", "from_invoice.action", revision.get("action"), FROM_INVOICE_ACTIONS)
    _check_discounts(invoice_id, invoice.get("discounts"))
    for line in _lines(invoice):
        what = f"line {line.get('id')} of invoice {invoice_id}"
        pricing, parent = line.get("pricing"), line.get("parent")
        if isinstance(pricing, Mapping):
            _check(invoice_id, what, "pricing.type", pricing.get("type"), PRICING_TYPES)
        if isinstance(parent, Mapping):
            _check(invoice_id, what, "parent.type", parent.get("type"), LINE_PARENT_TYPES)
        _check_taxes(invoice_id, what, line.get("taxes"))
        _check_discounts(invoice_id, line.get("discounts"))
    _check_taxes(invoice_id, f"the shipping cost of invoice {invoice_id}", (invoice.get("shipping_cost") or {}).get("taxes"))
    for note in credit_notes:
        what = f"credit note {note['id']} of invoice {invoice_id}"
        _check(invoice_id, what, "status", note.get("status"), CREDIT_NOTE_STATUSES, required=True)
        _check(invoice_id, what, "type", note.get("type"), CREDIT_NOTE_TYPES)
        for line in _lines(note):
            line_what = f"line {line.get('id')} of credit note {note['id']} (invoice {invoice_id})"
            _check(invoice_id, line_what, "type", line.get("type"), CREDIT_NOTE_LINE_TYPES, required=True)
            _check_taxes(invoice_id, line_what, line.get("taxes"))


def check_price(price: Mapping[str, Any]) -> None:
    """The price's type is one the item mapping knows."""
    _check(price["id"], f"price {price['id']}", "type", price.get("type"), PRICE_TYPES)
