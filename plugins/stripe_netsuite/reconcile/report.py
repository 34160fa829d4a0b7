"""The reconciliation report over both systems: read through the hooks, compared by the pure reconcilers.

Objects that changed in Stripe within the last ``settle_seconds`` are left out of the comparison
(and counted): the hourly flows may not have carried the change yet, so a difference there is not
yet a mismatch. A NetSuite customer whose Stripe customer is gone from the list is looked up: a
deleted Stripe customer (NetSuite keeps it, by design) is told apart from one Stripe never had.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from stripe_netsuite.hooks.netsuite import NetSuiteHook
from stripe_netsuite.hooks.stripe import StripeHook, StripeHookError, StripeNotFoundError, StripeTransientError
from stripe_netsuite.mapping import external_ids
from stripe_netsuite.mapping.records import expandable_id
from stripe_netsuite.reconcile.customers import CustomerReconciliation, reconcile_customers
from stripe_netsuite.reconcile.invoices import NETSUITE_ROWS_QUERY, InvoiceReconciliation, reconcile_invoices
from stripe_netsuite.settings import Settings

CUSTOMER_ROWS_QUERY = (  # keyset, like NETSUITE_ROWS_QUERY
    "SELECT id, externalid, entityid, isperson, companyname, firstname, lastname, email, currency "
    "FROM customer WHERE id > {after} ORDER BY id"
)
REPORTED_PROBLEMS = 50  # problem lines kept in the XCom summary; the task log has them all


@dataclass
class ReconciliationReport:
    customers: CustomerReconciliation
    invoices: InvoiceReconciliation | None  # None: the invoices flow is switched off
    settling: list[str] = field(default_factory=list)  # Stripe IDs left out: changed within the settle time
    settle_seconds: int = 0
    customer_rows: list[dict[str, Any]] = field(default_factory=list)
    transaction_rows: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what was not compared, and why

    @property
    def ok(self) -> bool:
        return self.customers.ok and (self.invoices is None or self.invoices.ok)

    def lines(self) -> list[str]:
        out = self.customers.lines() + (self.invoices.lines() if self.invoices is not None else []) + self.notes
        if self.settling:
            out.append(f"changed in Stripe in the last {self.settle_seconds // 60} min, compared on the next run: "
                       f"{len(self.settling)} ({', '.join(self.settling[:10])}{', ...' if len(self.settling) > 10 else ''})")
        return out

    def problems(self) -> list[str]:
        """Every line that names a difference, each saying what to do (``<Stripe ID>: <what differs> -> <fix>``)."""
        return self.customers.problems() + (list(self.invoices.problems) if self.invoices is not None else [])

    def summary(self) -> dict[str, Any]:
        """What the reconcile task returns as XCom: counts, and the first problems (never a secret)."""
        problems = self.problems()
        return {
            "ok": self.ok,
            "customers": {"stripe": self.customers.stripe_count, "netsuite": self.customers.netsuite_count,
                          "matched": self.customers.matched},
            "invoices": None if self.invoices is None else {
                "stripe": self.invoices.stripe_invoices, "netsuite": self.invoices.netsuite_invoices,
                "matched": self.invoices.matched, "credit_memos_expected": self.invoices.credit_memos_expected,
                "credit_memos_matched": self.invoices.credit_memos_matched},
            "problem_count": len(problems),
            "problems": problems[:REPORTED_PROBLEMS],
            "settling": len(self.settling),
        }


def recently_changed(events: Iterable[Mapping[str, Any]]) -> set[str]:
    """Stripe IDs whose state an event in ``events`` changed: the object, and the invoice a credit note is on."""
    changed: set[str] = set()
    for event in events:
        obj = event["data"]["object"]
        changed.add(obj["id"])
        if obj.get("object") == "credit_note":
            changed.add(expandable_id(obj.get("invoice")))
    return changed


def _invoice_of_row(external_id: str, invoice_of_note: Mapping[str, str]) -> str | None:
    """The Stripe invoice a NetSuite transaction belongs to: named by its external ID, or its credit note's."""
    return external_ids.invoice_of(external_id) or invoice_of_note.get(external_id)


def build_report(
    stripe: StripeHook,
    netsuite: NetSuiteHook,
    settings: Settings,
    *,
    settle_seconds: int = 0,
    now: float | None = None,
) -> ReconciliationReport:
    """Read both systems and compare them (customers, invoices and their credit memos).

    With the customers flow switched off, only the customers NetSuite has (those the invoices flow
    created) are compared; with the invoices flow off, invoices are not compared.
    """
    notes: list[str] = []
    settling: set[str] = set()
    if settle_seconds:
        since = int((time.time() if now is None else now) - settle_seconds)
        settling = recently_changed(stripe.list_objects("events", created_gte=since))
    customers, customer_rows = _compare_customers(stripe, netsuite, settings, settling, notes)
    if settings.invoices.enabled:
        invoices, transaction_rows = _compare_invoices(stripe, netsuite, settings, settling)
    else:
        notes.append("invoices flow switched off (invoices.enabled): invoices not compared")
        invoices, transaction_rows = None, []
    compared = ("cus_", "in_") if invoices is not None else ("cus_",)
    return ReconciliationReport(
        customers=customers,
        invoices=invoices,
        settling=sorted(x for x in settling if x.startswith(compared)),
        settle_seconds=settle_seconds,
        customer_rows=customer_rows,
        transaction_rows=transaction_rows,
        notes=notes,
    )


def _compare_customers(stripe: StripeHook, netsuite: NetSuiteHook, settings: Settings, settling: set[str],
                       notes: list[str]) -> tuple[CustomerReconciliation, list[dict[str, Any]]]:
    live = [{"id": c["id"], "email": c.get("email")} for c in stripe.list_objects("customers")
            if c["id"] not in settling]  # what the comparison reads; a large account streams through
    rows = list(netsuite.suiteql_after(CUSTOMER_ROWS_QUERY))
    known = {c["id"] for c in live}
    unlisted = {r["externalid"] for r in rows if external_ids.is_customer(str(r.get("externalid", "")))} - known
    found = stripe.retrieve_many("customers", unlisted - settling)
    unreadable = {cid: obj for cid, obj in found.items()
                  if isinstance(obj, StripeHookError) and not isinstance(obj, StripeNotFoundError)}
    if unreadable:  # only Stripe's own answer tells deleted from unknown: a passing error is no answer
        first = next(iter(unreadable.values()))
        raise StripeTransientError(f"Stripe could not be read for {len(unreadable)} customer(s) NetSuite has "
                                   f"({', '.join(sorted(unreadable)[:5])}): {first}; the report was not built, so "
                                   "nothing is reported wrongly. Airflow retries the task")
    deleted = [cid for cid, obj in found.items() if isinstance(obj, dict) and obj.get("deleted")]
    if not settings.customers.enabled:
        in_netsuite = {r.get("externalid") for r in rows}
        live = [c for c in live if c["id"] in in_netsuite]
        notes.append("customers flow switched off (customers.enabled): only the customers NetSuite has are compared")
    compared_rows = [r for r in rows if r.get("externalid") not in settling]
    rewritable = settings.customers.enabled and settings.customers.update_existing
    return reconcile_customers(live, compared_rows, deleted_in_stripe=deleted, rewritable=rewritable), rows


def _compare_invoices(stripe: StripeHook, netsuite: NetSuiteHook, settings: Settings,
                      settling: set[str]) -> tuple[InvoiceReconciliation, list[dict[str, Any]]]:
    invoices = (i for i in stripe.list_objects("invoices") if i["id"] not in settling)  # read as compared
    credit_notes = list(stripe.list_objects("credit_notes"))
    invoice_of_note = {cn["id"]: expandable_id(cn["invoice"]) for cn in credit_notes}
    credit_notes = [cn for cn in credit_notes if invoice_of_note[cn["id"]] not in settling]
    rows = list(netsuite.suiteql_after(NETSUITE_ROWS_QUERY))
    compared_rows = [r for r in rows if _invoice_of_row(str(r.get("externalid") or ""), invoice_of_note) not in settling]
    return reconcile_invoices(invoices, credit_notes, compared_rows, settings.invoices), rows
