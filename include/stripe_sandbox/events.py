"""Recording events: every write leaves an ``event`` object in the store, snapshotting the data.

Stored objects are immutable: a write never changes a stored dict in place, it stores a new one
(``Resource.replace``). So an event can hold a reference to the object as it was when the event was
recorded instead of a deep copy: the snapshot cannot change afterwards, and the store keeps one
copy of each version (this is what lets the ``scale`` scenario hold 100k invoices' histories).
Set ``STRIPE_SANDBOX_AUDIT_EVENTS=1`` to fingerprint every snapshot when it is recorded;
``verify_audit()`` then proves no snapshot was mutated later (the scenario tests do this).
"""

from __future__ import annotations

import hashlib
import json
import os
from typing import TYPE_CHECKING

from stripe_sandbox.constants import API_VERSION
from stripe_sandbox.ids import IdFactory
from stripe_sandbox.store import ObjectStore

if TYPE_CHECKING:
    from stripe_sandbox.state import WriteContext

EVENT_TYPE = "event"
AUDIT_ENV = "STRIPE_SANDBOX_AUDIT_EVENTS"


def fingerprint(obj) -> str:
    return hashlib.sha1(json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


class EventRecorder:
    def __init__(self, store: ObjectStore, ids: IdFactory) -> None:
        self._store = store
        self._ids = ids
        self._audit: list[tuple[dict, str]] | None = [] if os.environ.get(AUDIT_ENV) == "1" else None

    def record(
        self,
        event_type: str,
        obj: dict,
        ctx: WriteContext,
        previous_attributes: dict | None = None,
    ) -> dict:
        """Store and return an event whose ``data.object`` is ``obj`` as it is now (an immutable version)."""
        data: dict = {"object": obj}
        if previous_attributes is not None:
            data["previous_attributes"] = previous_attributes  # old values: immutable versions too
        event = {
            "id": self._ids.new("evt"),
            "object": "event",
            "api_version": API_VERSION,
            "context": None,
            "created": ctx.now,
            "data": data,
            "livemode": False,
            "pending_webhooks": 0,
            "request": {"id": ctx.request_id, "idempotency_key": ctx.idempotency_key},
            "type": event_type,
        }
        record = self._store.insert(EVENT_TYPE, event)
        self._store.index_add(EVENT_TYPE, "type", event_type, record)
        if self._audit is not None:
            self._audit.append((event, fingerprint(event)))
        return event

    def verify_audit(self) -> list[str]:
        """IDs of events whose snapshot changed since it was recorded (empty = all intact)."""
        if self._audit is None:
            raise RuntimeError(f"set {AUDIT_ENV}=1 before building the sandbox to audit event snapshots")
        return [event["id"] for event, print_ in self._audit if fingerprint(event) != print_]


def changed_attributes(before: dict, after: dict) -> dict:
    """Old values of the top-level keys whose value changed (``previous_attributes``)."""
    return {key: before.get(key) for key in after if before.get(key) != after[key]}
