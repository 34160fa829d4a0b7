"""State lives in the SQLite file: a restart on the same file keeps every record and id."""

from __future__ import annotations

from decimal import Decimal

import pytest
from ns_helpers import NsClient

from netsuite_sandbox import NetSuiteSandbox
from netsuite_sandbox.errors import NetSuiteError
from netsuite_sandbox.seed import SeedError


def test_state_survives_stop_and_restart(start_sandbox, tmp_path):
    first = start_sandbox()
    client = NsClient(first.url)
    assert client.upsert("customer", "cus_keep", {"companyName": "Keep Ltd", "currency": {"id": "3"}}).status_code == 204
    kept_id = client.get("customer", "eid:cus_keep").json()["id"]
    first.stop()

    second = start_sandbox()  # same tmp_path / "ns.db"
    client = NsClient(second.url)
    record = client.get("customer", "eid:cus_keep").json()
    assert (record["id"], record["companyName"], record["currency"]["refName"]) == (kept_id, "Keep Ltd", "British Pound")
    assert client.suiteql("SELECT externalid FROM customer").json()["items"] == [{"links": [], "externalid": "cus_keep"}]
    # Ids keep counting up; reference data was not seeded twice.
    assert client.upsert("customer", "cus_next", {"companyName": "Next"}).status_code == 204
    assert int(client.get("customer", "eid:cus_next").json()["id"]) > int(kept_id)
    assert client.suiteql("SELECT COUNT(*) AS n FROM currency").json()["items"][0]["n"] == "8"


def test_reopening_is_idempotent_and_seed_is_first_start_only(tmp_path):
    custom = tmp_path / "seed.yaml"
    custom.write_text(
        "currencies:\n  - {id: 1, symbol: USD, name: US Dollar, currencyPrecision: 2}\n"
        "  - {id: 9, symbol: CHF, name: Swiss Franc, currencyPrecision: 2}\n"
        "subsidiaries:\n  - {id: 1, name: Swiss Sandbox AG, currency: CHF, country: CH}\n"
    )
    db = tmp_path / "custom.db"
    app = NetSuiteSandbox(db, seed_file=custom)
    assert app.suiteql("SELECT symbol FROM currency ORDER BY id") == [{"symbol": "USD"}, {"symbol": "CHF"}]
    customer, _ = app.store.upsert("customer", "cus_ch", {"companyName": "Zurich GmbH"})
    assert app.get_record("customer", "eid:cus_ch")["currency"]["refName"] == "Swiss Franc"
    app.close()

    again = NetSuiteSandbox(db)  # default seed is not applied to an already seeded file
    assert [r["symbol"] for r in again.suiteql("SELECT symbol FROM currency ORDER BY id")] == ["USD", "CHF"]
    assert again.get_record("customer", customer.id)["companyName"] == "Zurich GmbH"
    again.close()


def test_custom_fields_come_from_the_seed_file(tmp_path):
    seed = tmp_path / "seed.yaml"
    seed.write_text(
        "currencies:\n  - {id: 1, symbol: USD, name: US Dollar, currencyPrecision: 2}\n"
        "subsidiaries:\n  - {id: 1, name: Sub, currency: USD, country: US}\n"
        "customFields:\n"
        "  - {id: custentity_vip, recordType: customer, type: checkbox}\n"
        "  - {id: custentity_credit, recordType: customer, type: decimal}\n"
    )
    app = NetSuiteSandbox(tmp_path / "cf.db", seed_file=seed)
    app.store.upsert("customer", "cus_v", {"companyName": "V", "custentity_vip": True, "custentity_credit": "12.50"})
    assert app.suiteql("SELECT custentity_vip, custentity_credit FROM customer") == [
        {"custentity_vip": "T", "custentity_credit": "12.50"}]
    assert app.get_record("customer", "eid:cus_v")["custentity_credit"] == Decimal("12.50")
    app.close()
    # Reopened: the fields are still defined (stored in the database, not re-read from the seed).
    again = NetSuiteSandbox(tmp_path / "cf.db")
    assert again.suiteql("SELECT custentity_vip FROM customer") == [{"custentity_vip": "T"}]
    again.close()


def test_without_the_custom_field_suiteql_says_unknown_identifier(tmp_path):
    seed = tmp_path / "seed.yaml"
    seed.write_text(
        "currencies:\n  - {id: 1, symbol: USD, name: US Dollar, currencyPrecision: 2}\n"
        "subsidiaries:\n  - {id: 1, name: Sub, currency: USD, country: US}\n"
    )
    app = NetSuiteSandbox(tmp_path / "bare.db", seed_file=seed)
    try:
        app.suiteql("SELECT id, custentity_stripe_sync_hash FROM customer")
    except NetSuiteError as exc:
        assert exc.code == "INVALID_PARAMETER" and "Unknown identifier 'custentity_stripe_sync_hash'" in exc.detail
    else:
        raise AssertionError("the query should fail")
    finally:
        app.close()


def test_bad_custom_field_definitions_are_refused(tmp_path):
    seed = tmp_path / "seed.yaml"
    seed.write_text("customFields:\n  - {id: custbody_x, recordType: customer, type: text}\n")
    with pytest.raises(SeedError, match="must start with custentity"):
        NetSuiteSandbox(tmp_path / "bad.db", seed_file=seed)


def test_transactions_links_and_the_ledger_survive_a_restart(start_sandbox):
    first = start_sandbox()
    client = NsClient(first.url)
    client.upsert("customer", "cus_p", {"companyName": "P"})
    client.upsert("invoice", "in_p", {"entity": {"externalId": "cus_p"},
                                      "item": {"items": [{"item": {"externalId": "stripe-item-generic"}, "amount": 40}]}})
    invoice_id = client.get("invoice", "eid:in_p").json()["id"]
    client.upsert("customerPayment", "ch_p", {"customer": {"externalId": "cus_p"}, "apply": {"items": [{"doc": invoice_id, "amount": 15}]}})
    before = first.app.trial_balance()
    first.stop()

    second = start_sandbox()
    client = NsClient(second.url)
    assert client.get("invoice", "eid:in_p").json()["amountRemaining"] == 25
    assert second.app.trial_balance() == before
    # The rules still see the earlier application: 25 is all that is left to apply.
    response = client.upsert("customerPayment", "ch_q", {"customer": {"externalId": "cus_p"},
                                                         "apply": {"items": [{"doc": invoice_id, "amount": 26}]}})
    assert response.status_code == 400 and response.json()["o:errorDetails"][0]["o:errorCode"] == "USER_ERROR"
