"""The customers DAG end to end with dag.test(), against the two sandboxes as separate processes."""

from __future__ import annotations

import pytest

from stripe_netsuite.reconcile.customers import reconcile_customers
from stripe_netsuite.sync.cursor import cursor_key
from stripe_netsuite.sync.retry_queue import retry_queue_key
from tests.fixtures.airflow import db_variable
from tests.flows.helpers import netsuite_customers, run_dag, stripe_client, task_states, xcom_return

DAG_ID = "stripe_customers_to_netsuite"
pytestmark = pytest.mark.usefixtures("airflow_db", "clean_variables")


def live_customers(client):
    return [c.to_dict() for c in client.v1.customers.list(params={"limit": 100}).auto_paging_iter()]


def deleted_ids(client):
    events = client.v1.events.list(params={"type": "customer.deleted", "limit": 100}).auto_paging_iter()
    return [e.data.object.id for e in events]


def test_first_run_creates_every_customer_once(dagbag, connections):
    stripe_sb, _ = connections
    client = stripe_client(stripe_sb.url)
    dag_run = run_dag(dagbag, DAG_ID)
    assert dag_run.state == "success", task_states(dag_run)

    customers = live_customers(client)
    assert len(customers) >= 10
    rows = netsuite_customers()
    report = reconcile_customers(customers, rows.values(), deleted_in_stripe=deleted_ids(client))
    assert report.ok, report.lines()
    assert report.matched == len(customers)

    summary = xcom_return(dag_run, "sync")
    assert summary["mode"] == "initial" and summary["created"] == len(customers) and summary["failed"] == []
    assert summary["id_map"] == {c["id"]: rows[c["id"]]["id"] for c in customers}
    newest = client.v1.events.list(params={"limit": 1}).data[0]
    assert db_variable(cursor_key("customers")) == {"event_id": newest.id, "created": newest.created}
    persons = [r for r in rows.values() if r.get("isperson") == "T"]
    assert persons and all(r.get("firstname") and r.get("lastname") for r in persons)


def test_second_run_creates_and_changes_nothing(dagbag, connections):
    assert run_dag(dagbag, DAG_ID).state == "success"
    before = netsuite_customers()
    cursor = db_variable(cursor_key("customers"))

    dag_run = run_dag(dagbag, DAG_ID)
    assert dag_run.state == "success"
    summary = xcom_return(dag_run, "sync")
    assert (summary["mode"], summary["created"], summary["updated"]) == ("incremental", 0, 0)
    assert netsuite_customers() == before  # same rows, same lastmodifieddate
    assert db_variable(cursor_key("customers")) == cursor


def test_customer_updated_in_stripe_is_updated_in_netsuite(dagbag, connections):
    stripe_sb, _ = connections
    client = stripe_client(stripe_sb.url)
    assert run_dag(dagbag, DAG_ID).state == "success"
    target = live_customers(client)[0]
    before = netsuite_customers()

    client.v1.customers.update(target["id"], params={"email": "new-billing@example.test", "name": "Renamed Holdings Ltd"})
    dag_run = run_dag(dagbag, DAG_ID)
    assert dag_run.state == "success"
    summary = xcom_return(dag_run, "sync")
    assert (summary["created"], summary["updated"]) == (0, 1)

    after = netsuite_customers()
    assert after[target["id"]]["id"] == before[target["id"]]["id"]
    assert after[target["id"]]["email"] == "new-billing@example.test"
    assert after[target["id"]].get("companyname") == "Renamed Holdings Ltd" or after[target["id"]].get("isperson") == "T"
    others = {k: v for k, v in after.items() if k != target["id"]}
    assert others == {k: v for k, v in before.items() if k != target["id"]}
    newest = client.v1.events.list(params={"limit": 1}).data[0]
    assert db_variable(cursor_key("customers"))["event_id"] == newest.id


def test_backfill_leaves_the_cursor_alone(dagbag, connections):
    stripe_sb, _ = connections
    client = stripe_client(stripe_sb.url)
    assert run_dag(dagbag, DAG_ID).state == "success"
    cursor = db_variable(cursor_key("customers"))
    new = client.v1.customers.create(params={"name": "Backfilled GmbH", "email": "ap@backfilled.test"})

    dag_run = run_dag(dagbag, DAG_ID, {"start": "2000-01-01", "end": "2100-01-01"})
    assert dag_run.state == "success", task_states(dag_run)
    summary = xcom_return(dag_run, "sync")
    assert summary["mode"] == "backfill" and summary["created"] == 1
    assert summary["unchanged"] == len(live_customers(client)) - 1
    assert new.id in netsuite_customers()
    assert db_variable(cursor_key("customers")) == cursor

    dag_run = run_dag(dagbag, DAG_ID)  # the incremental run sees the event, finds nothing to change
    summary = xcom_return(dag_run, "sync")
    assert (summary["created"], summary["updated"], summary["unchanged"]) == (0, 0, 1)


def test_backfill_window_selects_by_created(dagbag, connections):
    stripe_sb, _ = connections
    client = stripe_client(stripe_sb.url)
    customers = sorted(live_customers(client), key=lambda c: c["created"])
    import datetime as dt

    day = dt.datetime.fromtimestamp(customers[-1]["created"], dt.timezone.utc).date()
    dag_run = run_dag(dagbag, DAG_ID, {"start": day.isoformat(), "end": (day + dt.timedelta(days=1)).isoformat()})
    assert dag_run.state == "success"
    start = int(dt.datetime.combine(day, dt.time(), dt.timezone.utc).timestamp())
    expected = {c["id"] for c in customers if start <= c["created"] < start + 86400}
    assert set(netsuite_customers()) == expected
    assert db_variable(cursor_key("customers")) is None


def test_bad_record_fails_alone_and_loads_once_fixed(dagbag, connections):
    stripe_sb, _ = connections
    client = stripe_client(stripe_sb.url)
    bad = client.v1.customers.create(params={"name": "Half Named", "metadata": {"netsuite_first_name": "Half"}})

    dag_run = run_dag(dagbag, DAG_ID)
    states = task_states(dag_run)
    assert states == {"sync": "success", "commit_cursor": "success", "check_failed_records": "failed"}
    assert dag_run.state == "failed"
    rows = netsuite_customers()
    assert bad.id not in rows and len(rows) == len(live_customers(client)) - 1
    (queued,) = db_variable(retry_queue_key("customers"))
    assert queued["stripe_id"] == bad.id and "netsuite_last_name" in queued["message"] and queued["attempts"] == 1

    dag_run = run_dag(dagbag, DAG_ID)  # still broken: retried, still queued, nothing else touched
    assert dag_run.state == "failed"
    assert db_variable(retry_queue_key("customers"))[0]["attempts"] == 2

    client.v1.customers.update(bad.id, params={"metadata": {"netsuite_last_name": "Named"}})
    dag_run = run_dag(dagbag, DAG_ID)
    assert dag_run.state == "success", task_states(dag_run)
    row = netsuite_customers()[bad.id]
    assert (row["firstname"], row["lastname"]) == ("Half", "Named")
    assert db_variable(retry_queue_key("customers")) == []
