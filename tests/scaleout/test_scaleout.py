"""docker-compose.yaml's services run for real as local processes: the flows go through Celery.

airflow-init (migrate + pools), api-server, scheduler, dag-processor and a Celery worker on a
fresh Postgres database and a Redis DB, both sandboxes; then the customers and invoices DAGs
are unpaused and triggered through the REST API, and must succeed on the worker and reconcile.
"""

from __future__ import annotations

import secrets
import time
from urllib.parse import quote, urlsplit

import httpx
import pytest

from stripe_netsuite.dag_defaults import POOLS
from tests.fixtures.sandboxes import netsuite_conn, start_sandbox, stripe_conn
from tests.scaleout import compose
from tests.scaleout.stack import AIRFLOW_SERVICES, BIN, Stack, api_token, query, unreachable_services

CUSTOMERS, INVOICES = "stripe_customers_to_netsuite", "stripe_invoices_to_netsuite"
TASKS = {"sync", "commit_cursor", "check_failed_records"}
pytestmark = pytest.mark.timeout(240)


def _replace_options(args: list[str], values: dict[str, str]) -> list[str]:
    """The same arguments with each named option's value replaced (`--port 12111` -> `--port 0`)."""
    return [values.get(args[i - 1], arg) if i else arg for i, arg in enumerate(args)]


@pytest.fixture
def sandboxes(tmp_path):
    if reason := unreachable_services():
        pytest.skip(reason)
    spec = compose.load()
    started = []
    try:
        for service, db in (("stripe-sandbox", None), ("netsuite-sandbox", tmp_path / "netsuite.db")):
            args = compose.command(spec, service)
            local = [str(BIN / "python"), *_replace_options(args[1:], {"--host": "127.0.0.1", "--port": "0", "--db": str(db)})]
            started.append(start_sandbox(local))
        yield started
    finally:
        for sandbox in started:
            sandbox.stop()


@pytest.fixture
def stack(tmp_path, sandboxes, request):
    from cryptography.fernet import Fernet

    stripe_sb, netsuite_sb = sandboxes
    # What a user puts in .env (README "Scale out"), here pointing at the local sandboxes.
    user_variables = {
        "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(64),
        "AIRFLOW__CORE__FERNET_KEY": Fernet.generate_key().decode(),
        "AIRFLOW_CONN_STRIPE_DEFAULT": stripe_conn(stripe_sb.url),
        "AIRFLOW_CONN_NETSUITE_DEFAULT": netsuite_conn(netsuite_sb.url),
    }
    (tmp_path / "airflow").mkdir()
    stack = Stack(tmp_path, user_variables)
    try:
        yield stack
    finally:
        failed = getattr(request.node, "rep_call", None) is None or request.node.rep_call.failed
        stack.close()
        if failed:
            print(stack.all_logs())


def test_flows_run_on_the_celery_worker_and_reconcile(stack, sandboxes, monkeypatch):
    started = time.monotonic()
    stack.run("airflow-init", timeout=120)
    pools = dict(query(stack.database, "SELECT pool, slots FROM slot_pool"))
    assert {name: pools.get(name) for name in POOLS} == {name: slots for name, (slots, _) in POOLS.items()}
    for service in AIRFLOW_SERVICES:
        stack.start(service)
    deadline = time.monotonic() + 90
    stack.wait_http(stack.api_url + _health_path(stack, "airflow-apiserver"), deadline)
    stack.wait_http(stack.health_url + _health_path(stack, "airflow-scheduler"), deadline)

    api = httpx.Client(base_url=f"{stack.api_url}/api/v2", headers={"Authorization": f"Bearer {api_token(stack)}"}, timeout=10)
    runs = {}
    for dag_id in (CUSTOMERS, INVOICES):
        _wait_for(lambda: api.get(f"/dags/{dag_id}").status_code == 200, stack, deadline, f"{dag_id} parsed")
        assert api.patch(f"/dags/{dag_id}", json={"is_paused": False}).status_code == 200
        response = api.post(f"/dags/{dag_id}/dagRuns", json={"logical_date": None, "conf": {}})
        assert response.status_code == 200, response.text
        runs[dag_id] = response.json()["dag_run_id"]

    deadline = time.monotonic() + 120
    for dag_id, run_id in runs.items():
        _wait_for(lambda: _run_state(api, dag_id, run_id) in ("success", "failed"), stack, deadline, f"{dag_id} run")
        assert _run_state(api, dag_id, run_id) == "success", _task_states(api, dag_id, run_id)
    print(f"scale-out: stack up and both runs done in {time.monotonic() - started:.1f} s")

    # Ran through Celery: each task instance on our queue, each one a task the worker reported to
    # the Celery result backend, and the worker's log names them.
    for dag_id, run_id in runs.items():
        tis = api.get(f"/dags/{dag_id}/dagRuns/{quote(run_id, safe='')}/taskInstances").json()["task_instances"]
        assert {ti["task_id"] for ti in tis} == TASKS
        assert {(ti["state"], ti["queue"]) for ti in tis} == {("success", stack.queue)}, tis
    results = query(stack.database, "SELECT status, count(*) FROM celery_taskmeta GROUP BY status")
    assert dict(results).get("SUCCESS", 0) >= 2 * len(TASKS), results
    worker_log = stack.tail("airflow-worker", chars=10**7)
    for run_id in runs.values():
        assert run_id in worker_log
    # Health checks as compose runs them, against the running services.
    for service in ("airflow-dag-processor", "airflow-worker"):
        check = stack.healthcheck(service)
        assert check.returncode == 0, (service, check.stdout[-2000:], check.stderr[-2000:])
    # XComs went through the object-storage backend: each sync summary is a gzip file the metadata DB
    # only points at, and commit_cursor and check_failed_records read it back on the worker.
    stored = {path.name for path in stack.xcom_dir.rglob("*.gz")}
    references = dict(query(stack.database, "SELECT run_id, value::text FROM xcom WHERE task_id = 'sync' AND "
                                             "key = 'return_value'"))
    for run_id in runs.values():
        assert any(name in references[run_id] for name in stored), (run_id, references, stored)
    # Variables written by the tasks (cursors) are stored encrypted with the Fernet key.
    encrypted = query(stack.database, "SELECT key, is_encrypted FROM variable WHERE key LIKE 'stripe_netsuite.cursor.%'")
    assert len(encrypted) == 2 and all(flag for _, flag in encrypted), encrypted

    _assert_reconciled(stack, sandboxes, monkeypatch)


def _assert_reconciled(stack: Stack, sandboxes, monkeypatch) -> None:
    from stripe_netsuite.reconcile.customers import reconcile_customers
    from tests.flows.helpers import netsuite_customers, stripe_client
    from tests.flows.test_customers_flow import deleted_ids, live_customers
    from tests.flows.test_invoices_flow import reconcile

    stripe_sb, netsuite_sb = sandboxes
    monkeypatch.setenv("AIRFLOW_CONN_STRIPE_DEFAULT", stripe_conn(stripe_sb.url))
    monkeypatch.setenv("AIRFLOW_CONN_NETSUITE_DEFAULT", netsuite_conn(netsuite_sb.url))
    client = stripe_client(stripe_sb.url)
    customers = live_customers(client)
    report = reconcile_customers(customers, netsuite_customers().values(), deleted_in_stripe=deleted_ids(client))
    assert report.ok and report.matched == len(customers) >= 10, report.lines()
    report = reconcile(stripe_sb.url)
    assert report.ok and report.matched == report.stripe_invoices > 10, report.lines()


def _health_path(stack: Stack, service: str) -> str:
    return urlsplit(compose.healthcheck(stack.compose, service)[-1]).path


def _wait_for(condition, stack: Stack, deadline: float, what: str) -> None:
    while not condition():
        stack.check_running()
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        time.sleep(0.5)


def _run_state(api: httpx.Client, dag_id: str, run_id: str) -> str:
    return api.get(f"/dags/{dag_id}/dagRuns/{quote(run_id, safe='')}").json()["state"]


def _task_states(api: httpx.Client, dag_id: str, run_id: str) -> dict:
    tis = api.get(f"/dags/{dag_id}/dagRuns/{quote(run_id, safe='')}/taskInstances").json()["task_instances"]
    return {ti["task_id"]: (ti["state"], ti["queue"], ti["hostname"]) for ti in tis}
