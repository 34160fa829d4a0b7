"""Sublists in an update: merged line by line unless named in ``replace`` (Oracle, "Working with
Sublists"): keyed sublists (apply by ``doc``, currencyList by ``currency``, deposit payments by
``id``) update the matching line and add the others; other sublists (invoice ``item``, journal
``line``, ``addressBook``) add the sent lines. Named in ``replace``, the sent lines are the whole
sublist. A client that re-upserts an invoice with its lines but without ``?replace=item``
doubles it, as in NetSuite.
"""

from __future__ import annotations

import time
from decimal import Decimal as D

from ns_helpers import assert_error, get_expanded, put, written_id

ITEM = {"externalId": "stripe-item-generic"}
TAX = {"externalId": "stripe-item-tax"}
BATCH = {"Prefer": "respond-async", "Content-Type": "application/vnd.oracle.resource+json; type=collection"}


def _invoice_body(*amounts: str) -> dict:
    return {"entity": {"externalId": "cus_1"}, "tranDate": "2024-01-31",
            "item": {"items": [{"item": ITEM, "amount": D(a)} for a in amounts]}}


def _lines(client, record_type, key, sublist="item"):
    return get_expanded(client, record_type, key)[sublist]["items"]


def _patch(client, record_type, key, body, replace=None):
    params = {"replace": replace} if replace is not None else None
    return client.request("PATCH", f"/services/rest/record/v1/{record_type}/{key}", json=body, params=params)


def test_upsert_twice_without_replace_adds_the_item_lines_again(client):
    put(client, "customer", "cus_1", {"companyName": "Acme"})
    body = _invoice_body("100.00", "20.00")
    internal_id = put(client, "invoice", "in_1", body)
    assert get_expanded(client, "invoice", internal_id)["total"] == 120

    # The same upsert again, as a retrying client sends it: NetSuite adds the lines.
    assert written_id(client.upsert("invoice", "in_1", body)) == internal_id
    record = get_expanded(client, "invoice", internal_id)
    assert record["total"] == 240
    assert [(line["line"], line["amount"]) for line in record["item"]["items"]] == [
        (1, 100), (2, 20), (3, 100), (4, 20)]
    rows = client.suiteql(f"SELECT COUNT(*) n FROM transactionline WHERE transaction = {internal_id} "
                          "AND mainline = 'F' AND taxline = 'F'").json()["items"]
    assert rows[0]["n"] == "4"  # SuiteQL answers numbers as text

    # ?replace=item: the sent lines are the invoice's lines, however often it is sent.
    for _ in range(2):
        assert client.upsert("invoice", "in_1", body, params={"replace": "item"}).status_code == 204
        record = get_expanded(client, "invoice", internal_id)
        assert record["total"] == 120 and len(record["item"]["items"]) == 2

    # PATCH follows the same rules.
    assert _patch(client, "invoice", internal_id, {"item": {"items": [{"item": TAX, "amount": D("9.90")}]}}).status_code == 204
    assert [line["amount"] for line in _lines(client, "invoice", internal_id)] == [100, 20, D("9.9")]
    assert _patch(client, "invoice", "eid:in_1", _invoice_body("50.00"), replace="item").status_code == 204
    assert get_expanded(client, "invoice", internal_id)["total"] == 50

    # A body without the sublist leaves the lines alone.
    assert client.upsert("invoice", "in_1", {"memo": "m"}).status_code == 204
    assert get_expanded(client, "invoice", internal_id)["total"] == 50


def test_creating_a_record_takes_the_sent_lines_with_or_without_replace(client):
    put(client, "customer", "cus_1", {"companyName": "Acme"})
    assert client.upsert("invoice", "in_a", _invoice_body("10.00"), params={"replace": "item"}).status_code == 204
    assert client.upsert("invoice", "in_b", _invoice_body("10.00")).status_code == 204
    assert [len(_lines(client, "invoice", f"eid:{eid}")) for eid in ("in_a", "in_b")] == [1, 1]


def test_apply_lines_merge_by_doc(client):
    put(client, "customer", "cus_1", {"companyName": "Acme"})
    a = put(client, "invoice", "in_a", _invoice_body("100.00"))
    b = put(client, "invoice", "in_b", {**_invoice_body("50.00"), "tranDate": "2024-01-30"})
    c = put(client, "invoice", "in_c", _invoice_body("30.00"))
    payment = put(client, "customerPayment", "ch_1", {
        "customer": {"externalId": "cus_1"}, "payment": D("180.00"), "tranDate": "2024-02-01",
        "apply": {"items": [{"doc": {"id": a}, "apply": True}, {"doc": {"id": b}, "apply": True}]}})
    assert get_expanded(client, "invoice", a)["amountRemaining"] == 0
    assert get_expanded(client, "invoice", b)["amountRemaining"] == 0

    # {"doc": A, "apply": false} unapplies A; B stays applied.
    assert _patch(client, "customerPayment", payment, {"apply": {"items": [{"doc": {"id": a}, "apply": False}]}}).status_code == 204
    invoice_a, invoice_b = get_expanded(client, "invoice", a), get_expanded(client, "invoice", b)
    assert (invoice_a["amountRemaining"], invoice_a["status"]["id"]) == (100, "A")
    assert (invoice_b["amountRemaining"], invoice_b["status"]["id"]) == (0, "B")
    record = get_expanded(client, "customerPayment", payment)
    assert (record["applied"], record["unapplied"]) == (50, 130)
    assert [(line["doc"]["id"], line["apply"]) for line in record["apply"]["items"]] == [(a, False), (b, True)]

    # The doc by external id or bare internal id finds the same line; a new doc adds a line.
    assert client.upsert("customerPayment", "ch_1", {"apply": {"items": [
        {"doc": {"externalId": "in_a"}, "apply": True, "amount": D("40.00")},
        {"doc": int(c), "apply": True},
    ]}}).status_code == 204
    record = get_expanded(client, "customerPayment", payment)
    assert [(line["doc"]["id"], line["apply"], line["amount"]) for line in record["apply"]["items"]] == [
        (a, True, 40), (b, True, 50), (c, True, 30)]
    assert record["applied"] == 120
    assert get_expanded(client, "invoice", a)["amountRemaining"] == 60

    # ?replace=apply: only the sent docs stay applied.
    assert client.upsert("customerPayment", "ch_1", {"apply": {"items": [{"doc": {"id": c}, "apply": True}]}},
                         params={"replace": "apply"}).status_code == 204
    assert [line["doc"]["id"] for line in _lines(client, "customerPayment", payment, "apply")] == [c]
    assert [get_expanded(client, "invoice", i)["amountRemaining"] for i in (a, b, c)] == [100, 50, 0]


def test_the_same_doc_twice_in_one_request_is_still_refused(client):
    put(client, "customer", "cus_1", {"companyName": "Acme"})
    a = put(client, "invoice", "in_a", _invoice_body("100.00"))
    put(client, "customerPayment", "ch_1", {"customer": {"externalId": "cus_1"}, "payment": D("100.00"),
                                            "apply": {"items": [{"doc": {"id": a}, "amount": D("10.00")}]}})
    twice = {"apply": {"items": [{"doc": {"id": a}, "amount": D("10.00")}, {"doc": {"id": a}, "amount": D("5.00")}]}}
    assert_error(client.upsert("customerPayment", "ch_1", twice), 400, "USER_ERROR")


def test_currency_list_merges_by_currency(client):
    internal_id = put(client, "customer", "cus_1", {"companyName": "Acme", "currencyList": {"items": [{"currency": {"id": "2"}}]}})

    def currencies():
        return [line["currency"]["id"] for line in _lines(client, "customer", internal_id, "currencyList")]

    assert currencies() == ["1", "2"]  # the primary currency is always listed
    assert client.upsert("customer", "cus_1", {"currencyList": {"items": [{"currency": {"id": "3"}}, {"currency": {"id": "2"}}]}}).status_code == 204
    assert currencies() == ["1", "2", "3"]  # GBP added, EUR matched (not twice)
    # An invoice in EUR is still allowed: the merge kept EUR.
    assert client.upsert("invoice", "in_eur", {**_invoice_body("10.00"), "currency": {"id": "2"}}).status_code == 204
    assert _patch(client, "customer", internal_id, {"currencyList": {"items": [{"currency": {"id": "3"}}]}},
                  replace="currencyList").status_code == 204
    assert currencies() == ["1", "3"]


def test_replace_naming_a_sublist_not_sent_empties_it(client):
    internal_id = put(client, "customer", "cus_1", {"companyName": "Acme", "addressBook": {"items": [
        {"label": "HQ", "addressBookAddress": {"addr1": "1 Main St", "country": "US"}}]}})
    assert len(_lines(client, "customer", internal_id, "addressBook")) == 1
    assert _patch(client, "customer", internal_id, {"comments": "moved"}, replace="addressBook").status_code == 204
    record = get_expanded(client, "customer", internal_id)
    assert record["comments"] == "moved" and record["addressBook"]["items"] == []

    # An invoice whose item lines are all removed breaks NetSuite's rule: nothing is written.
    put(client, "invoice", "in_1", _invoice_body("10.00"))
    assert_error(client.upsert("invoice", "in_1", {"memo": "x"}, params={"replace": "item"}), 400, "USER_ERROR")
    assert get_expanded(client, "invoice", "eid:in_1")["total"] == 10


def test_unknown_sublist_in_replace_is_invalid_parameter(client):
    put(client, "customer", "cus_1", {"companyName": "Acme"})
    put(client, "invoice", "in_1", _invoice_body("10.00"))
    for method, path in (("PUT", "invoice/eid:in_1"), ("PATCH", "invoice/eid:in_1")):
        response = client.request(method, f"/services/rest/record/v1/{path}", json=_invoice_body("10.00"),
                                  params={"replace": "item,lines"})
        detail = assert_error(response, 400, "INVALID_PARAMETER")
        assert detail["o:errorQueryParam"] == "replace" and "'lines'" in detail["detail"]
    # A body field is not a sublist either; nothing was written.
    assert_error(client.upsert("invoice", "in_1", {"memo": "x"}, params={"replace": "memo"}), 400, "INVALID_PARAMETER")
    assert get_expanded(client, "invoice", "eid:in_1")["total"] == 10
    # Blank names are ignored.
    assert client.upsert("invoice", "in_1", _invoice_body("10.00"), params={"replace": "item,"}).status_code == 204


def test_deposit_payment_lines_merge_by_payment_id(client):
    put(client, "customer", "cus_1", {"companyName": "Acme"})
    p1, p2 = (put(client, "customerPayment", eid, {"customer": {"externalId": "cus_1"}, "payment": D(amount)})
              for eid, amount in (("ch_1", "10.00"), ("ch_2", "25.00")))
    deposit = put(client, "deposit", "po_1", {"account": {"id": "2"}, "payment": {"items": [{"id": p1}]}})
    assert client.upsert("deposit", "po_1", {"payment": {"items": [{"id": p1, "memo": "first"}, {"id": p2}]}}).status_code == 204
    record = get_expanded(client, "deposit", deposit)
    assert [(line["id"]["id"], line.get("memo")) for line in record["payment"]["items"]] == [(p1, "first"), (p2, None)]
    assert record["total"] == 35
    # Other deposits have no key: sent lines are added.
    other = {"other": {"items": [{"account": {"id": "4"}, "amount": D("1.00")}]}}
    for expected in (36, 37):
        assert client.upsert("deposit", "po_1", other).status_code == 204
        assert get_expanded(client, "deposit", deposit)["total"] == expected
    # ?replace=payment: only the sent payments stay; a kept line is updated, so its memo stays
    # (Oracle, "Replacing a Sublist": keyed lines that match are updated, the others removed).
    assert client.upsert("deposit", "po_1", {"payment": {"items": [{"id": p1}]}},
                         params={"replace": "payment"}).status_code == 204
    record = get_expanded(client, "deposit", deposit)
    assert [(line["id"]["id"], line.get("memo")) for line in record["payment"]["items"]] == [(p1, "first")]
    assert record["total"] == 12
    # ch_2 is free again: another deposit may take it.
    assert client.upsert("deposit", "po_2", {"account": {"id": "2"}, "payment": {"items": [{"id": p2}]}}).status_code == 204


def test_journal_lines_are_added_without_replace(client):
    body = {"tranDate": "2024-01-31", "line": {"items": [{"account": {"id": "2"}, "debit": D("5.00")},
                                                          {"account": {"id": "4"}, "credit": D("5.00")}]}}
    internal_id = put(client, "journalEntry", "je_1", body)
    assert client.upsert("journalEntry", "je_1", body).status_code == 204
    assert get_expanded(client, "journalEntry", internal_id)["total"] == 10
    assert client.upsert("journalEntry", "je_1", body, params={"replace": "line"}).status_code == 204
    assert get_expanded(client, "journalEntry", internal_id)["total"] == 5


def _run_batch(client, items, replace=None):
    response = client.request("PUT", "/services/rest/record/v1/invoice", json={"items": items}, headers=BATCH,
                              params={"replace": replace} if replace else None)
    assert response.status_code == 202, response.text
    job = response.headers["Location"].split(client.base_url, 1)[1]
    deadline = time.monotonic() + 10
    while not client.request("GET", job).json()["completed"]:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    results = client.request("GET", f"{job}/task/1/result").json()["items"]
    assert [r["status"] for r in results] == [204] * len(items), results


def test_batch_upsert_honours_replace_per_item(client):
    put(client, "customer", "cus_1", {"companyName": "Acme"})
    items = [{"externalId": eid, **_invoice_body("10.00")} for eid in ("in_1", "in_2")]
    _run_batch(client, items)
    _run_batch(client, items)  # no replace: each invoice gets its line again
    assert [get_expanded(client, "invoice", f"eid:{eid}")["total"] for eid in ("in_1", "in_2")] == [20, 20]
    _run_batch(client, items, replace="item")
    assert [get_expanded(client, "invoice", f"eid:{eid}")["total"] for eid in ("in_1", "in_2")] == [10, 10]
    # An unknown sublist is refused when the job is submitted: no job.
    response = client.request("PUT", "/services/rest/record/v1/invoice", json={"items": items}, headers=BATCH,
                              params={"replace": "lines"})
    assert_error(response, 400, "INVALID_PARAMETER")


def test_soap_lists_replace_unless_replace_all_is_false(soap, client):
    put(client, "customer", "cus_1", {"companyName": "Acme"})
    fields = _invoice_body("10.00")
    internal_id = put(client, "invoice", "in_1", fields)
    # replaceAll="true" (the default): the sent list is the whole list.
    (write,) = soap.call("upsertList", record=[soap.record("invoice", "in_1", fields)]).body.writeResponseList.writeResponse
    assert write.status.isSuccess, write.status.statusDetail
    assert get_expanded(client, "invoice", internal_id)["total"] == 10
    # replaceAll="false": the sent lines are added (no key field: invoice item lines).
    record = soap.record("invoice", "in_1", fields)
    record.itemList.replaceAll = False
    (write,) = soap.call("upsertList", record=[record]).body.writeResponseList.writeResponse
    assert write.status.isSuccess, write.status.statusDetail
    assert get_expanded(client, "invoice", internal_id)["total"] == 20


def _soap_write(soap, record) -> None:
    (write,) = soap.call("upsertList", record=[record]).body.writeResponseList.writeResponse
    assert write.status.isSuccess, write.status.statusDetail


def test_soap_apply_list_is_keyed_by_doc(soap, client):
    """Oracle, "Updating Sublists in SOAP Web Services": applyList is keyed by doc; replaceAll true (the
    default) removes the lines not sent, false keeps them. A refund applying the payment is a line of the
    refund's own applyList: no re-write of the payment, in either mode, removes it."""
    put(client, "customer", "cus_1", {"companyName": "Acme"})
    a = put(client, "invoice", "in_a", _invoice_body("100.00"))
    b = put(client, "invoice", "in_b", _invoice_body("50.00"))
    fields = {"customer": {"externalId": "cus_1"}, "payment": D("200.00"), "tranDate": "2024-02-01",
              "apply": {"items": [{"doc": {"id": a}, "apply": True, "amount": D("100.00")},
                                  {"doc": {"id": b}, "apply": True, "amount": D("50.00")}]}}
    payment = put(client, "customerPayment", "ch_1", fields)
    put(client, "customerRefund", "re_1", {"customer": {"externalId": "cus_1"}, "tranDate": "2024-02-02",
                                           "apply": {"items": [{"doc": {"id": payment}, "amount": D("30.00")}]}})

    def applied():
        record = get_expanded(client, "customerPayment", payment)
        return ([(line["doc"]["id"], line["amount"]) for line in record["apply"]["items"] if line["apply"]],
                record["unapplied"])

    def refunded():
        return [(line["doc"]["id"], line["amount"]) for line in _lines(client, "customerRefund", "eid:re_1", "apply")]

    assert applied() == ([(a, 100), (b, 50)], 20) and refunded() == [(payment, 30)]
    # replaceAll="false": only A is named (apply false unapplies it); B stays applied.
    record = soap.record("customerPayment", "ch_1", {"apply": {"items": [{"doc": {"id": a}, "apply": False}]}})
    record.applyList.replaceAll = False
    _soap_write(soap, record)
    assert applied() == ([(b, 50)], 120) and refunded() == [(payment, 30)]
    assert [get_expanded(client, "invoice", i)["amountRemaining"] for i in (a, b)] == [100, 0]
    # replaceAll="true" (the default) with A only: A is applied again, B's line is removed (unapplied).
    _soap_write(soap, soap.record("customerPayment", "ch_1", {
        "apply": {"items": [{"doc": {"id": a}, "apply": True, "amount": D("100.00")}]}}))
    assert applied() == ([(a, 100)], 70) and refunded() == [(payment, 30)]
    assert [get_expanded(client, "invoice", i)["amountRemaining"] for i in (a, b)] == [0, 50]


def test_soap_cash_back_list_is_not_keyed_so_replace_all_false_still_replaces(soap, client):
    """Oracle, "Updating the Deposit Record": "The Cash Back sublist is not keyed, so overwriting it is the
    only way to update it"; on a non-keyed list NetSuite ignores replaceAll="false". Keyed lists (the
    deposit's paymentList, by id) still merge with it."""
    put(client, "customer", "cus_1", {"companyName": "Acme"})
    p1, p2 = (put(client, "customerPayment", eid, {"customer": {"externalId": "cus_1"}, "payment": D(amount)})
              for eid, amount in (("ch_1", "10.00"), ("ch_2", "25.00")))
    fee = {"items": [{"account": {"id": "5"}, "amount": D("1.00")}]}
    deposit = put(client, "deposit", "po_1", {"account": {"id": "2"}, "payment": {"items": [{"id": p1}]},
                                              "cashback": fee})
    record = soap.record("deposit", "po_1", {"payment": {"items": [{"id": {"id": p2}}]},
                                             "cashback": {"items": [{"account": {"id": "5"}, "amount": D("2.00")}]}})
    record.paymentList.replaceAll = False
    record.cashBackList.replaceAll = False
    _soap_write(soap, record)
    stored = get_expanded(client, "deposit", deposit)
    assert [line["id"]["id"] for line in stored["payment"]["items"]] == [p1, p2]
    assert [line["amount"] for line in stored["cashback"]["items"]] == [2]
    assert stored["total"] == 33
