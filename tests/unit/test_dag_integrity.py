"""Every DAG imports cleanly, is configured as operations expect, and does no I/O at parse time."""

import socket
from pathlib import Path

import pytest

DAGS = Path(__file__).resolve().parents[2] / "dags"
FLOW_DAGS = {"stripe_customers_to_netsuite", "stripe_invoices_to_netsuite", "stripe_payments_to_netsuite",
             "stripe_refunds_disputes_to_netsuite", "stripe_payouts_to_netsuite"}
RECONCILIATION = "stripe_netsuite_reconciliation"
EXPECTED = FLOW_DAGS | {RECONCILIATION}


@pytest.fixture(scope="module")
def parsed(tmp_path_factory):
    """Parse the dags folder with network, Variables and Connections forbidden."""
    from airflow.dag_processing.dagbag import DagBag
    from airflow.sdk import BaseHook, Variable

    def forbidden(*args, **kwargs):
        raise AssertionError("top-level I/O while parsing a DAG file")

    mp = pytest.MonkeyPatch()
    mp.setattr(socket.socket, "connect", forbidden)
    mp.setattr(Variable, "get", forbidden)
    mp.setattr(BaseHook, "get_connection", forbidden)
    try:
        bag = DagBag(dag_folder=str(DAGS))
    finally:
        mp.undo()
    return bag


def test_no_import_errors(parsed):
    assert parsed.import_errors == {}
    assert EXPECTED <= set(parsed.dags)


@pytest.mark.parametrize("dag_id", sorted(FLOW_DAGS))
def test_operational_settings(parsed, dag_id):
    dag = parsed.dags[dag_id]
    assert dag.tags and "stripe" in dag.tags
    assert dag.schedule not in (None, "@once") and "Cron" in type(dag.timetable).__name__
    assert dag.max_active_runs == 1, "cursor DAGs must not race on their cursor"
    assert dag.catchup is False
    assert set(dag.params.keys()) >= {"start", "end"}
    for task in dag.tasks:
        assert task.owner not in ("", "airflow"), f"{task.task_id} has no owner"
    sync = dag.get_task("sync")
    assert sync.retries >= 1
    assert sync.pool == "netsuite_api"


def test_reconciliation_dag_settings(parsed):
    dag = parsed.dags[RECONCILIATION]
    assert "Cron" in type(dag.timetable).__name__ and dag.max_active_runs == 1 and dag.catchup is False
    assert [t.task_id for t in dag.topological_sort()] == ["reconcile", "check_report"]
    assert dag.get_task("reconcile").pool == "netsuite_api" and dag.get_task("check_report").retries == 0
    assert all(task.owner not in ("", "airflow") for task in dag.tasks)


def test_pools_used_by_dags_are_declared(parsed):
    from stripe_netsuite.dag_defaults import POOLS

    used = {t.pool for d in parsed.dags.values() for t in d.tasks if t.pool != "default_pool"}
    assert used <= set(POOLS)


def test_dag_files_only_wire():
    """No function or class definitions in DAG files: business logic lives in plugins/."""
    import ast

    for path in DAGS.glob("*.py"):
        tree = ast.parse(path.read_text())
        defs = [n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef))]
        assert defs == [], f"{path.name} defines {defs}"


def test_bad_settings_keep_every_dag_listed_with_the_error_in_its_docs(monkeypatch, tmp_path):
    from airflow.dag_processing.dagbag import DagBag

    bad = tmp_path / "settings.yaml"
    bad.write_text("customers:\n  on_delete: delete\n")
    monkeypatch.setenv("STRIPE_NETSUITE_SETTINGS", str(bad))
    bag = DagBag(dag_folder=str(DAGS))
    assert bag.import_errors == {}
    assert EXPECTED <= set(bag.dags)
    for dag_id in EXPECTED:
        dag = bag.dags[dag_id]
        assert dag.doc_md.startswith("## ⚠ The settings file has an error")
        assert "customers.on_delete: Input should be 'ignore' or 'inactivate' (got 'delete')" in dag.doc_md
        assert dag.description.startswith("SETTINGS ERROR")


def test_every_dag_has_finance_docs(parsed):
    for dag_id in FLOW_DAGS:
        doc = parsed.dags[dag_id].doc_md
        for heading in ("How to backfill", "What red means", "How to retry"):
            assert f"### {heading}" in doc, f"{dag_id} docs lack '{heading}'"
        assert "Wiring only" not in doc and "plugins/" not in doc
    doc = parsed.dags[RECONCILIATION].doc_md
    assert "### What red means" in doc and "### How to retry" in doc and "plugins/" not in doc


def test_run_params_are_dates_and_repair_options(parsed):
    for dag_id in FLOW_DAGS:
        params = parsed.dags[dag_id].params
        for name in ("start", "end"):
            schema = params.get_param(name).schema
            assert schema["format"] == "date" and schema["type"] == ["null", "string"]
        assert params.get_param("stripe_ids").schema["type"] == ["null", "array"]
        assert params["force_rewrite"] is False


def test_flow_schedules_have_hourly_data_intervals(parsed):
    """An Airflow backfill run must know which hour it stands for: a zero-length interval would list nothing."""
    import pendulum
    from airflow.serialization.encoders import coerce_to_core_timetable

    for dag_id in FLOW_DAGS:
        timetable = coerce_to_core_timetable(parsed.dags[dag_id].timetable)  # as the scheduler sees it
        interval = timetable.infer_manual_data_interval(run_after=pendulum.datetime(2026, 11, 18, 10, 30, tz="UTC"))
        assert (interval.start, interval.end) == (pendulum.datetime(2026, 11, 18, 9, tz="UTC"),
                                                  pendulum.datetime(2026, 11, 18, 10, tz="UTC"))


def test_airflow_plugin_loader_leaves_the_package_alone():
    """Airflow's plugin loader must not exec our modules as top-level names (e.g. 'stripe')."""
    import sys

    import stripe as stripe_sdk
    from airflow._shared.plugins_manager.plugins_manager import _load_plugins_from_plugin_directory

    plugins_dir = str(Path(__file__).resolve().parents[2] / "plugins")
    _, errors = _load_plugins_from_plugin_directory(plugins_dir)
    assert errors == {}
    assert sys.modules["stripe"] is stripe_sdk and hasattr(sys.modules["stripe"], "StripeClient")
    assert not any(m in sys.modules and getattr(sys.modules[m], "__file__", "") and "plugins/stripe_netsuite" in sys.modules[m].__file__
                   for m in ("netsuite", "customers", "engine", "records"))
