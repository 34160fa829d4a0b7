"""What the flow engine needs to know about one flow (customers, invoices, ...)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
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


@dataclass
class Prepared:
    """The run's sources made ready for mapping: completed, with their lookups and dependencies.

    ``failures`` are sources that cannot be mapped this run (e.g. their customer did not load):
    Stripe ID -> (code, message); the engine queues them for retry. ``dependencies_written``
    counts the records written on the way (customers created or given a currency, items), by NetSuite record type.
    """

    sources: list[SourceObject]
    context: Any
    failures: dict[str, tuple[str, str]] = field(default_factory=dict)
    dependencies_written: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class StripeResource:
    """One Stripe resource a flow reads: listed by ``created`` (first run, backfill), retrieved by ID."""

    name: str  # the v1 path, e.g. "customers", "charges"
    id_prefixes: tuple[str, ...]  # the IDs it gives, e.g. ("ch_", "py_")
    list_expand: tuple[str, ...] = ()  # expansions of each listed or retrieved object
    singular: str = ""  # for messages, e.g. "charge"
    list_filters: tuple[tuple[str, str], ...] = ()  # e.g. (("status", "paid"),)
    only_when: Callable[[Settings], bool] | None = None  # listed only when the settings want it

    def owns(self, stripe_id: str) -> bool:
        return stripe_id.startswith(self.id_prefixes)


def resource_of(flow: "FlowSpec", stripe_id: str) -> StripeResource:
    """The resource of ``flow`` an ID belongs to (by its prefix); the first resource when none claims it."""
    return next((r for r in flow.resources if r.owns(stripe_id)), flow.resources[0])


def objects_named(flow: "FlowSpec", count: int = 2) -> str:
    """What the flow syncs, in words: "invoices", "charge" (count 1), "refunds or disputes"."""
    names = [r.singular + ("" if count == 1 else "s") for r in flow.resources]
    return " or ".join(names)


class FlowSpec(Protocol):
    name: str
    resources: tuple[StripeResource, ...]  # what it lists and retrieves; an ID's prefix says which
    event_types: tuple[str, ...]
    record_type: str  # NetSuite REST record type
    suiteql_table: str

    def enabled(self, settings: Settings) -> bool: ...

    def source_from_event(self, event: Mapping[str, Any]) -> SourceObject | list[SourceObject] | None:
        """The object(s) an event says changed (e.g. the refunds a credit note now names), or None."""
        ...

    def prepare(self, sources: list[SourceObject], *, stripe, netsuite, settings: Settings, listed: bool,
                run_cache: dict[str, Any]) -> Prepared:
        """Complete the sources (I/O allowed) and build what the pure mapping needs.

        ``listed``: the sources come from listing Stripe by ``created`` (first run, backfill),
        not from events. ``run_cache``: kept by the engine for the whole run, across a listing's chunks
        (e.g. Stripe pages a later chunk would read again)."""
        ...

    def map(
        self, source: SourceObject, context: Any, settings: Settings
    ) -> NeutralRecord | list[list[NeutralRecord]] | None:
        """The NetSuite record, or the records in load stages (later stages may reference earlier
        ones by ``InternalIdRef``), or None to skip this object (e.g. a draft, or a deletion the
        settings ignore)."""
        ...

    def fingerprint_field(self, settings: Settings) -> str | None: ...

    def update_existing(self, settings: Settings) -> bool: ...
