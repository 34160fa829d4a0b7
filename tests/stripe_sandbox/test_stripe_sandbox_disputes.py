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


def test_inquiry_withdraws_nothing_and_can_be_answered(sb, customer):
    client = sb.client
    usd = client.v1.customers.create(params={"name": "Amex Buyer"}).id
    intent = client.v1.payment_intents.create(params={"amount": 4200, "currency": "usd", "customer": usd,
                                                      "payment_method": "pm_card_createDisputeInquiry",
                                                      "confirm": True})
    [inquiry] = client.v1.disputes.list(params={"payment_intent": intent.id}).data
    assert inquiry.status == "warning_needs_response" and inquiry.balance_transactions == []
    assert inquiry.is_charge_refundable is True and inquiry.reason == "fraudulent"
    assert inquiry.payment_method_details.card.case_type == "inquiry"
    assert inquiry.evidence_details.due_by == T0 + 7 * DAY
    charge = client.v1.charges.retrieve(intent.latest_charge)
    assert charge.disputed is True and charge.payment_method_details.card.last4 == "1976"
    assert event_types(client, type="charge.dispute.*") == ["charge.dispute.created"]  # no funds_withdrawn
    assert [t.type for t in client.v1.balance_transactions.list(params={"limit": 100}).data] == ["charge"]

    answered = client.v1.disputes.update(inquiry.id, params={"evidence": {
        "uncategorized_text": "winning_evidence: signed delivery receipt"}})
    assert answered.status == "warning_under_review" and answered.evidence_details.submission_count == 1
    sb.advance(DAY)
    closed = client.v1.disputes.retrieve(inquiry.id)
    assert closed.status == "warning_closed" and closed.balance_transactions == []
    assert event_types(client, type="charge.dispute.*") == ["charge.dispute.created", "charge.dispute.updated",
                                                            "charge.dispute.closed"]


def test_inquiry_outcomes_move_no_money(sb, customer):
    client = sb.client
    usd = client.v1.customers.create(params={"name": "Buyer"}).id
    outcomes = {}
    for status in ("won", "lost", "warning_closed"):
        charge = charge_of(client, usd, 3000, "usd")
        opened = sb.raw("POST", "/_sandbox/disputes", json={"charge": charge.id, "inquiry": True}).json()
        assert opened["status"] == "warning_needs_response" and opened["balance_transactions"] == []
        decided = sb.raw("POST", f"/_sandbox/disputes/{opened['id']}/close", json={"status": status})
        assert decided.status_code == 200, decided.text
        outcomes[status] = decided.json()
    for status, dispute in outcomes.items():
        assert dispute["status"] == status and dispute["balance_transactions"] == []
    accepted_charge = charge_of(client, usd, 3000, "usd")
    accepted = sb.raw("POST", "/_sandbox/disputes", json={"charge": accepted_charge.id, "inquiry": "true"}).json()
    assert client.v1.disputes.close(accepted["id"]).status == "lost"
    assert client.v1.disputes.retrieve(accepted["id"]).balance_transactions == []
    types = {t.type for t in client.v1.balance_transactions.list(params={"limit": 100}).data}
    assert types == {"charge"}  # no adjustment: nothing was withdrawn or reinstated
    events = event_types(client, type="charge.dispute.*")
    assert events.count("charge.dispute.closed") == 4 and "charge.dispute.funds_withdrawn" not in events
    # a chargeback cannot be closed as warning_closed
    chargeback = sb.raw("POST", "/_sandbox/disputes", json={"charge": charge_of(client, usd, 3000, "usd").id}).json()
    refused = sb.raw("POST", f"/_sandbox/disputes/{chargeback['id']}/close", json={"status": "warning_closed"})
    assert refused.status_code == 400 and refused.json()["error"]["param"] == "status"


def test_full_refund_resolves_an_inquiry_partial_does_not(sb, customer):
    client = sb.client
    usd = client.v1.customers.create(params={"name": "Buyer"}).id
    charge = charge_of(client, usd, 5000, "usd")
    inquiry = sb.raw("POST", "/_sandbox/disputes", json={"charge": charge.id, "inquiry": True}).json()
    client.v1.refunds.create(params={"charge": charge.id, "amount": 2000})  # an inquiry does not block refunds
    assert client.v1.disputes.retrieve(inquiry["id"]).status == "warning_needs_response"
    client.v1.refunds.create(params={"charge": charge.id})
    resolved = client.v1.disputes.retrieve(inquiry["id"])
    assert resolved.status == "warning_closed" and resolved.balance_transactions == []
    assert resolved.is_charge_refundable is False


def test_inquiry_escalates_to_a_chargeback(sb, customer):
    from stripe_sandbox.billing import fx

    client = sb.client
    charge = charge_of(client, customer, 8000, "eur")
    ignored = sb.raw("POST", "/_sandbox/disputes", json={"charge": charge.id, "inquiry": True}).json()
    sb.advance(7 * DAY)  # unanswered by due_by: the issuer escalates it
    escalated = client.v1.disputes.retrieve(ignored["id"])
    assert escalated.status == "needs_response" and escalated.payment_method_details.card.case_type == "chargeback"
    assert escalated.is_charge_refundable is False and escalated.evidence_details.due_by == T0 + 14 * DAY
    [withdrawal] = escalated.balance_transactions
    assert withdrawal.reporting_category == "dispute" and withdrawal.fee == 1500
    assert withdrawal.amount == -fx.convert_on(8000, "eur", T0 + 7 * DAY)[0]  # converted on the escalation day
    with pytest.raises(Exception) as err:
        client.v1.refunds.create(params={"charge": charge.id})
    assert getattr(err.value, "code", None) == "charge_disputed"
    sb.advance(7 * DAY)
    assert client.v1.disputes.retrieve(ignored["id"]).status == "lost"  # then unanswered as a chargeback

    answered = charge_of(client, customer, 3000, "eur")
    inquiry = sb.raw("POST", "/_sandbox/disputes", json={"charge": answered.id, "inquiry": True}).json()
    client.v1.disputes.update(inquiry["id"], params={"evidence": {"uncategorized_text": "losing_evidence"}})
    sb.advance(DAY)
    assert client.v1.disputes.retrieve(inquiry["id"]).status == "needs_response"  # refuted: escalated
    manual = charge_of(client, customer, 3000, "eur")
    inquiry = sb.raw("POST", "/_sandbox/disputes", json={"charge": manual.id, "inquiry": True}).json()
    escalated = sb.raw("POST", f"/_sandbox/disputes/{inquiry['id']}/escalate", json={})
    assert escalated.status_code == 200 and escalated.json()["status"] == "needs_response"
    again = sb.raw("POST", f"/_sandbox/disputes/{inquiry['id']}/escalate", json={})
    assert again.status_code == 400
    types = event_types(client, type="charge.dispute.*")
    assert types.count("charge.dispute.funds_withdrawn") == 3 and types.count("charge.dispute.created") == 3


def test_bank_debits_cannot_be_disputed_here(sb, customer):
    client = sb.client
    usd = client.v1.customers.create(params={"name": "ACH Buyer"}).id
    intent = client.v1.payment_intents.create(params={"amount": 3000, "currency": "usd", "customer": usd,
                                                      "payment_method": "pm_usBankAccount_success", "confirm": True})
    sb.advance(6 * DAY)
    assert client.v1.charges.retrieve(intent.latest_charge).status == "succeeded"
    refused = sb.raw("POST", "/_sandbox/disputes", json={"charge": intent.latest_charge})
    assert refused.status_code == 400 and "card payments only" in refused.json()["error"]["message"]
