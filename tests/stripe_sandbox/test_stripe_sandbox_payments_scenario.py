"""The ``payments`` scenario holds every case its docstring lists, read through the official SDK."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter, defaultdict

import pytest
from billing_checks import all_problems, payout_problems

NOW = 1_760_000_000
DAY = 86400


@pytest.fixture(scope="module")
def scenario():
    from sandbox_kit import start_background
    from stripe_sandbox import StripeSandbox

    from conftest import make_client

    app = StripeSandbox(scenario="payments", seed=7, now=lambda: NOW)
    server = start_background(app)
    try:
        yield app, make_client(server.url)
    finally:
        server.stop()


def listed(page):
    return list(page.auto_paging_iter())


def by_case(objects) -> dict[str, list]:
    out = defaultdict(list)
    for obj in objects:
        if "case" in obj.metadata:
            out[obj.metadata["case"]].append(obj)
    return out


def charges_of(client, invoice_id: str) -> list:
    payments = listed(client.v1.invoice_payments.list(params={
        "invoice": invoice_id, "limit": 100, "expand": ["data.payment.payment_intent.latest_charge"]}))
    return [p.payment.payment_intent.latest_charge for p in payments if p.payment.payment_intent.latest_charge]


def test_every_case_is_there(scenario):
    app, client = scenario
    assert app.state.task_errors == [] and all_problems(app) == []
    invoices = listed(client.v1.invoices.list(params={"limit": 100}))
    assert len(invoices) == 15 and all(i.metadata["scenario"] == "payments" for i in invoices)
    cases = by_case(invoices)
    assert {case: len(found) for case, found in cases.items()} == {
        "card_usd": 3, "card_eur": 2, "card_jpy": 2, "split": 2, "ach_success": 2, "ach_processing": 1,
        "ach_failed": 1, "out_of_band": 1, "declined": 1}
    customers = by_case(listed(client.v1.customers.list(params={"limit": 100})))
    assert len(customers) == 10

    # card payments in three currencies, settled in USD
    for case, currency, rate in (("card_usd", "usd", None), ("card_eur", "eur", 1.08), ("card_jpy", "jpy", 0.0067)):
        for invoice in cases[case]:
            assert invoice.status == "paid" and invoice.currency == currency
            [charge] = charges_of(client, invoice.id)
            txn = client.v1.balance_transactions.retrieve(charge.balance_transaction)
            assert charge.status == "succeeded" and charge.payment_method_details.type == "card"
            assert txn.type == "charge" and txn.currency == "usd" and txn.exchange_rate == rate

    # one invoice paid by three attached payments (card, card, ACH), one by two
    three, two = sorted(cases["split"], key=lambda i: -i.amount_due)
    for invoice, count in ((three, 3), (two, 2)):
        expanded = client.v1.invoices.retrieve(invoice.id, params={"expand": ["payments"]})
        paid = [p for p in expanded.payments.data if p.status == "paid"]
        assert expanded.status == "paid" and len(paid) == count and not any(p.is_default for p in paid)
        assert sum(p.amount_paid for p in paid) == expanded.amount_paid == expanded.amount_due
        assert [p.status for p in expanded.payments.data if p.is_default] == ["canceled"]
    methods = sorted(c.payment_method_details.type for c in charges_of(client, three.id))
    assert methods == ["card", "card", "us_bank_account"]

    # ACH: settled (automatic and /pay), still processing, failed
    for invoice in cases["ach_success"]:
        [charge] = charges_of(client, invoice.id)
        assert invoice.status == "paid" and charge.id.startswith("py_") and charge.status == "succeeded"
    [processing] = cases["ach_processing"]
    assert processing.status == "open" and processing.amount_paid == 0
    [charge] = charges_of(client, processing.id)
    assert charge.status == "pending" and charge.paid is False
    assert client.v1.payment_intents.retrieve(charge.payment_intent).status == "processing"
    assert client.v1.balance_transactions.retrieve(charge.balance_transaction).status == "pending"
    assert NOW - charge.created < 4 * DAY
    [failed] = cases["ach_failed"]
    [charge] = charges_of(client, failed.id)
    assert failed.status == "open" and charge.status == "failed" and charge.failure_code == "account_closed"
    reversal = client.v1.balance_transactions.retrieve(charge.failure_balance_transaction)
    assert reversal.type == "payment_failure_refund"

    [oob] = cases["out_of_band"]
    assert oob.status == "paid" and oob.amount_paid_off_stripe == oob.amount_paid and charges_of(client, oob.id) == []
    [declined] = cases["declined"]
    [charge] = charges_of(client, declined.id)
    assert declined.status == "open" and charge.status == "failed" and charge.failure_code == "card_declined"

    # standalone payment intents, with and without a customer
    intents = by_case(listed(client.v1.payment_intents.list(params={"limit": 100})))
    [standalone], [guest] = intents["standalone"], intents["guest"]
    assert standalone.customer == customers["standalone"][0].id and standalone.status == "succeeded"
    assert standalone.description == "Workshop ticket (standalone)"
    assert guest.customer is None and guest.status == "succeeded" and guest.description == "Guest checkout"

    types = Counter(e.type for e in listed(client.v1.events.list(params={"limit": 100})))
    assert types["charge.pending"] == 5 and types["payment_intent.processing"] == 5
    assert types["invoice_payment.paid"] == 14 and types["payout.created"] >= 5


def test_payouts_through_the_api(scenario):
    app, client = scenario

    def rows(payout_id: str) -> list[dict]:
        return [r.to_dict() for r in listed(client.v1.balance_transactions.list(
            params={"payout": payout_id, "limit": 100}))]

    assert payout_problems(app, rows) == []
    kinds = {r["type"] for p in listed(client.v1.payouts.list(params={"limit": 100})) for r in rows(p.id)}
    assert {"charge", "payment", "payment_failure_refund", "payout"} <= kinds


def test_selectable_from_the_cli():
    from stripe_sandbox.cli import build_parser

    assert build_parser().parse_args(["serve", "--scenario", "payments"]).scenario == "payments"
    out = subprocess.run([sys.executable, "-m", "stripe_sandbox", "serve", "--help"], capture_output=True,
                         text=True, check=True).stdout
    assert "payments" in out
