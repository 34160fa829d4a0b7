"""ACH Direct Debit (us_bank_account) through the official SDK: processing, settlement 4 business days
later, success and failure, on standalone payment intents and on invoices."""

from __future__ import annotations

import pytest
import stripe
from billing_fixtures import DAY, T0, catalog, event_types, one_off

# T0 is Thursday 2025-10-09 08:53:20 UTC: 4 business days later is Wednesday 2025-10-15, same time
SETTLES = T0 + 6 * DAY
MIDNIGHT_AFTER = 1_760_572_800  # Thursday 2025-10-16 00:00 UTC


@pytest.fixture
def cat(sb):
    sb.freeze(T0)
    return catalog(sb.client)


def ach_intent(client, customer: str | None, method: str, amount: int = 10000, **extra):
    params = {"amount": amount, "currency": "usd", "payment_method": method, "confirm": True,
              "payment_method_types": ["us_bank_account"], **extra}
    if customer:
        params["customer"] = customer
    return client.v1.payment_intents.create(params=params)


def test_settlement_instant_is_four_business_days_later():
    from stripe_sandbox.billing import settlement

    assert settlement.ach_settles_at(T0) == SETTLES  # Thu -> Fri, Mon, Tue, Wed
    assert settlement.ach_available_on(T0) == MIDNIGHT_AFTER
    saturday = T0 + 2 * DAY
    assert settlement.ach_settles_at(saturday) == T0 + 7 * DAY  # Mon, Tue, Wed, Thu
    assert settlement.ach_settles_at(T0 + DAY) == T0 + 7 * DAY  # Friday -> Thursday


def test_standalone_payment_is_processing_then_succeeds(sb, cat):
    client = sb.client
    pi = ach_intent(client, cat.customer, "pm_usBankAccount_success", description="Order 7")
    assert pi.status == "processing" and pi.amount_received == 0 and pi.latest_charge.startswith("py_")
    assert pi.payment_method == "pm_usBankAccount_success" and pi.payment_method_types == ["us_bank_account"]
    charge = client.v1.charges.retrieve(pi.latest_charge, params={"expand": ["balance_transaction"]})
    assert charge.status == "pending" and charge.paid is False and charge.captured is True
    assert charge.failure_code is None and charge.description == "Order 7"
    details = charge.payment_method_details
    assert details.type == "us_bank_account" and "card" not in details
    assert details.us_bank_account.last4 == "6789" and details.us_bank_account.routing_number == "110000000"
    assert details.us_bank_account.bank_name == "STRIPE TEST BANK"
    assert details.us_bank_account.account_type == "checking"
    assert details.us_bank_account.account_holder_type == "individual"
    assert details.us_bank_account.expected_debit_date == "2025-10-09"
    txn = charge.balance_transaction
    assert txn.type == "payment" and txn.status == "pending" and txn.reporting_category == "charge"
    assert (txn.amount, txn.fee, txn.net) == (10000, 80, 9920)  # 0.8 %
    assert txn.available_on == MIDNIGHT_AFTER and txn.source == charge.id
    assert event_types(client)[-2:] == ["charge.pending", "payment_intent.processing"]
    balance = client.v1.balance.retrieve()
    assert balance.pending[0].source_types.bank_account == 9920

    sb.advance(SETTLES - T0 - 1)
    assert client.v1.payment_intents.retrieve(pi.id).status == "processing"
    sb.advance(1)
    pi = client.v1.payment_intents.retrieve(pi.id)
    assert pi.status == "succeeded" and pi.amount_received == 10000
    charge = client.v1.charges.retrieve(pi.latest_charge)
    assert charge.status == "succeeded" and charge.paid is True
    assert event_types(client)[-2:] == ["charge.succeeded", "payment_intent.succeeded"]
    succeeded = client.v1.events.list(params={"type": "charge.succeeded"}).data[0]
    assert succeeded.created == SETTLES

    sb.advance(MIDNIGHT_AFTER - SETTLES)
    payout = client.v1.payouts.list().data[0]
    rows = client.v1.balance_transactions.list(params={"payout": payout.id, "limit": 100}).data
    assert charge.balance_transaction in {r.id for r in rows}
    assert payout.amount == sum(r.net for r in rows if r.type != "payout")


def test_alias_and_processing_forever(sb, cat):
    client = sb.client
    alias = ach_intent(client, cat.customer, "pm_usBankAccount")
    stuck = ach_intent(client, cat.customer, "pm_usBankAccount_processing")
    sb.advance(20 * DAY)
    assert client.v1.payment_intents.retrieve(alias.id).status == "succeeded"
    stuck = client.v1.payment_intents.retrieve(stuck.id)
    assert stuck.status == "processing"
    charge = client.v1.charges.retrieve(stuck.latest_charge, params={"expand": ["balance_transaction"]})
    assert charge.status == "pending" and charge.balance_transaction.status == "pending"
    assert charge.payment_method_details.us_bank_account.last4 == "0009"
    paid_out = {r.source for p in client.v1.payouts.list().data
                for r in client.v1.balance_transactions.list(params={"payout": p.id, "limit": 100}).data}
    assert charge.id not in paid_out and alias.latest_charge in paid_out
    with pytest.raises(stripe.InvalidRequestError, match="status of processing"):
        client.v1.payment_intents.cancel(stuck.id)


@pytest.mark.parametrize("method, code, message", [
    ("pm_usBankAccount_accountClosed", "account_closed", "The customer's bank account has been closed."),
    ("pm_usBankAccount_noAccount", "no_account", "The bank account could not be located."),
    ("pm_usBankAccount_insufficientFunds", "insufficient_funds",
     "The customer's account has insufficient funds to cover this payment."),
    ("pm_usBankAccount_debitNotAuthorized", "debit_not_authorized",
     "The customer has notified their bank that this payment was unauthorized."),
])
def test_failure_reverses_the_payment(sb, cat, method, code, message):
    client = sb.client
    pi = ach_intent(client, cat.customer, method, amount=90000)  # fee capped at 5.00
    sb.advance(5 * DAY)  # Tuesday: this card charge becomes available with the ACH payment (Thursday 00:00)
    card = client.v1.payment_intents.create(params={"amount": 2000, "currency": "usd", "customer": cat.customer,
                                                    "payment_method": "pm_card_visa", "confirm": True})
    sb.advance(SETTLES - T0 - 5 * DAY)
    pi = client.v1.payment_intents.retrieve(pi.id)
    assert pi.status == "requires_payment_method" and pi.payment_method is None
    error = pi.last_payment_error
    assert (error.code, error.message, error.type) == (code, message, "card_error")
    assert error.payment_method_type == "us_bank_account" and error.charge == pi.latest_charge
    charge = client.v1.charges.retrieve(pi.latest_charge,
                                        params={"expand": ["balance_transaction", "failure_balance_transaction"]})
    assert charge.status == "failed" and charge.paid is False
    assert (charge.failure_code, charge.failure_message) == (code, message)
    payment, reversal = charge.balance_transaction, charge.failure_balance_transaction
    assert (payment.type, payment.amount, payment.fee, payment.net) == ("payment", 90000, 500, 89500)
    assert (reversal.type, reversal.reporting_category) == ("payment_failure_refund", "charge_failure")
    assert (reversal.amount, reversal.fee, reversal.net) == (-90000, -500, -89500)
    assert reversal.fee_details[0].amount == -500 and reversal.source == charge.id
    assert reversal.available_on == payment.available_on == MIDNIGHT_AFTER
    types = event_types(client)
    assert types[-2:] == ["charge.failed", "payment_intent.payment_failed"]
    assert "charge.succeeded" in types and types.count("charge.pending") == 1

    sb.advance(MIDNIGHT_AFTER - SETTLES)
    payout = client.v1.payouts.list().data[0]
    assert payout.created == MIDNIGHT_AFTER
    rows = client.v1.balance_transactions.list(params={"payout": payout.id, "limit": 100}).data
    ours = [r for r in rows if r.source == charge.id]
    assert {r.type for r in ours} == {"payment", "payment_failure_refund"} and sum(r.net for r in ours) == 0
    card_net = client.v1.charges.retrieve(card.latest_charge, params={"expand": ["balance_transaction"]}) \
        .balance_transaction.net
    assert payout.amount == card_net == sum(r.net for r in rows if r.type != "payout")
    # the intent can be confirmed again with another method
    again = client.v1.payment_intents.confirm(pi.id, params={"payment_method": "pm_card_visa"})
    assert again.status == "succeeded"


def test_refused_tokens_and_currencies(sb, cat):
    client = sb.client
    with pytest.raises(stripe.InvalidRequestError, match="does not model"):
        ach_intent(client, cat.customer, "pm_usBankAccount_dispute")
    with pytest.raises(stripe.InvalidRequestError, match="Payments with us_bank_account support"):
        client.v1.payment_intents.create(params={"amount": 1000, "currency": "eur", "customer": cat.customer,
                                                 "payment_method": "pm_usBankAccount_success", "confirm": True})
    with pytest.raises(stripe.InvalidRequestError, match="not allowed for this PaymentIntent"):
        client.v1.payment_intents.create(params={"amount": 1000, "currency": "usd", "customer": cat.customer,
                                                 "payment_method": "pm_usBankAccount_success", "confirm": True,
                                                 "payment_method_types": ["card"]})


def test_refund_after_success_only(sb, cat):
    client = sb.client
    pi = ach_intent(client, cat.customer, "pm_usBankAccount_success")
    with pytest.raises(stripe.InvalidRequestError, match="does not have a successful charge"):
        client.v1.refunds.create(params={"payment_intent": pi.id})
    with pytest.raises(stripe.InvalidRequestError, match="has not succeeded"):
        client.v1.refunds.create(params={"charge": pi.latest_charge})
    sb.advance(SETTLES - T0)
    refund = client.v1.refunds.create(params={"charge": pi.latest_charge, "amount": 2500,
                                              "expand": ["balance_transaction"]})
    assert refund.balance_transaction.type == "payment_refund" and refund.balance_transaction.amount == -2500
    assert refund.destination_details.type == "us_bank_transfer"


def test_invoice_paid_by_ach_stays_open_until_settled(sb, cat):
    client = sb.client
    invoice = one_off(client, cat.customer, [{"pricing": {"price": cat.one_time_usd}}])
    client.v1.invoices.finalize_invoice(invoice.id)
    paid = client.v1.invoices.pay(invoice.id, params={"payment_method": "pm_usBankAccount_success",
                                                       "expand": ["payments.data.payment.payment_intent"]})
    assert paid.status == "open" and paid.amount_paid == 0 and paid.amount_remaining == 10000
    assert paid.attempt_count == 1 and paid.attempted is True and paid.next_payment_attempt is None
    payment = paid.payments.data[0]
    assert payment.status == "open" and payment.amount_paid is None
    assert payment.payment.payment_intent.status == "processing"
    charge = client.v1.charges.retrieve(payment.payment.payment_intent.latest_charge,
                                        params={"expand": ["balance_transaction"]})
    assert charge.status == "pending" and charge.balance_transaction.status == "pending"
    for call, what in ((lambda: client.v1.invoices.pay(invoice.id), "pay it again"),
                       (lambda: client.v1.invoices.void_invoice(invoice.id), "void it"),
                       (lambda: client.v1.invoices.mark_uncollectible(invoice.id), "mark it uncollectible"),
                       (lambda: client.v1.credit_notes.create(params={"invoice": invoice.id, "amount": 100}),
                        "issue a credit note")):
        with pytest.raises(stripe.InvalidRequestError, match=what):
            call()
    assert event_types(client, type="invoice.*")[-1] == "invoice.updated"

    sb.advance(SETTLES - T0)
    done = client.v1.invoices.retrieve(invoice.id, params={"expand": ["payments"]})
    assert done.status == "paid" and done.amount_paid == 10000 and done.amount_remaining == 0
    assert done.status_transitions.paid_at == SETTLES
    assert done.payments.data[0].status == "paid" and done.payments.data[0].amount_paid == 10000
    types = event_types(client)
    tail = types[types.index("charge.succeeded"):]
    assert tail == ["charge.succeeded", "payment_intent.succeeded", "invoice_payment.paid", "invoice.updated",
                    "invoice.paid", "invoice.payment_succeeded"]


def test_automatic_ach_failure_leaves_invoice_open_and_retries(sb, cat):
    client = sb.client
    client.v1.customers.update(cat.customer, params={
        "invoice_settings": {"default_payment_method": "pm_usBankAccount_insufficientFunds"}})
    invoice = one_off(client, cat.customer, [{"amount": 4200, "currency": "usd"}], auto_advance=True)
    sb.advance(3600)  # auto-finalized and charged
    invoice = client.v1.invoices.retrieve(invoice.id)
    assert invoice.status == "open" and invoice.attempt_count == 1
    sb.advance(6 * DAY)
    invoice = client.v1.invoices.retrieve(invoice.id, params={"expand": ["payments"]})
    assert invoice.status == "open" and invoice.amount_paid == 0
    assert invoice.payments.data[0].status == "open"
    assert invoice.next_payment_attempt == T0 + 3600 + 6 * DAY + DAY  # retried a day after the failure
    failed = client.v1.events.list(params={"type": "invoice.payment_failed"}).data
    assert len(failed) == 1 and failed[0].created == T0 + 3600 + 6 * DAY
    charges = client.v1.charges.list(params={"customer": cat.customer}).data
    assert [c.status for c in charges] == ["failed"] and charges[0].failure_code == "insufficient_funds"


def test_subscription_stays_incomplete_while_its_first_payment_processes(sb, cat):
    client = sb.client
    client.v1.customers.update(cat.customer, params={
        "invoice_settings": {"default_payment_method": "pm_usBankAccount_success"}})
    sub = client.v1.subscriptions.create(params={"customer": cat.customer, "items": [{"price": cat.monthly_usd}]})
    assert sub.status == "incomplete"
    sb.advance(2 * DAY)  # past the 23 hours an unpaid first invoice is given
    assert client.v1.subscriptions.retrieve(sub.id).status == "incomplete"
    sb.advance(4 * DAY)
    sub = client.v1.subscriptions.retrieve(sub.id)
    assert sub.status == "active" and client.v1.invoices.retrieve(sub.latest_invoice).status == "paid"
