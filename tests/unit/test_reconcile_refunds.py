"""Refund and dispute reconciliation: Stripe refunds and disputes against NetSuite customer refunds, their credit
memos and the payments of refunds Stripe gave back, with what each applies to. Amounts exact in 0-, 2- and
3-decimal currencies (Decimal and int only)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings as hypothesis_settings
from hypothesis import strategies as st

from stripe_netsuite.mapping.money import to_decimal
from stripe_netsuite.mapping.records import InternalIdRef
from stripe_netsuite.mapping.refunds import RefundContext, map_dispute, map_refund
from stripe_netsuite.reconcile.refunds import REFUND_ROWS_QUERY, reconcile_refunds, scheme_of
from stripe_netsuite.settings import PaymentSettings, Settings

FLOW = "stripe_refunds_disputes_to_netsuite"
BASE = "USD"
NOON = 1_775_044_800


def rewrite(stripe_id):
    return f" -> fix: trigger {FLOW} with stripe_ids [{stripe_id}] and force_rewrite on"


def load(stripe_id):
    return f"{rewrite(stripe_id)} (if its check_failed_records task lists {stripe_id}, fix the cause it gives first)"


def by_hand(stripe_id, *docs, writes="changes only its own application"):
    return (f" -> check NetSuite: unapply it by hand from {', '.join(docs)} (the refunds flow {writes}); if it still "
            f"differs, fix: trigger {FLOW} with stripe_ids [{stripe_id}] and force_rewrite on")


def not_in_stripe(record):
    return (f" -> check NetSuite: {record} created or copied by hand there, or from another Stripe account, carries "
            "this external ID; delete it or change its external ID in NetSuite")


def delete(record, stripe_id=None):
    then = f"; then fix: trigger {FLOW} with stripe_ids [{stripe_id}] and force_rewrite on" if stripe_id else ""
    return f" -> check NetSuite: unapply and delete this {record} there (void it if it is deposited){then}"


DUPLICATED = (" -> check NetSuite: a record created or copied by hand there carries this external ID too; delete that "
              "duplicate or change its external ID in NetSuite")
UPDATE = f" -> see the check_failed_records task of {FLOW}, which lists it, and update the connector"


# -- Stripe's side ----------------------------------------------------------------------------------

def charge(charge_id, currency="usd", customer="cus_1"):
    return {"id": charge_id, "object": "charge", "status": "succeeded", "currency": currency, "customer": customer}


def txn(currency="usd", rate=None, amount=None, category="refund"):
    out: dict[str, Any] = {"id": "txn_x", "currency": currency, "exchange_rate": rate, "reporting_category": category,
                           "created": NOON}
    if amount is not None:
        out["amount"] = amount
    return out


def refund(refund_id, charge_id, amount, currency="usd", status="succeeded", rate=None, settled_in="usd", **extra):
    obj = {"id": refund_id, "object": "refund", "charge": charge_id, "amount": amount, "currency": currency,
           "status": status, "created": NOON, "balance_transaction": txn(settled_in, rate),
           "failure_balance_transaction": None}
    obj.update(extra)
    return obj


def dispute(dispute_id, charge_id, amount, currency="usd", status="needs_response", rate=None, withdrawn=True):
    txns = [txn("usd", rate, -amount, "dispute")] if withdrawn else []
    if withdrawn and status == "won":
        txns.append(txn("usd", rate, amount, "dispute_reversal"))
    return {"id": dispute_id, "object": "dispute", "charge": {"id": charge_id, "object": "charge"}, "amount": amount,
            "currency": currency, "status": status, "created": NOON, "balance_transactions": txns}


def row(external_id, total, kind="CustRfnd", currency="USD", customer="cus_1", internal_id="1", rate=None,
        entity="7"):
    return {"id": internal_id, "externalid": external_id, "type": kind, "foreigntotal": total, "currency": currency,
            "customer": customer, "exchangerate": rate, "entity": entity}


def link(doc, applied_to, amount, applied_to_id="900"):
    return {"doc": doc, "applied_to": applied_to, "applied_to_id": applied_to_id, "amount": amount}


def consistent_set():
    """Every kind of refund and dispute, NetSuite holding exactly what the refunds flow writes."""
    charges = {c["id"]: c for c in [
        charge("ch_inv"), charge("ch_part"), charge("ch_note"), charge("ch_direct"),
        charge("ch_jpy", "jpy", customer="cus_2"), charge("ch_kwd", "kwd", customer="cus_3"), charge("ch_eur", "eur"),
        charge("ch_guest", customer=None), charge("ch_rev"), charge("ch_rev_direct"), charge("ch_pending"),
        charge("ch_dp"), charge("ch_dp_eur", "eur"), charge("ch_dp_jpy", "jpy", customer="cus_2"), charge("ch_inq"),
    ]}
    invoice_of = {"ch_inv": "in_1", "ch_part": "in_2", "ch_note": "in_3", "ch_jpy": "in_4", "ch_kwd": "in_5",
                  "ch_eur": "in_6", "ch_rev": "in_7", "ch_dp": "in_8", "ch_dp_jpy": "in_9", "ch_inq": "in_10"}
    refunds = [
        refund("re_full", "ch_inv", 15000),
        refund("re_part", {"id": "ch_part", "object": "charge"}, 2000),  # the charge may come expanded
        refund("re_note", "ch_note", 2500),
        refund("re_direct", "ch_direct", 500),
        refund("re_jpy", "ch_jpy", 3000, "jpy", rate=0.0067),  # the SDK parses Stripe's rate as a float
        refund("re_kwd", "ch_kwd", 1250, "kwd", rate=3.25),
        refund("re_eur", "ch_eur", 4900, "eur", rate=1.08),
        refund("re_eur_kept", "ch_eur", 100, "eur", rate=None, settled_in="eur"),  # settled in EUR: NetSuite's rate
        refund("re_guest", "ch_guest", 1000),
        refund("re_rev", "ch_rev", 3000, status="failed", failure_balance_transaction="txn_back",
               failure_reason="lost_or_stolen_card"),
        refund("re_rev_direct", "ch_rev_direct", 700, status="canceled", failure_balance_transaction={"id": "txn_b"}),
        refund("re_pending", "ch_pending", 400, status="pending", balance_transaction=None),  # not booked yet
        refund("re_declined", "ch_pending", 400, status="failed", balance_transaction=None),  # never booked
    ]
    disputes = [
        dispute("dp_inv", "ch_dp", 7000),
        dispute("dp_won", "ch_dp_eur", 9900, "eur", status="won", rate=1.1),  # withdrawn at its own day's rate
        dispute("dp_lost", "ch_dp_jpy", 15000, "jpy", status="lost", rate=0.0069),
        dispute("dp_inq", "ch_inq", 2000, status="warning_needs_response", withdrawn=False),  # an inquiry
    ]
    notes = [{"id": "cn_1", "invoice": "in_3", "refunds": [{"refund": "re_note", "amount_refunded": 2500}]},
             {"id": "cn_2", "invoice": "in_1", "refunds": []}]
    rows = [
        row("cm-re_full", "150.00", "CustCred", internal_id="20"), row("re_full", "150.00", internal_id="21"),
        row("cm-re_part", "20.00", "CustCred", internal_id="22"), row("re_part", "20.00", internal_id="23"),
        row("re_note", "25.00", internal_id="24"),
        row("re_direct", "5.00", internal_id="25"),
        row("cm-re_jpy", "3000", "CustCred", "JPY", "cus_2", "26", rate="0.0067"),
        row("re_jpy", "3000", currency="JPY", customer="cus_2", internal_id="27", rate="0.0067"),
        row("cm-re_kwd", "1.250", "CustCred", "KWD", "cus_3", "28", rate="3.25"),
        row("re_kwd", 1.25, currency="KWD", customer="cus_3", internal_id="29", rate=3.25),  # SuiteQL may answer numbers
        row("cm-re_eur", "49.00", "CustCred", "EUR", internal_id="30", rate="1.08"),
        row("re_eur", "49.00", currency="EUR", internal_id="31", rate="1.08"),
        row("cm-re_eur_kept", "1.00", "CustCred", "EUR", internal_id="32", rate="1.1"),
        row("re_eur_kept", "1.00", currency="EUR", internal_id="33", rate="1.1"),
        row("re_guest", "10.00", customer="stripe-guest-customer", internal_id="34"),
        row("cm-re_rev", "0.00", "CustCred", internal_id="35"), row("ret-re_rev", "30.00", "CustPymt", internal_id="36"),
        row("re_rev", "30.00", internal_id="37"),
        row("ret-re_rev_direct", "7.00", "CustPymt", internal_id="38"), row("re_rev_direct", "7.00", internal_id="39"),
        row("cm-dp_inv", "70.00", "CustCred", internal_id="40"), row("dp_inv", "70.00", internal_id="41"),
        row("dp_won", "99.00", currency="EUR", internal_id="42", rate="1.1"),
        row("cm-dp_lost", "15000", "CustCred", "JPY", "cus_2", "43", rate="0.0069"),
        row("dp_lost", "15000", currency="JPY", customer="cus_2", internal_id="44", rate="0.0069"),
        row("RF-1001", "80.00", internal_id="45"),  # a refund entered by hand: NetSuite's own
        row("rf-py_1", "80.00", internal_id="46"), row("ch_inv", "150.00", "CustPymt", internal_id="47"),  # payments'
        row("cn_1", "25.00", "CustCred", internal_id="48"),  # the invoices flow's
        {"id": "49", "type": "CustRfnd", "foreigntotal": "9.00", "currency": "USD"},  # no external ID
    ]
    links = [
        link("21", "cm-re_full", "150.00"), link("23", "cm-re_part", "20.00"), link("24", "cn_1", "25.00"),
        link("25", "ch_direct", "5.00"), link("27", "cm-re_jpy", "3000"), link("29", "cm-re_kwd", "1.25"),
        link("31", "cm-re_eur", 49.0), link("33", "cm-re_eur_kept", "1.00"), link("34", "ch_guest", "10.00"),
        link("37", "ret-re_rev", "30.00"), link("39", "ret-re_rev_direct", "7.00"),
        link("41", "cm-dp_inv", "70.00"), link("42", "ch_dp_eur", "99.00"), link("44", "cm-dp_lost", "15000"),
        link("45", "in_1", "80.00"),  # the hand-made refund applies something too: not compared
        link("47", "in_1", "150.00"),
    ]
    return refunds, disputes, charges, invoice_of, notes, rows, links


def reconciled(refunds, disputes, charges, invoice_of, notes, rows, links, **kwargs):
    kwargs.setdefault("base_currency", BASE)
    return reconcile_refunds(refunds, disputes, charges, invoice_of, rows, links, credit_notes=notes, **kwargs)


def problems_after(change, **kwargs):
    data = consistent_set()
    change(*data)
    return reconciled(*data, **kwargs).problems


def _find(items, key, value):
    return next(item for item in items if item.get(key) == value)


def _set(external_id, **values):
    """A change: the NetSuite row under ``external_id`` gets ``values``."""
    return lambda r, d, c, i, n, rows, links: _find(rows, "externalid", external_id).update(values)


def _drop(external_id):
    return lambda r, d, c, i, n, rows, links: rows.remove(_find(rows, "externalid", external_id))


def _link(doc, **values):
    return lambda r, d, c, i, n, rows, links: _find(links, "doc", doc).update(values)


def _add_row(*args, **kwargs):
    return lambda r, d, c, i, n, rows, links: rows.append(row(*args, **kwargs))


def _add_link(*args):
    return lambda r, d, c, i, n, rows, links: links.append(link(*args))


def _both(*changes):
    def change(*data):
        for one in changes:
            one(*data)
    return change


# -- a consistent set --------------------------------------------------------------------------------

def test_a_consistent_set_is_ok():
    report = reconciled(*consistent_set())
    assert report.problems == []
    assert report.ok
    assert (report.stripe_refunds, report.netsuite_refunds, report.refunds_matched, report.reversed) == (11, 11, 11, 2)
    assert (report.stripe_disputes, report.netsuite_disputes, report.disputes_matched) == (3, 3, 3)


def test_the_totals_per_currency_print_both_sides_refunds_given_back_netting_to_zero():
    report = reconciled(*consistent_set())
    assert {c: (str(s), str(n)) for c, (s, n) in report.refunded.items()} == {
        "EUR": ("50.00", "50.00"), "JPY": ("3000", "3000"), "KWD": ("1.250", "1.250"),
        "USD": ("210.00", "210.00")}  # 150 + 20 + 25 + 5 + 10; the 30 and 7 given back net to 0
    assert {c: (str(s), str(n)) for c, (s, n) in report.disputed.items()} == {
        "EUR": ("99.00", "99.00"), "JPY": ("15000", "15000"), "USD": ("70.00", "70.00")}
    for totals in (report.refunded, report.disputed):
        assert all(isinstance(s, Decimal) and isinstance(n, Decimal) for s, n in totals.values())
    assert report.lines() == [
        "refunds: Stripe 11 booked (2 given back), NetSuite 11, matched 11; disputes: Stripe 3 that withdrew funds, "
        "NetSuite 3, matched 3 - OK",
        "  EUR refunded: Stripe 50.00 EUR, NetSuite 50.00 EUR",
        "  EUR disputed: Stripe 99.00 EUR, NetSuite 99.00 EUR",
        "  JPY refunded: Stripe 3000 JPY, NetSuite 3000 JPY",
        "  JPY disputed: Stripe 15000 JPY, NetSuite 15000 JPY",
        "  KWD refunded: Stripe 1.250 KWD, NetSuite 1.250 KWD",
        "  USD refunded: Stripe 210.00 USD, NetSuite 210.00 USD",
        "  USD disputed: Stripe 70.00 USD, NetSuite 70.00 USD",
    ]


def test_nothing_to_compare_is_ok_with_no_totals():
    report = reconcile_refunds([], [], {}, {}, [], base_currency="")
    assert report.ok and report.refunded == report.disputed == {}
    assert report.lines() == ["refunds: Stripe 0 booked (0 given back), NetSuite 0, matched 0; disputes: Stripe 0 "
                              "that withdrew funds, NetSuite 0, matched 0 - OK"]


def test_a_missing_customer_refund_shows_in_the_totals_as_well():
    data = consistent_set()
    _drop("re_full")(*data)
    _drop("ret-re_rev")(*data)
    report = reconciled(*data)
    assert report.refunded["USD"] == (Decimal("210.00"), Decimal("90.00"))  # less 150, and 30 not netted
    assert report.lines()[0].endswith(" - MISMATCH") and report.refunds_matched == 9 and report.netsuite_refunds == 10


# -- each difference, one line saying what to do ---------------------------------------------------------

@pytest.mark.parametrize("change, expected", [
    # the customer refund
    (_drop("re_full"),
     ["re_full: missing in NetSuite (Stripe 150.00 USD, refund of ch_inv, applying cm-re_full)" + load("re_full")]),
    (_drop("re_direct"),
     ["re_direct: missing in NetSuite (Stripe 5.00 USD, refund of ch_direct, applying ch_direct)" + load("re_direct")]),
    (_drop("re_note"),
     ["re_note: missing in NetSuite (Stripe 25.00 USD, refund of ch_note, applying cn_1)" + load("re_note")]),
    (_drop("re_rev"),
     ["re_rev: missing in NetSuite (Stripe 30.00 USD, refund of ch_rev, given back by Stripe, applying ret-re_rev)"
      + load("re_rev")]),
    (_set("re_full", foreigntotal="140.00"),
     ["re_full: amount Stripe 150.00 USD, NetSuite 140.00 USD" + rewrite("re_full")]),
    (_set("re_full", foreigntotal=150.01),  # SuiteQL may answer a number
     ["re_full: amount Stripe 150.00 USD, NetSuite 150.01 USD" + rewrite("re_full")]),
    (_set("re_full", foreigntotal="-150.00"), []),  # a credit read with its sign is the same amount
    (_set("re_jpy", foreigntotal="2999"),
     ["re_jpy: amount Stripe 3000 JPY, NetSuite 2999 JPY" + rewrite("re_jpy")]),
    (_set("re_kwd", foreigntotal="1.251"),
     ["re_kwd: amount Stripe 1.250 KWD, NetSuite 1.251 KWD" + rewrite("re_kwd")]),
    (_set("re_full", currency="EUR"),
     ["re_full: currency Stripe USD, NetSuite EUR" + rewrite("re_full")]),
    (_set("re_full", customer="cus_9"),
     ["re_full: customer Stripe cus_1, NetSuite cus_9" + rewrite("re_full")]),
    (_set("re_full", customer=None),  # made on a customer the connector did not write
     ["re_full: customer Stripe cus_1, NetSuite internal ID 7" + rewrite("re_full")]),
    (_set("re_guest", customer="cus_9"),
     ["re_guest: customer Stripe none, the guest customer (stripe-guest-customer), NetSuite cus_9"
      + rewrite("re_guest")]),
    (_set("re_eur", exchangerate="1.1"),
     ["re_eur: exchange rate Stripe 1.08, NetSuite 1.1" + rewrite("re_eur")]),
    (_set("re_jpy", exchangerate=0.0068),
     ["re_jpy: exchange rate Stripe 0.0067, NetSuite 0.0068" + rewrite("re_jpy")]),
    (_set("re_kwd", exchangerate=None),
     ["re_kwd: exchange rate Stripe 3.25, NetSuite (none)" + rewrite("re_kwd")]),
    (_set("re_eur_kept", exchangerate="1.2"), []),  # settled in EUR: NetSuite's own rate, not compared
    (_set("re_full", foreigntotal="140.00", currency="EUR", exchangerate="2"),  # all in one line
     ["re_full: currency Stripe USD, NetSuite EUR; amount Stripe 150.00 USD, NetSuite 140.00 EUR" + rewrite("re_full")]),
    # what the customer refund applies
    (_link("21", applied_to="in_1"),
     ["re_full: applied in NetSuite 150.00 USD to in_1, Stripe 150.00 USD to cm-re_full" + by_hand("re_full", "in_1")]),
    (_link("21", applied_to=None, applied_to_id="555"),
     ["re_full: applied in NetSuite 150.00 USD to internal ID 555, Stripe 150.00 USD to cm-re_full"
      + by_hand("re_full", "internal ID 555")]),
    (lambda r, d, c, i, n, rows, links: links.remove(_find(links, "doc", "21")),
     ["re_full: applied in NetSuite nothing, Stripe 150.00 USD to cm-re_full" + rewrite("re_full")]),
    (_link("21", amount="100.00"),
     ["re_full: applied in NetSuite 100.00 USD to cm-re_full, Stripe 150.00 USD to cm-re_full" + rewrite("re_full")]),
    (_link("25", applied_to="ch_other"),
     ["re_direct: applied in NetSuite 5.00 USD to ch_other, Stripe 5.00 USD to ch_direct"
      + by_hand("re_direct", "ch_other")]),
    (_link("37", applied_to="cm-re_rev"),  # not re-written since Stripe gave it back: the flow releases the memo
     ["re_rev: applied in NetSuite 30.00 USD to cm-re_rev, Stripe 30.00 USD to ret-re_rev" + rewrite("re_rev")]),
    (_link("41", applied_to="ch_dp"),
     ["dp_inv: applied in NetSuite 70.00 USD to ch_dp, Stripe 70.00 USD to cm-dp_inv" + by_hand("dp_inv", "ch_dp")]),
    # the credit memo
    (_drop("cm-re_full"),
     ["cm-re_full: credit memo for refund re_full of in_1 missing in NetSuite (Stripe 150.00 USD)" + load("re_full")]),
    (_set("cm-re_part", foreigntotal="25.00"),
     ["cm-re_part: credit memo for refund re_part of in_2: total Stripe 20.00 USD, NetSuite 25.00 USD"
      + rewrite("re_part")]),
    (_set("cm-re_jpy", exchangerate="0.007"),
     ["cm-re_jpy: credit memo for refund re_jpy of in_4: exchange rate Stripe 0.0067, NetSuite 0.007"
      + rewrite("re_jpy")]),
    (_set("cm-re_kwd", customer="cus_1"),
     ["cm-re_kwd: credit memo for refund re_kwd of in_5: customer Stripe cus_3, NetSuite cus_1" + rewrite("re_kwd")]),
    (_add_link("20", "in_1", "150.00"),  # applied to its invoice: the flow unapplies it there
     ["cm-re_full: credit memo for refund re_full of in_1: applied in NetSuite 150.00 USD to in_1, Stripe nothing "
      "(the customer refund re_full applies it)" + rewrite("re_full")]),
    (_add_link("20", "in_77", "150.00"),
     ["cm-re_full: credit memo for refund re_full of in_1: applied in NetSuite 150.00 USD to in_77, Stripe nothing "
      "(the customer refund re_full applies it)" + by_hand("re_full", "in_77")]),
    (_set("cm-re_rev", foreigntotal="30.00"),
     ["cm-re_rev: credit memo for refund re_rev of in_7 (given back by Stripe: zeroed): total Stripe 0.00 USD, "
      "NetSuite 30.00 USD" + rewrite("re_rev")]),
    (_drop("cm-re_rev"),
     ["cm-re_rev: credit memo for refund re_rev of in_7 (given back by Stripe: zeroed) missing in NetSuite (Stripe "
      "0.00 USD)" + load("re_rev")]),
    (_drop("cm-dp_inv"),
     ["cm-dp_inv: credit memo for dispute dp_inv of in_8 missing in NetSuite (Stripe 70.00 USD)" + load("dp_inv")]),
    (_set("cm-dp_lost", foreigntotal="14000"),
     ["cm-dp_lost: credit memo for dispute dp_lost of in_9: total Stripe 15000 JPY, NetSuite 14000 JPY"
      + rewrite("dp_lost")]),
    # the payment of a refund Stripe gave back
    (_drop("ret-re_rev"),
     ["ret-re_rev: payment of refund re_rev, given back by Stripe, missing in NetSuite (Stripe 30.00 USD)"
      + load("re_rev")]),
    (_set("ret-re_rev_direct", foreigntotal="70.00"),
     ["ret-re_rev_direct: payment of refund re_rev_direct, given back by Stripe: amount Stripe 7.00 USD, NetSuite "
      "70.00 USD" + rewrite("re_rev_direct")]),
    (_add_link("36", "in_7", "30.00"),
     ["ret-re_rev: payment of refund re_rev, given back by Stripe: applied in NetSuite 30.00 USD to in_7, Stripe "
      "nothing (the customer refund re_rev applies it)"
      + by_hand("re_rev", "in_7", writes="writes it applied to nothing")]),
    # disputes
    (_drop("dp_inv"),
     ["dp_inv: missing in NetSuite (Stripe 70.00 USD, dispute of ch_dp, applying cm-dp_inv)" + load("dp_inv")]),
    (_set("dp_won", exchangerate="1.08"),  # the charge's rate: Stripe withdrew the funds at the day's
     ["dp_won: exchange rate Stripe 1.1, NetSuite 1.08" + rewrite("dp_won")]),
    (_set("dp_lost", foreigntotal="15001", customer="cus_1"),
     ["dp_lost: customer Stripe cus_2, NetSuite cus_1; amount Stripe 15000 JPY, NetSuite 15001 JPY"
      + rewrite("dp_lost")]),
    # wrong record type: the one NetSuite has is not the flow's
    (_set("re_full", type="CustPymt"),
     ["re_full: missing in NetSuite (Stripe 150.00 USD, refund of ch_inv, applying cm-re_full)" + load("re_full")]),
])
def test_each_difference_is_one_line_naming_the_stripe_object_and_what_to_do(change, expected):
    assert problems_after(change) == expected


# -- credited twice, and what Stripe does not explain ---------------------------------------------------------

CREDITED_TWICE = (" -> fix: trigger {flow} with stripe_ids [{refund}] and force_rewrite on (it moves the refund onto "
                  "the credit note's memo and zeroes this one); if it stays, unapply this credit memo from the customer "
                  "refund by hand in NetSuite")


def test_a_refund_made_through_a_credit_note_with_its_own_memo_too_is_credited_twice():
    """The memo written before the note named the refund: a rewrite moves the customer refund onto the note's memo
    (releasing this one, so no 'by hand' there) and zeroes it."""
    problems = problems_after(_both(_add_row("cm-re_note", "25.00", "CustCred", internal_id="60"),
                                    _link("24", applied_to="cm-re_note")))
    assert problems == [
        "re_note: applied in NetSuite 25.00 USD to cm-re_note, Stripe 25.00 USD to cn_1" + rewrite("re_note"),
        "cm-re_note: credit memo in NetSuite (internal ID 60), but refund re_note was made through credit note cn_1, "
        "whose memo cn_1 credits it: the customer is credited twice" + CREDITED_TWICE.format(flow=FLOW, refund="re_note"),
    ]


def test_the_memo_of_a_refund_a_credit_note_named_later_once_zeroed_credits_nothing():
    assert problems_after(_add_row("cm-re_note", "0.00", "CustCred", internal_id="60")) == []
    assert problems_after(_both(_add_row("cm-re_note", "0.00", "CustCred", internal_id="60"),  # still applied
                                _link("24", applied_to="cm-re_note"))) == [
        "re_note: applied in NetSuite 25.00 USD to cm-re_note, Stripe 25.00 USD to cn_1" + rewrite("re_note")]


def test_a_credit_note_linking_a_refund_already_booked_through_its_own_memo_is_credited_twice():
    """The refund was synced with its cm-re_ memo; a credit note made later names it (``refunds[].refund``)."""
    data = consistent_set()
    data[4].append({"id": "cn_late", "invoice": "in_1", "refunds": [{"refund": {"id": "re_full", "object": "refund"},
                                                                    "amount_refunded": 15000}]})
    problems = reconciled(*data).problems
    assert problems[0].endswith(rewrite("re_full"))  # the flow releases the memo it wrote before
    assert [p.split(" -> ")[0] for p in problems] == [
        "re_full: applied in NetSuite 150.00 USD to cm-re_full, Stripe 150.00 USD to cn_late",
        "cm-re_full: credit memo in NetSuite (internal ID 20), but refund re_full was made through credit note "
        "cn_late, whose memo cn_late credits it: the customer is credited twice"]


@pytest.mark.parametrize("extra_row, expected", [
    (row("re_ghost", "9.00", internal_id="60"),
     "re_ghost: customer refund in NetSuite (internal ID 60), for a refund Stripe does not have"
     + not_in_stripe("a customer refund")),
    (row("cm-re_ghost", "9.00", "CustCred", internal_id="60"),
     "cm-re_ghost: credit memo in NetSuite (internal ID 60), for a refund Stripe does not have"
     + not_in_stripe("a credit memo")),
    (row("ret-re_ghost", "9.00", "CustPymt", internal_id="60"),
     "ret-re_ghost: payment in NetSuite (internal ID 60), for a refund Stripe does not have" + not_in_stripe("a payment")),
    (row("dp_ghost", "9.00", internal_id="60"),
     "dp_ghost: customer refund in NetSuite (internal ID 60), for a dispute Stripe does not have"
     + not_in_stripe("a customer refund")),
    (row("cm-dp_ghost", "9.00", "CustCred", internal_id="60"),
     "cm-dp_ghost: credit memo in NetSuite (internal ID 60), for a dispute Stripe does not have"
     + not_in_stripe("a credit memo")),
    (row("re_pending", "4.00", internal_id="60"),
     "re_pending: customer refund in NetSuite (internal ID 60), but Stripe has not booked refund re_pending (pending)"
     + delete("customer refund")),
    (row("cm-re_declined", "4.00", "CustCred", internal_id="60"),
     "cm-re_declined: credit memo in NetSuite (internal ID 60), but Stripe has not booked refund re_declined (failed)"
     + delete("credit memo")),
    (row("dp_inq", "20.00", internal_id="60"),
     "dp_inq: customer refund in NetSuite (internal ID 60), but Stripe's dispute dp_inq withdrew no funds "
     "(warning_needs_response)" + delete("customer refund")),
    (row("cm-re_direct", "5.00", "CustCred", internal_id="60"),
     "cm-re_direct: credit memo in NetSuite (internal ID 60), but Stripe's refund re_direct is of ch_direct, which "
     "paid no invoice: its customer refund applies the payment ch_direct, no credit memo"
     + delete("credit memo", "re_direct")),
    (row("cm-dp_won", "99.00", "CustCred", "EUR", internal_id="60"),
     "cm-dp_won: credit memo in NetSuite (internal ID 60), but Stripe's dispute dp_won is of ch_dp_eur, which paid no "
     "invoice: its customer refund applies the payment ch_dp_eur, no credit memo" + delete("credit memo", "dp_won")),
    (row("ret-re_full", "150.00", "CustPymt", internal_id="60"),
     "ret-re_full: payment in NetSuite (internal ID 60), but Stripe did not give refund re_full back"
     + delete("payment", "re_full")),
    (row("re_full", "150.00", internal_id="60"),
     "re_full: 2 NetSuite records share this external ID (internal IDs 21, 60)" + DUPLICATED),
    (row("cm-re_full", "150.00", "CustCred", internal_id="60"),
     "cm-re_full: 2 NetSuite records share this external ID (internal IDs 20, 60)" + DUPLICATED),
])
def test_what_netsuite_has_that_stripe_does_not_explain_is_a_difference(extra_row, expected):
    assert problems_after(lambda r, d, c, i, n, rows, links: rows.append(extra_row)) == [expected]


def test_credit_memos_sharing_an_external_id_are_left_to_the_invoices_section_when_it_runs():
    extra = [row("cm-re_full", "150.00", "CustCred", internal_id="60"), row("re_full", "150.00", internal_id="61")]
    problems = problems_after(lambda r, d, c, i, n, rows, links: rows.extend(extra), shared_memos=False)
    assert problems == ["re_full: 2 NetSuite records share this external ID (internal IDs 21, 61)" + DUPLICATED]


def test_records_that_are_not_the_flows_are_not_compared():
    rows = [row("RF-1", "1.00"), row("rf-py_1", "1.00"), row("ch_1", "1.00", "CustPymt"), row("cn_1", "1.00", "CustCred"),
            row("cm-bal-in_1", "1.00", "CustCred"), row("re-1", "1.00"), row("dp-1", "1.00"), row("re_", "1.00")]
    report = reconcile_refunds([], [], {}, {}, rows, base_currency=BASE)
    assert report.ok and report.netsuite_refunds == report.netsuite_disputes == 0


# -- what cannot be compared ---------------------------------------------------------------------------

def test_a_status_new_to_this_version_is_reported_once_and_its_records_are_not_called_extra():
    data = consistent_set()
    _find(data[0], "id", "re_full")["status"] = "in_transit"
    _find(data[1], "id", "dp_inv")["status"] = "escalated"
    assert reconciled(*data).problems == [
        "re_full: refund status 'in_transit' is new to this connector version; not compared" + UPDATE,
        "dp_inv: dispute status 'escalated' is new to this connector version; not compared" + UPDATE]


def test_a_refund_id_the_external_ids_do_not_take_is_reported_not_guessed():
    data = consistent_set()
    data[0].append(refund("rfd_1", "ch_direct", 100))
    data[1].append(dispute("chb_1", "ch_direct", 100))
    assert reconciled(*data).problems == [
        "rfd_1: a refund ID the connector's external IDs do not take (mapping/external_ids.py); not compared" + UPDATE,
        "chb_1: a dispute ID the connector's external IDs do not take (mapping/external_ids.py); not compared" + UPDATE]


def test_a_refund_whose_charge_stripe_does_not_list_is_reported():
    data = consistent_set()
    del data[2]["ch_inv"]
    assert reconciled(*data).problems == [
        "re_full: its charge ch_inv is not among Stripe's charges; not compared -> check Stripe, then fix: trigger "
        f"{FLOW} with stripe_ids [re_full] and force_rewrite on"]


# -- settings --------------------------------------------------------------------------------------------

def test_with_standalone_charges_invoiced_a_refund_of_a_payment_without_one_credits_its_own_invoice():
    charges = {"ch_1": charge("ch_1")}
    rows = [row("cm-re_1", "5.00", "CustCred", internal_id="1"), row("re_1", "5.00", internal_id="2")]
    links = [link("2", "cm-re_1", "5.00")]
    invoiced = PaymentSettings(standalone_charges="invoice")
    assert reconcile_refunds([refund("re_1", "ch_1", 500)], [], charges, {}, rows, links, base_currency=BASE,
                             settings=invoiced).ok
    problems = reconcile_refunds([refund("re_1", "ch_1", 500)], [], charges, {}, rows[1:], links, base_currency=BASE,
                                 settings=invoiced).problems
    assert problems == ["cm-re_1: credit memo for refund re_1 of in-ch_1 missing in NetSuite (Stripe 5.00 USD)"
                        + load("re_1")]


def test_a_guest_customer_named_by_internal_id_is_compared_on_the_entity():
    charges = {"ch_1": charge("ch_1", customer=None)}
    guest = PaymentSettings(guest_customer=812)
    good = [row("re_1", "5.00", customer=None, entity="812")]
    links = [link("1", "ch_1", "5.00")]
    assert reconcile_refunds([refund("re_1", "ch_1", 500)], [], charges, {}, good, links, base_currency=BASE,
                             settings=guest).ok
    bad = [row("re_1", "5.00", customer="cus_9", entity="99")]
    assert reconcile_refunds([refund("re_1", "ch_1", 500)], [], charges, {}, bad, links, base_currency=BASE,
                             settings=guest).problems == [
        "re_1: customer Stripe none, the guest customer (internal ID 812), NetSuite cus_9" + rewrite("re_1")]


# -- the external-ID schemes and the query --------------------------------------------------------------

@pytest.mark.parametrize("external_id, expected", [
    ("re_1", ("refund", "re_1")), ("cm-re_1", ("refund_memo", "re_1")), ("ret-re_1", ("returned", "re_1")),
    ("dp_1", ("dispute", "dp_1")), ("cm-dp_1", ("dispute_memo", "dp_1")),
    ("cm-in_1", None), ("cm-bal-in_1", None), ("ret-dp_1", None), ("rf-py_1", None), ("re_", None), ("ch_1", None),
    ("cn_1", None), ("REFUND-7", None), ("rfd_1", None),
])
def test_scheme_of(external_id, expected):
    assert scheme_of(external_id) == expected


def test_the_query_filters_on_type_codes_and_the_flows_prefixes():
    assert "t.type IN ('CustCred', 'CustRfnd', 'CustPymt')" in REFUND_ROWS_QUERY
    assert "recordtype" not in REFUND_ROWS_QUERY  # SuiteQL answers it lower case: codes are the same everywhere
    for pattern in ("'re_%'", "'cm-re_%'", "'ret-re_%'", "'dp_%'", "'cm-dp_%'"):
        assert f"t.externalid LIKE {pattern}" in REFUND_ROWS_QUERY
    assert REFUND_ROWS_QUERY.format(after=0).endswith("t.id > 0 ORDER BY t.id")


# -- property: what the mapping writes is what the reconciliation expects, in every currency ------------------

CURRENCY_IDS = {"USD": "1", "EUR": "2", "JPY": "4", "KWD": "6"}
TYPE_CODE = {"creditMemo": "CustCred", "customerRefund": "CustRfnd", "customerPayment": "CustPymt"}


def netsuite_as_written(stages: list[list[Any]], start: int, present: bool = False) -> tuple[list[dict], list[dict]]:
    """SuiteQL rows and applications of the records the flow writes (as NetSuite answers them); a record written
    only over one NetSuite has (``only_if_present``) is there when ``present``."""
    code_of = {v: k for k, v in CURRENCY_IDS.items()}
    rows, links = [], []
    written = [r for stage in stages for r in stage if present or not r.only_if_present]
    for offset, record in enumerate(written):
        fields = record.fields
        currency = code_of[fields["currency"]["id"]]
        if record.record_type == "creditMemo":
            total = sum((line["amount"] for line in fields["item"]["items"]), Decimal(0))
        elif record.record_type == "customerRefund":
            total = sum((a["amount"] for a in fields["apply"]["items"] if a["apply"]), Decimal(0))
        else:
            total = fields["payment"]
        who = fields.get("customer") or fields.get("entity")
        internal_id = str(start + offset)
        rows.append(row(record.external_id, str(total), TYPE_CODE[record.record_type], currency,
                        who.get("externalId"), internal_id, rate=fields.get("exchangeRate")))
        for entry in (fields.get("apply") or {}).get("items", []):
            if entry["apply"]:
                assert isinstance(entry["doc"], InternalIdRef)
                links.append(link(internal_id, entry["doc"].external_id, str(entry["amount"])))
    return rows, links


@hypothesis_settings(max_examples=150, deadline=None)
@given(currency=st.sampled_from(["USD", "EUR", "JPY", "KWD"]), charged=st.integers(min_value=2, max_value=10**9),
       data=st.data(), rate=st.sampled_from([None, 0.0067, 1.08, 3.25, 1.1]),
       how=st.sampled_from(["invoice", "credit_note", "none"]), given_back=st.booleans(), disputed=st.booleans(),
       memo_before=st.booleans())
def test_what_the_mapping_writes_reconciles_exactly(currency, charged, data, rate, how, given_back, disputed,
                                                    memo_before):
    """``memo_before``: the refund's own memo was written before a credit note named it (then zeroed)."""
    refunded = data.draw(st.integers(min_value=1, max_value=charged))
    code = currency.lower()
    the_charge = {**charge("ch_1", code), "amount": charged, "amount_captured": charged, "captured": True,
                  "created": NOON - 86400}
    invoice_of = {"ch_1": "in_1"} if how != "none" else {}
    context = RefundContext(currency_ids=CURRENCY_IDS, base_currency=BASE, charges={"ch_1": the_charge},
                            invoice_of_charge=invoice_of,
                            lines_of_invoice={"in_1": [(charged, {"item": {"externalId": "price_A"},
                                                                  "amount": to_decimal(charged, currency),
                                                                  "description": "a line"})]},
                            credit_note_of_refund={"re_1": "cn_1"} if how == "credit_note" else {})
    settled_in = "usd" if rate is not None else code
    the_refund = refund("re_1", "ch_1", refunded, code, rate=rate, settled_in=settled_in)
    if given_back:
        the_refund.update(status="failed", failure_balance_transaction={"id": "txn_back", "created": NOON + 60})
    the_dispute = dispute("dp_1", "ch_1", charged - refunded or 1, code, rate=rate)
    the_dispute["balance_transactions"][0]["currency"] = settled_in
    settings = Settings()
    stages = map_refund(the_refund, context, settings) or []
    if disputed:
        stages += map_dispute(the_dispute, context, settings) or []
    rows, links = netsuite_as_written(stages, 100, present=memo_before)
    notes = [{"id": "cn_1", "invoice": "in_1", "refunds": [{"refund": "re_1"}]}] if how == "credit_note" else []
    report = reconcile_refunds([the_refund], [the_dispute] if disputed else [], {"ch_1": the_charge}, invoice_of, rows,
                               links, base_currency=BASE, credit_notes=notes)
    assert report.problems == []
    assert report.refunds_matched == 1 and report.disputes_matched == int(disputed)
    stripe_total, netsuite_total = report.refunded[currency]
    assert stripe_total == netsuite_total == (0 if given_back else to_decimal(refunded, currency))
    assert all(isinstance(v, Decimal) for pair in (*report.refunded.values(), *report.disputed.values()) for v in pair)
    # and a cent (or yen, or fils) more in NetSuite is a difference
    rows[-1]["foreigntotal"] = str(Decimal(rows[-1]["foreigntotal"]) + to_decimal(1, currency))
    assert not reconcile_refunds([the_refund], [the_dispute] if disputed else [], {"ch_1": the_charge}, invoice_of,
                                 rows, links, base_currency=BASE, credit_notes=notes).ok


# -- the report: what build_report reads and feeds the reconciler ------------------------------------------

class FakeStripe:
    """Stripe with one paid invoice (in_1, by ch_1, 150.00 USD), a refund of part of it, a refund of a payment
    without an invoice (ch_2), a dispute of that one, and an inquiry."""

    def __init__(self, events=()):
        charges = [{**charge("ch_1"), "amount": 15000, "amount_captured": 15000, "captured": True, "created": NOON,
                    "payment_intent": "pi_1", "balance_transaction": txn()},
                   {**charge("ch_2"), "amount": 5000, "amount_captured": 5000, "captured": True, "created": NOON,
                    "payment_intent": "pi_2", "balance_transaction": txn()}]
        invoice = {"id": "in_1", "object": "invoice", "status": "paid", "currency": "usd", "customer": "cus_1",
                   "total": 15000, "amount_paid": 15000, "amount_remaining": 0, "starting_balance": 0,
                   "ending_balance": 0, "lines": {"data": [{"amount": 15000}]}, "amount_paid_off_stripe": 0}
        self.objects: dict[str, list] = {
            "charges": charges, "invoices": [invoice], "customers": [{"id": "cus_1", "email": None}],
            "credit_notes": [], "events": list(events),
            "refunds": [refund("re_1", {"id": "ch_1", "object": "charge"}, 4000), refund("re_2", "ch_2", 1000)],
            "disputes": [dispute("dp_1", "ch_2", 4000), dispute("dp_2", "ch_1", 100, status="warning_under_review",
                                                              withdrawn=False)]}
        self.listed: list[tuple[str, dict]] = []

    def list_objects(self, resource, **kwargs):
        self.listed.append((resource, kwargs))
        if resource == "invoice_payments":
            intent = kwargs["payment"]["payment_intent"]
            return iter([{"invoice": {"id": "in_1"}, "payment": {"type": "payment_intent", "payment_intent": intent}}]
                        if intent == "pi_1" else [])
        return iter(self.objects[resource])

    def retrieve_many(self, resource, ids, **kwargs):
        return {}


class FakeNetSuite:
    def __init__(self):
        from stripe_netsuite.reconcile.invoices import NETSUITE_ROWS_QUERY
        from stripe_netsuite.reconcile.payments import PAYMENT_ROWS_QUERY

        self.rows = {
            NETSUITE_ROWS_QUERY: [{"id": "1", "externalid": "in_1", "recordtype": "invoice", "foreigntotal": "150.00",
                                   "foreignamountremaining": "0.00", "currency": "USD", "customer": "cus_1"},
                                  {"id": "5", "externalid": "cm-re_1", "recordtype": "creditmemo",
                                   "foreigntotal": "40.00", "foreignamountremaining": "0.00", "currency": "USD",
                                   "customer": "cus_1"}],
            PAYMENT_ROWS_QUERY: [row("ch_1", "150.00", "CustPymt", internal_id="2"),
                                 row("ch_2", "50.00", "CustPymt", internal_id="3")],
            REFUND_ROWS_QUERY: [row("cm-re_1", "40.00", "CustCred", internal_id="5"), row("re_1", "40.00", internal_id="6"),
                                row("re_2", "10.00", internal_id="7"), row("dp_1", "40.00", internal_id="8")],
        }
        self.links = [link("2", "in_1", "150.00"), link("6", "cm-re_1", "40.00"), link("7", "ch_2", "10.00"),
                      link("8", "ch_2", "40.00")]
        self.queries: list[str] = []

    def suiteql_after(self, query, **kwargs):
        self.queries.append(query)
        if "FROM customer" in query:
            return iter([{"id": "1", "externalid": "cus_1"}])
        return iter(self.rows[query])

    def suiteql(self, query, **kwargs):
        if "FROM subsidiary" in query:
            return iter([{"symbol": "USD"}])
        assert "nexttransactionlinelink" in query
        ids = set(query.split("IN (")[1].rstrip(")").split(", "))
        return iter([x for x in self.links if x["doc"] in ids])


def report_of(stripe=None, netsuite=None, settle_seconds=0, **sections):
    from stripe_netsuite.reconcile.report import build_report

    sections = {"payouts": {"enabled": False}} | sections  # no payouts here: test_reconcile_payouts.py
    return build_report(stripe or FakeStripe(), netsuite or FakeNetSuite(), Settings.model_validate(sections),
                        settle_seconds=settle_seconds, now=NOON + 600)


def test_the_report_compares_refunds_and_disputes_and_leaves_the_invoice_as_it_was():
    stripe = FakeStripe()
    report = report_of(stripe)
    assert report.ok, report.lines()
    assert ("refunds", {"expand": ("balance_transaction", "failure_balance_transaction")}) in stripe.listed
    assert [resource for resource, _ in stripe.listed].count("credit_notes") == 1  # read once for both sections
    summary = report.summary()
    assert summary["refunds"] == {"stripe": 2, "netsuite": 2, "matched": 2, "reversed": 0}
    assert summary["disputes"] == {"stripe": 1, "netsuite": 1, "matched": 1}
    assert summary["invoices"]["matched"] == summary["invoices"]["stripe"] == 1  # the refund's memo is not on it
    lines = report.lines()
    start = lines.index(next(x for x in lines if x.startswith("refunds: ")))
    assert lines[start:start + 3] == [
        "refunds: Stripe 2 booked (0 given back), NetSuite 2, matched 2; disputes: Stripe 1 that withdrew funds, "
        "NetSuite 1, matched 1 - OK",
        "  USD refunded: Stripe 50.00 USD, NetSuite 50.00 USD",
        "  USD disputed: Stripe 40.00 USD, NetSuite 40.00 USD"]
    assert [r["applied_to"] for r in report.refund_rows] == ["", "cm-re_1", "ch_2", "ch_2"]


def test_a_customer_refund_deleted_or_edited_in_netsuite_is_a_problem_naming_the_refund():
    netsuite = FakeNetSuite()
    rows = netsuite.rows[REFUND_ROWS_QUERY]
    rows.remove(_find(rows, "externalid", "re_1"))
    _find(rows, "externalid", "dp_1")["foreigntotal"] = "45.00"
    summary = report_of(netsuite=netsuite).summary()
    assert not summary["ok"] and summary["problems"] == [
        "re_1: missing in NetSuite (Stripe 40.00 USD, refund of ch_1, applying cm-re_1)" + load("re_1"),
        "dp_1: amount Stripe 40.00 USD, NetSuite 45.00 USD" + rewrite("dp_1")]


def test_a_memo_applied_to_its_invoice_is_a_difference_a_rewrite_undoes():
    netsuite = FakeNetSuite()
    netsuite.links.append(link("5", "in_1", "40.00"))
    problems = report_of(netsuite=netsuite).problems()
    assert problems == ["cm-re_1: credit memo for refund re_1 of in_1: applied in NetSuite 40.00 USD to in_1, Stripe "
                        "nothing (the customer refund re_1 applies it)" + rewrite("re_1")]


@pytest.mark.parametrize("changed, waiting", [
    ({"id": "re_1", "object": "refund"}, ["re_1"]),
    ({"id": "dp_1", "object": "dispute"}, ["dp_1"]),
    ({"id": "ch_2", "object": "charge"}, ["ch_2", "dp_1", "re_2"]),  # a refund or dispute waits with its charge
    # and with the invoice its charge paid (a credit note made through a refund): the inquiry dp_2 too
    ({"id": "cn_9", "object": "credit_note", "invoice": "in_1"}, ["ch_1", "dp_2", "in_1", "re_1"]),
])
def test_a_refund_or_dispute_changed_within_the_settle_time_is_left_out_with_its_records(changed, waiting):
    netsuite = FakeNetSuite()
    for external_id in ("re_1", "re_2", "dp_1"):  # not yet carried by the hourly flow: no difference
        _find(netsuite.rows[REFUND_ROWS_QUERY], "externalid", external_id)["foreigntotal"] = "1.00"
    report = report_of(FakeStripe(events=[{"data": {"object": changed}}]), netsuite, settle_seconds=5400)
    assert report.settling == waiting
    assert {p.split(":")[0] for p in report.problems()} == {"re_1", "re_2", "dp_1"} - set(waiting)


def test_with_the_refunds_flow_off_refunds_and_disputes_are_a_note():
    stripe = FakeStripe()
    report = report_of(stripe, refunds={"enabled": False})
    assert report.refunds is None and report.summary()["refunds"] is None and report.summary()["disputes"] is None
    assert "refunds and disputes flow switched off (refunds.enabled): refunds and disputes not compared" in report.lines()
    assert not any(resource in ("refunds", "disputes") for resource, _ in stripe.listed)
    assert report.ok


def test_with_the_payments_flow_off_refunds_are_still_compared_against_stripes_charges():
    stripe = FakeStripe()
    netsuite = FakeNetSuite()
    netsuite.rows[REFUND_ROWS_QUERY][1]["customer"] = "cus_9"
    report = report_of(stripe, netsuite, payments={"enabled": False}, invoices={"enabled": False})
    assert report.payments is None and report.invoices is None
    assert report.problems() == ["re_1: customer Stripe cus_1, NetSuite cus_9" + rewrite("re_1")]
    assert any(resource == "charges" for resource, _ in stripe.listed)
