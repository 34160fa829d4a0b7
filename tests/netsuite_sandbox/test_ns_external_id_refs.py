"""What the connector relies on: references by external ID, and negative lines on sales transactions."""

from __future__ import annotations

from decimal import Decimal as D

from ns_helpers import get_expanded, put

ITEM = {"externalId": "stripe-item-generic"}


def test_items_and_invoices_reference_other_records_by_external_id(client):
    customer = put(client, "customer", "cus_X", {"companyName": "X Corp"})
    service = put(client, "serviceSaleItem", "price_X", {"itemId": "Pro plan (price_X)",
                                                         "incomeAccount": {"externalId": "acct-sales-income"}})
    discount = put(client, "discountItem", "coupon_X", {"itemId": "Coupon X",
                                                        "account": {"externalId": "acct-sales-discounts"}})
    assert get_expanded(client, "serviceSaleItem", service)["incomeAccount"]["id"] == "4"
    assert get_expanded(client, "discountItem", discount)["account"]["id"] == "12"
    rows = client.suiteql(f"SELECT id, incomeaccount, account FROM item WHERE id IN ({service}, {discount}) "
                          "ORDER BY id").json()["items"]
    assert (rows[0]["id"], rows[0]["incomeaccount"]) == (service, "4")
    assert (rows[1]["id"], rows[1]["account"]) == (discount, "12")

    invoice = put(client, "invoice", "in_X", {
        "entity": {"externalId": "cus_X"},
        "item": {"items": [{"item": {"externalId": "price_X"}, "amount": D("100.00")},
                           {"item": {"externalId": "coupon_X"}, "amount": D("-10.00")}]}})
    record = get_expanded(client, "invoice", invoice)
    assert record["entity"]["id"] == customer and record["total"] == 90
    assert [line["item"]["id"] for line in record["item"]["items"]] == [service, discount]
    posted = client.suiteql(f"SELECT account, SUM(amount) AS amount FROM transactionaccountingline "
                            f"WHERE transaction = {invoice} GROUP BY account ORDER BY account").json()["items"]
    assert [(r["account"], D(r["amount"])) for r in posted] == [("3", 90), ("4", -100), ("12", 10)]


def test_a_credit_memo_with_a_negative_line_and_total_zero_is_accepted(client):
    put(client, "customer", "cus_X", {"companyName": "X Corp"})
    memo = put(client, "creditMemo", "cn_X", {"entity": {"externalId": "cus_X"}, "item": {"items": [
        {"item": ITEM, "amount": D("100.00")}, {"item": ITEM, "amount": D("-100.00")}]}})
    record = get_expanded(client, "creditMemo", memo)
    assert record["total"] == 0
    assert [line["amount"] for line in record["item"]["items"]] == [100, -100]


def test_an_invoice_of_a_negative_then_a_positive_line_totalling_zero_is_accepted(client):
    put(client, "customer", "cus_X", {"companyName": "X Corp"})
    invoice = put(client, "invoice", "in_zero", {"entity": {"externalId": "cus_X"}, "item": {"items": [
        {"item": ITEM, "amount": D("-125.01")}, {"item": ITEM, "amount": D("125.01")}]}})
    record = get_expanded(client, "invoice", invoice)
    assert record["total"] == 0 and record["status"]["refName"] == "Paid In Full"
    assert [line["amount"] for line in record["item"]["items"]] == [D("-125.01"), D("125.01")]
