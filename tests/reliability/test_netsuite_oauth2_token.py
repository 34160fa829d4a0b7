"""NetSuite's OAuth 2.0 token endpoint is judged like every other NetSuite answer.

A 429 (the account's concurrency limit while renewing), a 5xx, a hang past the client's timeout or a lost
connection is transient: retried inside the hook with backoff, each retry a WARNING, then raised as
``NetSuiteTransientError`` so Airflow retries the task. Only a refusal of the credentials (400
invalid_grant, 401 invalid_client) is ``NetSuiteAuthError`` (the task fails without retries, saying
what to fix). The faults come from the NetSuite sandbox's fault injection on the token path.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
import requests

from stripe_netsuite.hooks.netsuite import NetSuiteHook
from stripe_netsuite.hooks.netsuite_errors import NetSuiteAuthError, NetSuiteTransientError
from tests.fixtures.sandboxes import netsuite_conn, stripe_conn
from tests.flows.helpers import run_dag, task_states
from tests.reliability.ledger import FLOW_DAGS, assert_ledger_clean

TOKEN_PATH = "/services/rest/auth/oauth2/v1/token"
HOOK_LOGGER = "stripe_netsuite.hooks.netsuite"
SANDBOX_PKG = Path(__import__("netsuite_sandbox").__file__).parent


def oauth2_extra(**overrides) -> dict:
    return {"auth_type": "oauth2", "client_id": "sandbox-client-id", "certificate_id": "sandbox-certificate-id",
            "private_key": (SANDBOX_PKG / "oauth2_test_key.pem").read_text(), **overrides}


def fault(url: str, **rule) -> None:
    requests.post(f"{url}/_sandbox/faults", json=rule, timeout=5).raise_for_status()


def faults_fired(url: str) -> int:
    return requests.get(f"{url}/_sandbox/faults", timeout=5).json()["fired"]


@pytest.fixture
def fast_backoff(monkeypatch):
    """The hook's backoff at up to 10, 20, 40 ... ms instead of 0.5, 1, 2 ... s (its decisions unchanged)."""
    from stripe_netsuite.hooks import netsuite_retry

    monkeypatch.setattr(netsuite_retry, "BACKOFF_SECONDS", 0.01)


@pytest.fixture
def hook(monkeypatch, netsuite, fast_backoff):
    monkeypatch.setenv("AIRFLOW_CONN_NS_OAUTH2", netsuite_conn(netsuite.url, **oauth2_extra()))
    return NetSuiteHook("ns_oauth2", timeout=1)


def retry_warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == HOOK_LOGGER and r.levelno == logging.WARNING]


def test_a_busy_or_unreachable_token_endpoint_is_retried_and_logged(hook, netsuite, caplog):
    caplog.set_level(logging.WARNING, logger=HOOK_LOGGER)
    fault(netsuite.url, path=TOKEN_PATH, status=503)
    fault(netsuite.url, path=TOKEN_PATH, status=429)
    fault(netsuite.url, path=TOKEN_PATH, status=500, drop_connection=True)
    fault(netsuite.url, path=TOKEN_PATH, status=503, timeout_seconds=3)  # hangs past the hook's 1 s timeout
    assert next(iter(hook.suiteql("SELECT id FROM subsidiary")))["id"]
    assert faults_fired(netsuite.url) == 4
    warnings = retry_warnings(caplog)
    assert [re.sub(r"retrying in \d+\.\d s$", "retrying in N s", w) for w in warnings] == [
        "NetSuite's OAuth 2.0 token endpoint answered HTTP 503 (unavailable) to a request for an access token: "
        "attempt 1 of 6; retrying in N s",
        "NetSuite's OAuth 2.0 token endpoint answered HTTP 429 (its concurrency limit) to a request for an access "
        "token: attempt 2 of 6; retrying in N s",
        "Could not reach NetSuite's OAuth 2.0 token endpoint (ConnectionError): attempt 3 of 6; retrying in N s",
        "NetSuite's OAuth 2.0 token endpoint did not answer within 1 s (ReadTimeout): attempt 4 of 6; "
        "retrying in N s",
    ]


def test_a_token_endpoint_down_past_the_retries_is_transient_not_an_auth_error(hook, netsuite):
    fault(netsuite.url, path=TOKEN_PATH, status=503, count=6)
    with pytest.raises(NetSuiteTransientError) as info:
        list(hook.suiteql("SELECT id FROM subsidiary"))
    assert not isinstance(info.value, NetSuiteAuthError)
    message = str(info.value)
    assert message.startswith("NetSuite's OAuth 2.0 token endpoint answered HTTP 503 (unavailable)")
    assert "gave up after 6 attempts" in message
    assert "client ID" not in message and "certificate" not in message  # nothing to fix in the credentials
    assert next(iter(hook.suiteql("SELECT id FROM subsidiary")))["id"]  # NetSuite is back: so is the hook


@pytest.mark.parametrize(("extra", "code", "hint"), [
    ({"certificate_id": "revoked-certificate"}, "HTTP 401 invalid_client", "does not know the client ID or the certificate ID"),
    ({"jwt_algorithm": "RS256"}, "HTTP 400 invalid_grant", "refused the signed client assertion"),
])
def test_only_a_refusal_of_the_credentials_is_an_auth_error_and_it_is_not_retried(
        monkeypatch, netsuite, fast_backoff, caplog, extra, code, hint):
    caplog.set_level(logging.WARNING, logger=HOOK_LOGGER)
    monkeypatch.setenv("AIRFLOW_CONN_NS_REFUSED", netsuite_conn(netsuite.url, **oauth2_extra(**extra)))
    with pytest.raises(NetSuiteAuthError) as info:
        list(NetSuiteHook("ns_refused").suiteql("SELECT id FROM subsidiary"))
    message = str(info.value)
    assert f"NetSuite refused the OAuth 2.0 client credentials ({code})" in message and hint in message
    assert "PRIVATE KEY" not in message
    assert retry_warnings(caplog) == []  # asked once: retrying cannot change NetSuite's mind


@pytest.mark.usefixtures("airflow_db", "clean_variables")
def test_a_flow_run_survives_token_endpoint_faults_and_airflow_retries_what_the_hook_gives_up(
        dagbag, monkeypatch, stripe_demo, netsuite, fast_backoff, caplog, capsys, tmp_path):
    """Renewal refused by the concurrency limit and a 5xx burst: absorbed. A token endpoint down longer than
    the hook's attempts: the task fails as transient, Airflow retries it, the run ends green."""
    from stripe_netsuite.hooks import netsuite_retry

    caplog.set_level(logging.WARNING, logger=HOOK_LOGGER)
    monkeypatch.setenv("AIRFLOW_CONN_STRIPE_DEFAULT", stripe_conn(stripe_demo.url))
    monkeypatch.setenv("AIRFLOW_CONN_NETSUITE_DEFAULT", netsuite_conn(netsuite.url, **oauth2_extra()))
    monkeypatch.setattr(netsuite_retry, "MAX_ATTEMPTS", 3)
    fault(netsuite.url, path=TOKEN_PATH, status=429, count=2)
    customers = run_dag(dagbag, FLOW_DAGS[0])
    assert customers.state == "success", task_states(customers)
    assert {ti.task_id: ti.try_number for ti in customers.get_task_instances()}["sync"] == 1  # absorbed in the hook
    assert len(retry_warnings(caplog)) == 2

    fault(netsuite.url, path=TOKEN_PATH, status=503, count=3)  # each new task buys a token: the first try gives up
    invoices = run_dag(dagbag, FLOW_DAGS[1])
    assert invoices.state == "success", task_states(invoices)
    assert {ti.task_id: ti.try_number for ti in invoices.get_task_instances()}["sync"] == 2  # Airflow retried it
    assert faults_fired(netsuite.url) == 5
    # The first try's error says what happened and that Airflow retries (its traceback goes to the task log).
    assert re.search(r"NetSuite's OAuth 2\.0 token endpoint answered HTTP 503 \(unavailable\) to a request for an "
                     r"access token: gave up after 3 attempts in \d+ s; the task fails and Airflow will retry it "
                     r"\(try 1 of 4 failed\)", capsys.readouterr().out)

    for dag_id in FLOW_DAGS:  # the user's next runs change nothing and stay green
        assert run_dag(dagbag, dag_id).state == "success"
    assert_ledger_clean(dagbag, tmp_path)
