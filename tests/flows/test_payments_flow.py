"""The payments DAG end to end with dag.test(), against the demo and edge scenarios and the payments scenario."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest

from stripe_netsuite.mapping import external_ids
from stripe_netsuite.mapping.money import to_decimal
from stripe_netsuite.mapping.payments import moves_money, paid_amount
from stripe_netsuite.sync.cursor import cursor_key
from tests.fixtures.airflow import db_variable
from tests.fixtures.sandboxes import start_sandbox, stripe_conn, stripe_sandbox_cmd
from tests.flows.helpers import run_dag, stripe_client, task_states, xcom_return

DAG_ID = "stripe_payments_to_netsuite"
INVOICES_DAG = "stripe_invoices_to_netsuite"
pytestmark = pytest.mark.usefixtures("airflow_db", "clean_variables")
EVERYTHING = {"start": "2000-01-01", "end": "2100-01-01"}


@pytest.fixture(params=["demo", "edge"])
def scenario(request, monkeypatch, netsuite):
    from tests.fixtures.sandboxes import netsuite_conn

    sandbox = start_sandbox(stripe_sandbox_cmd("--scenario", request.param, "--seed", "7"))
    monkeypatch.setenv("AIRFLOW_CONN_STRIPE_DEFAULT", stripe_conn(sandbox.url))
    monkeypatch.setenv("AIRFLOW_CONN_NETSUITE_DEFAULT", netsuite_conn(netsuite.url))
    yield sandbox
    sandbox.stop()


PAYMENTS_QUERY = (
    "SELECT t.externalid, t.recordtype, t.foreigntotal, t.exchangerate, cur.symbol AS currency, "
    "i.externalid AS applied_to, l.foreignamount AS applied FROM transaction t JOIN currency cur ON cur.id = t.currency "
    "LEFT JOIN nexttransactionlinelink l ON l.nextdoc = t.id LEFT JOIN transaction i ON i.id = l.previousdoc "
    "WHERE t.recordtype IN ('customerpayment', 'customerrefund') ORDER BY t.externalid"
)


def netsuite_payments() -> dict[str, tuple]:
    """External ID -> (record type, total, currency, rate, what it applies to and how much); each ID once."""
    from stripe_netsuite.hooks.netsuite import NetSuiteHook

    out: dict[str, tuple] = {}
    for row in NetSuiteHook().suiteql(PAYMENTS_QUERY):
        applied = (row.get("applied_to"), Decimal(str(row["applied"]))) if row.get("applied_to") else None
        key = row["externalid"]
        assert key not in out, f"{key} has two application rows or is in NetSuite twice"
        out[key] = (row["recordtype"], Decimal(str(row["foreigntotal"])), row["currency"],
                    Decimal(str(row.get("exchangerate") or 1)), applied)
    return out


def netsuite_remaining() -> dict[str, Decimal]:
    from stripe_netsuite.hooks.netsuite import NetSuiteHook

    rows = NetSuiteHook().suiteql("SELECT externalid, foreignamountremaining FROM transaction WHERE recordtype = 'invoice'")
    return {row["externalid"]: Decimal(str(row.get("foreignamountremaining") or 0)) for row in rows}


def stripe_charges(url: str) -> list[dict]:
    client = stripe_client(url)
    return [c.to_dict() for c in client.v1.charges.list(
        params={"limit": 100, "expand": ["data.balance_transaction", "data.failure_balance_transaction"]}
    ).auto_paging_iter()]


def stripe_invoices(url: str) -> list[dict]:
    return [i.to_dict() for i in stripe_client(url).v1.invoices.list(params={"limit": 100}).auto_paging_iter()]


def assert_every_payment_once_and_invoices_agree(url: str) -> dict[str, tuple]:
    """Every charge that moved money is one NetSuite payment of its amount; open and paid invoices show in NetSuite
    what Stripe still expects (a pending bank debit is applied in NetSuite while Stripe waits for it)."""
    payments = netsuite_payments()
    charges = [c for c in stripe_charges(url) if moves_money(c)]
    assert {external_ids.payment(c["id"]) for c in charges} == {
        k for k, v in payments.items() if v[0] == "customerpayment" and k.startswith(("ch_", "py_"))}
    pending: Counter = Counter()
    for charge in charges:
        record_type, total, currency, _rate, _applied = payments[charge["id"]]
        assert (total, currency) == (to_decimal(paid_amount(charge), charge["currency"]), charge["currency"].upper())
        if charge["status"] == "pending" and payments[charge["id"]][4]:
            pending[payments[charge["id"]][4][0]] += payments[charge["id"]][4][1]
        if charge["status"] == "failed":
            assert payments[external_ids.failed_payment_refund(charge["id"])][1] == total
    remaining = netsuite_remaining()
    compared = 0
    for invoice in stripe_invoices(url):
        if invoice.get("amount_paid_off_stripe"):  # no charge: the reconciliation lists these for finance to record
            off_stripe = to_decimal(invoice["amount_paid_off_stripe"], invoice["currency"])
            assert remaining.get(invoice["id"]) == off_stripe + to_decimal(invoice["amount_remaining"], invoice["currency"])
        elif invoice["status"] in ("open", "paid") and invoice["id"] in remaining:
            expected = to_decimal(invoice["amount_remaining"], invoice["currency"]) - pending[invoice["id"]]
            assert remaining[invoice["id"]] == expected, (invoice["id"], invoice["status"])
            compared += 1
    assert compared > 0
    return payments


def test_every_charge_that_moved_money_is_one_payment_applied_to_its_invoice(dagbag, scenario):
    assert run_dag(dagbag, INVOICES_DAG).state == "success"
    dag_run = run_dag(dagbag, DAG_ID)
    assert dag_run.state == "success", (task_states(dag_run), xcom_return(dag_run, "sync"))
    summary = xcom_return(dag_run, "sync")
    assert summary["failed"] == [] and summary["created"] > 5
    payments = assert_every_payment_once_and_invoices_agree(scenario.url)
    assert any(v[4] for v in payments.values()), "some payment applies to an invoice"


def test_invoices_and_customers_are_written_on_the_way(dagbag, scenario):
    """The payments DAG alone: what it needs is written by the invoices and customers flows' own code."""
    dag_run = run_dag(dagbag, DAG_ID)
    assert dag_run.state == "success", (task_states(dag_run), xcom_return(dag_run, "sync"))
    written = xcom_return(dag_run, "sync")["dependencies_written"]
    assert written["customer"] >= 5 and written["invoice records"] >= 5
    payments = netsuite_payments()
    applied = [v for v in payments.values() if v[4]]
    assert applied and all(v[4][1] == v[1] for v in applied)  # each applies its whole amount to its invoice


def test_second_run_and_a_backfill_change_nothing(dagbag, scenario):
    assert run_dag(dagbag, INVOICES_DAG).state == "success"
    assert run_dag(dagbag, DAG_ID).state == "success"
    before = netsuite_payments()
    for conf in ({}, EVERYTHING):
        dag_run = run_dag(dagbag, DAG_ID, conf)
        assert dag_run.state == "success"
        summary = xcom_return(dag_run, "sync")
        assert (summary["created"], summary["updated"], summary["failed"]) == (0, 0, [])
        assert summary["dependencies_written"] == {}
    assert netsuite_payments() == before


def test_a_backfill_into_another_netsuite_gives_the_same_state(dagbag, scenario, tmp_path, monkeypatch):
    from tests.fixtures.sandboxes import netsuite_conn, netsuite_sandbox_cmd

    assert run_dag(dagbag, INVOICES_DAG).state == "success"
    assert run_dag(dagbag, DAG_ID).state == "success"
    incremental = netsuite_payments()
    cursor = db_variable(cursor_key("payments"))
    other = start_sandbox(netsuite_sandbox_cmd(tmp_path / "backfill.db"))
    try:
        monkeypatch.setenv("AIRFLOW_CONN_NETSUITE_DEFAULT", netsuite_conn(other.url))
        assert run_dag(dagbag, INVOICES_DAG, EVERYTHING).state == "success"
        dag_run = run_dag(dagbag, DAG_ID, EVERYTHING)
        assert dag_run.state == "success", task_states(dag_run)
        assert xcom_return(dag_run, "sync")["mode"] == "backfill"
        assert netsuite_payments() == incremental
        assert db_variable(cursor_key("payments")) == cursor
    finally:
        other.stop()


def test_a_payment_whose_invoice_cannot_be_written_waits_and_loads_once_it_can(demo_payments_only, dagbag):
    import requests

    from stripe_netsuite.hooks.netsuite import NetSuiteHook
    from stripe_netsuite.sync.retry_queue import retry_queue_key
    from tests.flows.helpers import open_invoice

    client = stripe_client(demo_payments_only.url)
    customer = client.v1.customers.create(params={"name": "Sydney Surf Pty Ltd", "email": "ap@surf.example"})
    invoice = open_invoice(client, customer.id, "aud", 8800)
    client.v1.invoices.pay(invoice, params={"payment_method": "pm_card_visa"})
    dag_run = run_dag(dagbag, DAG_ID)
    assert task_states(dag_run) == {"sync": "success", "commit_cursor": "success", "check_failed_records": "failed"}
    (queued,) = db_variable(retry_queue_key("payments"))
    assert queued["code"] == "DEPENDENCY" and queued["stripe_id"].startswith("ch_")
    assert f"invoice {invoice} could not be written to NetSuite" in queued["message"] and "AUD" in queued["message"]
    assert len(netsuite_payments()) > 5  # everything else loaded

    hook = NetSuiteHook()
    aud = next(r["id"] for r in hook.suiteql("SELECT id, symbol FROM currency") if r["symbol"] == "AUD")
    requests.post(f"{hook.base_url}/_sandbox/reference/currency/{aud}", json={"isInactive": False},
                  timeout=10).raise_for_status()
    dag_run = run_dag(dagbag, DAG_ID)
    assert dag_run.state == "success", task_states(dag_run)
    assert db_variable(retry_queue_key("payments")) == []
    assert netsuite_payments()[queued["stripe_id"]][4] == (invoice, Decimal("88.00"))


@pytest.fixture
def demo_payments_only(monkeypatch, netsuite):
    from tests.fixtures.sandboxes import netsuite_conn

    sandbox = start_sandbox(stripe_sandbox_cmd("--scenario", "demo", "--seed", "7"))
    monkeypatch.setenv("AIRFLOW_CONN_STRIPE_DEFAULT", stripe_conn(sandbox.url))
    monkeypatch.setenv("AIRFLOW_CONN_NETSUITE_DEFAULT", netsuite_conn(netsuite.url))
    yield sandbox
    sandbox.stop()
