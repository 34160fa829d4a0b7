"""Compare Stripe customers with NetSuite customers record by record (pure).

Used by the demo's reconciliation summary and as a test oracle: after a sync, every live
Stripe customer must exist in NetSuite exactly once under its Stripe ID, with the same email.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from stripe_netsuite.mapping import external_ids
from stripe_netsuite.reconcile.lines import (
    CUSTOMERS_FLOW,
    difference,
    duplicated,
    internal_ids,
    load,
    not_in_stripe,
    rewrite,
)


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
    internal_ids: dict[str, list[str | None]] = field(default_factory=dict)  # of the records only in or duplicated in NetSuite
    rewritable: bool = True  # the customers flow can write NetSuite's customers again (enabled, update_existing)

    @property
    def ok(self) -> bool:
        return not (self.missing_in_netsuite or self.only_in_netsuite or self.duplicated_in_netsuite or self.email_mismatches)

    def problems(self) -> list[str]:
        """One line per difference: the Stripe ID, what differs, ``->`` what to do."""
        ids = lambda x: internal_ids(self.internal_ids.get(x, []))  # noqa: E731
        out = [difference(x, "missing in NetSuite", load(CUSTOMERS_FLOW, x)) for x in self.missing_in_netsuite]
        out += [difference(x, f"in NetSuite{ids(x)}, not in Stripe", not_in_stripe("a customer"))
                for x in self.only_in_netsuite]
        out += [difference(x, f"{len(self.internal_ids.get(x, [])) or 'several'} NetSuite customers share this "
                              f"external ID{ids(x)}", duplicated("a customer")) for x in self.duplicated_in_netsuite]
        out += [difference(x, f"email Stripe {_shown(a)}, NetSuite {_shown(b)}", self._email_remedy(x))
                for x, a, b in self.email_mismatches]
        return out

    def _email_remedy(self, stripe_id: str) -> str:
        if self.rewritable:
            return rewrite(CUSTOMERS_FLOW, stripe_id)
        return ("correct it in NetSuite by hand: the customers flow does not update NetSuite's customers "
                "(settings customers.enabled or customers.update_existing)")

    def lines(self) -> list[str]:
        out = [
            f"customers: Stripe {self.stripe_count}, NetSuite {self.netsuite_count}, matched {self.matched}"
            + (" - OK" if self.ok else " - MISMATCH")
        ]
        out += [f"  {line}" for line in self.problems()]
        out += [f"  {x}: deleted in Stripe, kept in NetSuite by design (settings customers.on_delete); not a difference"
                for x in self.deleted_in_stripe]
        return out


def _shown(email: str | None) -> str:
    return repr(email) if email else "(none)"


def reconcile_customers(
    stripe_customers: Iterable[Mapping[str, Any]],
    netsuite_rows: Iterable[Mapping[str, Any]],
    deleted_in_stripe: Iterable[str] = (),
    rewritable: bool = True,
) -> CustomerReconciliation:
    """``netsuite_rows``: SuiteQL customer rows (``id``, ``externalid``, ``email``); ``deleted_in_stripe``: IDs
    of customers deleted in Stripe, which NetSuite may keep; ``rewritable``: the customers flow updates
    NetSuite's customers (else a differing email is for NetSuite's users to correct)."""
    # only what is compared is kept: a large account's customers stream through
    live = {c["id"]: {"email": c.get("email")} for c in stripe_customers if not c.get("deleted")}
    rows = [r for r in netsuite_rows if external_ids.is_customer(str(r.get("externalid", "")))]
    counts = Counter(r["externalid"] for r in rows)
    by_id = {r["externalid"]: r for r in rows}
    report = CustomerReconciliation(stripe_count=len(live), netsuite_count=len(rows), rewritable=rewritable)
    report.duplicated_in_netsuite = sorted(x for x, n in counts.items() if n > 1)
    report.missing_in_netsuite = sorted(set(live) - set(by_id))
    deleted = set(deleted_in_stripe) - set(live)
    report.deleted_in_stripe = sorted(set(by_id) & deleted)
    report.only_in_netsuite = sorted(set(by_id) - set(live) - deleted)
    named = set(report.duplicated_in_netsuite) | set(report.only_in_netsuite)
    for r in rows:
        if r["externalid"] in named:
            report.internal_ids.setdefault(r["externalid"], []).append(r.get("id"))
    for stripe_id in sorted(set(live) & set(by_id)):
        stripe_email = (live[stripe_id].get("email") or "").strip() or None
        netsuite_email = by_id[stripe_id].get("email") or None
        if stripe_email != netsuite_email:
            report.email_mismatches.append((stripe_id, stripe_email, netsuite_email))
        else:
            report.matched += 1
    return report
