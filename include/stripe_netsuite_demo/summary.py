"""What the demo prints after the runs: what NetSuite now holds and how it reconciles with Stripe."""

from __future__ import annotations

from stripe_netsuite.hooks.netsuite import NetSuiteHook
from stripe_netsuite.hooks.stripe import StripeHook
from stripe_netsuite.reconcile.customers import reconcile_customers


def print_summary() -> bool:
    stripe, netsuite = StripeHook(), NetSuiteHook()
    stripe_customers = list(stripe.list_objects("customers"))
    deleted = [
        e["data"]["object"]["id"] for e in stripe.client.v1.events.list(params={"type": "customer.deleted", "limit": 100}).data
    ]
    rows = list(
        netsuite.suiteql(
            "SELECT id, externalid, entityid, isperson, companyname, firstname, lastname, email, currency "
            "FROM customer ORDER BY id"
        )
    )
    print(f"\nNetSuite customers created from Stripe ({len(rows)}):")
    print(f"  {'internal id':>11}  {'external id':<20} {'name':<24} {'type':<7} {'email':<30}")
    for row in rows:
        name = row.get("companyname") or f"{row.get('firstname', '')} {row.get('lastname', '')}".strip()
        kind = "person" if row.get("isperson") == "T" else "company"
        print(f"  {row['id']:>11}  {row['externalid']:<20} {name[:24]:<24} {kind:<7} {row.get('email', ''):<30}")
    report = reconcile_customers(stripe_customers, rows, deleted_in_stripe=deleted)
    print("\nReconciliation")
    for line in report.lines():
        print(f"  {line}")
    return report.ok
