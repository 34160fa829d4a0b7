"""The reconciliation report over both systems: read through the hooks, compared by the pure reconcilers.

Objects that changed in Stripe within the last ``settle_seconds`` are left out of the comparison
(and counted): the hourly flows may not have carried the change yet, so a difference there is not
yet a mismatch (a charge is left out with the invoice it pays; a refund or dispute with its charge
and the invoice that charge paid, e.g. a credit note just made through it). A NetSuite customer whose Stripe
customer is gone from the list is looked up: a deleted Stripe customer (NetSuite keeps it, by
design) is told apart from one Stripe never had.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from stripe_netsuite.hooks.netsuite import NetSuiteHook
from stripe_netsuite.hooks.stripe import StripeHook, StripeHookError, StripeNotFoundError, StripeTransientError
from stripe_netsuite.mapping import external_ids
from stripe_netsuite.mapping.payments import moves_money, paid_amount, paid_outside_stripe
from stripe_netsuite.mapping.records import UnknownValueError, expandable_id
from stripe_netsuite.reconcile.customers import CustomerReconciliation, reconcile_customers
from stripe_netsuite.reconcile.invoices import NETSUITE_ROWS_QUERY, InvoiceReconciliation, reconcile_invoices
from stripe_netsuite.reconcile.payments import (
    APPLICATIONS_QUERY,
    PAYMENT_ROWS_QUERY,
    PaymentReconciliation,
    reconcile_payments,
    scheme_of,
)
from stripe_netsuite.reconcile.payouts import (
    APPLIED_QUERY,
    DEPOSIT_ACCOUNT_LINES_QUERY,
    DEPOSIT_LINKS_QUERY,
    DEPOSIT_ROWS_QUERY,
    UNDEPOSITED_QUERY,
    PayoutReconciliation,
    reconcile_payouts,
)
from stripe_netsuite.reconcile.refunds import REFUND_ROWS_QUERY, RefundReconciliation, reconcile_refunds
from stripe_netsuite.reconcile.refunds import scheme_of as refund_scheme_of
from stripe_netsuite.settings import Settings
from stripe_netsuite.sync.payments import invoices_paid_by, subsidiary_currency

CUSTOMER_ROWS_QUERY = (  # keyset, like NETSUITE_ROWS_QUERY
    "SELECT id, externalid, entityid, isperson, companyname, firstname, lastname, email, currency "
    "FROM customer WHERE id > {after} ORDER BY id"
)
REPORTED_PROBLEMS = 50  # problem lines kept in the XCom summary; the task log has them all
APPLICATIONS_CHUNK = 500  # payment internal IDs per applications query
CHARGE_FIELDS = ("id", "object", "status", "captured", "amount", "amount_captured", "currency", "created",
                 "failure_balance_transaction")  # what the comparison keeps of a charge (a large account's stream through)
REFUND_FIELDS = ("id", "object", "status", "amount", "currency", "created", "reason")  # and of a refund or dispute


@dataclass
class ReconciliationReport:
    customers: CustomerReconciliation
    invoices: InvoiceReconciliation | None  # None: the invoices flow is switched off
    settling: list[str] = field(default_factory=list)  # Stripe IDs left out: changed within the settle time
    settle_seconds: int = 0
    customer_rows: list[dict[str, Any]] = field(default_factory=list)
    transaction_rows: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what was not compared, and why
    payments: PaymentReconciliation | None = None  # None: the payments flow is switched off
    payment_rows: list[dict[str, Any]] = field(default_factory=list)  # PAYMENT_ROWS_QUERY's, with ``applied_to``
    refunds: RefundReconciliation | None = None  # None: the refunds and disputes flow is switched off
    refund_rows: list[dict[str, Any]] = field(default_factory=list)  # REFUND_ROWS_QUERY's, with ``applied_to``
    payouts: PayoutReconciliation | None = None  # None: the payouts flow is switched off

    @property
    def ok(self) -> bool:
        return (self.customers.ok and (self.invoices is None or self.invoices.ok)
                and (self.payments is None or self.payments.ok) and (self.refunds is None or self.refunds.ok)
                and (self.payouts is None or self.payouts.ok))

    def lines(self) -> list[str]:
        out = (self.customers.lines() + (self.invoices.lines() if self.invoices is not None else [])
               + (self.payments.lines() if self.payments is not None else [])
               + (self.refunds.lines() if self.refunds is not None else [])
               + (self.payouts.lines() if self.payouts is not None else []) + self.notes)
        if self.settling:
            out.append(f"changed in Stripe in the last {self.settle_seconds // 60} min, compared on the next run: "
                       f"{len(self.settling)} ({', '.join(self.settling[:10])}{', ...' if len(self.settling) > 10 else ''})")
        return out

    def problems(self) -> list[str]:
        """Every line that names a difference, each saying what to do (``<Stripe ID>: <what differs> -> <fix>``)."""
        return (self.customers.problems() + (list(self.invoices.problems) if self.invoices is not None else [])
                + (list(self.payments.problems) if self.payments is not None else [])
                + (list(self.refunds.problems) if self.refunds is not None else [])
                + (list(self.payouts.problems) if self.payouts is not None else []))

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
                "credit_memos_matched": self.invoices.credit_memos_matched,
                "paid_outside_stripe": len(self.invoices.paid_outside_stripe)},
            "payments": None if self.payments is None else {
                "stripe": self.payments.stripe_payments, "netsuite": self.payments.netsuite_payments,
                "matched": self.payments.matched, "failed_debits": self.payments.failed_debits,
                "refunds_matched": self.payments.refunds_matched, "could_not_apply": self.payments.could_not_apply},
            "refunds": None if self.refunds is None else {
                "stripe": self.refunds.stripe_refunds, "netsuite": self.refunds.netsuite_refunds,
                "matched": self.refunds.refunds_matched, "reversed": self.refunds.reversed},
            "disputes": None if self.refunds is None else {
                "stripe": self.refunds.stripe_disputes, "netsuite": self.refunds.netsuite_disputes,
                "matched": self.refunds.disputes_matched},
            "payouts": None if self.payouts is None else {
                "stripe": self.payouts.stripe_payouts, "netsuite": self.payouts.netsuite_deposits,
                "matched": self.payouts.matched},
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
    """Read both systems and compare them (customers, invoices and their credit memos, payments, refunds and
    disputes).

    With the customers flow switched off, only the customers NetSuite has (those the invoices flow
    created) are compared; with the invoices, the payments or the refunds flow off, invoices, payments or
    refunds and disputes are not compared (and invoices are compared as the payments flow left them: without
    Stripe's payments).
    """
    notes: list[str] = []
    settling: set[str] = set()
    if settle_seconds:
        since = int((time.time() if now is None else now) - settle_seconds)
        settling = recently_changed(stripe.list_objects("events", created_gte=since))
    customers, customer_rows = _compare_customers(stripe, netsuite, settings, settling, notes)
    stripe_charges = (_read_charges(stripe, settings, settling)
                      if settings.payments.enabled or settings.refunds.enabled else None)  # refunds need charges
    stripe_payments = stripe_charges if settings.payments.enabled else None
    if stripe_payments is not None:
        settling = settling | stripe_payments.left_out
    credit_notes = (list(stripe.list_objects("credit_notes"))
                    if settings.invoices.enabled or settings.refunds.enabled else [])
    paid_outside: list[dict[str, Any]] = []
    if settings.invoices.enabled:
        invoices, transaction_rows = _compare_invoices(stripe, netsuite, settings, settling, stripe_payments,
                                                       paid_outside, credit_notes)
    else:
        notes.append("invoices flow switched off (invoices.enabled): invoices not compared")
        invoices, transaction_rows = None, []
        if stripe_payments is not None:
            paid_outside = [_outside_fields(i) for i in stripe.list_objects("invoices", status="paid")
                            if i["id"] not in settling and paid_outside_stripe(i) > 0]
    if stripe_payments is not None:
        payments, payment_rows = _compare_payments(netsuite, settings, settling, stripe_payments, paid_outside)
    else:
        notes.append("payments flow switched off (payments.enabled): payments not compared")
        payments, payment_rows = None, []
    refunds: RefundReconciliation | None = None
    refund_rows: list[dict[str, Any]] = []
    refund_objects: list[dict[str, Any]] = []  # the refunds and disputes compared (the payouts section's too)
    if settings.refunds.enabled:
        assert stripe_charges is not None
        refunds, refund_rows, waiting = _compare_refunds(stripe, netsuite, settings, settling, stripe_charges,
                                                         credit_notes, refund_objects)
        settling = settling | waiting
    else:
        notes.append("refunds and disputes flow switched off (refunds.enabled): refunds and disputes not compared")
    payouts: PayoutReconciliation | None = None
    if settings.payouts.enabled:
        payouts = _compare_payouts(stripe, netsuite, settings, settling, stripe_charges, refund_objects, notes)
    else:
        notes.append("payouts flow switched off (payouts.enabled): payouts, deposits and Undeposited Funds not "
                     "compared")
    compared = ("cus_",) + (("in_",) if invoices is not None or payments is not None else ()) + (
        ("ch_", "py_") if payments is not None else ()) + (REFUND_IDS if refunds is not None else ()) + (
        ("po_",) if payouts is not None else ())
    return ReconciliationReport(
        customers=customers,
        invoices=invoices,
        settling=sorted(x for x in settling if x.startswith(compared)),
        settle_seconds=settle_seconds,
        customer_rows=customer_rows,
        transaction_rows=transaction_rows,
        notes=notes,
        payments=payments,
        payment_rows=payment_rows,
        refunds=refunds,
        refund_rows=refund_rows,
        payouts=payouts,
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


def _compare_invoices(stripe: StripeHook, netsuite: NetSuiteHook, settings: Settings, settling: set[str],
                      payments: _StripePayments | None, paid_outside: list[dict[str, Any]],
                      credit_notes: list[dict[str, Any]]) -> tuple[InvoiceReconciliation, list[dict[str, Any]]]:
    """``paid_outside`` receives the invoices Stripe shows paid outside Stripe, as they stream by."""

    def read() -> Iterator[dict[str, Any]]:  # read as compared
        for invoice in stripe.list_objects("invoices"):
            if invoice["id"] in settling:
                continue
            if payments is not None and paid_outside_stripe(invoice) > 0:
                paid_outside.append(_outside_fields(invoice))
            yield invoice

    invoice_of_note = {cn["id"]: expandable_id(cn["invoice"]) for cn in credit_notes}
    credit_notes = [cn for cn in credit_notes if invoice_of_note[cn["id"]] not in settling]
    rows = list(netsuite.suiteql_after(NETSUITE_ROWS_QUERY))
    compared_rows = [r for r in rows if _invoice_of_row(str(r.get("externalid") or ""), invoice_of_note) not in settling]
    if payments is None:
        return reconcile_invoices(read(), credit_notes, compared_rows, settings.invoices), rows
    return reconcile_invoices(read(), credit_notes, compared_rows, settings.invoices, payments_synced=True,
                              pending_debits=payments.pending_debits, out_of_band=settings.payments.out_of_band,
                              paid_by=payments.paid_by), rows


def _outside_fields(invoice: Mapping[str, Any]) -> dict[str, Any]:
    return {key: invoice.get(key) for key in ("id", "status", "currency", "amount_paid", "amount_paid_off_stripe")} | {
        "customer": expandable_id(invoice.get("customer"))}


@dataclass
class _StripePayments:
    """Stripe's side of the payments comparison, read once (the invoices comparison needs its pending debits)."""

    charges: list[dict[str, Any]]  # those compared (not left out)
    invoice_of: dict[str, str]  # charge ID -> the Stripe invoice it pays
    # left out with what changed within the settle time: a charge with the invoice it pays, and an invoice with a
    # charge paying it (the payments flow may not have carried the charge yet)
    left_out: set[str]
    every: dict[str, dict[str, Any]] = field(default_factory=dict)  # charge ID -> charge, left out or not

    @property
    def paid_by(self) -> dict[str, list[str]]:
        """Invoice ID -> the charges whose payments apply to it in NetSuite (failed debits apply nothing)."""
        paid: dict[str, list[str]] = defaultdict(list)
        for charge in self.charges:
            if charge["id"] in self.invoice_of and charge.get("status") != "failed" and _moves(charge):
                paid[self.invoice_of[charge["id"]]].append(charge["id"])
        return paid

    @property
    def pending_debits(self) -> dict[str, int]:
        """Invoice ID -> minor units of bank debits Stripe has booked on it but not settled (NetSuite has them applied)."""
        pending: dict[str, int] = defaultdict(int)
        for charge in self.charges:
            if charge.get("status") == "pending" and charge["id"] in self.invoice_of and _moves(charge):
                pending[self.invoice_of[charge["id"]]] += paid_amount(charge)
        return pending


def _moves(charge: Mapping[str, Any]) -> bool:
    try:
        return moves_money(charge)
    except UnknownValueError:
        return False  # the payments reconciler reports it


def _charge_fields(charge: Mapping[str, Any]) -> dict[str, Any]:
    """What the comparison keeps of a charge: Stripe's rate of its balance transaction, IDs for the rest."""
    kept = {key: charge.get(key) for key in CHARGE_FIELDS}
    txn = charge.get("balance_transaction")
    kept["balance_transaction"] = ({"id": txn.get("id"), "currency": txn.get("currency"),
                                    "exchange_rate": txn.get("exchange_rate")} if isinstance(txn, Mapping) else txn)
    kept["customer"] = expandable_id(charge.get("customer"))
    kept["payment_intent"] = expandable_id(charge.get("payment_intent"))
    kept["failure_balance_transaction"] = expandable_id(charge.get("failure_balance_transaction"))
    return kept


def _read_charges(stripe: StripeHook, settings: Settings, settling: set[str]) -> _StripePayments:
    charges = [_charge_fields(c) for c in stripe.list_objects("charges", expand=("balance_transaction",))]
    invoice_of = invoices_paid_by([c for c in charges if _moves(c)], stripe, settings, True)
    left_out = {c["id"] for c in charges if invoice_of.get(c["id"]) in settling}
    left_out |= {invoice_of[c["id"]] for c in charges if c["id"] in settling and c["id"] in invoice_of}
    return _StripePayments([c for c in charges if c["id"] not in settling | left_out], invoice_of, left_out,
                           {c["id"]: c for c in charges})


def _compare_payments(netsuite: NetSuiteHook, settings: Settings, settling: set[str], stripe_side: _StripePayments,
                      paid_outside: list[dict[str, Any]]) -> tuple[PaymentReconciliation, list[dict[str, Any]]]:
    # the payments flow's records (a customer refund of the refunds flow, or one made by hand, is not its)
    rows = [r for r in netsuite.suiteql_after(PAYMENT_ROWS_QUERY) if scheme_of(str(r.get("externalid") or ""))]
    compared_rows = [r for r in rows if (scheme_of(str(r["externalid"])) or ("", ""))[1] not in settling]
    applications = _applications(netsuite, rows, compared_rows)
    base_currency = subsidiary_currency(netsuite, settings) if stripe_side.charges else ""
    report = reconcile_payments(stripe_side.charges, stripe_side.invoice_of, compared_rows, applications,
                                base_currency=base_currency, settings=settings.payments, paid_outside=paid_outside)
    return report, rows


REFUND_IDS = ("re_", "pyr_", "dp_", "du_")  # the IDs of Stripe refunds and disputes (sync/refunds.py resources)
REFUND_EXPAND = ("balance_transaction", "failure_balance_transaction")  # Stripe's rate, and whether it came back


def _applications(netsuite: NetSuiteHook, rows: list[dict[str, Any]],
                  compared_rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What each compared row applies to (APPLICATIONS_QUERY, a few hundred rows per query); every row of ``rows``
    gets ``applied_to``, the external IDs it applies to (what the demo prints)."""
    applications: list[dict[str, Any]] = []
    ids = sorted({int(r["id"]) for r in compared_rows})
    for start in range(0, len(ids), APPLICATIONS_CHUNK):
        chunk = ", ".join(str(x) for x in ids[start:start + APPLICATIONS_CHUNK])
        applications += netsuite.suiteql(APPLICATIONS_QUERY.format(ids=chunk))
    applied_to: dict[str, list[str]] = defaultdict(list)
    for a in applications:
        applied_to[str(a["doc"])].append(str(a.get("applied_to") or f"internal ID {a.get('applied_to_id')}"))
    for row in rows:
        row["applied_to"] = ", ".join(sorted(applied_to.get(str(row["id"]), [])))
    return applications


def _txn_fields(txn: Any) -> Any:
    """What the comparison keeps of a balance transaction: Stripe's rate, and what tells a dispute's withdrawal."""
    if not isinstance(txn, Mapping):
        return txn
    return {key: txn.get(key) for key in ("id", "amount", "currency", "exchange_rate", "reporting_category",
                                          "created")}


def _refund_fields(obj: Mapping[str, Any]) -> dict[str, Any]:
    """What the comparison keeps of a refund or dispute (a large account's stream through)."""
    kept = {key: obj.get(key) for key in REFUND_FIELDS} | {"charge": expandable_id(obj.get("charge"))}
    if obj.get("object") == "dispute":
        kept["balance_transactions"] = [_txn_fields(t) for t in obj.get("balance_transactions") or []]
    else:
        kept["balance_transaction"] = _txn_fields(obj.get("balance_transaction"))
        kept["failure_balance_transaction"] = expandable_id(obj.get("failure_balance_transaction"))
    return kept


def _compare_refunds(stripe: StripeHook, netsuite: NetSuiteHook, settings: Settings, settling: set[str],
                     charges: _StripePayments, credit_notes: list[dict[str, Any]],
                     compared: list[dict[str, Any]] | None = None,
                     ) -> tuple[RefundReconciliation, list[dict[str, Any]], set[str]]:
    """The refunds and disputes section, its NetSuite rows, and the refunds and disputes left out: changed within
    the settle time, or whose charge, or the invoice it paid, did (a credit note made through a refund, say)."""
    objects = [_refund_fields(r) for r in stripe.list_objects("refunds", expand=REFUND_EXPAND)]
    objects += [_refund_fields(d) for d in stripe.list_objects("disputes")]
    waiting = {o["id"] for o in objects
               if {o["id"], o["charge"], charges.invoice_of.get(o["charge"] or "")} & settling}
    objects = [o for o in objects if o["id"] not in waiting]
    if compared is not None:
        compared += objects
    rows = [r for r in netsuite.suiteql_after(REFUND_ROWS_QUERY) if refund_scheme_of(str(r.get("externalid") or ""))]
    compared_rows = [r for r in rows if (refund_scheme_of(str(r["externalid"])) or ("", ""))[1] not in waiting]
    applications = _applications(netsuite, rows, compared_rows)
    base_currency = subsidiary_currency(netsuite, settings) if objects else ""
    report = reconcile_refunds(
        [o for o in objects if o["object"] == "refund"], [o for o in objects if o["object"] == "dispute"],
        charges.every, charges.invoice_of, compared_rows, applications, base_currency=base_currency,
        credit_notes=credit_notes, settings=settings.payments, shared_memos=not settings.invoices.enabled)
    return report, rows, waiting


def _compare_payouts(stripe: StripeHook, netsuite: NetSuiteHook, settings: Settings, settling: set[str],
                     charges: _StripePayments | None, refund_objects: list[dict[str, Any]],
                     notes: list[str]) -> PayoutReconciliation:
    """The cash section: each paid payout against its deposits, Undeposited Funds per currency, fees per account.
    Each paid automatic payout's transactions are read in one list (their sources not expanded)."""
    from stripe_netsuite.mapping.deposits import writes_deposit
    from stripe_netsuite.mapping.records import MappingError

    payouts = [dict(p) for p in stripe.list_objects("payouts")]
    transactions: dict[str, list[dict[str, Any]]] = {}
    for payout in payouts:
        try:
            if not writes_deposit(payout):
                continue
        except MappingError:
            continue
        transactions[payout["id"]] = stripe.payout_balance_transactions(payout["id"], expand_source=False)
    compare_funds = charges is not None and settings.payments.enabled and settings.refunds.enabled
    if not compare_funds:
        notes.append("Undeposited Funds not compared: it needs the payments and the refunds and disputes flows on")
    left_out = set(settling) | (charges.left_out if charges is not None else set())
    undeposited = list(netsuite.suiteql(UNDEPOSITED_QUERY)) if compare_funds else None
    hand_ids = sorted({int(r["id"]) for r in undeposited or [] if not r.get("externalid") and r.get("type") != "Deposit"})
    applied_to: dict[str, list[str]] = defaultdict(list)
    for start in range(0, len(hand_ids), APPLICATIONS_CHUNK):
        chunk = ", ".join(str(x) for x in hand_ids[start:start + APPLICATIONS_CHUNK])
        for row in netsuite.suiteql(APPLIED_QUERY.format(ids=chunk)):
            if row.get("applied_to"):
                applied_to[str(row["doc"])].append(str(row["applied_to"]))
    return reconcile_payouts(
        payouts, transactions, netsuite.suiteql(DEPOSIT_ROWS_QUERY), netsuite.suiteql(DEPOSIT_LINKS_QUERY), settings,
        undeposited_rows=undeposited, applied_to=applied_to,
        account_rows=netsuite.suiteql(DEPOSIT_ACCOUNT_LINES_QUERY),
        charges=list(charges.every.values()) if charges is not None else [],
        refunds=[o for o in refund_objects if o.get("object") == "refund"],
        disputes=[o for o in refund_objects if o.get("object") == "dispute"],
        settling=left_out)
