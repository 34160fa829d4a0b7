"""The cash side of the reconciliation (pure): payouts against deposits, Undeposited Funds, fees."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal

from stripe_netsuite.reconcile.payouts import (
    PAYOUTS_FLOW,
    netsuite_date,
    payout_of,
    reconcile_payouts,
    stripe_id_of,
)
from stripe_netsuite.settings import Settings

SETTINGS = Settings()
ARRIVAL = int(dt.datetime(2026, 12, 3, 12, tzinfo=zoneinfo.ZoneInfo(SETTINGS.invoices.timezone)).timestamp())


def payout(payout_id="po_1", amount=9410, status="paid", automatic=True, currency="usd"):
    return {"id": payout_id, "object": "payout", "amount": amount, "currency": currency, "status": status,
            "automatic": automatic, "arrival_date": ARRIVAL, "created": ARRIVAL - 86400}


def txn(txn_id, category, source, amount, fee=0):
    details = [{"amount": fee, "type": "stripe_fee", "description": "Stripe processing fees"}] if fee else []
    return {"id": txn_id, "reporting_category": category, "source": source, "amount": amount, "fee": fee,
            "net": amount - fee, "fee_details": details}


TXNS = {"po_1": [txn("txn_1", "charge", "ch_1", 10000, fee=320), txn("txn_2", "refund", "re_1", -270),
                 {"id": "txn_po", "type": "payout", "reporting_category": "payout", "amount": -9410}]}


def deposit_row(external_id="po_1", total="94.10", date="2026-12-03", bank="acct-operating-bank", internal_id="50"):
    return {"id": internal_id, "externalid": external_id, "foreigntotal": total, "trandate": date, "bank": bank,
            "currency": "USD"}


def links(deposit="po_1", deposit_id="50", *documents):
    return [{"deposit_id": deposit_id, "deposit": deposit, "document_id": str(n), "document": d}
            for n, d in enumerate(documents or ("ch_1", "re_1"), 1)]


FEE_LINES = [{"externalid": "po_1", "account": "acct-stripe-fees", "currency": "USD", "amount": "3.20"}]


def reconciled(payouts=None, deposits=None, link_rows=None, **kwargs):
    kwargs.setdefault("account_rows", FEE_LINES)
    return reconcile_payouts(payouts if payouts is not None else [payout()], TXNS,
                             deposits if deposits is not None else [deposit_row()],
                             link_rows if link_rows is not None else links(), SETTINGS, **kwargs)


def test_a_deposit_that_matches_its_payout_is_ok():
    report = reconciled()
    assert report.ok, report.problems
    assert (report.stripe_payouts, report.netsuite_deposits, report.matched) == (1, 1, 1)
    assert report.fees == {("acct-stripe-fees", "USD"): (Decimal("3.20"), Decimal("3.20"))}
    assert report.lines()[0] == "payouts: Stripe 1 paid, NetSuite 1 deposit(s), matched 1 - OK"


def test_a_missing_deposit_says_to_run_the_payouts_flow():
    (problem, fees) = reconciled(deposits=[], link_rows=[], account_rows=[]).problems
    assert problem.startswith("po_1: missing in NetSuite (Stripe payout 94.10 USD, arrived 2026-12-03): no deposit po_1")
    assert f"fix: trigger {PAYOUTS_FLOW} with stripe_ids [po_1] and force_rewrite on" in problem
    assert fees.startswith("fees acct-stripe-fees USD: Stripe's fees of the paid-out transactions 3.20 USD")


def test_total_date_bank_and_lines_are_each_compared_naming_the_deposit():
    (problem,) = reconciled(deposits=[deposit_row(total="94.00", date="12/4/2026", bank="acct-bank-eur")],
                            link_rows=links("po_1", "50", "ch_1", "ch_9")).problems
    assert problem.startswith("po_1: amount Stripe 94.10 USD, NetSuite 94.00 USD; date Stripe arrival 2026-12-03, "
                              "NetSuite 2026-12-04; bank account settings acct-operating-bank, NetSuite acct-bank-eur; "
                              "payment line for re_1 missing; payment lines for ch_9 the payout does not carry "
                              "(NetSuite deposit (internal ID 50))")
    assert problem.endswith(f"-> fix: trigger {PAYOUTS_FLOW} with stripe_ids [po_1] and force_rewrite on")


def test_a_document_on_a_deposit_made_by_hand_is_named_with_that_deposit():
    hand = deposit_row(external_id=None, total="100.00", internal_id="77")
    problems = reconciled(deposits=[deposit_row(), hand],
                          link_rows=links("po_1", "50", "re_1") + links(None, "77", "ch_1")).problems
    assert problems[0].startswith("po_1: payment line for ch_1 missing (it is on deposit internal ID 77, made by hand)")
    assert problems[1].startswith("ch_1: ch_1 is on NetSuite deposit internal ID 77, made by hand (100.00 USD to "
                                  "acct-operating-bank); Stripe pays it out in po_1 -> check NetSuite: delete that "
                                  "deposit (or take ch_1 off it), then fix: trigger stripe_payouts_to_netsuite")


def test_a_po_deposit_stripe_does_not_pay_is_a_difference():
    problems = reconciled(payouts=[payout(), payout("po_2", status="failed")],
                          deposits=[deposit_row(), deposit_row("po_2", internal_id="51"), deposit_row("po_3", internal_id="52")]).problems
    assert problems[0].startswith("po_2: NetSuite deposit po_2 (internal ID 51) of 94.10 USD, but Stripe's payout is failed")
    assert problems[1].startswith("po_3: NetSuite deposit po_3 (internal ID 52) of 94.10 USD, but Stripe has no such payout")
    assert all("-> check NetSuite:" in p for p in problems)


def test_a_payout_not_paid_or_manual_or_settling_is_not_compared():
    assert reconciled(payouts=[payout(status="in_transit")], deposits=[], link_rows=[], account_rows=[]).ok
    assert reconciled(payouts=[payout(automatic=False)], deposits=[], link_rows=[], account_rows=[]).ok
    report = reconciled(deposits=[], link_rows=[], account_rows=[], settling={"po_1"})
    assert report.ok and report.stripe_payouts == 0


def test_a_large_payout_is_compared_across_its_parts():
    settings = Settings(payouts={"max_transactions_per_deposit": 1})
    parts = [deposit_row("po_1", "96.80"), deposit_row("po_1-2", "-2.70", internal_id="51")]
    report = reconcile_payouts([payout()], TXNS, parts, links("po_1", "50", "ch_1") + links("po_1-2", "51", "re_1"),
                               settings, account_rows=FEE_LINES)
    assert report.ok, report.problems
    (problem,) = reconcile_payouts([payout()], TXNS, parts[:1], links("po_1", "50", "ch_1"), settings,
                                   account_rows=FEE_LINES).problems
    assert "deposits Stripe's 2 part(s) po_1, po_1-2, NetSuite has po_1" in problem


CHARGES = [{"id": "ch_1", "object": "charge", "status": "succeeded", "captured": True, "amount": 10000,
            "amount_captured": 10000, "currency": "usd", "balance_transaction": "txn_1"},
           {"id": "ch_2", "object": "charge", "status": "succeeded", "captured": True, "amount": 5000,
            "amount_captured": 5000, "currency": "eur", "balance_transaction": "txn_3"}]
REFUNDS = [{"id": "re_1", "object": "refund", "status": "succeeded", "amount": 270, "currency": "usd",
            "charge": "ch_1", "balance_transaction": "txn_2"}]


def funds(*rows):
    return [{"id": i, "type": t, "externalid": x, "currency": c, "amount": a} for i, t, x, c, a in rows]


def test_undeposited_funds_per_currency_against_what_stripe_has_not_paid_out():
    undeposited = funds(("1", "CustPymt", "ch_1", "USD", "100.00"), ("2", "CustRfnd", "re_1", "USD", "-2.70"),
                        ("50", "Deposit", "po_1", "USD", "-97.30"), ("3", "CustPymt", "ch_2", "EUR", "50.00"))
    report = reconciled(undeposited_rows=undeposited, charges=CHARGES, refunds=REFUNDS)
    assert report.ok, report.problems
    assert report.undeposited == {"EUR": (Decimal("50.00"), Decimal("50.00"))}

    by_hand = undeposited + funds(("60", "CustRfnd", None, "EUR", "-5.00"))
    problems = reconciled(undeposited_rows=by_hand, charges=CHARGES, refunds=REFUNDS,
                          applied_to={"60": ["ch_2"]}).problems
    assert problems == [
        "Undeposited Funds EUR: Stripe holds 50.00 EUR not yet paid out, NetSuite's Undeposited Funds 45.00 EUR -> "
        "see the payment, refund and deposit lines above; if there are none, look in NetSuite for a payment, refund or "
        "deposit in this currency entered by hand",
        "ch_2: NetSuite customer refund internal ID 60, made by hand (no Stripe ID), moves -5.00 EUR in Undeposited "
        "Funds, applying ch_2; Stripe has no such transaction -> check NetSuite: delete it if it repeats a record the "
        "connector wrote (a refund booked twice, say); if the money really moved, book it in Stripe",
    ]


def test_fees_per_account_are_compared():
    (problem,) = reconciled(account_rows=[dict(FEE_LINES[0], amount="3.00")]).problems
    assert problem.startswith("fees acct-stripe-fees USD: Stripe's fees of the paid-out transactions 3.20 USD, "
                              "NetSuite's deposits put 3.00 USD there -> ")


def test_the_ids_and_dates_netsuite_gives_are_read():
    assert stripe_id_of("ret-re_AB1") == "re_AB1" and stripe_id_of("po_X1-2") == "po_X1" and stripe_id_of("") == ""
    assert payout_of("po_X1-2") == "po_X1" and payout_of("ch_1") == ""
    assert netsuite_date("12/3/2026") == netsuite_date("2026-12-03") == netsuite_date("2026-12-03 00:00:00") == "2026-12-03"
