"""Faults on the NetSuite side that the flows already survive, each over whole DAG runs.

Each case injects faults through the NetSuite sandbox (``/_sandbox/faults``), runs the customers and
invoices flows with ``dag.test()``, re-runs them as a user would, and ends with the ledger oracle: the
reconciliation is clean, no external ID is held twice, and every transaction has the lines a clean sync
of the same Stripe state gives. Cases: writes that NetSuite committed but whose answer was lost (REST
single upsert, REST batch job, SOAP upsertList), 429/5xx bursts, a hang past the client's timeout, OAuth
2.0 tokens expiring mid-run, and the NetSuite sandbox restarting mid-run.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

from tests.fixtures.sandboxes import RunningSandbox, netsuite_conn, netsuite_sandbox_cmd, start_sandbox, stripe_conn
from tests.flows.helpers import run_dag, task_states, xcom_return
from tests.reliability.ledger import FLOW_DAGS, assert_ledger_clean

pytestmark = pytest.mark.usefixtures("airflow_db", "clean_variables")

HOOK_LOGGER = "stripe_netsuite.hooks.netsuite"
SANDBOX_PKG = Path(__import__("netsuite_sandbox").__file__).parent
BIN = Path(sys.executable).parent


@pytest.fixture(autouse=True)
def fast_backoff(monkeypatch):
    """The hook's backoff at up to 20, 40, 80 ... ms instead of 0.5, 1, 2 ... s (its decisions unchanged)."""
    from stripe_netsuite.hooks import netsuite_retry

    monkeypatch.setattr(netsuite_retry, "BACKOFF_SECONDS", 0.02)


def fault(url: str, **rule) -> None:
    requests.post(f"{url}/_sandbox/faults", json=rule, timeout=5).raise_for_status()


def faults(url: str) -> dict:
    return requests.get(f"{url}/_sandbox/faults", timeout=5).json()


def oauth2_extra() -> dict:
    return {"auth_type": "oauth2", "client_id": "sandbox-client-id", "certificate_id": "sandbox-certificate-id",
            "private_key": (SANDBOX_PKG / "oauth2_test_key.pem").read_text()}


def retry_warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == HOOK_LOGGER and r.levelno == logging.WARNING]


def run_flows(dagbag) -> dict[str, dict]:
    """Both flows, each green; their sync summaries."""
    summaries = {}
    for dag_id in FLOW_DAGS:
        dag_run = run_dag(dagbag, dag_id)
        assert dag_run.state == "success", (dag_id, task_states(dag_run), xcom_return(dag_run, "sync"))
        summaries[dag_id] = xcom_return(dag_run, "sync")
    return summaries


def rerun_changes_nothing(dagbag) -> None:
    """What a user does after a bad hour: run again. Green, and nothing more to write."""
    for dag_id, summary in run_flows(dagbag).items():
        assert summary["created"] == summary["updated"] == 0 and summary["failed"] == [], (dag_id, summary)


def all_fired(url: str, expected: int) -> None:
    state = faults(url)
    assert state["items"] == [] and state["fired"] == expected, state


def test_rest_single_upserts_committed_but_answer_lost(dagbag, connections, caplog, tmp_path):
    _, netsuite = connections
    caplog.set_level(logging.WARNING, logger=HOOK_LOGGER)
    fault(netsuite.url, path="/services/rest/record/v1/customer/eid:*", method="PUT", status=500, after_commit=True,
          count=2)
    fault(netsuite.url, path="/services/rest/record/v1/customer/eid:*", method="PUT", status=502, after_commit=True,
          drop_connection=True)
    fault(netsuite.url, path="/services/rest/record/v1/invoice/eid:*", method="PUT", status=503, after_commit=True,
          count=2)
    run_flows(dagbag)
    all_fired(netsuite.url, 5)
    assert len(retry_warnings(caplog)) == 5  # each lost answer retried once, visibly
    rerun_changes_nothing(dagbag)
    assert_ledger_clean(dagbag, tmp_path)


def test_rest_batch_jobs_committed_but_answer_lost(dagbag, monkeypatch, stripe_demo, netsuite, caplog, tmp_path):
    """Batch submissions whose job started but whose 202 was lost: the retry carries the same idempotency key,
    NetSuite answers IDEMPOTENCY_ERROR naming the earlier job, and the hook follows that job."""
    monkeypatch.setenv("AIRFLOW_CONN_STRIPE_DEFAULT", stripe_conn(stripe_demo.url))
    monkeypatch.setenv("AIRFLOW_CONN_NETSUITE_DEFAULT", netsuite_conn(netsuite.url, batch_threshold=2))
    caplog.set_level(logging.WARNING, logger=HOOK_LOGGER)
    fault(netsuite.url, path="/services/rest/record/v1/customer", method="PUT", status=500, after_commit=True)
    fault(netsuite.url, path="/services/rest/record/v1/invoice", method="PUT", status=502, after_commit=True,
          drop_connection=True)
    fault(netsuite.url, path="/services/rest/async/v1/job/*", method="GET", status=503, count=2)
    run_flows(dagbag)
    all_fired(netsuite.url, 4)
    assert len(retry_warnings(caplog)) == 4
    rerun_changes_nothing(dagbag)
    assert_ledger_clean(dagbag, tmp_path)


def test_soap_upsert_list_committed_but_answer_lost(dagbag, monkeypatch, stripe_demo, netsuite, wsdl_path, caplog,
                                                     tmp_path):
    monkeypatch.setenv("AIRFLOW_CONN_STRIPE_DEFAULT", stripe_conn(stripe_demo.url))
    monkeypatch.setenv("AIRFLOW_CONN_NETSUITE_DEFAULT",
                       netsuite_conn(netsuite.url, transport="soap", wsdl=str(wsdl_path)))
    caplog.set_level(logging.WARNING, logger=HOOK_LOGGER)
    fault(netsuite.url, path="/services/NetSuitePort_*", status=500, after_commit=True, count=2)
    fault(netsuite.url, path="/services/NetSuitePort_*", status=500, after_commit=True, drop_connection=True)
    run_flows(dagbag)
    all_fired(netsuite.url, 3)
    warnings = retry_warnings(caplog)
    assert len(warnings) == 3 and all(w.startswith("NetSuite SOAP upsertList failed") or "SOAP upsertList" in w
                                      for w in warnings), warnings
    rerun_changes_nothing(dagbag)
    assert_ledger_clean(dagbag, tmp_path)


def test_429_and_5xx_bursts(dagbag, connections, caplog, tmp_path):
    """Bursts of the concurrency limit and of server errors, up to four in a row on one request: all absorbed
    by the hook's retries, each one a WARNING in the task log."""
    _, netsuite = connections
    caplog.set_level(logging.WARNING, logger=HOOK_LOGGER)
    fault(netsuite.url, path="/services/rest/query/v1/suiteql", method="POST", status=429, count=3)
    fault(netsuite.url, path="/services/rest/record/v1/customer/*", method="PUT", status=503, count=2)
    fault(netsuite.url, path="/services/rest/record/v1/customer/*", method="PUT", status=429, count=2)
    fault(netsuite.url, path="/services/rest/record/v1/invoice/*", method="PUT", status=500)
    fault(netsuite.url, path="/services/rest/record/v1/invoice/*", method="PUT", status=502)
    fault(netsuite.url, path="/services/rest/record/v1/invoice/*", method="PUT", status=504)
    run_flows(dagbag)
    all_fired(netsuite.url, 10)
    assert len(retry_warnings(caplog)) == 10
    rerun_changes_nothing(dagbag)
    assert_ledger_clean(dagbag, tmp_path)


def test_a_hang_past_the_client_timeout(dagbag, connections, monkeypatch, caplog, tmp_path):
    """NetSuite stops answering: once before doing the work, once after committing a write. The hook gives up
    waiting after its timeout and retries; the committed write is found by its external ID, not duplicated."""
    from stripe_netsuite.hooks import netsuite as netsuite_hook

    _, netsuite = connections
    monkeypatch.setattr(netsuite_hook, "DEFAULT_TIMEOUT_SECONDS", 1.0)
    caplog.set_level(logging.WARNING, logger=HOOK_LOGGER)
    fault(netsuite.url, path="/services/rest/query/v1/suiteql", method="POST", status=500, timeout_seconds=3)
    fault(netsuite.url, path="/services/rest/record/v1/customer/eid:*", method="PUT", status=500, after_commit=True,
          timeout_seconds=3)
    fault(netsuite.url, path="/services/rest/record/v1/invoice/eid:*", method="PUT", status=500, after_commit=True,
          timeout_seconds=3)
    run_flows(dagbag)
    all_fired(netsuite.url, 3)
    warnings = retry_warnings(caplog)
    assert len(warnings) == 3 and all("did not answer" in w and "within 1 s" in w for w in warnings), warnings
    rerun_changes_nothing(dagbag)
    assert_ledger_clean(dagbag, tmp_path)


def test_oauth2_tokens_expiring_mid_run(dagbag, monkeypatch, stripe_demo, tmp_path, caplog):
    """One-second tokens on a NetSuite slowed to 40 ms a request, so tokens expire in the middle of tasks.
    The hook renews them on time; and when its clock trusts a token longer than NetSuite does (here five
    seconds too long, during a backfill that rewrites everything), NetSuite's 401 makes it buy a new one."""
    from stripe_netsuite.hooks import netsuite_auth

    netsuite = start_sandbox(netsuite_sandbox_cmd(tmp_path / "short-tokens.db", "--token-ttl-seconds", "1",
                                                  "--latency-ms", "40"))
    bought: list[int] = []  # one entry per token bought, naming the hook's authenticator that bought it
    fetch = netsuite_auth.OAuth2ClientCredentials._fetch
    monkeypatch.setattr(netsuite_auth.OAuth2ClientCredentials, "_fetch",
                        lambda self: bought.append(id(self)) or fetch(self))
    try:
        monkeypatch.setenv("AIRFLOW_CONN_STRIPE_DEFAULT", stripe_conn(stripe_demo.url))
        monkeypatch.setenv("AIRFLOW_CONN_NETSUITE_DEFAULT", netsuite_conn(netsuite.url, **oauth2_extra()))
        caplog.set_level(logging.WARNING, logger=HOOK_LOGGER)
        run_flows(dagbag)
        assert max(bought.count(auth) for auth in bought) >= 2, bought  # a task outlived its first token

        monkeypatch.setattr(netsuite_auth, "_REFRESH_MARGIN_SECONDS", -5)  # the client now trusts tokens too long
        backfill = run_dag(dagbag, FLOW_DAGS[1], {"start": "2000-01-01", "end": "2100-01-01", "force_rewrite": True})
        assert backfill.state == "success", task_states(backfill)
        refused = [w for w in retry_warnings(caplog) if "no longer accepts the OAuth 2.0 access token" in w]
        assert refused, retry_warnings(caplog)
        rerun_changes_nothing(dagbag)
        assert_ledger_clean(dagbag, tmp_path)
    finally:
        netsuite.stop()


def restart_on_same_port(sandbox: RunningSandbox, db: Path) -> RunningSandbox:
    sandbox.stop()
    port = sandbox.url.rsplit(":", 1)[1]
    return start_sandbox([str(BIN / "netsuite-sandbox"), "serve", "--host", "127.0.0.1", "--port", port,
                          "--db", str(db)])


def test_netsuite_restarting_mid_run(dagbag, monkeypatch, stripe_demo, tmp_path, caplog):
    """NetSuite goes away in the middle of a write and comes back having forgotten every OAuth 2.0 token:
    the hook retries through the outage, buys a new token on the 401, and the write that was in flight is
    not doubled."""
    from stripe_netsuite.hooks import netsuite_retry

    # The hook's own backoff, each wait at its longest (0.5, 1, 2, 4, 8 s): longer than a restart takes.
    monkeypatch.setattr(netsuite_retry, "BACKOFF_SECONDS", 0.5)
    monkeypatch.setattr(netsuite_retry.random, "uniform", lambda low, high: high)
    db = tmp_path / "restarted.db"
    sandboxes = [start_sandbox(netsuite_sandbox_cmd(db))]
    url = sandboxes[0].url
    monkeypatch.setenv("AIRFLOW_CONN_STRIPE_DEFAULT", stripe_conn(stripe_demo.url))
    monkeypatch.setenv("AIRFLOW_CONN_NETSUITE_DEFAULT", netsuite_conn(url, **oauth2_extra()))
    caplog.set_level(logging.WARNING, logger=HOOK_LOGGER)
    # A customer write commits, then hangs: the restart happens while its answer is awaited.
    fault(url, path="/services/rest/record/v1/customer/eid:*", method="PUT", status=500, after_commit=True,
          timeout_seconds=30, count=1)
    restarted = threading.Event()

    def restart_when_the_write_hangs() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if faults(url)["fired"]:
                time.sleep(0.2)
                sandboxes.append(restart_on_same_port(sandboxes[0], db))
                restarted.set()
                return
            time.sleep(0.05)

    watcher = threading.Thread(target=restart_when_the_write_hangs, daemon=True)
    watcher.start()
    try:
        run_flows(dagbag)
        watcher.join(timeout=60)
        assert restarted.is_set()
        warnings = retry_warnings(caplog)
        assert any("no longer accepts the OAuth 2.0 access token" in w for w in warnings), warnings
        rerun_changes_nothing(dagbag)
        assert_ledger_clean(dagbag, tmp_path)
    finally:
        for sandbox in sandboxes:
            sandbox.stop()
