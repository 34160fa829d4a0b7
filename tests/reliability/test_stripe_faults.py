"""Stripe faults during whole DAG runs: rate limits with and without Stripe-Should-Retry, 5xx, dropped
connections, latency. Each case runs the flows with the Stripe sandbox's fault injection, re-runs as a
user would, and ends with the ledger as one clean sync of the same Stripe state leaves it.

What the user sees: a retry the SDK absorbs is a WARNING line in the task log and a green run; a failure
of a listing fails the sync task, which Airflow retries (nothing is loaded twice); a failed read of one
object queues only the objects that need it, with a message saying what happened, for the next run.
"""

from __future__ import annotations

import logging

import pytest

from stripe_netsuite.sync.retry_queue import retry_queue_key
from tests.fixtures.airflow import db_variable
from tests.flows.helpers import run_dag, stripe_client, task_states, xcom_return
from tests.reliability.ledger import assert_ledger_clean
from tests.reliability.stripe_tools import stripe_fault, stripe_faults_left

pytestmark = pytest.mark.usefixtures("airflow_db", "clean_variables", "fast_sdk_retries")
CUSTOMERS, INVOICES = "stripe_customers_to_netsuite", "stripe_invoices_to_netsuite"
HOOK_LOGGER = "stripe_netsuite.hooks.stripe"


def try_numbers(dag_run) -> dict[str, int]:
    return {ti.task_id: ti.try_number for ti in dag_run.get_task_instances()}


def retry_warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == HOOK_LOGGER and r.levelno == logging.WARNING]


@pytest.mark.parametrize("fault", [
    {"status": 429, "count": 3, "headers": {"Stripe-Should-Retry": "true"}},
    {"status": 503, "count": 2},
    {"drop_connection": True, "count": 2},
    {"latency_ms": 400},
], ids=["429-should-retry", "503", "dropped-connection", "latency"])
def test_faults_the_sdk_absorbs_leave_a_green_run_and_a_warning_per_retry(dagbag, connections, fault, caplog, tmp_path):
    stripe_sb, _ = connections
    assert run_dag(dagbag, CUSTOMERS).state == "success"
    stripe_fault(stripe_sb.url, path="/v1/invoices", method="GET", **fault)
    stripe_fault(stripe_sb.url, path="/v1/credit_notes", method="GET", **fault)
    caplog.set_level(logging.WARNING, logger=HOOK_LOGGER)

    dag_run = run_dag(dagbag, INVOICES)
    assert dag_run.state == "success", task_states(dag_run)
    assert try_numbers(dag_run)["sync"] == 1  # absorbed inside the hook: Airflow did not need to retry
    assert stripe_faults_left(stripe_sb.url) == []
    warnings = retry_warnings(caplog)
    if "latency_ms" in fault:
        assert warnings == []  # slow is not failed
    else:
        assert len(warnings) == 2 * fault["count"], warnings
        assert all(" attempt " in w and " of 4; retrying in " in w for w in warnings), warnings
        assert any(w.startswith("Stripe GET /v1/invoices failed (") for w in warnings)
    assert xcom_return(dag_run, "sync")["failed"] == []

    assert run_dag(dagbag, INVOICES).state == "success"  # a second run changes nothing
    assert_ledger_clean(dagbag, tmp_path)


@pytest.mark.parametrize("fault", [
    {"status": 429},  # Stripe did not mark it retryable: the SDK does not retry
    {"status": 500, "count": 4},  # past the hook's 3 SDK retries
    {"drop_connection": True, "count": 4},
], ids=["429-without-should-retry", "500-past-the-retries", "dropped-past-the-retries"])
def test_a_listing_that_fails_fails_the_sync_task_and_airflow_retries_it(dagbag, connections, fault, capfd, tmp_path):
    """A listing is the whole run's input: the task fails with what happened and Airflow retries it (its
    retry_delay is 1 s in tests); nothing is loaded twice and the cursor only moves after a load."""
    from stripe_netsuite.sync.cursor import cursor_key

    stripe_sb, _ = connections
    assert run_dag(dagbag, CUSTOMERS).state == "success"
    stripe_fault(stripe_sb.url, path="/v1/invoices", method="GET", **fault)
    capfd.readouterr()

    dag_run = run_dag(dagbag, INVOICES)
    assert dag_run.state == "success", task_states(dag_run)
    assert try_numbers(dag_run)["sync"] == 2  # the first try failed on the listing, Airflow's retry loaded
    task_log = "".join(capfd.readouterr())  # dag.test writes the task log to this process's stdout/stderr
    (said,) = [line for line in task_log.splitlines() if line.startswith("stripe_netsuite.hooks.stripe.Stripe")]
    if fault.get("status") == 429:
        assert said.endswith("StripeTransientError: Stripe answered HTTP 429 (rate limit) to the request to list "
                             "invoices, not retried: Stripe did not mark this 429 as safe to retry (Stripe-Should-Retry) "
                             "(Too many requests hit the API too quickly. We recommend an exponential backoff of your "
                             "requests.)"), said
    elif fault.get("status") == 500:
        assert "StripeTransientError: Stripe answered HTTP 500 to the request to list invoices, after 3 retries" in said
    else:
        assert "StripeTransientError: Could not reach Stripe at " in said and "to list invoices, after 3 retries" in said
    assert db_variable(cursor_key("invoices")) is not None
    assert db_variable(retry_queue_key("invoices"), []) == []

    assert run_dag(dagbag, INVOICES).state == "success"
    assert_ledger_clean(dagbag, tmp_path)


def test_a_failed_read_of_what_one_invoice_needs_queues_only_it_with_what_happened(dagbag, connections, tmp_path):
    """An incremental run reads the price of a new invoice's line to create its item; a plain 429 there
    queues that invoice (STRIPE_READ, saying the read was not retried and the next run tries again) and
    loads everything else; the next run loads it."""
    stripe_sb, _ = connections
    client = stripe_client(stripe_sb.url)
    assert run_dag(dagbag, CUSTOMERS).state == "success"
    assert run_dag(dagbag, INVOICES).state == "success"
    usd = next(c.id for c in client.v1.customers.list(params={"limit": 100}).auto_paging_iter() if c.currency == "usd")
    price = client.v1.prices.create(params={"currency": "usd", "unit_amount": 4200, "nickname": "Audit add-on",
                                            "product_data": {"name": "Audit add-on"}})
    invoice = client.v1.invoices.create(params={"customer": usd, "currency": "usd", "collection_method": "send_invoice",
                                                "days_until_due": 30, "pending_invoice_items_behavior": "exclude"})
    client.v1.invoice_items.create(params={"customer": usd, "invoice": invoice.id, "pricing": {"price": price.id}})
    client.v1.invoices.finalize_invoice(invoice.id)
    stripe_fault(stripe_sb.url, path=f"/v1/prices/{price.id}", method="GET", status=429)

    dag_run = run_dag(dagbag, INVOICES)
    assert task_states(dag_run) == {"sync": "success", "commit_cursor": "success", "check_failed_records": "failed"}
    (entry,) = db_variable(retry_queue_key("invoices"))
    assert entry["stripe_id"] == invoice.id and entry["code"] == "STRIPE_READ"
    assert entry["message"].startswith(
        f"price {price.id} could not be read from Stripe, so its item was not created: Stripe answered HTTP 429 (rate "
        f"limit) to the request to retrieve {price.id}, not retried: "), entry
    assert entry["message"].endswith("Nothing was written for this invoice; the next run tries it again")

    dag_run = run_dag(dagbag, INVOICES)
    assert dag_run.state == "success", task_states(dag_run)
    assert db_variable(retry_queue_key("invoices")) == []
    assert_ledger_clean(dagbag, tmp_path)
