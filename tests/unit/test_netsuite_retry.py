"""The NetSuite hook's retry loop: attempts, waits, and what its final error says about Airflow's retries."""

from __future__ import annotations

import logging
from types import SimpleNamespace

import pytest

from stripe_netsuite.hooks import netsuite_retry
from stripe_netsuite.hooks.netsuite_errors import NetSuiteAuthError, NetSuiteTransientError


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch):
    waits: list[float] = []
    monkeypatch.setattr(netsuite_retry.time, "sleep", waits.append)
    return waits


def in_task(monkeypatch, try_number: int, max_tries: int) -> None:
    import airflow.sdk

    ti = SimpleNamespace(try_number=try_number, max_tries=max_tries)
    monkeypatch.setattr(airflow.sdk, "get_current_context", lambda: {"ti": ti})


def failing(times: int, error=NetSuiteTransientError("NetSuite answered 503 to GET /x: busy")):
    calls = []

    def fn():
        calls.append(1)
        if len(calls) <= times:
            raise error
        return "ok"

    return fn, calls


def test_transient_failures_are_retried_with_growing_capped_waits(no_waiting, caplog):
    fn, calls = failing(5)
    caplog.set_level(logging.WARNING, logger="stripe_netsuite.hooks.netsuite")
    assert netsuite_retry.call_with_retries(fn, max_attempts=6, max_backoff=1.5) == "ok"
    assert len(calls) == 6 and len(no_waiting) == 5
    caps = [0.5, 1.0, 1.5, 1.5, 1.5]  # 0.5 * 2 ** (n - 1), never above max_backoff
    assert all(0 <= wait <= cap for wait, cap in zip(no_waiting, caps))
    assert [r.getMessage().split(": attempt ")[1].split(";")[0] for r in caplog.records] == [
        f"{n} of 6" for n in range(1, 6)]


def test_other_errors_are_not_retried(no_waiting):
    fn, calls = failing(1, NetSuiteAuthError("refused"))
    with pytest.raises(NetSuiteAuthError):
        netsuite_retry.call_with_retries(fn)
    assert len(calls) == 1 and no_waiting == []


def test_the_final_error_says_airflow_will_retry_when_tries_are_left(monkeypatch):
    in_task(monkeypatch, try_number=2, max_tries=3)
    fn, _ = failing(9)
    with pytest.raises(NetSuiteTransientError, match=r"gave up after 2 attempts in \d+ s; the task fails and Airflow "
                                                     r"will retry it \(try 2 of 4 failed\)$"):
        netsuite_retry.call_with_retries(fn, max_attempts=2)


def test_the_final_error_says_airflow_will_not_retry_on_the_last_try(monkeypatch):
    in_task(monkeypatch, try_number=4, max_tries=3)
    fn, _ = failing(9)
    with pytest.raises(NetSuiteTransientError) as info:
        netsuite_retry.call_with_retries(fn, max_attempts=2)
    assert str(info.value).endswith(
        "the task fails and Airflow will not retry it: that was its last try (4 of 4); clear the task to run it "
        "again once NetSuite answers")
    assert "will retry it" not in str(info.value)
