"""Refunds that change after they were created (Stripe's async refund test cards) and refund cancel, through the SDK."""

from __future__ import annotations

import pytest
import stripe
from billing_checks import all_problems
from billing_fixtures import DAY, T0, event_types

# T0 is a Thursday: 5 business days later is the next Thursday
FIVE_BUSINESS_DAYS = 7 * DAY


@pytest.fixture
def customer(sb):
    sb.freeze(T0)
    return sb.client.v1.customers.create(params={"name": "Refund Buyer", "email": "r@example.com"}).id


def paid(client, customer: str, payment_method: str, amount: int = 10000, currency: str = "usd") -> str:
    intent = client.v1.payment_intents.create(params={"amount": amount, "currency": currency, "customer": customer,
                                                      "payment_method": payment_method, "confirm": True})
    return intent.latest_charge


def test_refund_fails_later_and_gives_the_money_back(sb, customer):
    client = sb.client
    charge_id = paid(client, customer, "pm_card_refundFail")
    assert client.v1.charges.retrieve(charge_id).payment_method_details.card.last4 == "5126"
    refund = client.v1.refunds.create(params={"charge": charge_id, "amount": 4000,
                                              "expand": ["balance_transaction"]})
    assert refund.status == "succeeded" and "failure_reason" not in refund  # successful at first
    assert refund.balance_transaction.type == "refund" and refund.balance_transaction.amount == -4000
    assert client.v1.charges.retrieve(charge_id).amount_refunded == 4000

    sb.advance(FIVE_BUSINESS_DAYS - 60)
    assert client.v1.refunds.retrieve(refund.id).status == "succeeded"
    sb.advance(60)
    failed = client.v1.refunds.retrieve(refund.id, params={"expand": ["failure_balance_transaction"]})
    assert failed.status == "failed" and failed.failure_reason == "expired_or_canceled_card"
    back = failed.failure_balance_transaction
    assert (back.type, back.reporting_category, back.amount, back.fee, back.net) == (
        "refund_failure", "refund_failure", 4000, 0, 4000)
    assert back.source == refund.id and back.status == "available" and back.created == T0 + FIVE_BUSINESS_DAYS
    assert failed.balance_transaction == refund.balance_transaction.id  # the original stays
    charge = client.v1.charges.retrieve(charge_id)
    assert charge.amount_refunded == 0 and charge.refunded is False
    assert charge.refunds.data[0].status == "failed"

    events = list(reversed(client.v1.events.list(params={"limit": 100}).data))
    tail = [(e.type, e.data.object.object) for e in events[-4:]]
    assert tail == [("refund.updated", "refund"), ("refund.failed", "refund"), ("charge.refund.updated", "refund"),
                    ("charge.updated", "charge")]
    assert events[-4].data.previous_attributes.status == "succeeded"
    assert events[-1].data.previous_attributes.amount_refunded == 4000
    listed = client.v1.balance_transactions.list(params={"type": "refund_failure"}).data
    assert [t.id for t in listed] == [back.id]

    # the charge can be refunded again (and this refund fails too: same card)
    again = client.v1.refunds.create(params={"charge": charge_id})
    assert again.amount == 10000 and again.status == "succeeded"
    assert all_problems(sb.app) == []


def test_pending_refund_succeeds_later(sb, customer):
    client = sb.client
    charge_id = paid(client, customer, "pm_card_pendingRefund", amount=2500)
    refund = client.v1.refunds.create(params={"payment_intent": client.v1.charges.retrieve(charge_id).payment_intent})
    assert refund.status == "pending" and refund.pending_reason == "processing" and refund.amount == 2500
    assert client.v1.balance_transactions.retrieve(refund.balance_transaction).amount == -2500
    charge = client.v1.charges.retrieve(charge_id)
    assert charge.amount_refunded == 2500 and charge.refunded is True  # a pending refund counts as refunded
    with pytest.raises(stripe.InvalidRequestError) as err:
        client.v1.refunds.cancel(refund.id)  # pending is not requires_action
    assert "requires_action" in err.value.user_message and "pending" in err.value.user_message
    sb.advance(FIVE_BUSINESS_DAYS)
    settled = client.v1.refunds.retrieve(refund.id)
    assert settled.status == "succeeded" and "pending_reason" not in settled and "failure_reason" not in settled
    assert client.v1.charges.retrieve(charge_id).refunds.data[0].status == "succeeded"
    types = event_types(client)
    assert types[-3:] == ["refund.updated", "charge.refund.updated", "charge.updated"]
    assert "refund.failed" not in types
    assert all_problems(sb.app) == []


def test_dispute_fails_a_pending_refund(sb, customer):
    client = sb.client
    charge_id = paid(client, customer, "pm_card_pendingRefund", amount=9000)
    pending = client.v1.refunds.create(params={"charge": charge_id, "amount": 3000})
    opened = sb.raw("POST", "/_sandbox/disputes", json={"charge": charge_id})
    assert opened.status_code == 200, opened.text
    failed = client.v1.refunds.retrieve(pending.id)
    assert failed.status == "failed" and failed.failure_reason == "charge_for_pending_refund_disputed"
    assert opened.json()["amount"] == 9000  # the dispute takes the whole charge back
    sb.advance(FIVE_BUSINESS_DAYS)
    assert client.v1.refunds.retrieve(pending.id).status == "failed"  # the scheduled outcome does nothing now
    assert all_problems(sb.app) == []


def test_ordinary_refunds_cannot_be_canceled(sb, customer):
    client = sb.client
    refund = client.v1.refunds.create(params={"charge": paid(client, customer, "pm_card_visa")})
    with pytest.raises(stripe.InvalidRequestError) as err:
        client.v1.refunds.cancel(refund.id)
    assert err.value.http_status == 400 and "succeeded" in err.value.user_message
    sb.advance(30 * DAY)
    assert client.v1.refunds.retrieve(refund.id).status == "succeeded"  # ordinary card refunds never change


def test_refund_metadata_update_refreshes_the_charge_copy(sb, customer):
    client = sb.client
    charge_id = paid(client, customer, "pm_card_visa")
    refund = client.v1.refunds.create(params={"charge": charge_id, "amount": 100})
    client.v1.refunds.update(refund.id, params={"metadata": {"case": "x"}})
    assert client.v1.charges.retrieve(charge_id).refunds.data[0].metadata["case"] == "x"
    assert all_problems(sb.app) == []


def test_eur_refund_failure_returns_the_refunded_usd(sb, customer):
    client = sb.client
    eur = client.v1.customers.create(params={"name": "EU", "currency": "eur"}).id
    charge_id = paid(client, eur, "pm_card_refundFail", amount=5000, currency="eur")
    refund = client.v1.refunds.create(params={"charge": charge_id, "expand": ["balance_transaction"]})
    assert refund.balance_transaction.amount == -5400 and refund.balance_transaction.exchange_rate == 1.08
    sb.advance(FIVE_BUSINESS_DAYS)
    back = client.v1.balance_transactions.retrieve(client.v1.refunds.retrieve(refund.id).failure_balance_transaction)
    assert back.amount == 5400 and back.exchange_rate == 1.08 and back.currency == "usd"
    assert all_problems(sb.app) == []
