"""List objects: order, limit, cursors both ways, created filters, email filter."""

from __future__ import annotations

import pytest
import stripe

T0 = 1_700_000_000


def _create_many(sb, count: int, *, step: int = 0, prefix: str = "c") -> list[str]:
    """Create ``count`` customers, ``step`` seconds apart (0 = all in one second); oldest first."""
    sb.freeze(T0)
    ids = []
    for i in range(count):
        ids.append(sb.client.v1.customers.create(params={"name": f"{prefix}{i}"}).id)
        if step:
            sb.advance(step)
    return ids


def test_newest_first_with_same_second_ties(sb):
    ids = _create_many(sb, 7, step=0)
    page = sb.client.v1.customers.list(params={"limit": 100})
    assert [c.id for c in page.data] == list(reversed(ids))
    assert {c.created for c in page.data} == {T0}
    assert page.has_more is False and page.url == "/v1/customers"


def test_forward_pagination_auto_paging_iter(sb):
    ids = _create_many(sb, 23, step=1)
    first = sb.client.v1.customers.list(params={"limit": 5})
    assert first.has_more is True and len(first.data) == 5
    seen = [c.id for c in first.auto_paging_iter()]
    assert seen == list(reversed(ids))

    second = sb.client.v1.customers.list(params={"limit": 5, "starting_after": first.data[-1].id})
    assert [c.id for c in second.data] == list(reversed(ids))[5:10]


def test_forward_pagination_over_same_second_ties(sb):
    ids = _create_many(sb, 12, step=0)
    seen = [c.id for c in sb.client.v1.customers.list(params={"limit": 5}).auto_paging_iter()]
    assert seen == list(reversed(ids))


@pytest.mark.parametrize("step", [0, 1])
def test_backward_pagination_yields_each_newer_object_once(sb, step):
    ids = _create_many(sb, 23, step=step)  # oldest first
    anchor = ids[4]
    page = sb.client.v1.customers.list(params={"limit": 5, "ending_before": anchor})
    assert [c.id for c in page.data] == list(reversed(ids[5:10]))  # just newer, newest first
    assert page.has_more is True
    seen = [c.id for c in page.auto_paging_iter()]
    assert seen == ids[5:]  # the SDK walks backwards: oldest to newest, each once
    assert len(seen) == len(set(seen))


def test_ending_before_at_the_newest_edge(sb):
    ids = _create_many(sb, 3, step=1)
    page = sb.client.v1.customers.list(params={"ending_before": ids[-1]})
    assert page.data == [] and page.has_more is False
    page = sb.client.v1.customers.list(params={"ending_before": ids[0], "limit": 2})
    assert [c.id for c in page.data] == [ids[2], ids[1]] and page.has_more is False


@pytest.mark.parametrize("limit", [0, 101, -1, "ten"])
def test_limit_bounds(client, limit):
    with pytest.raises(stripe.InvalidRequestError) as exc:
        client.v1.customers.list(params={"limit": limit})
    assert exc.value.http_status == 400
    assert exc.value.param == "limit"


def test_limit_default_and_max(sb):
    _create_many(sb, 12, step=0)
    assert len(sb.client.v1.customers.list().data) == 10
    assert len(sb.client.v1.customers.list(params={"limit": 100}).data) == 12
    assert len(sb.client.v1.customers.list(params={"limit": 1}).data) == 1


def test_unknown_cursor_is_400(client):
    for cursor in ("starting_after", "ending_before"):
        with pytest.raises(stripe.InvalidRequestError) as exc:
            client.v1.customers.list(params={cursor: "cus_unknown"})
        assert exc.value.http_status == 400
        assert exc.value.code == "resource_missing"
        assert exc.value.param == cursor


def test_created_filters(sb):
    ids = _create_many(sb, 6, step=10)  # created T0, T0+10, ..., T0+50
    created = {c.id: c.created for c in sb.client.v1.customers.list(params={"limit": 100}).data}
    assert created[ids[0]] == T0 and created[ids[5]] == T0 + 50

    def listed(created_param):
        page = sb.client.v1.customers.list(params={"limit": 100, "created": created_param})
        return [c.id for c in page.data]

    assert listed({"gte": T0 + 20}) == list(reversed(ids[2:]))
    assert listed({"gt": T0 + 20}) == list(reversed(ids[3:]))
    assert listed({"lt": T0 + 20}) == list(reversed(ids[:2]))
    assert listed({"lte": T0 + 20}) == list(reversed(ids[:3]))
    assert listed({"gte": T0 + 10, "lt": T0 + 40}) == list(reversed(ids[1:4]))
    assert listed(T0 + 30) == [ids[3]]
    paged = sb.client.v1.customers.list(params={"limit": 2, "created": {"gte": T0 + 10}})
    assert [c.id for c in paged.auto_paging_iter()] == list(reversed(ids[1:]))
    with pytest.raises(stripe.InvalidRequestError) as exc:
        sb.client.v1.customers.list(params={"created": {"after": 1}})
    assert exc.value.param == "created[after]"


def test_email_filter_and_deleted_are_skipped(sb):
    client = sb.client
    a = client.v1.customers.create(params={"email": "a@example.com"})
    client.v1.customers.create(params={"email": "b@example.com"})
    c = client.v1.customers.create(params={"email": "a@example.com"})
    page = client.v1.customers.list(params={"email": "a@example.com"})
    assert [x.id for x in page.data] == [c.id, a.id]
    client.v1.customers.delete(c.id)
    assert [x.id for x in client.v1.customers.list(params={"email": "a@example.com"}).data] == [a.id]


def test_both_cursors_rejected(sb):
    ids = _create_many(sb, 2)
    with pytest.raises(stripe.InvalidRequestError):
        sb.client.v1.customers.list(params={"starting_after": ids[0], "ending_before": ids[1]})
