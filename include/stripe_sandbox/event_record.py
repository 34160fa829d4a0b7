"""A stored event in compact form: the envelope is rendered on demand from a few fields.

An event's envelope (``id``, ``type``, ``created``, ``request`` ...) is the same for every event
apart from a handful of values, and its ``data.object`` is an immutable stored version (see
``events.py``). Keeping only those values in slots, instead of three dicts per event, is what keeps
the history of the ``scale`` scenario (over a million events for 100k invoices) small. ``data``
renders the full event dict each time it is read, equal to what the API serves.
"""

from __future__ import annotations

from types import MappingProxyType

from stripe_sandbox.constants import API_VERSION
from stripe_sandbox.store import Record

EVENT_TYPE = "event"
NO_EXTRA = MappingProxyType({})  # events keep no resource-private state (read-only, shared)


class EventRecord(Record):
    """A ``Record`` of type ``event`` whose ``data`` is built from its slots when read."""

    __slots__ = ("type", "obj", "previous", "request_id", "idempotency_key")

    def __init__(self, event_id: str, event_type: str, created: int, obj: dict, previous: dict | None,
                 request_id: str | None, idempotency_key: str | None) -> None:
        self.object_type = EVENT_TYPE
        self.id = event_id
        self.created = created
        self.seq = 0
        self.deleted = False
        self.extra = NO_EXTRA
        self.type = event_type
        self.obj = obj
        self.previous = previous
        self.request_id = request_id
        self.idempotency_key = idempotency_key

    @property
    def data(self) -> dict:  # type: ignore[override]
        data: dict = {"object": self.obj}
        if self.previous is not None:
            data["previous_attributes"] = self.previous
        return {
            "id": self.id,
            "object": "event",
            "api_version": API_VERSION,
            "context": None,
            "created": self.created,
            "data": data,
            "livemode": False,
            "pending_webhooks": 0,
            "request": {"id": self.request_id, "idempotency_key": self.idempotency_key},
            "type": self.type,
        }

    @data.setter
    def data(self, value: dict) -> None:
        raise AttributeError("events are immutable")

    def __repr__(self) -> str:
        return f"EventRecord({self.id!r}, {self.type!r}, created={self.created}, seq={self.seq})"
