"""The payments mapping (mapping/payments.py): pure, exact in every currency's decimals, never float."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stripe_netsuite.mapping.money import exponent
from stripe_netsuite.mapping.payments import (
    PaymentContext,
    map_charge,
    map_out_of_band,
    moves_money,
    stripe_rate,
)
from stripe_netsuite.mapping.records import InternalIdRef, MappingError, UnknownValueError
from stripe_netsuite.settings import Settings

CURRENCY_IDS = {"USD": "1", "EUR": "2", "GBP": "3", "JPY": "4", "CAD": "5", "KWD": "6"}
CONTEXT = PaymentContext(currency_ids=CURRENCY_IDS, base_currency="USD")
SETTINGS = Settings()
NOON_UTC = int(dt.datetime(2026, 3, 1, 12, tzinfo=dt.timezone.utc).timestamp())


def charge(amount: int = 5000, currency: str = "usd", **overrides: Any) -> dict[str, Any]:
    base = {
        "id": "ch_1", "object": "charge", "amount": amount, "amount_captured": amount, "captured": True,
        "currency": currency, "customer": "cus_1", "payment_intent": "pi_1", "status": "succeeded",
        "created": NOON_UTC, "description": None, "failure_code": None, "failure_message": None,
        "balance_transaction": {"id": "txn_1", "currency": currency, "amount": amount, "exchange_rate": None},
        "failure_balance_transaction": None,
    }
    return {**base, **overrides}


def with_invoice(charge_id: str = "ch_1", invoice: str = "in_1", applicable: int | None = None) -> PaymentContext:
    return PaymentContext(currency_ids=CURRENCY_IDS, base_currency="USD", invoice_of={charge_id: invoice},
                          applicable={} if applicable is None else {charge_id: applicable})


def floats_in(value: Any) -> list[Any]:
    if isinstance(value, float):
        return [value]
    if isinstance(value, dict):
        return [f for v in value.values() for f in floats_in(v)]
    if isinstance(value, list):
        return [f for v in value for f in floats_in(v)]
    return []


def only_record(stages):
    assert len(stages) == 1 and len(stages[0]) == 1
    return stages[0][0]


# -- which charges write -------------------------------------------------------------------

@pytest.mark.parametrize("overrides, writes", [
    ({}, True),
    ({"captured": False, "amount_captured": 0}, False),  # only authorised
    ({"status": "pending"}, True),  # a bank debit Stripe has booked
    ({"status": "pending", "balance_transaction": None}, False),
    ({"status": "failed", "balance_transaction": None}, False),  # a card decline moved no money
    ({"status": "failed", "failure_balance_transaction": {"id": "txn_f", "created": NOON_UTC + 86400}}, True),
])
def test_which_charges_write(overrides, writes):
    assert moves_money(charge(**overrides)) is writes
    assert (map_charge(charge(**overrides), CONTEXT, SETTINGS) is not None) is writes


def test_an_unknown_status_is_an_error_naming_the_charge():
    with pytest.raises(UnknownValueError) as caught:
        map_charge(charge(status="requires_review"), CONTEXT, SETTINGS)
    assert "charge ch_1" in str(caught.value) and "'requires_review'" in str(caught.value)


# -- amounts and rates ------------------------------------------------------------------------

@given(st.integers(min_value=1, max_value=10**11), st.sampled_from(sorted(CURRENCY_IDS)))
def test_the_amount_is_exact_at_the_currency_decimals(minor, currency):
    record = only_record(map_charge(charge(minor, currency.lower()), CONTEXT, SETTINGS))
    amount = record.fields["payment"]
    assert isinstance(amount, Decimal)
    assert amount.scaleb(exponent(currency)) == minor and -amount.as_tuple().exponent == exponent(currency)
    assert floats_in(record.fields) == []


@given(st.floats(min_value=0.0001, max_value=500, allow_nan=False, allow_infinity=False))
def test_stripe_rate_is_the_decimal_stripe_sent(rate):
    """The SDK hands JSON numbers over as float; the rate written is the shortest text of it, as Stripe sent it."""
    txn = {"currency": "usd", "exchange_rate": rate}
    written = stripe_rate(txn, "eur", "USD")
    assert isinstance(written, Decimal) and written == Decimal(repr(rate))
    record = only_record(map_charge(charge(1000, "eur", balance_transaction=txn), CONTEXT, SETTINGS))
    assert record.fields["exchangeRate"] == written and floats_in(record.fields) == []


@pytest.mark.parametrize("charge_currency, settled_in, rate, expected", [
    ("eur", "usd", 1.0823, Decimal("1.0823")),  # Stripe converted to the subsidiary's currency: its rate
    ("jpy", "usd", 0.0067, Decimal("0.0067")),
    ("usd", "usd", None, None),  # the subsidiary's own currency: rate 1
    ("eur", "eur", None, None),  # not converted: NetSuite's rate
    ("eur", "gbp", 0.85, None),  # converted to another currency than the subsidiary's: NetSuite's rate
])
def test_which_rate(charge_currency, settled_in, rate, expected):
    txn = {"currency": settled_in, "exchange_rate": rate}
    record = only_record(map_charge(charge(1000, charge_currency, balance_transaction=txn), CONTEXT, SETTINGS))
    assert record.fields.get("exchangeRate") == expected


# -- the record --------------------------------------------------------------------------------

def test_a_card_payment_of_an_invoice():
    record = only_record(map_charge(charge(12345), with_invoice(), SETTINGS))
    assert record.record_type == "customerPayment" and record.external_id == "ch_1" and record.source_id == "ch_1"
    fields = record.fields
    assert fields["customer"] == {"externalId": "cus_1"} and fields["currency"] == {"id": "1"}
    assert fields["payment"] == Decimal("123.45") and fields["undepFunds"] is True
    assert fields["paymentMethod"] == {"externalId": "stripe"} and fields["tranDate"] == "2026-03-01"
    assert fields["memo"] == "Stripe: ch_1 for invoice in_1"
    assert fields["apply"] == {"items": [{"doc": InternalIdRef("in_1"), "apply": True, "amount": Decimal("123.45")}]}


def test_the_date_is_the_charge_day_in_the_settings_time_zone():
    settings = Settings.model_validate({"invoices": {"timezone": "America/Los_Angeles"}})
    just_after_midnight_utc = int(dt.datetime(2026, 3, 1, 0, 30, tzinfo=dt.timezone.utc).timestamp())
    record = only_record(map_charge(charge(created=just_after_midnight_utc), CONTEXT, settings))
    assert record.fields["tranDate"] == "2026-02-28"


def test_a_charge_for_an_invoice_netsuite_shows_paid_loads_unapplied_and_says_why():
    record = only_record(map_charge(charge(5000), with_invoice(applicable=0), SETTINGS))
    assert record.fields["apply"] == {"items": [{"doc": InternalIdRef("in_1"), "apply": False}]}
    assert record.fields["memo"].startswith("Stripe Payment Error: could not apply to invoice in_1: NetSuite shows "
                                            "it paid. 50.00 USD left unapplied.")


def test_a_charge_larger_than_what_is_open_applies_what_is_open():
    record = only_record(map_charge(charge(5000), with_invoice(applicable=2000), SETTINGS))
    assert record.fields["apply"]["items"][0] == {"doc": InternalIdRef("in_1"), "apply": True, "amount": Decimal("20.00")}
    assert "30.00 USD left unapplied" in record.fields["memo"]


def test_a_pending_debit_is_written_and_applied_and_says_pending():
    record = only_record(map_charge(charge(5000, id="py_1", status="pending"), with_invoice("py_1"), SETTINGS))
    assert record.external_id == "py_1" and record.fields["apply"]["items"][0]["apply"] is True
    assert "pending in Stripe" in record.fields["memo"]


def test_a_debit_that_failed_later_is_unapplied_and_refunded_with_the_reason():
    failed = charge(5000, id="py_1", status="failed", failure_code="account_closed",
                    failure_message="The customer's bank account has been closed.",
                    failure_balance_transaction={"id": "txn_f", "created": NOON_UTC + 3 * 86400})
    (payment,), (refund,) = map_charge(failed, with_invoice("py_1"), SETTINGS)
    assert payment.external_id == "py_1" and payment.fields["payment"] == Decimal("50.00")
    assert payment.fields["apply"] == {"items": [{"doc": InternalIdRef("in_1"), "apply": False}]}
    assert refund.record_type == "customerRefund" and refund.external_id == "rf-py_1"
    assert refund.fields["apply"] == {"items": [{"doc": InternalIdRef("py_1"), "apply": True, "amount": Decimal("50.00")}]}
    assert refund.fields["tranDate"] == "2026-03-04"
    assert refund.fields["memo"] == ("Stripe: payment py_1 failed after it was booked: The customer's bank account "
                                     "has been closed. (account_closed)")
    assert "account" not in refund.fields  # the refund leaves from Undeposited Funds, NetSuite's default


def test_a_payment_without_an_invoice_is_the_customers_credit():
    record = only_record(map_charge(charge(description="Top-up"), CONTEXT, SETTINGS))
    assert "apply" not in record.fields
    assert record.fields["memo"] == "Stripe: ch_1. Payment without an invoice. Stripe description: Top-up"


def test_with_the_setting_a_payment_without_an_invoice_pays_a_one_line_invoice():
    settings = Settings.model_validate({"payments": {"standalone_charges": "invoice"}})
    (invoice,), (payment,) = map_charge(charge(2500, description="Consulting"), CONTEXT, settings)
    assert invoice.record_type == "invoice" and invoice.external_id == "in-ch_1"
    assert invoice.fields["entity"] == {"externalId": "cus_1"}
    assert invoice.fields["item"]["items"] == [{"item": {"externalId": "stripe-item-generic"}, "quantity": 1,
                                                "rate": Decimal("25.00"), "amount": Decimal("25.00"),
                                                "description": "Consulting"}]
    assert payment.fields["apply"]["items"] == [{"doc": InternalIdRef("in-ch_1"), "apply": True,
                                                 "amount": Decimal("25.00")}]


def test_a_charge_without_a_customer_goes_to_the_guest_customer():
    record = only_record(map_charge(charge(customer=None), CONTEXT, SETTINGS))
    assert record.fields["customer"] == {"externalId": "stripe-guest-customer"}
    by_internal_id = Settings.model_validate({"payments": {"guest_customer": 77}})
    assert only_record(map_charge(charge(customer=None), CONTEXT, by_internal_id)).fields["customer"] == {"id": "77"}


def test_a_currency_netsuite_lacks_is_an_error_saying_what_to_do():
    with pytest.raises(MappingError) as caught:
        map_charge(charge(currency="chf"), CONTEXT, SETTINGS)
    assert caught.value.stripe_id == "ch_1" and "CHF" in str(caught.value) and "Currencies" in str(caught.value)


def test_the_payment_method_is_the_settings_one():
    settings = Settings.model_validate({"payments": {"payment_method": 12}})
    assert only_record(map_charge(charge(), CONTEXT, settings)).fields["paymentMethod"] == {"id": "12"}


# -- paid outside Stripe ------------------------------------------------------------------------

OUT_OF_BAND = {"id": "in_9", "object": "invoice", "status": "paid", "amount_paid_off_stripe": 12000, "currency": "jpy",
               "customer": "cus_9", "amount_paid": 12000, "created": NOON_UTC,
               "status_transitions": {"paid_at": NOON_UTC + 86400}}


def test_an_invoice_paid_outside_stripe_is_left_to_finance_by_default():
    assert map_out_of_band(OUT_OF_BAND, CONTEXT, SETTINGS) is None


def test_with_the_setting_it_is_recorded_to_the_configured_account():
    settings = Settings.model_validate({"payments": {"out_of_band": "record", "out_of_band_account": "acct-operating-bank"}})
    record = map_out_of_band(OUT_OF_BAND, CONTEXT, settings)
    assert record is not None and record.external_id == "pay-oob-in_9" and record.record_type == "customerPayment"
    assert record.fields["payment"] == Decimal("12000") and record.fields["undepFunds"] is False
    assert record.fields["account"] == {"externalId": "acct-operating-bank"} and record.fields["tranDate"] == "2026-03-02"
    assert record.fields["apply"]["items"] == [{"doc": InternalIdRef("in_9"), "apply": True, "amount": Decimal("12000")}]
    assert map_out_of_band({**OUT_OF_BAND, "amount_paid_off_stripe": 0}, CONTEXT, settings) is None


def test_recording_outside_payments_needs_an_account():
    with pytest.raises(ValueError, match="out_of_band_account"):
        Settings.model_validate({"payments": {"out_of_band": "record"}})


def test_a_failed_debit_without_an_invoice_zeroes_its_own_invoice_under_the_setting():
    settings = Settings.model_validate({"payments": {"standalone_charges": "invoice"}})
    failed = charge(2500, id="py_1", status="failed", failure_code="account_closed", failure_message="Closed.",
                    failure_balance_transaction={"id": "txn_f", "created": NOON_UTC + 86400})
    (invoice,), (payment,), (refund,) = map_charge(failed, CONTEXT, settings)
    assert invoice.external_id == "in-py_1" and invoice.fields["item"]["items"][0]["amount"] == Decimal("0.00")
    assert invoice.fields["memo"].endswith("(zeroed: the payment failed)")
    assert payment.fields["apply"]["items"] == [{"doc": InternalIdRef("in-py_1"), "apply": False}]
    assert refund.external_id == "rf-py_1"
