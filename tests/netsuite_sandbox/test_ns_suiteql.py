"""SuiteQL over REST: paging, the Prefer header, NetSuite's result shape and errors."""

from __future__ import annotations

import re

import pytest
from ns_helpers import assert_error


@pytest.fixture
def customers(sandbox):
    """25 customers written straight through the store (fast), ids in creation order."""
    store = sandbox.app.store
    return [
        store.upsert("customer", f"cus_{i:03d}", {"companyName": f"Company {i:03d}", "email": f"c{i}@x.test"})[0].id
        for i in range(25)
    ]


def test_paging_with_limit_offset_has_more_and_total_results(client, customers):
    q = "SELECT id, externalid FROM customer ORDER BY id"
    seen = []
    offset = 0
    while True:
        response = client.suiteql(q, limit=10, offset=offset)
        assert response.status_code == 200, response.text
        page = response.json()
        assert page["offset"] == offset
        assert page["totalResults"] == 25
        assert page["count"] == len(page["items"])
        seen += [item["id"] for item in page["items"]]
        assert page["hasMore"] is (offset + page["count"] < 25)
        rels = {link["rel"] for link in page["links"]}
        assert "self" in rels and ("next" in rels) is page["hasMore"]
        if not page["hasMore"]:
            break
        offset += 10
    assert seen == [str(i) for i in customers]
    assert offset == 20


def test_items_have_links_string_values_lower_case_names_and_omit_nulls(client, customers):
    page = client.suiteql("SELECT ID, EntityId, isPerson, phone, currency, COUNT(*) FROM customer "
                          "WHERE externalid = 'cus_003' GROUP BY id").json()
    assert page["items"] == [{"links": [], "id": str(customers[3]), "entityid": "cus_003", "isperson": "F",
                              "currency": "1", "expr1": "1"}]  # phone is NULL: left out


def test_default_limit_is_1000_and_limit_bounds(client, customers):
    page = client.suiteql("SELECT id FROM customer").json()
    assert page["count"] == 25 and page["hasMore"] is False
    assert_error(client.suiteql("SELECT id FROM customer", limit=1001), 400, "INVALID_PARAMETER")
    assert_error(client.suiteql("SELECT id FROM customer", limit=0), 400, "INVALID_PARAMETER")
    detail = assert_error(client.suiteql("SELECT id FROM customer", limit=10, offset=5), 400, "INVALID_PARAMETER")
    assert detail["o:errorQueryParam"] == "offset"


def test_prefer_transient_header_is_required(client):
    response = client.suiteql("SELECT id FROM currency", prefer=False)
    detail = assert_error(response, 400, "INVALID_HEADER")
    assert detail["o:errorHeader"] == "Prefer"


@pytest.mark.parametrize("q", [
    "DELETE FROM customer",
    "UPDATE customer SET email = 'x@y.z'",
    "INSERT INTO customer (id) VALUES (1)",
    "DROP TABLE customer",
    "PRAGMA table_info(customer)",
    "SELECT 1; DELETE FROM customer",
    "",
])
def test_only_select_is_accepted(client, customers, q):
    detail = assert_error(client.suiteql(q), 400, "INVALID_PARAMETER")
    assert detail["o:errorQueryParam"] == "q"
    assert detail["detail"].startswith("Invalid search query. Detailed unprocessed description follows.")
    assert client.suiteql("SELECT COUNT(*) AS n FROM customer").json()["items"][0]["n"] == "25"


@pytest.mark.parametrize("q, fragment", [
    ("SELECT id FROM nosuchtable", "Invalid search type: nosuchtable."),
    ("SELECT body FROM record", "Invalid search type: record."),  # the sandbox's own tables are hidden
    ("SELECT name FROM sqlite_master", "Invalid search type"),
    ("SELECT balance FROM customer", "Unknown identifier 'balance'"),
    ("SELECT id FROM customer WHERE ROWNUM <= 10", "ROWNUM"),
])
def test_unknown_tables_and_columns_use_netsuite_wording(client, q, fragment):
    detail = assert_error(client.suiteql(q), 400, "INVALID_PARAMETER")
    assert fragment in detail["detail"]


def test_joins_in_and_reference_tables(client, customers, sandbox):
    sandbox.app.store.upsert("customer", "cus_eur", {"companyName": "Euro Co", "currency": {"id": "2"}})
    rows = client.suiteql(
        "SELECT c.externalid, cur.symbol, cur.currencyprecision FROM customer c "
        "JOIN currency cur ON cur.id = c.currency WHERE c.externalid IN ('cus_eur', 'cus_001') ORDER BY c.externalid"
    ).json()["items"]
    assert [(r["externalid"], r["symbol"], r["currencyprecision"]) for r in rows] == [
        ("cus_001", "USD", "2"), ("cus_eur", "EUR", "2")]
    accounts = client.suiteql("SELECT id, acctname, accttype FROM account WHERE externalid = 'acct-stripe-fees'").json()
    assert accounts["items"][0]["acctname"] == "Stripe Fees" and accounts["items"][0]["accttype"] == "Expense"
    subsidiary = client.suiteql("SELECT id, name, currency FROM subsidiary").json()["items"]
    assert subsidiary == [{"links": [], "id": "1", "name": "Stripe Sandbox Inc.", "currency": "1"}]
    methods = client.suiteql("SELECT id, name FROM paymentmethod").json()["items"]
    assert methods[0]["name"] == "Stripe"


def test_dates_use_the_account_format_and_to_char_gives_precision(client, customers):
    row = client.suiteql(
        "SELECT datecreated, TO_CHAR(lastmodifieddate, 'YYYY-MM-DD\"T\"HH24:MI:SS') AS modified FROM customer "
        "WHERE externalid = 'cus_000'"
    ).json()["items"][0]
    assert re.match(r"^\d{1,2}/\d{1,2}/\d{4}$", row["datecreated"])
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$", row["modified"])
    newer = client.suiteql(
        "SELECT COUNT(*) AS n FROM customer WHERE lastmodifieddate >= TO_DATE('2000-01-01', 'YYYY-MM-DD')"
    ).json()["items"][0]
    assert newer["n"] == "25"
    older = client.suiteql(
        "SELECT COUNT(*) AS n FROM customer WHERE lastmodifieddate < TO_DATE('01/01/2000', 'MM/DD/YYYY')"
    ).json()["items"][0]
    assert older["n"] == "0"


def test_oracle_isms(client, customers):
    rows = client.suiteql(
        "SELECT BUILTIN.DF(currency) AS cur, NVL(phone, 'none') AS phone FROM customer "
        "WHERE companyname LIKE 'Company 00%' ORDER BY id FETCH FIRST 2 ROWS ONLY"
    ).json()["items"]
    assert rows == [{"links": [], "cur": "1", "phone": "none"}] * 2
    # LIKE is case-sensitive, as in Oracle.
    assert client.suiteql("SELECT COUNT(*) AS n FROM customer WHERE companyname LIKE 'company%'").json()["items"][0]["n"] == "0"
    # String literals are never rewritten.
    literal = client.suiteql("SELECT 'BUILTIN.DF(x) SYSDATE' AS s FROM currency WHERE id = 1").json()["items"]
    assert literal[0]["s"] == "BUILTIN.DF(x) SYSDATE"


def test_suiteql_sees_writes_immediately(client, sandbox):
    assert client.suiteql("SELECT COUNT(*) AS n FROM customer").json()["items"][0]["n"] == "0"
    client.upsert("customer", "cus_now", {"companyName": "Now"})
    assert client.suiteql("SELECT id FROM customer WHERE externalid = 'cus_now'").json()["totalResults"] == 1
