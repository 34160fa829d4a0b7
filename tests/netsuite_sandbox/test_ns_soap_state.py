"""The same records loaded over REST and over SOAP give identical state (SuiteQL dumps compared)."""

from __future__ import annotations

from decimal import Decimal as D

from ns_helpers import NsClient, written_id
from soap_helpers import Soap

GENERIC = {"externalId": "stripe-item-generic"}
TABLES = {
    "customer": "id", "item": "id", "transaction": "id", "transactionline": "transaction, id",
    "transactionaccountingline": "transaction, transactionline", "nexttransactionlinelink": "nextdoc, nextline",
    "previoustransactionlinelink": "nextdoc, nextline",
}
TIMESTAMPS = {"datecreated", "lastmodifieddate", "createddate"}

# Steps of (record type, external id, fields); {"ref": "<externalId>"} is replaced by that record's
# internal id (apply docs and deposit payments need internal ids, as in NetSuite).
STEPS = [
    [("customer", "cus_1", {"companyName": "Acme GmbH", "email": "ap@acme.test", "currency": {"id": "2"},
                            "currencyList": {"items": [{"currency": {"id": "1"}}]}, "custentity_stripe_sync_hash": "abc",
                            "addressBook": {"items": [{"defaultBilling": True, "defaultShipping": True, "label": "Stripe",
                                                       "addressBookAddress": {"addr1": "1 Main", "city": "Berlin", "zip": "10115", "country": "DE"}}]}}),
     ("customer", "cus_2", {"isPerson": True, "firstName": "Ada", "lastName": "Lovelace"}),
     ("serviceSaleItem", "price_1", {"itemId": "Pro plan (price_1)", "incomeAccount": {"id": "4"}, "rate": D("49.50")}),
     ("discountItem", "coupon-ABC", {"itemId": "Coupon ABC", "account": {"id": "12"}, "rate": "-10%", "nonPosting": False})],
    [("invoice", "in_1", {"entity": {"externalId": "cus_1"}, "tranDate": "2024-01-31", "memo": "Stripe: in_1",
                          "custbody_stripe_id": "in_1",
                          "item": {"items": [
                              {"item": {"externalId": "price_1"}, "quantity": D("2"), "rate": "49.50", "description": "Pro",
                               "revRecStartDate": "2024-01-01", "revRecEndDate": "2024-01-31", "custcol_stripe_line_id": "il_1"},
                              {"item": {"externalId": "coupon-ABC"}, "rate": "-10%"},
                              {"item": {"externalId": "stripe-item-tax"}, "amount": D("16.93")}]}}),
     ("invoice", "in_2", {"entity": {"externalId": "cus_2"}, "tranDate": "2024-02-01", "item": {"items": [{"item": GENERIC, "amount": D("20.00")}]}})],
    [("customerPayment", "ch_1", {"customer": {"externalId": "cus_1"}, "payment": D("50.00"), "tranDate": "2024-02-02",
                                  "paymentMethod": {"id": "1"}, "undepFunds": True,
                                  "apply": {"items": [{"doc": {"ref": "in_1"}, "apply": True, "amount": D("50.00")}]}}),
     ("creditMemo", "cn_1", {"entity": {"externalId": "cus_1"}, "tranDate": "2024-02-03",
                             "item": {"items": [{"item": {"externalId": "stripe-item-refund"}, "amount": D("10.00")}]},
                             "apply": {"items": [{"doc": {"ref": "in_1"}, "apply": True, "amount": D("10.00")}]}}),
     ("customerPayment", "ch_2", {"customer": {"externalId": "cus_2"}, "payment": D("20.00"), "tranDate": "2024-02-04",
                                  "apply": {"items": [{"doc": {"ref": "in_2"}, "apply": True, "amount": D("20.00")}]}}),
     ("creditMemo", "cm-re_1", {"entity": {"externalId": "cus_2"}, "tranDate": "2024-02-05",
                                "item": {"items": [{"item": {"externalId": "stripe-item-refund"}, "amount": D("5.00")}]}})],
    [("customerRefund", "re_1", {"customer": {"externalId": "cus_2"}, "tranDate": "2024-02-06",
                                 "apply": {"items": [{"doc": {"ref": "cm-re_1"}, "apply": True, "amount": D("5.00")}]}})],
    [("deposit", "po_1", {"account": {"id": "7"}, "tranDate": "2024-02-07", "exchangeRate": D("1.09"), "memo": "Stripe payout po_1",
                          "payment": {"items": [{"id": {"ref": "ch_1"}, "deposit": True, "paymentAmount": D("50.00")}]},
                          "other": {"items": [{"account": {"id": "5"}, "amount": D("-1.45"), "memo": "Stripe fees"}]},
                          "cashback": {"items": [{"account": {"id": "5"}, "amount": D("0.30"), "memo": "dispute fee"}]}}),
     ("deposit", "po_2", {"account": {"id": "2"}, "tranDate": "2024-02-07",
                          "payment": {"items": [{"id": {"ref": "ch_2"}, "deposit": True}, {"id": {"ref": "re_1"}, "deposit": True}]}}),
     ("journalEntry", "je-txn_1", {"tranDate": "2024-02-08", "memo": "fee",
                                   "line": {"items": [{"account": {"id": "5"}, "debit": D("3.43"), "memo": "Stripe fee"},
                                                      {"account": {"id": "1"}, "credit": D("3.43")}]}})],
]


def _resolve(value, ids):
    if isinstance(value, dict):
        if set(value) == {"ref"}:
            return {"id": ids[value["ref"]]}
        return {k: _resolve(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve(v, ids) for v in value]
    return value


def _dump(app) -> dict[str, list[dict]]:
    dump = {}
    for table, order in TABLES.items():
        rows = app.suiteql(f"SELECT * FROM {table} ORDER BY {order}")
        dump[table] = [{k: v for k, v in row.items() if k not in TIMESTAMPS} for row in rows]
    return dump


def test_rest_and_soap_loads_give_identical_state(start_sandbox, zeep_client):
    over_rest = start_sandbox("rest.db")
    over_soap = start_sandbox("soap.db")
    rest = NsClient(over_rest.url)
    soap = Soap(zeep_client[0], over_soap.url)
    rest_ids: dict[str, str] = {}
    soap_ids: dict[str, str] = {}
    for step in STEPS:
        for record_type, external_id, fields in step:
            rest_ids[external_id] = written_id(rest.upsert(record_type, external_id, _resolve(fields, rest_ids)))
        records = [soap.record(t, eid, _resolve(f, soap_ids)) for t, eid, f in step]
        for (_, external_id, _), write in zip(step, soap.call("upsertList", record=records).body.writeResponseList.writeResponse):
            assert write.status.isSuccess, (external_id, write.status.statusDetail)
            soap_ids[external_id] = write.baseRef.internalId
    assert rest_ids == soap_ids
    rest_state, soap_state = _dump(over_rest.app), _dump(over_soap.app)
    for table in TABLES:
        assert rest_state[table] == soap_state[table], table
    assert len(rest_state["transaction"]) == 10 and len(rest_state["transactionaccountingline"]) > 20
    # The books agree too, and every account balances to zero overall.
    assert over_rest.app.trial_balance() == over_soap.app.trial_balance()
    assert sum(row["balance"] for row in over_rest.app.trial_balance()) == 0
    assert over_rest.app.account_balance(1, currency=1) == D("-3.43")  # UF: only the JE credit is left in USD


def _read_all(soap: Soap, ids: dict[str, str], types: dict[str, str]) -> list[dict]:
    """Every record read back over SOAP getList (every record type's full XSD shape is validated)."""
    from zeep.helpers import serialize_object

    refs = [soap.ref(internal_id=ids[eid], record_type=types[eid]) for eid in ids]
    reads = soap.call("getList", baseRef=refs).body.readResponseList.readResponse
    out = []
    for read in reads:
        assert read.status.isSuccess
        record = serialize_object(read.record, dict)
        out.append({k: v for k, v in record.items() if k not in ("createdDate", "lastModifiedDate", "dateCreated")})
    return out


def test_every_record_type_reads_back_over_soap_the_same_from_both_loads(start_sandbox, zeep_client):
    over_rest = start_sandbox("rest.db")
    over_soap = start_sandbox("soap.db")
    rest = NsClient(over_rest.url)
    soap_rest_side = Soap(zeep_client[0], over_rest.url)
    soap = Soap(zeep_client[0], over_soap.url)
    ids: dict[str, str] = {}
    types: dict[str, str] = {}
    for step in STEPS:
        for record_type, external_id, fields in step:
            ids[external_id] = written_id(rest.upsert(record_type, external_id, _resolve(fields, ids)))
            types[external_id] = record_type
        writes = soap.call("upsertList", record=[soap.record(t, eid, _resolve(f, ids)) for t, eid, f in step])
        assert all(w.status.isSuccess for w in writes.body.writeResponseList.writeResponse)
    from_rest = _read_all(soap_rest_side, ids, types)
    from_soap = _read_all(soap, ids, types)
    assert from_rest == from_soap
    by_eid = {r["externalId"]: r for r in from_rest}
    assert by_eid["in_1"]["status"] == "Open" and by_eid["in_1"]["amountRemaining"] == 46.03
    assert by_eid["cn_1"]["applyList"]["apply"][0]["doc"] == int(ids["in_1"])
    assert by_eid["re_1"]["applyList"]["apply"][0]["refNum"].startswith("CM")
    assert by_eid["po_1"]["otherList"]["depositOther"][0]["amount"] == -1.45
    assert by_eid["cus_1"]["currencyList"]["currency"][0]["currency"]["internalId"] == "2"
