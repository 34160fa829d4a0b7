"""Partial payments: ``POST /v1/invoices/{id}/attach_payment`` through the official SDK."""

from __future__ import annotations

import pytest
import stripe
from billing_fixtures import DAY, T0, catalog, event_types, one_off


@pytest.fixture
def cat(sb):
    sb.freeze(T0)
    return catalog(sb.client)


def open_invoice(client, customer: str, amount: int = 10000, currency: str = "usd"):
    invoice = one_off(client, customer, [{"amount": amount, "currency": currency, "description": "Consulting"}],
                      collection_method="send_invoice", days_until_due=30)
    return client.v1.invoices.finalize_invoice(invoice.id)


def intent(client, customer: str | None, amount: int, *, method: str | None = "pm_card_visa", confirm=True,
           currency: str = "usd"):
    params = {"amount": amount, "currency": currency}
    if customer:
        params["customer"] = customer
    if method:
        params["payment_method"] = method
    if confirm and method:
        params["confirm"] = True
    return client.v1.payment_intents.create(params=params)


def test_three_payments_pay_one_invoice(sb, cat):
    client = sb.client
    invoice = open_invoice(client, cat.customer)
    first = intent(client, cat.customer, 3000)  # already succeeded: credited at once
    after_first = client.v1.invoices.attach_payment(invoice.id, params={"payment_intent": first.id,
                                                                        "expand": ["payments"]})
    assert after_first.status == "open" and (after_first.amount_paid, after_first.amount_remaining) == (3000, 7000)
    by_intent = {p.payment.payment_intent: p for p in after_first.payments.data}
    assert by_intent[first.id].status == "paid" and by_intent[first.id].amount_paid == 3000
    assert by_intent[first.id].is_default is False
    default = next(p for p in after_first.payments.data if p.is_default)
    assert default.status == "open" and default.amount_requested == 7000
    assert client.v1.payment_intents.retrieve(default.payment.payment_intent).amount == 7000

    second = intent(client, cat.customer, 4000, confirm=False)  # attached first, confirmed later
    attached = client.v1.invoices.attach_payment(invoice.id, params={"payment_intent": second.id})
    assert attached.amount_paid == 3000
    client.v1.payment_intents.confirm(second.id)
    assert client.v1.invoices.retrieve(invoice.id).amount_remaining == 3000

    third = intent(client, cat.customer, 3000, method="pm_usBankAccount_success")  # ACH: credited when it settles
    client.v1.invoices.attach_payment(invoice.id, params={"payment_intent": third.id})
    pending = client.v1.invoices.retrieve(invoice.id)
    assert pending.status == "open" and pending.amount_remaining == 3000
    sb.advance(6 * DAY)
    paid = client.v1.invoices.retrieve(invoice.id, params={"expand": ["payments"]})
    assert paid.status == "paid" and (paid.amount_paid, paid.amount_remaining) == (10000, 0)
    assert paid.amount_overpaid == 0 and paid.amount_paid_off_stripe == 0
    statuses = {p.payment.payment_intent: p.status for p in paid.payments.data}
    assert statuses == {first.id: "paid", second.id: "paid", third.id: "paid",
                        default.payment.payment_intent: "canceled"}
    listed = client.v1.invoice_payments.list(params={"invoice": invoice.id}).data
    assert {p.id for p in listed} == {p.id for p in paid.payments.data}
    assert sum(p.amount_paid for p in listed if p.status == "paid") == 10000
    assert client.v1.payment_intents.retrieve(default.payment.payment_intent).status == "canceled"
    types = event_types(client)
    assert types.count("invoice_payment.paid") == 3
    assert types.count("invoice.paid") == 1 and types.count("invoice.payment_succeeded") == 1
    assert types[-3:] == ["invoice.updated", "invoice.paid", "invoice.payment_succeeded"]


def test_refusals(sb, cat):
    client = sb.client
    invoice = open_invoice(client, cat.customer, amount=5000)
    other = client.v1.customers.create(params={"name": "Other"}).id

    def refused(pi_id: str, match: str, invoice_id: str = invoice.id):
        with pytest.raises(stripe.InvalidRequestError, match=match):
            client.v1.invoices.attach_payment(invoice_id, params={"payment_intent": pi_id})

    refused(intent(client, other, 1000).id, "must be the invoice's customer")
    refused(intent(client, None, 1000).id, "must be the invoice's customer")
    refused(intent(client, cat.customer, 1000, currency="eur").id, "must be the invoice's currency")
    refused(intent(client, cat.customer, 6000).id, "exceeds the amount remaining")
    canceled = intent(client, cat.customer, 1000, method=None)
    client.v1.payment_intents.cancel(canceled.id)
    refused(canceled.id, "status canceled")
    refused("pi_nope", "No such payment intent")
    own = client.v1.invoices.retrieve(invoice.id, params={"expand": ["payments"]}).payments.data[0]
    refused(own.payment.payment_intent, "already attached")

    open_one = intent(client, cat.customer, 2000, method=None)
    client.v1.invoices.attach_payment(invoice.id, params={"payment_intent": open_one.id})
    refused(open_one.id, "already attached")
    refused(intent(client, cat.customer, 3500).id, "exceeds the amount remaining")  # 5000 - 2000 attached
    with pytest.raises(stripe.InvalidRequestError, match="open attached payment"):
        client.v1.invoices.void_invoice(invoice.id)
    with pytest.raises(stripe.InvalidRequestError, match="open attached payment"):
        client.v1.invoices.mark_uncollectible(invoice.id)
    with pytest.raises(stripe.InvalidRequestError, match="payment_record"):
        client.v1.invoices.attach_payment(invoice.id, params={"payment_record": "payrec_1"})
    with pytest.raises(stripe.InvalidRequestError, match="payment_intent"):
        client.v1.invoices.attach_payment(invoice.id)
    canceled_payment = client.v1.payment_intents.cancel(open_one.id)
    assert canceled_payment.status == "canceled"
    payments = client.v1.invoice_payments.list(params={"invoice": invoice.id}).data
    assert {p.payment.payment_intent: p.status for p in payments}[open_one.id] == "canceled"
    assert client.v1.invoices.void_invoice(invoice.id).status == "void"
    refused(intent(client, cat.customer, 1000).id, "only attach a payment to an invoice whose status is open")

    draft = one_off(client, cat.customer, [{"amount": 700, "currency": "usd"}])
    refused(intent(client, cat.customer, 700).id, "whose status is open", draft.id)
    paid = open_invoice(client, cat.customer, amount=800)
    client.v1.invoices.pay(paid.id)
    refused(intent(client, cat.customer, 100).id, "Invoice is already paid", paid.id)


def test_subscription_invoices_charged_automatically_refuse_partial_payments(sb, cat):
    client = sb.client
    sub = client.v1.subscriptions.create(params={"customer": cat.customer, "items": [{"price": cat.monthly_usd}],
                                                 "payment_behavior": "default_incomplete"})
    with pytest.raises(stripe.InvalidRequestError, match="Partial payments aren't supported"):
        client.v1.invoices.attach_payment(sub.latest_invoice,
                                          params={"payment_intent": intent(client, cat.customer, 100).id})


def test_pay_pays_what_is_left(sb, cat):
    client = sb.client
    invoice = open_invoice(client, cat.customer, amount=9000)
    client.v1.invoices.attach_payment(invoice.id, params={"payment_intent": intent(client, cat.customer, 4000).id})
    paid = client.v1.invoices.pay(invoice.id, params={"payment_method": "pm_card_mastercard",
                                                       "expand": ["payments.data.payment.payment_intent"]})
    assert paid.status == "paid" and paid.amount_paid == 9000
    default = next(p for p in paid.payments.data if p.is_default)
    assert default.amount_paid == 5000 and default.payment.payment_intent.amount_received == 5000
