"""Auth, headers, error envelopes, form decoding and idempotency on the wire."""

from __future__ import annotations

import base64

import pytest
import stripe


def test_wrong_key_is_401_and_redacted(sb):
    secret = "sk_test_thisIsAVerySecretKey1234"
    with pytest.raises(stripe.AuthenticationError) as exc:
        sb.client_for(secret).v1.customers.list()
    message = exc.value.user_message
    assert exc.value.http_status == 401
    assert message.startswith("Invalid API Key provided: sk_test_")
    assert message.endswith("1234")
    assert secret not in message and "VerySecret" not in message
    assert exc.value.json_body["error"]["type"] == "invalid_request_error"


def test_short_wrong_key_is_not_echoed(sb):
    response = sb.raw("GET", "/v1/customers", key="abcd")
    assert response.status_code == 401
    assert "abcd" not in response.text


def test_missing_key_is_401(sb):
    response = sb.raw("GET", "/v1/customers", key=None)
    assert response.status_code == 401
    assert response.json()["error"]["message"].startswith("You did not provide an API key")
    control = sb.raw("GET", "/_sandbox/clock", key="sk_test_wrong")
    assert control.status_code == 401


def test_basic_auth_is_accepted(sb):
    token = base64.b64encode(b"sk_test_sandbox:").decode()
    response = sb.raw("GET", "/v1/customers", key=None, headers={"Authorization": f"Basic {token}"})
    assert response.status_code == 200
    assert response.json() == {"object": "list", "data": [], "has_more": False, "url": "/v1/customers"}


def test_common_headers(sb):
    plain = sb.raw("GET", "/v1/customers")
    assert plain.headers["Request-Id"].startswith("req_")
    assert plain.headers["Stripe-Version"] == "2026-10-28.endive"
    assert plain.headers["Content-Type"] == "application/json"
    echoed = sb.raw("GET", "/v1/customers", headers={"Stripe-Version": "2025-03-31.basil"})
    assert echoed.headers["Stripe-Version"] == "2025-03-31.basil"
    assert echoed.headers["Request-Id"] != plain.headers["Request-Id"]
    sdk_page = sb.client.v1.customers.list()
    assert sdk_page.last_response.headers["Stripe-Version"] == stripe.api_version


def test_unknown_path_is_404_envelope(sb):
    response = sb.raw("GET", "/v1/nothing_here")
    assert response.status_code == 404
    error = response.json()["error"]
    assert error["type"] == "invalid_request_error"
    assert "Unrecognized request URL (GET: /v1/nothing_here)" in error["message"]
    wrong_method = sb.raw("PUT", "/v1/customers")
    assert wrong_method.status_code == 404 and "error" in wrong_method.json()


def test_nested_form_keys(sb):
    body = (
        "name=Form+Co&metadata[plan]=pro&address[line1]=1+Main&shipping[name]=Dock"
        "&shipping[address][city]=Kyoto&shipping[address][country]=JP&preferred_locales[]=ja"
        "&preferred_locales[]=en&expand[0]=test_clock"
    )
    response = sb.raw("POST", "/v1/customers", data=body,
                      headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 200, response.text
    customer = response.json()
    assert customer["metadata"] == {"plan": "pro"}
    assert customer["address"]["line1"] == "1 Main"
    assert customer["shipping"]["address"] == {"city": "Kyoto", "country": "JP", "line1": None, "line2": None,
                                               "postal_code": None, "state": None}
    assert customer["preferred_locales"] == ["ja", "en"]
    query = sb.raw("GET", "/v1/customers?created[gte]=1&expand[]=data.test_clock&limit=1")
    assert query.status_code == 200 and query.json()["data"][0]["id"] == customer["id"]


def test_idempotent_replay_and_mismatch(sb):
    client = sb.client
    first = client.v1.customers.create(params={"name": "Once"}, options={"idempotency_key": "key-1"})
    again = client.v1.customers.create(params={"name": "Once"}, options={"idempotency_key": "key-1"})
    assert again.id == first.id
    assert again.last_response.headers["Idempotent-Replayed"] == "true"
    assert again.last_response.headers["Original-Request"] == first.last_response.request_id
    assert "Idempotent-Replayed" not in first.last_response.headers
    assert len(client.v1.customers.list().data) == 1
    events = client.v1.events.list(params={"type": "customer.created"})
    assert len(events.data) == 1 and events.data[0].request.idempotency_key == "key-1"
    with pytest.raises(stripe.IdempotencyError) as exc:
        client.v1.customers.create(params={"name": "Twice"}, options={"idempotency_key": "key-1"})
    assert exc.value.http_status == 400
    assert exc.value.json_body["error"]["type"] == "idempotency_error"


def test_replay_is_byte_identical(sb):
    headers = {"Idempotency-Key": "raw-1", "Content-Type": "application/x-www-form-urlencoded"}
    first = sb.raw("POST", "/v1/customers", data="name=Raw", headers=headers)
    second = sb.raw("POST", "/v1/customers", data="name=Raw", headers=headers)
    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    assert second.headers["Idempotent-Replayed"] == "true"
    assert first.headers["Idempotency-Key"] == second.headers["Idempotency-Key"] == "raw-1"
    assert first.headers["Request-Id"] != second.headers["Request-Id"]


def test_failed_validation_is_not_saved_for_idempotency(sb):
    with pytest.raises(stripe.InvalidRequestError):
        sb.client.v1.customers.create(params={"email": "bad"}, options={"idempotency_key": "k-bad"})
    fixed = sb.client.v1.customers.create(params={"email": "ok@example.com"}, options={"idempotency_key": "k-bad"})
    assert fixed.email == "ok@example.com"
