"""Compare Stripe refunds and disputes with NetSuite credit memos and customer refunds (pure).

A user report (the demo and the reconciliation DAG print it; each difference line says what to do,
``lines.py``) and the refunds flow's test oracle. What the refunds and disputes flow writes
(``mapping/refunds.py``) is what must be there:

* every refund Stripe booked (``refund_booked``) is one NetSuite customer refund under its ID (``re_…``)
  with the same customer, currency and amount, and Stripe's rate (``stripe_rate`` of the refund's balance
  transaction, when the refund settled in the subsidiary's currency), applying in full the document that
  credits it: the refund's credit memo (``cm-re_…``) when its charge paid an invoice (``invoices_paid_by``;
  with ``payments.standalone_charges: invoice`` a charge without one pays its own ``in-`` invoice), the
  credit note's memo (``cn_…``) when the refund was made through a credit note (the note's
  ``refunds[].refund``), else the charge's customer payment;
* that credit memo has the refunded amount, at the same rate, and applies to nothing: the customer refund
  applies it (a memo applied to the invoice would disturb the invoice's amount remaining);
* a refund Stripe gave back (``refund_reversed``: failed or canceled after booking) has its memo zeroed and
  a customer payment of the money back (``ret-re_…``) that its customer refund applies instead;
* every dispute whose funds Stripe withdrew (``withdrawal``) is a customer refund (``dp_…``) of its amount
  at the withdrawal's rate, applying its credit memo (``cm-dp_…``) when the charge paid an invoice, else
  the charge's payment. Won or lost, the entries stand (the returned funds are a line of the payout's
  deposit); an inquiry that withdrew nothing has none.

No refund is credited twice: a ``cm-re_…`` memo for a refund made through a credit note (whose ``cn_…``
memo credits it) is a difference unless zeroed (written before the note named the refund, the flow then
moves the customer refund onto the note's memo and zeroes its own), as are NetSuite records under the
flow's schemes (``re_``, ``dp_``, ``cm-re_``, ``cm-dp_``, ``ret-re_``) that Stripe does not explain. Records
without such an external ID are NetSuite's own and not compared.

Totals per currency close the section: what Stripe refunded (refunds given back net to zero) and what
disputes withdrew, and NetSuite's customer refunds (net of the payments of refunds given back).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from stripe_netsuite.mapping import external_ids
from stripe_netsuite.mapping.money import to_decimal
from stripe_netsuite.mapping.payments import stripe_rate
from stripe_netsuite.mapping.records import UnknownValueError, expandable_id
from stripe_netsuite.mapping.refunds import refund_booked, refund_reversed, withdrawal
from stripe_netsuite.reconcile.lines import (
    NetSuiteRecords,
    applications_by_doc,
    applied_text,
    REFUNDS_FLOW,
    difference,
    duplicated,
    internal_ids,
    load,
    money,
    netsuite_amount,
    netsuite_rate,
    not_in_stripe,
    rate_text,
    rewrite,
    scheme_prefix,
)
from stripe_netsuite.settings import PaymentSettings

MEMO, REFUND, PAYMENT = "CustCred", "CustRfnd", "CustPymt"  # SuiteQL transaction.type, the same in every account


# (kind, prefix before the Stripe ID, the scheme that checks the Stripe ID); prefixed schemes first
_SCHEMES: tuple[tuple[str, str, Callable[[str], str]], ...] = (
    ("refund_memo", scheme_prefix(external_ids.refund_memo, "re_0"), external_ids.customer_refund),
    ("returned", scheme_prefix(external_ids.returned_refund, "re_0"), external_ids.customer_refund),
    ("dispute_memo", scheme_prefix(external_ids.dispute_memo, "dp_0"), external_ids.dispute_refund),
    ("refund", scheme_prefix(external_ids.customer_refund, "re_0"), external_ids.customer_refund),
    ("dispute", scheme_prefix(external_ids.dispute_refund, "dp_0"), external_ids.dispute_refund),
)
_TYPE_OF = {"refund_memo": MEMO, "dispute_memo": MEMO, "returned": PAYMENT, "refund": REFUND, "dispute": REFUND}


def _like(scheme: Callable[[str], str], sample: str) -> str:
    """A SuiteQL LIKE pattern every external ID of a scheme matches (``_`` matches any one character: a superset,
    narrowed by ``scheme_of``)."""
    return scheme(sample)[:-1] + "%"


_PATTERNS = sorted({_like(external_ids.refund_memo, "re_0"), _like(external_ids.returned_refund, "re_0"),
                    _like(external_ids.dispute_memo, "dp_0"), _like(external_ids.customer_refund, "re_0"),
                    _like(external_ids.dispute_refund, "dp_0")})

REFUND_ROWS_QUERY = (
    "SELECT t.id, t.externalid, t.type, t.foreigntotal, t.exchangerate, t.memo, t.entity, cur.symbol AS currency, "
    "cus.externalid AS customer FROM transaction t JOIN currency cur ON cur.id = t.currency "
    "LEFT JOIN customer cus ON cus.id = t.entity WHERE t.type IN ('CustCred', 'CustRfnd', 'CustPymt') AND ("
    + " OR ".join(f"t.externalid LIKE '{pattern}'" for pattern in _PATTERNS)
    + ") AND t.id > {after} ORDER BY t.id"
)  # a keyset query (NetSuiteHook.suiteql_after); what each applies to: reconcile/payments.py APPLICATIONS_QUERY


def scheme_of(external_id: str) -> tuple[str, str] | None:
    """``(kind, Stripe ID)`` of an external ID the refunds flow writes ('refund', 'refund_memo', 'returned',
    'dispute', 'dispute_memo'), e.g. ``cm-re_1`` -> ``('refund_memo', 're_1')``; None for any other."""
    for kind, prefix, stripe_id in _SCHEMES:
        if external_id.startswith(prefix):
            try:
                return kind, stripe_id(external_id[len(prefix):])
            except ValueError:
                continue
    return None


@dataclass
class RefundReconciliation:
    stripe_refunds: int = 0  # refunds Stripe booked
    netsuite_refunds: int = 0  # NetSuite customer refunds under a refund's ID
    refunds_matched: int = 0
    reversed: int = 0  # refunds Stripe gave back (failed or canceled after booking)
    stripe_disputes: int = 0  # disputes whose funds Stripe withdrew
    netsuite_disputes: int = 0  # NetSuite customer refunds under a dispute's ID
    disputes_matched: int = 0
    problems: list[str] = field(default_factory=list)  # one line each: Stripe ID, what differs, -> what to do
    # currency -> (Stripe, NetSuite)
    refunded: dict[str, tuple[Decimal, Decimal]] = field(default_factory=dict)
    disputed: dict[str, tuple[Decimal, Decimal]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    def lines(self) -> list[str]:
        out = [
            f"refunds: Stripe {self.stripe_refunds} booked ({self.reversed} given back), NetSuite "
            f"{self.netsuite_refunds}, matched {self.refunds_matched}; disputes: Stripe {self.stripe_disputes} that "
            f"withdrew funds, NetSuite {self.netsuite_disputes}, matched {self.disputes_matched}"
            + (" - OK" if self.ok else " - MISMATCH")
        ]
        for currency in sorted(set(self.refunded) | set(self.disputed)):
            for what, totals in (("refunded", self.refunded), ("disputed", self.disputed)):
                if currency in totals:
                    stripe_total, netsuite_total = totals[currency]
                    out.append(f"  {currency} {what}: Stripe {money(stripe_total, currency)}, "
                               f"NetSuite {money(netsuite_total, currency)}")
        out += [f"  {problem}" for problem in self.problems]
        return out


@dataclass(frozen=True)
class _Expected:
    """What one refund or dispute must be in NetSuite."""

    stripe_id: str
    kind: str  # 'refund' or 'dispute'
    charge_id: str
    currency: str
    amount: Decimal
    rate: Decimal | None  # Stripe's rate, None where NetSuite's own applies
    customer: tuple[str, str, str]  # (shown, what NetSuite holds, in which column)
    credits: str  # the external ID of the document the customer refund applies
    invoice: str | None  # the external ID of the invoice the charge paid (a memo is made from it)
    memo: str | None  # the credit memo's external ID, when the flow writes one
    reversed: bool = False
    # a refund a credit note named after it was written: the memo written for it before, given up (and zeroed)
    replaced_memo: str | None = None


class _Reconciler:
    def __init__(self, netsuite: NetSuiteRecords, settings: PaymentSettings, base_currency: str) -> None:
        self.ns = netsuite
        self.settings = settings
        self.base_currency = base_currency
        self.report = RefundReconciliation()
        self.stripe_refunded: dict[str, Decimal] = defaultdict(Decimal)
        self.netsuite_refunded: dict[str, Decimal] = defaultdict(Decimal)
        self.stripe_disputed: dict[str, Decimal] = defaultdict(Decimal)
        self.netsuite_disputed: dict[str, Decimal] = defaultdict(Decimal)

    def problem(self, stripe_id: str, what: str, remedy: str) -> None:
        self.report.problems.append(difference(stripe_id, what, remedy))

    def customer(self, customer_id: str | None) -> tuple[str, str, str]:
        """(what a line shows for Stripe's customer, what NetSuite must hold, in which column of the row)."""
        if customer_id:
            return customer_id, external_ids.customer(customer_id), "customer"
        guest = self.settings.guest_customer
        if isinstance(guest, int):
            return f"none, the guest customer (internal ID {guest})", str(guest), "entity"
        return f"none, the guest customer ({guest})", guest, "customer"

    def invoice_ref(self, charge_id: str, invoice_of: Mapping[str, str]) -> str | None:
        """The invoice a refund's memo is made from (as mapping/refunds.py finds it): the Stripe invoice the charge
        paid, or with ``standalone_charges: invoice`` the payment's own invoice."""
        invoice_id = invoice_of.get(charge_id)
        if invoice_id:
            return external_ids.invoice(invoice_id)
        if self.settings.standalone_charges == "invoice":
            return external_ids.payment_invoice(charge_id)
        return None

    def fields(self, row: Mapping[str, Any], want: _Expected, amount: Decimal, *, customer: bool = True,
               total: str = "amount") -> tuple[list[str], str, Decimal]:
        """Differences of currency, customer, amount and rate; and NetSuite's currency and amount."""
        ns_currency = str(row.get("currency") or want.currency).upper()
        ns_total = abs(netsuite_amount(row.get("foreigntotal"), ns_currency))  # credits may read negative
        out = []
        if ns_currency != want.currency:
            out.append(f"currency Stripe {want.currency}, NetSuite {ns_currency}")
        if customer:
            shown, held, column = want.customer
            if str(row.get(column) or "") != held:
                got = row.get("customer") or (f"internal ID {row['entity']}" if row.get("entity") else "(none)")
                out.append(f"customer Stripe {shown}, NetSuite {got}")
        if ns_total != amount:
            out.append(f"{total} Stripe {money(amount, want.currency)}, NetSuite {money(ns_total, ns_currency)}")
        ns_rate = netsuite_rate(row.get("exchangerate"))
        if want.rate is not None and ns_rate != want.rate:
            out.append(f"exchange rate Stripe {rate_text(want.rate)}, NetSuite {rate_text(ns_rate)}")
        return out, ns_currency, ns_total

    # -- one refund or dispute ---------------------------------------------------------------------

    def compare(self, want: _Expected) -> None:
        """The customer refund, its credit memo and (given back) the payment of the money back."""
        before = len(self.report.problems)
        refund_like = want.kind == "refund"
        if refund_like:
            self.report.stripe_refunds += 1
            if want.reversed:
                self.report.reversed += 1
            else:
                self.stripe_refunded[want.currency] += want.amount
        else:
            self.report.stripe_disputes += 1
            self.stripe_disputed[want.currency] += want.amount
        returned = external_ids.returned_refund(want.stripe_id) if want.reversed else None
        self.customer_refund(want, returned)
        if want.memo is not None:
            self.credit_memo(want)
        if returned is not None:
            self.returned_payment(want, returned)
        if len(self.report.problems) == before:
            if refund_like:
                self.report.refunds_matched += 1
            else:
                self.report.disputes_matched += 1

    def customer_refund(self, want: _Expected, returned: str | None) -> None:
        row = self.ns.get(want.stripe_id, REFUND)
        applies = returned or want.credits
        of = f"{want.kind} of {want.charge_id}"
        if row is None:
            given_back = ", given back by Stripe" if want.reversed else ""
            self.problem(want.stripe_id, f"missing in NetSuite (Stripe {money(want.amount, want.currency)}, {of}"
                                         f"{given_back}, applying {applies})", load(REFUNDS_FLOW, want.stripe_id))
            return
        differences, ns_currency, ns_total = self.fields(row, want, want.amount)
        (self.netsuite_refunded if want.kind == "refund" else self.netsuite_disputed)[want.currency] += ns_total
        applied = self.ns.applied(row, ns_currency)
        expected = {applies: want.amount}
        if applied != expected:
            differences.append(f"applied in NetSuite {applied_text(applied, ns_currency)}, Stripe "
                               f"{applied_text(expected, want.currency)}")
            # the flow sends its own document, and the one it gives up when Stripe gave a refund back
            flow_docs = {applies} | ({want.credits} if want.reversed else set()) | (
                {want.replaced_memo} if want.replaced_memo else set())
            by_hand = sorted(set(applied) - flow_docs)
            if by_hand:
                self.problem(want.stripe_id, "; ".join(differences),
                             f"check NetSuite: unapply it by hand from {', '.join(by_hand)} (the refunds flow changes "
                             f"only its own application); if it still differs, {rewrite(REFUNDS_FLOW, want.stripe_id)}")
                return
        if differences:
            self.problem(want.stripe_id, "; ".join(differences), rewrite(REFUNDS_FLOW, want.stripe_id))

    def credit_memo(self, want: _Expected) -> None:
        assert want.memo is not None and want.invoice is not None
        amount = to_decimal(0, want.currency) if want.reversed else want.amount
        what = f"credit memo for {want.kind} {want.stripe_id} of {want.invoice}" + (
            " (given back by Stripe: zeroed)" if want.reversed else "")
        row = self.ns.get(want.memo, MEMO)
        if row is None:
            self.problem(want.memo, f"{what} missing in NetSuite (Stripe {money(amount, want.currency)})",
                         load(REFUNDS_FLOW, want.stripe_id))
            return
        differences, ns_currency, _ = self.fields(row, want, amount, total="total")
        applied = self.ns.applied(row, ns_currency)
        if applied:  # the customer refund applies it; applied to the invoice it would change what is open there
            differences.append(f"applied in NetSuite {applied_text(applied, ns_currency)}, Stripe nothing (the customer "
                               f"refund {want.stripe_id} applies it)")
            by_hand = sorted(set(applied) - {want.invoice})  # the flow unapplies it from its invoice only
            if by_hand:
                self.problem(want.memo, f"{what}: {'; '.join(differences)}",
                             f"check NetSuite: unapply it by hand from {', '.join(by_hand)} (the refunds flow changes "
                             f"only its own application); if it still differs, {rewrite(REFUNDS_FLOW, want.stripe_id)}")
                return
        if differences:
            self.problem(want.memo, f"{what}: {'; '.join(differences)}", rewrite(REFUNDS_FLOW, want.stripe_id))

    def returned_payment(self, want: _Expected, returned: str) -> None:
        what = f"payment of refund {want.stripe_id}, given back by Stripe"
        row = self.ns.get(returned, PAYMENT)
        if row is None:
            self.problem(returned, f"{what}, missing in NetSuite (Stripe {money(want.amount, want.currency)})",
                         load(REFUNDS_FLOW, want.stripe_id))
            return
        differences, ns_currency, ns_total = self.fields(row, want, want.amount)
        self.netsuite_refunded[want.currency] -= ns_total
        applied = self.ns.applied(row, ns_currency)
        if applied:  # the customer refund applies it
            differences.append(f"applied in NetSuite {applied_text(applied, ns_currency)}, Stripe nothing (the customer "
                               f"refund {want.stripe_id} applies it)")
            self.problem(returned, f"{what}: {'; '.join(differences)}",
                         f"check NetSuite: unapply it by hand from {', '.join(sorted(applied))} (the refunds flow "
                         f"writes it applied to nothing); if it still differs, {rewrite(REFUNDS_FLOW, want.stripe_id)}")
            return
        if differences:
            self.problem(returned, f"{what}: {'; '.join(differences)}", rewrite(REFUNDS_FLOW, want.stripe_id))

    # -- what NetSuite has that Stripe does not explain -----------------------------------------

    def extra(self, external_id: str, kind: str, stripe_id: str, why: str | None, booked: bool) -> None:
        """A record under one of the flow's schemes that Stripe does not explain; ``why``: what Stripe says of
        ``stripe_id`` (None: Stripe has no such refund or dispute); ``booked``: the flow writes records for it
        (a rewrite then puts its own records right)."""
        record = {"refund": "customer refund", "dispute": "customer refund", "refund_memo": "credit memo",
                  "dispute_memo": "credit memo", "returned": "payment"}[kind]
        here = f"{record} in NetSuite{self.ns.ids(external_id)}"
        if why is None:
            obj = "refund" if kind in ("refund", "refund_memo", "returned") else "dispute"
            self.problem(external_id, f"{here}, for a {obj} Stripe does not have", not_in_stripe(f"a {record}"))
            return
        remedy = f"check NetSuite: unapply and delete this {record} there (void it if it is deposited)"
        if booked:
            remedy += f"; then {rewrite(REFUNDS_FLOW, stripe_id)}"
        self.problem(external_id, f"{here}, but {why}", remedy)


def credit_notes_of_refunds(credit_notes: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """Refund ID -> the credit note it was made through (the note's ``refunds[].refund``)."""
    found: dict[str, str] = {}
    for note in credit_notes:
        for entry in note.get("refunds") or []:
            refund_id = expandable_id(entry.get("refund")) if isinstance(entry, Mapping) else None
            if refund_id:
                found[refund_id] = note["id"]
    return found


def reconcile_refunds(
    refunds: Iterable[Mapping[str, Any]],
    disputes: Iterable[Mapping[str, Any]],
    charges: Mapping[str, Mapping[str, Any]],
    invoice_of: Mapping[str, str],
    netsuite_rows: Iterable[Mapping[str, Any]],
    applications: Iterable[Mapping[str, Any]] = (),
    *,
    base_currency: str,
    credit_notes: Iterable[Mapping[str, Any]] = (),
    settings: PaymentSettings | None = None,
    shared_memos: bool = True,
) -> RefundReconciliation:
    """``refunds``: Stripe refunds, any status, with ``balance_transaction`` expanded (Stripe's rate);
    ``disputes``: Stripe disputes with their ``balance_transactions``; ``charges``: charge ID -> charge (its
    customer and currency); ``invoice_of``: charge ID -> the Stripe invoice it pays (``sync.payments.
    invoices_paid_by``); ``netsuite_rows``: rows of ``REFUND_ROWS_QUERY``; ``applications``: rows of
    ``reconcile/payments.py`` ``APPLICATIONS_QUERY`` for those rows; ``base_currency``: the subsidiary's currency
    code; ``credit_notes``: Stripe credit notes (which refunds were made through one); ``settings``: the payments
    section (guest customer, payments without an invoice); ``shared_memos``: report credit memos sharing an
    external ID (False when the invoices section already does)."""
    settings = settings or PaymentSettings()
    rows = [r for r in netsuite_rows if r.get("externalid") and scheme_of(str(r["externalid"]))]
    netsuite = NetSuiteRecords(rows, applications_by_doc(applications))
    reconciler = _Reconciler(netsuite, settings, base_currency)
    report = reconciler.report
    kinds: dict[str, tuple[str, str]] = {}
    for r in rows:
        kinds[r["externalid"]] = scheme_of(str(r["externalid"])) or ("", "")  # rows are the flow's schemes only
    report.netsuite_refunds = len([r for r in rows if r.get("type") == REFUND and kinds[r["externalid"]][0] == "refund"])
    report.netsuite_disputes = len([r for r in rows if r.get("type") == REFUND and kinds[r["externalid"]][0] == "dispute"])
    shared_ids: dict[str, list[Any]] = defaultdict(list)
    for r in rows:
        if netsuite.counts[r["externalid"]] > 1 and (shared_memos or r.get("type") != MEMO):
            shared_ids[r["externalid"]].append(r.get("id"))
    report.problems += [difference(x, f"{netsuite.counts[x]} NetSuite records share this external ID{internal_ids(ids)}",
                                   duplicated("a record")) for x, ids in shared_ids.items()]
    through_note = credit_notes_of_refunds(credit_notes)

    said: dict[str, str] = {}  # Stripe ID -> what Stripe says of it, for NetSuite records it does not explain
    explained: set[str] = set()
    not_compared: set[str] = set()
    expected: list[_Expected] = []
    for obj, kind in [(r, "refund") for r in refunds] + [(d, "dispute") for d in disputes]:
        want = _expected(obj, kind, charges, invoice_of, through_note, reconciler, said, not_compared)
        if want is not None:
            expected.append(want)
    for want in sorted(expected, key=lambda w: (w.kind != "refund", w.stripe_id)):
        reconciler.compare(want)
        explained.add(want.stripe_id)
        if want.memo is not None:
            explained.add(want.memo)
        if want.reversed:
            explained.add(external_ids.returned_refund(want.stripe_id))

    compared = {want.stripe_id: want for want in expected}
    for external_id in sorted(set(netsuite.by_id) - explained):
        kind, stripe_id = kinds[external_id]
        if stripe_id in not_compared:
            continue
        want = compared.get(stripe_id)
        if kind == "refund_memo" and want is not None and stripe_id in through_note:
            note = through_note[stripe_id]
            row = netsuite.get(external_id, MEMO)
            if row is not None and not netsuite_amount(row.get("foreigntotal"), want.currency):
                continue  # written before the credit note named the refund, then zeroed by the flow: credits nothing
            reconciler.problem(
                external_id, f"credit memo in NetSuite{netsuite.ids(external_id)}, but refund {stripe_id} was made "
                             f"through credit note {note}, whose memo {external_ids.credit_note_memo(note)} credits it: "
                             "the customer is credited twice",
                f"{rewrite(REFUNDS_FLOW, stripe_id)} (it moves the refund onto the credit note's memo and zeroes this "
                "one); if it stays, unapply this credit memo from the customer refund by hand in NetSuite")
            continue
        why = _why_extra(kind, stripe_id, want) if want is not None else said.get(stripe_id)
        reconciler.extra(external_id, kind, stripe_id, why, booked=want is not None)

    def totals(stripe_side: Mapping[str, Decimal], netsuite_side: Mapping[str, Decimal]):
        return {c: (to_decimal(0, c) + stripe_side.get(c, Decimal(0)), to_decimal(0, c) + netsuite_side.get(c, Decimal(0)))
                for c in sorted(set(stripe_side) | set(netsuite_side))}

    report.refunded = totals(reconciler.stripe_refunded, reconciler.netsuite_refunded)
    report.disputed = totals(reconciler.stripe_disputed, reconciler.netsuite_disputed)
    return report


def _why_extra(kind: str, stripe_id: str, want: _Expected) -> str:
    """Why a record of a refund or dispute that Stripe has is not one the flow writes for it."""
    if kind in ("refund_memo", "dispute_memo"):
        return (f"Stripe's {want.kind} {stripe_id} is of {want.charge_id}, which paid no invoice: its customer refund "
                f"applies the payment {want.credits}, no credit memo")
    if kind == "returned":
        return f"Stripe did not give refund {stripe_id} back"
    return f"Stripe's {want.kind} {stripe_id} is not one the flow writes this record for"  # a wrong record type


def _expected(obj: Mapping[str, Any], kind: str, charges: Mapping[str, Mapping[str, Any]],
              invoice_of: Mapping[str, str], through_note: Mapping[str, str], reconciler: _Reconciler,
              said: dict[str, str], not_compared: set[str]) -> _Expected | None:
    """What the flow writes for a refund or dispute; None when nothing (``said`` then says why), or when it
    cannot be compared (a problem line says why, and its records are ``not_compared``)."""
    stripe_id = str(obj["id"])
    try:
        txn = (obj.get("balance_transaction") if refund_booked(obj) else None) if kind == "refund" \
            else withdrawal(obj)
    except UnknownValueError:
        not_compared.add(stripe_id)
        reconciler.problem(stripe_id, f"{kind} status {obj.get('status')!r} is new to this connector version; "
                                      "not compared",
                           f"see the check_failed_records task of {REFUNDS_FLOW}, which lists it, and update the "
                           "connector")
        return None
    if txn is None:
        said[stripe_id] = (f"Stripe has not booked refund {stripe_id} ({obj.get('status')})" if kind == "refund"
                           else f"Stripe's dispute {stripe_id} withdrew no funds ({obj.get('status')})")
        return None
    scheme = external_ids.customer_refund if kind == "refund" else external_ids.dispute_refund
    try:
        scheme(stripe_id)
    except ValueError:
        not_compared.add(stripe_id)
        reconciler.problem(stripe_id, f"a {kind} ID the connector's external IDs do not take (mapping/external_ids.py); "
                                      "not compared",
                           f"see the check_failed_records task of {REFUNDS_FLOW}, which lists it, and update the "
                           "connector")
        return None
    charge_id = str(expandable_id(obj.get("charge")) or "")
    charge = charges.get(charge_id)
    if charge is None:
        not_compared.add(stripe_id)
        reconciler.problem(stripe_id, f"its charge {charge_id or '(none)'} is not among Stripe's charges; not compared",
                           f"check Stripe, then {rewrite(REFUNDS_FLOW, stripe_id)}")
        return None
    currency = str(obj.get("currency") or charge.get("currency") or "").upper()
    amount = to_decimal(int(obj["amount"]), currency)
    invoice = reconciler.invoice_ref(charge_id, invoice_of)
    memo: str | None = None
    replaced: str | None = None
    given_back = kind == "refund" and refund_reversed(obj)
    if kind == "refund" and stripe_id in through_note:
        credits = external_ids.credit_note_memo(through_note[stripe_id])
        if invoice is not None and not given_back:  # a memo written before the note named it is released, zeroed
            replaced = external_ids.refund_memo(stripe_id)
    elif invoice is not None:
        memo = external_ids.refund_memo(stripe_id) if kind == "refund" else external_ids.dispute_memo(stripe_id)
        credits = memo
    else:
        credits = external_ids.payment(charge_id)
    return _Expected(
        stripe_id=stripe_id, kind=kind, charge_id=charge_id, currency=currency, amount=amount,
        rate=stripe_rate(txn, currency, reconciler.base_currency),
        customer=reconciler.customer(expandable_id(charge.get("customer"))),
        credits=credits, invoice=invoice, memo=memo, reversed=given_back, replaced_memo=replaced)
