"""The refunds and disputes mapping (mapping/refunds.py): pure, exact in every currency's decimals, never float."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stripe_netsuite.mapping.money import exponent, to_decimal
from stripe_netsuite.mapping.records import InternalIdRef, MappingError, UnknownValueError
from stripe_netsuite.mapping.refunds import RefundContext, map_dispute, map_refund
from stripe_netsuite.settings import Settings
from tests.unit.test_payments_mapping import CURRENCY_IDS, floats_in

SETTINGS = Settings()
NOON_UTC = int(dt.datetime(2026, 4, 1, 12, tzinfo=dt.timezone.utc).timestamp())
ITEM_A, ITEM_B, TAX = {"externalId": "price_A"}, {"externalId": "price_B"}, {"externalId": "stripe-item-tax"}


def charge(amount: int = 10000, currency: str = "usd", charge_id: str = "ch_1", customer: str | None = "cus_1") -> dict:
    return {"id": charge_id, "object": "charge", "amount": amount, "amount_captured": amount, "currency": currency,
            "customer": customer, "status": "succeeded", "captured": True, "created": NOON_UTC - 86400}


def refund(amount: int = 10000, currency: str = "usd", **overrides: Any) -> dict:
    base = {"id": "re_1", "object": "refund", "amount": amount, "currency": currency, "charge": "ch_1",
            "status": "succeeded", "created": NOON_UTC, "reason": None,
            "balance_transaction": {"id": "txn_r", "currency": currency, "exchange_rate": None, "created": NOON_UTC},
            "failure_balance_transaction": None, "failure_reason": None}
    return {**base, **overrides}


def dispute(amount: int = 10000, currency: str = "usd", status: str = "needs_response", withdrawn: bool = True,
            rate: Any = None) -> dict:
    txns = [{"id": "txn_d", "amount": -amount, "currency": "usd", "exchange_rate": rate, "reporting_category": "dispute",
             "created": NOON_UTC}] if withdrawn else []
    return {"id": "dp_1", "object": "dispute", "amount": amount, "currency": currency, "charge": "ch_1",
            "status": status, "reason": "fraudulent", "created": NOON_UTC, "balance_transactions": txns}


def line(item: dict, minor: int, currency: str = "usd") -> tuple[int, dict]:
    return minor, {"item": item, "amount": to_decimal(minor, currency), "description": "a line"}


def context(lines: list[tuple[int, dict]] | None, currency: str = "usd", invoiced: bool = True,
            credit_note: str | None = None, amount: int = 10000) -> RefundContext:
    return RefundContext(
        currency_ids=CURRENCY_IDS, base_currency="USD", charges={"ch_1": charge(amount, currency)},
        invoice_of_charge={"ch_1": "in_1"} if invoiced else {},
        lines_of_invoice={"in_1": lines} if lines is not None else {},
        credit_note_of_refund={"re_1": credit_note} if credit_note else {})


def two_lines(total: int, currency: str = "usd") -> list[tuple[int, dict]]:
    first = total // 3
    return [line(ITEM_A, first, currency), line(ITEM_B, total - first, currency)]


def memo_sum(memo) -> Decimal:
    return sum((entry["amount"] for entry in memo.fields["item"]["items"]), Decimal(0))


# -- property: a credit memo's lines sum to the refunded amount, exactly ----------------------

@given(st.sampled_from(["USD", "JPY", "KWD", "EUR"]), st.integers(min_value=3, max_value=10**9), st.data())
def test_a_refund_memo_sums_to_the_refunded_amount_in_every_currency(currency, total, data):
    refunded = data.draw(st.integers(min_value=1, max_value=total))
    lines = data.draw(st.sampled_from([[line(ITEM_A, total, currency)], two_lines(total, currency)]))
    (memo,), (customer_refund,) = map_refund(refund(refunded, currency.lower()), context(lines, currency.lower(), amount=total),
                                             SETTINGS)
    assert memo_sum(memo) == to_decimal(refunded, currency)
    assert all(-entry["amount"].as_tuple().exponent == exponent(currency) for entry in memo.fields["item"]["items"])
    assert customer_refund.fields["apply"]["items"] == [
        {"doc": InternalIdRef(memo.external_id), "apply": True, "amount": to_decimal(refunded, currency)}]
    assert floats_in(memo.fields) == floats_in(customer_refund.fields) == []


@given(st.sampled_from(["USD", "JPY", "KWD"]), st.integers(min_value=3, max_value=10**9), st.data())
def test_a_dispute_memo_sums_to_the_disputed_amount_in_every_currency(currency, total, data):
    disputed = data.draw(st.integers(min_value=1, max_value=total))
    lines = data.draw(st.sampled_from([[line(ITEM_A, total, currency)], two_lines(total, currency)]))
    (memo,), (_refund,) = map_dispute(dispute(disputed, currency.lower()), context(lines, currency.lower(), amount=total),
                                      SETTINGS)
    assert memo_sum(memo) == to_decimal(disputed, currency) and floats_in(memo.fields) == []


# -- which lines ---------------------------------------------------------------------------------

def test_a_full_refund_credits_the_invoices_own_lines():
    lines = [line(ITEM_A, 6000), line(ITEM_B, 3000), line(TAX, 1000)]
    (memo,), (customer_refund,) = map_refund(refund(10000), context(lines), SETTINGS)
    assert memo.external_id == "cm-re_1" and memo.record_type == "creditMemo"
    assert [(e["item"], e["amount"]) for e in memo.fields["item"]["items"]] == [
        (ITEM_A, Decimal("60.00")), (ITEM_B, Decimal("30.00")), (TAX, Decimal("10.00"))]
    assert memo.fields["createdFrom"] == InternalIdRef("in_1")
    assert customer_refund.external_id == "re_1" and customer_refund.fields["customer"] == {"externalId": "cus_1"}
    assert "account" not in customer_refund.fields  # NetSuite's default: Undeposited Funds


def test_a_partial_refund_of_a_one_line_invoice_uses_that_lines_item():
    (memo,), _ = map_refund(refund(2500), context([line(ITEM_A, 10000)]), SETTINGS)
    assert [(e["item"], e["amount"]) for e in memo.fields["item"]["items"]] == [(ITEM_A, Decimal("25.00"))]


def test_a_partial_refund_of_an_invoice_of_several_lines_uses_the_partial_refund_item():
    (memo,), _ = map_refund(refund(2500), context(two_lines(10000)), SETTINGS)
    assert [(e["item"], e["amount"]) for e in memo.fields["item"]["items"]] == [
        ({"externalId": "stripe-item-partial-refund"}, Decimal("25.00"))]
    other = Settings.model_validate({"refunds": {"partial_refund_item": 42}})
    (memo,), _ = map_refund(refund(2500), context(two_lines(10000)), other)
    assert memo.fields["item"]["items"][0]["item"] == {"id": "42"}


def test_a_refund_through_a_credit_note_applies_its_memo_and_zeroes_any_memo_of_its_own():
    (customer_refund,), (own_memo,) = map_refund(refund(2500), context([line(ITEM_A, 10000)], credit_note="cn_7"),
                                                 SETTINGS)
    assert customer_refund.fields["apply"]["items"] == [
        {"doc": InternalIdRef("cm-re_1", optional=True), "apply": False},  # written before the note named it, if so
        {"doc": InternalIdRef("cn_7"), "apply": True, "amount": Decimal("25.00")}]
    assert "credit note cn_7" in customer_refund.fields["memo"]
    assert own_memo.external_id == "cm-re_1" and own_memo.only_if_present and memo_sum(own_memo) == 0


def test_a_refund_of_a_payment_without_an_invoice_applies_the_payment():
    ((customer_refund,),) = map_refund(refund(1500), context(None, invoiced=False), SETTINGS)
    assert customer_refund.fields["apply"]["items"] == [{"doc": InternalIdRef("ch_1"), "apply": True,
                                                         "amount": Decimal("15.00")}]


def test_under_the_invoice_setting_a_payment_without_an_invoice_is_credited_through_its_own_invoice():
    settings = Settings.model_validate({"payments": {"standalone_charges": "invoice"}})
    ctx = RefundContext(currency_ids=CURRENCY_IDS, base_currency="USD", charges={"ch_1": charge(1500)},
                        lines_of_invoice={"in-ch_1": [line({"externalId": "stripe-item-generic"}, 1500)]})
    (memo,), (customer_refund,) = map_refund(refund(1500), ctx, settings)
    assert memo.fields["createdFrom"] == InternalIdRef("in-ch_1")
    assert customer_refund.fields["apply"]["items"][0]["doc"] == InternalIdRef("cm-re_1")


def test_a_eur_refund_settling_in_usd_takes_stripes_rate_of_the_refund():
    eur = refund(5000, "eur", balance_transaction={"id": "txn_r", "currency": "usd", "exchange_rate": 1.0712})
    (memo,), (customer_refund,) = map_refund(eur, context([line(ITEM_A, 10000, "eur")], "eur"), SETTINGS)
    assert memo.fields["exchangeRate"] == customer_refund.fields["exchangeRate"] == Decimal("1.0712")
    assert memo.fields["currency"] == {"id": "2"}


# -- what writes nothing -------------------------------------------------------------------------

@pytest.mark.parametrize("overrides", [{"status": "pending", "balance_transaction": None},
                                       {"status": "requires_action", "balance_transaction": None},
                                       {"status": "canceled", "balance_transaction": None}])
def test_a_refund_stripe_has_not_booked_writes_nothing(overrides):
    assert map_refund(refund(**overrides), context([line(ITEM_A, 10000)]), SETTINGS) is None


def test_an_unknown_refund_or_dispute_status_is_an_error():
    with pytest.raises(UnknownValueError, match="refund re_1"):
        map_refund(refund(status="reversed"), context([line(ITEM_A, 10000)]), SETTINGS)
    with pytest.raises(UnknownValueError, match="dispute dp_1"):
        map_dispute(dispute(status="escalated"), context([line(ITEM_A, 10000)]), SETTINGS)


@pytest.mark.parametrize("status", ["warning_needs_response", "warning_under_review", "warning_closed"])
def test_an_inquiry_that_withdrew_nothing_writes_nothing(status):
    assert map_dispute(dispute(status=status, withdrawn=False), context([line(ITEM_A, 10000)]), SETTINGS) is None


@pytest.mark.parametrize("status", ["needs_response", "under_review", "won", "lost"])
def test_a_dispute_that_withdrew_funds_stands_whatever_its_outcome(status):
    (memo,), (customer_refund,) = map_dispute(dispute(status=status), context([line(ITEM_A, 10000)]), SETTINGS)
    assert (memo.external_id, customer_refund.external_id) == ("cm-dp_1", "dp_1")


def test_a_dispute_of_an_invoice_of_several_lines_for_another_amount_uses_the_dispute_item_at_its_own_rate():
    eur = dispute(9000, "eur", rate=1.0415)
    (memo,), (customer_refund,) = map_dispute(eur, context(two_lines(10000, "eur"), "eur"), SETTINGS)
    assert [(e["item"], e["amount"]) for e in memo.fields["item"]["items"]] == [
        ({"externalId": "stripe-item-dispute"}, Decimal("90.00"))]
    assert memo.fields["exchangeRate"] == customer_refund.fields["exchangeRate"] == Decimal("1.0415")


def test_a_dispute_without_an_invoice_applies_the_payment():
    ((customer_refund,),) = map_dispute(dispute(3000), context(None, invoiced=False), SETTINGS)
    assert customer_refund.external_id == "dp_1"
    assert customer_refund.fields["apply"]["items"][0]["doc"] == InternalIdRef("ch_1")


# -- reversed refunds ----------------------------------------------------------------------------

def test_a_refund_that_failed_after_booking_is_reversed_by_a_payment_of_the_money_back():
    failed = refund(4000, status="failed", failure_reason="expired_or_canceled_card",
                    failure_balance_transaction={"id": "txn_f", "created": NOON_UTC + 3 * 86400})
    (back,), (customer_refund,), (memo,) = map_refund(failed, context([line(ITEM_A, 10000)]), SETTINGS)
    assert back.record_type == "customerPayment" and back.external_id == "ret-re_1"
    assert back.fields["payment"] == Decimal("40.00") and back.fields["undepFunds"] is True
    assert back.fields["tranDate"] == "2026-04-04"
    assert customer_refund.fields["apply"]["items"] == [
        {"doc": InternalIdRef("cm-re_1", optional=True), "apply": False},  # left out if the memo never existed
        {"doc": InternalIdRef("ret-re_1"), "apply": True, "amount": Decimal("40.00")}]
    assert customer_refund.fields["memo"].startswith("REVERSED in Stripe (expired_or_canceled_card)")
    assert memo_sum(memo) == 0 and memo.external_id == "cm-re_1"


def test_a_charge_that_could_not_be_read_is_an_error_naming_the_refund():
    ctx = RefundContext(currency_ids=CURRENCY_IDS, base_currency="USD")
    with pytest.raises(MappingError) as caught:
        map_refund(refund(), ctx, SETTINGS)
    assert caught.value.stripe_id == "re_1" and "ch_1" in str(caught.value)


def test_an_inquiry_writes_nothing_even_when_its_charge_was_not_read():
    """Nothing to write needs nothing read: the flow does not read the charges of what writes nothing."""
    empty = RefundContext(currency_ids=CURRENCY_IDS, base_currency="USD")
    assert map_dispute(dispute(status="warning_needs_response", withdrawn=False), empty, SETTINGS) is None
    assert map_refund(refund(status="pending", balance_transaction=None), empty, SETTINGS) is None


def test_an_optional_reference_not_in_netsuite_leaves_its_line_out():
    from stripe_netsuite.mapping.records import NeutralRecord, UnresolvedReference, resolve_internal_ids

    record = NeutralRecord("customerRefund", "re_1", {"apply": {"items": [
        {"doc": InternalIdRef("cm-re_1", optional=True), "apply": False},
        {"doc": InternalIdRef("ret-re_1"), "apply": True}]}})
    resolved = resolve_internal_ids(record, {"ret-re_1": "7"})
    assert resolved.fields["apply"]["items"] == [{"doc": {"id": "7"}, "apply": True}]
    both = resolve_internal_ids(record, {"ret-re_1": "7", "cm-re_1": "5"})
    assert both.fields["apply"]["items"][0] == {"doc": {"id": "5"}, "apply": False}
    with pytest.raises(UnresolvedReference):
        resolve_internal_ids(record, {"cm-re_1": "5"})
