"""The StripeHook under the Stripe sandbox's faults: what it says, what it logs, how it classifies a failure.

Every retry the SDK makes is one WARNING line (what failed, attempt n of m, the wait); an error says how
many retries were made, never more than happened; "deleted" only when Stripe says so (404
``resource_missing`` or ``deleted: true``), every other failure of a read is transient or plain.
"""

from __future__ import annotations

import logging
import re

import pytest
import requests

from stripe_netsuite.hooks.stripe import StripeHook, StripeHookError, StripeNotFoundError, StripeTransientError
from tests.fixtures.sandboxes import STRIPE_KEY, stripe_conn
from tests.flows.helpers import stripe_client

HOOK_LOGGER = "stripe_netsuite.hooks.stripe"


@pytest.fixture
def fast_sdk_retries(monkeypatch):
    """The SDK's backoff at 10-20 ms instead of 0.5-5 s (its retry decisions are unchanged)."""
    from stripe import _http_client

    monkeypatch.setattr(_http_client.HTTPClient, "INITIAL_DELAY", 0.01)
    monkeypatch.setattr(_http_client.HTTPClient, "MAX_DELAY", 0.02)


@pytest.fixture
def hook(monkeypatch, stripe_empty, fast_sdk_retries):
    monkeypatch.setenv("AIRFLOW_CONN_STRIPE_DEFAULT", stripe_conn(stripe_empty.url))
    return StripeHook(requests_per_second=200)  # max_network_retries=3, the default


@pytest.fixture
def customer(stripe_empty) -> str:
    return stripe_client(stripe_empty.url).v1.customers.create(params={"name": "Retry Me Ltd"}).id


def fault(sandbox, **spec) -> None:
    requests.post(f"{sandbox.url}/_sandbox/faults", json=spec, timeout=10,
                  headers={"Authorization": f"Bearer {STRIPE_KEY}"}).raise_for_status()


def retry_warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == HOOK_LOGGER and r.levelno == logging.WARNING]


def test_a_429_stripe_does_not_mark_retryable_is_not_retried_and_says_so(hook, stripe_empty, customer, caplog):
    fault(stripe_empty, path=f"/v1/customers/{customer}", method="GET", status=429)
    caplog.set_level(logging.WARNING, logger=HOOK_LOGGER)
    with pytest.raises(StripeTransientError) as exc:
        hook.retrieve("customers", customer)
    message = str(exc.value)
    assert f"HTTP 429 (rate limit) to the request to retrieve {customer}, not retried" in message
    assert "Stripe-Should-Retry" in message
    assert "after retries" not in message and "retried by Airflow" not in message  # neither happened
    assert retry_warnings(caplog) == []  # the SDK made no retry, so none is logged


def test_each_absorbed_retry_is_a_warning_with_attempt_and_wait(hook, stripe_empty, customer, caplog):
    fault(stripe_empty, path=f"/v1/customers/{customer}", method="GET", status=429, count=2,
          headers={"Stripe-Should-Retry": "true"})
    caplog.set_level(logging.WARNING, logger=HOOK_LOGGER)
    assert hook.retrieve("customers", customer)["id"] == customer
    warnings = retry_warnings(caplog)
    assert len(warnings) == 2, warnings
    for n, line in enumerate(warnings, 1):
        assert re.fullmatch(
            rf"Stripe GET /v1/customers/{customer} failed \(HTTP 429 Too many requests.*\(Stripe-Should-Retry: true\)\): "
            rf"attempt {n} of 4; retrying in \d+\.\d s", line), line


def test_5xx_past_the_retries_says_how_many_were_made(hook, stripe_empty, customer, caplog):
    fault(stripe_empty, path=f"/v1/customers/{customer}", method="GET", status=500, count=4)
    caplog.set_level(logging.WARNING, logger=HOOK_LOGGER)
    with pytest.raises(StripeTransientError, match=rf"HTTP 500 to the request to retrieve {customer}, after 3 retries"):
        hook.retrieve("customers", customer)
    assert [re.sub(r"retrying in .*", "", w) for w in retry_warnings(caplog)] == [
        f"Stripe GET /v1/customers/{customer} failed (HTTP 500 An unknown error occurred. (injected by the Stripe "
        f"sandbox)): attempt {n} of 4; " for n in (1, 2, 3)]


def test_a_dropped_connection_is_retried_and_logged(hook, stripe_empty, customer, caplog):
    fault(stripe_empty, path=f"/v1/customers/{customer}", method="GET", drop_connection=True)
    caplog.set_level(logging.WARNING, logger=HOOK_LOGGER)
    assert hook.retrieve("customers", customer)["id"] == customer
    (warning,) = retry_warnings(caplog)
    assert warning.startswith(f"Stripe GET /v1/customers/{customer} failed (connection error: ") and "attempt 1 of 4" in warning


def test_only_stripe_saying_so_means_deleted(hook, stripe_empty, customer):
    with pytest.raises(StripeNotFoundError, match="HTTP 404 resource_missing"):
        hook.retrieve("customers", "cus_never_there")
    stripe_client(stripe_empty.url).v1.customers.delete(customer)
    assert hook.retrieve("customers", customer)["deleted"] is True
    found = hook.retrieve_many("customers", [customer, "cus_never_there"])
    assert found[customer]["deleted"] is True and isinstance(found["cus_never_there"], StripeNotFoundError)
    # A 404 without Stripe's resource_missing (e.g. from something in between) is not "deleted".
    fault(stripe_empty, path="/v1/customers/cus_other", method="GET", status=404)
    with pytest.raises(StripeHookError) as exc:
        hook.retrieve("customers", "cus_other")
    assert not isinstance(exc.value, StripeNotFoundError)
