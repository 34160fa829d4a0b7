"""The invoices flow: finalized Stripe invoices (+ credit notes, uncollectible, void) -> NetSuite.

``prepare`` completes each invoice (every line, expanded discounts, its credit notes) and makes
sure what the invoices reference exists in NetSuite before they load: the customer (the
customers flow may not have run yet) and the items of prices and coupons, each created once by
external ID. A dependency that cannot be created fails only the invoices that need it, with its
reason; they wait in the retry queue. A customer is created from its invoice's copy only when Stripe
says it was deleted; when Stripe cannot be read, its invoices wait for the next run instead.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from stripe_netsuite.hooks.stripe import StripeHookError, StripeNotFoundError, StripeTransientError
from stripe_netsuite.mapping import external_ids
from stripe_netsuite.mapping.customers import currency_list, map_customer
from stripe_netsuite.mapping.invoices import (
    FINALIZED,
    InvoiceBundle,
    InvoiceContext,
    coupons_of_discounts,
    discount_ids,
    map_invoice,
    price_id_of,
)
from stripe_netsuite.mapping.items import (
    COUPON_LINK_KEYS,
    linked_item,
    map_coupon_item,
    map_price_item,
    price_item,
)
from stripe_netsuite.mapping.records import MappingError, NeutralRecord, UnknownValueError, expandable_id
from stripe_netsuite.settings import Settings, record_ref
from stripe_netsuite.sync.flow import Prepared, SourceObject

INVOICE_EXPAND = ("discounts", "lines.data.discounts")
LINE_EXPAND = ("discounts",)


@dataclass(frozen=True)
class InvoicesRunContext:
    mapping: InvoiceContext
    credit_notes: Mapping[str, list[dict[str, Any]]] = field(default_factory=dict)


class _DependencyOutcome:
    """What making the dependencies did: records written, and failures fanned out to the invoices
    that need the failed dependency."""

    def __init__(self) -> None:
        self.failed: dict[str, tuple[str, str]] = {}  # invoice ID -> (code, message)
        self.written: dict[str, int] = defaultdict(int)  # by NetSuite record type

    def fail(self, invoice_ids: Iterable[str], code: str, message: str) -> None:
        for invoice_id in invoice_ids:
            self.failed.setdefault(invoice_id, (code, message))


class InvoicesFlow:
    name = "invoices"
    stripe_resource = "invoices"
    list_expand: tuple[str, ...] = INVOICE_EXPAND
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

    def prepare(self, sources: list[SourceObject], *, stripe, netsuite, settings: Settings, listed: bool) -> Prepared:
        outcome = _DependencyOutcome()
        invoices = self._complete(sources, stripe, settings, outcome)
        finalized = [inv for inv in invoices if inv.get("status") in FINALIZED and inv["id"] not in outcome.failed]
        credit_notes = self._credit_notes(finalized, stripe, listed)
        currency_ids = netsuite.currency_ids()
        self._ensure_customers(finalized, stripe, netsuite, settings, currency_ids, outcome)
        item_of_price = self._ensure_price_items(finalized, stripe, netsuite, settings, outcome)
        item_of_coupon = self._ensure_coupon_items(finalized, stripe, netsuite, settings, outcome)
        context = InvoicesRunContext(InvoiceContext(currency_ids, item_of_price, item_of_coupon), credit_notes)
        return Prepared([SourceObject(inv) for inv in invoices], context, outcome.failed, dict(outcome.written))

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

    def _complete(self, sources, stripe, settings: Settings, outcome: _DependencyOutcome) -> list[dict[str, Any]]:
        """Every invoice whole: read again where the event copy lacks what mapping needs."""
        invoices = {s.stripe_id: s.data for s in sources}
        per_coupon = settings.invoices.discount_mode == "per_coupon"
        stale = [
            inv_id for inv_id, inv in invoices.items()
            if inv.get("status") is None or (per_coupon and not discount_ids(inv) <= set(coupons_of_discounts(inv)))
        ]
        for inv_id, fresh in stripe.retrieve_many("invoices", stale, expand=INVOICE_EXPAND).items():
            if isinstance(fresh, StripeHookError):
                outcome.fail([inv_id], "STRIPE_READ", str(fresh))
            else:
                invoices[inv_id] = fresh
        needy = [inv for inv in invoices.values() if inv.get("status") in FINALIZED]
        completed = {inv["id"]: inv for inv in stripe.complete_all_lines(needy, expand=LINE_EXPAND)}
        return [completed.get(inv_id, inv) for inv_id, inv in invoices.items()]

    def _upsert_dependencies(
        self, records: dict[str, NeutralRecord], users: Mapping[str, list[str]], what: str, netsuite, outcome: _DependencyOutcome
    ) -> set[str]:
        """Create the missing dependencies; return the external IDs that failed (their users fail too)."""
        if not records:
            return set()
        failed = set()
        result = netsuite.upsert_records(records.values())
        for record in records.values():
            if record.external_id in result.id_map:
                outcome.written[record.record_type] += 1
        for error in result.errors:
            failed.add(error.external_id)
            outcome.fail(users.get(error.external_id, []), "DEPENDENCY",
                         f"{what} {error.external_id} could not be created in NetSuite: [{error.code}] {error.message}")
        return failed

    def _ensure_customers(self, invoices, stripe, netsuite, settings: Settings, currency_ids, outcome: _DependencyOutcome) -> None:
        """Create missing customers; give existing ones a currency an invoice needs that they lack."""
        users: dict[str, list[str]] = defaultdict(list)
        needs: dict[str, set[str]] = defaultdict(set)  # customer -> NetSuite currency IDs its invoices use
        snapshot: dict[str, dict[str, Any]] = {}
        for inv in invoices:
            customer_id = expandable_id(inv.get("customer"))
            if customer_id:
                users[customer_id].append(inv["id"])
                snapshot.setdefault(customer_id, inv)
                if (inv.get("currency") or "").upper() in currency_ids:
                    needs[customer_id].add(currency_ids[inv["currency"].upper()])
        rows = netsuite.rows_by_external_id("customer", [external_ids.customer(c) for c in users])
        existing = {c: rows[external_ids.customer(c)] for c in users if external_ids.customer(c) in rows}
        has = _customer_currencies(netsuite, [row["id"] for row in existing.values()])
        to_write = [c for c in users if c not in existing or not needs[c] <= has.get(existing[c]["id"], set())]
        records: dict[str, NeutralRecord] = {}
        for customer_id, found in stripe.retrieve_many("customers", to_write).items():
            if isinstance(found, StripeHookError) and not isinstance(found, StripeNotFoundError):
                outcome.fail(users[customer_id], "STRIPE_READ", _customer_not_read(customer_id, found))
                continue
            customer = _customer_or_invoice_snapshot(customer_id, found, snapshot[customer_id])
            try:
                record = map_customer(customer, settings=settings.customers, subsidiary_id=settings.netsuite.subsidiary_id,
                                      currency_ids=currency_ids)
            except MappingError as exc:
                outcome.fail(users[customer_id], "DEPENDENCY", f"customer {exc}")
                continue
            if not settings.customers.add_all_currencies:
                current = has.get(existing[customer_id]["id"], set()) if customer_id in existing else set()
                record.fields["currencyList"] = currency_list(current | needs[customer_id])
            if settings.customers.fingerprint_field:
                record.fields[settings.customers.fingerprint_field] = record.fingerprint()
            records[customer_id] = record
        self._upsert_dependencies(records, users, "customer", netsuite, outcome)

    def _ensure_price_items(self, invoices, stripe, netsuite, settings: Settings, outcome: _DependencyOutcome) -> dict[str, dict]:
        users: dict[str, list[str]] = defaultdict(list)
        for inv in invoices:
            for line in (inv.get("lines") or {}).get("data") or []:
                price = price_id_of(line)
                if price and inv["id"] not in users[price]:
                    users[price].append(inv["id"])
        generic = record_ref(settings.invoices.generic_item)
        if settings.invoices.item_mode == "global":
            return {price: generic for price in users}
        existing = set(netsuite.rows_by_external_id("item", [external_ids.price_item(p) for p in users]))
        item_of_price = {p: {"externalId": external_ids.price_item(p)} for p in users if external_ids.price_item(p) in existing}
        records: dict[str, NeutralRecord] = {}
        for price_id, price in stripe.retrieve_many("prices", [p for p in users if p not in item_of_price],
                                                    expand=("product",)).items():
            if isinstance(price, StripeHookError):
                outcome.fail(users[price_id], "STRIPE_READ", f"price {price_id} could not be read from Stripe, so its "
                             f"item was not created: {price}. {_TRIED_AGAIN}")
                continue
            try:
                item_of_price[price_id], create = price_item(price, settings.invoices)
            except MappingError as exc:
                outcome.fail(users[price_id], exc.code, _about("price", exc))
                continue
            if create:
                records[price_id] = map_price_item(price, settings.invoices)
        for price_id in self._upsert_dependencies(records, users, "item for price", netsuite, outcome):
            item_of_price.pop(price_id, None)
        return item_of_price

    def _ensure_coupon_items(self, invoices, stripe, netsuite, settings: Settings, outcome: _DependencyOutcome) -> dict[str, dict]:
        """Coupon ID -> the discount item its discount lines use (created by external ID, or linked)."""
        if settings.invoices.discount_mode != "per_coupon":
            return {}
        users: dict[str, list[str]] = defaultdict(list)
        for inv in invoices:
            for coupon_id in set(coupons_of_discounts(inv).values()):
                users[coupon_id].append(inv["id"])
        existing = netsuite.rows_by_external_id("item", [external_ids.coupon_item(c) for c in users])
        item_of_coupon = {c: {"externalId": external_ids.coupon_item(c)} for c in users if external_ids.coupon_item(c) in existing}
        records: dict[str, NeutralRecord] = {}
        for coupon_id, coupon in stripe.retrieve_many("coupons", [c for c in users if c not in item_of_coupon]).items():
            if isinstance(coupon, StripeNotFoundError):
                # A deleted coupon can no longer be read: its item is made from what the discount says.
                coupon = {"id": coupon_id, "object": "coupon", "name": None}
            elif isinstance(coupon, StripeHookError):  # items are never updated: do not name one from a guess
                outcome.fail(users[coupon_id], "STRIPE_READ", f"coupon {coupon_id} could not be read from Stripe, "
                             f"so its discount item was not created: {coupon}. {_TRIED_AGAIN}")
                continue
            try:
                link = linked_item(coupon, COUPON_LINK_KEYS)
            except MappingError as exc:
                outcome.fail(users[coupon_id], exc.code, _about("coupon", exc))
                continue
            if link is not None:
                item_of_coupon[coupon_id] = link
                continue
            record = map_coupon_item(coupon, settings.invoices)
            records[record.external_id] = record
            item_of_coupon[coupon_id] = {"externalId": record.external_id}
        coupon_of_item = {external_ids.coupon_item(c): c for c in users}
        users_of_item = {item: users[coupon] for item, coupon in coupon_of_item.items()}
        for external_id in self._upsert_dependencies(records, users_of_item, "discount item", netsuite, outcome):
            item_of_coupon.pop(coupon_of_item[external_id], None)
        return item_of_coupon


def _customer_currencies(netsuite, customer_ids: list[str]) -> dict[str, set[str]]:
    """NetSuite customer internal ID -> the currency IDs on its currency list."""
    found: dict[str, set[str]] = defaultdict(set)
    for start in range(0, len(customer_ids), 500):
        chunk = ", ".join(str(int(c)) for c in customer_ids[start:start + 500])
        for row in netsuite.suiteql(f"SELECT customer, currency FROM customercurrencybalance WHERE customer IN ({chunk})"):
            found[str(row["customer"])].add(str(row["currency"]))
    return found


_TRIED_AGAIN = "Nothing was written for this invoice; the next run tries it again"


def _about(kind: str, exc: MappingError) -> str:
    """A dependency's mapping error as its invoices' message (an unknown value's message names its object)."""
    return str(exc) if isinstance(exc, UnknownValueError) else f"{kind} {exc}"


def _customer_not_read(customer_id: str, error: StripeHookError) -> str:
    """Why an invoice waits when its customer could not be read (anything but Stripe saying it is gone)."""
    passing = "a passing Stripe error" if isinstance(error, StripeTransientError) else "an error"
    return (f"its customer {customer_id} could not be read from Stripe ({passing}: {error}), so the customer was not "
            f"created in NetSuite. {_TRIED_AGAIN}")


def _customer_or_invoice_snapshot(customer_id: str, found, invoice: Mapping[str, Any]) -> dict[str, Any]:
    """The Stripe customer to create; for a deleted one (Stripe answered ``deleted: true`` or 404
    ``resource_missing``), the customer as its invoice recorded it.

    It stays active: NetSuite refuses transactions for inactive customers.
    """
    if isinstance(found, Mapping) and not found.get("deleted"):
        return dict(found)
    snapshot: dict[str, Any] = {
        "id": customer_id,
        "object": "customer",
        "name": invoice.get("customer_name"),
        "email": invoice.get("customer_email"),
        "phone": invoice.get("customer_phone"),
        "address": invoice.get("customer_address"),
        "currency": invoice.get("currency"),
        "metadata": {},
        "description": "Deleted in Stripe; created from its invoice",
    }
    return snapshot
