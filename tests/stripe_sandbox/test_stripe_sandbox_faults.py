"""Fault injection, seen through the SDK's retry logic."""

from __future__ import annotations

import time

import pytest
import stripe


def test_429_with_should_retry_is_retried(sb, fast_retries):
    sb.fault(path="/v1/customers", method="GET", status=429, count=2, headers={"Stripe-Should-Retry": "true"})
    page = sb.client.v1.customers.list()  # max_network_retries=2: two 429s then success
    assert page.data == []
    assert sb.raw("GET", "/_sandbox/faults").json()["data"] == []


def test_429_envelope(sb):
    sb.fault(path="/v1/customers", status=429)
    with pytest.raises(stripe.RateLimitError) as exc:
        sb.client_for(retries=0).v1.customers.list()
    assert exc.value.http_status == 429
    assert exc.value.error.code == "rate_limit"
    assert exc.value.error.type == "invalid_request_error"
    assert exc.value.user_message.startswith("Too many requests")


def test_500_exhausts_retries_and_raises_api_error(sb, fast_retries):
    sb.fault(path="/v1/customers", method="GET", status=500, count=5)
    with pytest.raises(stripe.APIError) as exc:
        sb.client.v1.customers.list()
    assert exc.value.http_status == 500
    assert exc.value.json_body["error"]["type"] == "api_error"
    remaining = sb.raw("GET", "/_sandbox/faults").json()["data"]
    assert remaining[0]["count"] == 2  # 1 try + 2 retries used 3 of 5
    assert sb.raw("DELETE", "/_sandbox/faults").json()["deleted"] == 1
    assert sb.client.v1.customers.list().data == []


def test_fault_only_matches_its_method_and_path(sb):
    sb.fault(path="/v1/customers/*", method="GET", status=503)
    sb.client.v1.customers.create(params={"name": "fine"})  # POST /v1/customers: no match
    assert len(sb.client.v1.customers.list().data) == 1  # GET /v1/customers: no match
    assert len(sb.raw("GET", "/_sandbox/faults").json()["data"]) == 1


def test_lost_response_after_write_is_replayed_by_idempotency(sb, fast_retries):
    """phase=after: the create happens, the answer is a 500; the SDK retries with the same key."""
    sb.fault(path="/v1/customers", method="POST", status=500, phase="after")
    customer = sb.client.v1.customers.create(params={"name": "exactly once"})
    assert customer.last_response.headers["Idempotent-Replayed"] == "true"
    assert [c.id for c in sb.client.v1.customers.list().data] == [customer.id]
    assert len(sb.client.v1.events.list().data) == 1


def test_dropped_connection_is_retried(sb, fast_retries):
    sb.fault(path="/v1/customers", method="GET", drop_connection=True, count=1)
    assert sb.client.v1.customers.list().data == []
    sb.fault(path="/v1/customers", method="GET", drop_connection=True, count=3)
    with pytest.raises(stripe.APIConnectionError):
        sb.client.v1.customers.list()


def test_latency_only_fault(sb):
    sb.fault(path="/v1/customers", latency_ms=300)
    started = time.monotonic()
    sb.client.v1.customers.list()
    assert time.monotonic() - started >= 0.3


def test_bad_fault_specs(sb):
    assert sb.raw("POST", "/_sandbox/faults", json={"status": 200}).status_code == 400
    assert sb.raw("POST", "/_sandbox/faults", json={"path": "/v1/customers"}).status_code == 400
    assert sb.raw("POST", "/_sandbox/faults", json={"status": 500, "oops": 1}).status_code == 400
