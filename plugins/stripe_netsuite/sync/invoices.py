"""The invoices flow: finalized Stripe invoices (+ credit notes, uncollectible, void) -> NetSuite.

``prepare`` completes each invoice (every line, expanded discounts, its credit notes) and makes
sure what the invoices reference exists in NetSuite before they load, through the shared
``sync/dependencies.py``: the customer (the customers flow may not have run yet) and the items of
prices and coupons, each created once by external ID. A dependency that cannot be created fails
only the invoices that need it, with its reason; they wait in the retry queue. A customer is
created from its invoice's copy only when Stripe says it was deleted; when Stripe cannot be read,
its invoices wait for the next run instead.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from stripe_netsuite.hooks.stripe import StripeHookError
from stripe_netsuite.mapping.invoices import (
    FINALIZED,
    InvoiceBundle,
    InvoiceContext,
    coupons_of_discounts,
    discount_ids,
    map_invoice,
    price_id_of,
)
from stripe_netsuite.mapping.records import expandable_id
from stripe_netsuite.settings import Settings
from stripe_netsuite.sync.customers import CustomerDependency
from stripe_netsuite.sync.dependencies import Dependencies
from stripe_netsuite.sync.flow import Prepared, SourceObject, StripeResource
from stripe_netsuite.sync.items import CouponItemDependency, PriceItemDependency

INVOICE_EXPAND = ("discounts", "lines.data.discounts")
LINE_EXPAND = ("discounts",)


@dataclass(frozen=True)
class InvoicesRunContext:
    mapping: InvoiceContext
    credit_notes: Mapping[str, list[dict[str, Any]]] = field(default_factory=dict)


class InvoicesFlow:
    name = "invoices"
    resources: tuple[StripeResource, ...] = (StripeResource("invoices", ("in_",), INVOICE_EXPAND, singular="invoice"),)
    event_types: tuple[str, ...] = (
        "invoice.finalized", "invoice.updated", "invoice.paid", "invoice.payment_succeeded", "invoice.voided",
        "invoice.marked_uncollectible", "credit_note.created", "credit_note.updated", "credit_note.voided",
    )
    record_type = "invoice"
    suiteql_table = "transaction"

    def enabled(self, settings: Settings) -> bool:
        return settings.invoices.enabled

    def source_from_event(self, event: Mapping[str, Any]) -> SourceObject | None:
        obj = (event.get("data") or {}).get("object") or {}
        if obj.get("object") == "invoice" and str(obj.get("id", "")).startswith("in_"):
            return SourceObject(dict(obj))
        if obj.get("object") == "credit_note" and obj.get("invoice"):
            return SourceObject({"id": expandable_id(obj["invoice"]), "object": "invoice", "status": None})  # read whole in prepare
        return None

    def fingerprint_field(self, settings: Settings) -> str | None:
        return settings.invoices.fingerprint_field

    def update_existing(self, settings: Settings) -> bool:
        return True

    def map(self, source: SourceObject, context: InvoicesRunContext, settings: Settings):
        bundle = InvoiceBundle(source.data, context.credit_notes.get(source.stripe_id, ()))
        return map_invoice(bundle, context.mapping, settings.invoices)

    # -- prepare ----------------------------------------------------------------------------

    def prepare(self, sources: list[SourceObject], *, stripe, netsuite, settings: Settings, listed: bool,
                run_cache: dict[str, Any]) -> Prepared:
        dependencies = Dependencies(stripe=stripe, netsuite=netsuite, settings=settings)
        invoices = self._complete(sources, stripe, settings, dependencies)
        finalized = [inv for inv in invoices if inv.get("status") in FINALIZED and inv["id"] not in dependencies.failed]
        credit_notes = self._credit_notes(finalized, stripe, listed)
        currency_ids = netsuite.currency_ids()
        self._ensure_customers(finalized, dependencies, currency_ids)
        context = InvoicesRunContext(self.mapping_context(finalized, dependencies, currency_ids), credit_notes)
        return Prepared([SourceObject(inv) for inv in invoices], context, dependencies.failed, dict(dependencies.written))

    def complete(self, invoice_ids, stripe, settings: Settings, dependencies: Dependencies) -> list[dict[str, Any]]:
        """These invoices as the invoices flow maps them (every line, discounts expanded), for another flow that
        credits their lines (refunds and disputes); one that cannot be read fails its users' objects."""
        return self._complete([SourceObject({"id": i, "object": "invoice", "status": None}) for i in invoice_ids],
                              stripe, settings, dependencies)

    def mapping_context(self, invoices, dependencies: Dependencies, currency_ids: dict[str, str]) -> InvoiceContext:
        """What mapping these invoices' lines needs (the items of their prices and coupons, made sure to exist):
        the invoices flow's own, and what another flow crediting their lines uses."""
        item_of_price = self._ensure_price_items(invoices, dependencies)
        item_of_coupon = self._ensure_coupon_items(invoices, dependencies)
        return InvoiceContext(currency_ids, item_of_price, item_of_coupon)

    @staticmethod
    def _credit_notes(finalized, stripe, listed: bool) -> dict[str, list[dict[str, Any]]]:
        """Each invoice's credit notes, voided ones included (a void must zero its credit memo).

        A listing run reads every credit note created since its oldest invoice in one paged list
        (credit notes come after their invoice); any other run (events, retries, chosen IDs) reads
        those of each of its invoices, one request per invoice: every memo of an invoice is planned
        from its current state, and nothing on a Stripe invoice shows a voided credit note (a later
        event of the same invoice, or a retry, would otherwise leave its memo applied).
        """
        if listed and finalized:
            wanted = {inv["id"] for inv in finalized}
            oldest = min(int(inv.get("created") or 0) for inv in finalized)
            notes: dict[str, list[dict[str, Any]]] = defaultdict(list)
            for note in stripe.complete_all_lines(stripe.list_objects("credit_notes", created_gte=oldest)):
                invoice = expandable_id(note["invoice"])
                if invoice in wanted:
                    notes[invoice].append(note)
            return notes
        return stripe.credit_notes_of(inv["id"] for inv in finalized)

    def _complete(self, sources, stripe, settings: Settings, dependencies: Dependencies) -> list[dict[str, Any]]:
        """Every invoice whole: read again where the event copy lacks what mapping needs."""
        invoices = {s.stripe_id: s.data for s in sources}
        per_coupon = settings.invoices.discount_mode == "per_coupon"
        stale = [
            inv_id for inv_id, inv in invoices.items()
            if inv.get("status") is None or (per_coupon and not discount_ids(inv) <= set(coupons_of_discounts(inv)))
        ]
        for inv_id, fresh in stripe.retrieve_many("invoices", stale, expand=INVOICE_EXPAND).items():
            if isinstance(fresh, StripeHookError):
                dependencies.fail([inv_id], "STRIPE_READ", str(fresh))
            else:
                invoices[inv_id] = fresh
        needy = [inv for inv in invoices.values() if inv.get("status") in FINALIZED]
        completed = {inv["id"]: inv for inv in stripe.complete_all_lines(needy, expand=LINE_EXPAND)}
        return [completed.get(inv_id, inv) for inv_id, inv in invoices.items()]

    @staticmethod
    def _ensure_customers(invoices, dependencies: Dependencies, currency_ids: dict[str, str]) -> None:
        """Create missing customers; give existing ones a currency an invoice needs that they lack."""
        users: dict[str, list[str]] = defaultdict(list)
        needs: dict[str, set[str]] = defaultdict(set)  # customer -> NetSuite currency IDs its invoices use
        stand_ins: dict[str, dict[str, Any]] = {}
        for inv in invoices:
            customer_id = expandable_id(inv.get("customer"))
            if customer_id:
                users[customer_id].append(inv["id"])
                stand_ins.setdefault(customer_id, _customer_from_invoice(inv))
                if (inv.get("currency") or "").upper() in currency_ids:
                    needs[customer_id].add(currency_ids[inv["currency"].upper()])
        kind = CustomerDependency(dependencies.settings, currency_ids, needs, stand_ins, user="invoice")
        dependencies.ensure(kind, users)

    @staticmethod
    def _ensure_price_items(invoices, dependencies: Dependencies) -> dict[str, dict]:
        users: dict[str, list[str]] = defaultdict(list)
        for inv in invoices:
            for line in (inv.get("lines") or {}).get("data") or []:
                price = price_id_of(line)
                if price and inv["id"] not in users[price]:
                    users[price].append(inv["id"])
        return dependencies.ensure(PriceItemDependency(dependencies.settings, user="invoice"), users)

    @staticmethod
    def _ensure_coupon_items(invoices, dependencies: Dependencies) -> dict[str, dict]:
        """Coupon ID -> the discount item its discount lines use (created by external ID, or linked)."""
        if dependencies.settings.invoices.discount_mode != "per_coupon":
            return {}
        users: dict[str, list[str]] = defaultdict(list)
        for inv in invoices:
            for coupon_id in set(coupons_of_discounts(inv).values()):
                users[coupon_id].append(inv["id"])
        return dependencies.ensure(CouponItemDependency(dependencies.settings, user="invoice"), users)


def _customer_from_invoice(invoice: Mapping[str, Any]) -> dict[str, Any]:
    """A customer Stripe says was deleted (``deleted: true`` or 404), as its invoice recorded it."""
    return {
        "name": invoice.get("customer_name"),
        "email": invoice.get("customer_email"),
        "phone": invoice.get("customer_phone"),
        "address": invoice.get("customer_address"),
        "currency": invoice.get("currency"),
        "description": "Deleted in Stripe; created from its invoice",
    }
