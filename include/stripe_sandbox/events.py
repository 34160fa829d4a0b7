"""Recording events: every write leaves an ``event`` object in the store, snapshotting the data."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING

from stripe_sandbox.constants import API_VERSION
from stripe_sandbox.ids import IdFactory
from stripe_sandbox.store import ObjectStore

if TYPE_CHECKING:
    from stripe_sandbox.state import WriteContext

EVENT_TYPE = "event"


class EventRecorder:
    def __init__(self, store: ObjectStore, ids: IdFactory) -> None:
        self._store = store
        self._ids = ids

    def record(
        self,
        event_type: str,
        obj: dict,
        ctx: WriteContext,
        previous_attributes: dict | None = None,
    ) -> dict:
        """Store and return an event whose ``data.object`` is a deep copy of ``obj`` as it is now."""
        data: dict = {"object": copy.deepcopy(obj)}
        if previous_attributes is not None:
            data["previous_attributes"] = copy.deepcopy(previous_attributes)
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
        self._store.insert(EVENT_TYPE, event)
        return event


def changed_attributes(before: dict, after: dict) -> dict:
    """Old values of the top-level keys whose value changed (``previous_attributes``)."""
    return {key: copy.deepcopy(before.get(key)) for key in after if before.get(key) != after[key]}
