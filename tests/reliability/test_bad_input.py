"""Bad input from Stripe never passes silently and never blocks the rest; once fixed, it loads exactly once.

Each case is whole DAG runs against the sandboxes: the bad record fails alone (retry queue, a message
naming the object and what to do, the check task red), everything else loads, the reconciliation shows
it as missing; then the user's fix, a re-run, and the ledger as one clean sync of the same Stripe state
leaves it (``assert_ledger_clean``).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from stripe_netsuite.sync.retry_queue import retry_queue_key
from tests.fixtures.airflow import db_variable
from tests.fixtures.sandboxes import stripe_conn
from tests.flows.helpers import run_dag, stripe_client, task_states, xcom_return
from tests.reliability import ledger
from tests.reliability.ledger import assert_ledger_clean, reconciliation_problems
from tests.reliability.stripe_tools import RewritingProxy, stripe_fault

pytestmark = pytest.mark.usefixtures("airflow_db", "clean_variables")
CUSTOMERS, INVOICES = "stripe_customers_to_netsuite", "stripe_invoices_to_netsuite"
FAILED_CHECK = {"sync": "success", "commit_cursor": "success", "check_failed_records": "failed"}


def queued(flow: str) -> dict[str, dict]:
    return {entry["stripe_id"]: entry for entry in db_variable(retry_queue_key(flow), [])}


def netsuite_ids(table: str) -> set[str]:
    from stripe_netsuite.hooks.netsuite import NetSuiteHook

    return {row["externalid"] for row in NetSuiteHook().suiteql(f"SELECT externalid FROM {table}") if row.get("externalid")}


# -- unknown values (issue 11, point 1) ---------------------------------------------------------------------


@pytest.fixture
def proxy(monkeypatch, connections):
    """The StripeHook reads the demo sandbox through a proxy that can rewrite Stripe's answers."""
    stripe_sb, _ = connections
    rewriting = RewritingProxy(stripe_sb.url)
    monkeypatch.setenv("AIRFLOW_CONN_STRIPE_DEFAULT", stripe_conn(rewriting.url))
    yield rewriting
    rewriting.stop()


def unknown_value_targets(url: str) -> dict[str, tuple[str, dict, str]]:
    """Invoice ID -> (object ID to rewrite, {path: new value}, what the retry queue message must say), one
    kind of unknown value per invoice: each enum the invoice mapping branches on, spread over the demo."""
    client = stripe_client(url)
    invoices = [i.to_dict() for i in client.v1.invoices.list(params={"limit": 100, "expand": ["data.discounts"]})
                .auto_paging_iter()]
    notes = [n.to_dict() for n in client.v1.credit_notes.list(params={"limit": 100}).auto_paging_iter()]
    targets: dict[str, tuple[str, dict, str]] = {}

    def take(candidates, make) -> None:
        for invoice in candidates:
            if invoice["id"] not in targets and invoice["status"] in ("paid", "open"):
                targets[invoice["id"]] = make(invoice)
                return
        raise AssertionError(f"the demo has no invoice left for {make}")

    by_id = {i["id"]: i for i in invoices}
    note = notes[0]
    cn_line = note["lines"]["data"][0]["id"]
    targets[note["invoice"]] = (cn_line, {"type": "bundle_line_item"},
                                f"line {cn_line} of credit note {note['id']} (invoice {note['invoice']}) with type "
                                "'bundle_line_item'")
    take([i for i in invoices if i.get("discounts")], lambda i: (
        i["discounts"][0]["id"], {"source.type": "promotion_credit"},
        f"discount {i['discounts'][0]['id']} on invoice {i['id']} with source.type 'promotion_credit'"))
    take([i for i in invoices if i["lines"]["data"][0].get("taxes")], lambda i: (
        i["lines"]["data"][0]["id"], {"taxes.0.tax_behavior": "automatic"},
        f"line {i['lines']['data'][0]['id']} of invoice {i['id']} with taxes[].tax_behavior 'automatic'"))
    take(invoices, lambda i: (
        i["lines"]["data"][0]["id"], {"pricing.type": "rate_card_rate_details"},
        f"line {i['lines']['data'][0]['id']} of invoice {i['id']} with pricing.type 'rate_card_rate_details'"))
    take(invoices, lambda i: (
        i["lines"]["data"][0]["id"], {"parent.type": "license_fee_subscription_details"},
        f"line {i['lines']['data'][0]['id']} of invoice {i['id']} with parent.type 'license_fee_subscription_details'"))
    take(invoices, lambda i: (i["id"], {"status": "partially_paid"}, f"invoice {i['id']} with status 'partially_paid'"))
    assert by_id.keys() >= targets.keys()
    return targets


def test_unknown_values_from_stripe_go_to_the_retry_queue_and_load_after_an_upgrade(dagbag, proxy, tmp_path):
    """A status, pricing type, tax behaviour, line parent, discount source or credit note line type Stripe adds
    is never guessed at: the invoice waits in the retry queue (UNKNOWN_VALUE, naming object, field and value),
    the reconciliation reports it missing, and it loads once the connector knows the value (here: the
    proxy stops rewriting, as after an upgrade)."""
    assert run_dag(dagbag, CUSTOMERS).state == "success"
    targets = unknown_value_targets(proxy.upstream)
    proxy.rewrites = {obj: changes for obj, changes, _ in targets.values()}

    dag_run = run_dag(dagbag, INVOICES)
    assert task_states(dag_run) == FAILED_CHECK
    assert proxy.rewritten == set(proxy.rewrites)  # every rewrite reached the sync
    summary = xcom_return(dag_run, "sync")
    assert summary["skipped"] == 0  # an unknown status is not a draft
    waiting = queued("invoices")
    assert set(waiting) == set(targets)
    for invoice_id, (_, _, says) in targets.items():
        entry = waiting[invoice_id]
        assert entry["code"] == "UNKNOWN_VALUE", entry
        assert f"Stripe sent {says}, a value this version of stripe-netsuite does not know" in entry["message"], entry
        assert "Upgrade stripe-netsuite, or report the value to its maintainers" in entry["message"]
    assert not set(targets) & netsuite_ids("transaction")  # nothing of theirs was written, the rest was
    problems = reconciliation_problems()
    for invoice_id in targets:
        assert any(line.strip().startswith(f"{invoice_id}: missing in NetSuite") for line in problems), problems

    proxy.rewrites = {}  # the connector now knows these values
    dag_run = run_dag(dagbag, INVOICES)
    assert dag_run.state == "success", (task_states(dag_run), xcom_return(dag_run, "sync")["failed"])
    assert queued("invoices") == {}
    assert_ledger_clean(dagbag, tmp_path)


# -- a customer Stripe could not read is not "deleted" (issue 11, point 2) ------------------------------------


@pytest.mark.parametrize("fault", [
    {"status": 429},  # a plain 429: Stripe does not mark it retryable, the SDK does not retry
    {"status": 500, "count": 4},  # past the StripeHook's 3 SDK retries
], ids=["429-without-should-retry", "500-past-the-retries"])
def test_a_customer_stripe_could_not_read_is_not_created_from_its_invoice(dagbag, connections, fast_sdk_retries,
                                                                           fault, tmp_path):
    """The invoices flow creates a missing customer from its Stripe record; only a customer Stripe says is
    deleted is made from the invoice's copy. A failed read leaves the customer's invoices in the retry
    queue (STRIPE_READ, saying what happened) and creates nothing; the next run loads them."""
    from stripe_netsuite.hooks.netsuite import NetSuiteHook

    stripe_sb, _ = connections
    client = stripe_client(stripe_sb.url)
    invoices = [i.to_dict() for i in client.v1.invoices.list(params={"limit": 100}).auto_paging_iter()]
    customer = invoices[0]["customer"]
    theirs = {i["id"] for i in invoices if i["customer"] == customer and i["status"] != "draft"}
    stripe_fault(stripe_sb.url, path=f"/v1/customers/{customer}", method="GET", **fault)

    dag_run = run_dag(dagbag, INVOICES)  # before the customers flow: the invoices flow must create customers
    assert task_states(dag_run) == FAILED_CHECK
    assert customer not in netsuite_ids("customer")  # not made from an invoice's copy
    assert not [row for row in NetSuiteHook().suiteql("SELECT externalid, comments FROM customer")
                if "Deleted in Stripe" in (row.get("comments") or "")]
    waiting = queued("invoices")
    assert set(waiting) == theirs
    for entry in waiting.values():
        assert entry["code"] == "STRIPE_READ"
        assert f"its customer {customer} could not be read from Stripe (a passing Stripe error: " in entry["message"]
        assert "Nothing was written for this invoice; the next run tries it again" in entry["message"]
        said = "not retried" if fault["status"] == 429 else "after 3 retries"
        assert said in entry["message"] and "retried by Airflow" not in entry["message"]

    dag_run = run_dag(dagbag, INVOICES)  # the fault has passed
    assert dag_run.state == "success", task_states(dag_run)
    assert queued("invoices") == {}
    assert run_dag(dagbag, CUSTOMERS).state == "success"
    row = next(r for r in NetSuiteHook().suiteql("SELECT externalid, comments FROM customer") if r["externalid"] == customer)
    assert "Deleted in Stripe" not in (row.get("comments") or "")
    assert_ledger_clean(dagbag, tmp_path)


# -- poison records ------------------------------------------------------------------------------------------


def test_a_customer_with_half_a_name_fails_alone_and_loads_once_fixed(dagbag, connections, tmp_path):
    stripe_sb, _ = connections
    client = stripe_client(stripe_sb.url)
    bad = client.v1.customers.create(params={"name": "Half Named", "metadata": {"netsuite_first_name": "Half"}})

    dag_run = run_dag(dagbag, CUSTOMERS)
    assert task_states(dag_run) == FAILED_CHECK
    assert set(queued("customers")) == {bad.id} and "netsuite_last_name" in queued("customers")[bad.id]["message"]
    assert bad.id not in netsuite_ids("customer")
    assert run_dag(dagbag, INVOICES).state == "success"
    assert any(line.strip().startswith(f"{bad.id}: missing in NetSuite") for line in reconciliation_problems())

    client.v1.customers.update(bad.id, params={"metadata": {"netsuite_last_name": "Named"}})
    assert run_dag(dagbag, CUSTOMERS).state == "success"
    assert queued("customers") == {}
    assert_ledger_clean(dagbag, tmp_path)


def test_an_invoice_in_a_currency_netsuite_lacks_fails_alone_and_loads_once_enabled(dagbag, connections, monkeypatch,
                                                                                    tmp_path):
    import requests

    from stripe_netsuite.hooks.netsuite import NetSuiteHook

    stripe_sb, _ = connections
    client = stripe_client(stripe_sb.url)
    customer = client.v1.customers.create(params={"name": "Sydney Surf Pty Ltd", "email": "ap@surf.example"})
    invoice = client.v1.invoices.create(params={"customer": customer.id, "currency": "aud", "collection_method":
                                                "send_invoice", "days_until_due": 30})
    client.v1.invoice_items.create(params={"customer": customer.id, "invoice": invoice.id, "amount": 8800,
                                           "currency": "aud", "description": "Surfboard wax"})
    poison = client.v1.invoices.finalize_invoice(invoice.id).id
    assert run_dag(dagbag, CUSTOMERS).state == "success"

    dag_run = run_dag(dagbag, INVOICES)
    assert task_states(dag_run) == FAILED_CHECK
    assert set(queued("invoices")) == {poison} and "AUD" in queued("invoices")[poison]["message"]
    assert any(line.strip().startswith(f"{poison}: missing in NetSuite") for line in reconciliation_problems())

    hook = NetSuiteHook()
    aud = next(r["id"] for r in hook.suiteql("SELECT id, symbol FROM currency") if r["symbol"] == "AUD")
    requests.post(f"{hook.base_url}/_sandbox/reference/currency/{aud}", json={"isInactive": False},
                  timeout=10).raise_for_status()
    dag_run = run_dag(dagbag, INVOICES)
    assert dag_run.state == "success", task_states(dag_run)
    assert queued("invoices") == {}
    # The clean run the ledger is compared with starts from the same NetSuite set-up: AUD enabled there too.
    monkeypatch.setattr(ledger, "netsuite_sandbox_cmd", _with_aud_enabled(ledger.netsuite_sandbox_cmd, tmp_path))
    assert_ledger_clean(dagbag, tmp_path)


def _with_aud_enabled(command, tmp_path: Path):
    import netsuite_sandbox

    seed = yaml.safe_load((Path(netsuite_sandbox.__file__).parent / "seed.yaml").read_text())
    for currency in seed["currencies"]:
        if currency["symbol"] == "AUD":
            currency.pop("isInactive", None)
    seed_file = tmp_path / "seed-aud-enabled.yaml"
    seed_file.write_text(yaml.safe_dump(seed))
    return lambda db, *extra: command(db, "--seed-file", str(seed_file), *extra)
