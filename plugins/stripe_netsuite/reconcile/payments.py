"""Compare Stripe charges (and invoices paid outside Stripe) with NetSuite customer payments (pure).

A user report (the demo and the reconciliation DAG print it; each difference line says what to do,
``lines.py``) and the payments flow's test oracle. What the payments flow writes (``mapping/payments.py``)
is what must be there:

* every charge that moved money (``moves_money``) is one NetSuite customer payment under its charge ID,
  with the same customer, currency and amount (``paid_amount``), Stripe's exchange rate when Stripe's
  rate applies (``stripe_rate``: the charge settled in the subsidiary's currency), applied in full to the
  NetSuite invoice of the Stripe invoice it pays (``invoices_paid_by``);
* a debit that failed after Stripe booked it is left unapplied, and a customer refund (``rf-``) of the
  same amount takes it back;
* a charge without an invoice is left unapplied (the customer's credit), or, with
  ``payments.standalone_charges: invoice``, pays a one-line invoice of its own (``in-``), of its amount;
* a paid invoice with an amount Stripe shows paid outside Stripe (``paid_outside_stripe``) has a payment
  (``pay-oob-``) of that amount applied to it when the settings record them (``payments.out_of_band:
  record``); with ``report`` the invoices section lists it for finance instead (``reconcile/invoices.py``).

A payment the flow could not apply because NetSuite already showed its invoice paid (its memo starts
"Stripe Payment Error: could not apply") is a difference for finance, not for a rerun: the customer may
have paid twice. Once finance applies it in full by hand (to that invoice or another), it agrees.

NetSuite records under one of the flow's external-ID schemes that Stripe does not explain (a payment for
a charge Stripe does not have or that moved no money, a refund of a debit that did not fail, ...) are
differences too; records without such an external ID are NetSuite's own and not compared. A record of a
scheme the settings do not ask for (an ``in-`` invoice under ``unapplied_payment``, a ``pay-oob-``
payment under ``report``) is compared when NetSuite has it: an earlier setting wrote it.

Totals per currency close the section: what Stripe's payments moved (failed debits net to zero), and
NetSuite's payment totals net of the refunds of failed debits.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from stripe_netsuite.mapping import external_ids
from stripe_netsuite.mapping.money import to_decimal
from stripe_netsuite.mapping.payments import (
    COULD_NOT_APPLY_MEMO,
    moves_money,
    paid_amount,
    paid_outside_stripe,
    stripe_rate,
)
from stripe_netsuite.mapping.records import UnknownValueError, expandable_id
from stripe_netsuite.reconcile.lines import (
    NetSuiteRecords,
    applications_by_doc,
    applied_text,
    PAYMENTS_FLOW,
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

PAYMENT, REFUND, INVOICE = "CustPymt", "CustRfnd", "CustInvc"  # SuiteQL transaction.type, the same in every account

PAYMENT_ROWS_QUERY = (
    "SELECT t.id, t.externalid, t.type, t.foreigntotal, t.exchangerate, t.memo, t.entity, cur.symbol AS currency, "
    "cus.externalid AS customer FROM transaction t JOIN currency cur ON cur.id = t.currency "
    "LEFT JOIN customer cus ON cus.id = t.entity WHERE (t.type IN ('CustPymt', 'CustRfnd') OR t.type = 'CustInvc' "
    "AND t.externalid LIKE 'in-%') AND t.externalid IS NOT NULL AND t.id > {after} ORDER BY t.id"
)  # a keyset query (NetSuiteHook.suiteql_after); 'in-%': the invoices of payments without one (external_ids)

APPLICATIONS_QUERY = (
    "SELECT l.nextdoc AS doc, l.foreignamount AS amount, p.id AS applied_to_id, p.externalid AS applied_to "
    "FROM nexttransactionlinelink l JOIN transaction p ON p.id = l.previousdoc WHERE l.nextdoc IN ({ids})"
)  # what each payment (or refund) applies to: ``ids`` are their internal IDs, a few hundred per query

# The memo mapping/payments.py gives a payment that found its invoice already paid in NetSuite.
COULD_NOT_APPLY = COULD_NOT_APPLY_MEMO


_SCHEMES: tuple[tuple[str, str, Callable[[str], str]], ...] = (
    ("refund", scheme_prefix(external_ids.failed_payment_refund, "ch_0"), external_ids.payment),
    ("invoice", scheme_prefix(external_ids.payment_invoice, "ch_0"), external_ids.payment),
    ("out_of_band", scheme_prefix(external_ids.out_of_band_payment, "in_0"), external_ids.invoice),
    ("payment", "", external_ids.payment),
)


def scheme_of(external_id: str) -> tuple[str, str] | None:
    """``(kind, Stripe ID)`` of an external ID the payments flow writes ('payment', 'refund', 'invoice' or
    'out_of_band'), e.g. ``rf-py_1`` -> ``('refund', 'py_1')``; None for any other."""
    for kind, prefix, stripe_id in _SCHEMES:
        if external_id.startswith(prefix):
            try:
                return kind, stripe_id(external_id[len(prefix):])
            except ValueError:
                continue
    return None


@dataclass
class PaymentReconciliation:
    stripe_payments: int = 0  # charges that moved money, and invoices paid outside Stripe whose payment is compared
    netsuite_payments: int = 0  # NetSuite customer payments under an external ID the payments flow writes
    matched: int = 0
    failed_debits: int = 0  # each needs a refund in NetSuite
    refunds_matched: int = 0
    could_not_apply: int = 0  # payments left unapplied for finance (counted in problems too)
    problems: list[str] = field(default_factory=list)  # one line each: Stripe ID, what differs, -> what to do
    totals: dict[str, tuple[Decimal, Decimal]] = field(default_factory=dict)  # currency -> (Stripe, NetSuite)

    @property
    def ok(self) -> bool:
        return not self.problems

    def lines(self) -> list[str]:
        out = [
            f"payments: Stripe {self.stripe_payments} that moved money, NetSuite {self.netsuite_payments}, matched "
            f"{self.matched}; failed debits {self.failed_debits}, refunds matched {self.refunds_matched}"
            + (f"; could not apply {self.could_not_apply}" if self.could_not_apply else "")
            + (" - OK" if self.ok else " - MISMATCH")
        ]
        for currency, (stripe_total, netsuite_total) in sorted(self.totals.items()):
            out.append(f"  {currency} paid: Stripe {money(stripe_total, currency)}, "
                       f"NetSuite {money(netsuite_total, currency)}")
        out += [f"  {problem}" for problem in self.problems]
        return out


def could_not_apply(charge_id: str, invoice_id: str, unapplied: Decimal, currency: str) -> str:
    return difference(
        charge_id, f"could not apply to invoice {invoice_id}, NetSuite showed it paid: {money(unapplied, currency)} "
                   "unapplied in NetSuite",
        f"finance: if the customer paid {invoice_id} twice, refund {charge_id} in Stripe; otherwise apply this "
        f"payment by hand in NetSuite (undo what else paid {invoice_id} and apply it there, or apply it to another "
        "open invoice of the customer)")


class _Reconciler:
    def __init__(self, netsuite: NetSuiteRecords, settings: PaymentSettings, base_currency: str) -> None:
        self.ns = netsuite
        self.settings = settings
        self.base_currency = base_currency
        self.report = PaymentReconciliation()
        self.stripe_totals: dict[str, Decimal] = defaultdict(Decimal)
        self.netsuite_totals: dict[str, Decimal] = defaultdict(Decimal)

    def problem(self, stripe_id: str, what: str, remedy: str) -> None:
        self.report.problems.append(difference(stripe_id, what, remedy))

    def fields(self, row: Mapping[str, Any], currency: str, amount: Decimal,
               customer: tuple[str, str, str] | None) -> tuple[list[str], str, Decimal]:
        """Differences of currency, customer (``customer``: ``self.customer``) and amount; and NetSuite's
        currency and amount."""
        ns_currency = str(row.get("currency") or currency).upper()
        ns_total = netsuite_amount(row.get("foreigntotal"), ns_currency)
        out = []
        if ns_currency != currency:
            out.append(f"currency Stripe {currency}, NetSuite {ns_currency}")
        if customer is not None:
            shown, want, column = customer
            if str(row.get(column) or "") != want:
                held = row.get("customer") or (f"internal ID {row['entity']}" if row.get("entity") else "(none)")
                out.append(f"customer Stripe {shown}, NetSuite {held}")
        if ns_total != amount:
            out.append(f"amount Stripe {money(amount, currency)}, NetSuite {money(ns_total, ns_currency)}")
        return out, ns_currency, ns_total

    def customer(self, customer_id: str | None) -> tuple[str, str, str]:
        """(what a line shows for Stripe's customer, what NetSuite must hold, in which column of the row)."""
        if customer_id:
            return customer_id, external_ids.customer(customer_id), "customer"
        guest = self.settings.guest_customer
        if isinstance(guest, int):
            return f"none, the guest customer (internal ID {guest})", str(guest), "entity"
        return f"none, the guest customer ({guest})", guest, "customer"

    # -- charges ----------------------------------------------------------------------------

    def charge(self, charge: Mapping[str, Any], invoice_id: str | None) -> None:
        charge_id = charge["id"]
        currency = str(charge.get("currency") or "").upper()
        amount = to_decimal(paid_amount(charge), currency)
        failed = charge.get("status") == "failed"
        self.report.stripe_payments += 1
        if not failed:
            self.stripe_totals[currency] += amount
        payment_id = external_ids.payment(charge_id)
        row = self.ns.get(payment_id, PAYMENT)
        if row is None:
            pays = f", pays {invoice_id}" if invoice_id else ""
            self.problem(charge_id, f"missing in NetSuite (Stripe {money(amount, currency)}, {charge.get('status')}{pays})",
                         load(PAYMENTS_FLOW, charge_id))
            return
        problems_before = len(self.report.problems)
        customer = self.customer(expandable_id(charge.get("customer")))
        differences, ns_currency, ns_total = self.fields(row, currency, amount, customer)
        self.netsuite_totals[currency] += ns_total
        rate = stripe_rate(charge.get("balance_transaction"), currency, self.base_currency)
        ns_rate = netsuite_rate(row.get("exchangerate"))
        if rate is not None and ns_rate != rate:
            differences.append(f"exchange rate Stripe {rate_text(rate)}, NetSuite {rate_text(ns_rate)}")

        standalone = external_ids.payment_invoice(charge_id)
        own_invoice = self.ns.get(standalone, INVOICE)
        has_own_invoice = invoice_id is None and (self.settings.standalone_charges == "invoice" or own_invoice is not None)
        expected: dict[str, Decimal] = {}
        if failed:
            pass  # a debit that failed pays nothing
        elif invoice_id:
            expected = {external_ids.invoice(invoice_id): amount}
        elif own_invoice is not None:  # missing while the settings want it: its own line says so
            expected = {standalone: amount}
        applied = self.ns.applied(row, ns_currency)
        unapplied_for_finance = (not failed and invoice_id is not None and str(row.get("memo") or "").startswith(COULD_NOT_APPLY))
        if applied != expected:
            if unapplied_for_finance and sum(applied.values()) == amount:
                pass  # finance applied it by hand (to that invoice or another): settled
            elif unapplied_for_finance and set(applied) <= set(expected):
                assert invoice_id is not None
                self.report.could_not_apply += 1
                self.report.problems.append(could_not_apply(charge_id, invoice_id, amount - sum(applied.values()),
                                                            currency))
            else:
                differences.append(f"applied in NetSuite {applied_text(applied, ns_currency)}, "
                               f"Stripe {applied_text(expected, currency)}")
                flow_docs = set(expected) | ({external_ids.invoice(invoice_id)} if invoice_id else set())
                by_hand = sorted(set(applied) - flow_docs)
                if by_hand:
                    remedy = (f"check NetSuite: unapply it by hand from {', '.join(by_hand)} (the payments flow "
                              f"changes only its own application); if it still differs, {rewrite(PAYMENTS_FLOW, charge_id)}")
                    self.problem(charge_id, "; ".join(differences), remedy)
                    differences = []
        if differences:
            self.problem(charge_id, "; ".join(differences), rewrite(PAYMENTS_FLOW, charge_id))
        if failed:
            self.failure_refund(charge_id, customer, currency, amount)
        if has_own_invoice:  # zeroed when the debit failed: nothing is owed for a payment that never arrived
            self.standalone_invoice(charge_id, own_invoice, currency, Decimal(0) if failed else amount)
        if len(self.report.problems) == problems_before:
            self.report.matched += 1

    def failure_refund(self, charge_id: str, customer: tuple[str, str, str], currency: str, amount: Decimal) -> None:
        self.report.failed_debits += 1
        refund_id = external_ids.failed_payment_refund(charge_id)
        refund = self.ns.get(refund_id, REFUND)
        what = f"refund of failed debit {charge_id}"
        if refund is None:
            self.problem(refund_id, f"{what} missing in NetSuite (Stripe {money(amount, currency)})",
                         load(PAYMENTS_FLOW, charge_id))
            return
        differences, ns_currency, ns_total = self.fields(refund, currency, amount, customer)
        self.netsuite_totals[currency] -= ns_total
        applied = self.ns.applied(refund, ns_currency)
        expected = {external_ids.payment(charge_id): amount}
        if applied != expected:
            differences.append(f"applied in NetSuite {applied_text(applied, ns_currency)}, "
                               f"Stripe {applied_text(expected, currency)}")
        if differences:
            self.problem(refund_id, f"{what}: {'; '.join(differences)}", rewrite(PAYMENTS_FLOW, charge_id))
        else:
            self.report.refunds_matched += 1

    def standalone_invoice(self, charge_id: str, invoice: Mapping[str, Any] | None, currency: str,
                           amount: Decimal) -> None:
        invoice_id = external_ids.payment_invoice(charge_id)
        what = f"invoice for payment {charge_id}"
        if invoice is None:
            self.problem(invoice_id, f"{what} missing in NetSuite (Stripe {money(amount, currency)})",
                         load(PAYMENTS_FLOW, charge_id))
            return
        ns_currency = str(invoice.get("currency") or currency).upper()
        ns_total = netsuite_amount(invoice.get("foreigntotal"), ns_currency)
        differences = []
        if ns_currency != currency:
            differences.append(f"currency Stripe {currency}, NetSuite {ns_currency}")
        if ns_total != amount:
            differences.append(f"total Stripe {money(amount, currency)}, NetSuite {money(ns_total, ns_currency)}")
        if differences:
            self.problem(invoice_id, f"{what}: {'; '.join(differences)}", rewrite(PAYMENTS_FLOW, charge_id))

    # -- invoices paid outside Stripe --------------------------------------------------------

    def out_of_band(self, invoice: Mapping[str, Any]) -> None:
        invoice_id = invoice["id"]
        currency = str(invoice.get("currency") or "").upper()
        amount = to_decimal(paid_outside_stripe(invoice), currency)
        payment_id = external_ids.out_of_band_payment(invoice_id)
        row = self.ns.get(payment_id, PAYMENT)
        if row is None and (self.settings.out_of_band != "record" or invoice.get("status") != "paid"):
            return  # the invoices section lists it for finance to record (the flow records paid invoices only)
        self.report.stripe_payments += 1
        self.stripe_totals[currency] += amount
        what = f"payment of {invoice_id}, paid outside Stripe"
        if row is None:
            self.problem(payment_id, f"{what}, missing in NetSuite (Stripe {money(amount, currency)})",
                         load(PAYMENTS_FLOW, invoice_id))
            return
        customer_id = expandable_id(invoice.get("customer"))
        customer = self.customer(customer_id) if customer_id else None  # the flow refuses one without a customer
        differences, ns_currency, ns_total = self.fields(row, currency, amount, customer)
        self.netsuite_totals[currency] += ns_total
        applied = self.ns.applied(row, ns_currency)
        expected = {external_ids.invoice(invoice_id): amount}
        if applied != expected:
            differences.append(f"applied in NetSuite {applied_text(applied, ns_currency)}, "
                               f"Stripe {applied_text(expected, currency)}")
        if differences:
            self.problem(payment_id, f"{what}: {'; '.join(differences)}", rewrite(PAYMENTS_FLOW, invoice_id))
        else:
            self.report.matched += 1

    # -- what NetSuite has that Stripe does not explain -----------------------------------------

    def extra(self, external_id: str, kind: str, stripe_id: str, status: str | None, pays: str | None,
              outside: bool) -> None:
        """A record under one of the flow's schemes that Stripe does not explain (``status``: its charge's, None
        when Stripe has no such charge; ``pays``: the invoice the charge pays, None when it moved no money;
        ``outside``: Stripe shows the invoice paid outside Stripe)."""
        ids = internal_ids([r.get("id") for r in self.ns.rows if r["externalid"] == external_id])
        if kind == "out_of_band":
            if not outside:
                self.problem(external_id, f"payment in NetSuite{ids}, but Stripe shows nothing paid outside Stripe "
                                          f"on {stripe_id}", not_in_stripe("a payment"))
            return
        record = {"payment": "payment", "refund": "refund", "invoice": "invoice"}[kind]
        if status is None:
            self.problem(external_id, f"{record} in NetSuite{ids}, for a charge Stripe does not have",
                         not_in_stripe(f"a {record}" if kind != "invoice" else "an invoice"))
        elif kind == "payment":
            self.problem(external_id, f"payment in NetSuite{ids}, but Stripe's charge moved no money ({status})",
                         "check NetSuite: Stripe received no money for this charge; delete this payment there (void "
                         "it if it is deposited)")
        elif kind == "refund":
            self.problem(external_id, f"refund in NetSuite{ids}, but Stripe's charge {stripe_id} is no debit that "
                                      f"failed after it was booked ({status})", not_in_stripe("a refund"))
        else:
            why = f"pays {pays}" if pays else f"moved no money ({status})"
            self.problem(external_id, f"invoice in NetSuite{ids} for a payment without one, but Stripe's charge "
                                      f"{stripe_id} {why}", not_in_stripe("an invoice"))


def reconcile_payments(
    charges: Iterable[Mapping[str, Any]],
    invoice_of: Mapping[str, str],
    netsuite_rows: Iterable[Mapping[str, Any]],
    applications: Iterable[Mapping[str, Any]] = (),
    *,
    base_currency: str,
    settings: PaymentSettings | None = None,
    paid_outside: Iterable[Mapping[str, Any]] = (),
) -> PaymentReconciliation:
    """``charges``: Stripe charges, any status, with ``balance_transaction`` expanded (Stripe's rate);
    ``invoice_of``: charge ID -> the Stripe invoice it pays (``sync.payments.invoices_paid_by``);
    ``netsuite_rows``: rows of ``PAYMENT_ROWS_QUERY``; ``applications``: rows of ``APPLICATIONS_QUERY`` for
    those rows; ``base_currency``: the subsidiary's currency code; ``paid_outside``: Stripe invoices with an
    amount paid outside Stripe (``mapping.payments.paid_outside_stripe``)."""
    settings = settings or PaymentSettings()
    rows = [r for r in netsuite_rows if r.get("externalid") and scheme_of(str(r["externalid"]))]
    netsuite = NetSuiteRecords(rows, applications_by_doc(applications))
    reconciler = _Reconciler(netsuite, settings, base_currency)
    report = reconciler.report
    report.netsuite_payments = sum(1 for r in rows if r.get("type") == PAYMENT)
    shared_ids: dict[str, list[Any]] = defaultdict(list)
    for r in rows:
        if netsuite.counts[r["externalid"]] > 1:
            shared_ids[r["externalid"]].append(r.get("id"))
    report.problems += [difference(x, f"{netsuite.counts[x]} NetSuite records share this external ID{internal_ids(ids)}",
                                   duplicated("a record")) for x, ids in shared_ids.items()]

    status: dict[str, str] = {}
    moved: dict[str, Mapping[str, Any]] = {}
    unknown: set[str] = set()
    for charge in charges:
        status[charge["id"]] = str(charge.get("status"))
        try:
            if moves_money(charge):
                moved[charge["id"]] = charge
        except UnknownValueError:
            unknown.add(charge["id"])
            reconciler.problem(charge["id"], f"charge status {charge.get('status')!r} is new to this connector "
                                             "version; not compared",
                               f"see the check_failed_records task of {PAYMENTS_FLOW}, which lists it, and update "
                               "the connector")
    outside = {i["id"]: i for i in paid_outside if paid_outside_stripe(i) > 0}

    explained: set[str] = set()
    for charge_id in sorted(moved):
        charge = moved[charge_id]
        reconciler.charge(charge, invoice_of.get(charge_id))
        explained.add(external_ids.payment(charge_id))
        if charge.get("status") == "failed":
            explained.add(external_ids.failed_payment_refund(charge_id))
        if charge_id not in invoice_of:
            explained.add(external_ids.payment_invoice(charge_id))
    for invoice_id in sorted(outside):
        reconciler.out_of_band(outside[invoice_id])
        explained.add(external_ids.out_of_band_payment(invoice_id))

    for external_id in sorted(set(netsuite.by_id) - explained):
        kind, stripe_id = scheme_of(external_id) or ("", "")  # rows are the flow's schemes only
        if stripe_id not in unknown:  # a status this version does not know: reported above
            reconciler.extra(external_id, kind, stripe_id, status.get(stripe_id),
                             invoice_of.get(stripe_id) if stripe_id in moved else None, stripe_id in outside)

    report.totals = {c: (to_decimal(0, c) + reconciler.stripe_totals[c], to_decimal(0, c) + reconciler.netsuite_totals[c])
                     for c in sorted(set(reconciler.stripe_totals) | set(reconciler.netsuite_totals))}
    return report
