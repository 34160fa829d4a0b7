"""SOAP (2023_2): list operations on the same records engine, passports, faults, search.

Every request zeep sends and every response the sandbox answers is validated against the
2023_2 XSDs by the transport (soap_helpers.ValidatingTransport).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal as D

import pytest
import requests
from lxml import etree
from ns_helpers import NsClient, put
from soap_helpers import Soap, validate_envelope
from zeep.exceptions import Fault

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"


def _writes(response):
    return list(response.body.writeResponseList.writeResponse)


def _ok(write):
    assert write.status.isSuccess, write.status.statusDetail
    return write.baseRef.internalId


def _failed(write, code):
    assert not write.status.isSuccess
    assert write.status.statusDetail[0].code == code, write.status.statusDetail
    return write.status.statusDetail[0].message


def test_upsert_list_writes_through_the_records_engine(soap, client):
    customer = soap.record("customer", "cus_s1", {
        "companyName": "Soap Ltd", "email": "ap@soap.test", "currency": {"id": "2"},
        "currencyList": {"items": [{"currency": {"id": "1"}}]},
        "addressBook": {"items": [{"defaultBilling": True, "label": "HQ",
                                   "addressBookAddress": {"addr1": "1 Main St", "city": "Berlin", "country": "DE"}}]},
        "custentity_stripe_sync_hash": "h1",
    })
    item = soap.record("serviceSaleItem", "price_s1", {"itemId": "Soap plan", "incomeAccount": {"id": "4"}, "rate": D("12.50")})
    response = soap.call("upsertList", record=[customer, item])
    customer_id, item_id = (_ok(w) for w in _writes(response))
    assert _writes(response)[0].baseRef.type == "customer" and _writes(response)[0].baseRef.externalId == "cus_s1"
    record = client.get("customer", customer_id).json()
    assert (record["companyName"], record["currency"]["id"], record["custentity_stripe_sync_hash"]) == ("Soap Ltd", "2", "h1")
    full = client.request("GET", f"/services/rest/record/v1/customer/{customer_id}", params={"expandSubResources": "true"}).json()
    assert full["addressBook"]["items"][0]["addressBookAddress"]["country"] == "DE"
    invoice = soap.record("invoice", "in_s1", {"entity": {"externalId": "cus_s1"}, "tranDate": "2024-03-01", "currency": {"id": "2"},
                                               "item": {"items": [{"item": {"id": item_id}, "quantity": D("2"), "rate": "12.50"},
                                                                  {"item": {"externalId": "stripe-item-tax"}, "amount": D("4.75")}]}})
    (write,) = _writes(soap.call("upsertList", record=[invoice]))
    invoice_id = _ok(write)
    assert client.get("invoice", invoice_id).json()["total"] == 29.75
    # Upsert again: the same record.
    (again,) = _writes(soap.call("upsertList", record=[invoice]))
    assert _ok(again) == invoice_id


def test_duplicate_external_id_across_transaction_types_over_soap(soap, client):
    put(client, "customer", "cus_1", {"companyName": "C"})
    invoice = soap.record("invoice", "in_1", {"entity": {"externalId": "cus_1"},
                                              "item": {"items": [{"item": {"externalId": "stripe-item-generic"}, "amount": D("10")}]}})
    memo = soap.record("creditMemo", "in_1", {"entity": {"externalId": "cus_1"},
                                              "item": {"items": [{"item": {"externalId": "stripe-item-refund"}, "amount": D("5")}]}})
    bad = soap.record("invoice", "in_2", {"entity": {"externalId": "cus_nobody"},
                                          "item": {"items": [{"item": {"externalId": "stripe-item-generic"}, "amount": D("1")}]}})
    first, second, third = _writes(soap.call("upsertList", record=[invoice, memo, bad]))
    _ok(first)
    assert "in_1" in _failed(second, "DUP_RCRD")
    assert second.baseRef.externalId == "in_1" and second.baseRef.type == "creditMemo"
    _failed(third, "INVALID_KEY_OR_REF")
    # addList: an add with a taken external ID fails the same way.
    (added,) = _writes(soap.call("addList", record=[memo]))
    _failed(added, "DUP_RCRD")


def test_get_list_by_internal_and_external_id(soap, client):
    put(client, "customer", "cus_1", {"companyName": "C", "addressBook": {"items": [{"defaultShipping": True, "addressBookAddress": {"addr1": "x", "country": "US"}}]}})
    inv = put(client, "invoice", "in_1", {"entity": {"externalId": "cus_1"}, "memo": "Stripe: in_1", "custbody_stripe_id": "in_1",
                                          "item": {"items": [{"item": {"externalId": "stripe-item-generic"}, "quantity": 1, "rate": D("10"),
                                                              "custcol_stripe_line_id": "il_1"}]}})
    pay = put(client, "customerPayment", "ch_1", {"customer": {"externalId": "cus_1"}, "apply": {"items": [{"doc": inv, "amount": D("4")}]}})
    put(client, "deposit", "po_1", {"account": {"id": "2"}, "payment": {"items": [{"id": pay}]},
                                    "other": {"items": [{"account": {"id": "5"}, "amount": D("-0.50"), "memo": "fee"}]}})
    put(client, "journalEntry", "je_1", {"line": {"items": [{"account": {"id": "5"}, "debit": 1}, {"account": {"id": "1"}, "credit": 1}]}})
    refs = [soap.ref(external_id="in_1", record_type="invoice"), soap.ref(internal_id=pay, record_type="customerPayment"),
            soap.ref(external_id="cus_1", record_type="customer"), soap.ref(external_id="po_1", record_type="deposit"),
            soap.ref(external_id="je_1", record_type="journalEntry"), soap.ref(external_id="stripe-item-discount", record_type="discountItem"),
            soap.ref(external_id="nope", record_type="invoice")]
    reads = list(soap.call("getList", baseRef=refs).body.readResponseList.readResponse)
    invoice = reads[0].record
    assert reads[0].status.isSuccess and invoice.internalId == inv and invoice.status == "Open"
    assert invoice.total == 10.0 and invoice.amountRemaining == 6.0 and invoice.entity.name == "cus_1"
    assert invoice.itemList.item[0].customFieldList.customField[0].value == "il_1"
    assert invoice.customFieldList.customField[0].scriptId == "custbody_stripe_id"
    assert reads[1].record.status == "Deposited" and reads[1].record.applyList.apply[0].doc == int(inv)
    assert reads[2].record.addressbookList.addressbook[0].addressbookAddress.country == "_unitedStates"
    assert reads[3].record.paymentList.depositPayment[0].id == int(pay) and reads[3].record.total == 3.5
    assert reads[4].record.lineList.line[1].credit == 1.0
    assert reads[5].record.itemId == "Stripe Discount"
    assert not reads[6].status.isSuccess and reads[6].status.statusDetail[0].code == "RCRD_DSNT_EXIST"


def test_search_by_external_id_with_paging(soap, client):
    put(client, "customer", "cus_1", {"companyName": "C"})
    for i in range(7):
        put(client, "invoice", f"in_{i}", {"entity": {"externalId": "cus_1"},
                                           "item": {"items": [{"item": {"externalId": "stripe-item-generic"}, "amount": i + 1}]}})
    put(client, "customerPayment", "in_pay", {"customer": {"externalId": "cus_1"}, "payment": 1})  # same prefix, other type
    T = soap.T
    search = T("common", "TransactionSearchBasic")(
        externalIdString=T("core", "SearchStringField")(searchValue="in_", operator="startsWith"),
        type=T("core", "SearchEnumMultiSelectField")(searchValue=["_invoice"], operator="anyOf"))
    prefs = {"searchPreferences": {"bodyFieldsOnly": True, "pageSize": 5}}
    first = soap.call("search", prefs, searchRecord=search).body.searchResult
    assert first.status.isSuccess and (first.totalRecords, first.totalPages, first.pageIndex, first.pageSize) == (7, 2, 1, 5)
    assert [r.externalId for r in first.recordList.record] == [f"in_{i}" for i in range(5)]
    assert first.recordList.record[0].itemList is None  # body fields only
    more = soap.call("searchMoreWithId", prefs, searchId=first.searchId, pageIndex=2).body.searchResult
    assert [r.externalId for r in more.recordList.record] == ["in_5", "in_6"]
    bad_page = soap.call("searchMoreWithId", prefs, searchId=first.searchId, pageIndex=3).body.searchResult
    assert not bad_page.status.isSuccess and bad_page.status.statusDetail[0].code == "INVALID_SEARCH_PAGE_INDEX"
    by_id = T("common", "CustomerSearchBasic")(externalId=T("core", "SearchMultiSelectField")(
        searchValue=[soap.ref(external_id="cus_1")], operator="anyOf"))
    customers = soap.call("search", searchRecord=by_id).body.searchResult
    assert [r.externalId for r in customers.recordList.record] == ["cus_1"]
    empty = soap.call("search", searchRecord=T("common", "CustomerSearchBasic")(externalIdString=T("core", "SearchStringField")(
        searchValue="zzz", operator="is"))).body.searchResult
    assert empty.totalRecords == 0


def test_bad_passports_get_the_invalid_credentials_fault(soap, sandbox):
    with pytest.raises(Fault) as wrong:
        soap.call("getList", passport=soap.passport(secret="wrong"), baseRef=[soap.ref("1", record_type="customer")])
    assert wrong.value.message == "Invalid login attempt."
    assert etree.QName(wrong.value.detail[0]).localname == "invalidCredentialsFault"
    assert "signature" in sandbox.app.login_audit()[-1].reason
    for passport, reason in ((soap.passport(account="OTHER"), "account"), (soap.passport(timestamp=1), "timestamp")):
        with pytest.raises(Fault):
            soap.call("getList", passport=passport, baseRef=[soap.ref("1", record_type="customer")])
        assert reason in sandbox.app.login_audit()[-1].reason
    reused = soap.passport(nonce="samenonce1")
    soap.call("getList", passport=reused, baseRef=[soap.ref("1", record_type="customer")])
    with pytest.raises(Fault):
        soap.call("getList", passport=soap.passport(nonce="samenonce1"), baseRef=[soap.ref("1", record_type="customer")])


def test_soap_never_accepts_oauth2_or_a_missing_passport(soap, sandbox, soap_schema):
    body = etree.fromstring(soap.message("getList", baseRef=[soap.ref("1", record_type="customer")]))
    header = body.find(f"{{{SOAP_ENV}}}Header")
    header.getparent().remove(header)
    raw = etree.tostring(body)
    for headers in ({}, {"Authorization": "Bearer anything"}):
        response = requests.post(soap.url, data=raw, headers={"Content-Type": "text/xml", "SOAPAction": "getList", **headers}, timeout=10)
        assert response.status_code == 500
        root = validate_envelope(soap_schema, response.content)
        fault = root.find(f"{{{SOAP_ENV}}}Body/{{{SOAP_ENV}}}Fault")
        assert fault.findtext("faultcode") == "soapenv:Server.userException"
        assert fault.find("detail")[0].findtext("{*}code") == "INVALID_LOGIN_CREDENTIALS"


def test_the_concurrency_limit_is_shared_with_rest_and_faults_over_soap(start_sandbox, zeep_client, soap_schema):
    server = start_sandbox(concurrency_limit=2, latency_ms=700)
    soap = Soap(zeep_client[0], server.url)
    messages = [soap.message("getList", baseRef=[soap.ref("1", record_type="customer")]) for _ in range(3)]
    rest = NsClient(server.url)

    def soap_post(raw):
        return requests.post(soap.url, data=raw, headers={"Content-Type": "text/xml", "SOAPAction": "getList"}, timeout=10)

    with ThreadPoolExecutor(max_workers=4) as pool:
        soap_futures = [pool.submit(soap_post, raw) for raw in messages]
        rest_future = pool.submit(rest.get, "currency", "1")
        responses = [f.result() for f in soap_futures]
        rest_response = rest_future.result()
    statuses = sorted([r.status_code for r in responses] + [rest_response.status_code])
    assert statuses.count(200) == 2, statuses  # two slots for REST and SOAP together
    faults = [r for r in responses if r.status_code == 500]
    for response in faults:
        root = validate_envelope(soap_schema, response.content)
        fault = root.find(f"{{{SOAP_ENV}}}Body/{{{SOAP_ENV}}}Fault")
        assert fault.findtext("faultstring") == "SuiteTalk concurrent request limit exceeded. Request blocked."
        detail = fault.find("detail")[0]
        assert etree.QName(detail).localname == "exceededConcurrentRequestLimitFault"
        assert detail.findtext("{*}code") == "WS_REQUEST_BLOCKED"
    if rest_response.status_code != 200:
        assert rest_response.status_code == 429
    assert server.app.governance().rejected == 2


def test_unsupported_operations_and_record_types_fault_cleanly(soap):
    with pytest.raises(Fault) as unsupported:
        soap.call("getServerTime")
    assert "does not support" in unsupported.value.message
    (read,) = soap.call("getList", baseRef=[soap.ref("1", record_type="vendor")]).body.readResponseList.readResponse
    assert read.status.statusDetail[0].code == "INVALID_RCRD_TYPE"


def test_too_many_records_is_a_fault(soap):
    records = [soap.record("customer", f"cus_{i}", {"companyName": f"C{i}"}) for i in range(101)]
    with pytest.raises(Fault) as fault:
        soap.call("upsertList", record=records)
    assert "at most 100" in fault.value.message


def test_injected_faults_on_the_soap_port(soap, sandbox, client, soap_schema):
    requests.post(sandbox.url + "/_sandbox/faults", json={"path": "/services/NetSuitePort_*", "status": 503}, timeout=10)
    raw = soap.message("upsertList", record=[soap.record("customer", "cus_f1", {"companyName": "F"})])
    response = requests.post(soap.url, data=raw, headers={"Content-Type": "text/xml", "SOAPAction": "upsertList"}, timeout=10)
    assert response.status_code == 503
    validate_envelope(soap_schema, response.content)
    assert client.get("customer", "eid:cus_f1").status_code == 404  # not performed
    requests.post(sandbox.url + "/_sandbox/faults", json={"path": "/services/NetSuitePort_*", "status": 500,
                                                         "after_commit": True}, timeout=10)
    with pytest.raises(Fault):
        soap.call("upsertList", record=[soap.record("customer", "cus_f2", {"companyName": "F2"})])
    assert client.get("customer", "eid:cus_f2").status_code == 200  # committed before the fault


def test_single_record_operations(soap, client):
    added = soap.call("add", record=soap.record("customer", "cus_one", {"companyName": "One"})).body.writeResponse
    internal_id = _ok(added)
    update = soap.T("rel", "Customer")(internalId=internal_id, phone="+1 415 555 0100")
    _ok(soap.call("update", record=update).body.writeResponse)
    upserted = soap.call("upsert", record=soap.record("customer", "cus_one", {"email": "one@example.org"})).body.writeResponse
    assert _ok(upserted) == internal_id
    read = soap.call("get", baseRef=soap.ref(internal_id, record_type="customer")).body.readResponse
    assert (read.record.companyName, read.record.phone, read.record.email) == ("One", "+1 415 555 0100", "one@example.org")
    no_eid = soap.T("rel", "Customer")(companyName="Nameless")
    assert "externalId" in _failed(soap.call("upsert", record=no_eid).body.writeResponse, "USER_ERROR")
    unknown = soap.T("rel", "Customer")(externalId="cus_bad", companyName="Bad", fax="555")
    _failed(soap.call("upsert", record=unknown).body.writeResponse, "INVALID_FLD")
