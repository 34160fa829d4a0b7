"""The payouts DAG end to end with dag.test(): each paid payout is one NetSuite deposit equal to it."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import pytest

from stripe_netsuite.mapping import external_ids
from stripe_netsuite.mapping.money import to_decimal
from tests.flows.helpers import run_dag, stripe_client, task_states, xcom_return
from tests.flows.test_payments_flow import INVOICES_DAG, DAG_ID as PAYMENTS_DAG
from tests.flows.test_payments_scenario import payments  # noqa: F401 (fixture)
from tests.flows.test_refunds_flow import DAG_ID as REFUNDS_DAG, scenario  # noqa: F401 (fixture)

DAG_ID = "stripe_payouts_to_netsuite"
pytestmark = pytest.mark.usefixtures("airflow_db", "clean_variables")


def sync_all_five(dagbag, conf: dict | None = None, flows=(INVOICES_DAG, PAYMENTS_DAG, REFUNDS_DAG)) -> dict:
    for dag_id in flows:
        assert run_dag(dagbag, dag_id, conf).state == "success", dag_id
    dag_run = run_dag(dagbag, DAG_ID, conf)
    summary = xcom_return(dag_run, "sync")
    assert dag_run.state == "success", (task_states(dag_run), summary)
    return summary


def netsuite_deposits() -> dict[str, tuple[str, Decimal, int]]:
    """Deposit external ID -> (bank account external ID, total, payment lines)."""
    from stripe_netsuite.hooks.netsuite import NetSuiteHook

    hook = NetSuiteHook()
    rows = hook.suiteql(
        "SELECT t.id, t.externalid, t.foreigntotal, a.externalid AS bank FROM transaction t "
        "JOIN transactionaccountingline l ON l.transaction = t.id AND l.debit > 0 JOIN account a ON a.id = l.account "
        "WHERE t.type = 'Deposit' AND a.accttype = 'Bank'")
    links: dict[str, int] = defaultdict(int)
    for row in hook.suiteql("SELECT d.externalid FROM nexttransactionlinelink l JOIN transaction d ON d.id = l.nextdoc "
                            "WHERE l.linktype = 'Deposit'"):
        links[row.get("externalid", "")] += 1
    return {r["externalid"]: (r["bank"], Decimal(str(r["foreigntotal"])), links[r["externalid"]]) for r in rows
            if r.get("externalid")}  # a deposit made by hand has none


def paid_payouts(url: str) -> list[dict]:
    client = stripe_client(url)
    return [p.to_dict() for p in client.v1.payouts.list(params={"limit": 100}).auto_paging_iter()
            if p.status == "paid" and p.automatic]


def assert_every_paid_payout_is_one_equal_deposit(url: str) -> dict[str, tuple]:
    deposits = netsuite_deposits()
    payouts = paid_payouts(url)
    assert payouts, "the scenario has paid payouts"
    assert set(deposits) == {external_ids.deposit(p["id"]) for p in payouts}
    for payout in payouts:
        bank, total, lines = deposits[payout["id"]]
        assert total == to_decimal(payout["amount"], payout["currency"]), payout["id"]
        assert bank == "acct-operating-bank"
    return deposits


def test_every_paid_payout_of_the_payments_scenario_is_one_deposit_equal_to_it(dagbag, payments):  # noqa: F811
    summary = sync_all_five(dagbag)
    assert summary["failed"] == [], summary["failed"]
    before = assert_every_paid_payout_is_one_equal_deposit(payments.url)
    dag_run = run_dag(dagbag, DAG_ID)
    assert (xcom_return(dag_run, "sync")["created"], xcom_return(dag_run, "sync")["updated"]) == (0, 0)
    assert netsuite_deposits() == before


def undeposited_funds_and_banks() -> tuple[dict[str, Decimal], dict[str, Decimal]]:
    """Undeposited Funds per currency (of each GL line's own money) and each bank account's balance."""
    from stripe_netsuite.hooks.netsuite import NetSuiteHook

    funds: dict[str, Decimal] = defaultdict(Decimal)
    banks: dict[str, Decimal] = defaultdict(Decimal)
    rows = NetSuiteHook().suiteql(
        "SELECT a.sspecacct AS special, a.accttype AS kind, a.externalid AS account, cur.symbol AS currency, "
        "l.foreignamount AS fx_amount, l.amount AS base FROM transactionaccountingline l JOIN account a ON a.id = l.account "
        "JOIN currency cur ON cur.id = l.currency WHERE a.sspecacct = 'UndepFunds' OR a.accttype = 'Bank'")
    for row in rows:
        if row.get("special") == "UndepFunds":
            funds[row["currency"]] += Decimal(str(row["fx_amount"]))
        else:
            banks[row["account"]] += Decimal(str(row["fx_amount"]))
    return ({k: v for k, v in funds.items() if v}, {k: v for k, v in banks.items() if v})


def stripe_not_paid_out(url: str) -> dict[str, Decimal]:
    """Per currency of the money (the charge's, refund's, dispute's own), what Stripe holds but has not paid out:
    each balance transaction not yet on a paid payout, at its source's own amount."""
    from stripe_netsuite.mapping.payments import moves_money, paid_amount
    from stripe_netsuite.mapping.refunds import refund_booked, refund_reversed, withdrawal
    from tests.flows.test_payments_flow import stripe_charges
    from tests.flows.test_refunds_flow import stripe_refunds_and_disputes

    paid_out: set[str] = set()
    client = stripe_client(url)
    for payout in paid_payouts(url):
        for txn in client.v1.balance_transactions.list(params={"payout": payout["id"], "limit": 100}).auto_paging_iter():
            if txn.source:
                paid_out.add(txn.source if isinstance(txn.source, str) else txn.source.id)
    held: dict[str, Decimal] = defaultdict(Decimal)
    for charge in stripe_charges(url):
        if moves_money(charge) and charge["status"] != "failed" and charge["id"] not in paid_out:
            held[charge["currency"].upper()] += to_decimal(paid_amount(charge), charge["currency"])
    refunds, disputes = stripe_refunds_and_disputes(url)
    for refund in refunds:
        if refund_booked(refund) and not refund_reversed(refund) and refund["id"] not in paid_out:
            held[refund["currency"].upper()] -= to_decimal(refund["amount"], refund["currency"])
    for dispute in disputes:
        if withdrawal(dispute) is not None and dispute["id"] not in paid_out:
            held[dispute["currency"].upper()] -= to_decimal(dispute["amount"], dispute["currency"])
    return {k: v for k, v in held.items() if v}


def test_the_demo_and_edge_payouts_clear_undeposited_funds_into_the_bank(dagbag, scenario):  # noqa: F811
    summary = sync_all_five(dagbag)
    assert summary["failed"] == [], summary["failed"]
    deposits = assert_every_paid_payout_is_one_equal_deposit(scenario.url)
    funds, banks = undeposited_funds_and_banks()
    assert funds == stripe_not_paid_out(scenario.url)
    assert banks == {"acct-operating-bank": sum((total for _, total, _ in deposits.values()), Decimal(0))}


def test_a_payout_whose_transactions_were_never_synced_writes_them_first(dagbag, payments):  # noqa: F811
    summary = sync_all_five(dagbag, flows=())  # the payouts DAG alone, on an empty NetSuite
    assert summary["failed"] == [] and summary["dependencies_written"].get("payment records", 0) > 5
    assert_every_paid_payout_is_one_equal_deposit(payments.url)
    funds, _ = undeposited_funds_and_banks()
    assert funds == {}  # only what the payouts carried was written, and it is all deposited
    sync_all_five(dagbag)  # then the other flows bring the rest
    funds, _ = undeposited_funds_and_banks()
    assert funds == stripe_not_paid_out(payments.url)


def test_a_payout_waits_when_netsuite_disagrees_and_deposits_once_fixed(dagbag, payments):  # noqa: F811
    from stripe_netsuite.hooks.netsuite import NetSuiteHook
    from stripe_netsuite.sync.retry_queue import retry_queue_key
    from tests.fixtures.airflow import db_variable

    for dag_id in (INVOICES_DAG, PAYMENTS_DAG, REFUNDS_DAG):
        assert run_dag(dagbag, dag_id).state == "success"
    payout = paid_payouts(payments.url)[0]
    client = stripe_client(payments.url)
    charge = next(t.source for t in client.v1.balance_transactions.list(params={"payout": payout["id"], "limit": 100})
                  .auto_paging_iter() if t.reporting_category == "charge")
    hook = NetSuiteHook()
    (row,) = hook.suiteql(f"SELECT id, foreigntotal FROM transaction WHERE externalid = '{charge}'")
    by_hand = {"account": {"externalId": "acct-operating-bank"}, "payment": {"items": [{"id": row["id"], "deposit": True}]}}
    response = hook.rest.request("POST", "/record/v1/deposit", json=by_hand)
    response.raise_for_status()
    dag_run = run_dag(dagbag, DAG_ID)
    assert task_states(dag_run)["check_failed_records"] == "failed"
    queued = {e["stripe_id"]: e for e in db_variable(retry_queue_key("payouts"))}
    assert queued[payout["id"]]["code"] == "ALREADY_DEPOSITED" and charge in queued[payout["id"]]["message"]
    assert external_ids.deposit(payout["id"]) not in netsuite_deposits()  # never a partial deposit

    deposit_id = response.headers["Location"].rsplit("/", 1)[-1]
    hook.rest.request("DELETE", f"/record/v1/deposit/{deposit_id}").raise_for_status()
    dag_run = run_dag(dagbag, DAG_ID)
    assert dag_run.state == "success", task_states(dag_run)
    assert_every_paid_payout_is_one_equal_deposit(payments.url)


def test_a_large_payout_becomes_several_deposits_adding_up_to_it(dagbag, payments, tmp_path, monkeypatch):  # noqa: F811
    settings = tmp_path / "settings.yaml"
    settings.write_text("payouts:\n  max_transactions_per_deposit: 2\n")
    monkeypatch.setenv("STRIPE_NETSUITE_SETTINGS", str(settings))
    assert sync_all_five(dagbag)["failed"] == []
    deposits = netsuite_deposits()
    for payout in paid_payouts(payments.url):
        parts = {k: v for k, v in deposits.items() if k.split("-")[0] == payout["id"]}
        assert sum((total for _, total, _ in parts.values()), Decimal(0)) == to_decimal(payout["amount"], payout["currency"])
    assert any("-" in k for k in deposits)


@pytest.fixture
def refunds_scenario(monkeypatch, netsuite):
    from tests.fixtures.sandboxes import netsuite_conn, start_sandbox, stripe_conn, stripe_sandbox_cmd

    sandbox = start_sandbox(stripe_sandbox_cmd("--scenario", "refunds", "--seed", "7"))
    monkeypatch.setenv("AIRFLOW_CONN_STRIPE_DEFAULT", stripe_conn(sandbox.url))
    monkeypatch.setenv("AIRFLOW_CONN_NETSUITE_DEFAULT", netsuite_conn(netsuite.url))
    yield sandbox
    sandbox.stop()


def test_refunds_failed_refunds_and_disputes_won_and_lost_are_deposited_with_their_fees(dagbag, refunds_scenario):
    """The refunds scenario (refunds full, partial, failed later, ACH; disputes won, lost, open, in EUR): the payouts
    DAG runs first on an empty NetSuite, writing what its payouts carry through their own flows, then the others."""
    summary = sync_all_five(dagbag, flows=())
    assert summary["failed"] == [], summary["failed"]
    sync_all_five(dagbag)
    deposits = assert_every_paid_payout_is_one_equal_deposit(refunds_scenario.url)
    funds, banks = undeposited_funds_and_banks()
    assert funds == stripe_not_paid_out(refunds_scenario.url)
    assert banks == {"acct-operating-bank": sum((total for _, total, _ in deposits.values()), Decimal(0))}
    dag_run = run_dag(dagbag, DAG_ID)
    assert (xcom_return(dag_run, "sync")["created"], xcom_return(dag_run, "sync")["updated"]) == (0, 0)


def test_a_payout_paid_after_the_first_run_is_deposited_from_its_events(dagbag, payments):  # noqa: F811
    from tests.flows.helpers import open_invoice
    from tests.flows.test_payments_scenario import advance

    sync_all_five(dagbag)
    before = set(netsuite_deposits())
    client = stripe_client(payments.url)
    customer = client.v1.customers.create(params={"name": "Late Payer", "email": "ap@late.example"}).id
    client.v1.invoices.pay(open_invoice(client, customer, "usd", 9900), params={"payment_method": "pm_card_visa"})
    advance(payments.url, 4 * 86400)  # the charge becomes available, is paid out and arrives
    summary = sync_all_five(dagbag)
    assert summary["mode"] == "incremental" and summary["failed"] == []
    assert set(netsuite_deposits()) > before
    assert_every_paid_payout_is_one_equal_deposit(payments.url)
