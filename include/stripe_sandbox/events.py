"""Recording events: every write leaves an ``event`` object in the store, snapshotting the data.

Stored objects are immutable: a write never changes a stored dict in place, it stores a new one
(``Resource.replace``). So an event can hold a reference to the object as it was when the event was
recorded instead of a deep copy: the snapshot cannot change afterwards, and the store keeps one
copy of each version (this is what lets the ``scale`` scenario hold 100k invoices' histories).
The envelope itself is rendered on demand from an ``EventRecord`` (``event_record.py``).
Set ``STRIPE_SANDBOX_AUDIT_EVENTS=1`` to fingerprint every snapshot when it is recorded;
``verify_audit()`` then proves no snapshot was mutated later (the scenario tests do this).
"""

from __future__ import annotations

import hashlib
import json
import os
from typing import TYPE_CHECKING

from stripe_sandbox.event_record import EVENT_TYPE, EventRecord  # noqa: F401  (EVENT_TYPE: re-exported)
from stripe_sandbox.ids import IdFactory
from stripe_sandbox.store import ObjectStore

if TYPE_CHECKING:
    from stripe_sandbox.state import WriteContext

AUDIT_ENV = "STRIPE_SANDBOX_AUDIT_EVENTS"


def fingerprint(obj) -> str:
    return hashlib.sha1(json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


class EventRecorder:
    def __init__(self, store: ObjectStore, ids: IdFactory) -> None:
        self._store = store
        self._ids = ids
        self._audit: list[tuple[EventRecord, str]] | None = [] if os.environ.get(AUDIT_ENV) == "1" else None

    def record(
        self,
        event_type: str,
        obj: dict,
        ctx: WriteContext,
        previous_attributes: dict | None = None,
    ) -> EventRecord:
        """Store an event whose ``data.object`` is ``obj`` as it is now (an immutable version).

        ``previous_attributes`` (old values) are immutable versions too. Returns the stored record;
        its ``data`` is the event as the API serves it.
        """
        record = EventRecord(self._ids.new("evt"), event_type, ctx.now, obj, previous_attributes,
                             ctx.request_id, ctx.idempotency_key)
        self._store.add(record, (("type", event_type),))
        if self._audit is not None:
            self._audit.append((record, fingerprint(record.data)))
        return record

    def verify_audit(self) -> list[str]:
        """IDs of events whose snapshot changed since it was recorded (empty = all intact)."""
        if self._audit is None:
            raise RuntimeError(f"set {AUDIT_ENV}=1 before building the sandbox to audit event snapshots")
        return [record.id for record, print_ in self._audit if fingerprint(record.data) != print_]


def changed_attributes(before: dict, after: dict) -> dict:
    """Old values of the top-level keys whose value changed (``previous_attributes``)."""
    get = before.get  # shared (unchanged) values are the same objects: skip comparing them deeply
    return {key: old for key, value in after.items() if (old := get(key)) is not value and old != value}
