"""The reconciliation report's pure parts: what counts as settling, which NetSuite rows belong to which
invoice, and the XCom summary the check task reads."""

from __future__ import annotations

import re

from stripe_netsuite.reconcile.customers import CustomerReconciliation, reconcile_customers
from stripe_netsuite.reconcile.invoices import InvoiceReconciliation, reconcile_invoices
from stripe_netsuite.reconcile.report import REPORTED_PROBLEMS, ReconciliationReport, _invoice_of_row, recently_changed


def event(obj: dict) -> dict:
    return {"data": {"object": obj}}


def test_recently_changed_names_the_objects_and_the_invoice_a_credit_note_is_on():
    events = [event({"id": "cus_A", "object": "customer"}), event({"id": "in_B", "object": "invoice"}),
              event({"id": "cn_C", "object": "credit_note", "invoice": "in_D"}),
              event({"id": "cn_E", "object": "credit_note", "invoice": {"id": "in_F", "object": "invoice"}})]
    assert recently_changed(events) == {"cus_A", "in_B", "cn_C", "in_D", "cn_E", "in_F"}


def test_each_netsuite_row_belongs_to_its_invoice():
    notes = {"cn_1": "in_X"}
    assert [_invoice_of_row(x, notes) for x in ("in_X", "cm-bal-in_X", "cm-unc-in_X", "cm-void-in_X", "cn_1", "cn_2",
                                                "cus_Y")] == ["in_X", "in_X", "in_X", "in_X", "in_X", None, None]


def test_summary_counts_every_problem_and_keeps_the_first_ones():
    customers = CustomerReconciliation(stripe_count=3, netsuite_count=3, matched=2, missing_in_netsuite=["cus_M"],
                                       deleted_in_stripe=["cus_D"])
    invoices = InvoiceReconciliation(stripe_invoices=70, netsuite_invoices=70, matched=10,
                                     problems=[f"in_{n}: missing in NetSuite" for n in range(60)])
    report = ReconciliationReport(customers, invoices, settling=["in_S"], settle_seconds=5400)
    summary = report.summary()
    assert summary["ok"] is False and summary["problem_count"] == 61
    assert summary["problems"][0] == (
        "cus_M: missing in NetSuite -> fix: trigger stripe_customers_to_netsuite with stripe_ids [cus_M] and "
        "force_rewrite on (if its check_failed_records task lists cus_M, fix the cause it gives first)")
    assert len(summary["problems"]) == REPORTED_PROBLEMS
    assert not any("cus_D" in line for line in summary["problems"])  # deleted in Stripe, kept by design: no problem
    assert summary["settling"] == 1 and summary["customers"] == {"stripe": 3, "netsuite": 3, "matched": 2}
    assert report.lines()[-1] == "changed in Stripe in the last 90 min, compared on the next run: 1 (in_S)"


def test_an_agreeing_report_is_ok_with_no_problems():
    report = ReconciliationReport(CustomerReconciliation(stripe_count=1, netsuite_count=1, matched=1),
                                  InvoiceReconciliation(stripe_invoices=1, netsuite_invoices=1, matched=1))
    assert report.ok and report.summary()["problem_count"] == 0 and report.problems() == []


def every_kind_of_difference() -> ReconciliationReport:
    """Customers and invoices each differing in every way the report knows."""
    customers = reconcile_customers(
        [{"id": "cus_missing", "email": "a@x.test"}, {"id": "cus_email", "email": "b@x.test"},
         {"id": "cus_dup", "email": None}],
        [{"id": "1", "externalid": "cus_email", "email": "old@x.test"}, {"id": "2", "externalid": "cus_dup"},
         {"id": "3", "externalid": "cus_dup"}, {"id": "4", "externalid": "cus_unknown"}])

    def invoice(invoice_id, total=10000, status="open", currency="usd", **extra):
        return {"id": invoice_id, "status": status, "currency": currency, "customer": "cus_email", "total": total,
                "amount_paid": 0, "amount_remaining": total if status == "open" else 0, "starting_balance": 0,
                "ending_balance": 0, "lines": {"data": [{"amount": total}]}} | extra

    def row(external_id, total, remaining, recordtype="invoice", customer="cus_email", currency="USD", internal_id="9"):
        return {"id": internal_id, "externalid": external_id, "recordtype": recordtype, "foreigntotal": total,
                "foreignamountremaining": remaining, "currency": currency, "customer": customer}

    invoices = [invoice("in_missing"), invoice("in_total"), invoice("in_customer"), invoice("in_currency"),
                invoice("in_remaining", currency="jpy"), invoice("in_void", status="void", amount_remaining=10000),
                invoice("in_credited", amount_remaining=9000), invoice("in_dup")]
    notes = [{"id": "cn_1", "invoice": "in_credited", "status": "issued", "total": 1000, "pre_payment_amount": 1000,
              "post_payment_amount": 0, "refunds": []}]
    rows = [row("in_total", 160, 100.0), row("in_customer", "100.00", "100.00", customer="cus_other"),
            row("in_currency", "100.00", "100.00", currency="EUR"), row("in_remaining", 10000.0, 9000, currency="JPY"),
            row("in_void", "100.00", "0.00"), row("in_credited", "100.00", "80.00"),
            row("cn_1", "12.50", "0", recordtype="creditMemo"), row("in_dup", "100.00", "100.00", internal_id="5"),
            row("in_dup", "100.00", "100.00", internal_id="6"), row("in_unknown", "1.00", "1.00")]
    return ReconciliationReport(customers, reconcile_invoices(invoices, notes, rows))


def test_every_difference_says_what_to_do_naming_the_flow_and_the_stripe_id():
    report = every_kind_of_difference()
    problems = report.problems()
    assert len(problems) == 14 and report.summary()["problem_count"] == 14
    flows = {"cus": "stripe_customers_to_netsuite", "in": "stripe_invoices_to_netsuite"}
    for line in problems:
        stripe_id, rest = line.split(": ", 1)
        what, remedy = rest.split(" -> ")
        assert what and remedy, line
        trigger = re.search(r"trigger (\S+) with stripe_ids \[(\S+)\] and force_rewrite on", remedy)
        if trigger is None:
            assert remedy.startswith("check NetSuite"), line
            continue
        dag, target = trigger.groups()
        invoice_id = re.sub(r"^cm-(bal|unc|void)-", "", stripe_id) if not stripe_id.startswith("cn_") else "in_credited"
        assert target == (stripe_id if stripe_id.startswith("cus_") else invoice_id), line
        assert dag == flows[target.split("_")[0]], line


def test_each_kind_of_difference_reads_as_one_line():
    remedies = {line.split(": ", 1)[0] + " " + line.split(" -> ")[1].split(" ")[0]: line.split(" -> ")[0]
                for line in every_kind_of_difference().problems()}
    assert remedies == {
        "cus_missing fix:": "cus_missing: missing in NetSuite",
        "cus_unknown check": "cus_unknown: in NetSuite (internal ID 4), not in Stripe",
        "cus_dup check": "cus_dup: 2 NetSuite customers share this external ID (internal IDs 2, 3)",
        "cus_email fix:": "cus_email: email Stripe 'b@x.test', NetSuite 'old@x.test'",
        "in_dup check": "in_dup: 2 NetSuite records share this external ID (internal IDs 5, 6)",
        "in_unknown check": "in_unknown: in NetSuite (internal ID 9), not a finalized Stripe invoice",
        "in_missing fix:": "in_missing: missing in NetSuite (Stripe 100.00 USD, open)",
        "in_total fix:": "in_total: total Stripe 100.00 USD, NetSuite 160.00 USD",
        "in_customer fix:": "in_customer: customer Stripe cus_email, NetSuite cus_other",
        "in_currency fix:": "in_currency: currency Stripe USD, NetSuite EUR",
        "in_remaining check": "in_remaining: amount remaining Stripe 10000 JPY, NetSuite 9000 JPY",
        "cm-void-in_void fix:": "cm-void-in_void: credit memo for in_void missing in NetSuite (Stripe 100.00 USD)",
        "cn_1 fix:": "cn_1: credit memo for in_credited: total Stripe 10.00 USD, NetSuite 12.50 USD",
        "in_credited check": "in_credited: amount remaining Stripe 90.00 USD, NetSuite 80.00 USD",
    }


def test_a_passing_stripe_error_while_telling_deleted_from_unknown_builds_no_report():
    """A NetSuite customer Stripe no longer lists is looked up; a 429 there is no answer, so nothing may be
    reported (it used to read as 'in NetSuite, not in Stripe')."""
    import pytest

    from stripe_netsuite.hooks.stripe import StripeNotFoundError, StripeTransientError
    from stripe_netsuite.reconcile.report import build_report
    from stripe_netsuite.settings import Settings

    class Stripe:
        def __init__(self, answer):
            self.answer = answer

        def list_objects(self, resource, **kwargs):
            return iter([])

        def events_since(self, *args, **kwargs):
            return iter([])

        def retrieve_many(self, resource, ids, **kwargs):
            return {i: self.answer for i in ids}

    class NetSuite:
        def suiteql_after(self, query, **kwargs):
            return iter([{"id": "7", "externalid": "cus_gone", "email": None}] if "FROM customer" in query else [])

        def suiteql(self, query, **kwargs):
            return iter([])

    settings = Settings.model_validate({"invoices": {"enabled": False}})
    with pytest.raises(StripeTransientError, match="cus_gone"):
        build_report(Stripe(StripeTransientError("HTTP 429, not retried")), NetSuite(), settings)
    report = build_report(Stripe(StripeNotFoundError("no such customer")), NetSuite(), settings)
    assert any("cus_gone: in NetSuite" in line for line in report.problems())
