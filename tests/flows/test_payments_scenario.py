"""The payments DAG on the Stripe sandbox's ``payments`` scenario: every way an invoice is paid, or not.

Split and attached payments, EUR and JPY charges settling in USD, bank debits that settle or fail later,
standalone and guest payments, invoices paid outside Stripe, and a payment NetSuite cannot apply.
"""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest

from stripe_netsuite.mapping import external_ids
from tests.fixtures.sandboxes import STRIPE_KEY, start_sandbox, stripe_conn, stripe_sandbox_cmd
from tests.flows.helpers import open_invoice, run_dag, stripe_client, task_states, xcom_return
from tests.flows.test_payments_flow import (
    DAG_ID,
    EVERYTHING,
    INVOICES_DAG,
    assert_every_payment_once_and_invoices_agree,
    netsuite_payments,
    netsuite_remaining,
    stripe_charges,
)

pytestmark = pytest.mark.usefixtures("airflow_db", "clean_variables")
DAY = 86400


@pytest.fixture
def payments(monkeypatch, netsuite):
    from tests.fixtures.sandboxes import netsuite_conn

    sandbox = start_sandbox(stripe_sandbox_cmd("--scenario", "payments", "--seed", "11"))
    monkeypatch.setenv("AIRFLOW_CONN_STRIPE_DEFAULT", stripe_conn(sandbox.url))
    monkeypatch.setenv("AIRFLOW_CONN_NETSUITE_DEFAULT", netsuite_conn(netsuite.url))
    yield sandbox
    sandbox.stop()


def advance(url: str, seconds: int) -> None:
    """Move the Stripe sandbox's clock on (bank debits settle or fail as it passes)."""
    httpx.post(f"{url}/_sandbox/clock", data={"advance": seconds}, auth=(STRIPE_KEY, "")).raise_for_status()


def sync_all(dagbag, conf: dict | None = None) -> dict:
    assert run_dag(dagbag, INVOICES_DAG, conf).state == "success"
    dag_run = run_dag(dagbag, DAG_ID, conf)
    summary = xcom_return(dag_run, "sync")
    assert dag_run.state == "success", (task_states(dag_run), summary)
    return summary


def by_case(url: str) -> dict[str, list[dict]]:
    """The scenario's charges by ``metadata.case`` of their invoice or payment intent."""
    client = stripe_client(url)
    case_of_invoice = {i.id: i.to_dict()["metadata"].get("case")
                       for i in client.v1.invoices.list(params={"limit": 100}).auto_paging_iter()}
    case_of_intent = {pi.id: pi.to_dict()["metadata"].get("case")
                      for pi in client.v1.payment_intents.list(params={"limit": 100}).auto_paging_iter()}
    invoice_of_intent = {p.payment.payment_intent: p.invoice for p in client.v1.invoice_payments.list(params={"limit": 100})
                         .auto_paging_iter()}
    out: dict[str, list[dict]] = {}
    for charge in stripe_charges(url):
        intent = charge["payment_intent"]
        case = case_of_intent.get(intent) or case_of_invoice.get(invoice_of_intent.get(intent))
        out.setdefault(case or "?", []).append({**charge, "invoice": invoice_of_intent.get(intent)})
    return out


def test_every_way_of_paying_lands_once_on_the_right_record(dagbag, payments):
    summary = sync_all(dagbag)
    assert summary["failed"] == []
    netsuite = assert_every_payment_once_and_invoices_agree(payments.url)
    cases = by_case(payments.url)

    split = [c for c in cases["split"] if c["status"] != "failed"]
    applied_to: dict[str, Decimal] = {}
    for charge in split:
        invoice, amount = netsuite[charge["id"]][4]
        assert invoice == charge["invoice"] and amount == netsuite[charge["id"]][1]
        applied_to[invoice] = applied_to.get(invoice, Decimal(0)) + amount
    assert sorted(applied_to.values()) == [Decimal("100.00"), Decimal("600.00")]  # 40+60; 200+250+150

    for case, rate in (("card_eur", Decimal("1.08")), ("card_jpy", Decimal("0.0067"))):
        for charge in cases[case]:
            _type, total, currency, written_rate, applied = netsuite[charge["id"]]
            assert written_rate == rate and currency == charge["currency"].upper() and applied[1] == total
    jpy = cases["card_jpy"][0]
    assert netsuite[jpy["id"]][1] == Decimal(jpy["amount"])  # zero-decimal: yen as they are

    (pending,) = cases["ach_processing"]
    assert pending["id"].startswith("py_") and pending["status"] == "pending"
    assert netsuite[pending["id"]][4][0] == pending["invoice"]  # applied while Stripe waits for the bank

    (failed,) = cases["ach_failed"]
    assert failed["status"] == "failed" and netsuite[failed["id"]][4] is None  # unapplied: the invoice is open
    refund = netsuite[external_ids.failed_payment_refund(failed["id"])]
    assert refund[0] == "customerrefund" and refund[4] == (failed["id"], refund[1])
    assert netsuite_remaining()[failed["invoice"]] == Decimal(failed["amount"]) / 100

    assert all(c["status"] == "failed" and c["id"] not in netsuite for c in cases["declined"])
    (standalone,) = cases["standalone"]
    assert netsuite[standalone["id"]][4] is None
    assert "Workshop ticket (standalone)" in payment_memo(standalone["id"])
    (guest,) = cases["guest"]
    assert guest_customer_of(guest["id"]) == "Stripe Guest Customer"


def payment_memo(external_id: str) -> str:
    from stripe_netsuite.hooks.netsuite import NetSuiteHook

    (row,) = NetSuiteHook().suiteql(f"SELECT memo FROM transaction WHERE externalid = '{external_id}'")
    return row["memo"]


def guest_customer_of(external_id: str) -> str:
    from stripe_netsuite.hooks.netsuite import NetSuiteHook

    (row,) = NetSuiteHook().suiteql(
        "SELECT c.companyname AS name FROM transaction t JOIN customer c ON c.id = t.entity "
        f"WHERE t.externalid = '{external_id}'")
    return row["name"]


def test_bank_debits_settle_or_fail_later_and_netsuite_follows(dagbag, payments):
    client = stripe_client(payments.url)
    sync_all(dagbag)
    cases = by_case(payments.url)
    (pending,) = cases["ach_processing"]
    customer = cases["ach_failed"][0]["customer"]
    bounced = open_invoice(client, customer, "usd", 7500)
    client.v1.invoices.pay(bounced, params={"payment_method": "pm_usBankAccount_accountClosed"})
    sync_all(dagbag)
    before = netsuite_payments()
    assert netsuite_remaining()[bounced] == 0  # the pending debit is applied
    assert "pending in Stripe" in payment_memo(pending["id"])
    (debit,) = [c for c in stripe_charges(payments.url) if c["customer"] == customer and c["status"] == "pending"]

    advance(payments.url, 7 * DAY)  # past 4 business days: one settles, the other fails
    summary = sync_all(dagbag)
    assert summary["failed"] == [] and summary["updated"] >= 2
    after = assert_every_payment_once_and_invoices_agree(payments.url)
    assert after[pending["id"]][4] == before[pending["id"]][4]  # settled: still applied, memo no longer pending
    assert "pending" not in payment_memo(pending["id"])
    assert after[debit["id"]][4] is None and netsuite_remaining()[bounced] == Decimal("75.00")  # the invoice reopens
    assert after[external_ids.failed_payment_refund(debit["id"])][1] == Decimal("75.00")
    assert "account" in payment_memo(external_ids.failed_payment_refund(debit["id"])).lower()

    dag_run = run_dag(dagbag, DAG_ID)  # and nothing moves again
    assert (xcom_return(dag_run, "sync")["created"], xcom_return(dag_run, "sync")["updated"]) == (0, 0)


def test_a_charge_for_an_invoice_paid_by_hand_in_netsuite_loads_unapplied_and_never_loops(dagbag, payments):
    from stripe_netsuite.hooks.netsuite import NetSuiteHook
    from stripe_netsuite.mapping.records import NeutralRecord

    client = stripe_client(payments.url)
    sync_all(dagbag)
    customer = by_case(payments.url)["card_usd"][0]["customer"]
    invoice = open_invoice(client, customer, "usd", 4200)
    sync_all(dagbag)
    hook = NetSuiteHook()
    (row,) = hook.suiteql(f"SELECT id FROM transaction WHERE externalid = '{invoice}'")
    hook.upsert(NeutralRecord("customerPayment", "cheque-by-hand-1", {
        "customer": {"externalId": customer}, "payment": Decimal("42.00"), "undepFunds": True,
        "apply": {"items": [{"doc": {"id": row["id"]}, "apply": True, "amount": Decimal("42.00")}]}}))
    client.v1.invoices.pay(invoice, params={"payment_method": "pm_card_visa"})

    summary = sync_all(dagbag)
    (charge,) = [c for c in by_case(payments.url).get("?", []) + by_case(payments.url)["card_usd"]
                 if c["invoice"] == invoice]
    assert summary["failed"] == [] and summary["retry_queue_size"] == 0
    assert netsuite_payments()[charge["id"]][4] is None
    assert payment_memo(charge["id"]).startswith(f"Stripe Payment Error: could not apply to invoice {invoice}")
    dag_run = run_dag(dagbag, DAG_ID, {"stripe_ids": [charge["id"]]})
    assert (xcom_return(dag_run, "sync")["created"], xcom_return(dag_run, "sync")["updated"]) == (0, 0)


def test_with_the_setting_a_payment_without_an_invoice_pays_its_own_invoice(dagbag, payments, tmp_path, monkeypatch):
    settings = tmp_path / "settings.yaml"
    settings.write_text("payments:\n  standalone_charges: invoice\n")
    monkeypatch.setenv("STRIPE_NETSUITE_SETTINGS", str(settings))
    sync_all(dagbag)
    (standalone,) = by_case(payments.url)["standalone"]
    invoice = external_ids.payment_invoice(standalone["id"])
    assert netsuite_payments()[standalone["id"]][4] == (invoice, Decimal(standalone["amount"]) / 100)
    assert netsuite_remaining()[invoice] == 0


def test_a_backfill_of_a_past_window_matches_what_the_incremental_runs_left(dagbag, payments, tmp_path, monkeypatch):
    import datetime as dt

    from tests.fixtures.sandboxes import netsuite_conn, netsuite_sandbox_cmd

    sync_all(dagbag)
    incremental = netsuite_payments()
    charges = [c for c in stripe_charges(payments.url) if c["id"] in incremental]
    days = sorted({dt.datetime.fromtimestamp(c["created"], dt.timezone.utc).date() for c in charges})
    start, end = days[1], days[-1]
    lo = int(dt.datetime.combine(start, dt.time(), dt.timezone.utc).timestamp())
    hi = int(dt.datetime.combine(end, dt.time(), dt.timezone.utc).timestamp())
    inside = {c["id"] for c in charges if lo <= c["created"] < hi}
    assert 0 < len(inside) < len(charges)
    expected = {k: v for k, v in incremental.items() if k.split("-")[-1] in inside}
    other = start_sandbox(netsuite_sandbox_cmd(tmp_path / "window.db"))
    try:
        monkeypatch.setenv("AIRFLOW_CONN_NETSUITE_DEFAULT", netsuite_conn(other.url))
        assert run_dag(dagbag, INVOICES_DAG, EVERYTHING).state == "success"
        dag_run = run_dag(dagbag, DAG_ID, {"start": start.isoformat(), "end": end.isoformat()})
        assert dag_run.state == "success", task_states(dag_run)
        assert netsuite_payments() == expected
    finally:
        other.stop()


def test_soap_transport_loads_the_payments_scenario_the_same_way(dagbag, monkeypatch, netsuite, wsdl_path, tmp_path):
    """Over SOAP (the WSDL's CustomerPayment / CustomerRefund, applyList) NetSuite ends as over REST."""
    from tests.fixtures.sandboxes import netsuite_conn, netsuite_sandbox_cmd

    sandbox = start_sandbox(stripe_sandbox_cmd("--scenario", "payments", "--seed", "11"))
    rest = start_sandbox(netsuite_sandbox_cmd(tmp_path / "rest.db"))
    try:
        monkeypatch.setenv("AIRFLOW_CONN_STRIPE_DEFAULT", stripe_conn(sandbox.url))
        monkeypatch.setenv("AIRFLOW_CONN_NETSUITE_DEFAULT", netsuite_conn(rest.url))
        sync_all(dagbag)
        over_rest = netsuite_payments()
        from tests.fixtures.airflow import wipe_variables

        wipe_variables()
        monkeypatch.setenv("AIRFLOW_CONN_NETSUITE_DEFAULT", netsuite_conn(netsuite.url, transport="soap",
                                                                          wsdl=str(wsdl_path)))
        summary = sync_all(dagbag)
        assert summary["failed"] == []
        assert netsuite_payments() == over_rest
        assert_every_payment_once_and_invoices_agree(sandbox.url)
    finally:
        rest.stop()
        sandbox.stop()


def test_an_invoice_written_off_then_paid_is_brought_up_to_date_before_its_payment(dagbag, payments):
    """The payments DAG runs before the invoices DAG has seen the payment: the invoice it last wrote is written
    off in NetSuite (nothing open), yet the payment applies, because the invoice is rewritten first."""
    client = stripe_client(payments.url)
    sync_all(dagbag)
    customer = by_case(payments.url)["card_usd"][0]["customer"]
    invoice = open_invoice(client, customer, "usd", 6100)
    client.v1.invoices.mark_uncollectible(invoice)
    sync_all(dagbag)
    assert netsuite_remaining()[invoice] == 0  # written off
    client.v1.invoices.pay(invoice, params={"payment_method": "pm_card_visa"})
    dag_run = run_dag(dagbag, DAG_ID)  # the payments DAG only
    assert dag_run.state == "success", task_states(dag_run)
    (charge,) = [c for c in stripe_charges(payments.url) if c["customer"] == customer and c["amount"] == 6100]
    assert netsuite_payments()[charge["id"]][4] == (invoice, Decimal("61.00"))
    assert not payment_memo(charge["id"]).startswith("Stripe Payment Error")
    assert_every_payment_once_and_invoices_agree(payments.url)


def test_with_the_setting_invoices_paid_outside_stripe_are_recorded_to_the_bank(dagbag, payments, tmp_path, monkeypatch):
    from stripe_netsuite.hooks.netsuite import NetSuiteHook

    settings = tmp_path / "settings.yaml"
    settings.write_text("payments:\n  out_of_band: record\n  out_of_band_account: acct-operating-bank\n")
    monkeypatch.setenv("STRIPE_NETSUITE_SETTINGS", str(settings))
    client = stripe_client(payments.url)
    sync_all(dagbag)
    (paid_outside,) = [i for i in client.v1.invoices.list(params={"limit": 100}).auto_paging_iter()
                       if i.to_dict()["metadata"].get("case") == "out_of_band"]
    payment = external_ids.out_of_band_payment(paid_outside.id)
    amount = Decimal(paid_outside.amount_paid_off_stripe) / 100
    assert netsuite_payments()[payment][1:] == (amount, "USD", Decimal(1), (paid_outside.id, amount))
    assert netsuite_remaining()[paid_outside.id] == 0
    (row,) = NetSuiteHook().suiteql(
        "SELECT a.externalid AS account FROM transactionaccountingline l JOIN account a ON a.id = l.account "
        f"JOIN transaction t ON t.id = l.transaction WHERE t.externalid = '{payment}' AND l.debit > 0")
    assert row["account"] == "acct-operating-bank"  # never Undeposited Funds: no payout carries it

    customer = by_case(payments.url)["card_usd"][0]["customer"]  # and one paid outside Stripe later, by event
    later = open_invoice(client, customer, "usd", 3300)
    sync_all(dagbag)
    client.v1.invoices.pay(later, params={"paid_out_of_band": True})
    sync_all(dagbag)
    assert netsuite_payments()[external_ids.out_of_band_payment(later)][4] == (later, Decimal("33.00"))
