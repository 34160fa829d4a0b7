"""The demo scenario: deterministic, listable, written through the API's write path."""

from __future__ import annotations

import pytest
from stripe_sandbox import SCENARIOS, StripeSandbox

DAY = 86400


def _snapshot(sb):
    customers = [c.to_dict() for c in sb.client.v1.customers.list(params={"limit": 100}).auto_paging_iter()]
    events = [e.to_dict() for e in sb.client.v1.events.list(params={"limit": 100}).auto_paging_iter()]
    return customers, events


def test_demo_is_deterministic_per_seed(make_sandbox):
    now = 1_760_000_000
    a = make_sandbox(scenario="demo", seed=7, now=lambda: now)
    b = make_sandbox(scenario="demo", seed=7, now=lambda: now)
    c = make_sandbox(scenario="demo", seed=8, now=lambda: now)
    customers_a, events_a = _snapshot(a)
    customers_b, events_b = _snapshot(b)
    customers_c, _ = _snapshot(c)
    assert customers_a == customers_b  # same seed and clock: identical objects, IDs and times
    assert [e["id"] for e in events_a] == [e["id"] for e in events_b]
    assert [x["id"] for x in customers_a] != [x["id"] for x in customers_c]
    assert [x["name"] for x in customers_a] == [x["name"] for x in customers_c]


def test_demo_same_seed_same_ids_on_the_real_clock(make_sandbox):
    first = [c.id for c in make_sandbox(scenario="demo", seed=3).client.v1.customers.list(params={"limit": 100}).data]
    second = [c.id for c in make_sandbox(scenario="demo", seed=3).client.v1.customers.list(params={"limit": 100}).data]
    assert first == second and len(first) == 11


def test_demo_content(make_sandbox):
    sb = make_sandbox(scenario="demo", seed=1)
    now = sb.raw("GET", "/_sandbox/clock").json()["now"]
    customers, events = _snapshot(sb)
    assert len(customers) == 11  # 12 created, 1 deleted
    created = [c["created"] for c in customers]
    assert len(set(created)) == len(created)
    assert all(now - 20 * DAY <= t < now for t in created)
    assert created == sorted(created, reverse=True)
    assert {c["address"]["country"] for c in customers if c["address"]} >= {"US", "DE", "GB", "JP", "FR"}
    assert {c["currency"] for c in customers} == {"usd", "eur", "gbp", "jpy"}
    assert any(c["shipping"] for c in customers) and any(c["shipping"] is None for c in customers)
    assert any("netsuite_first_name" in c["metadata"] for c in customers)
    assert any(c["description"] and "GmbH" in c["name"] for c in customers)
    assert "Jane Doe" in {c["name"] for c in customers}

    types = [e["type"] for e in events]
    assert types.count("customer.created") == 12
    assert types.count("customer.updated") >= 2
    assert types.count("customer.deleted") == 1
    assert all(now - 20 * DAY <= e["created"] < now for e in events)
    for event in events:
        if event["type"] == "customer.updated":
            assert event["data"]["previous_attributes"]
    deleted_id = next(e["data"]["object"]["id"] for e in events if e["type"] == "customer.deleted")
    assert sb.client.v1.customers.retrieve(deleted_id).deleted is True
    created_event = next(e for e in events if e["type"] == "customer.created")
    assert created_event["request"]["id"].startswith("req_")


def test_scenario_registry():
    assert {"demo", "empty"} <= set(SCENARIOS)
    with pytest.raises(ValueError, match="unknown scenario"):
        StripeSandbox(scenario="nope")
    empty = StripeSandbox(scenario="empty")
    assert empty.state.store.count("customer") == 0
