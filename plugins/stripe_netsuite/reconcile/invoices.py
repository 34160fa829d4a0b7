"""Compare Stripe invoices and credit notes with NetSuite invoices and credit memos (pure).

A user report (the demo and the reconciliation DAG print it; each difference line says what to do,
``lines.py``) and the flows' test oracle.
For every finalized Stripe invoice (any status but draft: judged by what the status means, not by
the statuses the mapping knows, so an invoice with a new status shows as missing) NetSuite must hold
one invoice under its Stripe ID with the same customer, currency and total (a negative Stripe
total is a zero NetSuite invoice; a debit customer balance Stripe billed on the invoice adds to
it), and one credit memo per credit note, balance use, uncollectible and void. Totals per currency
close the report.

Its amount remaining: with the payments flow on (``payments_synced``) it is Stripe's
``amount_remaining``, since that flow applies every payment Stripe took, with two exceptions:

* a bank debit (ACH, SEPA) Stripe has booked but not settled (charge ``pending``) is applied in
  NetSuite while Stripe still shows the invoice open: expected, so it is taken off and shown per
  currency "for information", not as a difference;
* an amount Stripe shows paid outside Stripe (``amount_paid_off_stripe``, ``paid_outside_stripe``)
  that NetSuite still shows open, with ``payments.out_of_band: report``, is listed
  apart ("<in_...>: paid outside Stripe: record the payment in NetSuite"), not counted as a
  mismatch: under that setting the connector writes nothing for it by design (Stripe never held that
  money and no payout carries it; only finance knows the account it reached), so no run of a flow
  can repair it and a red check would repeat it every day. It is finance's to record; once recorded
  the invoice agrees and the line goes. (With ``record`` the payments flow writes that payment, so
  an invoice still open for it is a difference naming that flow.)

With the payments flow off, what Stripe was paid stays open in NetSuite: the amount remaining
expected is what Stripe still expects plus what it was paid (shown per currency "for information").
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from stripe_netsuite.mapping import external_ids
from stripe_netsuite.mapping.invoices import balance_credit_used, balance_debit_carried, credited_to_balance
from stripe_netsuite.mapping.money import to_decimal
from stripe_netsuite.mapping.payments import paid_outside_stripe
from stripe_netsuite.mapping.records import expandable_id
from stripe_netsuite.reconcile.lines import (
    INVOICES_FLOW,
    PAYMENTS_FLOW,
    difference,
    duplicated,
    internal_ids,
    load,
    money,
    netsuite_amount,
    not_in_stripe,
    rewrite,
    undo_hand_applied,
)
from stripe_netsuite.settings import InvoiceSettings

NETSUITE_ROWS_QUERY = (
    "SELECT t.id, t.externalid, t.recordtype, t.foreigntotal, t.foreignamountremaining, cur.symbol AS currency, "
    "cus.externalid AS customer FROM transaction t JOIN currency cur ON cur.id = t.currency "
    "JOIN customer cus ON cus.id = t.entity WHERE t.type IN ('CustInvc', 'CustCred') AND t.id > {after} "
    "ORDER BY t.id"
)  # a keyset query: NetSuiteHook.suiteql_after reads every row, past SuiteQL's 100,000-row cap


def _is(row: Mapping[str, Any], record_type: str) -> bool:
    """Whether a SuiteQL row is of a record type. NetSuite answers SuiteScript's lower-case IDs ('creditmemo');
    compared without case, so rows built in camelCase (the REST record names) read the same."""
    return str(row.get("recordtype") or "").lower() == record_type


@dataclass
class InvoiceReconciliation:
    stripe_invoices: int = 0
    netsuite_invoices: int = 0
    matched: int = 0
    credit_memos_expected: int = 0
    credit_memos_matched: int = 0
    problems: list[str] = field(default_factory=list)  # one line each: Stripe ID, what differs, -> what to do
    awaiting_payments: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))  # payments flow off
    pending_debits: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))  # applied, not settled
    paid_outside_stripe: list[str] = field(default_factory=list)  # invoices for finance to record the payment of
    outside_amounts: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    totals: dict[str, tuple[Decimal, Decimal]] = field(default_factory=dict)  # currency -> (Stripe, NetSuite)

    @property
    def ok(self) -> bool:
        return not self.problems

    def lines(self) -> list[str]:
        out = [
            f"invoices: Stripe {self.stripe_invoices} finalized, NetSuite {self.netsuite_invoices}, matched "
            f"{self.matched}; credit memos expected {self.credit_memos_expected}, matched "
            f"{self.credit_memos_matched}" + (" - OK" if self.ok else " - MISMATCH")
        ]
        for currency, (stripe_total, netsuite_total) in sorted(self.totals.items()):
            out.append(f"  {currency} invoiced: Stripe {money(stripe_total, currency)}, "
                       f"NetSuite {money(netsuite_total, currency)}")
            waiting = self.awaiting_payments.get(currency, Decimal(0))
            if waiting:
                out.append(f"  {currency} for information: {money(waiting, currency)} paid in Stripe, for the payments "
                           "flow to apply (open in NetSuite until then; not a difference)")
            pending = self.pending_debits.get(currency, Decimal(0))
            if pending:
                out.append(f"  {currency} for information: {money(pending, currency)} paid by bank debits Stripe has "
                           "not settled yet: applied in NetSuite, open in Stripe until they settle (not a difference)")
            outside = self.outside_amounts.get(currency, Decimal(0))
            if outside:
                out.append(f"  {currency} paid outside Stripe, for finance to record in NetSuite: "
                           f"{money(outside, currency)} (listed below; not a connector difference)")
        out += [f"  {problem}" for problem in self.problems]
        out += [f"  {invoice_id}: paid outside Stripe: record the payment in NetSuite"
                for invoice_id in self.paid_outside_stripe]
        return out


def _expected_memos(invoice: Mapping[str, Any], notes: list[Mapping[str, Any]], settings: InvoiceSettings) -> dict[str, int]:
    """External ID -> total (minor units) of each credit memo the invoices flow makes for an invoice."""
    memos = {}
    for cn in notes:
        memos[external_ids.credit_note_memo(cn["id"])] = 0 if cn.get("status") == "void" else int(cn.get("total") or 0) - credited_to_balance(cn)
    if balance_credit_used(invoice):
        memos[external_ids.balance_memo(invoice["id"])] = balance_credit_used(invoice)
    remaining = int(invoice.get("amount_remaining") or 0)
    written_off = invoice["status"] == "uncollectible" or (invoice.get("status_transitions") or {}).get(
        "marked_uncollectible_at")
    if written_off and not settings.keep_unpaid_invoices_open:
        # What is still written off; a write-off Stripe no longer stands by (voided, paid, credited after it)
        # must be zeroed in NetSuite, so a leftover one shows as a total difference.
        standing = remaining if invoice["status"] == "uncollectible" else 0
        memos[external_ids.uncollectible_memo(invoice["id"])] = standing
    if invoice["status"] == "void" and remaining > 0:
        memos[external_ids.void_memo(invoice["id"])] = remaining
    return memos


def _expected_total(invoice: Mapping[str, Any]) -> int:
    """The NetSuite invoice's total (minor units): never negative, and a debit balance the invoice billed adds to it."""
    return max(int(invoice["total"]), 0) + balance_debit_carried(invoice)


COMPARED_FIELDS = ("id", "currency", "customer", "status", "total", "amount_paid", "amount_remaining",
                   "starting_balance", "ending_balance", "status_transitions", "amount_paid_off_stripe")


def _compared_fields(invoice: Mapping[str, Any]) -> dict[str, Any]:
    """What the comparison reads of an invoice: a large account's invoices stream through, this is kept."""
    return {key: invoice.get(key) for key in COMPARED_FIELDS} | {"customer": expandable_id(invoice.get("customer"))}


def _synced(invoice: Mapping[str, Any], settings: InvoiceSettings) -> bool:
    """Whether the invoices flow must have loaded the invoice: Stripe finalized it (anything but a draft)."""
    if invoice.get("deleted") or invoice.get("status") == "draft":
        return False
    all_zero = all(not line.get("amount") for line in (invoice.get("lines") or {}).get("data") or [])
    return bool(settings.sync_zero_invoices or invoice.get("total") or balance_debit_carried(invoice) or not all_zero)


def reconcile_invoices(
    stripe_invoices: Iterable[Mapping[str, Any]],
    credit_notes: Iterable[Mapping[str, Any]],
    netsuite_rows: Iterable[Mapping[str, Any]],
    settings: InvoiceSettings | None = None,
    payments_synced: bool = False,
    *,
    pending_debits: Mapping[str, int] | None = None,
    out_of_band: str = "report",
    paid_by: Mapping[str, Iterable[str]] | None = None,
) -> InvoiceReconciliation:
    """``netsuite_rows``: rows of ``NETSUITE_ROWS_QUERY``. ``payments_synced``: the payments flow is on,
    so Stripe's payments are applied in NetSuite too; then ``pending_debits``: invoice ID -> minor units of
    bank debits Stripe has booked but not settled (charges ``pending``), which NetSuite shows applied,
    ``out_of_band``: the settings' ``payments.out_of_band``, and ``paid_by``: invoice ID -> the charges
    whose payments apply to it (an amount remaining that differs names them: rewriting them re-applies)."""
    settings = settings or InvoiceSettings()
    pending_debits = pending_debits or {}
    paid_by = paid_by or {}
    invoices = {i["id"]: _compared_fields(i) for i in stripe_invoices if _synced(i, settings)}
    notes_by_invoice: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for cn in credit_notes:
        notes_by_invoice[expandable_id(cn["invoice"])].append(cn)
    rows = [r for r in netsuite_rows if r.get("externalid")]  # records made by hand are not Stripe's
    counts = Counter(r["externalid"] for r in rows)
    by_id = {r["externalid"]: r for r in rows}
    ns_invoices = {x: r for x, r in by_id.items() if _is(r, "invoice") and external_ids.is_invoice(x)}
    report = InvoiceReconciliation(stripe_invoices=len(invoices), netsuite_invoices=len(ns_invoices))
    shared = {x for x, n in counts.items() if n > 1}
    shared_ids: dict[str, list[Any]] = defaultdict(list)
    for r in rows:
        if r["externalid"] in shared:
            shared_ids[r["externalid"]].append(r.get("id"))
    report.problems += [difference(x, f"{counts[x]} NetSuite records share this external ID{internal_ids(ids)}",
                                   duplicated("a record")) for x, ids in shared_ids.items()]
    report.problems += [
        difference(x, f"in NetSuite{internal_ids([ns_invoices[x].get('id')])}, not a finalized Stripe invoice",
                   not_in_stripe("an invoice"))
        for x in sorted(set(ns_invoices) - {external_ids.invoice(i) for i in invoices})
    ]
    stripe_totals: dict[str, Decimal] = defaultdict(Decimal)
    netsuite_totals: dict[str, Decimal] = defaultdict(Decimal)
    for invoice_id in sorted(invoices):
        inv = invoices[invoice_id]
        currency = inv["currency"].upper()
        amount = lambda minor: to_decimal(int(minor), currency)  # noqa: E731
        expected_total = _expected_total(inv)
        stripe_totals[currency] += amount(expected_total)
        row = ns_invoices.get(external_ids.invoice(invoice_id))
        if row is None:
            stripe_total = money(amount(inv["total"]), currency)
            report.problems.append(difference(invoice_id, f"missing in NetSuite (Stripe {stripe_total}, {inv['status']})",
                                              load(INVOICES_FLOW, invoice_id)))
            continue
        ns_currency = str(row.get("currency") or currency).upper()
        ns_total = netsuite_amount(row.get("foreigntotal"), ns_currency)
        netsuite_totals[currency] += ns_total
        closed = inv["status"] == "void" or (inv["status"] == "uncollectible" and not settings.keep_unpaid_invoices_open)
        paid = int(inv.get("amount_paid") or 0)
        remaining = 0 if closed else int(inv.get("amount_remaining") or 0)
        if payments_synced:
            pending = min(int(pending_debits.get(invoice_id, 0)), remaining)
            expected_remaining = remaining - pending
            if pending:
                report.pending_debits[currency] += amount(pending)
        else:
            expected_remaining = paid + remaining
            if paid:
                report.awaiting_payments[currency] += amount(paid)
        customer = inv["customer"]  # an ID already (_compared_fields)
        ns_remaining = netsuite_amount(row.get("foreignamountremaining"), ns_currency)
        differences = [
            (name, f"{name} Stripe {shown_want}, NetSuite {shown_got}")
            for name, want, got, shown_want, shown_got in (
                ("currency", currency, ns_currency, currency, ns_currency),
                ("customer", customer, row.get("customer"), customer, row.get("customer")),
                ("total", amount(expected_total), ns_total,
                 money(amount(expected_total), currency), money(ns_total, ns_currency)),
                ("amount remaining", amount(expected_remaining), ns_remaining,
                 money(amount(expected_remaining), currency), money(ns_remaining, ns_currency)),
            )
            if want != got
        ]
        only_remaining = [name for name, _ in differences] == ["amount remaining"]
        outside = amount(paid_outside_stripe(inv)) if payments_synced else Decimal(0)
        if only_remaining and amount(expected_remaining) < ns_remaining <= amount(expected_remaining) + outside:
            if out_of_band == "record" and inv["status"] == "paid":  # the payments flow writes that payment
                report.problems.append(difference(
                    invoice_id, f"{differences[0][1]} (paid outside Stripe, for the payments flow to record)",
                    load(PAYMENTS_FLOW, invoice_id)))
            else:  # finance's to record (see the module docstring): not a difference
                report.paid_outside_stripe.append(invoice_id)
                report.outside_amounts[currency] += ns_remaining - amount(expected_remaining)
                report.matched += 1
        elif differences:
            charges = sorted(paid_by.get(invoice_id, ())) if payments_synced else []
            if only_remaining and charges:  # what applies to it is the payments flow's
                remedy = undo_hand_applied(PAYMENTS_FLOW, ", ".join(charges))
            else:
                remedy = (undo_hand_applied if only_remaining else rewrite)(INVOICES_FLOW, invoice_id)
            report.problems.append(difference(invoice_id, "; ".join(text for _, text in differences), remedy))
        else:
            report.matched += 1
        for memo_id, total in _expected_memos(inv, notes_by_invoice.get(invoice_id, []), settings).items():
            report.credit_memos_expected += 1
            memo = by_id.get(memo_id)
            if memo is None or not _is(memo, "creditmemo"):
                report.problems.append(difference(
                    memo_id, f"credit memo for {invoice_id} missing in NetSuite (Stripe {money(amount(total), currency)}"
                             ")", load(INVOICES_FLOW, invoice_id)))
                continue
            memo_currency = str(memo.get("currency") or currency).upper()
            memo_total = netsuite_amount(memo.get("foreigntotal"), memo_currency)
            if memo_total != amount(total):
                report.problems.append(difference(
                    memo_id, f"credit memo for {invoice_id}: total Stripe {money(amount(total), currency)}, "
                             f"NetSuite {money(memo_total, memo_currency)}", rewrite(INVOICES_FLOW, invoice_id)))
            else:
                report.credit_memos_matched += 1
    report.totals = {c: (to_decimal(0, c) + stripe_totals[c], to_decimal(0, c) + netsuite_totals[c])
                     for c in stripe_totals}
    return report
