"""Compare Stripe customers with NetSuite customers record by record (pure).

Used by the demo's reconciliation summary and as a test oracle: after a sync, every live
Stripe customer must exist in NetSuite exactly once under its Stripe ID, with the same email.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass
class CustomerReconciliation:
    stripe_count: int = 0
    netsuite_count: int = 0
    matched: int = 0
    missing_in_netsuite: list[str] = field(default_factory=list)
    only_in_netsuite: list[str] = field(default_factory=list)
    deleted_in_stripe: list[str] = field(default_factory=list)  # kept in NetSuite by design (on_delete)
    duplicated_in_netsuite: list[str] = field(default_factory=list)
    email_mismatches: list[tuple[str, str | None, str | None]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.missing_in_netsuite or self.only_in_netsuite or self.duplicated_in_netsuite or self.email_mismatches)

    def lines(self) -> list[str]:
        out = [
            f"customers: Stripe {self.stripe_count}, NetSuite {self.netsuite_count}, matched {self.matched}"
            + (" - OK" if self.ok else " - MISMATCH")
        ]
        out += [f"  missing in NetSuite: {x}" for x in self.missing_in_netsuite]
        out += [f"  only in NetSuite: {x}" for x in self.only_in_netsuite]
        out += [f"  deleted in Stripe, kept in NetSuite: {x}" for x in self.deleted_in_stripe]
        out += [f"  duplicated in NetSuite: {x}" for x in self.duplicated_in_netsuite]
        out += [f"  email differs for {x}: Stripe {a!r}, NetSuite {b!r}" for x, a, b in self.email_mismatches]
        return out


def reconcile_customers(
    stripe_customers: Iterable[Mapping[str, Any]],
    netsuite_rows: Iterable[Mapping[str, Any]],
    deleted_in_stripe: Iterable[str] = (),
) -> CustomerReconciliation:
    """``netsuite_rows``: SuiteQL customer rows (``externalid``, ``email``); ``deleted_in_stripe``: IDs
    of customers deleted in Stripe, which NetSuite may keep."""
    # only what is compared is kept: a large account's customers stream through
    live = {c["id"]: {"email": c.get("email")} for c in stripe_customers if not c.get("deleted")}
    rows = [r for r in netsuite_rows if str(r.get("externalid", "")).startswith("cus_")]
    counts = Counter(r["externalid"] for r in rows)
    by_id = {r["externalid"]: r for r in rows}
    report = CustomerReconciliation(stripe_count=len(live), netsuite_count=len(rows))
    report.duplicated_in_netsuite = sorted(x for x, n in counts.items() if n > 1)
    report.missing_in_netsuite = sorted(set(live) - set(by_id))
    deleted = set(deleted_in_stripe) - set(live)
    report.deleted_in_stripe = sorted(set(by_id) & deleted)
    report.only_in_netsuite = sorted(set(by_id) - set(live) - deleted)
    for stripe_id in sorted(set(live) & set(by_id)):
        stripe_email = (live[stripe_id].get("email") or "").strip() or None
        netsuite_email = by_id[stripe_id].get("email") or None
        if stripe_email != netsuite_email:
            report.email_mismatches.append((stripe_id, stripe_email, netsuite_email))
        else:
            report.matched += 1
    return report
