"""The deposit mapping (mapping/deposits.py): a deposit adds up to its payout to the unit, fees go per type."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stripe_netsuite.mapping.deposits import MissingAccountMappingError, UnequalAmountsError, map_payout
from stripe_netsuite.mapping.money import exponent, to_decimal
from stripe_netsuite.mapping.records import InternalIdRef, UnknownValueError
from stripe_netsuite.settings import Settings
from tests.unit.test_payments_mapping import floats_in

SETTINGS = Settings()
ARRIVAL = 1_790_000_000  # 2026-09-21 UTC


def txn(txn_id: str, category: str, amount: int, fee: int = 0, source: str | None = None, currency: str = "usd",
        fee_type: str = "stripe_fee", description: str = "Stripe processing fees") -> dict[str, Any]:
    details = [{"amount": fee, "currency": currency, "type": fee_type, "description": description}] if fee else []
    return {"id": txn_id, "object": "balance_transaction", "amount": amount, "fee": fee, "net": amount - fee,
            "currency": currency, "reporting_category": category, "type": category, "source": source,
            "fee_details": details}


def payout(txns: list[dict], currency: str = "usd", status: str = "paid", **overrides: Any) -> dict[str, Any]:
    amount = sum(t["net"] for t in txns)
    return {"id": "po_1", "object": "payout", "amount": amount, "currency": currency, "status": status,
            "automatic": True, "arrival_date": ARRIVAL, "created": ARRIVAL - 86400, **overrides}


def deposit_total(record) -> Decimal:
    f = record.fields
    payments = Decimal(0)
    for line in f["payment"]["items"]:
        doc = line["id"].external_id
        sign = -1 if doc.startswith(("re_", "dp_", "rf-")) else 1
        payments += sign * line["paymentAmount"]
    others = sum((x["amount"] for x in f["other"]["items"]), Decimal(0))
    cash_back = sum((x["amount"] for x in f["cashback"]["items"]), Decimal(0))
    return payments + others - cash_back


MIXED = [
    txn("txn_1", "charge", 10000, 320, "ch_1"),
    txn("txn_2", "charge", 5400, 187, "py_2", fee_type="stripe_fee"),
    txn("txn_3", "refund", -2500, 0, "re_3"),
    txn("txn_4", "dispute", -7000, 1500, "dp_4", description="Dispute fee"),
    txn("txn_5", "dispute_reversal", 4000, -1500, "dp_5", description="Dispute fee"),
    txn("txn_6", "refund_failure", 1200, 0, "re_6"),
    txn("txn_7", "charge_failure", -5400, -187, "py_7"),
]


def test_a_payout_is_one_deposit_into_its_currencys_bank_with_a_line_per_transaction():
    ((deposit,),) = map_payout(payout(MIXED), MIXED, SETTINGS)
    f = deposit.fields
    assert deposit.record_type == "deposit" and deposit.external_id == "po_1"
    assert f["account"] == {"externalId": "acct-operating-bank"} and f["tranDate"] == "2026-09-21"
    assert [(line["id"], line["paymentAmount"]) for line in f["payment"]["items"]] == [
        (InternalIdRef("ch_1"), Decimal("100.00")), (InternalIdRef("py_2"), Decimal("54.00")),
        (InternalIdRef("re_3"), Decimal("25.00")), (InternalIdRef("dp_4"), Decimal("70.00")),
        (InternalIdRef("ret-re_6"), Decimal("12.00")), (InternalIdRef("rf-py_7"), Decimal("54.00"))]
    assert all(line["deposit"] is True and "txn_" in line["memo"] for line in f["payment"]["items"])
    assert [(x["account"], x["amount"]) for x in f["cashback"]["items"]] == [
        ({"externalId": "acct-stripe-fees"}, Decimal("3.20")), ({"externalId": "acct-stripe-fees"}, Decimal("1.87")),
        ({"externalId": "acct-disputes"}, Decimal("15.00"))]
    assert [(x["account"], x["amount"]) for x in f["other"]["items"]] == [  # a won dispute's funds and its fee back,
        ({"externalId": "acct-disputes"}, Decimal("40.00")), ({"externalId": "acct-disputes"}, Decimal("15.00")),
        ({"externalId": "acct-stripe-fees"}, Decimal("1.87"))]  # and the fee of a debit that failed, given back
    assert deposit_total(deposit) == to_decimal(payout(MIXED)["amount"], "usd")
    assert floats_in(f) == []


CATEGORIES = st.sampled_from(["charge", "refund", "dispute", "dispute_reversal", "refund_failure", "charge_failure"])


@given(st.sampled_from(["USD", "JPY", "KWD", "EUR"]),
       st.lists(st.tuples(CATEGORIES, st.integers(min_value=1, max_value=10**8), st.integers(min_value=0, max_value=10**6)),
                min_size=1, max_size=30))
def test_a_deposits_lines_add_up_to_the_payout_in_every_currency(currency, drawn):
    sign = {"charge": 1, "refund": -1, "dispute": -1, "dispute_reversal": 1, "refund_failure": 1, "charge_failure": -1}
    prefix = {"charge": "ch_", "refund": "re_", "dispute": "dp_", "dispute_reversal": "dp_", "refund_failure": "re_",
              "charge_failure": "py_"}
    txns = [txn(f"txn_{n}", category, sign[category] * amount, fee, f"{prefix[category]}{n}", currency.lower())
            for n, (category, amount, fee) in enumerate(drawn)]
    the_payout = payout(txns, currency.lower())
    the_payout["amount"] = sum(t["net"] for t in txns)
    settings = Settings.model_validate({"payouts": {"bank_accounts": {currency.lower(): "acct-bank"}}})
    if the_payout["amount"] < 0:
        return  # Stripe pays out no negative amount (it debits the bank instead: not a deposit)
    ((deposit,),) = map_payout(the_payout, txns, settings)
    assert deposit_total(deposit) == to_decimal(the_payout["amount"], currency)
    for sublist in ("payment", "other", "cashback"):
        for line in deposit.fields[sublist]["items"]:
            amount = line.get("paymentAmount", line.get("amount"))
            assert isinstance(amount, Decimal) and amount >= 0 and -amount.as_tuple().exponent == exponent(currency)
    assert floats_in(deposit.fields) == []


def test_fees_go_to_the_account_of_their_type():
    settings = Settings.model_validate({"payouts": {"fee_accounts": {"processing": "p", "dispute": "d", "fx": "f",
                                                                     "other": "o"}}})
    txns = [txn("txn_1", "charge", 10000, 300, "ch_1"),
            txn("txn_2", "charge", 10000, 100, "ch_2", description="Currency conversion fee"),
            txn("txn_3", "charge", 10000, 50, "ch_3", fee_type="application_fee", description="Platform fee"),
            txn("txn_4", "dispute", -10000, 1500, "dp_4", description="Dispute fee")]
    ((deposit,),) = map_payout(payout(txns), txns, settings)
    assert [x["account"]["externalId"] for x in deposit.fields["cashback"]["items"]] == ["p", "f", "o", "d"]


def test_a_large_payout_becomes_several_deposits_adding_up_to_it():
    txns = [txn(f"txn_{n}", "charge", 1000 + n, 30, f"ch_{n}") for n in range(7)]
    settings = Settings.model_validate({"payouts": {"max_transactions_per_deposit": 3}})
    (parts,) = map_payout(payout(txns), txns, settings)
    assert [p.external_id for p in parts] == ["po_1", "po_1-2", "po_1-3"]
    assert [len(p.fields["payment"]["items"]) for p in parts] == [3, 3, 1]
    assert sum((deposit_total(p) for p in parts), Decimal(0)) == to_decimal(payout(txns)["amount"], "usd")
    assert "part 2 of 3" in parts[1].fields["memo"]


@pytest.mark.parametrize("overrides", [{"status": "in_transit"}, {"status": "pending"}, {"status": "failed"},
                                       {"status": "canceled"}, {"automatic": False},
                                       {"reconciliation_status": "in_progress"}])
def test_a_payout_not_paid_or_manual_writes_nothing(overrides):
    assert map_payout(payout(MIXED, **overrides), MIXED, SETTINGS) is None


def test_what_cannot_be_deposited_is_an_error_that_says_so():
    with pytest.raises(UnknownValueError, match="payout po_1"):
        map_payout(payout(MIXED, status="reversed"), MIXED, SETTINGS)
    odd = [txn("txn_9", "climate_order", -100, 0, "x_9")]
    with pytest.raises(UnknownValueError, match="balance transaction txn_9"):
        map_payout(payout(odd), odd, SETTINGS)
    with pytest.raises(MissingAccountMappingError, match="payouts.bank_accounts.chf"):
        map_payout(payout(MIXED, currency="chf"), MIXED, SETTINGS)
    with pytest.raises(UnequalAmountsError, match="add up to 53.80 USD, the payout is 1.00 USD"):
        map_payout(payout(MIXED, amount=100), MIXED, SETTINGS)
    with pytest.raises(UnequalAmountsError, match="no transaction"):
        map_payout(payout([]), [], SETTINGS)
