"""The pure Stripe invoice (+ credit notes) -> NetSuite invoice and credit memos mapping.

Properties over generated Stripe-shaped invoices (tests/unit/invoice_strategies.py), then examples.
"""

from __future__ import annotations

import copy
import dataclasses
import re
from collections import Counter
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stripe_netsuite.mapping.invoices import CREDIT_MEMO, INVOICE, InvoiceBundle, InvoiceContext, map_invoice
from stripe_netsuite.mapping.money import exponent, to_minor_units
from stripe_netsuite.mapping.records import InternalIdRef, MappingError, NeutralRecord
from stripe_netsuite.settings import InvoiceSettings, record_ref
from tests.unit import invoice_strategies as gen

HEAVY = settings(max_examples=200)
LIGHTER = settings(max_examples=100)
SETTINGS = st.builds(
    InvoiceSettings,
    tax_mode=st.sampled_from(["separate_line", "per_item_line"]),
    discount_mode=st.sampled_from(["per_coupon", "global"]),
    close_with_invoice_items=st.booleans(),
    keep_unpaid_invoices_open=st.booleans(),
    timezone=st.sampled_from(["UTC", "America/New_York", "Asia/Kolkata"]),
)
EXTERNAL_ID = re.compile(r"^[A-Za-z0-9_-]+$")
RATE_IN_DESCRIPTION = re.compile(r"\((txr_\w+)\)$")


# --- helpers ---------------------------------------------------------------------------------


def mapped(bundle: InvoiceBundle, config: InvoiceSettings | None = None, ctx: InvoiceContext | None = None):
    return map_invoice(bundle, ctx or gen.context(), config or InvoiceSettings())


def split(result) -> tuple[NeutralRecord, dict[str, NeutralRecord]]:
    """(the NetSuite invoice, credit memos by external ID) from map_invoice's load stages."""
    assert result[0] and len(result[0]) == 1 and 1 <= len(result) <= 4
    memos = [memo for stage in result[1:] for memo in stage]
    assert memos and all(result[1:]), "memo stages are only there when they hold credit memos"
    return result[0][0], {m.external_id: m for m in memos}


def items(record: NeutralRecord) -> list[dict]:
    return record.fields["item"]["items"]


def minor(amount: Decimal, currency: str) -> int:
    """Back to Stripe's minor units; fails if the amount is finer than the currency allows."""
    assert isinstance(amount, Decimal), f"{amount!r} is not a Decimal"
    assert -amount.as_tuple().exponent == exponent(currency), f"{amount} has the wrong number of decimals for {currency}"
    return to_minor_units(amount, currency)


def line_sum(record: NeutralRecord, currency: str) -> int:
    return sum(minor(line["amount"], currency) for line in items(record))


def applied(record: NeutralRecord, currency: str) -> list[tuple[InternalIdRef, int]]:
    """What a memo applies; lines with apply false undo an earlier application and apply nothing."""
    return [(a["doc"], minor(a["amount"], currency)) for a in (record.fields.get("apply") or {}).get("items", [])
            if a["apply"]]


def walk(value, path="fields"):
    """Every (path, leaf) of a record's fields, through dicts, lists, tuples and dataclasses."""
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from walk(inner, f"{path}.{key}")
    elif isinstance(value, (list, tuple)):
        for index, inner in enumerate(value):
            yield from walk(inner, f"{path}[{index}]")
    elif dataclasses.is_dataclass(value):
        yield from walk(dataclasses.asdict(value), path)
    else:
        yield path, value


def records_of(result) -> list[NeutralRecord]:
    return [record for stage in result for record in stage]


def rate_of_tax_line(ns_line: dict) -> str:
    return RATE_IN_DESCRIPTION.search(ns_line["description"]).group(1)


def inclusive_tax(line: dict) -> int:
    return sum(t["amount"] for t in line["taxes"] if t["tax_behavior"] == "inclusive")


def expected_shape(lines: list[dict], config: InvoiceSettings, total: int | None = None, debit: int = 0) -> list[tuple]:
    """What the item sublist must hold, as (kind, key, minor amount), for Stripe lines (invoice or credit note),
    with an invoice's customer-balance line for a negative ``total`` or a ``debit`` balance carried in."""
    out: list[tuple] = []
    per_rate: dict[str, int] = {}
    for line in lines:
        out.append(("item", line["id"], line["amount"] - inclusive_tax(line)))
        for discount in line["discount_amounts"]:
            if discount["amount"]:
                coupon_item = ("stripe-item-discount" if config.discount_mode == "global"
                               else f"coupon-{gen.COUPON_OF_DISCOUNT[discount['discount']]}")
                out.append(("discount", coupon_item, -discount["amount"]))
        for tax in line["taxes"]:
            rate = tax["tax_rate_details"]["tax_rate"]
            if config.tax_mode == "per_item_line":
                if tax["amount"]:
                    out.append(("tax", rate, tax["amount"]))
            else:
                per_rate[rate] = per_rate.get(rate, 0) + tax["amount"]
    out += sorted(("tax", rate, amount) for rate, amount in per_rate.items() if amount)
    if total is not None and total < 0:
        out.append(("balance", None, -total))
    if debit:
        out.append(("balance", None, debit))
    return out


def actual_shape(record: NeutralRecord, config: InvoiceSettings, currency: str) -> list[tuple]:
    out = []
    for ns_line in items(record):
        amount = minor(ns_line["amount"], currency)
        if ns_line["item"] == record_ref(config.tax_item):
            out.append(("tax", rate_of_tax_line(ns_line), amount))
        elif config.line_id_field in ns_line:
            out.append(("item", ns_line[config.line_id_field], amount))
        elif ns_line["item"] == record_ref(config.customer_balance_item):
            out.append(("balance", None, amount))
        else:
            out.append(("discount", ns_line["item"]["externalId"], amount))
    if config.tax_mode == "separate_line":  # one tax line per rate, all after the items: compare them by rate
        taxes = sorted(x for x in out if x[0] == "tax")
        first = next((i for i, x in enumerate(out) if x[0] == "tax"), len(out))
        assert all(x[0] == "tax" for x in out[first:first + len(taxes)]), "tax lines are not together after the items"
        out = [x for x in out[:first] if x[0] != "tax"] + taxes + [x for x in out[first:] if x[0] != "tax"]
    return out


def expected_item_of(line: dict) -> dict:
    price = (line["pricing"]["price_details"] or {}).get("price")
    return gen.ITEM_OF_PRICE[price] if price else record_ref(InvoiceSettings().generic_item)


def is_proration(line: dict) -> bool:
    parent = line["parent"]
    return bool((parent["subscription_item_details"] or parent["invoice_item_details"])["proration"])


def debit_carried(invoice: dict) -> int:
    """The debit balance a (non-negative) invoice billed, read from Stripe's balance fields."""
    if invoice["total"] < 0:
        return 0
    return max(0, (invoice["starting_balance"] or 0) - (invoice["ending_balance"] or 0))


def credit_used(invoice: dict) -> int:
    if invoice["total"] < 0:
        return 0
    return max(0, (invoice["ending_balance"] or 0) - (invoice["starting_balance"] or 0))


def bundle_with(lines: list[dict], currency="usd", status="paid", **invoice_fields) -> InvoiceBundle:
    """A hand-made invoice: totals and payment fields follow from the lines (Stripe's rules)."""
    invoice = {
        "id": "in_Example1", "object": "invoice", "currency": currency, "customer": "cus_Example1",
        "created": 1767225600, "number": "EX-0001", "discounts": [
            {"id": d, "object": "discount", "source": {"coupon": c, "type": "coupon"}}
            for d, c in gen.COUPON_OF_DISCOUNT.items()],
        "lines": {"object": "list", "data": lines, "has_more": False}, "status": status,
        "status_transitions": {"finalized_at": 1767225660, "paid_at": None, "marked_uncollectible_at": None,
                               "voided_at": None},
        "starting_balance": 0, "ending_balance": 0,
    }
    total = gen.stripe_total(invoice)
    due = max(total, 0)
    paid = due if status == "paid" else 0
    invoice.update(total=total, amount_due=due, amount_paid=paid, amount_remaining=due - paid)
    notes = tuple(invoice_fields.pop("credit_notes", ()))
    invoice.update(invoice_fields)
    return InvoiceBundle(invoice, notes)


def line(line_id="il_One", amount=1000, price="price_basic", discounts=(), taxes=(), period=None, proration=False,
         quantity=1) -> dict:
    return {
        "id": line_id, "object": "line_item", "amount": amount, "currency": "usd", "description": f"Line {line_id}",
        "discount_amounts": [{"amount": a, "discount": d} for d, a in discounts],
        "taxes": [{"amount": a, "tax_behavior": gen.TAX_BEHAVIOR_OF_RATE[r], "tax_rate_details": {"tax_rate": r},
                   "type": "tax_rate_details"} for r, a in taxes],
        "parent": {"invoice_item_details": {"proration": proration}, "subscription_item_details": None,
                   "type": "invoice_item_details"},
        "period": period or {"start": 1767225600, "end": 1767225600},
        "pricing": {"price_details": {"price": price, "product": "prod_X"} if price else None, "type": "price_details"},
        "quantity": quantity, "quantity_decimal": str(quantity),
    }


# --- properties: the invoice ------------------------------------------------------------------


@HEAVY
@given(gen.invoice_bundles(), SETTINGS)
def test_item_amounts_sum_exactly_to_the_stripe_total_in_the_currency_precision(bundle, config):
    invoice_record, _ = split_all(mapped(bundle, config))
    inv, currency = bundle.invoice, bundle.invoice["currency"]
    total, debit = inv["total"], debit_carried(bundle.invoice)
    assert line_sum(invoice_record, currency) == max(total, 0) + debit
    # Stripe's own figure for what it billed: what is due, plus the credit that paid part of it before
    assert line_sum(invoice_record, currency) == inv["amount_due"] + credit_used(inv) + inv["pre_payment_credit_notes_amount"]
    balance_lines = [x for x in items(invoice_record) if x["item"] == record_ref(config.customer_balance_item)]
    if total < 0 or debit:
        assert len(balance_lines) == 1 and balance_lines[0] is items(invoice_record)[-1]
        assert minor(balance_lines[0]["amount"], currency) == (-total if total < 0 else debit)
    else:
        assert balance_lines == []


def split_all(result):
    """Like split, but an invoice without memos is fine too."""
    assert result is not None
    if len(result) == 1:
        assert len(result[0]) == 1
        return result[0][0], {}
    return split(result)


@HEAVY
@given(gen.invoice_bundles(), SETTINGS)
def test_no_float_and_every_amount_has_the_currency_decimals(bundle, config):
    currency = bundle.invoice["currency"]
    for record in records_of(mapped(bundle, config)):
        for path, leaf in walk(record.fields):
            assert not isinstance(leaf, float), f"{record.external_id} {path} is a float: {leaf!r}"
            if path.endswith(".amount"):
                minor(leaf, currency)


@HEAVY
@given(gen.invoice_bundles(credit_notes=False), SETTINGS)
def test_one_item_line_per_stripe_line_then_discounts_then_tax(bundle, config):
    invoice_record, _ = split_all(mapped(bundle, config))
    lines, currency = bundle.invoice["lines"]["data"], bundle.invoice["currency"]
    assert actual_shape(invoice_record, config, currency) == expected_shape(
        lines, config, bundle.invoice["total"], debit_carried(bundle.invoice))
    item_lines = [x for x in items(invoice_record) if config.line_id_field in x]
    assert [x[config.line_id_field] for x in item_lines] == [stripe["id"] for stripe in lines]
    for ns_line, stripe in zip(item_lines, lines):
        assert ns_line["item"] == expected_item_of(stripe)
        assert ns_line[config.proration_field] is is_proration(stripe)
        assert ns_line["quantity"] == Decimal(stripe["quantity_decimal"])
        assert ns_line["revRecStartDate"] <= ns_line["revRecEndDate"]
    for ns_line in items(invoice_record):
        if ns_line["item"] == record_ref(config.tax_item):
            assert config.line_id_field not in ns_line


def written_off_before(bundles):
    """Bundles where a paid or void invoice may have been marked uncollectible first (Stripe keeps the time)."""
    @st.composite
    def history(draw):
        bundle = draw(bundles)
        if bundle.invoice["status"] in ("paid", "void") and draw(st.booleans()):
            finalized = bundle.invoice["status_transitions"]["finalized_at"]
            bundle.invoice["status_transitions"]["marked_uncollectible_at"] = finalized + 5
        return bundle
    return history()


@HEAVY
@given(written_off_before(gen.invoice_bundles()), SETTINGS)
def test_credit_memos_close_credit_and_apply_exactly_what_stripe_says(bundle, config):
    inv, currency = bundle.invoice, bundle.invoice["currency"]
    invoice_record, memos = split_all(mapped(bundle, config))
    remaining, total, debit = inv["amount_remaining"], inv["total"], debit_carried(inv)
    expected_ids = {cn["id"] for cn in bundle.credit_notes}
    used = credit_used(inv)
    if used:
        expected_ids.add(f"cm-bal-{inv['id']}")
    close = {"uncollectible": "cm-unc", "void": "cm-void"}.get(inv["status"])
    if inv["status"] == "uncollectible" and config.keep_unpaid_invoices_open:
        close = None
    if close and remaining > 0:
        expected_ids.add(f"{close}-{inv['id']}")
    written_off = inv["status"] == "uncollectible" or inv["status_transitions"]["marked_uncollectible_at"]
    if written_off and not config.keep_unpaid_invoices_open and not (inv["status"] == "uncollectible" and remaining > 0):
        expected_ids.add(f"cm-unc-{inv['id']}")  # the write-off no longer stands: zeroed, applies nothing
        reversed_memo = memos[f"cm-unc-{inv['id']}"]
        assert line_sum(reversed_memo, currency) == 0 and applied(reversed_memo, currency) == []
        assert reversed_memo.fields["apply"]["items"] == [{"doc": InternalIdRef(inv["id"]), "apply": False}]
    assert set(memos) == expected_ids
    target = InternalIdRef(inv["id"])
    for memo_id, memo in memos.items():
        assert memo.record_type == CREDIT_MEMO and memo.source_id == inv["id"]
        assert memo.fields["createdFrom"] == target
        assert memo.fields["entity"] == invoice_record.fields["entity"]
        assert memo.fields["currency"] == invoice_record.fields["currency"]
    if f"cm-bal-{inv['id']}" in memos:
        memo = memos[f"cm-bal-{inv['id']}"]
        assert line_sum(memo, currency) == used and applied(memo, currency) == [(target, used)]
    if close and remaining > 0:
        memo = memos[f"{close}-{inv['id']}"]
        assert line_sum(memo, currency) == remaining
        assert applied(memo, currency) == [(target, remaining)]
        closing_item = record_ref(config.bad_debt_item if close == "cm-unc" else config.void_item)
        balance_item = record_ref(config.customer_balance_item)
        # voiding gives the applied balance back: a debit to the balance account, a used credit out of it
        credit_back = used if close == "cm-void" else 0
        returned = debit - credit_back if close == "cm-void" else 0
        if config.close_with_invoice_items and remaining + credit_back == max(total, 0) + debit:
            own = items(invoice_record)[:-1] if debit else items(invoice_record)
            written_off = [(closing_item, debit)] if debit and not returned else []
            assert items(memo)[:len(own)] == own
            assert [(x["item"], minor(x["amount"], currency)) for x in items(memo)[len(own):]] == (
                written_off + [(balance_item, returned)] * bool(returned))
        else:
            assert [(x["item"], minor(x["amount"], currency)) for x in items(memo)] == (
                [(closing_item, remaining - returned)] * bool(remaining - returned)
                + [(balance_item, returned)] * bool(returned))
    for cn in bundle.credit_notes:
        memo = memos[cn["id"]]
        refunded = sum(r["amount_refunded"] for r in cn["refunds"])
        to_balance = max(0, cn["post_payment_amount"] - refunded - (cn["out_of_band_amount"] or 0))
        if cn["status"] == "void":
            assert line_sum(memo, currency) == 0 and applied(memo, currency) == []
        else:
            assert line_sum(memo, currency) == cn["total"] - to_balance
            pre = cn["pre_payment_amount"]
            assert applied(memo, currency) == ([(target, pre)] if pre else [])


@HEAVY
@given(written_off_before(gen.invoice_bundles(max_lines=20)), SETTINGS)
def test_netsuite_amount_remaining_is_what_stripe_still_expects_plus_what_was_paid(bundle, config):
    """What the invoice bills less every credit memo applied to it: the payments flow applies the rest."""
    inv, currency = bundle.invoice, bundle.invoice["currency"]
    result = mapped(bundle, config)
    invoice_record, memos = split_all(result)
    credited = sum(amount for memo in memos.values() for _, amount in applied(memo, currency))
    closed = inv["status"] == "void" or (inv["status"] == "uncollectible" and not config.keep_unpaid_invoices_open)
    assert line_sum(invoice_record, currency) - credited == inv["amount_paid"] + (0 if closed else inv["amount_remaining"])


@LIGHTER
@given(gen.invoice_bundles(max_lines=20), SETTINGS)
def test_credit_note_lines_follow_the_invoice_lines_they_credit(bundle, config):
    _, memos = split_all(mapped(bundle, config))
    by_id = {x["id"]: x for x in bundle.invoice["lines"]["data"]}
    for cn in bundle.credit_notes:
        memo = memos[cn["id"]]
        if cn["status"] != "void":
            shape = [x for x in actual_shape(memo, config, cn["currency"]) if x[0] != "balance"]
            assert shape == expected_shape(cn["lines"]["data"], config)
        credit_lines = [x for x in items(memo) if config.line_id_field in x]
        assert [x[config.line_id_field] for x in credit_lines] == [x["id"] for x in cn["lines"]["data"]]
        for ns_line, stripe in zip(credit_lines, cn["lines"]["data"]):
            credited = by_id.get(stripe["invoice_line_item"])
            if credited is None:
                assert ns_line["item"] == record_ref(config.credit_note_custom_item)
            else:
                assert ns_line["item"] == expected_item_of(credited)
                assert ns_line[config.proration_field] is is_proration(credited)


@HEAVY
@given(gen.invoice_bundles(max_lines=40), SETTINGS)
def test_deterministic_with_safe_distinct_external_ids(bundle, config):
    first, second = mapped(bundle, config), mapped(copy.deepcopy(bundle), config)
    assert first == second
    assert [r.fingerprint() for r in records_of(first)] == [r.fingerprint() for r in records_of(second)]
    ids = [r.external_id for r in records_of(first)]
    assert all(EXTERNAL_ID.match(x) for x in ids), ids
    assert len(set(ids)) == len(ids), ids
    assert records_of(first)[0].record_type == INVOICE and records_of(first)[0].external_id == bundle.stripe_id


@LIGHTER
@given(gen.invoice_bundles(max_lines=30), SETTINGS, st.sampled_from([-1, 1]))
def test_a_total_that_does_not_add_up_fails_the_whole_invoice(bundle, config, direction):
    tampered = copy.deepcopy(bundle.invoice)
    tampered["total"] += direction * gen.unit(tampered["currency"])
    with pytest.raises(MappingError, match="nothing was written") as info:
        mapped(InvoiceBundle(tampered, bundle.credit_notes), config)
    assert info.value.stripe_id == bundle.stripe_id


@settings(max_examples=50)
@given(gen.invoice_bundles(max_lines=10, issued_credit_note=True), SETTINGS)
def test_a_credit_note_that_does_not_add_up_fails_the_whole_invoice(bundle, config):
    notes = copy.deepcopy(list(bundle.credit_notes))
    next(cn for cn in notes if cn["status"] != "void")["total"] += gen.unit(bundle.invoice["currency"])
    with pytest.raises(MappingError, match="credit note cn_"):
        mapped(InvoiceBundle(bundle.invoice, tuple(notes)), config)


@given(st.integers(1700000000, 1900000000), st.integers(0, 400 * 86400),
       st.sampled_from(["UTC", "America/New_York", "Pacific/Auckland"]))
def test_revenue_recognition_start_never_after_end(start, length, zone):
    bundle = bundle_with([line(period={"start": start, "end": start + length})])
    ns_line = items(split_all(mapped(bundle, InvoiceSettings(timezone=zone)))[0])[0]
    assert ns_line["revRecStartDate"] <= ns_line["revRecEndDate"]


# --- examples ---------------------------------------------------------------------------------

JAN_1_2026 = 1767225600  # 2026-01-01T00:00:00Z
FEB_1_2026 = 1769904000  # 2026-02-01T00:00:00Z


@pytest.mark.parametrize("zone, start, end", [
    ("UTC", "2026-01-01", "2026-01-31"),
    ("America/New_York", "2025-12-31", "2026-01-31"),  # 19:00 on Dec 31 .. 18:59:59 on Jan 31
    ("Asia/Tokyo", "2026-01-01", "2026-02-01"),  # 09:00 on Jan 1 .. 08:59:59 on Feb 1
])
def test_a_monthly_period_is_its_calendar_days_in_the_settings_zone(zone, start, end):
    bundle = bundle_with([line(period={"start": JAN_1_2026, "end": FEB_1_2026})])
    ns_line = items(split_all(mapped(bundle, InvoiceSettings(timezone=zone)))[0])[0]
    assert (ns_line["revRecStartDate"], ns_line["revRecEndDate"]) == (start, end)


def test_a_one_instant_period_is_one_day():
    bundle = bundle_with([line(period={"start": JAN_1_2026 + 3600, "end": JAN_1_2026 + 3600})])
    ns_line = items(split_all(mapped(bundle))[0])[0]
    assert (ns_line["revRecStartDate"], ns_line["revRecEndDate"]) == ("2026-01-01", "2026-01-01")


def test_drafts_do_not_sync():
    assert mapped(bundle_with([line()], status="draft")) is None


def test_deleted_draft_does_not_sync():
    assert mapped(bundle_with([line()], status="draft", deleted=True)) is None


def test_not_an_invoice_id_is_a_mapping_error():
    bundle = bundle_with([line()], id="ch_123")
    with pytest.raises(MappingError, match="in_"):
        mapped(bundle)


def test_zero_invoices_skipped_when_the_settings_say_so():
    all_zero = bundle_with([line(amount=0), line("il_Two", amount=0)])
    assert mapped(all_zero, InvoiceSettings(sync_zero_invoices=False)) is None
    assert mapped(all_zero) is not None  # synced by default


@pytest.mark.parametrize("lines", [
    [line(amount=4900, discounts=[("di_free", 4900)])],  # 100% coupon
    [line(amount=5000), line("il_Two", amount=-5000, proration=True)],  # proration nets to zero
])
def test_net_zero_invoices_with_non_zero_lines_still_sync(lines):
    bundle = bundle_with(lines)
    assert bundle.invoice["total"] == 0
    invoice_record, _ = split_all(mapped(bundle, InvoiceSettings(sync_zero_invoices=False)))
    assert line_sum(invoice_record, "usd") == 0 and len(items(invoice_record)) == 2


def test_inactive_currency_names_the_invoice_and_how_to_enable_it():
    bundle = bundle_with([line()], currency="chf")
    with pytest.raises(MappingError) as info:
        mapped(bundle)
    assert info.value.stripe_id == "in_Example1"
    message = str(info.value)
    assert "in_Example1" in message and "CHF" in message
    assert "Lists > Accounting > Currencies" in message


def test_price_without_a_known_item_names_the_line_and_the_price():
    bundle = bundle_with([line(price="price_unknown9")])
    with pytest.raises(MappingError) as info:
        mapped(bundle)
    assert "il_One" in str(info.value) and "price_unknown9" in str(info.value)
    assert info.value.stripe_id == "in_Example1"


def test_line_without_a_price_uses_the_generic_item():
    invoice_record, _ = split_all(mapped(bundle_with([line(price=None)]), InvoiceSettings(generic_item=42)))
    assert items(invoice_record)[0]["item"] == {"id": "42"}


def test_price_given_as_an_expanded_object():
    stripe_line = line()
    stripe_line["pricing"]["price_details"]["price"] = {"id": "price_seats", "object": "price"}
    invoice_record, _ = split_all(mapped(bundle_with([stripe_line])))
    assert items(invoice_record)[0]["item"] == {"externalId": "price_seats"}


def test_items_come_from_the_context_so_global_item_mode_is_the_context_pointing_every_price_at_one_item():
    ctx = InvoiceContext(gen.CURRENCY_IDS, {p: {"externalId": "stripe-item-generic"} for p in gen.PRICES})
    invoice_record, _ = split_all(mapped(bundle_with([line(), line("il_Two", price="price_seats")]),
                                         InvoiceSettings(item_mode="global"), ctx))
    assert [x["item"] for x in items(invoice_record)] == [{"externalId": "stripe-item-generic"}] * 2


def test_discount_mode_global_uses_the_generic_discount_item_even_for_unknown_coupons():
    bundle = bundle_with([line(amount=1000, discounts=[("di_nowhere", 300)])])
    invoice_record, _ = split_all(mapped(bundle, InvoiceSettings(discount_mode="global", generic_discount_item=77)))
    assert [(x["item"], x["amount"]) for x in items(invoice_record)] == [
        ({"externalId": "price_basic"}, Decimal("10.00")), ({"id": "77"}, Decimal("-3.00"))]


def test_per_coupon_discount_without_an_expanded_coupon_is_a_mapping_error():
    bundle = bundle_with([line(amount=1000, discounts=[("di_nowhere", 300)])])
    with pytest.raises(MappingError, match="di_nowhere"):
        mapped(bundle)


def test_inclusive_and_exclusive_tax_in_both_modes():
    lines = [
        line("il_A", amount=11900, taxes=[("txr_incVAT", 1900)]),
        line("il_B", amount=5000, taxes=[("txr_excSales", 400), ("txr_excCity", 50)]),
        line("il_C", amount=2000, taxes=[("txr_excSales", 160)]),
    ]
    bundle = bundle_with(lines)
    assert bundle.invoice["total"] == 11900 + 5000 + 400 + 50 + 2000 + 160
    separate, _ = split_all(mapped(bundle))
    assert [(x.get("custcol_stripe_line_id") or rate_of_tax_line(x), x["amount"]) for x in items(separate)] == [
        ("il_A", Decimal("100.00")), ("il_B", Decimal("50.00")), ("il_C", Decimal("20.00")),
        ("txr_incVAT", Decimal("19.00")), ("txr_excSales", Decimal("5.60")), ("txr_excCity", Decimal("0.50"))]
    per_line, _ = split_all(mapped(bundle, InvoiceSettings(tax_mode="per_item_line")))
    assert [(x.get("custcol_stripe_line_id") or rate_of_tax_line(x), x["amount"]) for x in items(per_line)] == [
        ("il_A", Decimal("100.00")), ("txr_incVAT", Decimal("19.00")),
        ("il_B", Decimal("50.00")), ("txr_excSales", Decimal("4.00")), ("txr_excCity", Decimal("0.50")),
        ("il_C", Decimal("20.00")), ("txr_excSales", Decimal("1.60"))]
    assert all(x["item"] == {"externalId": "stripe-item-tax"} for x in items(per_line) if "custcol_stripe_line_id" not in x)


def test_zero_decimal_and_three_decimal_currencies():
    jpy, _ = split_all(mapped(bundle_with([line(amount=1234)], currency="jpy")))
    assert items(jpy)[0]["amount"] == Decimal("1234") and str(items(jpy)[0]["amount"]) == "1234"
    kwd, _ = split_all(mapped(bundle_with([line(amount=37510)], currency="kwd")))
    assert str(items(kwd)[0]["amount"]) == "37.510"


def test_negative_invoice_is_a_zero_invoice_with_the_credit_on_the_balance_line():
    bundle = bundle_with([line(amount=4084), line("il_Two", amount=-16585, proration=True)], status="paid",
                         starting_balance=0, ending_balance=-12501)
    invoice_record, memos = split_all(mapped(bundle))
    assert memos == {}
    assert [x["amount"] for x in items(invoice_record)] == [Decimal("40.84"), Decimal("-165.85"), Decimal("125.01")]
    assert items(invoice_record)[-1]["item"] == {"externalId": "stripe-item-customer-balance"}
    assert items(invoice_record)[1]["custcol_stripe_proration"] is True


def test_balance_use_makes_a_balance_memo():
    bundle = bundle_with([line(amount=10000)], starting_balance=-7000, ending_balance=0, amount_due=3000,
                         amount_paid=3000, amount_remaining=0)
    _, memos = split_all(mapped(bundle))
    memo = memos["cm-bal-in_Example1"]
    assert [(x["item"], x["amount"]) for x in items(memo)] == [
        ({"externalId": "stripe-item-customer-balance"}, Decimal("70.00"))]
    assert memo.fields["apply"] == {"items": [{"doc": InternalIdRef("in_Example1"), "apply": True,
                                               "amount": Decimal("70.00")}]}


@pytest.mark.parametrize("starting", [0, -10])
def test_an_amount_due_below_the_minimum_charge_closes_into_the_balance(starting):
    """Stripe marks the invoice paid and moves what was due to the customer's balance (``ending_balance``):
    the balance memo closes the invoice, the part that was credit used told apart from the part moved."""
    bundle = bundle_with([line(amount=40)], starting_balance=starting, ending_balance=40 + starting, amount_due=0,
                         amount_paid=0, amount_remaining=0)
    invoice_record, memos = split_all(mapped(bundle))
    assert [x["amount"] for x in items(invoice_record)] == [Decimal("0.40")]
    memo = memos["cm-bal-in_Example1"]
    lines = [(x["amount"], "minimum charge" in x["description"]) for x in items(memo)]
    assert lines == ([(Decimal("0.10"), False), (Decimal("0.30"), True)] if starting else [(Decimal("0.40"), True)])
    assert applied(memo, "usd") == [(InternalIdRef("in_Example1"), 40)]

def debit_bundle(status="paid", total=10000, debit=2500, credit_notes=(), **fields) -> InvoiceBundle:
    """A Stripe invoice finalized for a customer who owed ``debit``: Stripe adds it to what is due."""
    bundle = bundle_with([line(amount=total)], status=status, starting_balance=debit, ending_balance=0,
                         credit_notes=credit_notes)
    due = total + debit
    paid = due if status == "paid" else 0
    bundle.invoice.update({"amount_due": due, "amount_paid": paid, "amount_remaining": due - paid, **fields})
    return bundle


def test_a_debit_balance_carried_in_is_a_balance_line_so_netsuite_bills_what_stripe_billed():
    invoice_record, memos = split_all(mapped(debit_bundle()))
    assert memos == {}
    assert [(x["item"], x["amount"]) for x in items(invoice_record)] == [
        ({"externalId": "price_basic"}, Decimal("100.00")),
        ({"externalId": "stripe-item-customer-balance"}, Decimal("25.00"))]
    assert "owed from before" in items(invoice_record)[-1]["description"]


def test_a_debit_balance_on_a_zero_invoice_is_billed_only_when_stripe_billed_it():
    billed = debit_bundle(total=0)
    invoice_record, _ = split_all(mapped(billed, InvoiceSettings(sync_zero_invoices=False)))
    assert [x["amount"] for x in items(invoice_record)] == [Decimal("0.00"), Decimal("25.00")]
    left_on_the_customer = debit_bundle(total=0, ending_balance=2500, amount_due=0, amount_paid=0, amount_remaining=0)
    invoice_record, _ = split_all(mapped(left_on_the_customer))
    assert [x["amount"] for x in items(invoice_record)] == [Decimal("0.00")]
    assert mapped(left_on_the_customer, InvoiceSettings(sync_zero_invoices=False)) is None


def test_a_negative_invoice_reduces_a_debit_balance_and_bills_none_of_it():
    bundle = bundle_with([line(amount=-4000, proration=True)], starting_balance=2500, ending_balance=-1500)
    invoice_record, _ = split_all(mapped(bundle))
    assert [x["amount"] for x in items(invoice_record)] == [Decimal("-40.00"), Decimal("40.00")]


@pytest.mark.parametrize("own_lines", [True, False])
def test_voiding_gives_the_debit_back_to_the_customer_balance(own_lines):
    bundle = debit_bundle(status="void")
    bundle.invoice["status_transitions"]["voided_at"] = JAN_1_2026 + 7200
    config = InvoiceSettings(close_with_invoice_items=own_lines, void_item=55)
    invoice_record, memos = split_all(mapped(bundle, config))
    memo = memos["cm-void-in_Example1"]
    if own_lines:
        assert [(x["item"], x["amount"]) for x in items(memo)] == [
            (x["item"], x["amount"]) for x in items(invoice_record)]
        assert items(memo)[0] == items(invoice_record)[0]
    else:
        assert [(x["item"], x["amount"]) for x in items(memo)] == [
            ({"id": "55"}, Decimal("100.00")), ({"externalId": "stripe-item-customer-balance"}, Decimal("25.00"))]
    assert applied(memo, "usd") == [(InternalIdRef("in_Example1"), 12500)]


@pytest.mark.parametrize("own_lines", [True, False])
def test_voiding_takes_a_used_credit_back_out_of_the_customer_balance(own_lines):
    """Stripe gives the credit back to the customer; ``cm-bal-`` stays applied, so the void memo closes the
    whole invoice and returns the credit to the customer-balance account with a negative line."""
    bundle = debit_bundle(status="void", debit=-3000)
    config = InvoiceSettings(close_with_invoice_items=own_lines, void_item=55)
    invoice_record, memos = split_all(mapped(bundle, config))
    assert [x["amount"] for x in items(memos["cm-bal-in_Example1"])] == [Decimal("30.00")]
    memo = memos["cm-void-in_Example1"]
    closing = items(invoice_record) if own_lines else [{"item": {"id": "55"}, "amount": Decimal("100.00")}]
    assert [(x["item"], x["amount"]) for x in items(memo)] == [(x["item"], x["amount"]) for x in closing] + [
        ({"externalId": "stripe-item-customer-balance"}, Decimal("-30.00"))]
    assert applied(memo, "usd") == [(InternalIdRef("in_Example1"), 7000)]


def test_uncollectible_keeps_a_used_credit_consumed():
    _, memos = split_all(mapped(debit_bundle(status="uncollectible", debit=-3000), InvoiceSettings(bad_debt_item=99)))
    assert [(x["item"], x["amount"]) for x in items(memos["cm-unc-in_Example1"])] == [({"id": "99"}, Decimal("70.00"))]

@pytest.mark.parametrize("own_lines", [True, False])
def test_uncollectible_writes_the_debit_off_with_the_rest(own_lines):
    bundle = debit_bundle(status="uncollectible")
    config = InvoiceSettings(close_with_invoice_items=own_lines, bad_debt_item=99)
    _, memos = split_all(mapped(bundle, config))
    memo = memos["cm-unc-in_Example1"]
    expected = ([({"externalId": "price_basic"}, Decimal("100.00")), ({"id": "99"}, Decimal("25.00"))] if own_lines
                else [({"id": "99"}, Decimal("125.00"))])
    assert [(x["item"], x["amount"]) for x in items(memo)] == expected
    assert applied(memo, "usd") == [(InternalIdRef("in_Example1"), 12500)]


def test_a_debit_with_a_credit_note_before_payment_closes_what_remains():
    note = credit_note(pre=3000, post=0)
    bundle = debit_bundle(status="void", credit_notes=[note], amount_remaining=9500, amount_due=9500,
                          pre_payment_credit_notes_amount=3000)
    _, memos = split_all(mapped(bundle, InvoiceSettings(void_item=55)))
    assert [(x["item"], x["amount"]) for x in items(memos["cm-void-in_Example1"])] == [
        ({"id": "55"}, Decimal("70.00")), ({"externalId": "stripe-item-customer-balance"}, Decimal("25.00"))]
    assert applied(memos["cn_One"], "usd") == [(InternalIdRef("in_Example1"), 3000)]


def test_uncollectible_kept_open_makes_no_memo_but_void_always_closes():
    kept = InvoiceSettings(keep_unpaid_invoices_open=True)
    assert len(mapped(bundle_with([line()], status="uncollectible"), kept)) == 1
    _, memos = split_all(mapped(bundle_with([line()], status="void"), kept))
    assert list(memos) == ["cm-void-in_Example1"]


def test_partly_paid_uncollectible_closes_the_rest_with_the_bad_debt_item():
    bundle = bundle_with([line(amount=5000)], status="uncollectible", amount_paid=1500, amount_remaining=3500)
    bundle.invoice["status_transitions"]["marked_uncollectible_at"] = JAN_1_2026 + 7200
    _, memos = split_all(mapped(bundle, InvoiceSettings(bad_debt_item=99)))
    memo = memos["cm-unc-in_Example1"]
    assert [(x["item"], x["amount"]) for x in items(memo)] == [({"id": "99"}, Decimal("35.00"))]
    assert memo.fields["tranDate"] == "2026-01-01" and "uncollectible" in memo.fields["memo"]


def credit_note(cn_id="cn_One", amount=3000, status="issued", pre=0, post=3000, refunded=0, out_of_band=None,
                credited="il_One") -> dict:
    return {
        "id": cn_id, "object": "credit_note", "invoice": "in_Example1", "currency": "usd", "created": JAN_1_2026 + 999,
        "effective_at": JAN_1_2026 + 999, "status": status, "total": amount, "number": "EX-0001-CN-01",
        "pre_payment_amount": pre, "post_payment_amount": post, "out_of_band_amount": out_of_band,
        "refunds": [{"amount_refunded": refunded, "refund": "re_One", "type": "refund"}] if refunded else [],
        "voided_at": JAN_1_2026 + 5000 if status == "void" else None,
        "lines": {"data": [{"id": "cnli_One", "object": "credit_note_line_item", "amount": amount,
                            "discount_amounts": [], "taxes": [], "invoice_line_item": credited,
                            "type": "invoice_line_item" if credited else "custom_line_item", "quantity": 1}]},
    }


@pytest.mark.parametrize("note, lines, applied_amount", [
    (credit_note(pre=3000, post=0), ["30.00"], "30.00"),  # before payment: reduces what is due
    (credit_note(refunded=3000), ["30.00"], None),  # refunded: the refunds flow applies it
    (credit_note(refunded=1000, out_of_band=500), ["30.00", "-15.00"], None),  # 15.00 to the customer balance
    (credit_note(), ["30.00", "-30.00"], None),  # all to the customer balance
    (credit_note(pre=1000, post=2000, refunded=2000), ["30.00"], "10.00"),
])
def test_credit_note_memo(note, lines, applied_amount):
    bundle = bundle_with([line(amount=5000)], credit_notes=[note])
    _, memos = split_all(mapped(bundle))
    memo = memos["cn_One"]
    assert [str(x["amount"]) for x in items(memo)] == lines
    assert memo.fields["custbody_stripe_id"] == "cn_One"
    assert items(memo)[0]["item"] == {"externalId": "price_basic"}
    if applied_amount is None:
        assert memo.fields["apply"]["items"] == [{"doc": InternalIdRef("in_Example1"), "apply": False}]
    else:
        assert memo.fields["apply"]["items"] == [{"doc": InternalIdRef("in_Example1"), "apply": True,
                                                  "amount": Decimal(applied_amount)}]


def test_voided_credit_note_is_a_zero_memo_that_unapplies():
    bundle = bundle_with([line(amount=5000)], credit_notes=[credit_note(status="void", pre=3000, post=0)])
    _, memos = split_all(mapped(bundle))
    memo = memos["cn_One"]
    assert [x["amount"] for x in items(memo)] == [Decimal("0.00")]
    assert memo.fields["apply"]["items"] == [{"doc": InternalIdRef("in_Example1"), "apply": False}]
    assert memo.fields["memo"].startswith("VOIDED")


def test_custom_credit_note_line_uses_the_unallocated_item():
    bundle = bundle_with([line(amount=5000)], credit_notes=[credit_note(credited=None, pre=3000, post=0)])
    _, memos = split_all(mapped(bundle))
    assert items(memos["cn_One"])[0]["item"] == {"externalId": "stripe-item-unallocated"}


def test_header_fields():
    bundle = bundle_with([line()], due_date=FEB_1_2026, description="Thanks")
    invoice_record, _ = split_all(mapped(bundle, InvoiceSettings(timezone="America/New_York")))
    fields = invoice_record.fields
    assert fields["entity"] == {"externalId": "cus_Example1"} and fields["currency"] == {"id": "1"}
    assert fields["tranDate"] == "2025-12-31" and fields["dueDate"] == "2026-01-31"
    assert fields["otherRefNum"] == "EX-0001" and fields["custbody_stripe_id"] == "in_Example1"
    assert fields["memo"] == "Stripe: in_Example1. Thanks"


def test_invoice_without_a_customer_is_a_mapping_error():
    with pytest.raises(MappingError, match="customer"):
        mapped(bundle_with([line()], customer=None))


def test_mapping_does_not_mutate_its_input():
    bundle = bundle_with([line(amount=5000, taxes=[("txr_incVAT", 800)])], status="void",
                         credit_notes=[credit_note(status="void")])
    before = copy.deepcopy(bundle)
    mapped(bundle)
    assert bundle == before


def test_counter_of_kinds_on_a_realistic_mixed_invoice():
    """Shaped like the Stripe sandbox's edge scenario (in_iJsNTxuvcRCa92owt9KqaHDh, EUR, mixed tax)."""
    lines = [line("il_A", 13500, taxes=[("txr_incVAT", 2343)]), line("il_B", 4999, price=None, taxes=[("txr_excVAT", 450)]),
             line("il_C", 1234, price=None)]
    bundle = bundle_with(lines, currency="eur")
    assert bundle.invoice["total"] == 20183
    invoice_record, _ = split_all(mapped(bundle))
    kinds = Counter(x["item"]["externalId"] for x in items(invoice_record))
    assert kinds == {"price_basic": 1, "stripe-item-generic": 2, "stripe-item-tax": 2}
    assert line_sum(invoice_record, "eur") == 20183


# --- one change per run: every memo re-planned, loaded in an order NetSuite accepts ----------------------


class StripeLifecycle:
    """An open Stripe invoice of 100.00 (with a customer balance: + a debit carried in, - a credit used) and the
    changes a finance user can make to it, by Stripe's rules (as the Stripe sandbox applies them)."""

    def __init__(self, balance: int = 0) -> None:
        self.bundle = debit_bundle(status="open", total=10000, debit=balance)
        self.clock = JAN_1_2026 + 3600

    def _tick(self) -> int:
        self.clock += 3600
        return self.clock

    def _set(self, invoice=None, credit_notes=None) -> None:
        self.bundle = InvoiceBundle(invoice or self.bundle.invoice,
                                    tuple(self.bundle.credit_notes if credit_notes is None else credit_notes))

    def _moved(self, status: str, transition: str, **fields) -> dict:
        inv = copy.deepcopy(self.bundle.invoice)
        inv.update(status=status, **fields)
        inv["status_transitions"][transition] = self._tick()
        return inv

    def write_off(self, _amount: int) -> None:
        if self.bundle.invoice["status"] == "open":
            self._set(self._moved("uncollectible", "marked_uncollectible_at"))

    def void(self, _amount: int) -> None:
        inv = self.bundle.invoice
        if inv["status"] in ("open", "uncollectible") and not inv["amount_paid"]:
            self._set(self._moved("void", "voided_at"))

    def pay(self, _amount: int) -> None:
        inv = self.bundle.invoice
        if inv["status"] in ("open", "uncollectible"):
            self._set(self._moved("paid", "paid_at", amount_paid=inv["amount_paid"] + inv["amount_remaining"],
                                  amount_remaining=0))

    def credit(self, amount: int) -> None:
        """A credit note: what is still due first (pre-payment), the rest to the customer balance."""
        inv = copy.deepcopy(self.bundle.invoice)
        left = inv["total"] - inv.get("pre_payment_credit_notes_amount", 0) - inv.get("post_payment_credit_notes_amount", 0)
        if inv["status"] == "void" or left <= 0:
            return
        amount = min(amount, left)
        pre = min(amount, inv["amount_remaining"]) if inv["status"] in ("open", "uncollectible") else 0
        note = credit_note(f"cn_{len(self.bundle.credit_notes):02d}", amount, pre=pre, post=amount - pre, credited=None)
        note["created"] = note["effective_at"] = self._tick()
        inv["pre_payment_credit_notes_amount"] = inv.get("pre_payment_credit_notes_amount", 0) + pre
        inv["post_payment_credit_notes_amount"] = inv.get("post_payment_credit_notes_amount", 0) + amount - pre
        inv["amount_due"] -= pre
        inv["amount_remaining"] -= pre
        self._set(inv, [*self.bundle.credit_notes, note])
        if inv["status"] in ("open", "uncollectible") and inv["amount_remaining"] == 0:
            self._set(self._moved("paid", "paid_at"))  # Stripe marks an invoice credited in full paid

    def void_credit_note(self, _amount: int) -> None:
        """Stripe voids a credit note that reduced what was due only while its invoice is open."""
        inv = copy.deepcopy(self.bundle.invoice)
        issued = [n for n in self.bundle.credit_notes if n["status"] != "void"]
        if not issued or (issued[-1]["pre_payment_amount"] and inv["status"] != "open"):
            return
        note = {**issued[-1], "status": "void", "voided_at": self._tick()}
        pre, post = note["pre_payment_amount"], note["post_payment_amount"]
        inv["pre_payment_credit_notes_amount"] -= pre
        inv["post_payment_credit_notes_amount"] -= post
        inv["amount_due"] += pre
        inv["amount_remaining"] += pre
        self._set(inv, [note if n["id"] == note["id"] else n for n in self.bundle.credit_notes])


CHANGES = ("write_off", "void", "pay", "credit", "void_credit_note")


def load_like_netsuite(applied_now: dict[str, int], plan, config: InvoiceSettings) -> None:
    """Load a plan's memo stages over what NetSuite holds (memo -> amount applied to the invoice) as NetSuite
    judges them: no application may exceed what the invoice has open. Within a stage the order is NetSuite's
    (batch jobs run in parallel), so each memo is judged against the others of its stage at their larger amount."""
    invoice_record = plan[0][0]
    total = line_sum(invoice_record, "usd")
    for stage in plan[1:]:
        new = {memo.external_id: sum(amount for _, amount in applied(memo, "usd")) for memo in stage}
        outside = sum(amount for memo_id, amount in applied_now.items() if memo_id not in new)
        for memo_id, amount in new.items():
            worst = outside + sum(max(applied_now.get(other, 0), value) for other, value in new.items() if other != memo_id)
            assert amount <= total - worst, (
                f"NetSuite refuses {memo_id}: cannot apply {amount} to the invoice, its amount remaining is "
                f"{total - worst} (stages {[[m.external_id for m in s] for s in plan[1:]]}, before {applied_now})")
        applied_now.update(new)


@LIGHTER
@given(st.sampled_from([0, 2500, -3000]),
       st.lists(st.lists(st.tuples(st.sampled_from(CHANGES), st.integers(1, 12000)), min_size=1, max_size=2),
                min_size=1, max_size=5),
       st.builds(InvoiceSettings, close_with_invoice_items=st.booleans(), keep_unpaid_invoices_open=st.booleans()))
def test_one_change_per_run_loads_and_ends_as_one_sync_of_the_end_state(balance, runs, config):
    """Each run maps the invoice's current state and loads it over what the earlier runs left: NetSuite accepts
    every write, no memo an earlier run wrote is left out of the plan, and NetSuite ends as one sync of the end
    state leaves a fresh account."""
    lifecycle = StripeLifecycle(balance)
    netsuite: dict[str, int] = {}
    load_like_netsuite(netsuite, mapped(lifecycle.bundle, config), config)
    for run in runs:
        for change, amount in run:
            getattr(lifecycle, change)(amount)
        plan = mapped(lifecycle.bundle, config)
        load_like_netsuite(netsuite, plan, config)
        planned = {memo.external_id for stage in plan[1:] for memo in stage}
        assert set(netsuite) <= planned, f"memos an earlier run wrote and this plan leaves as they are: {set(netsuite) - planned}"
    fresh: dict[str, int] = {}
    load_like_netsuite(fresh, plan, config)
    assert netsuite == fresh
    inv = lifecycle.bundle.invoice
    closed = inv["status"] == "void" or (inv["status"] == "uncollectible" and not config.keep_unpaid_invoices_open)
    assert line_sum(plan[0][0], "usd") - sum(netsuite.values()) == inv["amount_paid"] + (0 if closed else inv["amount_remaining"])


def stages_of(plan) -> list[list[str]]:
    return [[record.external_id for record in stage] for stage in plan]


def test_a_write_off_then_a_void_zeroes_the_write_off_before_the_void_memo_closes_the_invoice():
    lifecycle = StripeLifecycle()
    lifecycle.write_off(0)
    lifecycle.void(0)
    plan = mapped(lifecycle.bundle, InvoiceSettings(bad_debt_item=99))
    assert stages_of(plan) == [["in_Example1"], ["cm-unc-in_Example1"], ["cm-void-in_Example1"]]
    reversed_memo = plan[1][0]
    assert [(x["item"], x["amount"]) for x in items(reversed_memo)] == [({"id": "99"}, Decimal("0.00"))]
    assert reversed_memo.fields["apply"]["items"] == [{"doc": InternalIdRef("in_Example1"), "apply": False}]
    assert reversed_memo.fields["memo"].startswith("REVERSED") and "then voided" in reversed_memo.fields["memo"]
    assert reversed_memo.fields["tranDate"] == mapped(lifecycle.bundle)[2][0].fields["tranDate"]  # when voided
    assert applied(plan[2][0], "usd") == [(InternalIdRef("in_Example1"), 10000)]


def test_a_credit_note_after_a_write_off_loads_after_the_write_off_shrinks():
    lifecycle = StripeLifecycle()
    lifecycle.write_off(0)
    lifecycle.credit(3000)
    plan = mapped(lifecycle.bundle)
    assert stages_of(plan) == [["in_Example1"], ["cm-unc-in_Example1"], ["cn_00"]]
    assert [applied(stage[0], "usd")[0][1] for stage in plan[1:]] == [7000, 3000]


def test_a_credit_note_voided_and_a_write_off_in_one_run_unapply_the_credit_first():
    lifecycle = StripeLifecycle()
    lifecycle.credit(2500)
    lifecycle.void_credit_note(0)
    lifecycle.write_off(0)
    assert stages_of(mapped(lifecycle.bundle)) == [["in_Example1"], ["cn_00"], ["cm-unc-in_Example1"]]


def test_a_written_off_invoice_paid_or_credited_in_full_keeps_a_zeroed_write_off():
    paid, credited = StripeLifecycle(), StripeLifecycle()
    for lifecycle in (paid, credited):
        lifecycle.write_off(0)
    paid.pay(0)
    credited.credit(10000)
    assert stages_of(mapped(paid.bundle)) == [["in_Example1"], ["cm-unc-in_Example1"]]
    assert stages_of(mapped(credited.bundle)) == [["in_Example1"], ["cm-unc-in_Example1"], ["cn_00"]]
    assert "then paid" in mapped(paid.bundle)[1][0].fields["memo"]
    # kept open in the settings: there never was a write-off memo
    assert stages_of(mapped(paid.bundle, InvoiceSettings(keep_unpaid_invoices_open=True))) == [["in_Example1"]]


def test_memos_that_never_change_direction_share_a_stage_with_their_kind():
    lifecycle = StripeLifecycle(balance=-3000)
    lifecycle.credit(2000)
    lifecycle.credit(1000)
    lifecycle.void_credit_note(0)
    lifecycle.write_off(0)
    assert stages_of(mapped(lifecycle.bundle)) == [
        ["in_Example1"], ["cn_01"], ["cm-unc-in_Example1"], ["cn_00", "cm-bal-in_Example1"]]
