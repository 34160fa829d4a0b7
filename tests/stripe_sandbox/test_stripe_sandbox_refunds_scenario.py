"""The ``refunds`` scenario holds every case its docstring lists, read through the official SDK."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter, defaultdict
from decimal import Decimal

import pytest
from billing_checks import all_problems, payout_problems

NOW = 1_760_000_000
DAY = 86400

CASES = ("full_refund", "partial_single_line", "partial_multi_line", "credit_note_refund", "standalone_refund",
         "refund_fails", "refund_pending", "eur_refund", "ach_refund", "dispute_won", "dispute_lost", "dispute_open",
         "dispute_inquiry", "dispute_eur")


@pytest.fixture(scope="module")
def scenario():
    from sandbox_kit import start_background
    from stripe_sandbox import StripeSandbox

    from conftest import make_client

    app = StripeSandbox(scenario="refunds", seed=7, now=lambda: NOW)
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
        assert obj.metadata["scenario"] == "refunds", obj.id
        out[obj.metadata["case"]].append(obj)
    return out


def one(found: dict, case: str):
    [obj] = found[case]
    return obj


def charge_of(client, invoice_id: str):
    [payment] = listed(client.v1.invoice_payments.list(params={
        "invoice": invoice_id, "status": "paid", "expand": ["data.payment.payment_intent"]}))
    return client.v1.charges.retrieve(payment.payment.payment_intent.latest_charge,
                                      params={"expand": ["balance_transaction"]})


def test_every_case_is_there(scenario):
    app, client = scenario
    assert app.state.task_errors == [] and all_problems(app) == []
    customers = by_case(listed(client.v1.customers.list(params={"limit": 100})))
    assert sorted(customers) == sorted(CASES) and all(len(found) == 1 for found in customers.values())
    invoices = by_case(listed(client.v1.invoices.list(params={"limit": 100})))
    assert sorted(invoices) == sorted(set(CASES) - {"standalone_refund"})
    assert sum(len(found) for found in invoices.values()) == 13
    assert all(one(invoices, case).status == "paid" for case in invoices)
    refunds = by_case(listed(client.v1.refunds.list(params={"limit": 100})))
    assert sorted(refunds) == sorted(c for c in CASES if not c.startswith("dispute_"))
    disputes = by_case(listed(client.v1.disputes.list(params={"limit": 100})))
    assert sorted(disputes) == sorted(c for c in CASES if c.startswith("dispute_"))
    credit_notes = by_case(listed(client.v1.credit_notes.list(params={"limit": 100})))
    assert sorted(credit_notes) == ["credit_note_refund"]


def test_refunds(scenario):
    app, client = scenario
    invoices = by_case(listed(client.v1.invoices.list(params={"limit": 100})))
    refunds = by_case(listed(client.v1.refunds.list(params={"limit": 100, "expand": ["data.balance_transaction"]})))

    # full refund of a one-line invoice's charge
    invoice, refund = one(invoices, "full_refund"), one(refunds, "full_refund")
    charge = charge_of(client, invoice.id)
    assert len(invoice.lines.data) == 1 and refund.charge == charge.id and refund.amount == charge.amount == 8900
    assert refund.status == "succeeded" and refund.reason == "requested_by_customer"
    assert charge.refunded is True and charge.amount_refunded == 8900
    assert (refund.balance_transaction.type, refund.balance_transaction.amount) == ("refund", -8900)

    # partial refunds: one-line and three-line invoices
    invoice, refund = one(invoices, "partial_single_line"), one(refunds, "partial_single_line")
    charge = charge_of(client, invoice.id)
    assert len(invoice.lines.data) == 1 and refund.amount == 3600 and charge.amount == 12000
    assert charge.refunded is False and charge.amount_refunded == 3600
    invoice, refund = one(invoices, "partial_multi_line"), one(refunds, "partial_multi_line")
    charge = charge_of(client, invoice.id)
    assert [line.amount for line in invoice.lines.data] == [25000, 4500, 15000] and invoice.total == 44500
    assert refund.amount == 15000 and charge.amount_refunded == 15000 and charge.refunded is False

    # a refund through a credit note on a paid invoice
    invoice, refund = one(invoices, "credit_note_refund"), one(refunds, "credit_note_refund")
    [note] = listed(client.v1.credit_notes.list(params={"invoice": invoice.id, "expand": ["data.refunds.refund"]}))
    assert note.metadata["case"] == "credit_note_refund" and note.type == "post_payment" and note.total == 3000
    assert note.refunds[0].refund.id == refund.id and note.refunds[0].amount_refunded == 3000
    [line] = listed(client.v1.credit_notes.line_items.list(note.id))
    seats = next(item for item in invoice.lines.data if item.description == "Extra seats")
    assert line.invoice_line_item == seats.id and line.amount == 3000
    assert invoice.post_payment_credit_notes_amount == 3000 and invoice.amount_paid == 7900
    assert charge_of(client, invoice.id).amount_refunded == 3000 and refund.charge == charge_of(client, invoice.id).id

    # a standalone payment intent (no invoice) refunded
    [intent] = [pi for pi in listed(client.v1.payment_intents.list(params={"limit": 100}))
                if pi.metadata.to_dict().get("case") == "standalone_refund"]
    refund = one(refunds, "standalone_refund")
    assert intent.description == "Conference ticket (standalone)" and intent.status == "succeeded"
    assert client.v1.invoice_payments.list(params={"payment[type]": "payment_intent",
                                                   "payment[payment_intent]": intent.id}).data == []
    assert refund.payment_intent == intent.id and refund.amount == 6500 and refund.status == "succeeded"
    assert client.v1.charges.retrieve(intent.latest_charge).refunded is True

    # a refund that failed later: the money is back in the balance, the charge refundable again
    invoice = one(invoices, "refund_fails")
    refund = client.v1.refunds.retrieve(one(refunds, "refund_fails").id,
                                        params={"expand": ["failure_balance_transaction", "balance_transaction"]})
    charge = charge_of(client, invoice.id)
    assert charge.payment_method_details.card.last4 == "5126" and refund.amount == 7500
    assert refund.status == "failed" and refund.failure_reason == "expired_or_canceled_card"
    back = refund.failure_balance_transaction
    assert (back.type, back.reporting_category, back.amount) == ("refund_failure", "refund_failure", 7500)
    assert refund.balance_transaction.amount == -7500 and back.created - refund.created >= 5 * DAY
    assert charge.amount_refunded == 0 and charge.refunded is False
    failed_events = [e for e in listed(client.v1.events.list(params={"type": "refund.failed", "limit": 100}))]
    assert [e.data.object.id for e in failed_events] == [refund.id]
    assert [e.data.object.id for e in listed(client.v1.events.list(params={"type": "charge.refund.updated"}))] \
        == [refund.id]

    # a refund still pending at the end (it succeeds 5 business days after it was made)
    refund = one(refunds, "refund_pending")
    charge = charge_of(client, one(invoices, "refund_pending").id)
    assert refund.status == "pending" and refund.pending_reason == "processing" and NOW - refund.created < DAY
    assert charge.payment_method_details.card.last4 == "7726" and charge.amount_refunded == 4000

    # a EUR charge settled in USD, refunded in part: the refund in EUR, its balance transaction in USD at 1.08
    invoice, refund = one(invoices, "eur_refund"), one(refunds, "eur_refund")
    charge = charge_of(client, invoice.id)
    assert (invoice.currency, charge.amount, charge.balance_transaction.amount) == ("eur", 19900, 21492)
    assert charge.balance_transaction.exchange_rate == 1.08
    assert (refund.currency, refund.amount) == ("eur", 9900)
    assert refund.balance_transaction.currency == "usd" and refund.balance_transaction.amount == -10692
    assert refund.balance_transaction.exchange_rate == 1.08

    # an ACH Direct Debit charge (py_) refunded
    invoice, refund = one(invoices, "ach_refund"), one(refunds, "ach_refund")
    charge = charge_of(client, invoice.id)
    assert charge.id.startswith("py_") and charge.status == "succeeded" and charge.amount_refunded == 20000
    assert refund.balance_transaction.type == "payment_refund" and refund.balance_transaction.amount == -20000
    assert refund.destination_details.type == "us_bank_transfer"


def test_disputes(scenario):
    from stripe_sandbox.billing import fx

    app, client = scenario
    invoices = by_case(listed(client.v1.invoices.list(params={"limit": 100})))
    disputes = by_case(listed(client.v1.disputes.list(params={"limit": 100})))
    for case, dispute in ((case, one(disputes, case)) for case in disputes):
        assert dispute.charge == charge_of(client, one(invoices, case).id).id, case

    won = one(disputes, "dispute_won")
    withdrawal, reinstated = won.balance_transactions
    assert won.status == "won" and won.reason == "product_not_received" and won.amount == 15000
    assert (withdrawal.reporting_category, withdrawal.amount, withdrawal.fee) == ("dispute", -15000, 1500)
    assert (reinstated.reporting_category, reinstated.amount, reinstated.fee) == ("dispute_reversal", 15000, -1500)
    assert withdrawal.type == reinstated.type == "adjustment"
    lost = one(disputes, "dispute_lost")
    assert lost.status == "lost" and [t.amount for t in lost.balance_transactions] == [-9900]
    still = one(disputes, "dispute_open")
    assert still.status == "needs_response" and still.evidence_details.due_by > NOW
    assert [t.net for t in still.balance_transactions] == [-23500]
    inquiry = one(disputes, "dispute_inquiry")
    assert inquiry.status == "warning_needs_response" and inquiry.balance_transactions == []
    assert inquiry.is_charge_refundable is True and inquiry.payment_method_details.card.case_type == "inquiry"
    withdrawn = {e.data.object.id for e in listed(client.v1.events.list(params={
        "type": "charge.dispute.funds_withdrawn", "limit": 100}))}
    assert inquiry.id not in withdrawn and {won.id, lost.id, still.id} <= withdrawn

    # on a EUR charge: the dispute in EUR, its balance transactions in USD at the rates of their own days
    eur = one(disputes, "dispute_eur")
    charge = charge_of(client, one(invoices, "dispute_eur").id)
    assert (eur.currency, eur.amount, eur.status) == ("eur", 30000, "won")
    assert charge.balance_transaction.exchange_rate == 1.08 and charge.balance_transaction.amount == 32400
    out, back = eur.balance_transactions
    assert out.currency == back.currency == "usd"
    assert len({out.exchange_rate, back.exchange_rate, 1.08}) == 3
    assert Decimal(str(out.exchange_rate)) == fx.rate_on("eur", out.created)
    assert Decimal(str(back.exchange_rate)) == fx.rate_on("eur", back.created)
    assert out.amount == -fx.convert_on(30000, "eur", out.created)[0] and out.amount != -32400
    assert back.amount == fx.convert_on(30000, "eur", back.created)[0]


def test_payouts_through_the_api(scenario):
    app, client = scenario

    def rows(payout_id: str) -> list[dict]:
        return [r.to_dict() for r in listed(client.v1.balance_transactions.list(
            params={"payout": payout_id, "limit": 100}))]

    assert payout_problems(app, rows) == []
    kinds = Counter(r["reporting_category"] for p in listed(client.v1.payouts.list(params={"limit": 100}))
                    for r in rows(p.id))
    assert {"charge", "refund", "refund_failure", "dispute", "dispute_reversal", "payout"} <= set(kinds)


def test_selectable_from_the_cli():
    from stripe_sandbox.cli import build_parser

    assert build_parser().parse_args(["serve", "--scenario", "refunds"]).scenario == "refunds"
    out = subprocess.run([sys.executable, "-m", "stripe_sandbox", "serve", "--help"], capture_output=True,
                         text=True, check=True).stdout
    assert "refunds" in out
