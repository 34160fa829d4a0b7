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
        links[row["externalid"]] += 1
    return {r["externalid"]: (r["bank"], Decimal(str(r["foreigntotal"])), links[r["externalid"]]) for r in rows}


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
        assert bank == "acct-operating-bank" and lines > 0
    return deposits


def test_every_paid_payout_of_the_payments_scenario_is_one_deposit_equal_to_it(dagbag, payments):  # noqa: F811
    summary = sync_all_five(dagbag)
    assert summary["failed"] == [], summary["failed"]
    before = assert_every_paid_payout_is_one_equal_deposit(payments.url)
    dag_run = run_dag(dagbag, DAG_ID)
    assert (xcom_return(dag_run, "sync")["created"], xcom_return(dag_run, "sync")["updated"]) == (0, 0)
    assert netsuite_deposits() == before
