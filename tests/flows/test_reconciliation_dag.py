"""The reconciliation DAG end to end with dag.test(): agreeing ledgers pass; a difference fails
check_report naming the Stripe object, unless it changed within the settle time."""

from __future__ import annotations

import pytest

from tests.flows.helpers import run_dag, stripe_client, task_states, xcom_return
from tests.flows.helpers import open_invoice

DAG_ID = "stripe_netsuite_reconciliation"
pytestmark = pytest.mark.usefixtures("airflow_db", "clean_variables")


@pytest.fixture
def settle_minutes(monkeypatch, tmp_path):
    def use(minutes: int, extra: str = "") -> None:
        path = tmp_path / f"settings-{minutes}-{len(extra)}.yaml"
        path.write_text(f"reconciliation:\n  settle_minutes: {minutes}\n{extra}")
        monkeypatch.setenv("STRIPE_NETSUITE_SETTINGS", str(path))
    return use


def test_agreeing_ledgers_pass_and_a_difference_fails_naming_the_object(dagbag, connections, settle_minutes):
    stripe_sb, _ = connections
    settle_minutes(0)
    for flow_dag in ("stripe_customers_to_netsuite", "stripe_invoices_to_netsuite"):
        assert run_dag(dagbag, flow_dag).state == "success"
    dag_run = run_dag(dagbag, DAG_ID)
    assert dag_run.state == "success", task_states(dag_run)
    summary = xcom_return(dag_run, "reconcile")
    assert summary["ok"] and summary["problem_count"] == 0
    assert summary["customers"]["matched"] == summary["customers"]["stripe"] >= 10
    assert summary["invoices"]["matched"] == summary["invoices"]["stripe"] > 10

    client = stripe_client(stripe_sb.url)
    customer = next(iter(client.v1.customers.list(params={"limit": 1}).data)).id
    unsynced = open_invoice(client, customer, "usd", 4200)  # finalized after the flows ran
    dag_run = run_dag(dagbag, DAG_ID)
    assert task_states(dag_run) == {"reconcile": "success", "check_report": "failed"}
    summary = xcom_return(dag_run, "reconcile")
    assert not summary["ok"] and summary["problem_count"] == 1
    assert summary["problems"][0].startswith(f"{unsynced}: missing in NetSuite")

    settle_minutes(90)  # the same invoice changed a moment ago: left for the next run, not a difference
    dag_run = run_dag(dagbag, DAG_ID)
    assert dag_run.state == "success", task_states(dag_run)
    summary = xcom_return(dag_run, "reconcile")
    assert summary["ok"] and summary["settling"] >= 1

    settle_minutes(0)
    assert run_dag(dagbag, "stripe_invoices_to_netsuite").state == "success"
    assert run_dag(dagbag, DAG_ID).state == "success"


def test_a_switched_off_flow_is_not_reported_as_missing(dagbag, connections, settle_minutes):
    """Customers flow off: the invoices flow creates the customers it needs, and only those are compared;
    invoices flow off too: invoices are not compared at all."""
    settle_minutes(0, "customers:\n  enabled: false\n")
    assert run_dag(dagbag, "stripe_invoices_to_netsuite").state == "success"
    dag_run = run_dag(dagbag, DAG_ID)
    assert dag_run.state == "success", task_states(dag_run)
    summary = xcom_return(dag_run, "reconcile")
    assert summary["ok"] and 0 < summary["customers"]["matched"] == summary["customers"]["stripe"]
    assert summary["invoices"]["matched"] == summary["invoices"]["stripe"] > 10

    settle_minutes(0, "customers:\n  enabled: false\ninvoices:\n  enabled: false\n")
    dag_run = run_dag(dagbag, DAG_ID)
    assert dag_run.state == "success", task_states(dag_run)
    assert xcom_return(dag_run, "reconcile")["invoices"] is None
