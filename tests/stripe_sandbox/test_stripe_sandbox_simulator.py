"""The billing simulator: invariants for every scenario over many seeds (property tests), determinism,
event replay, payout sums through the API, and what the ``demo`` scenario contains."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import requests
from billing_checks import all_problems, payout_problems
from hypothesis import given, settings
from hypothesis import strategies as st
from stripe_sandbox import StripeSandbox
from stripe_sandbox.events import AUDIT_ENV

NOW = 1_760_000_000
DAY = 86400
SCENARIO_OPTIONS = {"demo": {}, "edge": {}, "payments": {}, "refunds": {}, "scale": {"invoices": 150}}


def build(name: str, seed: int, now: int = NOW, **options) -> StripeSandbox:
    """A scenario built with event auditing on (snapshots fingerprinted when recorded)."""
    previous = os.environ.get(AUDIT_ENV)
    os.environ[AUDIT_ENV] = "1"
    try:
        return StripeSandbox(scenario=name, seed=seed, now=lambda: now,
                             scenario_options={**SCENARIO_OPTIONS[name], **options})
    finally:
        if previous is None:
            del os.environ[AUDIT_ENV]
        else:
            os.environ[AUDIT_ENV] = previous


def events_of(app) -> list[dict]:
    return [record.data for record in app.state.store.ascending("event")]


@pytest.mark.parametrize("name", sorted(SCENARIO_OPTIONS))
@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), shift=st.integers(0, 7 * DAY))
def test_invariants_hold_for_every_seed(name, seed, shift):
    """Invoice totals, amount due/paid/remaining, refunds <= charges, payouts = their transactions, replay."""
    app = build(name, seed, NOW + shift)
    assert all_problems(app) == []
    assert app.state.events.verify_audit() == []  # no snapshot changed after it was recorded
    now = NOW + shift
    events = events_of(app)
    assert all(now - 30 * DAY <= e["created"] <= now for e in events)
    if name == "demo":  # whatever the seed and time of day, billing settles before the last customer arrives
        assert events[-1]["type"] == "customer.created"


@pytest.mark.parametrize("name", sorted(SCENARIO_OPTIONS))
def test_scenarios_are_deterministic(name):
    first, second = build(name, 42), build(name, 42)
    assert events_of(first) == events_of(second)
    other = events_of(build(name, 43))
    assert [e["id"] for e in other] != [e["id"] for e in events_of(first)]


def test_demo_keeps_its_customers_and_ends_with_a_customer_event():
    app = build("demo", 7)
    events = events_of(app)
    types = Counter(e["type"] for e in events)
    assert (types["customer.created"], types["customer.updated"], types["customer.deleted"]) == (12, 3, 1)
    # The customers flow sets its cursor on the newest customer event: it must be the newest event of all.
    assert events[-1]["type"] == "customer.created" and events[-1]["data"]["object"]["name"] == "John Smith"
    assert not app.state.scheduler.pending() or app.state.scheduler.next_due() > NOW


def test_demo_contents():
    app = build("demo", 7)
    types = Counter(e["type"] for e in events_of(app))
    expected = {
        "invoice.created", "invoice.finalized", "invoice.updated", "invoice.paid", "invoice.payment_succeeded",
        "invoice.payment_failed", "invoice.voided", "invoice.marked_uncollectible", "invoice.sent",
        "credit_note.created", "charge.succeeded", "charge.failed", "charge.refunded", "charge.updated",
        "charge.dispute.created", "charge.dispute.funds_withdrawn", "charge.dispute.updated",
        "charge.dispute.funds_reinstated", "charge.dispute.closed", "payout.created", "payout.paid",
        "payout.reconciliation_completed", "price.created", "product.created", "coupon.created",
        "promotion_code.created", "tax_rate.created", "customer.subscription.created",
        "customer.subscription.updated", "invoiceitem.created", "payment_intent.created",
        "payment_intent.succeeded", "payment_intent.payment_failed", "invoice_payment.paid", "refund.created",
    }
    assert expected <= set(types), expected - set(types)
    store = app.state.store
    invoices = [r.data for r in store.ascending("invoice")]
    assert {i["currency"] for i in invoices} == {"usd", "eur", "gbp", "jpy"}
    assert {i["billing_reason"] for i in invoices} >= {"manual", "subscription_create", "subscription_cycle"}
    lines = [line for r in store.ascending("invoice") for line in r.extra["lines"]]
    assert any(line["parent"]["subscription_item_details"] and line["parent"]["subscription_item_details"]["proration"]
               for line in lines)
    taxes = {t["tax_behavior"] for line in lines for t in line["taxes"]}
    assert taxes == {"exclusive", "inclusive"}
    assert any(t["taxability_reason"] == "reverse_charge" for line in lines for t in line["taxes"])
    refunds = [r.data for r in store.ascending("refund")]
    charges = {r.id: r.data for r in store.ascending("charge")}
    assert sorted(charges[r["charge"]]["refunded"] for r in refunds) == [False, True]  # a partial and a full refund
    assert [r.data["status"] for r in store.ascending("dispute")] == ["won"]
    assert {r.data["status"] for r in store.ascending("subscription")} == {"active", "trialing"}


def test_payouts_sum_through_the_api(make_sandbox):
    for name in ("demo", "edge"):
        sb = make_sandbox(scenario=name, seed=7, now=lambda: NOW)
        client = sb.client

        def rows(payout_id):
            page = client.v1.balance_transactions.list(params={"payout": payout_id, "limit": 100})
            return [row.to_dict() for row in page.auto_paging_iter()]

        assert payout_problems(sb.app, rows) == []
        assert len(client.v1.payouts.list(params={"limit": 100}).data) >= 5


RETRIEVE = {
    "invoice": "invoices", "charge": "charges", "payment_intent": "payment_intents", "refund": "refunds",
    "dispute": "disputes", "payout": "payouts", "credit_note": "credit_notes", "subscription": "subscriptions",
    "invoiceitem": "invoice_items", "price": "prices", "product": "products", "coupon": "coupons",
    "promotion_code": "promotion_codes", "tax_rate": "tax_rates", "customer": "customers",
    "invoice_payment": "invoice_payments",
}


def test_events_replay_to_the_served_objects_through_the_api(make_sandbox):
    sb = make_sandbox(scenario="demo", seed=7, now=lambda: NOW)
    client = sb.client
    events = list(client.v1.events.list(params={"limit": 100}).auto_paging_iter())
    last = {}
    for event in reversed(events):  # oldest first
        last[event.data.object.id] = event.data.object.to_dict()
    checked = Counter()
    for object_id, snapshot in last.items():
        served = getattr(client.v1, RETRIEVE[snapshot["object"]]).retrieve(object_id).to_dict()
        if served.get("deleted"):
            continue
        assert served == snapshot, object_id
        checked[snapshot["object"]] += 1
    assert set(checked) == set(RETRIEVE)


def test_scale_size_from_option_env_and_cli(monkeypatch):
    assert StripeSandbox(scenario="scale", seed=1, now=lambda: NOW,
                         scenario_options={"invoices": 30}).state.store.count("invoice") == 30
    monkeypatch.setenv("STRIPE_SANDBOX_SCALE_INVOICES", "12")
    assert StripeSandbox(scenario="scale", seed=1, now=lambda: NOW).state.store.count("invoice") == 12
    script = Path(sys.executable).parent / "stripe-sandbox"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "stripe_sandbox"]
    proc = subprocess.Popen([*command, "serve", "--port", "0", "--scenario", "scale", "--scale-invoices", "25"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        url = proc.stdout.readline().strip().rsplit(" ", 1)[-1]
        page = requests.get(url + "/v1/invoices?limit=100", headers={"Authorization": "Bearer sk_test_sandbox"},
                            timeout=10).json()
        assert len(page["data"]) == 25
    finally:
        proc.terminate()
        proc.wait(timeout=10)
