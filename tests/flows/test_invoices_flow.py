"""The invoices DAG end to end with dag.test(), against the demo and edge scenarios."""

from __future__ import annotations

from decimal import Decimal

import pytest

from stripe_netsuite.reconcile.invoices import NETSUITE_ROWS_QUERY, reconcile_invoices
from stripe_netsuite.sync.cursor import cursor_key
from stripe_netsuite.sync.retry_queue import retry_queue_key
from tests.fixtures.airflow import db_variable
from tests.fixtures.sandboxes import start_sandbox, stripe_conn, stripe_sandbox_cmd
from tests.flows.helpers import open_invoice, run_dag, stripe_client, task_states, xcom_return

DAG_ID = "stripe_invoices_to_netsuite"
pytestmark = pytest.mark.usefixtures("airflow_db", "clean_variables")


@pytest.fixture(params=["demo", "edge"])
def scenario(request, monkeypatch, netsuite):
    from tests.fixtures.sandboxes import netsuite_conn

    sandbox = start_sandbox(stripe_sandbox_cmd("--scenario", request.param, "--seed", "7"))
    monkeypatch.setenv("AIRFLOW_CONN_STRIPE_DEFAULT", stripe_conn(sandbox.url))
    monkeypatch.setenv("AIRFLOW_CONN_NETSUITE_DEFAULT", netsuite_conn(netsuite.url))
    yield sandbox
    sandbox.stop()


def stripe_state(url):
    client = stripe_client(url)
    invoices = [i.to_dict() for i in client.v1.invoices.list(params={"limit": 100}).auto_paging_iter()]
    notes = [c.to_dict() for c in client.v1.credit_notes.list(params={"limit": 100}).auto_paging_iter()]
    return invoices, notes


def netsuite_rows():
    from stripe_netsuite.hooks.netsuite import NetSuiteHook

    return list(NetSuiteHook().suiteql_after(NETSUITE_ROWS_QUERY))


def reconcile(url):
    invoices, notes = stripe_state(url)
    return reconcile_invoices(invoices, notes, netsuite_rows())


def test_one_run_loads_every_finalized_invoice_once_and_reconciles(dagbag, scenario):
    dag_run = run_dag(dagbag, DAG_ID)
    assert dag_run.state == "success", (task_states(dag_run), xcom_return(dag_run, "sync"))
    report = reconcile(scenario.url)
    assert report.ok, report.lines()
    assert report.matched == report.stripe_invoices > 10
    assert report.credit_memos_matched == report.credit_memos_expected >= 2
    # Customers and items were created on the way (the customers flow never ran), once each.
    summary = xcom_return(dag_run, "sync")
    written = summary["dependencies_written"]
    assert written["customer"] >= 8 and written["serviceSaleItem"] >= 5 and written["discountItem"] >= 1
    from stripe_netsuite.hooks.netsuite import NetSuiteHook

    items = [r["externalid"] for r in NetSuiteHook().suiteql("SELECT externalid FROM item ORDER BY id")]
    prices = [x for x in items if x.startswith("price_")]
    assert len(prices) == written["serviceSaleItem"] and len(set(items)) == len(items)
    assert run_dag(dagbag, DAG_ID, {"start": "2000-01-01", "end": "2100-01-01"}).state == "success"
    assert [r["externalid"] for r in NetSuiteHook().suiteql("SELECT externalid FROM item ORDER BY id")] == items


@pytest.fixture
def demo(monkeypatch, connections):
    stripe_sb, netsuite_sb = connections
    return stripe_sb


def customer_in(client, currency: str) -> str:
    for customer in client.v1.customers.list(params={"limit": 100}).auto_paging_iter():
        if customer.to_dict().get("currency") == currency:
            return customer.id
    raise AssertionError(f"the demo has no {currency} customer")


def netsuite_state() -> dict[str, tuple]:
    """What NetSuite holds for the invoices flow, by external ID (internal IDs differ between accounts)."""
    return {r["externalid"]: (r["recordtype"], r["currency"], r["customer"], Decimal(str(r["foreigntotal"])),
                              Decimal(str(r["foreignamountremaining"]))) for r in netsuite_rows()}


def test_second_run_changes_nothing(dagbag, scenario):
    assert run_dag(dagbag, DAG_ID).state == "success"
    before = netsuite_rows()
    dag_run = run_dag(dagbag, DAG_ID)
    assert dag_run.state == "success"
    summary = xcom_return(dag_run, "sync")
    assert (summary["mode"], summary["created"], summary["updated"], summary["failed"]) == ("incremental", 0, 0, [])
    assert summary["dependencies_written"] == {}
    assert netsuite_rows() == before


def test_lifecycle_by_events_then_backfill_gives_the_same_state(dagbag, demo, tmp_path, monkeypatch):
    client = stripe_client(demo.url)
    assert run_dag(dagbag, DAG_ID).state == "success"
    usd = customer_in(client, "usd")

    to_void = open_invoice(client, usd, "usd", 12000)
    to_write_off = open_invoice(client, usd, "usd", 5000, 2550)
    credited = open_invoice(client, usd, "usd", 30000, 9999)
    goodwill = client.v1.credit_notes.create(params={"invoice": credited, "amount": 4999, "memo": "Goodwill"})
    paid = open_invoice(client, usd, "usd", 45000)
    dag_run = run_dag(dagbag, DAG_ID)
    assert dag_run.state == "success", task_states(dag_run)
    summary = xcom_return(dag_run, "sync")
    assert summary["mode"] == "incremental" and summary["failed"] == []
    assert {to_void, to_write_off, credited, paid} <= set(summary["id_map"])
    assert reconcile(demo.url).ok, reconcile(demo.url).lines()

    client.v1.invoices.void_invoice(to_void)
    client.v1.invoices.mark_uncollectible(to_write_off)
    client.v1.invoices.pay(paid, params={"paid_out_of_band": True})
    refund_note = client.v1.credit_notes.create(params={"invoice": paid, "amount": 10000, "out_of_band_amount": 10000})
    dag_run = run_dag(dagbag, DAG_ID)
    assert dag_run.state == "success", task_states(dag_run)
    report = reconcile(demo.url)
    assert report.ok, report.lines()
    state = netsuite_state()
    assert state[f"cm-void-{to_void}"][3:] == (Decimal("120.00"), 0)
    assert state[f"cm-unc-{to_write_off}"][3] == Decimal("75.50")
    assert state[to_void][4] == state[to_write_off][4] == 0
    assert state[credited][4] == Decimal("350.00")  # 399.99 less the 49.99 credit note, applied at once

    client.v1.credit_notes.void_credit_note(goodwill.id)
    dag_run = run_dag(dagbag, DAG_ID)
    assert dag_run.state == "success", task_states(dag_run)
    assert reconcile(demo.url).ok, reconcile(demo.url).lines()
    state = netsuite_state()
    assert state[goodwill.id][3:] == (0, 0) and state[credited][4] == Decimal("399.99")  # the void zeroes the memo
    assert state[paid][4] == Decimal("450.00")  # paid out of band: the payments flow applies payments
    assert state[refund_note.id][3:] == (Decimal("100.00"), Decimal("100.00"))  # refunded outside Stripe: apply by hand

    # A second NetSuite account, filled by one backfill over the whole history, ends the same.
    from tests.fixtures.sandboxes import netsuite_conn, netsuite_sandbox_cmd

    other = start_sandbox(netsuite_sandbox_cmd(tmp_path / "backfill.db"))
    try:
        monkeypatch.setenv("AIRFLOW_CONN_NETSUITE_DEFAULT", netsuite_conn(other.url))
        cursor = db_variable(cursor_key("invoices"))
        dag_run = run_dag(dagbag, DAG_ID, {"start": "2000-01-01", "end": "2100-01-01"})
        assert dag_run.state == "success", task_states(dag_run)
        assert xcom_return(dag_run, "sync")["mode"] == "backfill"
        assert netsuite_state() == state
        assert db_variable(cursor_key("invoices")) == cursor
    finally:
        other.stop()


def test_customer_balances_on_invoices_reconcile_through_pay_void_and_write_off(dagbag, demo):
    client = stripe_client(demo.url)
    assert run_dag(dagbag, DAG_ID).state == "success"
    owing = [client.v1.customers.create(params={"name": f"Owes Before {n}", "email": f"ap{n}@owes.example",
                                                 "balance": 2500}).id for n in range(3)]
    paid, to_void, to_write_off = (open_invoice(client, customer, "usd", 10000) for customer in owing)
    assert client.v1.invoices.retrieve(paid).amount_due == 12500  # Stripe bills the 25.00 owed from before
    in_credit = client.v1.customers.create(params={"name": "In Credit", "email": "ap@credit.example",
                                                   "balance": -3000}).id
    credit_voided = open_invoice(client, in_credit, "usd", 10000)
    assert client.v1.invoices.retrieve(credit_voided).amount_due == 7000  # the 30.00 credit is used
    small_buyer = client.v1.customers.create(params={"name": "Small", "email": "ap@small.example"}).id
    too_small = open_invoice(client, small_buyer, "usd", 30)  # below the minimum charge: moved to the balance
    assert client.v1.invoices.retrieve(too_small).status == "paid"
    carries_it = open_invoice(client, small_buyer, "usd", 1000)
    assert client.v1.invoices.retrieve(carries_it).amount_due == 1030
    dag_run = run_dag(dagbag, DAG_ID)
    assert dag_run.state == "success", task_states(dag_run)
    assert reconcile(demo.url).ok, reconcile(demo.url).lines()
    assert invoice_line_items(paid) == ["stripe-item-generic", "stripe-item-customer-balance"]
    assert netsuite_state()[paid][3:] == (Decimal("125.00"), Decimal("125.00"))
    state = netsuite_state()
    # the 0.30 Stripe did not charge is closed into the customer-balance account and billed next time
    assert state[too_small][3:] == (Decimal("0.30"), 0) and state[f"cm-bal-{too_small}"][3:] == (Decimal("0.30"), 0)
    assert state[carries_it][3:] == (Decimal("10.30"), Decimal("10.30"))

    client.v1.invoices.pay(paid, params={"paid_out_of_band": True})
    client.v1.invoices.void_invoice(to_void)
    client.v1.invoices.mark_uncollectible(to_write_off)
    client.v1.invoices.void_invoice(credit_voided)
    # voiding gives the applied balance back to the customer in Stripe; writing off does not
    balances = [client.v1.customers.retrieve(customer).balance for customer in (owing[1], owing[2], in_credit)]
    assert balances == [2500, 0, -3000]
    dag_run = run_dag(dagbag, DAG_ID)
    assert dag_run.state == "success", task_states(dag_run)
    report = reconcile(demo.url)
    assert report.ok, report.lines()
    state = netsuite_state()
    assert state[paid][3:] == (Decimal("125.00"), Decimal("125.00"))  # the payments flow applies the 125.00
    assert state[f"cm-void-{to_void}"][3:] == state[f"cm-unc-{to_write_off}"][3:] == (Decimal("125.00"), 0)
    assert state[to_void][4] == state[to_write_off][4] == state[credit_voided][4] == 0
    assert state[f"cm-bal-{credit_voided}"][3:] == (Decimal("30.00"), 0)  # the credit used stays applied...
    assert state[f"cm-void-{credit_voided}"][3:] == (Decimal("70.00"), 0)  # ...and the void memo returns it
    assert invoice_line_items(f"cm-void-{credit_voided}") == ["stripe-item-generic", "stripe-item-customer-balance"]

    dag_run = run_dag(dagbag, DAG_ID)
    summary = xcom_return(dag_run, "sync")
    assert (dag_run.state, summary["created"], summary["updated"], summary["failed"]) == ("success", 0, 0, [])
    assert netsuite_state() == state


def test_backfill_over_synced_history_writes_nothing(dagbag, demo):
    assert run_dag(dagbag, DAG_ID).state == "success"
    before = netsuite_rows()
    dag_run = run_dag(dagbag, DAG_ID, {"start": "2000-01-01", "end": "2100-01-01"})
    assert dag_run.state == "success"
    summary = xcom_return(dag_run, "sync")
    assert (summary["created"], summary["updated"]) == (0, 0) and summary["unchanged"] > 10
    assert netsuite_rows() == before


def test_currency_not_enabled_fails_alone_and_loads_once_enabled(dagbag, demo):
    import requests

    client = stripe_client(demo.url)
    customer = client.v1.customers.create(params={"name": "Sydney Surf Pty Ltd", "email": "ap@surf.example"})
    poison = open_invoice(client, customer.id, "aud", 8800)
    dag_run = run_dag(dagbag, DAG_ID)
    assert task_states(dag_run) == {"sync": "success", "commit_cursor": "success", "check_failed_records": "failed"}
    (queued,) = db_variable(retry_queue_key("invoices"))
    assert queued["stripe_id"] == poison and "AUD" in queued["message"] and queued["attempts"] == 1
    report = reconcile(demo.url)
    assert report.problems == [
        f"{poison}: missing in NetSuite (Stripe 88.00 AUD, open) -> fix: trigger stripe_invoices_to_netsuite with "
        f"stripe_ids [{poison}] and force_rewrite on (if its check_failed_records task lists {poison}, fix the cause it "
        "gives first)"]

    assert run_dag(dagbag, DAG_ID).state == "failed"  # retried, still refused, nothing else touched
    assert db_variable(retry_queue_key("invoices"))[0]["attempts"] == 2

    from stripe_netsuite.hooks.netsuite import NetSuiteHook

    aud = next(r["id"] for r in NetSuiteHook().suiteql("SELECT id, symbol FROM currency") if r["symbol"] == "AUD")
    base = NetSuiteHook().base_url
    requests.post(f"{base}/_sandbox/reference/currency/{aud}", json={"isInactive": False}, timeout=10).raise_for_status()
    dag_run = run_dag(dagbag, DAG_ID)
    assert dag_run.state == "success", task_states(dag_run)
    assert db_variable(retry_queue_key("invoices")) == []
    report = reconcile(demo.url)
    assert report.ok, report.lines()


def test_soap_transport_loads_the_edge_scenario_the_same_way(dagbag, monkeypatch, netsuite, wsdl_path):
    from tests.fixtures.sandboxes import netsuite_conn

    sandbox = start_sandbox(stripe_sandbox_cmd("--scenario", "edge", "--seed", "7"))
    try:
        monkeypatch.setenv("AIRFLOW_CONN_STRIPE_DEFAULT", stripe_conn(sandbox.url))
        monkeypatch.setenv("AIRFLOW_CONN_NETSUITE_DEFAULT", netsuite_conn(netsuite.url, transport="soap", wsdl=str(wsdl_path)))
        dag_run = run_dag(dagbag, DAG_ID)
        assert dag_run.state == "success", (task_states(dag_run), xcom_return(dag_run, "sync"))
        report = reconcile(sandbox.url)
        assert report.ok, report.lines()
        assert report.matched == report.stripe_invoices and report.credit_memos_matched == report.credit_memos_expected
    finally:
        sandbox.stop()


def invoice_line_items(external_id: str) -> list[str]:
    """The NetSuite item external IDs (or internal IDs) on an invoice's item lines, in order."""
    from stripe_netsuite.hooks.netsuite import NetSuiteHook

    rows = NetSuiteHook().suiteql(
        "SELECT tl.item, i.externalid FROM transactionline tl JOIN transaction t ON t.id = tl.transaction "
        f"JOIN item i ON i.id = tl.item WHERE t.externalid = '{external_id}' AND tl.mainline = 'F' "
        "AND tl.taxline = 'F' ORDER BY tl.linesequencenumber"
    )
    return [row.get("externalid") or str(row["item"]) for row in rows]


def test_prices_get_their_own_items_and_metadata_links_existing_ones(dagbag, demo):
    from stripe_netsuite.hooks.netsuite import NetSuiteHook

    client = stripe_client(demo.url)
    assert run_dag(dagbag, DAG_ID).state == "success"
    existing = next(r for r in NetSuiteHook().suiteql("SELECT id, externalid FROM item")
                    if r["externalid"] == "stripe-item-unallocated")
    product = client.v1.products.create(params={"name": "Consulting day"})
    own = client.v1.prices.create(params={"product": product.id, "currency": "usd", "unit_amount": 90000,
                                           "nickname": "Consulting USD"})
    linked = client.v1.prices.create(params={"product": product.id, "currency": "usd", "unit_amount": 120000,
                                              "metadata": {"netsuite_service_sale_item_id": existing["id"]}})
    usd = customer_in(client, "usd")
    invoice = client.v1.invoices.create(params={"customer": usd, "collection_method": "send_invoice",
                                                "days_until_due": 30, "pending_invoice_items_behavior": "exclude"})
    for price in (own, linked):
        client.v1.invoice_items.create(params={"customer": usd, "invoice": invoice.id, "pricing": {"price": price.id}})
    client.v1.invoice_items.create(params={"customer": usd, "invoice": invoice.id, "currency": "usd",
                                           "price_data": {"currency": "usd", "product": product.id, "unit_amount": 500}})
    client.v1.invoices.finalize_invoice(invoice.id)

    dag_run = run_dag(dagbag, DAG_ID)
    assert dag_run.state == "success", task_states(dag_run)
    assert invoice_line_items(invoice.id) == [own.id, "stripe-item-unallocated", "stripe-item-generic"]
    assert xcom_return(dag_run, "sync")["dependencies_written"]["serviceSaleItem"] == 1  # linked and one-time: none
    assert reconcile(demo.url).ok


def test_backfill_of_a_past_window_matches_what_the_incremental_runs_left(dagbag, demo, tmp_path, monkeypatch):
    import datetime as dt

    from tests.fixtures.sandboxes import netsuite_conn, netsuite_sandbox_cmd

    assert run_dag(dagbag, DAG_ID).state == "success"
    incremental = netsuite_state()
    invoices, notes = stripe_state(demo.url)
    days = sorted({dt.datetime.fromtimestamp(i["created"], dt.timezone.utc).date() for i in invoices})
    start, end = days[1], days[-2]  # a window inside the history, cutting some invoices off either side
    lo = int(dt.datetime.combine(start, dt.time(), dt.timezone.utc).timestamp())
    hi = int(dt.datetime.combine(end, dt.time(), dt.timezone.utc).timestamp())
    inside = {i["id"] for i in invoices if lo <= i["created"] < hi}
    assert 0 < len(inside) < len(invoices)
    owned = {cn["id"]: cn["invoice"] for cn in notes}
    expected = {x: v for x, v in incremental.items() if (owned.get(x) or x.split("-")[-1]) in inside}

    other = start_sandbox(netsuite_sandbox_cmd(tmp_path / "window.db"))
    try:
        monkeypatch.setenv("AIRFLOW_CONN_NETSUITE_DEFAULT", netsuite_conn(other.url))
        dag_run = run_dag(dagbag, DAG_ID, {"start": start.isoformat(), "end": end.isoformat()})
        assert dag_run.state == "success", task_states(dag_run)
        assert netsuite_state() == expected
    finally:
        other.stop()
