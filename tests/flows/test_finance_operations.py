"""What finance ops do from the Airflow UI, through the real task runner (dag.test) and the sandboxes.

Airflow's own backfill (its runs list their data interval), clearing the red check task after a
fix, a mistyped date, a wrong settings file, and repairing a record edited by hand in NetSuite.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pendulum
import pytest

from stripe_netsuite.sync.cursor import cursor_key
from stripe_netsuite.sync.retry_queue import retry_queue_key
from tests.fixtures.airflow import db_variable, set_db_variable
from tests.flows.helpers import NO_PARAMS, netsuite_customers, run_dag, stripe_client, task_states, xcom_return

CUSTOMERS = "stripe_customers_to_netsuite"
INVOICES = "stripe_invoices_to_netsuite"
pytestmark = pytest.mark.usefixtures("airflow_db", "clean_variables")


def live_customers(client):
    return [c.to_dict() for c in client.v1.customers.list(params={"limit": 100}).auto_paging_iter()]


def run_as_airflow_backfill(dagbag, dag_id: str, hour: pendulum.DateTime, monkeypatch):
    """One run exactly as Airflow's backfill makes it: run type ``backfill``, logical date = the start of
    its hour, data interval [hour, hour + 1h) (CronDataIntervalTimetable). dag.test() would make a manual
    run; only the run's creation is swapped, the task runner and its context are Airflow's own."""
    import airflow.models.dagrun as dagrun_module
    from airflow.utils.types import DagRunType

    def create_backfill_run(*, dag, run_id, logical_date, data_interval, run_after, conf, triggered_by,
                            triggering_user_name, start_date, session):
        existing = session.scalar(dagrun_module.select(dagrun_module.DagRun).where(
            dagrun_module.DagRun.dag_id == dag.dag_id, dagrun_module.DagRun.logical_date == logical_date))
        if existing:
            session.delete(existing)
            session.commit()
        return dag.create_dagrun(
            run_id=f"backfill__{logical_date.isoformat()}", logical_date=logical_date,
            data_interval=(logical_date, logical_date + dt.timedelta(hours=1)), run_after=run_after, conf=conf,
            run_type=DagRunType.BACKFILL_JOB, state="running", triggered_by=triggered_by,
            triggering_user_name=triggering_user_name, start_date=start_date, session=session,
        )

    monkeypatch.setattr(dagrun_module, "get_or_create_dagrun", create_backfill_run)
    dag = dagbag.dags[dag_id]
    return dag.test(logical_date=hour, run_conf=dict(NO_PARAMS))


def test_airflow_backfill_run_loads_its_data_interval_and_leaves_the_cursor(dagbag, connections, monkeypatch):
    stripe_sb, _ = connections
    client = stripe_client(stripe_sb.url)
    customers = live_customers(client)
    newest = max(customers, key=lambda c: c["created"])
    hour = pendulum.from_timestamp(newest["created"], tz="UTC").start_of("hour")
    expected = {c["id"] for c in customers if hour.int_timestamp <= c["created"] < hour.int_timestamp + 3600}
    assert 0 < len(expected) < len(customers), "the test needs customers inside and outside the hour"

    dag_run = run_as_airflow_backfill(dagbag, CUSTOMERS, hour, monkeypatch)
    assert dag_run.run_type == "backfill" and dag_run.state == "success", task_states(dag_run)
    summary = xcom_return(dag_run, "sync")
    assert summary["mode"] == "backfill" and summary["seen"] == len(expected)
    assert set(netsuite_customers()) == expected
    assert db_variable(cursor_key("customers")) is None


def test_params_win_in_a_manual_run_and_a_backfill_run_logs_its_window(dagbag, connections, capsys):
    stripe_sb, _ = connections
    client = stripe_client(stripe_sb.url)
    customers = live_customers(client)
    day = dt.datetime.fromtimestamp(max(c["created"] for c in customers), dt.timezone.utc).date()
    dag_run = run_dag(dagbag, CUSTOMERS, {"start": day.isoformat(), "end": (day + dt.timedelta(days=1)).isoformat()})
    assert dag_run.state == "success"
    assert (f"Backfill (params start/end): Stripe objects created from {day.isoformat()} 00:00 UTC up to "
            f"{(day + dt.timedelta(days=1)).isoformat()} 00:00 UTC (not included); the cursor stays where it is"
            in capsys.readouterr().out)


def test_a_mistyped_date_fails_at_once_without_retries_naming_the_param(dagbag, connections):
    from airflow.sdk.definitions.param import ParamValidationError

    with pytest.raises(ParamValidationError, match="start"):  # refused before the run is created
        run_dag(dagbag, CUSTOMERS, {"start": "18/11/2026"})

    from stripe_netsuite.operators.sync import StripeToNetSuiteOperator
    from airflow.sdk.exceptions import AirflowFailException

    operator = StripeToNetSuiteOperator(task_id="sync", flow="customers", start="18/11/2026")
    with pytest.raises(AirflowFailException, match=r"Param 'start' is '18/11/2026'.*YYYY-MM-DD"):
        operator.execute({"params": dict(NO_PARAMS)})  # a value that bypassed the form: no retry either


def test_a_settings_error_fails_the_task_at_once_naming_the_key(dagbag, connections, monkeypatch, tmp_path):
    bad = tmp_path / "settings.yaml"
    bad.write_text("customers:\n  on_delete: delete\n")
    monkeypatch.setenv("STRIPE_NETSUITE_SETTINGS", str(bad))
    started = pendulum.now()
    dag_run = run_dag(dagbag, CUSTOMERS)
    assert task_states(dag_run) == {"sync": "failed", "commit_cursor": "upstream_failed",
                                    "check_failed_records": "upstream_failed"}
    (sync,) = [ti for ti in dag_run.get_task_instances() if ti.task_id == "sync"]
    assert sync.try_number == 1 and (pendulum.now() - started).in_seconds() < 60  # failed, not up for retry
    assert netsuite_customers() == {}


class DbVariables:
    """The Variables as a task sees them, for an operator executed directly by the test (outside a task the
    Task SDK's Variable does not read the metadata DB)."""

    def get(self, key):
        return db_variable(key)

    def set(self, key, value, description=""):
        set_db_variable(key, value)


def poison_invoice(client):
    from tests.flows.helpers import open_invoice

    customer = client.v1.customers.create(params={"name": "Sydney Surf Pty Ltd", "email": "ap@surf.example"})
    return open_invoice(client, customer.id, "aud", 8800)


def enable_currency(symbol: str) -> None:
    import requests

    from stripe_netsuite.hooks.netsuite import NetSuiteHook

    hook = NetSuiteHook()
    currency = next(r["id"] for r in hook.suiteql("SELECT id, symbol FROM currency") if r["symbol"] == symbol)
    requests.post(f"{hook.base_url}/_sandbox/reference/currency/{currency}", json={"isInactive": False},
                  timeout=10).raise_for_status()


def check_task(dag_run, try_number: int):
    """The run's check_failed_records as the UI's Clear re-runs it: same run, its sync's XCom, a later try."""
    from stripe_netsuite.operators.sync import FailedRecordsCheckOperator

    operator = FailedRecordsCheckOperator(task_id="check_failed_records", flow="invoices",
                                          summary=xcom_return(dag_run, "sync"))
    context = {"run_id": dag_run.run_id, "params": dict(NO_PARAMS), "ti": SimpleNamespace(try_number=try_number)}
    return lambda: operator.execute(context)


def test_clearing_the_red_check_after_the_fix_turns_it_green(dagbag, connections, monkeypatch, capsys):
    from airflow.sdk.exceptions import AirflowFailException

    monkeypatch.setattr("stripe_netsuite.operators.sync.VariableStore", DbVariables)
    stripe_sb, _ = connections
    poison = poison_invoice(stripe_client(stripe_sb.url))
    dag_run = run_dag(dagbag, INVOICES)
    assert task_states(dag_run)["check_failed_records"] == "failed"

    capsys.readouterr()
    with pytest.raises(AirflowFailException, match=poison):
        check_task(dag_run, try_number=2)()  # cleared before the fix: tried again, still refused
    (error,) = [line for line in capsys.readouterr().out.splitlines() if "[error" in line]
    assert f"] {poison} [" in error and "AUD" in error  # one ERROR line per record: ID, code, message, remedy
    assert "clear the red check_failed_records task" in error
    assert db_variable(retry_queue_key("invoices"))[0]["attempts"] == 2

    enable_currency("AUD")  # the fix, as a NetSuite admin makes it
    check_task(dag_run, try_number=3)()  # cleared after the fix: green
    assert db_variable(retry_queue_key("invoices")) == []
    from stripe_netsuite.hooks.netsuite import NetSuiteHook

    assert NetSuiteHook().rows_by_external_id("transaction", [poison], [])


def test_the_check_judges_the_live_queue_not_the_old_summary(dagbag, connections, monkeypatch):
    monkeypatch.setattr("stripe_netsuite.operators.sync.VariableStore", DbVariables)
    stripe_sb, _ = connections
    poison_invoice(stripe_client(stripe_sb.url))
    failed_run = run_dag(dagbag, INVOICES)
    assert failed_run.state == "failed"
    enable_currency("AUD")
    assert run_dag(dagbag, INVOICES).state == "success"  # a later run loaded it
    check_task(failed_run, try_number=1)()  # the old run's check, re-run: nothing of it is still queued


def test_clearing_sync_retries_the_queued_records(dagbag, connections):
    stripe_sb, _ = connections
    poison = poison_invoice(stripe_client(stripe_sb.url))
    assert run_dag(dagbag, INVOICES).state == "failed"
    enable_currency("AUD")
    dag_run = run_dag(dagbag, INVOICES)  # clearing sync re-runs it (and what follows) in the same way
    summary = xcom_return(dag_run, "sync")
    assert dag_run.state == "success" and poison in summary["id_map"] and summary["failed"] == []


def test_force_rewrite_repairs_a_hand_edit_by_stripe_id(dagbag, connections):
    from stripe_netsuite.hooks.netsuite import NetSuiteHook

    stripe_sb, _ = connections
    client = stripe_client(stripe_sb.url)
    assert run_dag(dagbag, CUSTOMERS).state == "success"
    target, other = [c for c in live_customers(client) if c.get("email")][:2]
    rows = netsuite_customers()
    for customer in (target, other):  # two finance clerks "fix" the emails by hand in NetSuite
        NetSuiteHook().rest.request("PATCH", f"/record/v1/customer/{rows[customer['id']]['id']}",
                                    json={"email": "typo@hand.edit"}).raise_for_status()

    dag_run = run_dag(dagbag, CUSTOMERS, {"start": "2000-01-01", "end": "2100-01-01"})
    assert xcom_return(dag_run, "sync")["updated"] == 0  # the fingerprint says unchanged: not repaired

    dag_run = run_dag(dagbag, CUSTOMERS, {"stripe_ids": [target["id"]], "force_rewrite": True})
    assert dag_run.state == "success", task_states(dag_run)
    summary = xcom_return(dag_run, "sync")
    assert (summary["mode"], summary["seen"], summary["updated"]) == ("ids", 1, 1)
    after = netsuite_customers()
    assert after[target["id"]]["email"] == target["email"] and after[target["id"]]["id"] == rows[target["id"]]["id"]
    assert after[other["id"]]["email"] == "typo@hand.edit"  # only the chosen record

    cursor = db_variable(cursor_key("customers"))
    dag_run = run_dag(dagbag, CUSTOMERS, {"start": "2000-01-01", "end": "2100-01-01", "force_rewrite": True})
    assert xcom_return(dag_run, "sync")["updated"] == len(live_customers(client))  # by window: all rewritten
    assert netsuite_customers()[other["id"]]["email"] == other["email"]
    assert db_variable(cursor_key("customers")) == cursor and len(netsuite_customers()) == len(after)


def test_stripe_ids_and_dates_together_are_refused(dagbag, connections):
    dag_run = run_dag(dagbag, CUSTOMERS, {"stripe_ids": ["cus_1"], "start": "2026-01-01"})
    assert task_states(dag_run)["sync"] == "failed"
    assert netsuite_customers() == {}


def test_a_sync_log_has_no_masking_warning_and_counts_in_named_units(dagbag, connections, capsys, caplog):
    from airflow.sdk._shared.secrets_masker.secrets_masker import SecretsMasker

    SecretsMasker._has_warned_short_secret = False  # it warns once per process: make this run count
    with caplog.at_level("INFO"):
        dag_run = run_dag(dagbag, CUSTOMERS)
    out = capsys.readouterr().out + caplog.text
    assert dag_run.state == "success"
    assert "Skipping masking" not in out
    assert "customers initial run: Stripe objects: 11 read, 0 failed" in out
    assert "NetSuite records: 11 created, 0 updated, 0 already up to date" in out


def test_a_hand_edit_the_report_names_is_repaired_by_following_its_line(dagbag, connections, monkeypatch, tmp_path):
    """Red report -> do what its line says (trigger the named DAG with the named ID, force_rewrite) -> clear
    check_report -> green."""
    import re

    from airflow.sdk.exceptions import AirflowException

    from stripe_netsuite.hooks.netsuite import NetSuiteHook
    from stripe_netsuite.operators.reconcile import ReconciliationCheckOperator

    settings = tmp_path / "settings.yaml"
    # the flows this case runs; the others are switched off, so the report compares only what they wrote
    settings.write_text("reconciliation:\n  settle_minutes: 0\nrefunds:\n  enabled: false\npayouts:\n  enabled: false\n")
    monkeypatch.setenv("STRIPE_NETSUITE_SETTINGS", str(settings))
    for dag_id in (CUSTOMERS, INVOICES, "stripe_payments_to_netsuite"):
        assert run_dag(dagbag, dag_id).state == "success"
    target = next(c for c in live_customers(stripe_client(connections[0].url)) if c.get("email"))
    internal_id = netsuite_customers()[target["id"]]["id"]
    NetSuiteHook().rest.request("PATCH", f"/record/v1/customer/{internal_id}",
                                json={"email": "typo@hand.edit"}).raise_for_status()

    dag_run = run_dag(dagbag, "stripe_netsuite_reconciliation")
    assert task_states(dag_run)["check_report"] == "failed"
    (line,) = xcom_return(dag_run, "reconcile")["problems"]
    fix = re.search(r"-> fix: trigger (\w+) with stripe_ids \[(\w+)\] and force_rewrite on", line)
    assert fix and fix.groups() == (CUSTOMERS, target["id"]), line

    assert run_dag(dagbag, fix[1], {"stripe_ids": [fix[2]], "force_rewrite": True}).state == "success"
    check = ReconciliationCheckOperator(task_id="check_report", summary=xcom_return(dag_run, "reconcile"))
    with pytest.raises(AirflowException):
        check.execute({"ti": SimpleNamespace(try_number=1)})  # not cleared: the old summary stands
    check.execute({"ti": SimpleNamespace(try_number=2)})  # cleared after the fix: compares again, green


def test_a_mistyped_stripe_id_fails_at_once_and_is_not_queued_for_ever(dagbag, connections, capsys):
    dag_run = run_dag(dagbag, CUSTOMERS, {"stripe_ids": ["cus_doesnotexist"], "force_rewrite": True})
    sync_ti = next(ti for ti in dag_run.get_task_instances() if ti.task_id == "sync")
    assert (sync_ti.state, sync_ti.try_number) == ("failed", 1)
    assert "Stripe has no customer cus_doesnotexist: check the IDs given in 'Only these Stripe IDs'" in \
        capsys.readouterr().out
    assert db_variable(retry_queue_key("customers")) is None and netsuite_customers() == {}
