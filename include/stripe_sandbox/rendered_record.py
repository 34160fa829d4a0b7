"""Records rendered on demand from a compact history instead of holding their versions as dicts.

A bulk-built object's versions differ in a few values, so the ``scale`` scenario keeps one small
``history`` object per invoice (``scenarios/paid_invoice.py``) and renders a version when it is
read: ``history.render(part)`` returns a fresh dict, equal to the one the write paths would have
stored, each time. ``part`` names the version (a shared tuple, e.g. ``("invoice", "paid")``).

* ``RenderedRecord``: an object whose ``data`` is its current version; a later write stores a
  plain dict as usual (``data = ...``), which is served from then on, unless the history has a version
  for the change (``update``: a balance transaction becoming available). List filters read single
  top-level fields (``field``), which the history answers without rendering the whole object. Its private state
  (``extra``) is rendered the first time it is asked for, then kept (writers change it in place).
* ``RenderedEventRecord``: an event whose ``data.object`` (and ``previous_attributes``) are
  versions rendered the same way.
* ``RenderedEventGroup``: the events of one history, stored as one ``RecordGroup`` (over a million events
  at 100k invoices); each member is a ``RenderedEventRecord`` built when read.
"""

from __future__ import annotations

from stripe_sandbox.event_record import EVENT_TYPE, NO_EXTRA, EventRecord
from stripe_sandbox.store import Record, RecordGroup


class RenderedRecord(Record):
    __slots__ = ("history", "part", "written", "private")

    def __init__(self, object_type: str, object_id: str, created: int, history, part: tuple) -> None:
        self.object_type = object_type
        self.id = object_id
        self.created = created
        self.seq = 0
        self.deleted = False
        self.history = history
        self.part = part
        self.written: dict | None = None
        self.private: dict | None = None

    @property
    def data(self) -> dict:  # type: ignore[override]
        written = self.written
        return self.history.render(self.part) if written is None else written

    @data.setter
    def data(self, value: dict) -> None:
        self.written = value

    def field(self, key: str):
        written = self.written
        return self.history.field(self.part, key) if written is None else written.get(key)

    def update(self, changes: dict) -> None:
        """``Record.update``; a change the history has a version for only switches ``part``."""
        part = self.history.changed_part(self.part, changes) if self.written is None else None
        if part is None:
            self.data = {**self.data, **changes}
        else:
            self.part = part

    @property
    def extra(self) -> dict:  # type: ignore[override]
        private = self.private
        if private is None:
            private = self.private = self.history.extra(self.part)
        return private

    def __repr__(self) -> str:
        return f"RenderedRecord({self.object_type!r}, {self.id!r}, part={self.part!r}, seq={self.seq})"


class RenderedEventRecord:
    """Duck-types ``EventRecord`` with only the slots a bulk event needs (over a million at 100k invoices)."""

    __slots__ = ("id", "created", "seq", "type", "request_id", "history", "part", "previous_part")
    object_type = EVENT_TYPE
    deleted = False
    extra = NO_EXTRA
    idempotency_key = None
    data = EventRecord.data
    sort_key = Record.sort_key

    def __init__(self, event_id: str, event_type: str, created: int, request_id: str, history, part: tuple,
                 previous_part: tuple | None = None) -> None:
        self.id = event_id
        self.created = created
        self.seq = 0
        self.type = event_type
        self.request_id = request_id
        self.history = history
        self.part = part
        self.previous_part = previous_part

    @property
    def obj(self) -> dict:
        return self.history.render(self.part)

    @property
    def previous(self) -> dict | None:
        return None if self.previous_part is None else self.history.render(self.previous_part)


class RenderedEventGroup(RecordGroup):
    """Events of one history at one instant; ``members[offset]`` is ``(type, part, previous part, request
    index)``, a tuple shared by the histories of the same shape, and ``requests`` the request IDs. The
    store sets ``ids`` (numbered: ``ObjectStore.add_numbered_group``)."""

    __slots__ = ("ids", "created", "seq", "requests", "history", "members")
    object_type = EVENT_TYPE

    def __init__(self, created: int, requests: tuple, history, members: tuple) -> None:
        self.ids = ()
        self.created = created
        self.seq = 0
        self.requests = requests
        self.history = history
        self.members = members

    def member(self, offset: int) -> RenderedEventRecord:
        event_type, part, previous_part, request = self.members[offset]
        record = RenderedEventRecord(self.ids[offset], event_type, self.created, self.requests[request], self.history,
                                     part, previous_part)
        record.seq = self.seq + offset
        return record
