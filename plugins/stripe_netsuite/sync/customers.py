"""The customers flow: Stripe customers -> NetSuite customers."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from stripe_netsuite.hooks.stripe import StripeHookError, StripeNotFoundError, StripeTransientError
from stripe_netsuite.mapping import external_ids
from stripe_netsuite.mapping.customers import RECORD_TYPE, currency_list, map_customer
from stripe_netsuite.mapping.records import MappingError, NeutralRecord
from stripe_netsuite.settings import Settings
from stripe_netsuite.sync.dependencies import DependencyFailed, Made, nothing_written
from stripe_netsuite.sync.flow import Prepared, SourceObject, StripeResource


@dataclass(frozen=True)
class CustomerContext:
    currency_ids: dict[str, str]


class CustomersFlow:
    name = "customers"
    resources: tuple[StripeResource, ...] = (StripeResource("customers", ("cus_",), singular="customer"),)
    event_types: tuple[str, ...] = ("customer.created", "customer.updated", "customer.deleted")
    record_type = RECORD_TYPE
    suiteql_table = "customer"

    def enabled(self, settings: Settings) -> bool:
        return settings.customers.enabled

    def source_from_event(self, event: Mapping[str, Any]) -> SourceObject | None:
        obj = (event.get("data") or {}).get("object") or {}
        if not str(obj.get("id", "")).startswith("cus_"):
            return None
        return SourceObject(dict(obj), deleted=event.get("type") == "customer.deleted")

    def prepare(self, sources: list[SourceObject], *, stripe, netsuite, settings: Settings, listed: bool,
                run_cache: dict[str, Any]) -> Prepared:
        return Prepared(sources, CustomerContext(currency_ids=netsuite.currency_ids()))

    def map(self, source: SourceObject, context: CustomerContext, settings: Settings) -> NeutralRecord | None:
        deleted = source.deleted or bool(source.data.get("deleted"))
        if deleted and settings.customers.on_delete == "ignore":
            return None
        data = {k: v for k, v in source.data.items() if k != "deleted"}
        if deleted and set(data) <= {"id", "object"}:  # Stripe's deletion stub: only say "inactive"
            return NeutralRecord(self.record_type, source.stripe_id, {"isInactive": True}, source.stripe_id)
        record = map_customer(
            data,
            settings=settings.customers,
            subsidiary_id=settings.netsuite.subsidiary_id,
            currency_ids=context.currency_ids,
        )
        if deleted:
            record.fields["isInactive"] = True
        return record

    def fingerprint_field(self, settings: Settings) -> str | None:
        return settings.customers.fingerprint_field

    def update_existing(self, settings: Settings) -> bool:
        return settings.customers.update_existing


class CustomerDependency:
    """Customers other flows' records belong to (``sync/dependencies.py``): created when NetSuite lacks them, given
    a currency their records use when they lack it.

    ``needs``: Stripe customer ID -> NetSuite currency IDs its records use. ``stand_ins``: what to create a
    customer from when Stripe says it was deleted (as the invoice or charge recorded it); it stays active,
    since NetSuite refuses transactions for inactive customers. When Stripe cannot be read, its users wait
    for the next run instead."""

    what = "customer"
    stripe_resource = "customers"
    expand: tuple[str, ...] = ()

    def __init__(self, settings: Settings, currency_ids: dict[str, str], needs: Mapping[str, set[str]],
                 stand_ins: Mapping[str, dict[str, Any]], user: str) -> None:
        self.settings, self.currency_ids, self.needs, self.stand_ins = settings, currency_ids, needs, stand_ins
        self.user = user  # what needs them, in messages: "invoice", "payment"
        self.current: dict[str, set[str]] = {}  # Stripe customer ID -> currencies NetSuite's customer has

    def existing(self, netsuite, stripe_ids: Sequence[str]) -> dict[str, dict[str, str]]:
        rows = netsuite.rows_by_external_id("customer", [external_ids.customer(c) for c in stripe_ids])
        found = {c: str(rows[external_ids.customer(c)]["id"]) for c in stripe_ids if external_ids.customer(c) in rows}
        has = customer_currencies(netsuite, list(found.values()))
        self.current = {c: has.get(internal_id, set()) for c, internal_id in found.items()}
        return {c: {"externalId": external_ids.customer(c)} for c in found
                if set(self.needs.get(c, ())) <= self.current[c]}

    def make(self, stripe_id: str, found: dict[str, Any] | StripeHookError) -> Made:
        if isinstance(found, StripeHookError) and not isinstance(found, StripeNotFoundError):
            passing = "a passing Stripe error" if isinstance(found, StripeTransientError) else "an error"
            raise DependencyFailed("STRIPE_READ", (
                f"its customer {stripe_id} could not be read from Stripe ({passing}: {found}), so the customer was "
                f"not created in NetSuite. {nothing_written(self.user)}"))
        customer = dict(found) if isinstance(found, Mapping) and not found.get("deleted") else \
            {"id": stripe_id, "object": "customer", "metadata": {}, **self.stand_ins.get(stripe_id, {})}
        try:
            record = map_customer(customer, settings=self.settings.customers,
                                  subsidiary_id=self.settings.netsuite.subsidiary_id, currency_ids=self.currency_ids)
        except MappingError as exc:
            raise DependencyFailed("DEPENDENCY", f"customer {exc}") from None
        if not self.settings.customers.add_all_currencies:
            record.fields["currencyList"] = currency_list(self.current.get(stripe_id, set()) | set(self.needs.get(stripe_id, ())))
        if self.settings.customers.fingerprint_field:
            record.fields[self.settings.customers.fingerprint_field] = record.fingerprint()
        return Made({"externalId": record.external_id}, record)


def customer_currencies(netsuite, customer_ids: list[str]) -> dict[str, set[str]]:
    """NetSuite customer internal ID -> the currency IDs on its currency list."""
    found: dict[str, set[str]] = defaultdict(set)
    for start in range(0, len(customer_ids), 500):
        chunk = ", ".join(str(int(c)) for c in customer_ids[start:start + 500])
        for row in netsuite.suiteql(f"SELECT customer, currency FROM customercurrencybalance WHERE customer IN ({chunk})"):
            found[str(row["customer"])].add(str(row["currency"]))
    return found
