"""REST record API of the NetSuite sandbox, over real HTTP with TBA signatures."""

from __future__ import annotations

import re

import pytest
from ns_helpers import assert_error, get_expanded

COMPANY = {"companyName": "Acme Ltd", "email": "billing@acme.test", "currency": {"id": "2"}}
LOCATION_RE = re.compile(r"^http://127\.0\.0\.1:\d+/services/rest/record/v1/customer/(\d+)$")


def _internal_id(response) -> str:
    assert response.status_code == 204, response.text
    assert response.content == b""
    match = LOCATION_RE.match(response.headers["Location"])
    assert match, response.headers["Location"]
    return match.group(1)


def test_upsert_creates_then_updates_the_same_record(client):
    first = client.upsert("customer", "cus_A1", COMPANY)
    internal_id = _internal_id(first)

    second = client.upsert("customer", "cus_A1", {"companyName": "Acme Holdings", "phone": "+1 415 555 0100"})
    assert _internal_id(second) == internal_id

    record = client.get("customer", internal_id).json()
    assert record["id"] == internal_id
    assert record["externalId"] == "cus_A1"
    assert record["entityId"] == "cus_A1"  # defaults to the external ID
    assert record["companyName"] == "Acme Holdings"  # updated
    assert record["email"] == "billing@acme.test"  # merged: untouched fields stay
    assert record["phone"] == "+1 415 555 0100"
    assert record["isPerson"] is False
    assert record["currency"]["id"] == "2" and record["currency"]["refName"] == "Euro"
    assert record["subsidiary"] == {
        "links": [{"rel": "self", "href": client.base_url + "/services/rest/record/v1/subsidiary/1"}],
        "id": "1",
        "refName": "Stripe Sandbox Inc.",
    }
    assert record["links"] == [{"rel": "self", "href": f"{client.base_url}/services/rest/record/v1/customer/{internal_id}"}]
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", record["dateCreated"])
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", record["lastModifiedDate"])
    assert len(client.suiteql("SELECT id FROM customer").json()["items"]) == 1


def test_get_by_internal_id_and_by_external_id_are_the_same_record(client):
    internal_id = _internal_id(client.upsert("customer", "cus_B-2", COMPANY))
    by_id = client.get("customer", internal_id)
    by_eid = client.get("customer", "eid:cus_B-2")
    assert by_id.status_code == by_eid.status_code == 200
    assert by_id.json() == by_eid.json()
    assert by_id.headers["Content-Type"].startswith("application/json")


def test_unknown_records_are_404_nonexistent_id(client):
    assert_error(client.get("customer", "999999"), 404, "NONEXISTENT_ID")
    assert_error(client.get("customer", "eid:cus_missing"), 404, "NONEXISTENT_ID")
    assert_error(client.request("PATCH", "/services/rest/record/v1/customer/eid:nobody", json={"phone": "5551234567"}),
                 404, "NONEXISTENT_ID")
    assert_error(client.get("notARecordType", "1"), 404, "NONEXISTENT_ID")


def test_post_with_an_external_id_already_used_in_the_entity_group_is_refused(client):
    created = client.request("POST", "/services/rest/record/v1/customer", json={**COMPANY, "externalId": "cus_dup"})
    internal_id = _internal_id(created)
    again = client.request("POST", "/services/rest/record/v1/customer",
                           json={"companyName": "Other Co", "externalId": "cus_dup"})
    detail = assert_error(again, 400, "DUP_RCRD", path="externalId")
    assert "cus_dup" in detail["detail"]
    # Nothing was created by the refused request, and the original is intact.
    rows = client.suiteql("SELECT id, companyname FROM customer").json()["items"]
    assert [(r["id"], r["companyname"]) for r in rows] == [(internal_id, "Acme Ltd")]


def test_post_without_external_id_creates_and_patch_updates(client):
    internal_id = _internal_id(client.request("POST", "/services/rest/record/v1/customer",
                                              json={"isPerson": True, "firstName": "Ada", "lastName": "Lovelace"}))
    patched = client.request("PATCH", f"/services/rest/record/v1/customer/{internal_id}",
                             json={"email": "ada@example.org", "externalId": "cus_ada"})
    assert _internal_id(patched) == internal_id
    record = client.get("customer", "eid:cus_ada").json()
    assert record["entityId"] == "Ada Lovelace"  # no externalId at creation: the name
    assert record["email"] == "ada@example.org"


@pytest.mark.parametrize("bad", ["cus 1", "cus.1", "cus%2F1", "cus:1", "cüs_1", "cus|1"])
def test_external_ids_in_the_url_allow_only_letters_digits_underscore_hyphen(client, bad):
    response = client.request("PUT", f"/services/rest/record/v1/customer/eid:{bad}", json=COMPANY)
    assert response.status_code == 400, response.text
    assert response.json()["o:errorDetails"][0]["o:errorCode"] == "INVALID_ID"
    assert client.suiteql("SELECT COUNT(*) AS n FROM customer").json()["items"][0]["n"] == "0"


def test_put_by_internal_id_is_not_an_upsert(client):
    internal_id = _internal_id(client.upsert("customer", "cus_put", COMPANY))
    response = client.request("PUT", f"/services/rest/record/v1/customer/{internal_id}", json=COMPANY)
    assert_error(response, 405, "METHOD_NOT_ALLOWED")


def test_company_without_company_name_is_refused(client):
    detail = assert_error(client.upsert("customer", "cus_x", {"email": "a@b.test"}), 400, "USER_ERROR", path="companyName")
    assert "Company Name" in detail["detail"]


def test_person_needs_first_and_last_name(client):
    assert_error(client.upsert("customer", "cus_p", {"isPerson": True, "firstName": "Ada"}), 400, "USER_ERROR",
                 path="lastName")
    _internal_id(client.upsert("customer", "cus_p", {"isPerson": True, "firstName": "Ada", "lastName": "L"}))


def test_bad_email_is_invalid_fld_value(client):
    assert_error(client.upsert("customer", "cus_x", {**COMPANY, "email": "not-an-email"}), 400, "INVALID_FLD_VALUE",
                 path="email")


def test_dangling_references_are_invalid_key_or_ref(client):
    assert_error(client.upsert("customer", "cus_x", {**COMPANY, "subsidiary": {"id": "42"}}), 400,
                 "INVALID_KEY_OR_REF", path="subsidiary")
    assert_error(client.upsert("customer", "cus_x", {**COMPANY, "currency": {"externalId": "nope"}}), 400,
                 "INVALID_KEY_OR_REF", path="currency")
    # AUD is seeded inactive: a currency that is not enabled cannot be used.
    detail = assert_error(client.upsert("customer", "cus_x", {**COMPANY, "currency": {"id": "7"}}), 400,
                          "INVALID_KEY_OR_REF", path="currency")
    assert "inactive" in detail["detail"]
    # A bare id instead of a reference object is a value error, not silently accepted.
    assert_error(client.upsert("customer", "cus_x", {**COMPANY, "currency": "1"}), 400, "INVALID_FLD_VALUE",
                 path="currency")


def test_references_by_ref_name_and_external_id(client):
    body = {**COMPANY, "currency": {"refName": "Japanese Yen"}, "terms": {"refName": "Net 30"},
            "subsidiary": {"refName": "Stripe Sandbox Inc."}}
    internal_id = _internal_id(client.upsert("customer", "cus_ref", body))
    record = client.get("customer", internal_id).json()
    assert (record["currency"]["id"], record["terms"]["id"], record["subsidiary"]["id"]) == ("4", "2", "1")


def test_unknown_fields_are_refused_unless_property_validation_is_relaxed(client):
    assert_error(client.upsert("customer", "cus_x", {**COMPANY, "favouriteColour": "red"}), 400, "INVALID_FIELD",
                 path="favouriteColour")
    relaxed = client.upsert("customer", "cus_x", {**COMPANY, "favouriteColour": "red"},
                            headers={"X-NetSuite-PropertyNameValidation": "Warning"})
    assert relaxed.status_code == 204
    assert "favouriteColour" not in client.get("customer", "eid:cus_x").json()


def test_default_subsidiary_and_currency(client):
    internal_id = _internal_id(client.upsert("customer", "cus_c", {"companyName": "C"}))
    record = client.get("customer", internal_id).json()
    assert record["subsidiary"]["id"] == "1"
    assert record["currency"]["id"] == "1"  # the subsidiary's currency


def test_custom_fields_must_exist_in_the_account(client):
    # custentity_stripe_sync_hash is created by the default seed; it is a field and a column.
    internal_id = _internal_id(client.upsert("customer", "cus_cf", {"companyName": "C", "custentity_stripe_sync_hash": "abc"}))
    assert client.get("customer", internal_id).json()["custentity_stripe_sync_hash"] == "abc"
    row = client.suiteql("SELECT id, custentity_stripe_sync_hash FROM customer").json()["items"][0]
    assert row["custentity_stripe_sync_hash"] == "abc"
    # A custom field nobody created is refused, like any unknown field.
    detail = assert_error(client.upsert("customer", "cus_cf", {"custentity_never_created": "x"}), 400, "INVALID_FIELD",
                          path="custentity_never_created")
    assert "does not exist" in detail["detail"]
    assert_error(client.upsert("customer", "cus_cf", {"custentity_stripe_sync_hash": "x" * 301}), 400,
                 "INVALID_FLD_VALUE", path="custentity_stripe_sync_hash")


def test_address_book_and_currency_list_sublists(client):
    body = {
        **COMPANY,
        "addressBook": {"items": [
            {"defaultBilling": True, "defaultShipping": False, "label": "HQ",
             "addressBookAddress": {"addressee": "Acme Ltd", "addr1": "1 Main St", "city": "Springfield",
                                    "state": "IL", "zip": "62701", "country": "US"}},
            {"defaultShipping": True, "label": "Warehouse",
             "addressBookAddress": {"addr1": "9 Dock Rd", "city": "Leeds", "zip": "LS1 1AA", "country": "GB"}},
        ]},
        "currencyList": {"items": [{"currency": {"id": "3"}}]},
    }
    internal_id = _internal_id(client.upsert("customer", "cus_addr", body))

    plain = client.get("customer", internal_id).json()
    assert plain["addressBook"] == {"links": [{"rel": "self", "href": f"{client.base_url}/services/rest/record/v1/customer/{internal_id}/addressBook"}]}

    record = client.request("GET", f"/services/rest/record/v1/customer/{internal_id}",
                            params={"expandSubResources": "true"}).json()
    lines = record["addressBook"]["items"]
    assert [line["label"] for line in lines] == ["HQ", "Warehouse"]
    assert lines[0]["addressBookAddress"]["addrText"] == "Acme Ltd\n1 Main St\nSpringfield IL 62701\nUS"
    currencies = sorted(line["currency"]["id"] for line in record["currencyList"]["items"])
    assert currencies == ["2", "3"]  # the primary currency is always listed

    sublist = client.get("customer", f"{internal_id}/addressBook").json()
    assert sublist["count"] == 2 and sublist["items"][1]["addressBookAddress"]["country"] == "GB"

    row = client.suiteql(f"SELECT defaultbillingaddress, defaultshippingaddress FROM customer WHERE id = {internal_id}").json()
    assert row["items"][0]["defaultbillingaddress"].startswith("Acme Ltd\n1 Main St")
    assert row["items"][0]["defaultshippingaddress"].startswith("9 Dock Rd")

    # An update adds the sent address lines (addressBook has no key field the sandbox tracks);
    # a later default takes the flag, as in the UI.
    new_line = {"defaultBilling": True, "addressBookAddress": {"addr1": "2 New St", "country": "FR"}}
    assert client.upsert("customer", "cus_addr", {"addressBook": {"items": [new_line]}}).status_code == 204
    added = get_expanded(client, "customer", internal_id)["addressBook"]["items"]
    assert [line["addressBookAddress"]["addr1"] for line in added] == ["1 Main St", "9 Dock Rd", "2 New St"]
    assert [bool(line.get("defaultBilling")) for line in added] == [False, False, True]

    # ?replace=addressBook: the sent lines are the whole sublist.
    assert client.upsert("customer", "cus_addr", {"addressBook": {"items": [new_line]}},
                         params={"replace": "addressBook"}).status_code == 204
    again = get_expanded(client, "customer", internal_id)
    assert [line["addressBookAddress"]["addr1"] for line in again["addressBook"]["items"]] == ["2 New St"]


def test_address_country_must_be_iso2(client):
    body = {**COMPANY, "addressBook": {"items": [{"addressBookAddress": {"addr1": "x", "country": "United States"}}]}}
    assert_error(client.upsert("customer", "cus_x", body), 400, "INVALID_FLD_VALUE",
                 path="addressBook.items[0].addressBookAddress.country")


def test_entity_id_must_be_unique_among_entities(client):
    _internal_id(client.upsert("customer", "cus_1", {**COMPANY, "entityId": "ACME"}))
    assert_error(client.upsert("customer", "cus_2", {**COMPANY, "entityId": "ACME"}), 400, "DUP_ENTITY", path="entityId")


def test_string_lengths_and_types_are_checked(client):
    assert_error(client.upsert("customer", "cus_x", {"companyName": "x" * 84}), 400, "INVALID_FLD_VALUE",
                 path="companyName")
    assert_error(client.upsert("customer", "cus_x", {**COMPANY, "isInactive": "false"}), 400, "INVALID_FLD_VALUE",
                 path="isInactive")
    assert_error(client.upsert("customer", "cus_x", {**COMPANY, "phone": "12345"}), 400, "INVALID_FLD_VALUE",
                 path="phone")


def test_body_external_id_must_match_the_url(client):
    assert_error(client.upsert("customer", "cus_url", {**COMPANY, "externalId": "cus_other"}), 400,
                 "INVALID_FLD_VALUE", path="externalId")


def test_invalid_json_is_invalid_content_and_empty_body_has_no_fields(client):
    broken = client.request("PUT", "/services/rest/record/v1/customer/eid:cus_j", data=b"{not json",
                            headers={"Content-Type": "application/json"})
    assert_error(broken, 400, "INVALID_CONTENT")
    empty = client.request("PUT", "/services/rest/record/v1/customer/eid:cus_j")
    assert_error(empty, 400, "USER_ERROR", path="companyName")


def test_delete_removes_record_and_suiteql_row(client):
    internal_id = _internal_id(client.upsert("customer", "cus_del", COMPANY))
    assert client.request("DELETE", "/services/rest/record/v1/customer/eid:cus_del").status_code == 204
    assert_error(client.get("customer", internal_id), 404, "NONEXISTENT_ID")
    assert client.suiteql("SELECT id FROM customer").json()["totalResults"] == 0
    # The external ID is free again; the new record gets a new internal id.
    assert _internal_id(client.upsert("customer", "cus_del", COMPANY)) != internal_id


def test_list_returns_ids_and_links_paged(client):
    ids = [_internal_id(client.upsert("customer", f"cus_{i}", {"companyName": f"C{i}"})) for i in range(5)]
    page = client.request("GET", "/services/rest/record/v1/customer", params={"limit": 2, "offset": 2}).json()
    assert [item["id"] for item in page["items"]] == ids[2:4]
    assert page["count"] == 2 and page["hasMore"] is True and page["totalResults"] == 5 and page["offset"] == 2
    assert {link["rel"] for link in page["links"]} >= {"self", "next", "previous", "first", "last"}


def test_reference_records_are_readable_not_writable(client):
    currency = client.get("currency", "6").json()
    assert (currency["symbol"], currency["currencyPrecision"], currency["name"]) == ("KWD", 3, "Kuwaiti Dinar")
    account = client.get("account", "eid:acct-undeposited-funds").json()
    assert account["acctName"] == "Undeposited Funds" and account["id"] == "1"
    assert_error(client.upsert("currency", "x", {"name": "X"}), 405, "METHOD_NOT_ALLOWED")


def test_record_types_are_case_insensitive(client):
    internal_id = _internal_id(client.upsert("Customer", "cus_case", COMPANY))
    assert client.get("CUSTOMER", internal_id).status_code == 200


def test_direct_helpers_match_http(sandbox, client):
    internal_id = _internal_id(client.upsert("customer", "cus_h", COMPANY))
    app = sandbox.app
    record = app.get_record("customer", "eid:cus_h")
    assert record["id"] == internal_id and record["companyName"] == "Acme Ltd"
    assert app.get_record("customer", int(internal_id))["externalId"] == "cus_h"
    assert app.get_record("customer", "eid:nobody") is None
    assert app.suiteql("SELECT id, externalid FROM customer") == [{"id": internal_id, "externalid": "cus_h"}]


def test_concurrent_upserts_of_one_external_id_make_one_record(start_sandbox):
    from concurrent.futures import ThreadPoolExecutor

    from ns_helpers import NsClient

    server = start_sandbox(concurrency_limit=50)
    client = NsClient(server.url)
    with ThreadPoolExecutor(max_workers=12) as pool:
        responses = list(pool.map(
            lambda i: client.upsert("customer", "cus_race", {"companyName": f"Race {i}"}), range(24)))
    ids = {_internal_id(r) for r in responses}
    assert len(ids) == 1
    assert client.suiteql("SELECT COUNT(*) AS n FROM customer").json()["items"][0]["n"] == "1"
