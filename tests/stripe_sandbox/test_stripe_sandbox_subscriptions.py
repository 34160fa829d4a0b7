"""Subscriptions: first invoice, renewals driven by the clock, prorations by the second, trials, dunning,
cancellation, test clocks and the subscription items endpoints."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
import stripe
from billing_fixtures import DAY, T0, catalog, event_types

MONTH_END = 1_762_678_400  # T0 + 1 month: 2025-11-09 08:53:20 UTC
PERIOD = MONTH_END - T0  # 31 days


@pytest.fixture
def cat(sb):
    sb.freeze(T0)
    return catalog(sb.client)


def subscribe(client, cat, **params):
    return client.v1.subscriptions.create(params={"customer": cat.customer,
                                                  "items": [{"price": cat.monthly_usd, "quantity": 2}], **params})


def test_create_bills_the_first_period_at_once(sb, cat):
    client = sb.client
    sub = subscribe(client, cat, default_tax_rates=[cat.vat], metadata={"plan": "pro"},
                    expand=["latest_invoice"])
    assert sub.status == "active" and sub.latest_invoice.status == "paid"
    item = sub["items"].data[0]
    assert (item.current_period_start, item.current_period_end) == (T0, MONTH_END)
    assert "current_period_start" not in sub  # basil: periods live on the items
    invoice = sub.latest_invoice
    assert invoice.billing_reason == "subscription_create" and invoice.total == 6000 + 1140
    assert invoice.parent.subscription_details.subscription == sub.id
    assert invoice.parent.subscription_details.metadata["plan"] == "pro"
    line = invoice.lines.data[0]
    assert line.parent.type == "subscription_item_details"
    assert line.parent.subscription_item_details.subscription_item == item.id
    assert (line.period.start, line.period.end) == (T0, MONTH_END) and line.description.startswith("2 × Pro")
    assert event_types(client, type="customer.subscription.*") == ["customer.subscription.created",
                                                                   "customer.subscription.updated"]


def test_upgrade_prorates_by_the_second_and_bills_at_renewal(sb, cat):
    client = sb.client
    sub = subscribe(client, cat)
    item = sub["items"].data[0]
    sb.advance(10 * DAY + 1234)
    changed_at = T0 + 10 * DAY + 1234
    sub = client.v1.subscriptions.update(sub.id, params={"items": [{"id": item.id, "price": cat.monthly_usd_big}]})
    left = MONTH_END - changed_at
    pending = client.v1.invoice_items.list(params={"customer": cat.customer, "pending": True}).data
    amounts = sorted(i.amount for i in pending)
    assert amounts == [-round(6000 * left / PERIOD), round(18000 * left / PERIOD)]  # exact halves do not occur here
    credit = next(i for i in pending if i.amount < 0)
    assert credit.proration is True and credit.parent.subscription_details.subscription_item == item.id
    assert credit.proration_details.credited_items.invoice_line_item_details.invoice == sub.latest_invoice
    assert credit.period.start == changed_at and credit.period.end == MONTH_END
    sb.advance(MONTH_END - changed_at)  # the renewal: a draft, finalized an hour later
    renewal = client.v1.invoices.list(params={"subscription": sub.id, "limit": 1}).data[0]
    assert renewal.billing_reason == "subscription_cycle" and renewal.status == "draft"
    assert (renewal.period_start, renewal.period_end) == (T0, MONTH_END)
    sb.advance(3600)
    renewal = client.v1.invoices.retrieve(renewal.id)
    assert renewal.status == "paid" and renewal.total == 18000 + sum(amounts)
    proration_lines = [line for line in renewal.lines.data if line.parent.subscription_item_details.proration]
    assert len(proration_lines) == 2
    assert all(line.parent.subscription_item_details.invoice_item for line in proration_lines)
    item = client.v1.subscription_items.retrieve(item.id)
    assert item.current_period_start == MONTH_END and item.price.id == cat.monthly_usd_big


def test_always_invoice_and_none(sb, cat):
    client = sb.client
    sub = subscribe(client, cat)
    item = sub["items"].data[0]
    sb.advance(15 * DAY)
    client.v1.subscriptions.update(sub.id, params={"proration_behavior": "none", "items": [{"id": item.id,
                                                                                            "quantity": 3}]})
    assert client.v1.invoice_items.list(params={"customer": cat.customer}).data == []
    sub = client.v1.subscriptions.update(sub.id, params={"proration_behavior": "always_invoice",
                                                         "items": [{"id": item.id, "quantity": 1}],
                                                         "expand": ["latest_invoice"]})
    invoice = sub.latest_invoice
    assert invoice.billing_reason == "subscription_update" and invoice.status == "paid"
    assert invoice.total < 0 and invoice.amount_due == 0  # a downgrade credits the customer balance
    assert client.v1.customers.retrieve(cat.customer).balance == invoice.total


def test_billing_cycle_anchor_prorates_the_first_period(sb, cat):
    client = sb.client
    anchor = T0 + 5 * DAY
    sub = subscribe(client, cat, billing_cycle_anchor=anchor, expand=["latest_invoice"])
    previous = int(datetime(2025, 9, 14, 8, 53, 20, tzinfo=timezone.utc).timestamp())  # the anchor - 1 month
    full = anchor - previous  # 30 days: the first period is 5/30 of a month
    assert sub.billing_cycle_anchor == anchor
    assert sub.latest_invoice.lines.data[0].amount == round(6000 * 5 * DAY / full) == 1000
    sb.advance(5 * DAY + 3600)
    assert client.v1.subscriptions.retrieve(sub.id)["items"].data[0].current_period_start == anchor
    invoices = client.v1.invoices.list(params={"subscription": sub.id}).data
    assert [i.billing_reason for i in invoices] == ["subscription_cycle", "subscription_create"]
    assert invoices[0].total == 6000


def test_trial_then_paid(sb, cat):
    client = sb.client
    sub = subscribe(client, cat, trial_period_days=7, expand=["latest_invoice"])
    assert sub.status == "trialing" and sub.trial_end == T0 + 7 * DAY
    assert sub.latest_invoice.total == 0 and sub.latest_invoice.status == "paid"
    assert sub.latest_invoice.lines.data[0].description.startswith("Trial period")
    sb.advance(7 * DAY + 3600)
    sub = client.v1.subscriptions.retrieve(sub.id, params={"expand": ["latest_invoice"]})
    assert sub.status == "active" and sub.latest_invoice.total == 6000 and sub.latest_invoice.status == "paid"


def test_dunning_retries_then_uncollectible_and_canceled(sb, cat):
    client = sb.client
    sub = subscribe(client, cat)
    client.v1.subscriptions.update(sub.id, params={"default_payment_method": "pm_card_chargeDeclined"})
    sb.advance(PERIOD + 3600)
    renewal = client.v1.invoices.list(params={"subscription": sub.id, "limit": 1}).data[0]
    assert (renewal.status, renewal.attempt_count) == ("open", 1)
    assert renewal.next_payment_attempt == MONTH_END + 3600 + DAY
    assert client.v1.subscriptions.retrieve(sub.id).status == "past_due"
    sb.advance(DAY)
    assert client.v1.invoices.retrieve(renewal.id).next_payment_attempt == MONTH_END + 3600 + 4 * DAY
    sb.advance(8 * DAY)  # retries after 1, 3 and 5 days all fail
    renewal = client.v1.invoices.retrieve(renewal.id)
    assert (renewal.status, renewal.attempt_count, renewal.next_payment_attempt) == ("uncollectible", 4, None)
    assert renewal.status_transitions.marked_uncollectible_at == MONTH_END + 3600 + 9 * DAY
    sub = client.v1.subscriptions.retrieve(sub.id)
    assert sub.status == "canceled" and sub.cancellation_details.reason == "payment_failed"
    assert event_types(client).count("invoice.payment_failed") == 4


def test_incomplete_subscription_expires(sb, cat):
    client = sb.client
    sub = subscribe(client, cat, default_payment_method="pm_card_chargeDeclined")
    assert sub.status == "incomplete"
    sb.advance(23 * 3600)
    sub = client.v1.subscriptions.retrieve(sub.id, params={"expand": ["latest_invoice"]})
    assert sub.status == "incomplete_expired" and sub.latest_invoice.status == "void"
    assert client.v1.subscriptions.list(params={"customer": cat.customer}).data == []  # ended: hidden by default
    assert len(client.v1.subscriptions.list(params={"customer": cat.customer, "status": "ended"}).data) == 1


def test_cancellation(sb, cat):
    client = sb.client
    at_end = subscribe(client, cat, cancel_at_period_end=True)
    now = subscribe(client, cat)
    sb.advance(10 * DAY)
    canceled = client.v1.subscriptions.cancel(now.id, params={"prorate": True, "invoice_now": True})
    assert canceled.status == "canceled" and canceled.ended_at == T0 + 10 * DAY
    final = client.v1.invoices.list(params={"subscription": now.id, "limit": 1}).data[0]
    assert final.total < 0  # credit for the unused 21 days
    sb.advance(PERIOD)
    ended = client.v1.subscriptions.retrieve(at_end.id)
    assert ended.status == "canceled" and ended.ended_at == MONTH_END
    assert len(client.v1.invoices.list(params={"subscription": at_end.id}).data) == 1  # no renewal
    assert event_types(client).count("customer.subscription.deleted") == 1  # the other is 31 days old: not listed
    assert client.v1.subscriptions.retrieve(now.id).status == "canceled"


def test_coupon_durations_across_renewals(sb, cat):
    client = sb.client
    once = client.v1.coupons.create(params={"percent_off": 50, "duration": "once"}).id
    sub = subscribe(client, cat, discounts=[{"coupon": once}], expand=["latest_invoice"])
    assert sub.latest_invoice.total == 3000 and sub.discounts == []
    promo = client.v1.promotion_codes.create(params={"promotion": {"type": "coupon", "coupon": cat.pct20},
                                                     "code": "TWENTY"})
    sub = client.v1.subscriptions.update(sub.id, params={"discounts": [{"promotion_code": promo.id}],
                                                         "expand": ["discounts"]})
    assert sub.discounts[0].promotion_code == promo.id and sub.discounts[0].source.coupon == cat.pct20
    sb.advance(PERIOD + 3600)
    renewal = client.v1.invoices.list(params={"subscription": sub.id, "limit": 1,
                                              "expand": ["data.discounts"]}).data[0]
    assert renewal.total == 4800 and renewal.discounts[0].id == sub.discounts[0].id
    assert client.v1.promotion_codes.retrieve(promo.id).times_redeemed == 1
    assert client.v1.coupons.retrieve(once).times_redeemed == 1


def test_subscription_items_endpoints(sb, cat):
    client = sb.client
    sub = subscribe(client, cat)
    added = client.v1.subscription_items.create(params={"subscription": sub.id, "price": cat.monthly_usd_big,
                                                        "proration_behavior": "none"})
    assert added.subscription == sub.id and added.quantity == 1
    assert len(client.v1.subscription_items.list(params={"subscription": sub.id}).data) == 2
    updated = client.v1.subscription_items.update(added.id, params={"quantity": 3, "proration_behavior": "none"})
    assert updated.quantity == 3
    client.v1.subscription_items.delete(added.id, params={"proration_behavior": "none"})
    assert [i.id for i in client.v1.subscriptions.retrieve(sub.id)["items"].data] == [sub["items"].data[0].id]
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.subscription_items.list(params={})  # subscription is required


def test_test_clock_drives_its_customers(sb, cat):
    client = sb.client
    start = T0 - 90 * DAY
    clock = client.v1.test_helpers.test_clocks.create(params={"frozen_time": start, "name": "quarter"})
    customer = client.v1.customers.create(params={"name": "Clocked", "test_clock": clock.id, "currency": "usd"})
    assert customer.created == start and customer.test_clock == clock.id
    sub = client.v1.subscriptions.create(params={"customer": customer.id, "items": [{"price": cat.monthly_usd}]})
    assert sub.created == start and sub.test_clock == clock.id
    sb.advance(400 * DAY)  # the sandbox clock does not move clocked objects
    assert len(client.v1.invoices.list(params={"customer": customer.id}).data) == 1
    clock = client.v1.test_helpers.test_clocks.advance(clock.id, params={"frozen_time": start + 65 * DAY})
    assert clock.status == "ready" and clock.frozen_time == start + 65 * DAY
    invoices = client.v1.invoices.list(params={"customer": customer.id}).data
    assert [i.billing_reason for i in invoices] == ["subscription_cycle", "subscription_cycle", "subscription_create"]
    assert all(i.status == "paid" and i.test_clock == clock.id for i in invoices)
    assert invoices[0].created < start + 65 * DAY
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.test_helpers.test_clocks.advance(clock.id, params={"frozen_time": start})
    types = event_types(client, type="test_helpers.test_clock.*")
    assert types == ["test_helpers.test_clock.advancing", "test_helpers.test_clock.ready"]  # created: > 30 days ago


def test_deleting_the_customer_cancels_its_subscriptions(sb, cat):
    client = sb.client
    sub = subscribe(client, cat)
    client.v1.customers.delete(cat.customer)
    assert client.v1.subscriptions.retrieve(sub.id).status == "canceled"
    sb.advance(PERIOD + 2 * 3600)  # no renewal for a deleted customer
    assert len(client.v1.invoices.list(params={"subscription": sub.id}).data) == 1
    assert sb.raw("GET", "/_sandbox/scheduler").json()["errors"] == []
