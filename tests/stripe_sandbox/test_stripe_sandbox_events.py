"""Events recorded by writes, their filters, the 30-day window and the clock control."""

from __future__ import annotations

import pytest
import stripe

T0 = 1_750_000_000
DAY = 86400


def test_create_update_delete_events(sb):
    sb.freeze(T0)
    client = sb.client
    cus = client.v1.customers.create(params={"name": "Ev", "metadata": {"a": "1"}}, options={"idempotency_key": "ik-1"})
    sb.advance(5)
    client.v1.customers.update(cus.id, params={"name": "Ev2", "metadata": {"b": "2"}, "phone": "+1 555"})
    client.v1.customers.update(cus.id, params={"name": "Ev2"})  # no change: no event
    sb.advance(5)
    client.v1.customers.delete(cus.id)

    events = client.v1.events.list().data
    assert [e.type for e in events] == ["customer.deleted", "customer.updated", "customer.created"]
    deleted, updated, created = events
    assert created.created == T0 and updated.created == T0 + 5 and deleted.created == T0 + 10
    assert created.data.object.name == "Ev" and created.data.object.id == cus.id
    assert "previous_attributes" not in created.data
    assert created.request.idempotency_key == "ik-1"
    assert created.request.id == cus.last_response.request_id
    assert updated.data.object.name == "Ev2"
    assert updated.data.previous_attributes.to_dict() == {"name": "Ev", "metadata": {"a": "1"}, "phone": None}
    assert deleted.data.object.name == "Ev2" and deleted.data.object.phone == "+1 555"
    for event in events:
        assert event.id.startswith("evt_") and event.object == "event"
        assert event.api_version == "2026-10-28.endive"
        assert event.livemode is False and event.pending_webhooks == 0
    fetched = client.v1.events.retrieve(updated.id)
    assert fetched.to_dict() == updated.to_dict()


def test_event_snapshot_is_a_copy(sb):
    client = sb.client
    cus = client.v1.customers.create(params={"name": "Before"})
    client.v1.customers.update(cus.id, params={"name": "After"})
    created = client.v1.events.list(params={"type": "customer.created"}).data[0]
    assert created.data.object.name == "Before"


def _seed_types(sb):
    client = sb.client
    a = client.v1.customers.create(params={"name": "a"})
    client.v1.customers.update(a.id, params={"name": "a2"})
    b = client.v1.customers.create(params={"name": "b"})
    client.v1.customers.delete(b.id)


def test_type_and_types_filters(sb):
    _seed_types(sb)
    client = sb.client

    def types_of(params):
        return [e.type for e in client.v1.events.list(params=params).data]

    assert types_of({"type": "customer.created"}) == ["customer.created", "customer.created"]
    assert types_of({"type": "customer.*"}) == ["customer.deleted", "customer.created", "customer.updated",
                                                "customer.created"]
    assert types_of({"type": "*.deleted"}) == ["customer.deleted"]
    assert types_of({"type": "invoice.*"}) == []
    assert types_of({"types": ["customer.updated", "customer.deleted"]}) == ["customer.deleted", "customer.updated"]
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.events.list(params={"type": "customer.created", "types": ["customer.updated"]})
    with pytest.raises(stripe.InvalidRequestError) as exc:
        client.v1.events.list(params={"types": [f"t{i}" for i in range(21)]})
    assert exc.value.param == "types"


def test_events_ending_before_iterates_newer_events(sb):
    client = sb.client
    cus = client.v1.customers.create(params={"name": "x"})
    anchor = client.v1.events.list(params={"limit": 1}).data[0]
    for i in range(7):
        client.v1.customers.update(cus.id, params={"name": f"x{i}"})
    newer = client.v1.events.list(params={"types": ["customer.updated"], "ending_before": anchor.id, "limit": 3})
    names = [e.data.object.name for e in newer.auto_paging_iter()]
    assert names == [f"x{i}" for i in range(7)]


def test_events_are_listable_for_30_days(sb):
    sb.freeze(T0)
    client = sb.client
    client.v1.customers.create(params={"name": "old"})
    event_id = client.v1.events.list().data[0].id
    sb.advance(30 * DAY)
    assert len(client.v1.events.list().data) == 1
    sb.advance(1)
    assert client.v1.events.list().data == []
    with pytest.raises(stripe.InvalidRequestError) as exc:
        client.v1.events.retrieve(event_id)
    assert exc.value.http_status == 404
    assert client.v1.customers.list().data[0].name == "old"  # objects stay


def test_events_created_filter(sb):
    sb.freeze(T0)
    client = sb.client
    client.v1.customers.create(params={"name": "one"})
    sb.advance(100)
    client.v1.customers.create(params={"name": "two"})
    later = client.v1.events.list(params={"created": {"gt": T0}})
    assert [e.data.object.name for e in later.data] == ["two"]


def test_clock_control(sb):
    assert sb.raw("GET", "/_sandbox/clock").json()["frozen"] is False
    sb.freeze(T0)
    assert sb.raw("GET", "/_sandbox/clock").json() == {"object": "sandbox.clock", "now": T0, "frozen": True}
    assert sb.advance(3600) == T0 + 3600
    form = sb.raw("POST", "/_sandbox/clock", data="advance=60",
                  headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert form.json()["now"] == T0 + 3660
    assert sb.raw("POST", "/_sandbox/clock", json={"advance": 1.5}).status_code == 400  # no floats
    assert sb.raw("POST", "/_sandbox/clock", json={"speed": 2}).status_code == 400
    unfrozen = sb.raw("POST", "/_sandbox/clock", json={"frozen_time": None}).json()
    assert unfrozen["frozen"] is False and unfrozen["now"] >= T0 + 3660


def test_injected_now_source(make_sandbox):
    ticks = iter(range(T0, T0 + 1000))
    sb = make_sandbox(now=lambda: next(ticks))
    cus = sb.client.v1.customers.create(params={"name": "t"})
    assert T0 <= cus.created < T0 + 1000
