"""A degraded NetSuite is visible, and the hooks' messages say what actually happened.

Every retry the NetSuite hook absorbs is one WARNING on ``stripe_netsuite.hooks.netsuite``: what failed,
attempt n of m, the wait before the next. When the last attempt fails too, the error says so (never
"will retry") and says whether Airflow will retry the task. Faults come from the NetSuite sandbox.
"""

from __future__ import annotations

import logging
import re

import pytest
import requests

from stripe_netsuite.hooks.netsuite import NetSuiteHook
from stripe_netsuite.hooks.netsuite_errors import NetSuiteTransientError
from stripe_netsuite.mapping.records import NeutralRecord
from tests.fixtures.sandboxes import netsuite_conn

HOOK_LOGGER = "stripe_netsuite.hooks.netsuite"
WAIT = r"retrying in \d+\.\d s"


def fault(url: str, **rule) -> None:
    requests.post(f"{url}/_sandbox/faults", json=rule, timeout=5).raise_for_status()


@pytest.fixture(autouse=True)
def fast_backoff(monkeypatch):
    from stripe_netsuite.hooks import netsuite_retry

    monkeypatch.setattr(netsuite_retry, "BACKOFF_SECONDS", 0.01)


def retry_warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == HOOK_LOGGER and r.levelno == logging.WARNING]


def customer(external_id: str) -> NeutralRecord:
    return NeutralRecord("customer", external_id, {"companyName": f"Retry {external_id}"}, external_id)


def test_each_rest_retry_is_a_warning_with_what_failed_the_attempt_and_the_wait(monkeypatch, netsuite, caplog):
    monkeypatch.setenv("AIRFLOW_CONN_NS_REST", netsuite_conn(netsuite.url))
    hook = NetSuiteHook("ns_rest", timeout=1)
    caplog.set_level(logging.WARNING, logger=HOOK_LOGGER)
    path = "/services/rest/record/v1/customer/eid:cus_W1"
    fault(netsuite.url, path=path, method="PUT", status=503)
    fault(netsuite.url, path=path, method="PUT", status=429)
    fault(netsuite.url, path=path, method="PUT", status=500, after_commit=True, timeout_seconds=3)  # committed, no answer
    fault(netsuite.url, path=path, method="PUT", status=502, drop_connection=True)
    assert hook.upsert(customer("cus_W1")).isdigit()
    expected = [
        r"NetSuite answered 503 to PUT /record/v1/customer/eid:cus_W1: SERVICE_UNAVAILABLE: The service is "
        r"temporarily unavailable\. Try again later\.",
        r"NetSuite answered 429 to PUT /record/v1/customer/eid:cus_W1: CONCURRENCY_LIMIT_EXCEEDED: .*",
        r"NetSuite did not answer PUT /record/v1/customer/eid:cus_W1 within 1 s \(ReadTimeout\)",
        r"Could not reach NetSuite for PUT /record/v1/customer/eid:cus_W1 \(ConnectionError\)",
    ]
    warnings = retry_warnings(caplog)
    assert len(warnings) == 4, warnings
    for n, (pattern, line) in enumerate(zip(expected, warnings), 1):
        assert re.fullmatch(rf"{pattern}: attempt {n} of 6; {WAIT}", line), line


def test_a_rest_call_past_its_retries_says_how_many_and_who_retries_next(monkeypatch, netsuite, caplog):
    from stripe_netsuite.hooks import netsuite_retry

    monkeypatch.setattr(netsuite_retry, "MAX_ATTEMPTS", 3)
    monkeypatch.setenv("AIRFLOW_CONN_NS_REST", netsuite_conn(netsuite.url))
    caplog.set_level(logging.WARNING, logger=HOOK_LOGGER)
    fault(netsuite.url, path="/services/rest/query/v1/suiteql", status=500, count=3)
    with pytest.raises(NetSuiteTransientError) as info:
        list(NetSuiteHook("ns_rest").suiteql("SELECT id FROM subsidiary"))
    assert re.fullmatch(
        r"NetSuite answered 500 to POST /query/v1/suiteql: UNEXPECTED_ERROR: An unexpected error occurred\. "
        r"\(injected fault\): gave up after 3 attempts in \d+ s; no Airflow task is running, so nothing retries it",
        str(info.value)), str(info.value)
    assert [re.sub(WAIT, "", w).rsplit(": attempt ", 1)[1] for w in retry_warnings(caplog)] == ["1 of 3; ", "2 of 3; "]


def test_soap_retries_are_logged_and_the_last_failure_does_not_say_will_retry(monkeypatch, netsuite, wsdl_path, caplog):
    from stripe_netsuite.hooks import netsuite_retry

    monkeypatch.setattr(netsuite_retry, "MAX_ATTEMPTS", 3)
    monkeypatch.setenv("AIRFLOW_CONN_NS_SOAP", netsuite_conn(netsuite.url, transport="soap", wsdl=str(wsdl_path)))
    hook = NetSuiteHook("ns_soap")
    caplog.set_level(logging.WARNING, logger=HOOK_LOGGER)
    fault(netsuite.url, path="/services/NetSuitePort_*", status=503, count=2)
    assert list(hook.upsert_records([customer("cus_S1")]).id_map) == ["cus_S1"]
    warnings = retry_warnings(caplog)
    assert [re.sub(WAIT, "", w) for w in warnings] == [
        f"NetSuite SOAP upsertList failed: An unexpected error occurred. (injected fault): attempt {n} of 3; "
        for n in (1, 2)]

    caplog.clear()
    fault(netsuite.url, path="/services/NetSuitePort_*", status=429, count=3)
    with pytest.raises(NetSuiteTransientError) as info:
        hook.upsert_records([customer("cus_S2")])
    message = str(info.value)
    assert "will retry" not in message.split(";")[0]  # the old wording, false on the last attempt
    assert re.fullmatch(r"NetSuite SOAP upsertList failed: .*concurrent request limit.*: gave up after 3 attempts "
                        r"in \d+ s; no Airflow task is running, so nothing retries it", message), message
    assert len(retry_warnings(caplog)) == 2  # attempts 1 and 2; the third is the error itself
