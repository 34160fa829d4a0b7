"""The neutral record: what mapping produces and what the NetSuite hook writes.

Field names are the ones NetSuite's REST and SOAP APIs share (``companyName``, ``isPerson``,
...). References to other records are ``{"id": internal_id}`` or ``{"externalId": ...}``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any


@dataclass(frozen=True)
class NeutralRecord:
    record_type: str
    external_id: str
    fields: dict[str, Any] = field(default_factory=dict)
    source_id: str = ""  # the Stripe object this record came from (for errors and the retry queue)
    only_if_present: bool = False  # written only over a record NetSuite has (e.g. zeroing a memo that may not exist)

    def fingerprint(self) -> str:
        """A stable hash of what would be written; equal fingerprints mean nothing to change."""
        canonical = json.dumps(
            {"type": self.record_type, "externalId": self.external_id, "fields": self.fields},
            sort_keys=True,
            separators=(",", ":"),
            default=str,
        )
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:32]


def expandable_id(value: Any) -> Any:
    """The ID in a Stripe field that may be expanded: the object's ``id``, else the value (an ID or None)."""
    return value.get("id") if isinstance(value, Mapping) else value


class MappingError(ValueError):
    """A Stripe object cannot be mapped; the message names the object and what to do.

    ``code`` is the retry queue's code for it."""

    code = "MAPPING"

    def __init__(self, stripe_id: str, message: str) -> None:
        super().__init__(f"{stripe_id}: {message}")
        self.stripe_id = stripe_id
        self.reason = message


class UnknownValueError(MappingError):
    """Stripe sent a value of a field the mapping branches on that this version does not know (a new status,
    tax behaviour, pricing type, ...): the object is not written, rather than mapped by a guess.

    ``stripe_id`` is the object that waits in the retry queue (e.g. the invoice), ``what`` the object that
    holds the value (e.g. ``line il_1 of invoice in_1``). The message is whole: it names both.
    """

    code = "UNKNOWN_VALUE"

    def __init__(self, stripe_id: str, what: str, field: str, value: Any) -> None:
        super().__init__(stripe_id, (
            f"Stripe sent {what} with {field} {value!r}, a value this version of stripe-netsuite does not know, so "
            "it was not written to NetSuite (the connector does not guess what a new value means). Upgrade "
            "stripe-netsuite, or report the value to its maintainers; until then it stays in the retry queue and "
            "every run tries it again"))
        self.what, self.field, self.value = what, field, value

    def __str__(self) -> str:
        return self.reason


@dataclass(frozen=True)
class InternalIdRef:
    """A reference to another record by its NetSuite internal ID, known only after that record loads.

    Mapping is pure and cannot know internal IDs; the flow engine replaces each of these with
    ``{"id": <internal id>}`` (apply sublists take internal IDs only): from this run's loads, else
    from NetSuite by external ID (``sync/references.py``).
    """

    external_id: str
    table: str = "transaction"  # the SuiteQL table of its record group, to look it up when it did not load this run
    # optional: a sublist line holding it is left out when the record is not in NetSuite (e.g. "no longer apply X",
    # where X may never have been written)
    optional: bool = False


class UnresolvedReference(LookupError):
    """A record references one that did not load (so it has no internal ID)."""


def resolve_internal_ids(record: NeutralRecord, internal_ids: Mapping[str, str]) -> NeutralRecord:
    """``record`` with every ``InternalIdRef`` replaced by ``{"id": ...}`` from ``internal_ids``."""

    def resolve(value: Any) -> Any:
        if isinstance(value, InternalIdRef):
            if value.external_id not in internal_ids and value.optional:
                raise _LeftOut
            if value.external_id not in internal_ids:
                raise UnresolvedReference(
                    f"{record.external_id} needs {value.external_id}, which is not in NetSuite (it did not load "
                    "in this run or an earlier one); it is retried with it"
                )
            return {"id": internal_ids[value.external_id]}
        if isinstance(value, dict):
            return {k: resolve(v) for k, v in value.items()}
        if isinstance(value, list):
            kept = []
            for item in value:
                try:
                    kept.append(resolve(item))
                except _LeftOut:
                    continue
            return kept
        return value

    return replace(record, fields=resolve(record.fields))


class _LeftOut(Exception):
    """A sublist line whose optional reference is not in NetSuite: the line is left out."""
