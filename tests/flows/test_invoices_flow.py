"""The invoices DAG end to end with dag.test(), against the demo and edge scenarios."""

from __future__ import annotations

import pytest

from stripe_netsuite.reconcile.invoices import NETSUITE_ROWS_QUERY, reconcile_invoices
from stripe_netsuite.sync.cursor import cursor_key
from stripe_netsuite.sync.retry_queue import retry_queue_key
from tests.fixtures.airflow import db_variable
from tests.fixtures.sandboxes import start_sandbox, stripe_conn, stripe_sandbox_cmd
from tests.flows.helpers import run_dag, stripe_client, task_states, xcom_return

DAG_ID = "stripe_invoices_to_netsuite"
pytestmark = pytest.mark.usefixtures("airflow_db", "clean_variables")


@pytest.fixture(params=["demo", "edge"])
def scenario(request, monkeypatch, netsuite):
    from tests.fixtures.sandboxes import netsuite_conn

    sandbox = start_sandbox(stripe_sandbox_cmd("--scenario", request.param, "--seed", "7"))
    monkeypatch.setenv("AIRFLOW_CONN_STRIPE_DEFAULT", stripe_conn(sandbox.url))
    monkeypatch.setenv("AIRFLOW_CONN_NETSUITE_DEFAULT", netsuite_conn(netsuite.url))
    yield sandbox
    sandbox.stop()


def stripe_state(url):
    client = stripe_client(url)
    invoices = [i.to_dict() for i in client.v1.invoices.list(params={"limit": 100}).auto_paging_iter()]
    notes = [c.to_dict() for c in client.v1.credit_notes.list(params={"limit": 100}).auto_paging_iter()]
    return invoices, notes


def netsuite_rows():
    from stripe_netsuite.hooks.netsuite import NetSuiteHook

    return list(NetSuiteHook().suiteql(NETSUITE_ROWS_QUERY))


def reconcile(url):
    invoices, notes = stripe_state(url)
    return reconcile_invoices(invoices, notes, netsuite_rows())


def test_one_run_loads_every_finalized_invoice_once_and_reconciles(dagbag, scenario):
    dag_run = run_dag(dagbag, DAG_ID)
    assert dag_run.state == "success", (task_states(dag_run), xcom_return(dag_run, "sync"))
    report = reconcile(scenario.url)
    assert report.ok, report.lines()
    assert report.matched == report.stripe_invoices > 10
    assert report.credit_memos_matched == report.credit_memos_expected >= 2
