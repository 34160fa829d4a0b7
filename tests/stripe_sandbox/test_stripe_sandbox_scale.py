"""What the ``scale`` scenario generates, checked at N = 2000: counts, money invariants, payouts and
event replay (the benchmark in ``test_stripe_sandbox_scale_benchmark.py`` only measures)."""

from __future__ import annotations

import os
import random
from collections import Counter

import pytest
from billing_checks import all_problems, payout_problems
from stripe_sandbox import StripeSandbox
from stripe_sandbox.events import AUDIT_ENV

NOW = 1_760_000_000
COUNT = 2000


@pytest.fixture(scope="module")
def app():
    previous = os.environ.get(AUDIT_ENV)
    os.environ[AUDIT_ENV] = "1"
    try:
        return StripeSandbox(scenario="scale", seed=5, now=lambda: NOW, scenario_options={"invoices": COUNT})
    finally:
        if previous is None:
            del os.environ[AUDIT_ENV]
        else:
            os.environ[AUDIT_ENV] = previous


def data(app, object_type: str) -> list[dict]:
    return [record.data for record in app.state.store.ascending(object_type)]


def test_counts(app):
    store = app.state.store
    invoices = data(app, "invoice")
    assert len(invoices) == COUNT
    assert store.count("customer") == COUNT // 20
    lines = sum(len(app.resources["invoice"].lines_of(inv["id"])) for inv in invoices)
    assert COUNT <= lines <= 3 * COUNT and store.count("invoiceitem") == lines
    assert store.count("invoice_payment") == store.count("payment_intent") == COUNT
    statuses = Counter(inv["status"] for inv in invoices)
    assert set(statuses) <= {"paid", "open", "uncollectible"}
    assert 0 < statuses["uncollectible"] + statuses["open"] < 0.05 * COUNT  # ~2% declined
    charges = Counter(charge["status"] for charge in data(app, "charge"))
    assert charges["succeeded"] == statuses["paid"]
    assert charges["failed"] >= statuses["uncollectible"]
    succeeded = [txn for txn in data(app, "balance_transaction") if txn["type"] == "charge"]
    assert len(succeeded) == statuses["paid"]
    assert 0 < store.count("refund") < 0.05 * COUNT and 0 < store.count("dispute") < 0.02 * COUNT
    assert store.count("payout") >= 20  # one a day with funds available, over 28 days
    assert app.state.task_errors == []


def test_payouts_sum_to_their_balance_transactions(app):
    assert payout_problems(app) == []
    paid_out = Counter(record.extra.get("payout") for record in app.state.store.ascending("balance_transaction"))
    rows = sum(len(app.state.store.indexed("balance_transaction", "payout", payout["id"]).records)
               for payout in data(app, "payout"))
    assert rows == sum(n for payout, n in paid_out.items() if payout is not None)


def test_money_invariants_and_full_replay(app):
    assert all_problems(app) == []
    assert app.state.events.verify_audit() == []


def test_sampled_events_replay_to_their_object_at_the_time(app):
    """For a sample of objects, applying their events in order ends at the object served now, and every
    ``*.updated`` event's ``previous_attributes`` are the values of the event before."""
    events = data(app, "event")
    history: dict[str, list[dict]] = {}
    for event in events:
        history.setdefault(event["data"]["object"]["id"], []).append(event)
    sample = random.Random(1).sample(sorted(history), 300)
    for object_id in sample:
        record = app.state.store.find(object_id)
        state: dict = {}
        for event in history[object_id]:
            previous = event["data"].get("previous_attributes")
            if previous is not None:
                assert {key: state.get(key) for key in previous} == previous, event["id"]
            state = event["data"]["object"]
        assert app.resources[record.object_type].render(record) == state, object_id


def test_every_event_id_is_distinct_and_finds_its_event(app):
    """Bulk-built events have numbered IDs (decoded on lookup, no dictionary entry): each one is unique
    and the store finds exactly that event by it, as it finds the events written one by one."""
    events = data(app, "event")
    ids = [event["id"] for event in events]
    assert len(set(ids)) == len(ids)
    for event in random.Random(2).sample(events, 500):
        assert app.state.store.find(event["id"]).data == event


def test_bulk_events_through_the_sdk(make_sandbox):
    """Retrieve, ``type`` filter and ``starting_after`` paging with numbered event IDs, through the SDK."""
    sandbox = make_sandbox(scenario="scale", seed=2, now=lambda: NOW, scenario_options={"invoices": 300})
    client = sandbox.client
    paid = client.v1.events.list({"type": "invoice.paid", "limit": 100})
    assert len(paid.data) == 100 and paid.has_more
    walked = [event.id for event in paid.auto_paging_iter()]
    assert len(walked) == len(set(walked)) >= 280
    middle = walked[150]
    assert client.v1.events.retrieve(middle).type == "invoice.paid"
    after = client.v1.events.list({"type": "invoice.paid", "limit": 5, "starting_after": middle})
    assert [event.id for event in after.data] == walked[151:156]
    everything = client.v1.events.list({"limit": 100, "starting_after": middle})
    assert all(event.created <= client.v1.events.retrieve(middle).created for event in everything.data)
