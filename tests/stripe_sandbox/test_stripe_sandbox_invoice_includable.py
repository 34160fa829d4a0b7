"""Where payments are read, the sandbox is as strict as Stripe (issue 12).

* ``invoice.payments`` and ``invoice.confirmation_secret`` are includable: absent from an invoice
  (retrieve, lists, answers to writes, event snapshots, an invoice expanded from another object)
  unless ``expand[]`` names them. Code that forgets ``expand[]=payments`` fails here as on Stripe.
* ``expand[]=confirmation_secret`` is accepted: ``{client_secret, type: "payment_intent"}`` of the
  invoice's payment intent, null while there is none.
* Paying a paid invoice again: 400 ``invalid_request_error`` "Invoice is already paid", no code.

Through the official SDK and raw HTTP.
"""

from __future__ import annotations

import pytest
import stripe
from billing_fixtures import T0, catalog, one_off

INCLUDABLE = ("payments", "confirmation_secret")


@pytest.fixture
def cat(sb):
    sb.freeze(T0)
    return catalog(sb.client)


def _paid_invoice(client, customer: str) -> str:
    invoice = one_off(client, customer, [{"amount": 2500, "currency": "usd"}])
    client.v1.invoices.finalize_invoice(invoice.id)
    assert client.v1.invoices.pay(invoice.id).status == "paid"
    return invoice.id


def _has_no_includable(obj) -> bool:
    data = obj if isinstance(obj, dict) else obj.to_dict()
    return not set(INCLUDABLE) & set(data)


def test_payments_are_absent_unless_expanded(sb, cat):
    client = sb.client
    draft = one_off(client, cat.customer, [{"amount": 2500, "currency": "usd"}])
    assert _has_no_includable(draft)
    opened = client.v1.invoices.finalize_invoice(draft.id)
    paid = client.v1.invoices.pay(draft.id)
    assert _has_no_includable(opened) and _has_no_includable(paid)
    assert _has_no_includable(client.v1.invoices.retrieve(draft.id))
    assert all(_has_no_includable(inv) for inv in client.v1.invoices.list().data)
    with pytest.raises(AttributeError):
        paid.payments  # noqa: B018 - what code that forgets the expansion meets on Stripe too

    expanded = client.v1.invoices.retrieve(draft.id, params={"expand": ["payments"]})
    assert expanded.payments.object == "list" and expanded.payments.url == f"/v1/invoice_payments?invoice={draft.id}"
    [payment] = expanded.payments.data
    assert isinstance(payment, stripe.InvoicePayment) and payment.status == "paid" and payment.amount_paid == 2500
    assert "confirmation_secret" not in expanded.to_dict()  # only what was asked for
    listed = client.v1.invoices.list(params={"expand": ["data.payments"]}).data
    assert [inv.payments.data[0].id for inv in listed] == [payment.id]
    deep = client.v1.invoices.retrieve(draft.id, params={
        "expand": ["payments.data.payment.payment_intent.latest_charge.balance_transaction"]})
    charge = deep.payments.data[0].payment.payment_intent.latest_charge
    assert charge.object == "charge" and charge.amount == 2500 and charge.balance_transaction.object == \
        "balance_transaction"
    both = client.v1.invoices.retrieve(draft.id, params={
        "expand": ["payments.data.payment.payment_intent", "payments"]})  # the second path keeps the first's work
    assert both.payments.data[0].payment.payment_intent.object == "payment_intent"
    answer = client.v1.invoices.update(draft.id, params={"metadata": {"k": "v"}, "expand": ["payments"]})
    assert answer.payments.data[0].id == payment.id


def test_invoices_reached_from_elsewhere_and_event_snapshots_have_no_includable_fields(sb, cat):
    client = sb.client
    invoice_id = _paid_invoice(client, cat.customer)
    payment = client.v1.invoice_payments.list(params={"invoice": invoice_id, "expand": ["data.invoice"]}).data[0]
    assert payment.invoice.id == invoice_id and _has_no_includable(payment.invoice)
    note = client.v1.credit_notes.create(params={"invoice": invoice_id, "amount": 500, "credit_amount": 500,
                                                 "expand": ["invoice"]})
    assert note.invoice.id == invoice_id and _has_no_includable(note.invoice)
    invoice_events = list(client.v1.events.list(params={"type": "invoice.*", "limit": 100}).auto_paging_iter())
    assert {e.type for e in invoice_events} >= {"invoice.finalized", "invoice.paid", "invoice.updated"}
    for event in invoice_events:
        assert _has_no_includable(event.data.object), event.type
        assert _has_no_includable(event.data.to_dict().get("previous_attributes") or {}), event.type


def test_payments_absent_over_raw_http(sb, cat):
    invoice_id = _paid_invoice(sb.client, cat.customer)
    plain = sb.raw("GET", f"/v1/invoices/{invoice_id}")
    assert plain.status_code == 200 and not set(INCLUDABLE) & set(plain.json())
    listed = sb.raw("GET", "/v1/invoices")
    assert listed.status_code == 200 and all(not set(INCLUDABLE) & set(inv) for inv in listed.json()["data"])
    expanded = sb.raw("GET", f"/v1/invoices/{invoice_id}", params={"expand[]": ["payments", "confirmation_secret"]})
    assert expanded.status_code == 200, expanded.text
    body = expanded.json()
    assert body["payments"]["object"] == "list" and body["payments"]["data"][0]["status"] == "paid"
    assert body["confirmation_secret"]["type"] == "payment_intent"
    events = sb.raw("GET", "/v1/events", params={"type": "invoice.paid"}).json()["data"]
    assert events and "payments" not in events[0]["data"]["object"]


def test_confirmation_secret_is_includable(sb, cat):
    client = sb.client
    draft = one_off(client, cat.customer, [{"amount": 2500, "currency": "usd"}])
    got = client.v1.invoices.retrieve(draft.id, params={"expand": ["confirmation_secret"]})
    assert got.confirmation_secret is None and "payments" not in got.to_dict()  # a draft has no payment intent
    opened = client.v1.invoices.finalize_invoice(draft.id, params={"expand": ["confirmation_secret", "payments"]})
    intent = client.v1.payment_intents.retrieve(opened.payments.data[0].payment.payment_intent)
    assert opened.confirmation_secret.to_dict() == {"client_secret": intent.client_secret, "type": "payment_intent"}
    assert "confirmation_secret" not in client.v1.invoices.retrieve(draft.id).to_dict()
    listed = client.v1.invoices.list(params={"expand": ["data.confirmation_secret"]}).data
    assert listed[0].confirmation_secret.client_secret == intent.client_secret
    zero = client.v1.invoices.finalize_invoice(one_off(client, cat.customer, [{"amount": 0, "currency": "usd"}]).id,
                                               params={"expand": ["confirmation_secret"]})
    assert zero.status == "paid" and zero.confirmation_secret is None  # nothing due: no payment intent
    with pytest.raises(stripe.InvalidRequestError) as err:  # a hash, not an object: nothing to expand inside it
        client.v1.invoices.retrieve(draft.id, params={"expand": ["confirmation_secret.client_secret"]})
    assert err.value.http_status == 400 and err.value.param == "expand"
    raw = sb.raw("GET", f"/v1/invoices/{draft.id}", params={"expand[]": "confirmation_secret"})
    assert raw.status_code == 200 and raw.json()["confirmation_secret"]["client_secret"] == intent.client_secret


@pytest.mark.parametrize("how", [{}, {"paid_out_of_band": "true"}])
def test_paying_a_paid_invoice_again_is_stripes_already_paid_error(sb, cat, how):
    client = sb.client
    invoice = one_off(client, cat.customer, [{"amount": 2500, "currency": "usd"}])
    client.v1.invoices.finalize_invoice(invoice.id)
    client.v1.invoices.pay(invoice.id, params=how)
    events_before = client.v1.events.list(params={"limit": 1}).data[0].id
    with pytest.raises(stripe.InvalidRequestError) as err:
        client.v1.invoices.pay(invoice.id)
    assert err.value.http_status == 400 and err.value.code is None
    assert err.value.error.type == "invalid_request_error" and err.value.error.message == "Invoice is already paid"
    raw = sb.raw("POST", f"/v1/invoices/{invoice.id}/pay", data={"paid_out_of_band": "true"})
    assert raw.status_code == 400
    assert raw.json() == {"error": {"type": "invalid_request_error", "message": "Invoice is already paid"}}
    assert client.v1.events.list(params={"limit": 1}).data[0].id == events_before  # nothing happened
    voided = client.v1.invoices.finalize_invoice(one_off(client, cat.customer, [{"amount": 900,
                                                                                "currency": "usd"}]).id)
    client.v1.invoices.void_invoice(voided.id)
    with pytest.raises(stripe.InvalidRequestError) as other:  # not paid: the state error, not "already paid"
        client.v1.invoices.pay(voided.id)
    assert other.value.error.message != "Invoice is already paid"


def test_expanding_inside_included_payments_leaves_the_stored_payments_alone(sb, cat):
    """``expand[]=payments.data.payment.payment_intent`` expands a copy: the invoice payment read afterwards
    still names its payment intent by ID (the included list holds stored objects)."""
    client = sb.client
    invoice_id = _paid_invoice(client, cat.customer)
    expanded = client.v1.invoices.retrieve(invoice_id, params={"expand": ["payments.data.payment.payment_intent"]})
    intent = expanded.payments.data[0].payment.payment_intent
    assert intent.object == "payment_intent"
    payment = client.v1.invoice_payments.list(params={"invoice": invoice_id}).data[0]
    assert payment.payment.payment_intent == intent.id
    again = client.v1.invoices.retrieve(invoice_id, params={"expand": ["payments"]})
    assert again.payments.data[0].payment.payment_intent == intent.id
