"""Values Stripe may add to an enum the mapping branches on are never mapped by a guess (issue 11, point 1).

An invoice holding one fails with ``UnknownValueError`` (retry queue code ``UNKNOWN_VALUE``), naming the
object, the field and the value; the reconciliation still expects every non-draft invoice in NetSuite.
"""

from __future__ import annotations

import copy

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stripe_netsuite.mapping import stripe_values
from stripe_netsuite.mapping.invoices import InvoiceBundle, map_invoice
from stripe_netsuite.mapping.items import price_item
from stripe_netsuite.mapping.records import MappingError, UnknownValueError
from stripe_netsuite.reconcile.invoices import reconcile_invoices
from stripe_netsuite.settings import InvoiceSettings
from tests.unit import invoice_strategies as gen

JAN_1_2026 = 1767225600


def invoice(status: str = "paid") -> dict:
    """A paid invoice with every enum the mapping branches on: a priced line with a parent, a discount from a
    coupon and an exclusive tax, a revision of an earlier invoice."""
    line = {
        "id": "il_One", "object": "line_item", "amount": 1000, "currency": "usd", "description": "Basic",
        "discount_amounts": [{"amount": 100, "discount": "di_launch"}],
        "discounts": [{"id": "di_launch", "object": "discount", "source": {"coupon": "LAUNCH20", "type": "coupon"}}],
        "taxes": [{"amount": 171, "tax_behavior": "exclusive", "tax_rate_details": {"tax_rate": "txr_excVAT"},
                   "taxability_reason": "standard_rated", "taxable_amount": 900, "type": "tax_rate_details"}],
        "parent": {"invoice_item_details": {"proration": False}, "subscription_item_details": None,
                   "type": "invoice_item_details"},
        "period": {"start": JAN_1_2026, "end": JAN_1_2026},
        "pricing": {"price_details": {"price": "price_basic", "product": "prod_X"}, "type": "price_details"},
        "quantity": 1,
    }
    total = 1000 - 100 + 171
    return {
        "id": "in_Example1", "object": "invoice", "currency": "usd", "customer": "cus_Example1", "created": JAN_1_2026,
        "number": "EX-0001", "status": status, "total": total, "amount_due": total, "amount_paid": total,
        "amount_remaining": 0, "starting_balance": 0, "ending_balance": 0,
        "discounts": [{"id": "di_launch", "object": "discount", "source": {"coupon": "LAUNCH20", "type": "coupon"}}],
        "from_invoice": {"action": "revision", "invoice": "in_Earlier"},
        "lines": {"object": "list", "data": [line], "has_more": False},
        "status_transitions": {"finalized_at": JAN_1_2026 + 60},
        "post_payment_credit_notes_amount": 500,
    }


def credit_note() -> dict:
    return {
        "id": "cn_One", "object": "credit_note", "invoice": "in_Example1", "currency": "usd", "created": JAN_1_2026 + 99,
        "status": "issued", "type": "post_payment", "reason": "order_change", "total": 500, "pre_payment_amount": 0,
        "post_payment_amount": 500, "refunds": [{"amount_refunded": 500, "refund": "re_One", "type": "refund"}],
        "lines": {"data": [{"id": "cnli_One", "object": "credit_note_line_item", "amount": 500, "discount_amounts": [],
                            "taxes": [], "invoice_line_item": "il_One", "type": "invoice_line_item", "quantity": 1}]},
    }


def mapped(inv: dict, notes=(), settings: InvoiceSettings | None = None):
    return map_invoice(InvoiceBundle(inv, tuple(notes)), gen.context(), settings or InvoiceSettings())


def test_the_example_with_every_known_value_maps():
    result = mapped(invoice(), [credit_note()])
    assert [r.external_id for stage in result for r in stage] == ["in_Example1", "cn_One"]


def _set(obj, path: str, value) -> None:
    *parents, last = path.split(".")
    for part in parents:
        obj = obj[int(part)] if isinstance(obj, list) else obj[part]
    obj[last] = value


# (where: "invoice" or "note", dotted path, the object the message names, the field it names)
UNKNOWN = [
    ("invoice", "status", "invoice in_Example1", "status"),
    ("invoice", "from_invoice.action", "invoice in_Example1", "from_invoice.action"),
    ("invoice", "discounts.0.source.type", "discount di_launch on invoice in_Example1", "source.type"),
    ("invoice", "lines.data.0.pricing.type", "line il_One of invoice in_Example1", "pricing.type"),
    ("invoice", "lines.data.0.parent.type", "line il_One of invoice in_Example1", "parent.type"),
    ("invoice", "lines.data.0.taxes.0.tax_behavior", "line il_One of invoice in_Example1", "taxes[].tax_behavior"),
    ("invoice", "lines.data.0.taxes.0.type", "line il_One of invoice in_Example1", "taxes[].type"),
    ("invoice", "lines.data.0.discounts.0.source.type", "discount di_launch on invoice in_Example1", "source.type"),
    ("note", "status", "credit note cn_One of invoice in_Example1", "status"),
    ("note", "type", "credit note cn_One of invoice in_Example1", "type"),
    ("note", "lines.data.0.type", "line cnli_One of credit note cn_One (invoice in_Example1)", "type"),
]


@pytest.mark.parametrize("where, path, what, field", UNKNOWN, ids=[f"{w}.{p}" for w, p, _, _ in UNKNOWN])
def test_an_unknown_value_fails_the_invoice_naming_object_field_and_value(where, path, what, field):
    inv, note = invoice(), credit_note()
    _set(inv if where == "invoice" else note, path, "brand_new")
    with pytest.raises(UnknownValueError) as exc:
        mapped(inv, [note])
    error = exc.value
    assert isinstance(error, MappingError) and error.code == "UNKNOWN_VALUE" and error.stripe_id == "in_Example1"
    assert str(error) == error.reason == (
        f"Stripe sent {what} with {field} 'brand_new', a value this version of stripe-netsuite does not know, so it "
        "was not written to NetSuite (the connector does not guess what a new value means). Upgrade stripe-netsuite, "
        "or report the value to its maintainers; until then it stays in the retry queue and every run tries it again")


@given(gen.invoice_bundles(max_lines=5), st.text("abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12))
def test_any_invoice_with_any_new_status_fails_and_is_never_skipped(bundle, status):
    if status in stripe_values.INVOICE_STATUSES:
        return
    inv = copy.deepcopy(dict(bundle.invoice)) | {"status": status}
    with pytest.raises(UnknownValueError, match=f"with status '{status}'"):
        map_invoice(InvoiceBundle(inv, bundle.credit_notes), gen.context(), InvoiceSettings())


def test_a_draft_or_deleted_invoice_is_skipped_whatever_its_lines_hold():
    draft = invoice("draft")
    draft["lines"]["data"][0]["pricing"]["type"] = "brand_new"
    assert mapped(draft) is None
    assert mapped({"id": "in_Gone", "object": "invoice", "deleted": True}) is None


def test_values_left_out_are_absent_not_unknown():
    inv = invoice()
    line = inv["lines"]["data"][0]
    line["pricing"], line["parent"] = None, None  # a line without a price (generic item), not a proration
    line["taxes"][0]["tax_behavior"] = None  # exclusive, as before
    inv["from_invoice"] = None
    note = credit_note()
    note["type"] = None
    assert mapped(inv, [note])[0][0].external_id == "in_Example1"


def test_an_unknown_price_type_is_not_taken_for_a_recurring_price():
    settings = InvoiceSettings()
    price = {"id": "price_new", "object": "price", "type": "recurring", "active": True}
    assert price_item(price, settings) == ({"externalId": "price_new"}, True)
    with pytest.raises(UnknownValueError, match="Stripe sent price price_new with type 'metered_v2'"):
        price_item({**price, "type": "metered_v2"}, settings)
    # A price linked to a NetSuite item by metadata uses it whatever its type.
    linked = {**price, "type": "metered_v2", "metadata": {"netsuite_service_sale_item_id": "77"}}
    assert price_item(linked, settings) == ({"id": "77"}, False)


def test_the_reconciliation_expects_every_invoice_but_drafts_whatever_its_status():
    stripe_invoices = [
        {"id": "in_new", "status": "partially_paid", "currency": "usd", "customer": "cus_1", "total": 10000,
         "amount_paid": 0, "amount_remaining": 10000, "lines": {"data": [{"amount": 10000}]}},
        {"id": "in_draft", "status": "draft", "currency": "usd", "customer": "cus_1", "total": 500,
         "lines": {"data": [{"amount": 500}]}},
    ]
    report = reconcile_invoices(stripe_invoices, [], [])
    assert report.stripe_invoices == 1
    assert [p.split(" -> ")[0] for p in report.problems] == ["in_new: missing in NetSuite (Stripe 100.00 USD, partially_paid)"]
