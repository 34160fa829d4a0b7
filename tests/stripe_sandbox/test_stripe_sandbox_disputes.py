"""Disputes through the official SDK: converted at the rate of their own day (not the charge's)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from billing_fixtures import DAY, T0, event_types


@pytest.fixture
def customer(sb):
    sb.freeze(T0)
    return sb.client.v1.customers.create(params={"name": "Euro Buyer", "currency": "eur"}).id


def charge_of(client, customer: str, amount: int, currency: str, payment_method: str = "pm_card_visa"):
    intent = client.v1.payment_intents.create(params={"amount": amount, "currency": currency, "customer": customer,
                                                      "payment_method": payment_method, "confirm": True})
    return client.v1.charges.retrieve(intent.latest_charge, params={"expand": ["balance_transaction"]})


def test_day_rates_are_deterministic_and_never_the_fixed_rate():
    from stripe_sandbox.billing import fx

    for currency in ("eur", "gbp", "jpy", "kwd", "krw"):
        for day in range(200):
            moment = T0 + day * DAY
            rate = fx.rate_on(currency, moment)
            drift = abs(rate / fx.rate(currency) - 1)
            assert rate == fx.rate_on(currency, moment - moment % DAY)  # one rate per UTC day
            assert Decimal("0.0049") < drift < Decimal("0.0300"), (currency, day, rate)
    assert fx.rate_on("usd", T0) == 1 and fx.convert_on(1234, "usd", T0) == (1234, None)
    assert len({fx.rate_on("eur", T0 + d * DAY) for d in range(30)}) > 20  # it moves from day to day


def test_fx_dispute_uses_the_rate_of_its_day(sb, customer):
    from stripe_sandbox.billing import fx

    client = sb.client
    charge = charge_of(client, customer, 10000, "eur")
    assert charge.balance_transaction.exchange_rate == 1.08 and charge.balance_transaction.amount == 10800

    sb.advance(3 * DAY)
    opened_at = T0 + 3 * DAY
    opened = sb.raw("POST", "/_sandbox/disputes", json={"charge": charge.id, "amount": 6000})
    assert opened.status_code == 200, opened.text
    dispute = client.v1.disputes.retrieve(opened.json()["id"])
    assert (dispute.amount, dispute.currency) == (6000, "eur")  # the dispute is in the charge's currency
    [withdrawal] = dispute.balance_transactions
    rate = fx.rate_on("eur", opened_at)
    assert withdrawal.currency == "usd" and Decimal(str(withdrawal.exchange_rate)) == rate != Decimal("1.08")
    assert withdrawal.amount == -fx.convert_on(6000, "eur", opened_at)[0] != -6480  # not the charge's 1.08
    assert (withdrawal.fee, withdrawal.net) == (1500, withdrawal.amount - 1500)

    sb.advance(2 * DAY)
    won = sb.raw("POST", f"/_sandbox/disputes/{dispute.id}/close", json={"status": "won"}).json()
    reversal = won["balance_transactions"][1]
    assert reversal["reporting_category"] == "dispute_reversal" and reversal["fee"] == -1500
    assert Decimal(str(reversal["exchange_rate"])) == fx.rate_on("eur", opened_at + 2 * DAY)
    assert reversal["exchange_rate"] != withdrawal.exchange_rate
    assert reversal["amount"] == fx.convert_on(6000, "eur", opened_at + 2 * DAY)[0]
    assert reversal["amount"] + withdrawal.amount != 0  # the won dispute leaves an FX difference in USD

    # a dispute on a USD charge is not converted
    usd = client.v1.customers.create(params={"name": "US Buyer"}).id
    usd_charge = charge_of(client, usd, 5000, "usd")
    plain = sb.raw("POST", "/_sandbox/disputes", json={"charge": usd_charge.id}).json()
    assert plain["balance_transactions"][0]["exchange_rate"] is None
    assert plain["balance_transactions"][0]["amount"] == -5000
    assert event_types(client, type="charge.dispute.*").count("charge.dispute.funds_withdrawn") == 2
