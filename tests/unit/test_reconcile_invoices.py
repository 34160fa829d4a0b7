"""Invoice reconciliation: Stripe invoices and credit notes against NetSuite transaction rows."""

import pytest

from stripe_netsuite.mapping.money import to_decimal
from stripe_netsuite.reconcile.invoices import reconcile_invoices
from stripe_netsuite.settings import InvoiceSettings


def stripe_invoice(invoice_id="in_1", total=10000, status="paid", currency="usd", customer="cus_1", paid=None,
                   remaining=0, **extra):
    invoice = {"id": invoice_id, "status": status, "currency": currency, "customer": customer, "total": total,
               "amount_paid": max(total, 0) if paid is None and status == "paid" else (paid or 0),
               "amount_remaining": remaining, "starting_balance": 0, "ending_balance": 0,
               "lines": {"data": [{"amount": total}]}}
    invoice.update(extra)
    return invoice


def row(external_id="in_1", total="100.00", remaining="0.00", recordtype="invoice", currency="USD", customer="cus_1",
        internal_id="1"):
    return {"id": internal_id, "externalid": external_id, "recordtype": recordtype, "foreigntotal": total,
            "foreignamountremaining": remaining, "currency": currency, "customer": customer}


def memo_row(external_id, total):
    return row(external_id, total=total, recordtype="creditMemo")


def reconciled(invoices, rows, notes=(), **kwargs):
    return reconcile_invoices(invoices, notes, rows, **kwargs)


def consistent_set():
    """Every kind of invoice, with NetSuite holding exactly what the invoices flow writes (payments not applied:
    the payments flow is off)."""
    invoices = [
        stripe_invoice("in_paid", 10000),
        stripe_invoice("in_negative", -12501, customer="cus_2", lines={"data": [{"amount": 4084}, {"amount": -16585}]}),
        stripe_invoice("in_balance", 10000, paid=3000, starting_balance=-7000, ending_balance=0),
        stripe_invoice("in_uncollectible", 4680, status="uncollectible", currency="gbp", paid=1000, remaining=3680),
        stripe_invoice("in_void", 5000, status="void", remaining=5000),
        stripe_invoice("in_open", 2500, status="open", currency="jpy", paid=500, remaining=2000),
        stripe_invoice("in_credited", 59400, paid=56000),
        stripe_invoice("in_draft", 999, status="draft"),
    ]
    notes = [
        {"id": "cn_pre", "invoice": "in_credited", "status": "issued", "total": 3400, "pre_payment_amount": 3400,
         "post_payment_amount": 0, "refunds": []},
        {"id": "cn_bal", "invoice": {"id": "in_paid"}, "status": "issued", "total": 2000, "pre_payment_amount": 0,
         "post_payment_amount": 2000, "refunds": [{"amount_refunded": 500, "refund": "re_1"}],
         "out_of_band_amount": 300},
        {"id": "cn_void", "invoice": "in_paid", "status": "void", "total": 1000, "pre_payment_amount": 0,
         "post_payment_amount": 1000, "refunds": []},
    ]
    rows = [
        row("in_paid", "100.00", "100.00"),
        row("in_negative", "0.00", "0.00", customer="cus_2"),
        row("in_balance", "100.00", "30.00"),
        row("in_uncollectible", "46.80", "10.00", currency="GBP"),
        row("in_void", "50.00", "0.00"),
        row("in_open", "2500", "2500", currency="JPY"),
        row("in_credited", "594.00", "560.00"),
        memo_row("cn_pre", "34.00"),
        memo_row("cn_bal", "8.00"),  # 20.00 - 12.00 to the customer balance
        memo_row("cn_void", "0.00"),
        memo_row("cm-bal-in_balance", "70.00"),
        memo_row("cm-unc-in_uncollectible", "36.80"),
        memo_row("cm-void-in_void", "50.00"),
        row("CUSTOM-INV-7", "12.00"),  # entered by hand in NetSuite: not ours to reconcile
    ]
    return invoices, notes, rows


def test_a_consistent_set_is_ok_with_the_payments_flow_off():
    invoices, notes, rows = consistent_set()
    report = reconciled(invoices, rows, notes, payments_synced=False)
    assert report.problems == []
    assert report.ok and report.stripe_invoices == 7 and report.netsuite_invoices == 7 and report.matched == 7
    assert report.credit_memos_expected == report.credit_memos_matched == 6
    assert report.lines()[0].endswith(" - OK")
    assert str(report.totals["USD"][0]) == str(report.totals["USD"][1]) == "844.00"  # the negative invoice counts 0
    awaiting = {currency: str(amount) for currency, amount in report.awaiting_payments.items()}
    assert awaiting == {"USD": "690.00", "GBP": "10.00", "JPY": "500"}


PAID_REMAINING = {"in_paid": "0.00", "in_balance": "0.00", "in_uncollectible": "0.00", "in_open": "2000",
                  "in_credited": "0.00"}


def payments_applied():
    """The consistent set once the payments flow applied Stripe's payments: NetSuite's amount remaining is Stripe's."""
    invoices, notes, rows = consistent_set()
    for r in rows:
        if r["externalid"] in PAID_REMAINING:
            r["foreignamountremaining"] = PAID_REMAINING[r["externalid"]]
    return invoices, notes, rows


def test_after_the_payments_flow_nothing_paid_stays_open():
    invoices, notes, rows = payments_applied()
    report = reconciled(invoices, rows, notes, payments_synced=True)
    assert report.problems == [] and report.matched == 7
    assert not report.awaiting_payments and not report.pending_debits and not report.paid_outside_stripe


@pytest.mark.parametrize("external_id, remaining, expected", [
    ("in_paid", "100.00", "in_paid: amount remaining Stripe 0.00 USD, NetSuite 100.00 USD"),  # its payment not applied
    ("in_open", "2500", "in_open: amount remaining Stripe 2000 JPY, NetSuite 2500 JPY"),
    ("in_open", "1500", "in_open: amount remaining Stripe 2000 JPY, NetSuite 1500 JPY"),  # paid more in NetSuite
    ("in_uncollectible", "10.00", "in_uncollectible: amount remaining Stripe 0.00 GBP, NetSuite 10.00 GBP"),
])
def test_with_the_payments_flow_on_the_amount_remaining_is_stripes(external_id, remaining, expected):
    invoices, notes, rows = payments_applied()
    _find(rows, external_id)["foreignamountremaining"] = remaining
    report = reconciled(invoices, rows, notes, payments_synced=True)
    assert report.problems == [expected + hand_applied(external_id)]


def test_with_the_payments_flow_off_what_stripe_was_paid_stays_open_in_netsuite():
    invoices, notes, rows = payments_applied()
    report = reconciled(invoices, rows, notes, payments_synced=False)
    assert report.problems[0] == "in_balance: amount remaining Stripe 30.00 USD, NetSuite 0.00 USD" + hand_applied(
        "in_balance")
    assert len(report.problems) == 5


def ach_set(currency="usd", total=64000, netsuite_remaining="0.00"):
    """An invoice paid by a bank debit Stripe has booked but not settled: open in Stripe, applied in NetSuite."""
    invoices = [stripe_invoice("in_ach", total, status="open", currency=currency, paid=0, remaining=total)]
    rows = [row("in_ach", str(to_decimal(total, currency)), netsuite_remaining, currency=currency.upper())]
    return invoices, rows


def test_a_pending_bank_debit_applied_in_netsuite_is_information_not_a_difference():
    invoices, rows = ach_set()
    report = reconciled(invoices, rows, payments_synced=True, pending_debits={"in_ach": 64000})
    assert report.problems == [] and report.matched == 1
    assert report.lines()[1:] == [
        "  USD invoiced: Stripe 640.00 USD, NetSuite 640.00 USD",
        "  USD for information: 640.00 USD paid by bank debits Stripe has not settled yet: applied in NetSuite, open in "
        "Stripe until they settle (not a difference)",
    ]


@pytest.mark.parametrize("currency, total, remaining, pending, shown", [
    ("jpy", 64000, "32000", 32000, "32000 JPY"),  # a part paid by the debit, the rest still open
    ("kwd", 64000, "0", 64000, "64.000 KWD"),
    ("usd", 64000, "0.00", 99999, "640.00 USD"),  # never more than Stripe shows open
])
def test_pending_bank_debits_print_with_the_currency_decimals(currency, total, remaining, pending, shown):
    invoices, rows = ach_set(currency, total, remaining)
    report = reconciled(invoices, rows, payments_synced=True, pending_debits={"in_ach": pending})
    assert report.problems == []
    assert report.lines()[2].startswith(f"  {currency.upper()} for information: {shown} paid by bank debits")


def test_a_pending_bank_debit_not_applied_in_netsuite_is_a_difference():
    invoices, rows = ach_set(netsuite_remaining="640.00")
    report = reconciled(invoices, rows, payments_synced=True, pending_debits={"in_ach": 64000})
    assert report.problems == ["in_ach: amount remaining Stripe 0.00 USD, NetSuite 640.00 USD" + hand_applied("in_ach")]
    unknown_to_the_report = reconciled(*ach_set(), payments_synced=True)
    assert unknown_to_the_report.problems == [
        "in_ach: amount remaining Stripe 640.00 USD, NetSuite 0.00 USD" + hand_applied("in_ach")]


def outside_set(netsuite_remaining="350.00", **extra):
    """An invoice Stripe shows paid outside Stripe (by check); the payments flow writes nothing for it."""
    fields = {"amount_paid_off_stripe": 35000, **extra}
    invoices = [stripe_invoice("in_oob", 35000, **fields), stripe_invoice("in_card", 10000)]
    rows = [row("in_oob", "350.00", netsuite_remaining), row("in_card", "100.00", "0.00")]
    return invoices, rows


def test_an_invoice_paid_outside_stripe_is_listed_apart_for_finance_not_as_a_difference():
    report = reconciled(*outside_set(), payments_synced=True)
    assert report.ok and report.problems == [] and report.matched == 2
    assert report.paid_outside_stripe == ["in_oob"]
    assert report.lines() == [
        "invoices: Stripe 2 finalized, NetSuite 2, matched 2; credit memos expected 0, matched 0 - OK",
        "  USD invoiced: Stripe 450.00 USD, NetSuite 450.00 USD",
        "  USD paid outside Stripe, for finance to record in NetSuite: 350.00 USD (listed below; not a connector "
        "difference)",
        "  in_oob: paid outside Stripe: record the payment in NetSuite",
    ]


def test_an_open_invoice_paid_partly_outside_stripe_is_listed_apart_even_with_record():
    """The payments flow records invoices Stripe shows paid; a part paid outside Stripe on an open one is finance's."""
    invoices = [stripe_invoice("in_part", 35000, status="open", paid=10000, remaining=25000,
                               amount_paid_off_stripe=10000)]
    rows = [row("in_part", "350.00", "350.00")]
    report = reconciled(invoices, rows, payments_synced=True, out_of_band="record")
    assert report.ok and report.paid_outside_stripe == ["in_part"]
    assert str(report.outside_amounts["USD"]) == "100.00"


def test_once_finance_records_the_payment_in_netsuite_the_invoice_agrees():
    report = reconciled(*outside_set("0.00"), payments_synced=True)
    assert report.ok and report.paid_outside_stripe == [] and report.matched == 2
    partly = reconciled(*outside_set("150.00"), payments_synced=True)
    assert partly.ok and partly.paid_outside_stripe == ["in_oob"]
    assert str(partly.outside_amounts["USD"]) == "150.00"


def test_more_open_in_netsuite_than_was_paid_outside_stripe_is_a_difference():
    invoices, rows = outside_set("350.00", amount_paid_off_stripe=20000)
    report = reconciled(invoices, rows, payments_synced=True)
    assert report.problems == ["in_oob: amount remaining Stripe 0.00 USD, NetSuite 350.00 USD" + hand_applied("in_oob")]
    assert report.paid_outside_stripe == []


def test_with_out_of_band_record_the_payments_flow_owes_that_payment():
    report = reconciled(*outside_set(), payments_synced=True, out_of_band="record")
    assert report.problems == [
        "in_oob: amount remaining Stripe 0.00 USD, NetSuite 350.00 USD (paid outside Stripe, for the payments flow to "
        "record) -> fix: trigger stripe_payments_to_netsuite with stripe_ids [in_oob] and force_rewrite on (if its "
        "check_failed_records task lists in_oob, fix the cause it gives first)"]
    assert reconciled(*outside_set("0.00"), payments_synced=True, out_of_band="record").ok


def test_with_the_payments_flow_off_an_invoice_paid_outside_stripe_is_open_for_the_payments_flow():
    invoices, rows = outside_set()
    _find(rows, "in_card")["foreignamountremaining"] = "100.00"
    report = reconciled(invoices, rows, payments_synced=False)
    assert report.ok and report.paid_outside_stripe == []
    assert {c: str(a) for c, a in report.awaiting_payments.items()} == {"USD": "450.00"}


def test_keeping_unpaid_invoices_open_expects_no_uncollectible_memo():
    invoices, notes, rows = consistent_set()
    rows = [r for r in rows if r["externalid"] != "cm-unc-in_uncollectible"]
    next(r for r in rows if r["externalid"] == "in_uncollectible")["foreignamountremaining"] = "46.80"
    report = reconciled(invoices, rows, notes, settings=InvoiceSettings(keep_unpaid_invoices_open=True))
    assert report.problems == []


def problems_after(change):
    invoices, notes, rows = consistent_set()
    change(invoices, notes, rows)
    return reconciled(invoices, rows, notes).problems


def _find(rows, external_id):
    return next(r for r in rows if r["externalid"] == external_id)


FLOW = "stripe_invoices_to_netsuite"


def rewrite(invoice_id):
    return f" -> fix: trigger {FLOW} with stripe_ids [{invoice_id}] and force_rewrite on"


def load(invoice_id):
    return f"{rewrite(invoice_id)} (if its check_failed_records task lists {invoice_id}, fix the cause it gives first)"


def hand_applied(invoice_id):
    return (" -> check NetSuite for a payment or credit applied to it by hand and undo it; if there is none, fix: "
            f"trigger {FLOW} with stripe_ids [{invoice_id}] and force_rewrite on")


NOT_IN_STRIPE = (" -> check NetSuite: an invoice created or copied by hand there, or from another Stripe account, "
                 "carries this external ID; delete it or change its external ID in NetSuite")
DUPLICATED = (" -> check NetSuite: a record created or copied by hand there carries this external ID too; delete that "
              "duplicate or change its external ID in NetSuite")


@pytest.mark.parametrize("change, expected", [
    (lambda i, n, r: r.remove(_find(r, "in_open")),
     "in_open: missing in NetSuite (Stripe 2500 JPY, open)" + load("in_open")),
    (lambda i, n, r: _find(r, "in_paid").update(foreigntotal="100.01"),
     "in_paid: total Stripe 100.00 USD, NetSuite 100.01 USD" + rewrite("in_paid")),
    (lambda i, n, r: _find(r, "in_paid").update(foreigntotal=160),  # SuiteQL may answer a number
     "in_paid: total Stripe 100.00 USD, NetSuite 160.00 USD" + rewrite("in_paid")),
    (lambda i, n, r: _find(r, "in_negative").update(foreigntotal="-125.01"),
     "in_negative: total Stripe 0.00 USD, NetSuite -125.01 USD" + rewrite("in_negative")),
    (lambda i, n, r: _find(r, "in_paid").update(currency="EUR"),
     "in_paid: currency Stripe USD, NetSuite EUR" + rewrite("in_paid")),
    (lambda i, n, r: _find(r, "in_paid").update(customer="cus_9"),
     "in_paid: customer Stripe cus_1, NetSuite cus_9" + rewrite("in_paid")),
    (lambda i, n, r: _find(r, "in_open").update(foreignamountremaining="2000"),
     "in_open: amount remaining Stripe 2500 JPY, NetSuite 2000 JPY" + hand_applied("in_open")),
    (lambda i, n, r: _find(r, "in_open").update(foreigntotal=2400.0, foreignamountremaining=2000.0),
     "in_open: total Stripe 2500 JPY, NetSuite 2400 JPY; amount remaining Stripe 2500 JPY, NetSuite 2000 JPY"
     + rewrite("in_open")),
    (lambda i, n, r: r.remove(_find(r, "cm-void-in_void")),
     "cm-void-in_void: credit memo for in_void missing in NetSuite (Stripe 50.00 USD)" + load("in_void")),
    (lambda i, n, r: r.remove(_find(r, "cm-bal-in_balance")),
     "cm-bal-in_balance: credit memo for in_balance missing in NetSuite (Stripe 70.00 USD)" + load("in_balance")),
    (lambda i, n, r: _find(r, "cn_bal").update(foreigntotal="20.00"),
     "cn_bal: credit memo for in_paid: total Stripe 8.00 USD, NetSuite 20.00 USD" + rewrite("in_paid")),
    (lambda i, n, r: _find(r, "cn_void").update(foreigntotal=10),
     "cn_void: credit memo for in_paid: total Stripe 0.00 USD, NetSuite 10.00 USD" + rewrite("in_paid")),
    (lambda i, n, r: _find(r, "cm-unc-in_uncollectible").update(recordtype="invoice"),
     "cm-unc-in_uncollectible: credit memo for in_uncollectible missing in NetSuite (Stripe 36.80 GBP)"
     + load("in_uncollectible")),
    (lambda i, n, r: r.append(row("in_paid", "100.00", "100.00", internal_id="7")),
     "in_paid: 2 NetSuite records share this external ID (internal IDs 1, 7)" + DUPLICATED),
    (lambda i, n, r: r.append(row("in_draft", "9.99", internal_id="8")),
     "in_draft: in NetSuite (internal ID 8), not a finalized Stripe invoice" + NOT_IN_STRIPE),
    (lambda i, n, r: r.append(row("in_gone", "1.00", internal_id="9")),
     "in_gone: in NetSuite (internal ID 9), not a finalized Stripe invoice" + NOT_IN_STRIPE),
])
def test_each_kind_of_difference_is_one_line_saying_what_to_do(change, expected):
    assert problems_after(change) == [expected]


def test_a_mismatch_is_reported_in_the_lines():
    invoices, notes, rows = consistent_set()
    rows.remove(_find(rows, "in_open"))
    report = reconciled(invoices, rows, notes)
    assert not report.ok and report.matched == 6
    text = report.lines()
    assert text[0].endswith(" - MISMATCH") and any("in_open" in line for line in text)


def test_zero_invoices_skipped_by_the_settings_are_not_expected():
    invoices = [stripe_invoice("in_zero", 0, lines={"data": [{"amount": 0}]}),
                stripe_invoice("in_netzero", 0, lines={"data": [{"amount": 4900}, {"amount": -4900}]})]
    report = reconciled(invoices, [row("in_netzero", "0.00")], settings=InvoiceSettings(sync_zero_invoices=False))
    assert report.problems == [] and report.stripe_invoices == 1


def test_float_totals_from_netsuite_compare_by_value():
    report = reconciled([stripe_invoice("in_1", 1010)], [row("in_1", 10.1, 10.1)])
    assert report.problems == []


@pytest.mark.parametrize("hand_made", [
    {"id": "9", "recordtype": "invoice", "foreigntotal": "5.00", "foreignamountremaining": "5.00",
     "currency": "USD", "customer": "CUST-1"},  # SuiteQL leaves out null columns
    {"id": "9", "externalid": None, "recordtype": "invoice", "foreigntotal": "5.00",
     "foreignamountremaining": "5.00", "currency": "USD", "customer": "CUST-1"},
])
def test_netsuite_invoices_without_an_external_id_are_ignored(hand_made):
    report = reconciled([stripe_invoice("in_1", 10000)], [row("in_1", "100.00", "100.00"), hand_made])
    assert report.problems == []


def debit_invoices():
    """A customer who owed 25.00 before: Stripe bills it on the next invoice (open, void, uncollectible)."""
    return [
        stripe_invoice("in_debit", 10000, status="open", remaining=12500, amount_due=12500,
                       starting_balance=2500, ending_balance=0),
        stripe_invoice("in_debit_void", 10000, status="void", remaining=12500, starting_balance=2500, ending_balance=0),
        stripe_invoice("in_debit_unc", 10000, status="uncollectible", remaining=12500, starting_balance=2500,
                       ending_balance=0),
        stripe_invoice("in_debit_zero", 0, status="paid", paid=2500, starting_balance=2500, ending_balance=0,
                       lines={"data": [{"amount": 0}]}),
        stripe_invoice("in_debit_negative", -4000, status="paid", starting_balance=2500, ending_balance=-1500),
    ]


def debit_rows():
    return [row("in_debit", "125.00", "125.00"), row("in_debit_void", "125.00", "0.00"),
            row("in_debit_unc", "125.00", "0.00"), row("in_debit_zero", "25.00", "25.00"),
            row("in_debit_negative", "0.00", "0.00"),
            memo_row("cm-void-in_debit_void", "125.00"), memo_row("cm-unc-in_debit_unc", "125.00")]


def test_a_debit_balance_billed_on_an_invoice_is_part_of_its_netsuite_total():
    report = reconciled(debit_invoices(), debit_rows(), settings=InvoiceSettings(sync_zero_invoices=False))
    assert report.problems == [] and report.matched == 5 and report.credit_memos_matched == 2
    assert str(report.totals["USD"][0]) == str(report.totals["USD"][1]) == "400.00"


def test_an_invoice_loaded_without_its_debit_balance_is_reported():
    rows = debit_rows()
    _find(rows, "in_debit").update(foreigntotal="100.00", foreignamountremaining="100.00")
    assert reconciled(debit_invoices(), rows).problems == [
        "in_debit: total Stripe 125.00 USD, NetSuite 100.00 USD; amount remaining Stripe 125.00 USD, NetSuite 100.00 USD"
        + rewrite("in_debit")]


@pytest.mark.parametrize("currency, stripe_total, netsuite_total, expected", [
    ("usd", 15000, "160", "total Stripe 150.00 USD, NetSuite 160.00 USD"),
    ("usd", 15000, 160, "total Stripe 150.00 USD, NetSuite 160.00 USD"),
    ("usd", 15000, 160.0, "total Stripe 150.00 USD, NetSuite 160.00 USD"),
    ("usd", 15000, "160.0", "total Stripe 150.00 USD, NetSuite 160.00 USD"),
    ("usd", 15000, 150.5, "total Stripe 150.00 USD, NetSuite 150.50 USD"),
    ("jpy", 15000, 16000.0, "total Stripe 15000 JPY, NetSuite 16000 JPY"),
    ("jpy", 15000, "16000", "total Stripe 15000 JPY, NetSuite 16000 JPY"),
    ("kwd", 150000, 160.5, "total Stripe 150.000 KWD, NetSuite 160.500 KWD"),
    ("kwd", 150000, 160, "total Stripe 150.000 KWD, NetSuite 160.000 KWD"),
    ("kwd", 150000, "150.01", "total Stripe 150.000 KWD, NetSuite 150.010 KWD"),
])
def test_amounts_print_with_the_currency_decimals_on_both_sides(currency, stripe_total, netsuite_total, expected):
    invoice = stripe_invoice("in_1", stripe_total, currency=currency, paid=0, status="open", remaining=0)
    report = reconciled([invoice], [row("in_1", netsuite_total, "0", currency=currency.upper())])
    assert report.problems == [f"in_1: {expected}" + rewrite("in_1")]


@pytest.mark.parametrize("currency, stripe_total, netsuite_total", [
    ("usd", 30, 0.1 + 0.2),  # 0.30000000000000004: a float's noise is no difference
    ("usd", 1010, 10.1), ("usd", 1000, 10), ("usd", 1000, "10"), ("usd", 0, -0.0),
    ("jpy", 2500, 2500.0), ("jpy", 2500, "2500"), ("kwd", 1500, 1.5), ("kwd", 1500, "1.500"),
])
def test_netsuite_numbers_of_any_type_compare_by_value(currency, stripe_total, netsuite_total):
    invoice = stripe_invoice("in_1", stripe_total, currency=currency, paid=0, status="open", remaining=0)
    report = reconciled([invoice], [row("in_1", netsuite_total, None, currency=currency.upper())])
    assert report.problems == [] and report.matched == 1


def test_netsuite_amounts_become_exact_decimals_at_the_currency_decimals():
    from decimal import Decimal

    from stripe_netsuite.reconcile.lines import money, netsuite_amount

    assert [str(netsuite_amount(x, "USD")) for x in (160, 160.0, "160", "160.1", 0.1 + 0.2, -0.0, None, "")] == [
        "160.00", "160.00", "160.00", "160.10", "0.30", "0.00", "0.00", "0.00"]
    assert str(netsuite_amount(2500.0, "jpy")) == "2500" and str(netsuite_amount(1.5, "KWD")) == "1.500"
    assert [money(Decimal(x), c) for x, c in (("150", "usd"), ("0", "USD"), ("-125.01", "USD"), ("2500", "JPY"),
                                             ("1.5", "KWD"), ("1E+3", "USD"))] == [
        "150.00 USD", "0.00 USD", "-125.01 USD", "2500 JPY", "1.500 KWD", "1000.00 USD"]


def test_with_the_payments_flow_off_the_totals_show_the_payments_to_apply_as_information():
    invoices, notes, rows = consistent_set()
    for r in rows:  # SuiteQL answers numbers too
        r["foreigntotal"] = float(r["foreigntotal"])
    report = reconciled(invoices, rows, notes, payments_synced=False)
    assert report.ok and report.lines()[1:] == [
        "  GBP invoiced: Stripe 46.80 GBP, NetSuite 46.80 GBP",
        "  GBP for information: 10.00 GBP paid in Stripe, for the payments flow to apply (open in NetSuite until then; "
        "not a difference)",
        "  JPY invoiced: Stripe 2500 JPY, NetSuite 2500 JPY",
        "  JPY for information: 500 JPY paid in Stripe, for the payments flow to apply (open in NetSuite until then; "
        "not a difference)",
        "  USD invoiced: Stripe 844.00 USD, NetSuite 844.00 USD",
        "  USD for information: 690.00 USD paid in Stripe, for the payments flow to apply (open in NetSuite until then; "
        "not a difference)",
    ]


def test_with_the_payments_flow_on_no_information_line_is_printed():
    report = reconciled([stripe_invoice("in_1", 10000)], [row("in_1", 100, 0)], payments_synced=True)
    assert report.lines()[1:] == ["  USD invoiced: Stripe 100.00 USD, NetSuite 100.00 USD"]


def test_a_netsuite_side_in_another_currency_prints_in_that_currency():
    report = reconciled([stripe_invoice("in_1", 15000, currency="usd")], [row("in_1", 16000, 16000, currency="JPY")])
    assert report.problems == ["in_1: currency Stripe USD, NetSuite JPY; total Stripe 150.00 USD, NetSuite 16000 JPY; "
                               "amount remaining Stripe 150.00 USD, NetSuite 16000 JPY" + rewrite("in_1")]


def test_a_write_off_stripe_no_longer_stands_by_must_be_zeroed():
    voided = stripe_invoice("in_w", status="void", remaining=10000,
                            status_transitions={"marked_uncollectible_at": 1, "voided_at": 2})
    invoice_row = row("in_w", total="100.00", remaining="0.00")
    zeroed = [invoice_row, memo_row("cm-unc-in_w", "0.00"), memo_row("cm-void-in_w", "100.00")]
    assert reconciled([voided], zeroed).ok
    leftover = [invoice_row, memo_row("cm-unc-in_w", "100.00"), memo_row("cm-void-in_w", "100.00")]
    report = reconciled([voided], leftover)
    assert not report.ok
    assert any(p.startswith("cm-unc-in_w: credit memo for in_w: total Stripe 0.00 USD, NetSuite 100.00 USD")
               for p in report.problems), report.problems
    missing = reconciled([voided], [invoice_row, memo_row("cm-void-in_w", "100.00")])
    assert any(p.startswith("cm-unc-in_w: credit memo for in_w missing") for p in missing.problems)


def test_an_amount_remaining_that_differs_names_the_payments_that_apply_to_it():
    invoices, notes, rows = payments_applied()
    _find(rows, "in_paid")["foreignamountremaining"] = "100.00"  # its payment was deleted in NetSuite
    report = reconciled(invoices, rows, notes, payments_synced=True, paid_by={"in_paid": ["py_2", "ch_1"]})
    assert report.problems == [
        "in_paid: amount remaining Stripe 0.00 USD, NetSuite 100.00 USD -> check NetSuite for a payment or credit "
        "applied to it by hand and undo it; if there is none, fix: trigger stripe_payments_to_netsuite with stripe_ids "
        "[ch_1, py_2] and force_rewrite on"]
    _find(rows, "in_paid")["foreigntotal"] = "90.00"  # the invoice itself differs: the invoices flow writes it
    report = reconciled(invoices, rows, notes, payments_synced=True, paid_by={"in_paid": ["ch_1"]})
    assert report.problems[0].endswith(rewrite("in_paid"))
