"""The refunds and disputes DAG end to end with dag.test(): refunds full and partial, through credit notes, of
payments without an invoice, reversed; disputes won and lost; each once in NetSuite, at Stripe's rate."""

from __future__ import annotations

from decimal import Decimal

import pytest

from stripe_netsuite.mapping import external_ids
from tests.flows.helpers import open_invoice, run_dag, stripe_client, task_states, xcom_return
from tests.flows.test_payments_flow import (
    DAG_ID as PAYMENTS_DAG,
    EVERYTHING,
    INVOICES_DAG,
    netsuite_payments,
    netsuite_remaining,
)
from tests.flows.test_payments_scenario import payments  # noqa: F401 (fixture)

DAG_ID = "stripe_refunds_disputes_to_netsuite"
pytestmark = pytest.mark.usefixtures("airflow_db", "clean_variables")


def sync_everything(dagbag, conf: dict | None = None) -> dict:
    for dag_id in (INVOICES_DAG, PAYMENTS_DAG):
        assert run_dag(dagbag, dag_id, conf).state == "success"
    dag_run = run_dag(dagbag, DAG_ID, conf)
    summary = xcom_return(dag_run, "sync")
    assert dag_run.state == "success", (task_states(dag_run), summary)
    return summary


def memo_lines(external_id: str) -> list[tuple[str, Decimal]]:
    from stripe_netsuite.hooks.netsuite import NetSuiteHook

    rows = NetSuiteHook().suiteql(
        "SELECT i.externalid AS item, tl.foreignamount AS amount FROM transactionline tl JOIN transaction t "
        f"ON t.id = tl.transaction JOIN item i ON i.id = tl.item WHERE t.externalid = '{external_id}' "
        "AND tl.mainline = 'F' ORDER BY tl.linesequencenumber")
    return [(row["item"], abs(Decimal(str(row["amount"])))) for row in rows]


def paid_invoice(client, customer: str, *amounts: int, currency: str = "usd") -> tuple[str, str]:
    invoice = open_invoice(client, customer, currency, *amounts)
    client.v1.invoices.pay(invoice, params={"payment_method": "pm_card_visa"})
    (payment,) = client.v1.invoice_payments.list(params={"invoice": invoice}).data
    intent = client.v1.payment_intents.retrieve(payment.payment.payment_intent)
    return invoice, intent.latest_charge


def a_customer(client, currency: str = "usd") -> str:
    return client.v1.customers.create(params={"name": f"Refund Tester {currency}", "email": "ap@refund.example"}).id


def test_refunds_full_partial_through_a_credit_note_and_without_an_invoice(dagbag, payments):  # noqa: F811
    client = stripe_client(payments.url)
    customer = a_customer(client)
    one_line, one_line_charge = paid_invoice(client, customer, 8000)
    several, several_charge = paid_invoice(client, customer, 5000, 3000)
    whole, whole_charge = paid_invoice(client, customer, 4000, 2500)
    noted, noted_charge = paid_invoice(client, customer, 6000)
    direct = client.v1.payment_intents.create(params={"amount": 1500, "currency": "usd", "customer": customer,
                                                      "payment_method": "pm_card_visa", "confirm": True,
                                                      "description": "Workshop seat"})
    partial_one = client.v1.refunds.create(params={"charge": one_line_charge, "amount": 3000})
    partial_several = client.v1.refunds.create(params={"charge": several_charge, "amount": 2000})
    full = client.v1.refunds.create(params={"charge": whole_charge})
    note = client.v1.credit_notes.create(params={"invoice": noted, "amount": 2500, "refund_amount": 2500})
    note_refund = client.v1.refunds.retrieve(note.refunds[0].refund)
    standalone = client.v1.refunds.create(params={"payment_intent": direct.id, "amount": 500})

    summary = sync_everything(dagbag)
    assert summary["failed"] == []
    ns = netsuite_payments()
    for refund, credits in ((partial_one, external_ids.refund_memo(partial_one.id)),
                            (partial_several, external_ids.refund_memo(partial_several.id)),
                            (full, external_ids.refund_memo(full.id)),
                            (note_refund, external_ids.credit_note_memo(note.id)),
                            (standalone, external_ids.payment(direct.latest_charge))):
        assert ns[refund.id][0] == "customerrefund" and ns[refund.id][4] == (credits, Decimal(refund.amount) / 100)
    assert memo_lines(external_ids.refund_memo(partial_one.id)) == [(memo_lines(one_line)[0][0], Decimal("30.00"))]
    assert memo_lines(external_ids.refund_memo(partial_several.id)) == [("stripe-item-partial-refund", Decimal("20.00"))]
    assert memo_lines(external_ids.refund_memo(full.id)) == memo_lines(whole)  # the invoice's own lines
    assert external_ids.refund_memo(note_refund.id) not in ns  # credited once: through the credit note's memo
    assert all(netsuite_remaining()[i] == 0 for i in (one_line, several, whole, noted))

    before = netsuite_payments()
    dag_run = run_dag(dagbag, DAG_ID)  # a second run changes nothing
    assert (xcom_return(dag_run, "sync")["created"], xcom_return(dag_run, "sync")["updated"]) == (0, 0)
    dag_run = run_dag(dagbag, DAG_ID, EVERYTHING)  # nor does a backfill over it all
    assert (xcom_return(dag_run, "sync")["created"], xcom_return(dag_run, "sync")["updated"]) == (0, 0)
    assert netsuite_payments() == before


def test_a_dispute_withdraws_like_a_refund_and_winning_it_changes_nothing_here(dagbag, payments):  # noqa: F811
    client = stripe_client(payments.url)
    customer = a_customer(client)
    invoice = open_invoice(client, customer, "usd", 7000)
    client.v1.invoices.pay(invoice, params={"payment_method": "pm_card_createDispute"})
    dispute = next(d for d in client.v1.disputes.list(params={"limit": 100}).auto_paging_iter()
                   if d.amount == 7000 and d.status == "needs_response")
    summary = sync_everything(dagbag)
    assert summary["failed"] == []
    ns = netsuite_payments()
    memo = external_ids.dispute_memo(dispute.id)
    assert ns[external_ids.dispute_refund(dispute.id)][4] == (memo, Decimal("70.00"))
    assert memo_lines(memo) == memo_lines(invoice)

    before = netsuite_payments()
    import httpx

    from tests.fixtures.sandboxes import STRIPE_KEY

    httpx.post(f"{payments.url}/_sandbox/disputes/{dispute.id}/close", data={"status": "won"},
               auth=(STRIPE_KEY, "")).raise_for_status()
    dag_run = run_dag(dagbag, DAG_ID)
    assert dag_run.state == "success"
    assert netsuite_payments() == before  # won: the returned funds are a line of the payout's deposit
