"""The generic object store: every resource type keeps its records here, ordered by creation.

Records are kept sorted ascending by ``(created, seq)``; ``seq`` is a store-wide counter, so
objects created in the same second keep their creation order; the key is one int,
``created * SEQ_SPAN + seq`` (``Record.sort_key``, shared by the store and its indexes). Lists read this order
backwards (newest first). Deleted objects stay in the store as tombstones so a later retrieve
can return the deleted stub, as Stripe does, but lists skip them.
"""

from __future__ import annotations

import bisect
import itertools
from dataclasses import dataclass, field


SEQ_SPAN = 1 << 32  # a sort key is ``created * SEQ_SPAN + seq``: ordered as ``(created, seq)``, one int


def created_key(created: int) -> int:
    """The smallest sort key of a record created at ``created`` (for bisecting by time)."""
    return created * SEQ_SPAN


@dataclass(slots=True)
class Record:
    object_type: str
    id: str
    created: int
    seq: int
    data: dict
    deleted: bool = False
    extra: dict = field(default_factory=dict)  # resource-private state not shown in the object

    @property
    def sort_key(self) -> int:
        return self.created * SEQ_SPAN + self.seq

    def field(self, key: str):
        """``data.get(key)``: list filters read single fields this way (see ``RenderedRecord``)."""
        return self.data.get(key)


class ObjectStore:
    """Records by ID and by type in creation order, plus optional secondary indexes.

    A stored ``data`` dict is never mutated in place: writers store a new dict (see ``events.py``).
    """

    def __init__(self) -> None:
        self._by_id: dict[str, Record] = {}
        self._sorted: dict[str, list[Record]] = {}
        self._keys: dict[str, list[int]] = {}
        self._indexes: dict[tuple[str, str], dict[str, SortedRecords]] = {}
        self._lists: dict[str, tuple[list, list]] = {}  # type -> (its ``_keys`` list, its ``_sorted`` list)
        self._seq = itertools.count(1)

    def insert(self, object_type: str, data: dict, created: int | None = None) -> Record:
        """Store a new object; ``data`` must carry ``id`` and ``created`` (or pass ``created``)."""
        when = int(data["created"]) if created is None else created
        return self.add(Record(object_type, data["id"], when, 0, data))

    def add(self, record: Record, indexes=(), buckets=()) -> Record:
        """Store a record built by the caller (its ``seq`` is assigned here).

        ``indexes``: ``(name, value)`` pairs to index the record under at once; ``buckets``: index
        buckets (``bucket()``) to add it to directly. The store and those indexes share one sort key.
        """
        object_id = record.id
        by_id = self._by_id
        if object_id in by_id:
            raise ValueError(f"duplicate id {object_id}")
        object_type = record.object_type
        seq = record.seq = next(self._seq)
        by_id[object_id] = record
        lists = self._lists.get(object_type)
        if lists is None:
            lists = self._lists[object_type] = (self._keys.setdefault(object_type, []),
                                                self._sorted.setdefault(object_type, []))
        keys, records = lists
        key = record.created * SEQ_SPAN + seq
        if not keys or keys[-1] <= key:  # the common case: the newest object so far
            keys.append(key)
            records.append(record)
        else:
            position = bisect.bisect_right(keys, key)
            keys.insert(position, key)
            records.insert(position, record)
        for name, value in indexes:
            self.index_add(object_type, name, value, record, key)
        for bucket in buckets:
            bucket.add(record, key)
        return record

    def get(self, object_type: str, object_id: str) -> Record | None:
        record = self._by_id.get(object_id)
        return record if record is not None and record.object_type == object_type else None

    def find(self, object_id: str) -> Record | None:
        """Any record by ID, whatever its type (expansion resolves IDs this way)."""
        return self._by_id.get(object_id)

    def ascending(self, object_type: str) -> list[Record]:
        """All records of a type, oldest first (the caller must not mutate the list)."""
        return self._sorted.get(object_type, [])

    def sort_keys(self, object_type: str) -> list[int]:
        """The sort keys (``Record.sort_key``) parallel to ``ascending`` (for bisecting)."""
        return self._keys.get(object_type, [])

    def count(self, object_type: str) -> int:
        return len(self._sorted.get(object_type, []))

    # -- secondary indexes (e.g. refunds by charge, balance transactions by payout) ----------
    def index_add(self, object_type: str, name: str, value: str | None, record: Record, key=None) -> None:
        """Index ``record`` under ``value``; ``key`` is its ``sort_key`` if the caller has it already."""
        if value is not None:
            self.bucket(object_type, name, value).add(record, key)

    def bucket(self, object_type: str, name: str, value: str) -> SortedRecords:
        """The index bucket of ``value`` (created if missing), for writers that add many records to it."""
        index = self._indexes.get((object_type, name))
        if index is None:
            index = self._indexes[(object_type, name)] = {}
        bucket = index.get(value)
        if bucket is None:
            bucket = index[value] = SortedRecords()
        return bucket

    def indexed(self, object_type: str, name: str, value: str) -> SortedRecords:
        return self._indexes.get((object_type, name), {}).get(value, EMPTY)


class SortedRecords:
    """Records kept ascending by ``(created, seq)`` with their keys, for bisecting."""

    __slots__ = ("records", "keys")

    def __init__(self) -> None:
        self.records: list[Record] = []
        self.keys: list[int] = []

    def add(self, record: Record, key=None) -> None:
        if key is None:
            key = record.sort_key
        keys = self.keys
        if not keys or keys[-1] <= key:
            keys.append(key)
            self.records.append(record)
            return
        position = bisect.bisect_right(keys, key)
        keys.insert(position, key)
        self.records.insert(position, record)


EMPTY = SortedRecords()
