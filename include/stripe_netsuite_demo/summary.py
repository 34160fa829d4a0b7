"""What the demo prints after the runs: what NetSuite now holds and how it reconciles with Stripe."""

from __future__ import annotations

from stripe_netsuite.hooks.netsuite import NetSuiteHook
from stripe_netsuite.hooks.stripe import StripeHook
from stripe_netsuite.reconcile.lines import money, netsuite_amount
from stripe_netsuite.reconcile.report import build_report
from stripe_netsuite.settings import load_settings


def print_summary() -> bool:
    report = build_report(StripeHook(), NetSuiteHook(), load_settings())
    rows = report.customer_rows
    print(f"\nNetSuite customers created from Stripe ({len(rows)}):")
    print(f"  {'internal id':>11}  {'external id':<20} {'name':<24} {'type':<7} {'email':<30}")
    for row in rows:
        name = row.get("companyname") or f"{row.get('firstname', '')} {row.get('lastname', '')}".strip()
        kind = "person" if row.get("isperson") == "T" else "company"
        print(f"  {row['id']:>11}  {row['externalid']:<20} {name[:24]:<24} {kind:<7} {row.get('email', ''):<30}")
    print_transactions(report.transaction_rows)
    if report.payments is not None:
        print_payments(report.payment_rows)
    if report.refunds is not None:
        print_refunds(report.refund_rows)
    print("\nReconciliation")
    for line in report.lines():
        print(f"  {line}")
    return report.ok


def print_transactions(rows: list[dict]) -> None:
    print(f"\nNetSuite invoices and credit memos from Stripe ({len(rows)}):")
    print(f"  {'internal id':>11}  {'external id':<36} {'type':<11} {'customer':<20} {'total':>12} {'remaining':>12}")
    for row in rows:
        total, remaining = (money(netsuite_amount(row[column], row["currency"]), row["currency"])
                            for column in ("foreigntotal", "foreignamountremaining"))
        print(f"  {row['id']:>11}  {row['externalid']:<36} {row['recordtype']:<11} {row['customer']:<20} "
              f"{total:>12} {remaining:>12}")


PAYMENT_KINDS = {"CustPymt": "payment", "CustRfnd": "refund", "CustInvc": "invoice", "CustCred": "memo"}


def print_payments(rows: list[dict]) -> None:
    """The payments flow's records: customer payments, refunds of failed debits, invoices of standalone payments."""
    print(f"\nNetSuite payments, refunds and standalone invoices from Stripe ({len(rows)}):")
    print(f"  {'internal id':>11}  {'external id':<36} {'type':<8} {'customer':<22} {'total':>14}  applied to")
    for row in rows:
        total = money(netsuite_amount(row.get("foreigntotal"), row["currency"]), row["currency"])
        customer = row.get("customer") or f"internal id {row.get('entity', '')}"
        print(f"  {row['id']:>11}  {row['externalid']:<36} {PAYMENT_KINDS.get(row.get('type'), row.get('type')):<8} "
              f"{customer:<22} {total:>14}  {row.get('applied_to') or '-'}")


def print_refunds(rows: list[dict]) -> None:
    """The refunds flow's records: customer refunds of refunds and disputes, their credit memos, the payments of
    refunds Stripe gave back."""
    print(f"\nNetSuite refunds, disputes and their credit memos from Stripe ({len(rows)}):")
    print(f"  {'internal id':>11}  {'external id':<36} {'type':<8} {'customer':<22} {'total':>14}  applied to")
    for row in rows:
        total = money(abs(netsuite_amount(row.get("foreigntotal"), row["currency"])), row["currency"])
        customer = row.get("customer") or f"internal id {row.get('entity', '')}"
        print(f"  {row['id']:>11}  {row['externalid']:<36} {PAYMENT_KINDS.get(row.get('type'), row.get('type')):<8} "
              f"{customer:<22} {total:>14}  {row.get('applied_to') or '-'}")
