"""The customers flow: Stripe customers -> NetSuite customers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from stripe_netsuite.mapping.customers import RECORD_TYPE, map_customer
from stripe_netsuite.mapping.records import NeutralRecord
from stripe_netsuite.settings import Settings
from stripe_netsuite.sync.flow import Prepared, SourceObject


@dataclass(frozen=True)
class CustomerContext:
    currency_ids: dict[str, str]


class CustomersFlow:
    name = "customers"
    stripe_resource = "customers"
    list_expand: tuple[str, ...] = ()
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

    def prepare(self, sources: list[SourceObject], *, stripe, netsuite, settings: Settings, listed: bool) -> Prepared:
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
