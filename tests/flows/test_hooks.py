"""StripeHook and NetSuiteHook against the sandboxes, including the errors users will meet."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from stripe_netsuite.hooks.netsuite import NetSuiteHook
from stripe_netsuite.hooks.netsuite_errors import NetSuiteAuthError
from stripe_netsuite.hooks.stripe import StripeAuthError, StripeCursorExpiredError, StripeHook
from stripe_netsuite.mapping.records import NeutralRecord
from tests.fixtures.sandboxes import TBA, netsuite_conn, stripe_conn
from tests.flows.helpers import stripe_client

CUSTOMER_EVENTS = ("customer.created", "customer.updated", "customer.deleted")


@pytest.fixture
def stripe_hook(monkeypatch, stripe_empty):
    monkeypatch.setenv("AIRFLOW_CONN_STRIPE_DEFAULT", stripe_conn(stripe_empty.url))
    return StripeHook(requests_per_second=200)


@pytest.fixture
def netsuite_hook(monkeypatch, netsuite):
    monkeypatch.setenv("AIRFLOW_CONN_NETSUITE_DEFAULT", netsuite_conn(netsuite.url))
    return NetSuiteHook()


def test_stripe_reads_come_back_as_the_json_stripe_sent(stripe_hook, stripe_empty):
    """Plain dicts with Stripe's own JSON types (the SDK's objects would turn decimal strings into
    Decimal); an ID with characters that need escaping is retrieved by its exact value."""
    client = stripe_client(stripe_empty.url)
    coupon = client.v1.coupons.create(params={"id": "SUMMER 20%/EU", "percent_off": 20, "duration": "once"})
    fetched = stripe_hook.retrieve("coupons", "SUMMER 20%/EU")
    assert fetched["id"] == coupon.id == "SUMMER 20%/EU" and fetched["percent_off"] == 20
    price = client.v1.prices.create(params={"currency": "usd", "unit_amount_decimal": "12.345",
                                            "product_data": {"name": "Metered"}})
    fetched = stripe_hook.retrieve("prices", price.id)
    assert isinstance(fetched, dict) and fetched["unit_amount_decimal"] == "12.345"
    assert isinstance(price.unit_amount_decimal, Decimal)  # what the SDK's objects would have given


def test_stripe_lists_every_page_and_filters_by_created(stripe_hook, stripe_empty):
    client = stripe_client(stripe_empty.url)
    created = [client.v1.customers.create(params={"name": f"C{i}"}) for i in range(130)]
    listed = list(stripe_hook.list_objects("customers"))
    assert [c["id"] for c in listed] == [c.id for c in reversed(created)]  # newest first, both pages
    assert all(isinstance(c, dict) for c in listed)
    cut = created[60].created
    window = list(stripe_hook.list_objects("customers", created_gte=cut, created_lt=cut + 1))
    assert window and all(c["created"] == cut for c in window)


def test_stripe_events_after_a_cursor_come_oldest_first(stripe_hook, stripe_empty):
    client = stripe_client(stripe_empty.url)
    first = client.v1.customers.create(params={"name": "First"})
    cursor = stripe_hook.latest_event(CUSTOMER_EVENTS)
    assert cursor["data"]["object"]["id"] == first.id
    later = [client.v1.customers.create(params={"name": f"L{i}"}) for i in range(120)]
    client.v1.customers.update(first.id, params={"email": "x@y.test"})
    events = list(stripe_hook.events_after(cursor["id"], CUSTOMER_EVENTS))
    assert [e["data"]["object"]["id"] for e in events] == [c.id for c in later] + [first.id]
    assert events[-1]["type"] == "customer.updated"
    assert list(stripe_hook.events_after(events[-1]["id"], CUSTOMER_EVENTS)) == []


def test_stripe_expired_cursor_says_what_to_do(stripe_hook):
    with pytest.raises(StripeCursorExpiredError) as info:
        list(stripe_hook.events_after("evt_gone_long_ago", CUSTOMER_EVENTS))
    assert "30 days" in str(info.value) and "backfill" in str(info.value)


def test_stripe_wrong_key_is_a_clear_error_without_the_key(monkeypatch, stripe_empty):
    secret = "sk_test_WRONGwrongWRONG123456"
    monkeypatch.setenv("AIRFLOW_CONN_STRIPE_DEFAULT", stripe_conn(stripe_empty.url, key=secret))
    hook = StripeHook()
    with pytest.raises(StripeAuthError) as info:
        list(hook.list_objects("customers"))
    message = str(info.value)
    assert "stripe_default" in message and "secret key" in message
    assert secret not in message and "WRONGwrongWRONG" not in message
    assert hook.test_connection()[0] is False


def test_stripe_missing_key(monkeypatch, stripe_empty):
    monkeypatch.setenv("AIRFLOW_CONN_STRIPE_DEFAULT", json.dumps({"conn_type": "stripe", "host": stripe_empty.url}))
    with pytest.raises(Exception, match="no Stripe secret key"):
        StripeHook().client


def test_stripe_retries_transient_faults(stripe_hook, stripe_empty):
    import requests

    requests.post(
        f"{stripe_empty.url}/_sandbox/faults",
        json={"path": "/v1/customers", "method": "GET", "status": 503, "count": 2},
        headers={"Authorization": "Bearer sk_test_sandbox"},
        timeout=5,
    ).raise_for_status()
    assert list(stripe_hook.list_objects("customers")) == []  # two 503s absorbed by the SDK's retries


def test_netsuite_upsert_is_idempotent_and_returns_the_internal_id(netsuite_hook):
    record = NeutralRecord("customer", "cus_HOOK1", {"companyName": "Hook Ltd", "subsidiary": {"id": "1"}}, "cus_HOOK1")
    first = netsuite_hook.upsert(record)
    again = netsuite_hook.upsert(NeutralRecord("customer", "cus_HOOK1", {"companyName": "Hook Ltd 2"}, "cus_HOOK1"))
    assert first == again and first.isdigit()
    rows = list(netsuite_hook.suiteql("SELECT id, externalid, companyname FROM customer WHERE externalid = 'cus_HOOK1'"))
    assert rows == [{"id": first, "externalid": "cus_HOOK1", "companyname": "Hook Ltd 2"}]
    assert netsuite_hook.get_record("customer", "eid:cus_HOOK1")["id"] == first
    assert netsuite_hook.get_record("customer", "eid:cus_NOPE") is None


def test_netsuite_rejected_records_are_returned_not_raised(netsuite_hook):
    good = NeutralRecord("customer", "cus_OK", {"companyName": "Fine"}, "cus_OK")
    bad_email = NeutralRecord("customer", "cus_BAD", {"companyName": "Bad", "email": "not-an-email"}, "cus_BAD")
    dangling = NeutralRecord("customer", "cus_DANGLE", {"companyName": "D", "subsidiary": {"id": "999"}}, "cus_DANGLE")
    bad_eid = NeutralRecord("customer", "cus:colon", {"companyName": "E"}, "cus:colon")
    result = netsuite_hook.upsert_records([good, bad_email, dangling, bad_eid])
    assert list(result.id_map) == ["cus_OK"]
    codes = {e.external_id: e.code for e in result.errors}
    assert codes["cus_BAD"] == "INVALID_FLD_VALUE"
    assert codes["cus_DANGLE"] == "INVALID_KEY_OR_REF"
    assert codes["cus:colon"] == "INVALID_EXTERNAL_ID"
    assert all(e.source_id for e in result.errors)


def test_netsuite_suiteql_pages(netsuite_hook):
    netsuite_hook.upsert_records(
        (NeutralRecord("customer", f"cus_P{i:03d}", {"companyName": f"P{i}"}, f"cus_P{i:03d}") for i in range(23)),
        batch_threshold=1000,
    )
    rows = list(netsuite_hook.suiteql("SELECT id, externalid FROM customer ORDER BY id", page_size=5))
    assert len(rows) == 23 and len({r["id"] for r in rows}) == 23
    found = netsuite_hook.rows_by_external_id("customer", [f"cus_P{i:03d}" for i in range(0, 23, 2)] + ["cus_absent"])
    assert sorted(found) == [f"cus_P{i:03d}" for i in range(0, 23, 2)]
    assert netsuite_hook.currency_ids()["USD"]
    # Keyset paging: every page is a query of its own from offset 0, so SuiteQL's cap of 100,000 rows per
    # query (offset paging stops there) never cuts a large table short.
    from stripe_netsuite.hooks.netsuite_rest import RestTransport

    asked: list[tuple[str, int]] = []
    page = RestTransport.suiteql_page
    monkeypatch_page = pytest.MonkeyPatch()
    monkeypatch_page.setattr(RestTransport, "suiteql_page",
                             lambda self, q, limit, offset=0: asked.append((q, offset)) or page(self, q, limit, offset))
    try:
        keyset = list(netsuite_hook.suiteql_after("SELECT id, externalid FROM customer WHERE id > {after} ORDER BY id",
                                                  page_size=5))
    finally:
        monkeypatch_page.undo()
    assert keyset == rows
    assert [offset for _, offset in asked] == [0] * len(asked) and len(asked) == 5
    assert asked[1][0].endswith(f"WHERE id > {rows[4]['id']} ORDER BY id")


def test_netsuite_bad_signature_is_a_clear_error_without_secrets(monkeypatch, netsuite):
    wrong = "not-the-real-token-secret-9f8e7d"
    monkeypatch.setenv("AIRFLOW_CONN_NETSUITE_DEFAULT", netsuite_conn(netsuite.url, token_secret=wrong))
    hook = NetSuiteHook()
    with pytest.raises(NetSuiteAuthError) as info:
        list(hook.suiteql("SELECT id FROM customer"))
    message = str(info.value)
    assert "INVALID_LOGIN" in message and "credentials" in message
    for secret in (wrong, TBA["consumer_secret"], TBA["token_secret"]):
        assert secret not in message
    ok, reason = hook.test_connection()
    assert ok is False and wrong not in reason


def test_netsuite_missing_tba_fields(monkeypatch, netsuite):
    monkeypatch.setenv("AIRFLOW_CONN_NETSUITE_DEFAULT", netsuite_conn(netsuite.url, token_id=""))
    with pytest.raises(Exception, match="token_id"):
        NetSuiteHook().rest


def test_connection_secrets_are_masked_in_logs(monkeypatch, netsuite, stripe_empty):
    from airflow.sdk._shared.secrets_masker import redact

    monkeypatch.setenv("AIRFLOW_CONN_NETSUITE_DEFAULT", netsuite_conn(netsuite.url))
    monkeypatch.setenv("AIRFLOW_CONN_STRIPE_DEFAULT", stripe_conn(stripe_empty.url))
    NetSuiteHook().rest
    StripeHook().client
    for secret in (TBA["consumer_secret"], TBA["token_secret"], "sk_test_sandbox"):
        assert secret not in str(redact(f"oops {secret} leaked"))
