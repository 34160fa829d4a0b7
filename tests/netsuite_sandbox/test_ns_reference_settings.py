"""POST /_sandbox/reference/{type}/{id}: an administrator enables a currency (or an account)."""

from __future__ import annotations

from decimal import Decimal as D

import requests
from ns_helpers import assert_error, put

ITEM = {"externalId": "stripe-item-generic"}
AUD = "7"


def _change(sandbox, type_name, internal_id, body):
    return requests.post(f"{sandbox.url}/_sandbox/reference/{type_name}/{internal_id}", json=body, timeout=10)


def _currency_row(client, internal_id):
    rows = client.suiteql(f"SELECT id, symbol, isinactive FROM currency WHERE id = {internal_id}").json()["items"]
    return {key: rows[0][key] for key in ("id", "symbol", "isinactive")}


def test_enabling_a_currency_lets_customers_and_transactions_use_it(sandbox, client):
    detail = assert_error(client.upsert("customer", "cus_au", {"companyName": "Sydney Ltd", "currency": {"id": AUD}}),
                          400, "INVALID_KEY_OR_REF", path="currency")
    assert "inactive" in detail["detail"]

    enabled = _change(sandbox, "currency", AUD, {"isInactive": False})  # no TBA, like /_sandbox/faults
    assert enabled.status_code == 200, enabled.text
    assert (enabled.json()["symbol"], enabled.json()["isInactive"]) == ("AUD", False)
    assert _currency_row(client, AUD) == {"id": AUD, "symbol": "AUD", "isinactive": "F"}

    put(client, "customer", "cus_au", {"companyName": "Sydney Ltd", "currency": {"id": AUD}})
    put(client, "invoice", "in_au", {"entity": {"externalId": "cus_au"},
                                     "item": {"items": [{"item": ITEM, "amount": D("10.00")}]}})
    assert sandbox.app.get_record("invoice", "eid:in_au")["exchangeRate"] == D("0.66")

    assert _change(sandbox, "currency", AUD, {"isInactive": True}).status_code == 200
    assert _currency_row(client, AUD)["isinactive"] == "T"
    assert_error(client.upsert("customer", "cus_au2", {"companyName": "Perth Ltd", "currency": {"id": AUD}}),
                 400, "INVALID_KEY_OR_REF", path="currency")


def test_an_account_can_be_disabled_and_enabled(sandbox, client):
    assert _change(sandbox, "account", "13", {"isInactive": True}).status_code == 200
    rows = client.suiteql("SELECT isinactive FROM account WHERE id = 13").json()["items"]
    assert rows[0]["isinactive"] == "T"
    body = {"itemId": "Shipping", "incomeAccount": {"externalId": "acct-shipping-income"}}
    assert_error(client.upsert("otherChargeSaleItem", "ship", body), 400, "INVALID_KEY_OR_REF", path="incomeAccount")
    assert _change(sandbox, "account", "13", {"isInactive": False}).status_code == 200
    put(client, "otherChargeSaleItem", "ship", body)


def test_refusals(sandbox, client):
    def refused(response, status, code):
        assert response.status_code == status, response.text
        assert response.headers["Content-Type"].startswith("application/json")
        assert response.json()["o:errorDetails"][0]["o:errorCode"] == code
        return response.json()["o:errorDetails"][0]

    assert refused(_change(sandbox, "currency", AUD, {"name": "Aussie"}), 400, "INVALID_FIELD")["o:errorPath"] == "name"
    refused(_change(sandbox, "currency", AUD, {"isInactive": False, "exchangeRate": "0.7"}), 400, "INVALID_FIELD")
    refused(_change(sandbox, "currency", AUD, {"isInactive": "no"}), 400, "INVALID_FLD_VALUE")
    refused(_change(sandbox, "currency", AUD, {}), 400, "INVALID_CONTENT")
    refused(_change(sandbox, "currency", AUD, ["isInactive"]), 400, "INVALID_CONTENT")
    refused(requests.post(f"{sandbox.url}/_sandbox/reference/currency/{AUD}", data=b"{not json", timeout=10),
            400, "INVALID_CONTENT")
    refused(_change(sandbox, "term", "1", {"isInactive": True}), 400, "INVALID_CONTENT")
    refused(_change(sandbox, "currency", "99", {"isInactive": False}), 404, "NONEXISTENT_ID")
    assert _currency_row(client, AUD)["isinactive"] == "T"  # nothing above changed it


def test_currencies_stay_read_only_over_the_record_api(sandbox, client):
    assert_error(client.request("PATCH", f"/services/rest/record/v1/currency/{AUD}", json={"isInactive": False}),
                 405, "METHOD_NOT_ALLOWED")
    assert _currency_row(client, AUD)["isinactive"] == "T"


def test_the_change_survives_a_restart(start_sandbox):
    first = start_sandbox()
    assert _change(first, "currency", AUD, {"isInactive": False}).status_code == 200
    first.stop()
    second = start_sandbox()
    assert second.app.suiteql(f"SELECT isinactive FROM currency WHERE id = {AUD}") == [{"isinactive": "F"}]
