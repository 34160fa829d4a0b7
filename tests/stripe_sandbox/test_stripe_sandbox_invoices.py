"""Invoices, payments, credit notes, refunds, disputes and payouts through the official SDK."""

from __future__ import annotations

import pytest
import stripe
from billing_fixtures import DAY, T0, catalog, event_types, one_off, paid_charge


@pytest.fixture
def cat(sb):
    sb.freeze(T0)
    return catalog(sb.client)


def test_one_off_invoice_lifecycle(sb, cat):
    client = sb.client
    invoice = one_off(client, cat.customer, [{"pricing": {"price": cat.one_time_usd}, "quantity": 2,
                                              "tax_rates": [cat.vat]},
                                             {"amount": 1234, "currency": "usd", "description": "Setup"}],
                      discounts=[{"coupon": cat.pct20}], description="October")
    assert invoice.status == "draft" and invoice.number is None
    assert invoice.subtotal == 21234
    first = invoice.lines.data[0]
    assert first.discount_amounts[0].amount == 4000 and first.taxes[0].amount == 3040  # 19% of 16000
    assert invoice.total == 21234 - 4000 - 247 + 3040  # the setup line is discounted too (20% of 1234 = 246.8)
    assert invoice.amount_due == invoice.total and invoice.auto_advance is False
    invoice = client.v1.invoices.update(invoice.id, params={"footer": "Thanks", "metadata": {"po": "42"}})
    assert invoice.footer == "Thanks" and invoice.metadata["po"] == "42"

    invoice = client.v1.invoices.finalize_invoice(invoice.id, params={"expand": ["payments"]})
    assert invoice.status == "open" and invoice.number.endswith("-0001")
    assert invoice.status_transitions.finalized_at == T0 and invoice.payments.data[0].status == "open"
    assert invoice.attempt_count == 0
    paid = client.v1.invoices.pay(invoice.id)
    assert paid.status == "paid" and paid.amount_paid == paid.amount_due and paid.amount_remaining == 0
    assert paid.status_transitions.paid_at == T0 and paid.attempt_count == 1
    charge = paid_charge(client, invoice.id)
    assert charge.amount == paid.total and charge.status == "succeeded" and charge.customer == cat.customer
    assert "charge" not in paid and "payment_intent" not in paid and "paid" not in paid  # basil: gone
    types = event_types(client, type="invoice.*")
    assert types == ["invoice.created", "invoice.updated", "invoice.finalized", "invoice.updated", "invoice.paid",
                     "invoice.payment_succeeded"]
    assert {"charge.succeeded", "payment_intent.succeeded", "invoice_payment.paid"} <= set(event_types(client))


def test_decline_then_pay_with_another_card(sb, cat):
    client = sb.client
    invoice = one_off(client, cat.customer, [{"pricing": {"price": cat.one_time_usd}}])
    client.v1.invoices.finalize_invoice(invoice.id)
    with pytest.raises(stripe.CardError) as err:
        client.v1.invoices.pay(invoice.id, params={"payment_method": "pm_card_chargeDeclinedInsufficientFunds"})
    assert err.value.http_status == 402 and err.value.code == "card_declined"
    assert err.value.error.decline_code == "insufficient_funds" and err.value.error.charge.startswith("ch_")
    failed = client.v1.invoices.retrieve(invoice.id, params={"expand": ["payments"]})
    assert failed.status == "open" and failed.attempt_count == 1 and failed.amount_paid == 0
    assert client.v1.charges.retrieve(err.value.error.charge).status == "failed"
    pi = client.v1.payment_intents.retrieve(failed.payments.data[0].payment.payment_intent)
    assert pi.status == "requires_payment_method" and pi.last_payment_error.decline_code == "insufficient_funds"
    paid = client.v1.invoices.pay(invoice.id, params={"payment_method": "pm_card_mastercard"})
    assert paid.status == "paid" and paid.attempt_count == 2
    assert paid_charge(client, invoice.id).payment_method_details.card.brand == "mastercard"
    types = event_types(client)
    assert types.index("invoice.payment_failed") < types.index("invoice.paid")
    assert types.count("charge.failed") == 1 and types.count("charge.succeeded") == 1


def test_void_uncollectible_and_paid_out_of_band(sb, cat):
    client = sb.client
    voided = one_off(client, cat.customer, [{"amount": 500, "currency": "usd"}])
    client.v1.invoices.finalize_invoice(voided.id)
    voided = client.v1.invoices.void_invoice(voided.id, params={"expand": ["payments"]})
    assert voided.status == "void" and voided.status_transitions.voided_at == T0
    assert voided.payments.data[0].status == "canceled"
    assert client.v1.payment_intents.retrieve(voided.payments.data[0].payment.payment_intent).status == "canceled"
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.invoices.pay(voided.id)

    bad = one_off(client, cat.customer, [{"amount": 700, "currency": "usd"}], collection_method="send_invoice",
                  days_until_due=10)
    bad = client.v1.invoices.finalize_invoice(bad.id)
    assert bad.due_date == T0 + 10 * DAY
    bad = client.v1.invoices.mark_uncollectible(bad.id)
    assert bad.status == "uncollectible" and bad.status_transitions.marked_uncollectible_at == T0
    recovered = client.v1.invoices.pay(bad.id, params={"paid_out_of_band": True})
    assert recovered.status == "paid" and recovered.amount_paid_off_stripe == 700 and recovered.amount_paid == 700
    assert client.v1.charges.list().data == []
    assert "invoice.voided" in event_types(client) and "invoice.marked_uncollectible" in event_types(client)


def test_zero_and_negative_invoices_and_the_customer_balance(sb, cat):
    client = sb.client
    zero = client.v1.invoices.finalize_invoice(one_off(client, cat.customer, [{"amount": 0, "currency": "usd"}]).id,
                                               params={"expand": ["payments"]})
    assert zero.status == "paid" and zero.amount_due == 0 and zero.payments.data == []
    negative = one_off(client, cat.customer, [{"amount": 2000, "currency": "usd"},
                                              {"amount": -5000, "currency": "usd", "description": "Credit"}])
    negative = client.v1.invoices.finalize_invoice(negative.id)
    assert (negative.total, negative.amount_due, negative.status) == (-3000, 0, "paid")
    assert (negative.starting_balance, negative.ending_balance) == (0, -3000)
    assert client.v1.customers.retrieve(cat.customer).balance == -3000
    later = client.v1.invoices.finalize_invoice(one_off(client, cat.customer, [{"amount": 5000, "currency": "usd"}]).id,
                                                params={"auto_advance": True})
    assert (later.total, later.amount_due, later.amount_paid, later.status) == (5000, 2000, 2000, "paid")
    assert (later.starting_balance, later.ending_balance) == (-3000, 0)
    txns = client.v1.customers.balance_transactions.list(cat.customer).data
    assert [(t.type, t.amount, t.ending_balance) for t in txns] == [("applied_to_invoice", 3000, 0),
                                                                    ("applied_to_invoice", -3000, -3000)]


@pytest.mark.parametrize("balance", [-3000, 2500])
def test_voiding_gives_the_applied_balance_back(sb, cat, balance):
    """Since API 2019-12-03 a voided invoice returns the credit or debit balance it applied."""
    client = sb.client
    customer = client.v1.customers.create(params={"name": "Balance", "balance": balance}).id
    invoice = client.v1.invoices.finalize_invoice(one_off(client, customer, [{"amount": 5000, "currency": "usd"}]).id)
    assert (invoice.starting_balance, invoice.ending_balance, invoice.amount_due) == (balance, 0, 5000 + balance)
    assert client.v1.customers.retrieve(customer).balance == 0
    voided = client.v1.invoices.void_invoice(invoice.id)
    assert voided.status == "void" and (voided.starting_balance, voided.ending_balance) == (balance, 0)
    assert client.v1.customers.retrieve(customer).balance == balance
    txns = client.v1.customers.balance_transactions.list(customer).data
    assert [(t.type, t.amount, t.ending_balance, t.invoice) for t in txns][0] == \
        ("unapplied_from_invoice", balance, balance, invoice.id)
    assert "customer.updated" in event_types(client)


def test_an_amount_due_below_the_minimum_charge_moves_to_the_balance(sb, cat):
    client = sb.client
    customer = client.v1.customers.create(params={"name": "Small"}).id
    small = client.v1.invoices.finalize_invoice(one_off(client, customer, [{"amount": 30, "currency": "usd"}]).id,
                                                params={"expand": ["payments"]})
    assert (small.status, small.total, small.amount_due, small.amount_paid) == ("paid", 30, 0, 0)
    assert (small.starting_balance, small.ending_balance, small.payments.data) == (0, 30, [])
    assert client.v1.customers.retrieve(customer).balance == 30
    txns = client.v1.customers.balance_transactions.list(customer).data
    assert [(t.type, t.amount, t.invoice) for t in txns] == [("invoice_too_small", 30, small.id)]
    nxt = client.v1.invoices.finalize_invoice(one_off(client, customer, [{"amount": 1000, "currency": "usd"}]).id)
    assert (nxt.starting_balance, nxt.ending_balance, nxt.amount_due) == (30, 0, 1030)


def test_minimum_charges_per_currency():
    from stripe_sandbox.billing.minimums import below_minimum_charge

    assert below_minimum_charge(49, "usd") and not below_minimum_charge(50, "usd")
    assert below_minimum_charge(29, "gbp") and not below_minimum_charge(30, "GBP")
    assert below_minimum_charge(49, "jpy") and not below_minimum_charge(50, "jpy")
    assert not below_minimum_charge(0, "usd") and not below_minimum_charge(-10, "usd")
    assert below_minimum_charge(100, "kwd") and not below_minimum_charge(200, "kwd")  # 0.50 USD is ~0.153 KWD


def test_credit_notes_on_open_invoice(sb, cat):
    client = sb.client
    invoice = one_off(client, cat.customer, [{"pricing": {"price": cat.one_time_usd}, "quantity": 4,
                                              "tax_rates": [cat.vat]}], collection_method="send_invoice",
                      days_until_due=30)
    invoice = client.v1.invoices.finalize_invoice(invoice.id)
    line = invoice.lines.data[0]
    note = client.v1.credit_notes.create(params={"invoice": invoice.id, "reason": "order_change", "lines": [
        {"type": "invoice_line_item", "invoice_line_item": line.id, "quantity": 1}]})
    assert (note.amount, note.subtotal, note.type, note.pre_payment_amount) == (11900, 10000, "pre_payment", 11900)
    assert note.lines.data[0].taxes[0].amount == 1900 and note.number == f"{invoice.number}-CN-01"
    invoice = client.v1.invoices.retrieve(invoice.id, params={"expand": ["payments"]})
    assert (invoice.amount_due, invoice.amount_remaining, invoice.pre_payment_credit_notes_amount) == \
        (47600 - 11900, 47600 - 11900, 11900)
    assert [p.status for p in invoice.payments.data] == ["canceled", "open"]
    voided = client.v1.credit_notes.void_credit_note(note.id)
    assert voided.status == "void" and client.v1.invoices.retrieve(invoice.id).amount_due == 47600
    rest = client.v1.credit_notes.create(params={"invoice": invoice.id, "amount": 47600})
    assert rest.lines.data[0].type == "custom_line_item"
    assert client.v1.invoices.retrieve(invoice.id).status == "paid"  # fully credited before payment
    with pytest.raises(stripe.InvalidRequestError) as err:
        client.v1.credit_notes.create(params={"invoice": invoice.id, "amount": 1})
    assert err.value.code == "credit_note_amount_too_large"


def test_credit_notes_on_paid_invoice_refund_and_credit(sb, cat):
    client = sb.client
    invoice = one_off(client, cat.customer, [{"pricing": {"price": cat.one_time_usd}, "quantity": 2}])
    invoice = client.v1.invoices.finalize_invoice(invoice.id, params={"auto_advance": True})
    assert invoice.status == "paid"
    line = invoice.lines.data[0]
    with pytest.raises(stripe.InvalidRequestError):  # must add up
        client.v1.credit_notes.create(params={"invoice": invoice.id, "refund_amount": 100, "lines": [
            {"type": "invoice_line_item", "invoice_line_item": line.id, "quantity": 1}]})
    preview = client.v1.credit_notes.preview(params={"invoice": invoice.id, "refund_amount": 6000,
                                                     "credit_amount": 4000, "lines": [
                                                         {"type": "invoice_line_item", "invoice_line_item": line.id,
                                                          "quantity": 1}]})
    assert preview.amount == 10000 and preview.post_payment_amount == 10000
    assert client.v1.credit_notes.list().data == []
    note = client.v1.credit_notes.create(params={"invoice": invoice.id, "refund_amount": 6000, "credit_amount": 4000,
                                                 "lines": [{"type": "invoice_line_item", "invoice_line_item": line.id,
                                                            "quantity": 1}],
                                                 "expand": ["refunds.refund", "customer_balance_transaction"]})
    assert note.type == "post_payment" and note.refunds[0].refund.amount == 6000
    assert note.customer_balance_transaction.amount == -4000
    assert client.v1.customers.retrieve(cat.customer).balance == -4000
    charge = paid_charge(client, invoice.id)
    assert charge.amount_refunded == 6000 and charge.refunded is False
    invoice = client.v1.invoices.retrieve(invoice.id)
    assert invoice.post_payment_credit_notes_amount == 10000 and invoice.amount_paid == 20000


def test_refunds_full_partial_and_limits(sb, cat):
    client = sb.client
    invoice = client.v1.invoices.finalize_invoice(
        one_off(client, cat.customer, [{"pricing": {"price": cat.one_time_usd}}]).id, params={"auto_advance": True})
    charge = paid_charge(client, invoice.id)
    partial = client.v1.refunds.create(params={"charge": charge.id, "amount": 2500, "reason": "requested_by_customer"})
    assert partial.status == "succeeded" and partial.payment_intent == charge.payment_intent
    with pytest.raises(stripe.InvalidRequestError) as err:
        client.v1.refunds.create(params={"charge": charge.id, "amount": 7501})
    assert err.value.code == "amount_too_large"
    rest = client.v1.refunds.create(params={"payment_intent": charge.payment_intent,
                                            "expand": ["balance_transaction", "charge"]})
    assert rest.amount == 7500 and rest.charge.refunded is True and rest.charge.amount_refunded == 10000
    assert (rest.balance_transaction.amount, rest.balance_transaction.fee) == (-7500, 0)
    assert rest.balance_transaction.reporting_category == "refund"
    with pytest.raises(stripe.InvalidRequestError) as err:
        client.v1.refunds.create(params={"charge": charge.id})
    assert err.value.code == "charge_already_refunded"
    assert event_types(client).count("charge.refunded") == 2
    assert [r.amount for r in client.v1.refunds.list(params={"charge": charge.id}).data] == [7500, 2500]
    refreshed = client.v1.charges.retrieve(charge.id)
    assert [r.id for r in refreshed.refunds.data] == [rest.id, partial.id]


def test_disputes_won_and_lost(sb, cat):
    client = sb.client
    charges = []
    for _ in range(3):
        invoice = client.v1.invoices.finalize_invoice(
            one_off(client, cat.customer, [{"pricing": {"price": cat.one_time_usd}}]).id, params={"auto_advance": True})
        charges.append(paid_charge(client, invoice.id).id)
    opened = sb.raw("POST", "/_sandbox/disputes", json={"charge": charges[0], "reason": "product_not_received"})
    assert opened.status_code == 200, opened.text
    dispute = client.v1.disputes.retrieve(opened.json()["id"], params={"expand": ["charge"]})
    assert dispute.status == "needs_response" and dispute.charge.disputed is True
    withdrawal = dispute.balance_transactions[0]
    assert (withdrawal.amount, withdrawal.fee, withdrawal.net) == (-10000, 1500, -11500)
    assert (withdrawal.type, withdrawal.reporting_category) == ("adjustment", "dispute")
    with pytest.raises(stripe.InvalidRequestError) as err:
        client.v1.refunds.create(params={"charge": charges[0]})
    assert err.value.code == "charge_disputed"
    won = sb.raw("POST", f"/_sandbox/disputes/{dispute.id}/close", json={"status": "won"}).json()
    assert won["status"] == "won" and won["balance_transactions"][1]["net"] == 11500
    assert won["balance_transactions"][1]["reporting_category"] == "dispute_reversal"

    lost = sb.raw("POST", "/_sandbox/disputes", json={"charge": charges[1], "amount": 4000}).json()
    accepted = client.v1.disputes.close(lost["id"])
    assert accepted.status == "lost" and len(accepted.balance_transactions) == 1

    evidence = sb.raw("POST", "/_sandbox/disputes", json={"charge": charges[2]}).json()
    submitted = client.v1.disputes.update(evidence["id"], params={"evidence": {
        "uncategorized_text": "losing_evidence"}, "submit": True})
    assert submitted.status == "under_review" and submitted.evidence_details.submission_count == 1
    sb.advance(DAY)
    assert client.v1.disputes.retrieve(evidence["id"]).status == "lost"
    types = event_types(client, type="charge.dispute.*")
    assert types.count("charge.dispute.created") == 3 and types.count("charge.dispute.closed") == 3
    assert types.count("charge.dispute.funds_withdrawn") == 3 and types.count("charge.dispute.funds_reinstated") == 1


def test_unanswered_dispute_is_lost_at_due_by(sb, cat):
    client = sb.client
    intent = client.v1.payment_intents.create(params={"amount": 4200, "currency": "usd", "customer": cat.customer,
                                                      "payment_method": "pm_card_createDispute", "confirm": True})
    dispute = client.v1.disputes.list(params={"payment_intent": intent.id}).data[0]
    assert dispute.reason == "fraudulent" and dispute.evidence_details.due_by == T0 + 7 * DAY
    sb.advance(7 * DAY)
    assert client.v1.disputes.retrieve(dispute.id).status == "lost"


def test_three_and_zero_decimal_currencies(sb):
    sb.freeze(T0)
    client = sb.client
    customer = client.v1.customers.create(params={"name": "KW", "currency": "kwd"}).id
    with pytest.raises(stripe.InvalidRequestError) as err:
        client.v1.invoice_items.create(params={"customer": customer, "amount": 5124, "currency": "kwd"})
    assert err.value.param == "amount"
    rate = client.v1.tax_rates.create(params={"display_name": "Tax", "percentage": "5", "inclusive": "false"}).id
    invoice = one_off(client, customer, [{"amount": 12370, "currency": "kwd", "tax_rates": [rate]}])
    assert invoice.lines.data[0].taxes[0].amount == 620  # 618.5 rounded to the 10-fils step
    invoice = client.v1.invoices.finalize_invoice(invoice.id, params={"auto_advance": True})
    charge = paid_charge(client, invoice.id)
    assert charge.amount == 12990 and charge.amount % 10 == 0
    txn = client.v1.balance_transactions.retrieve(charge.balance_transaction)
    assert txn.amount == 4222 and txn.exchange_rate == 3.25  # 12.990 KWD x 3.25 = 42.2175 USD
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.refunds.create(params={"charge": charge.id, "amount": 1005})
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.payment_intents.create(params={"amount": 1005, "currency": "bhd"})

    yen = client.v1.customers.create(params={"name": "JP", "currency": "jpy"}).id
    invoice = one_off(client, yen, [{"amount": 1999, "currency": "jpy", "description": "Sticker"}])
    invoice = client.v1.invoices.finalize_invoice(invoice.id, params={"auto_advance": True})
    txn = client.v1.balance_transactions.retrieve(paid_charge(client, invoice.id).balance_transaction)
    assert txn.amount == 1339 and txn.exchange_rate == 0.0067  # ¥1999 -> 13.3933 USD


def test_standalone_payment_intents(sb):
    sb.freeze(T0)
    client = sb.client
    intent = client.v1.payment_intents.create(params={"amount": 5000, "currency": "eur", "confirm": True,
                                                      "payment_method": "pm_card_visa", "description": "Top-up",
                                                      "expand": ["latest_charge.balance_transaction"]})
    assert intent.status == "succeeded" and intent.amount_received == 5000
    txn = intent.latest_charge.balance_transaction
    assert (txn.amount, txn.fee, txn.net) == (5400, 241, 5159)  # 54.00 USD, 3.9% + 30
    pending = client.v1.payment_intents.create(params={"amount": 700, "currency": "usd"})
    with pytest.raises(stripe.CardError):
        client.v1.payment_intents.confirm(pending.id, params={"payment_method": "pm_card_chargeDeclined"})
    assert client.v1.payment_intents.confirm(pending.id, params={"payment_method": "pm_card_visa"}).status == \
        "succeeded"
    canceled = client.v1.payment_intents.cancel(client.v1.payment_intents.create(
        params={"amount": 100, "currency": "usd"}).id)
    assert canceled.status == "canceled" and canceled.cancellation_reason == "requested_by_customer"


def test_daily_payouts_and_balance(sb, cat):
    client = sb.client
    for quantity in (1, 2):
        invoice = one_off(client, cat.customer, [{"pricing": {"price": cat.one_time_usd}, "quantity": quantity}])
        client.v1.invoices.finalize_invoice(invoice.id, params={"auto_advance": True})
    balance = client.v1.balance.retrieve()
    assert balance.available[0].amount == 0 and balance.pending[0].amount == (10000 - 320) + (20000 - 610)
    assert client.v1.payouts.list().data == []
    sb.advance(2 * DAY)  # funds become available at 00:00 UTC two days later: the payout goes out
    payout = client.v1.payouts.list().data[0]
    assert (payout.status, payout.automatic, payout.reconciliation_status) == ("in_transit", True, "in_progress")
    assert payout.amount == 29070
    sb.advance(DAY)
    payout = client.v1.payouts.retrieve(payout.id, params={"expand": ["balance_transaction"]})
    assert (payout.status, payout.reconciliation_status) == ("paid", "completed")
    assert payout.balance_transaction.amount == -29070 and payout.balance_transaction.type == "payout"
    rows = list(client.v1.balance_transactions.list(params={"payout": payout.id}).auto_paging_iter())
    assert sum(r.net for r in rows if r.type != "payout") == payout.amount
    assert client.v1.balance.retrieve().available[0].amount == 0
    assert event_types(client, type="payout.*") == ["payout.created", "payout.paid", "payout.reconciliation_completed"]
