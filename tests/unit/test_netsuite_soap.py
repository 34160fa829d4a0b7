"""SOAP messages the hook builds: every record type converts and validates against the 2023_2 XSDs."""

from __future__ import annotations

from decimal import Decimal

import pytest
from lxml import etree

from stripe_netsuite.hooks.netsuite_auth import TbaCredentials
from stripe_netsuite.hooks.netsuite_soap import RECORD_TYPES, SoapTransport
from stripe_netsuite.hooks.netsuite_soap_countries import SOAP_COUNTRY
from stripe_netsuite.mapping.countries import ISO_COUNTRY_CODES
from stripe_netsuite.mapping.records import NeutralRecord
from tests.fixtures.soap import validate_envelope

CREDS = TbaCredentials("SANDBOX", "ck", "cs", "tid", "ts")
D = Decimal

RECORDS = [
    NeutralRecord("customer", "cus_1", {
        "companyName": "Acme", "isPerson": False, "email": "a@acme.test", "subsidiary": {"id": "1"},
        "currency": {"id": "2"}, "comments": "Stripe: cus_1", "isInactive": False,
        "addressBook": {"items": [{"defaultBilling": True, "defaultShipping": True, "label": "Stripe",
                                   "addressBookAddress": {"addr1": "1 Main", "city": "Berlin", "country": "DE", "zip": "10115"}}]},
        "custentity_stripe_sync_hash": "abc123",
    }),
    NeutralRecord("invoice", "in_1", {
        "entity": {"externalId": "cus_1"}, "tranDate": "2026-01-31", "currency": {"id": "2"}, "memo": "Stripe: in_1",
        "item": {"items": [
            {"item": {"externalId": "price_1"}, "quantity": 2, "rate": "49.50", "amount": D("99.00"),
             "description": "Pro plan", "revRecStartDate": "2026-01-01", "revRecEndDate": "2026-01-31"},
            {"item": {"externalId": "stripe-item-tax"}, "amount": D("18.81")},
        ]},
    }),
    NeutralRecord("creditMemo", "cn_1", {
        "entity": {"externalId": "cus_1"}, "item": {"items": [{"item": {"externalId": "price_1"}, "amount": D("10.00")}]},
        "apply": {"items": [{"doc": {"id": "1000"}, "apply": True, "amount": D("10.00")}]},
    }),
    NeutralRecord("customerPayment", "ch_1", {
        "customer": {"externalId": "cus_1"}, "payment": D("107.81"), "undepFunds": True, "paymentMethod": {"id": "1"},
        "apply": {"items": [{"doc": {"id": "1000"}, "apply": True, "amount": D("107.81")}]},
    }),
    NeutralRecord("customerRefund", "re_1", {
        "customer": {"externalId": "cus_1"}, "account": {"id": "1"},
        "apply": {"items": [{"doc": {"id": "1002"}, "apply": True, "amount": D("10.00")}]},
    }),
    NeutralRecord("deposit", "po_1", {
        "account": {"id": "2"}, "tranDate": "2026-02-02", "memo": "Stripe payout po_1",
        "payment": {"items": [{"id": {"id": "1001"}, "deposit": True, "paymentAmount": D("107.81")}]},
        "other": {"items": [{"account": {"id": "5"}, "amount": D("-3.43"), "memo": "Stripe fees"}]},
        "cashback": {"items": [{"account": {"id": "5"}, "amount": D("1.00")}]},
    }),
    NeutralRecord("journalEntry", "je-txn_1", {
        "subsidiary": {"id": "1"}, "line": {"items": [
            {"account": {"id": "5"}, "debit": D("3.43")}, {"account": {"id": "1"}, "credit": D("3.43")}]},
    }),
    NeutralRecord("serviceSaleItem", "price_1", {"itemId": "Pro plan (price_1)", "incomeAccount": {"id": "4"}, "rate": D("49.50")}),
    NeutralRecord("discountItem", "coupon-ABC", {"itemId": "Coupon ABC", "account": {"id": "4"}, "rate": "-25%", "nonPosting": True}),
]


@pytest.fixture(scope="module")
def soap(wsdl_path):
    return SoapTransport(str(wsdl_path), "https://sandbox.example", CREDS)


def test_every_supported_record_type_is_covered():
    assert {r.record_type for r in RECORDS} == set(RECORD_TYPES)


def test_upsert_list_of_every_record_type_validates(soap, soap_schema):
    envelope = soap.client.create_message(
        soap.service, "upsertList", record=[soap.to_soap(r) for r in RECORDS], _soapheaders={"tokenPassport": soap._passport()}
    )
    validate_envelope(soap_schema, envelope)
    text = etree.tostring(envelope).decode()
    assert "<" in text and "_germany" in text and "99.00" in text and "-3.43" in text


def test_get_list_validates(soap, soap_schema):
    refs = [soap.record_ref({"externalId": "in_1"}, "invoice")]
    envelope = soap.client.create_message(soap.service, "getList", baseRef=refs, _soapheaders={"tokenPassport": soap._passport()})
    validate_envelope(soap_schema, envelope)


def test_a_bogus_field_is_refused_before_sending(soap):
    with pytest.raises(Exception, match="no SOAP counterpart"):
        soap.to_soap(NeutralRecord("customer", "cus_x", {"companyName": "A", "favouriteColour": "red"}))


def test_token_passport_signature_recipe():
    import base64
    import hashlib
    import hmac

    fields = CREDS.token_passport(nonce="abc123", timestamp=1700000000)
    expected = base64.b64encode(
        hmac.new(b"cs&ts", b"SANDBOX&ck&tid&abc123&1700000000", hashlib.sha256).digest()
    ).decode()
    assert fields["signature"] == expected and fields["account"] == "SANDBOX"


def test_country_table_covers_every_iso_code_with_xsd_values(wsdl_path):
    types = etree.parse(str(wsdl_path.parent / "xsd" / "platform.commonTypes.xsd"))
    xsd = "{http://www.w3.org/2001/XMLSchema}"
    country = next(t for t in types.iter(f"{xsd}simpleType") if t.get("name") == "Country")
    values = {e.get("value") for e in country.iter(f"{xsd}enumeration")}
    assert set(SOAP_COUNTRY) == ISO_COUNTRY_CODES
    assert set(SOAP_COUNTRY.values()) <= values
    assert SOAP_COUNTRY["US"] == "_unitedStates" and SOAP_COUNTRY["GB"] == "_unitedKingdom"


@pytest.mark.parametrize("record_type", sorted(RECORD_TYPES))
def test_search_by_external_id_prefix_validates(soap, soap_schema, record_type):
    envelope = soap.client.create_message(
        soap.service, "search", searchRecord=soap.search_record(record_type, "cus_"),
        _soapheaders={"tokenPassport": soap._passport(), "searchPreferences": {"bodyFieldsOnly": True, "pageSize": 1000}},
    )
    validate_envelope(soap_schema, envelope)
