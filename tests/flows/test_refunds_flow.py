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


def stripe_refunds_and_disputes(url: str) -> tuple[list[dict], list[dict]]:
    client = stripe_client(url)
    refunds = [r.to_dict() for r in client.v1.refunds.list(params={"limit": 100, "expand": ["data.balance_transaction"]})
               .auto_paging_iter()]
    disputes = [d.to_dict() for d in client.v1.disputes.list(params={"limit": 100}).auto_paging_iter()]
    return refunds, disputes


def assert_every_refund_and_dispute_once(url: str) -> dict[str, tuple]:
    """Each refund Stripe booked and each dispute that withdrew funds is one NetSuite customer refund of its amount
    (a reversed refund's applies the money back); Stripe's invoices show in NetSuite what Stripe expects."""
    from stripe_netsuite.mapping.money import to_decimal
    from stripe_netsuite.mapping.refunds import refund_booked, refund_reversed, withdrawal
    from tests.flows.test_payments_flow import assert_every_payment_once_and_invoices_agree

    ns = assert_every_payment_once_and_invoices_agree(url)
    refunds, disputes = stripe_refunds_and_disputes(url)
    expected = {external_ids.customer_refund(r["id"]): r for r in refunds if refund_booked(r)}
    expected |= {external_ids.dispute_refund(d["id"]): d for d in disputes if withdrawal(d) is not None}
    written = {k for k, v in ns.items() if v[0] == "customerrefund" and not k.startswith("rf-")}
    assert written == set(expected)
    for external_id, obj in expected.items():
        amount = to_decimal(obj["amount"], obj["currency"])
        assert ns[external_id][1:3] == (amount, obj["currency"].upper()), external_id
        if obj["object"] == "refund" and refund_reversed(obj):
            assert ns[external_id][4] == (external_ids.returned_refund(obj["id"]), amount)
    return ns


@pytest.fixture(params=["demo", "edge"])
def scenario(request, monkeypatch, netsuite):
    from tests.fixtures.sandboxes import netsuite_conn, start_sandbox, stripe_conn, stripe_sandbox_cmd

    sandbox = start_sandbox(stripe_sandbox_cmd("--scenario", request.param, "--seed", "7"))
    monkeypatch.setenv("AIRFLOW_CONN_STRIPE_DEFAULT", stripe_conn(sandbox.url))
    monkeypatch.setenv("AIRFLOW_CONN_NETSUITE_DEFAULT", netsuite_conn(netsuite.url))
    yield sandbox
    sandbox.stop()


def test_every_refund_and_withdrawn_dispute_of_the_scenarios_is_one_customer_refund(dagbag, scenario):
    summary = sync_everything(dagbag)
    assert summary["failed"] == []
    before = assert_every_refund_and_dispute_once(scenario.url)
    assert sum(v[0] == "customerrefund" for v in before.values()) >= 3  # 2 refunds and 1 or 2 disputes withdrawn
    dag_run = run_dag(dagbag, DAG_ID)
    assert (xcom_return(dag_run, "sync")["created"], xcom_return(dag_run, "sync")["updated"]) == (0, 0)
    assert netsuite_payments() == before


def test_eur_and_bank_debit_refunds_and_a_lost_eur_dispute(dagbag, payments):  # noqa: F811
    import httpx

    from tests.fixtures.sandboxes import STRIPE_KEY
    from tests.flows.test_payments_scenario import advance

    client = stripe_client(payments.url)
    eur_customer = a_customer(client, "eur")
    eur_invoice, eur_charge = paid_invoice(client, eur_customer, 9000, currency="eur")
    eur_refund = client.v1.refunds.create(params={"charge": eur_charge, "amount": 4000})
    usd_customer = a_customer(client)
    ach_invoice = open_invoice(client, usd_customer, "usd", 12000)
    client.v1.invoices.pay(ach_invoice, params={"payment_method": "pm_usBankAccount_success"})
    advance(payments.url, 7 * 86400)  # the debit settles
    (ach_charge,) = [c for c in client.v1.charges.list(params={"customer": usd_customer}).data]
    ach_refund = client.v1.refunds.create(params={"charge": ach_charge.id})
    disputed_invoice, disputed_charge = paid_invoice(client, eur_customer, 5000, 2000, currency="eur")
    opened = httpx.post(f"{payments.url}/_sandbox/disputes", data={"charge": disputed_charge},
                        auth=(STRIPE_KEY, ""))
    opened.raise_for_status()
    dispute_id = opened.json()["id"]
    httpx.post(f"{payments.url}/_sandbox/disputes/{dispute_id}/close", data={"status": "lost"},
               auth=(STRIPE_KEY, "")).raise_for_status()

    summary = sync_everything(dagbag)
    assert summary["failed"] == []
    ns = assert_every_refund_and_dispute_once(payments.url)
    refund_rate = Decimal(str(client.v1.balance_transactions.retrieve(eur_refund.balance_transaction).exchange_rate))
    assert ns[eur_refund.id][2:4] == ("EUR", refund_rate)
    assert ns[ach_refund.id][4] == (external_ids.refund_memo(ach_refund.id), Decimal("120.00"))
    dispute = client.v1.disputes.retrieve(dispute_id)
    withdrawn = next(t for t in dispute.balance_transactions if t.reporting_category == "dispute")
    dp = ns[external_ids.dispute_refund(dispute_id)]
    assert dp[1:4] == (Decimal("70.00"), "EUR", Decimal(str(withdrawn.exchange_rate)))
    assert memo_lines(external_ids.dispute_memo(dispute_id)) == memo_lines(disputed_invoice)  # full amount: own lines
    assert eur_invoice and netsuite_remaining()[disputed_invoice] == 0


def test_soap_and_a_backfill_into_another_netsuite_end_as_the_incremental_runs_over_rest(
        dagbag, monkeypatch, tmp_path, wsdl_path):
    """The edge scenario's refunds and disputes: hourly runs over REST, then one backfill over SOAP into a second
    NetSuite account, end in the same state (payments, refunds, what each applies)."""
    from tests.fixtures.airflow import wipe_variables
    from tests.fixtures.sandboxes import (
        netsuite_conn,
        netsuite_sandbox_cmd,
        start_sandbox,
        stripe_conn,
        stripe_sandbox_cmd,
    )

    stripe = start_sandbox(stripe_sandbox_cmd("--scenario", "edge", "--seed", "7"))
    rest = start_sandbox(netsuite_sandbox_cmd(tmp_path / "rest.db"))
    soap = start_sandbox(netsuite_sandbox_cmd(tmp_path / "soap.db"))
    try:
        monkeypatch.setenv("AIRFLOW_CONN_STRIPE_DEFAULT", stripe_conn(stripe.url))
        monkeypatch.setenv("AIRFLOW_CONN_NETSUITE_DEFAULT", netsuite_conn(rest.url))
        sync_everything(dagbag)
        incremental = netsuite_payments()
        wipe_variables()
        monkeypatch.setenv("AIRFLOW_CONN_NETSUITE_DEFAULT", netsuite_conn(soap.url, transport="soap",
                                                                          wsdl=str(wsdl_path)))
        summary = sync_everything(dagbag, EVERYTHING)
        assert summary["mode"] == "backfill" and summary["failed"] == []
        assert netsuite_payments() == incremental
    finally:
        for sandbox in (soap, rest, stripe):
            sandbox.stop()


def test_a_refund_that_fails_after_it_synced_is_reversed_so_netsuite_ends_where_stripe_does(dagbag, payments):  # noqa: F811
    from tests.flows.test_payments_scenario import advance

    client = stripe_client(payments.url)
    customer = a_customer(client)
    invoice = open_invoice(client, customer, "usd", 6400)
    client.v1.invoices.pay(invoice, params={"payment_method": "pm_card_refundFail"})
    (payment,) = client.v1.invoice_payments.list(params={"invoice": invoice}).data
    charge = client.v1.payment_intents.retrieve(payment.payment.payment_intent).latest_charge
    refund = client.v1.refunds.create(params={"charge": charge, "amount": 2400})
    sync_everything(dagbag)
    memo = external_ids.refund_memo(refund.id)
    assert netsuite_payments()[refund.id][4] == (memo, Decimal("24.00"))

    advance(payments.url, 9 * 86400)  # past 5 business days: Stripe gives the money back
    assert client.v1.refunds.retrieve(refund.id).status == "failed"
    summary = sync_everything(dagbag)
    assert summary["failed"] == []
    ns = assert_every_refund_and_dispute_once(payments.url)
    returned = external_ids.returned_refund(refund.id)
    assert ns[returned][:2] == ("customerpayment", Decimal("24.00"))
    assert ns[refund.id][4] == (returned, Decimal("24.00"))
    assert [amount for _, amount in memo_lines(memo)] == [Decimal("0.00")]
    assert netsuite_remaining()[invoice] == 0
    dag_run = run_dag(dagbag, DAG_ID)
    assert (xcom_return(dag_run, "sync")["created"], xcom_return(dag_run, "sync")["updated"]) == (0, 0)
