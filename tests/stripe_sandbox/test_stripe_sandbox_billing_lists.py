"""Pagination, filters, expand, idempotency and fault injection on the billing resources, through the SDK."""

from __future__ import annotations

import pytest
import stripe
from billing_fixtures import DAY, T0, catalog, one_off, paid_charge
from sandbox_kit import start_background
from stripe_sandbox import StripeSandbox


@pytest.fixture(scope="module")
def edge():
    """A read-only ``edge`` sandbox shared by the list tests."""
    server = start_background(StripeSandbox(scenario="edge", seed=11, now=lambda: T0))
    client = stripe.StripeClient("sk_test_sandbox", base_addresses={"api": server.url}, max_network_retries=0)
    yield client
    server.stop()


def _all(page):
    return list(page.auto_paging_iter())


def _invoice_with(client, lines: int):
    return next(i for i in _all(client.v1.invoices.list(params={"limit": 100})) if i.lines.has_more and
                len(_all(client.v1.invoices.line_items.list(i.id, params={"limit": 100}))) == lines)


def test_invoice_lines_page_past_10_and_100(edge):
    big = _invoice_with(edge, 150)
    assert len(big.lines.data) == 10 and big.lines.url == f"/v1/invoices/{big.id}/lines"
    lines = _all(edge.v1.invoices.line_items.list(big.id, params={"limit": 100}))
    assert [line.description for line in lines] == [f"SKU-{i:04d}" for i in range(1, 151)]
    assert [line.id for line in lines[:10]] == [line.id for line in big.lines.data]
    page = edge.v1.invoices.line_items.list(big.id, params={"limit": 7, "starting_after": lines[9].id})
    assert [line.id for line in page.data] == [line.id for line in lines[10:17]] and page.has_more
    before = edge.v1.invoices.line_items.list(big.id, params={"limit": 5, "ending_before": lines[20].id})
    assert [line.id for line in before.data] == [line.id for line in lines[15:20]]
    last = edge.v1.invoices.line_items.list(big.id, params={"limit": 100, "starting_after": lines[99].id})
    assert len(last.data) == 50 and not last.has_more
    medium = _invoice_with(edge, 25)
    assert len(_all(edge.v1.invoices.line_items.list(medium.id, params={"limit": 10}))) == 25
    with pytest.raises(stripe.InvalidRequestError):
        edge.v1.invoices.line_items.list(big.id, params={"starting_after": "il_nope"})
    note = next(cn for cn in edge.v1.credit_notes.list().data if len(cn.lines.data) == 10)
    assert note.lines.has_more is False
    assert len(_all(edge.v1.credit_notes.line_items.list(note.id, params={"limit": 3}))) == 10


def test_list_filters(edge):
    invoices = _all(edge.v1.invoices.list(params={"limit": 100}))
    customer = invoices[0].customer
    assert {i.customer for i in edge.v1.invoices.list(params={"customer": customer}).data} == {customer}
    assert {i.status for i in edge.v1.invoices.list(params={"status": "uncollectible"}).data} == {"uncollectible"}
    sub_invoice = next(i for i in invoices if i.parent)
    sub_id = sub_invoice.parent.subscription_details.subscription
    assert {i.parent.subscription_details.subscription
            for i in edge.v1.invoices.list(params={"subscription": sub_id}).data} == {sub_id}
    assert all(i.collection_method == "send_invoice"
               for i in edge.v1.invoices.list(params={"collection_method": "send_invoice"}).data)
    newest = invoices[0].created
    assert all(i.created >= newest for i in edge.v1.invoices.list(params={"created": {"gte": newest}}).data)

    paid = edge.v1.invoice_payments.list(params={"status": "paid", "limit": 100}).data
    one = paid[0]
    by_intent = edge.v1.invoice_payments.list(params={"payment": {"type": "payment_intent",
                                                                  "payment_intent": one.payment.payment_intent}})
    assert [p.id for p in by_intent.data] == [one.id]
    assert [p.id for p in edge.v1.invoice_payments.list(params={"invoice": one.invoice}).data] == [one.id]
    with pytest.raises(stripe.InvalidRequestError):
        edge.v1.invoice_payments.list(params={"status": "sideways"})

    assert {t.type for t in edge.v1.balance_transactions.list(params={"type": "refund"}).data} == {"refund"}
    charge = paid_charge(edge, one.invoice)
    by_source = edge.v1.balance_transactions.list(params={"source": charge.id}).data
    assert [t.id for t in by_source] == [charge.balance_transaction]
    assert edge.v1.balance_transactions.list(params={"currency": "eur"}).data == []
    assert {r.charge for r in edge.v1.refunds.list(params={"charge": charge.id}).data} <= {charge.id}
    assert [c.id for c in edge.v1.charges.list(params={"payment_intent": charge.payment_intent}).data] == [charge.id]
    assert {c.customer for c in edge.v1.charges.list(params={"customer": charge.customer}).data} == {charge.customer}
    assert {d.status for d in edge.v1.disputes.list().data} == {"won", "lost"}
    assert {p.status for p in edge.v1.payouts.list(params={"status": "paid", "limit": 100}).data} == {"paid"}
    euro_prices = edge.v1.prices.list(params={"currency": "eur", "type": "recurring", "limit": 100}).data
    assert euro_prices and all(p.currency == "eur" and p.recurring.interval == "month" for p in euro_prices)
    assert edge.v1.prices.list(params={"lookup_keys": ["pro_usd"]}).data[0].lookup_key == "pro_usd"
    assert edge.v1.prices.list(params={"recurring": {"interval": "year"}}).data == []
    assert edge.v1.promotion_codes.list(params={"code": "NOPE"}).data == []
    all_subs = edge.v1.subscriptions.list(params={"status": "all", "limit": 100}).data
    assert len(all_subs) > len(edge.v1.subscriptions.list(params={"limit": 100}).data)
    price = all_subs[0]["items"].data[0].price.id
    assert all(any(i.price.id == price for i in s["items"].data)
               for s in edge.v1.subscriptions.list(params={"price": price, "status": "all"}).data)
    with pytest.raises(stripe.InvalidRequestError) as err:
        edge.v1.invoices.list(params={"colour": "red"})
    assert err.value.param == "colour"


def test_expand_nested_and_data_prefixed(edge):
    invoices = edge.v1.invoices.list(params={"limit": 100, "expand": [
        "data.customer", "data.discounts", "data.lines.data.pricing.price_details.price",
        "data.payments.data.payment.payment_intent.latest_charge.balance_transaction"]}).data
    paid = next(i for i in invoices if i.payments.data and i.payments.data[0].status == "paid")
    assert paid.customer.object == "customer"
    charge = paid.payments.data[0].payment.payment_intent.latest_charge
    assert charge.object == "charge" and charge.balance_transaction.object == "balance_transaction"
    priced = [line for inv in invoices for line in inv.lines.data if line.pricing.price_details]
    assert priced and all(line.pricing.price_details.price.object == "price" for line in priced)
    discounted = next(i for i in invoices if i.discounts)
    assert discounted.discounts[0].object == "discount"
    deep = edge.v1.invoices.retrieve(discounted.id, params={"expand": ["discounts.source.coupon",
                                                                        "total_discount_amounts.discount"]})
    assert deep.discounts[0].source.coupon.object == "coupon"
    assert deep.total_discount_amounts[0].discount.object == "discount"
    txns = edge.v1.balance_transactions.list(params={"limit": 100, "expand": ["data.source"]}).data
    assert {t.source.object for t in txns} >= {"charge", "refund", "dispute", "payout"}
    sub = edge.v1.subscriptions.list(params={"expand": ["data.latest_invoice.customer", "data.customer"]}).data[0]
    assert sub.latest_invoice.customer.id == sub.customer.id
    dispute = edge.v1.disputes.list(params={"expand": ["data.charge.balance_transaction",
                                                       "data.payment_intent"]}).data[0]
    assert dispute.charge.balance_transaction.object == "balance_transaction"
    note = edge.v1.credit_notes.list(params={"expand": ["data.invoice", "data.customer_balance_transaction"]}).data
    assert {n.invoice.object for n in note} == {"invoice"}
    payment = edge.v1.invoice_payments.list(params={"expand": ["data.invoice", "data.payment.payment_intent"]}).data[0]
    assert payment.invoice.object == "invoice" and payment.payment.payment_intent.object == "payment_intent"
    with pytest.raises(stripe.InvalidRequestError):  # five expansions: over Stripe's limit of four
        edge.v1.invoices.retrieve(paid.id, params={"expand": [
            "payments.data.payment.payment_intent.latest_charge.balance_transaction.source"]})
    with pytest.raises(stripe.InvalidRequestError):
        edge.v1.invoices.retrieve(paid.id, params={"expand": ["total"]})


def test_idempotent_billing_writes(sb):
    sb.freeze(T0)
    client = sb.client
    cat = catalog(client)
    invoice = one_off(client, cat.customer, [{"pricing": {"price": cat.one_time_usd}}])
    client.v1.invoices.finalize_invoice(invoice.id)
    first = sb.raw("POST", f"/v1/invoices/{invoice.id}/pay", headers={"Idempotency-Key": "pay-1"})
    again = sb.raw("POST", f"/v1/invoices/{invoice.id}/pay", headers={"Idempotency-Key": "pay-1"})
    assert first.status_code == again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    assert first.json() == again.json() and len(client.v1.charges.list().data) == 1
    charge = paid_charge(client, invoice.id)
    refund = client.v1.refunds.create(params={"charge": charge.id, "amount": 100}, options={"idempotency_key": "r-1"})
    replay = client.v1.refunds.create(params={"charge": charge.id, "amount": 100}, options={"idempotency_key": "r-1"})
    assert refund.id == replay.id and len(client.v1.refunds.list().data) == 1
    with pytest.raises(stripe.IdempotencyError):
        client.v1.refunds.create(params={"charge": charge.id, "amount": 200}, options={"idempotency_key": "r-1"})


def test_lost_response_on_pay_is_retried_without_paying_twice(sb, fast_retries):
    sb.freeze(T0)
    client = sb.client
    cat = catalog(client)
    invoice = one_off(client, cat.customer, [{"pricing": {"price": cat.one_time_usd}}])
    client.v1.invoices.finalize_invoice(invoice.id)
    sb.fault(path="/v1/invoices/*/pay", method="POST", status=500, phase="after")
    paid = client.v1.invoices.pay(invoice.id)  # 500 after paying; the SDK retries with the same key
    assert paid.status == "paid"
    assert len(client.v1.charges.list().data) == 1 and len(client.v1.payment_intents.list().data) == 1


def test_faults_on_billing_lists(sb, fast_retries):
    client = sb.client
    sb.fault(path="/v1/balance_transactions", status=429, count=2, headers={"Stripe-Should-Retry": "true"})
    assert client.v1.balance_transactions.list().data == []
    sb.fault(path="/v1/invoices*", method="GET", status=500, count=1)
    assert client.v1.invoices.list().data == []
    sb.fault(path="/v1/refunds", method="POST", status=409, count=1)
    with pytest.raises(stripe.InvalidRequestError):  # retried after the 409, then the real 400 (no charge)
        client.v1.refunds.create(params={"charge": "ch_missing"})
    assert sb.raw("GET", "/_sandbox/faults").json()["data"] == []


def test_scheduler_control_endpoint(sb):
    sb.freeze(T0)
    cat = catalog(sb.client)
    sb.client.v1.subscriptions.create(params={"customer": cat.customer, "items": [{"price": cat.monthly_usd}]})
    tasks = sb.raw("GET", "/_sandbox/scheduler").json()["data"]
    kinds = {t["kind"] for t in tasks}
    assert {"subscription.cycle", "payout.run"} <= kinds
    assert all(t["due"] >= T0 for t in tasks)
    sb.advance(2 * DAY)
    assert sb.raw("POST", "/_sandbox/scheduler/run").json()["ran"] == 0  # requests already ran what was due
