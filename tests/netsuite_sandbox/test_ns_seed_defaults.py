"""The default seed has what the connector's default settings use: its custom fields and KRW."""

from __future__ import annotations

from decimal import Decimal as D

from ns_helpers import assert_error, get_expanded, put

ITEM = {"externalId": "stripe-item-generic"}


def test_sync_hash_and_proration_are_writable_over_rest_and_readable_by_suiteql(client):
    put(client, "customer", "cus_1", {"companyName": "Acme"})
    invoice = put(client, "invoice", "in_1", {
        "entity": {"externalId": "cus_1"}, "custbody_stripe_sync_hash": "sha256:aaa",
        "item": {"items": [{"item": ITEM, "amount": D("30.00"), "custcol_stripe_proration": True},
                           {"item": ITEM, "amount": D("70.00"), "custcol_stripe_proration": False}]}})
    record = get_expanded(client, "invoice", invoice)
    assert record["custbody_stripe_sync_hash"] == "sha256:aaa"
    assert [line["custcol_stripe_proration"] for line in record["item"]["items"]] == [True, False]

    body = client.suiteql(f"SELECT custbody_stripe_sync_hash FROM transaction WHERE id = {invoice}").json()
    assert body["items"] == [{"links": [], "custbody_stripe_sync_hash": "sha256:aaa"}]
    lines = client.suiteql(f"SELECT linesequencenumber, custcol_stripe_proration FROM transactionline "
                           f"WHERE transaction = {invoice} AND item IS NOT NULL ORDER BY linesequencenumber").json()
    assert [row["custcol_stripe_proration"] for row in lines["items"]] == ["T", "F"]

    # The connector rewrites the hash when it changes what it wrote.
    put(client, "invoice", "in_1", {"custbody_stripe_sync_hash": "sha256:bbb"})
    again = client.suiteql(f"SELECT custbody_stripe_sync_hash FROM transaction WHERE id = {invoice}").json()
    assert again["items"][0]["custbody_stripe_sync_hash"] == "sha256:bbb"


def test_proration_is_a_checkbox_on_credit_memo_lines_too(client):
    put(client, "customer", "cus_1", {"companyName": "Acme"})
    memo = put(client, "creditMemo", "cn_1", {
        "entity": {"externalId": "cus_1"}, "custbody_stripe_sync_hash": "h",
        "item": {"items": [{"item": ITEM, "amount": D("5.00"), "custcol_stripe_proration": True}]}})
    rows = client.suiteql(f"SELECT custcol_stripe_proration FROM transactionline "
                          f"WHERE transaction = {memo} AND item IS NOT NULL").json()["items"]
    assert [row["custcol_stripe_proration"] for row in rows] == ["T"]
    assert_error(client.upsert("creditMemo", "cn_1", {"item": {"items": [
        {"item": ITEM, "amount": D("5.00"), "custcol_stripe_proration": "yes"}]}}), 400, "INVALID_FLD_VALUE")


def test_krw_is_enabled_with_zero_decimals_and_aud_stays_disabled(client):
    rows = client.suiteql("SELECT id, symbol, currencyprecision, exchangerate, isinactive FROM currency "
                          "WHERE symbol IN ('KRW', 'AUD') ORDER BY id").json()["items"]
    assert [(r["id"], r["symbol"], r["currencyprecision"], r["exchangerate"], r["isinactive"]) for r in rows] == [
        ("7", "AUD", "2", "0.66", "T"), ("8", "KRW", "0", "0.00072", "F")]
    put(client, "customer", "cus_kr", {"companyName": "Seoul Tech", "currency": {"id": "8"}})
    invoice = put(client, "invoice", "in_kr", {"entity": {"externalId": "cus_kr"},
                                               "item": {"items": [{"item": ITEM, "amount": D("55000.5")}]}})
    record = get_expanded(client, "invoice", invoice)
    assert record["currency"]["refName"] == "South Korean Won"
    assert record["total"] == 55001 and record["exchangeRate"] == D("0.00072")
    assert_error(client.upsert("customer", "cus_au", {"companyName": "Sydney Ltd", "currency": {"id": "7"}}),
                 400, "INVALID_KEY_OR_REF", path="currency")
