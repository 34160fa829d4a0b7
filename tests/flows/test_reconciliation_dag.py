"""The reconciliation DAG end to end with dag.test(): agreeing ledgers pass; a difference fails
check_report naming the Stripe object, unless it changed within the settle time."""

from __future__ import annotations

import pytest

from tests.fixtures.sandboxes import netsuite_conn, start_sandbox, stripe_conn, stripe_sandbox_cmd
from tests.flows.helpers import open_invoice, run_dag, stripe_client, task_states, xcom_return

DAG_ID = "stripe_netsuite_reconciliation"
FLOW_DAGS = ("stripe_customers_to_netsuite", "stripe_invoices_to_netsuite", "stripe_payments_to_netsuite")
PAYMENTS = "stripe_payments_to_netsuite"
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
    for flow_dag in FLOW_DAGS:
        assert run_dag(dagbag, flow_dag).state == "success"
    dag_run = run_dag(dagbag, DAG_ID)
    assert dag_run.state == "success", task_states(dag_run)
    summary = xcom_return(dag_run, "reconcile")
    assert summary["ok"] and summary["problem_count"] == 0
    assert summary["customers"]["matched"] == summary["customers"]["stripe"] >= 10
    assert summary["invoices"]["matched"] == summary["invoices"]["stripe"] > 10
    assert summary["payments"]["matched"] == summary["payments"]["stripe"] >= 10

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
    """Customers flow off: the invoices and payments flows create the customers they need, and only those are
    compared; invoices flow off too: invoices are not compared at all; payments flow off as well: neither are
    payments."""
    settle_minutes(0, "customers:\n  enabled: false\n")
    assert run_dag(dagbag, "stripe_invoices_to_netsuite").state == "success"
    assert run_dag(dagbag, PAYMENTS).state == "success"
    dag_run = run_dag(dagbag, DAG_ID)
    assert dag_run.state == "success", task_states(dag_run)
    summary = xcom_return(dag_run, "reconcile")
    assert summary["ok"] and 0 < summary["customers"]["matched"] == summary["customers"]["stripe"]
    assert summary["invoices"]["matched"] == summary["invoices"]["stripe"] > 10
    assert summary["payments"]["matched"] == summary["payments"]["stripe"] >= 10

    settle_minutes(0, "customers:\n  enabled: false\ninvoices:\n  enabled: false\n")
    dag_run = run_dag(dagbag, DAG_ID)
    assert dag_run.state == "success", task_states(dag_run)
    summary = xcom_return(dag_run, "reconcile")
    assert summary["invoices"] is None and summary["payments"]["matched"] == summary["payments"]["stripe"]

    settle_minutes(0, "customers:\n  enabled: false\ninvoices:\n  enabled: false\npayments:\n  enabled: false\n")
    dag_run = run_dag(dagbag, DAG_ID)
    assert dag_run.state == "success", task_states(dag_run)
    assert xcom_return(dag_run, "reconcile")["payments"] is None


def test_with_only_customers_and_invoices_synced_a_payments_flow_left_on_reports_the_payments_missing(
        dagbag, connections, settle_minutes):
    """The settings say the payments flow is on: until it has run, NetSuite lacks every payment (and shows
    the invoices open), and the report says so, naming that flow."""
    settle_minutes(0)
    for flow_dag in FLOW_DAGS[:2]:
        assert run_dag(dagbag, flow_dag).state == "success"
    summary = xcom_return(run_dag(dagbag, DAG_ID), "reconcile")
    assert not summary["ok"] and summary["payments"]["netsuite"] == 0 < summary["payments"]["stripe"]
    missing = [p for p in summary["problems"] if ": missing in NetSuite" in p]
    assert len(missing) == summary["payments"]["stripe"] and all(PAYMENTS in p for p in missing)


@pytest.fixture
def payments_scenario(monkeypatch, netsuite):
    """The Stripe sandbox's payments scenario: cards in three currencies, split payments, ACH settled, pending and
    failed, a declined card, an invoice paid outside Stripe, a standalone and a guest payment."""
    sandbox = start_sandbox(stripe_sandbox_cmd("--scenario", "payments", "--seed", "7"))
    monkeypatch.setenv("AIRFLOW_CONN_STRIPE_DEFAULT", stripe_conn(sandbox.url))
    monkeypatch.setenv("AIRFLOW_CONN_NETSUITE_DEFAULT", netsuite_conn(netsuite.url))
    yield sandbox
    sandbox.stop()


def netsuite_payments() -> dict[str, dict]:
    from stripe_netsuite.hooks.netsuite import NetSuiteHook

    rows = NetSuiteHook().suiteql("SELECT t.id, t.externalid, t.foreigntotal, t.memo, cur.symbol AS currency FROM "
                                  "transaction t JOIN currency cur ON cur.id = t.currency WHERE t.type = 'CustPymt'")
    return {row["externalid"]: row for row in rows}


def report_lines() -> list[str]:
    from stripe_netsuite.hooks.netsuite import NetSuiteHook
    from stripe_netsuite.hooks.stripe import StripeHook
    from stripe_netsuite.reconcile.report import build_report
    from stripe_netsuite.settings import load_settings

    return build_report(StripeHook(), NetSuiteHook(), load_settings()).lines()


def test_payments_reconcile_and_a_payment_deleted_or_edited_in_netsuite_turns_the_check_red(
        dagbag, payments_scenario, settle_minutes):
    from stripe_netsuite.hooks.netsuite import NetSuiteHook

    settle_minutes(0)
    for flow_dag in FLOW_DAGS:
        assert run_dag(dagbag, flow_dag).state == "success"
    dag_run = run_dag(dagbag, DAG_ID)
    assert dag_run.state == "success", (task_states(dag_run), xcom_return(dag_run, "reconcile"))
    summary = xcom_return(dag_run, "reconcile")
    assert summary["ok"] and summary["problem_count"] == 0
    assert summary["payments"] == {"stripe": 18, "netsuite": 18, "matched": 18, "failed_debits": 1,
                                   "refunds_matched": 1, "could_not_apply": 0}  # 19 charges: one declined
    assert summary["invoices"]["matched"] == summary["invoices"]["stripe"] == 15
    assert summary["invoices"]["paid_outside_stripe"] == 1

    lines = report_lines()
    assert lines[lines.index(next(x for x in lines if x.startswith("payments: "))):][:4] == [
        "payments: Stripe 18 that moved money, NetSuite 18, matched 18; failed debits 1, refunds matched 1 - OK",
        "  EUR paid: Stripe 349.00 EUR, NetSuite 349.00 EUR",
        "  JPY paid: Stripe 23000 JPY, NetSuite 23000 JPY",
        "  USD paid: Stripe 2680.00 USD, NetSuite 2680.00 USD",  # the failed ACH debit and its refund net to 0
    ]
    assert "  USD for information: 640.00 USD paid by bank debits Stripe has not settled yet: applied in NetSuite, " \
           "open in Stripe until they settle (not a difference)" in lines
    (outside,) = [x for x in lines if x.endswith(": paid outside Stripe: record the payment in NetSuite")]

    payments = netsuite_payments()
    card = sorted(x for x, r in payments.items()
                  if x.startswith("ch_") and r["currency"] == "USD" and " for invoice in_" in r.get("memo", ""))
    deleted, edited = card[0], card[1]
    hook = NetSuiteHook()
    hook.rest.request("DELETE", f"/record/v1/customerPayment/{payments[deleted]['id']}").raise_for_status()
    more = f"{float(payments[edited]['foreigntotal']) + 10:.2f}"  # paid more than Stripe took: 10.00 unapplied
    hook.rest.request("PATCH", f"/record/v1/customerPayment/{payments[edited]['id']}",
                      json={"payment": more}).raise_for_status()

    dag_run = run_dag(dagbag, DAG_ID)
    assert task_states(dag_run) == {"reconcile": "success", "check_report": "failed"}
    problems = xcom_return(dag_run, "reconcile")["problems"]
    named = {p.split(": ", 1)[0]: p for p in problems}
    assert named[deleted].startswith(f"{deleted}: missing in NetSuite (Stripe ")
    assert named[edited].startswith(f"{edited}: amount Stripe ") and f"NetSuite {more} " in named[edited]
    for charge_id in (deleted, edited):
        assert f"-> fix: trigger {PAYMENTS} with stripe_ids [{charge_id}] and force_rewrite on" in named[charge_id]
    # the invoice the deleted payment paid is open again in NetSuite: its line names that payment too
    reopened = [p for p in problems if p.startswith("in_")]
    assert len(reopened) == 1 and "-> check NetSuite for a payment or credit applied to it by hand" in reopened[0]
    assert f"trigger {PAYMENTS} with stripe_ids [" in reopened[0] and deleted in reopened[0]
    assert outside.split(":")[0] not in named  # still finance's, not a difference

    fix = run_dag(dagbag, PAYMENTS, {"stripe_ids": [deleted, edited], "force_rewrite": True})
    assert fix.state == "success", xcom_return(fix, "sync")
    dag_run = run_dag(dagbag, DAG_ID)
    assert dag_run.state == "success", xcom_return(dag_run, "reconcile")["problems"]
