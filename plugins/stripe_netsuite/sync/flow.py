"""What the flow engine needs to know about one flow (customers, invoices, ...)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from stripe_netsuite.mapping.records import NeutralRecord
from stripe_netsuite.settings import Settings


class MappingContext(Protocol):
    """Lookups a flow's mapping needs (currency IDs, item IDs...), read once per run."""


@dataclass(frozen=True)
class SourceObject:
    """A Stripe object to sync and how the engine learned of it."""

    data: dict[str, Any]
    deleted: bool = False

    @property
    def stripe_id(self) -> str:
        return self.data["id"]


class FlowSpec(Protocol):
    name: str
    stripe_resource: str  # StripeClient v1 service, e.g. "customers"
    event_types: tuple[str, ...]
    record_type: str  # NetSuite REST record type
    suiteql_table: str

    def enabled(self, settings: Settings) -> bool: ...

    def source_from_event(self, event: Mapping[str, Any]) -> SourceObject | None: ...

    def build_context(self, netsuite, settings: Settings) -> Any: ...

    def map(self, source: SourceObject, context: Any, settings: Settings) -> NeutralRecord | None:
        """The NetSuite record, or None to skip this object (e.g. a deletion the settings ignore)."""
        ...

    def fingerprint_field(self, settings: Settings) -> str | None: ...

    def update_existing(self, settings: Settings) -> bool: ...
