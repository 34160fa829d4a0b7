"""Runs that do not end as planned: a sync SIGKILLed mid-load, then re-run; two backfills over overlapping
windows at once. The DAG runs in its own process through Airflow's CLI (``airflow dags test``, as
``./dev.sh demo`` runs it), so it can be killed or doubled; the NetSuite sandbox answers slowly so the
kill lands mid-load and the backfills overlap in time. Each ends with the ledger as one clean sync of
the same Stripe state leaves it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from stripe_netsuite.sync.cursor import cursor_key
from stripe_netsuite.sync.retry_queue import retry_queue_key
from tests.fixtures.airflow import db_variable
from tests.fixtures.sandboxes import netsuite_conn, netsuite_sandbox_cmd, start_sandbox
from tests.flows.helpers import run_dag, stripe_client, task_states
from tests.reliability.ledger import assert_ledger_clean

pytestmark = pytest.mark.usefixtures("airflow_db", "clean_variables")
CUSTOMERS, INVOICES = "stripe_customers_to_netsuite", "stripe_invoices_to_netsuite"
AIRFLOW = str(Path(sys.executable).parent / "airflow")


@pytest.fixture
def slow_netsuite(monkeypatch, stripe_demo, tmp_path):
    """A NetSuite sandbox; ``restart(latency_ms)`` serves the same database again, answering every request
    that much later (the connection follows it)."""
    from tests.fixtures.sandboxes import stripe_conn

    monkeypatch.setenv("AIRFLOW_CONN_STRIPE_DEFAULT", stripe_conn(stripe_demo.url))
    db = tmp_path / "netsuite.db"
    running = []

    def restart(latency_ms: int):
        if running:
            running.pop().stop()
        sandbox = start_sandbox(netsuite_sandbox_cmd(db, "--latency-ms", str(latency_ms)))
        monkeypatch.setenv("AIRFLOW_CONN_NETSUITE_DEFAULT", netsuite_conn(sandbox.url))
        running.append(sandbox)
        return sandbox

    restart(0)
    yield restart
    if running:
        running.pop().stop()


def airflow_dags_test(dag_id: str, conf: dict | None = None, logical_date: dt.datetime | None = None) -> subprocess.Popen:
    """``airflow dags test`` in its own process group, with this test's Airflow home and connections."""
    args = [AIRFLOW, "dags", "test", dag_id]
    if logical_date is not None:
        args.append(logical_date.isoformat())
    if conf is not None:
        args += ["-c", json.dumps(conf)]
    return subprocess.Popen(args, env=dict(os.environ), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)


def netsuite_invoice_count() -> int:
    from stripe_netsuite.hooks.netsuite import NetSuiteHook

    return len(list(NetSuiteHook().suiteql("SELECT id FROM transaction WHERE recordtype = 'invoice'")))


def test_a_sync_killed_mid_load_then_rerun_loads_everything_once(dagbag, slow_netsuite, stripe_demo, tmp_path):
    finalized = [i for i in stripe_client(stripe_demo.url).v1.invoices.list(params={"limit": 100}).auto_paging_iter()
                 if i.status != "draft"]
    assert run_dag(dagbag, CUSTOMERS).state == "success"
    slow_netsuite(100)

    process = airflow_dags_test(INVOICES)
    deadline = time.monotonic() + 120
    while netsuite_invoice_count() < 3:  # some invoices are in NetSuite, more are on their way
        assert process.poll() is None, process.stdout.read()[-3000:]
        assert time.monotonic() < deadline, "the sync never reached the load"
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)
    assert process.wait(timeout=30) == -signal.SIGKILL
    loaded_when_killed = netsuite_invoice_count()
    assert 3 <= loaded_when_killed < len(finalized)
    assert db_variable(cursor_key("invoices")) is None  # the cursor only moves after a whole load

    slow_netsuite(0)
    dag_run = run_dag(dagbag, INVOICES)  # the user re-runs (or the next scheduled run comes)
    assert dag_run.state == "success", task_states(dag_run)
    assert netsuite_invoice_count() == len(finalized)
    assert db_variable(retry_queue_key("invoices"), []) == []
    assert_ledger_clean(dagbag, tmp_path)


def test_two_backfills_over_overlapping_windows_at_once_load_everything_once(dagbag, slow_netsuite, stripe_demo,
                                                                             tmp_path):
    from airflow.models.dagrun import DagRun
    from airflow.models.taskinstance import TaskInstance
    from airflow.utils.session import create_session

    invoices = [i for i in stripe_client(stripe_demo.url).v1.invoices.list(params={"limit": 100}).auto_paging_iter()
                if i.status != "draft"]
    days = sorted({dt.datetime.fromtimestamp(i.created, dt.timezone.utc).date() for i in invoices})
    middle = days[len(days) // 2]
    first = {"start": days[0].isoformat(), "end": (middle + dt.timedelta(days=1)).isoformat()}
    second = {"start": middle.isoformat(), "end": (days[-1] + dt.timedelta(days=1)).isoformat()}
    assert run_dag(dagbag, CUSTOMERS).state == "success"
    slow_netsuite(50)
    # The customers and items both windows need are created by whichever backfill comes first.
    stamp = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    processes = [airflow_dags_test(INVOICES, conf, stamp - dt.timedelta(hours=n))
                 for n, conf in enumerate((first, second), 1)]
    outputs = [process.communicate(timeout=300)[0] for process in processes]
    assert [process.returncode for process in processes] == [0, 0], [out[-3000:] for out in outputs]
    with create_session() as session:
        runs = session.query(DagRun).filter(DagRun.dag_id == INVOICES,
                                            DagRun.logical_date.in_([stamp - dt.timedelta(hours=n) for n in (1, 2)]))
        runs = runs.all()
        assert sorted(str(run.state) for run in runs) == ["success", "success"], outputs[0][-3000:]
        one, two = (session.query(TaskInstance).filter_by(dag_id=INVOICES, run_id=run.run_id, task_id="sync").one()
                    for run in runs)
        assert one.start_date < two.end_date and two.start_date < one.end_date  # the two syncs did run at once
    assert netsuite_invoice_count() == len(invoices)
    assert db_variable(cursor_key("invoices")) is None  # backfills never move the cursor

    slow_netsuite(0)
    dag_run = run_dag(dagbag, INVOICES)  # the next scheduled run: everything is already there
    assert dag_run.state == "success", task_states(dag_run)
    assert_ledger_clean(dagbag, tmp_path)
