"""The reconciliation report's pure parts: what counts as settling, which NetSuite rows belong to which
invoice, and the XCom summary the check task reads."""

from __future__ import annotations

from stripe_netsuite.reconcile.customers import CustomerReconciliation
from stripe_netsuite.reconcile.invoices import InvoiceReconciliation
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
    assert summary["problems"][0] == "missing in NetSuite: cus_M" and len(summary["problems"]) == REPORTED_PROBLEMS
    assert not any("cus_D" in line for line in summary["problems"])  # deleted in Stripe, kept by design: no problem
    assert summary["settling"] == 1 and summary["customers"] == {"stripe": 3, "netsuite": 3, "matched": 2}
    assert report.lines()[-1] == "changed in Stripe in the last 90 min, compared on the next run: 1 (in_S)"


def test_an_agreeing_report_is_ok_with_no_problems():
    report = ReconciliationReport(CustomerReconciliation(stripe_count=1, netsuite_count=1, matched=1),
                                  InvoiceReconciliation(stripe_invoices=1, netsuite_invoices=1, matched=1))
    assert report.ok and report.summary()["problem_count"] == 0 and report.problems() == []
