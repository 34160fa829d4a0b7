"""The payments flow: Stripe charges -> NetSuite customer payments in Undeposited Funds, applied to invoices.

``prepare`` completes each charge (its balance transactions expanded: the exchange rate and, for a debit
that failed later, when it failed), finds the invoice each pays from Stripe's invoice payments (basil API:
a charge no longer names its invoice), makes sure the customer and the invoice are in NetSuite (written on
the way by the customers and invoices flows' own code, ``sync/dependencies.py``), and reads what NetSuite
still shows open on those invoices, so a charge for an invoice already paid there loads unapplied instead
of failing. The pure mapping is ``mapping/payments.py``.

With ``payments.out_of_band: record`` it also reads invoices Stripe marked paid outside Stripe.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from stripe_netsuite.hooks.netsuite import suiteql_quote
from stripe_netsuite.hooks.stripe import StripeHookError
from stripe_netsuite.mapping import external_ids
from stripe_netsuite.mapping.customers import map_guest_customer
from stripe_netsuite.mapping.money import to_minor_units
from stripe_netsuite.mapping.payments import (
    PaymentContext,
    map_charge,
    map_out_of_band,
    moves_money,
    paid_amount,
    paid_outside_stripe,
)
from stripe_netsuite.mapping.records import MappingError, expandable_id
from stripe_netsuite.settings import Settings
from stripe_netsuite.sync.customers import CustomerDependency
from stripe_netsuite.sync.dependencies import Dependencies
from stripe_netsuite.sync.flow import Prepared, SourceObject, StripeResource
from stripe_netsuite.sync.invoices import InvoicesFlow

CHARGE_EXPAND = ("balance_transaction", "failure_balance_transaction")
# A listing chunk this small asks Stripe per charge which invoice it pays rather than reading pages.
PER_CHARGE_LOOKUP_MAX = 20


@dataclass(frozen=True)
class PaymentsRunContext:
    mapping: PaymentContext


class PaymentsFlow:
    name = "payments"
    resources: tuple[StripeResource, ...] = (
        StripeResource("charges", ("ch_", "py_"), CHARGE_EXPAND, singular="charge"),
        StripeResource("invoices", ("in_",), (), singular="invoice paid outside Stripe",
                       list_filters=(("status", "paid"),), only_when=lambda s: s.payments.out_of_band == "record"),
    )
    event_types: tuple[str, ...] = (
        "charge.succeeded", "charge.pending", "charge.failed", "charge.captured", "charge.updated", "invoice.paid",
    )
    record_type = "customerPayment"
    suiteql_table = "transaction"

    def enabled(self, settings: Settings) -> bool:
        return settings.payments.enabled

    def source_from_event(self, event: Mapping[str, Any]) -> SourceObject | None:
        obj = (event.get("data") or {}).get("object") or {}
        if obj.get("object") == "charge":
            return SourceObject(dict(obj))
        if obj.get("object") == "invoice" and paid_outside_stripe(obj):
            return SourceObject(dict(obj))  # written only with out_of_band: record (see map)
        return None

    def fingerprint_field(self, settings: Settings) -> str | None:
        return settings.payments.fingerprint_field

    def update_existing(self, settings: Settings) -> bool:
        return True

    def map(self, source: SourceObject, context: PaymentsRunContext, settings: Settings):
        if source.data.get("object") == "invoice":
            return map_out_of_band(source.data, context.mapping, settings)
        return map_charge(source.data, context.mapping, settings)

    # -- prepare ----------------------------------------------------------------------------

    def prepare(self, sources: list[SourceObject], *, stripe, netsuite, settings: Settings, listed: bool,
                run_cache: dict[str, Any]) -> Prepared:
        dependencies = Dependencies(stripe=stripe, netsuite=netsuite, settings=settings)
        charges = self._complete([s.data for s in sources if s.data.get("object") == "charge"], stripe, dependencies)
        recording = settings.payments.out_of_band == "record"
        paid_elsewhere = [s.data for s in sources if s.data.get("object") == "invoice"] if recording else []
        writing = []
        for charge in charges.values():
            try:
                if moves_money(charge) and charge["id"] not in dependencies.failed:
                    writing.append(charge)
            except MappingError:
                pass  # map() raises it again, and the engine queues the charge with its message
        currency_ids = netsuite.currency_ids()
        invoice_of = invoices_paid_by(writing, stripe, settings, listed,
                                      run_cache.setdefault("invoice_payments", InvoicePaymentIndex()))
        self._ensure_customers(writing, paid_elsewhere, dependencies, currency_ids)
        invoices_needed: dict[str, list[str]] = defaultdict(list)
        for charge in writing:
            if charge["id"] in invoice_of:
                invoices_needed[invoice_of[charge["id"]]].append(charge["id"])
        for invoice in paid_elsewhere:
            invoices_needed[invoice["id"]].append(invoice["id"])
        invoices = InvoicesFlow()
        dependencies.ensure_through_flow(invoices, invoices_needed, external_ids.invoice)
        paying = [c for c in writing if c["id"] in invoice_of and c["id"] not in dependencies.failed]
        applicable = _applicable(netsuite, paying, invoice_of)
        # NetSuite shows nothing open for some: before calling them duplicates, bring their invoices up to date
        # (e.g. Stripe paid an invoice the invoices flow last wrote as written off; its next run would reopen it).
        short = {invoice_of[c["id"]]: invoices_needed[invoice_of[c["id"]]] for c in paying
                 if c.get("status") != "failed" and applicable.get(c["id"], 0) < paid_amount(c)}
        if short:
            dependencies.ensure_through_flow(invoices, short, external_ids.invoice, rewrite=True)
            applicable = _applicable(netsuite, [c for c in paying if c["id"] not in dependencies.failed], invoice_of)
        context = PaymentContext(
            currency_ids=currency_ids,
            base_currency=subsidiary_currency(netsuite, settings),
            invoice_of=invoice_of,
            applicable=applicable,
        )
        ordered = [SourceObject(charges.get(s.stripe_id, s.data)) for s in sources]
        return Prepared(ordered, PaymentsRunContext(context), dependencies.failed, dict(dependencies.written))

    @staticmethod
    def _complete(charges: list[dict[str, Any]], stripe, dependencies: Dependencies) -> dict[str, dict[str, Any]]:
        """Each charge with its balance transactions expanded (an event's copy has IDs only)."""
        complete = {c["id"]: c for c in charges}
        stale = [c["id"] for c in charges
                 if any(isinstance(c.get(key), str) for key in CHARGE_EXPAND)]
        for charge_id, fresh in stripe.retrieve_many("charges", stale, expand=CHARGE_EXPAND).items():
            if isinstance(fresh, StripeHookError):
                dependencies.fail([charge_id], "STRIPE_READ", f"charge {charge_id} could not be read from Stripe: "
                                                              f"{fresh}. Nothing was written for it; the next run tries it again")
            else:
                complete[charge_id] = fresh
        return complete

    @staticmethod
    def _ensure_customers(charges, paid_elsewhere, dependencies: Dependencies, currency_ids: dict[str, str]) -> None:
        """The Stripe customer of each payment, with the payment's currency; the guest customer for charges
        without one (created on first use when the settings name it by external ID)."""
        users: dict[str, list[str]] = defaultdict(list)
        needs: dict[str, set[str]] = defaultdict(set)
        stand_ins: dict[str, dict[str, Any]] = {}
        guests: list[str] = []
        for obj in [*charges, *paid_elsewhere]:
            customer_id = expandable_id(obj.get("customer"))
            if not customer_id:
                guests.append(obj["id"])
                continue
            users[customer_id].append(obj["id"])
            stand_ins.setdefault(customer_id, _customer_from_charge(obj))
            if (obj.get("currency") or "").upper() in currency_ids:
                needs[customer_id].add(currency_ids[obj["currency"].upper()])
        kind = CustomerDependency(dependencies.settings, currency_ids, needs, stand_ins, user="payment")
        dependencies.ensure(kind, users)
        guest = dependencies.settings.payments.guest_customer
        if guests and isinstance(guest, str) and not dependencies.netsuite.rows_by_external_id("customer", [guest]):
            record = map_guest_customer(guest, subsidiary_id=dependencies.settings.netsuite.subsidiary_id,
                                        currency_ids=currency_ids)
            dependencies.write({guest: record}, {guest: guests}, "guest customer")


class InvoicePaymentIndex:
    """The invoice payments one listing run has read (payment intent or charge -> invoice), and the ``created``
    range read, so each chunk reads only what its window adds to the chunks before it.

    A listing comes newest first, so windows move back in time: what is newer than a chunk's newest charge is
    dropped (an invoice payment is made before its charge), and memory stays one lookback window."""

    def __init__(self) -> None:
        self.covered: tuple[int, int] | None = None  # [from, until) of ``created`` read
        self.invoice_of: dict[str, tuple[str, int]] = {}  # payment intent or charge ID -> (invoice, created)

    def _read(self, stripe, start: int, end: int) -> None:
        for invoice_payment in stripe.list_objects("invoice_payments", created_gte=start, created_lt=end):
            payment = invoice_payment.get("payment") or {}
            entry = (expandable_id(invoice_payment["invoice"]), int(invoice_payment.get("created") or 0))
            for key in (expandable_id(payment.get("payment_intent")), expandable_id(payment.get("charge"))):
                if key:
                    self.invoice_of[key] = entry

    def cover(self, stripe, start: int, end: int) -> None:
        """Make sure [start, end) is read, reading only what is not yet."""
        if self.covered is None:
            self._read(stripe, start, end)
            self.covered = (start, end)
            return
        low, high = self.covered
        if start < low:
            self._read(stripe, start, low)
        if end > high:
            self._read(stripe, high, end)
        self.covered = (min(start, low), max(end, high))

    def forget_after(self, moment: int) -> None:
        """Drop what was created at or after ``moment``: no older charge can be paid through it."""
        if self.covered is None or self.covered[1] <= moment:
            return
        self.invoice_of = {key: entry for key, entry in self.invoice_of.items() if entry[1] < moment}
        self.covered = (min(self.covered[0], moment), moment)


def invoices_paid_by(charges: list[dict[str, Any]], stripe, settings: Settings, listed: bool,
                     index: InvoicePaymentIndex | None = None) -> dict[str, str]:
    """Charge ID -> the invoice it pays, from Stripe's invoice payments (the flow and the reconciliation ask here).

    A listing chunk reads, in pages, the invoice payments created from ``invoice_lookback_days`` before its
    oldest charge (an invoice payment is made when its invoice is finalized or a payment attached, before the
    charge), keeping them in ``index`` for the run's next chunks; charges not found there, and those of an
    event run, are asked one by one."""
    found: dict[str, str] = {}
    if listed and len(charges) > PER_CHARGE_LOOKUP_MAX:
        index = index if index is not None else InvoicePaymentIndex()
        oldest = min(int(c["created"]) for c in charges)
        newest = max(int(c["created"]) for c in charges)
        index.forget_after(newest + 1)
        index.cover(stripe, oldest - settings.payments.invoice_lookback_days * 86400, newest + 1)
        for charge in charges:
            entry = index.invoice_of.get(expandable_id(charge.get("payment_intent")) or "") or \
                index.invoice_of.get(charge["id"])
            if entry:
                found[charge["id"]] = entry[0]
    for charge in charges:
        intent = expandable_id(charge.get("payment_intent"))
        if intent and charge["id"] not in found:
            for invoice_payment in stripe.list_objects(
                    "invoice_payments", payment={"type": "payment_intent", "payment_intent": intent}):
                found[charge["id"]] = expandable_id(invoice_payment["invoice"])
    return found


def _customer_from_charge(charge: Mapping[str, Any]) -> dict[str, Any]:
    """A customer Stripe says was deleted, as the charge's billing details recorded it."""
    billing = charge.get("billing_details") or {}
    return {
        "name": billing.get("name"),
        "email": billing.get("email"),
        "phone": billing.get("phone"),
        "address": billing.get("address"),
        "currency": charge.get("currency"),
        "description": "Deleted in Stripe; created from its payment",
    }


def subsidiary_currency(netsuite, settings: Settings) -> str:
    """The currency code of the subsidiary the connector books to (the base of every exchange rate)."""
    rows = list(netsuite.suiteql(
        "SELECT cur.symbol AS symbol FROM subsidiary s JOIN currency cur ON cur.id = s.currency "
        f"WHERE s.id = {int(settings.netsuite.subsidiary_id)}"))
    if not rows:
        raise MappingError(f"subsidiary {settings.netsuite.subsidiary_id}",
                           "NetSuite has no such subsidiary with a currency (settings netsuite.subsidiary_id)")
    return str(rows[0]["symbol"]).upper()


def _chunks(values: list[str], size: int = 500) -> Iterable[list[str]]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


def _applicable(netsuite, charges: list[dict[str, Any]], invoice_of: Mapping[str, str]) -> dict[str, int]:
    """Charge ID -> what NetSuite lets its payment apply to its invoice, in minor units.

    Per invoice, the pool is what NetSuite shows open on it plus what these charges' payments apply to it
    already (a re-written payment may keep its own application); it is shared out in the order Stripe took
    the charges. A debit that failed applies nothing. An invoice paid in NetSuite by other means leaves
    nothing: the payment loads unapplied, and its memo says why."""
    live = sorted((c for c in charges if c.get("status") != "failed"), key=lambda c: (int(c["created"]), c["id"]))
    if not live:
        return {}
    invoices = sorted({external_ids.invoice(invoice_of[c["id"]]) for c in live})
    open_on: dict[str, Decimal] = {}
    for chunk in _chunks(invoices):
        for row in netsuite.suiteql(
                "SELECT externalid, foreignamountremaining FROM transaction WHERE recordtype = 'invoice' AND "
                f"externalid IN ({', '.join(suiteql_quote(x) for x in chunk)})"):
            open_on[row["externalid"]] = Decimal(str(row.get("foreignamountremaining") or "0"))
    payments = sorted(external_ids.payment(c["id"]) for c in live)
    for chunk in _chunks(payments):
        for row in netsuite.suiteql(
                "SELECT i.externalid AS invoice, l.foreignamount AS amount FROM nexttransactionlinelink l "
                "JOIN transaction p ON p.id = l.nextdoc JOIN transaction i ON i.id = l.previousdoc "
                f"WHERE p.externalid IN ({', '.join(suiteql_quote(x) for x in chunk)})"):
            if row.get("invoice") in open_on:
                open_on[row["invoice"]] += Decimal(str(row.get("amount") or "0"))
    result: dict[str, int] = {}
    pool: dict[str, int] = {}  # invoice external ID -> minor units left to share out
    for charge in live:
        invoice = external_ids.invoice(invoice_of[charge["id"]])
        if invoice not in open_on:
            continue  # not in NetSuite: its dependency failure says why
        if invoice not in pool:
            pool[invoice] = max(to_minor_units(open_on[invoice], charge["currency"]), 0)
        result[charge["id"]] = share = min(paid_amount(charge), pool[invoice])
        pool[invoice] -= share
    return result
