"""The generic object store: every resource type keeps its records here, ordered by creation.

Records are kept sorted ascending by ``(created, seq)``; ``seq`` is a store-wide counter, so
objects created in the same second keep their creation order; the key is one int,
``created * SEQ_SPAN + seq`` (``Record.sort_key``, shared by the store and its indexes). Lists read this order
backwards (newest first). Deleted objects stay in the store as tombstones so a later retrieve
can return the deleted stub, as Stripe does, but lists skip them.

A ``RecordGroup`` stores records that are never written again (an invoice's bulk-built events) as one
object: it stands in the lists once per member, and a member is rendered as a record when read. A
group's members may have numbered IDs (``ids.NumberedIds``): then the store finds them by decoding the
ID instead of keeping a dictionary entry per member.
"""

from __future__ import annotations

import bisect
import heapq
from collections.abc import Sequence
from dataclasses import dataclass, field
from operator import itemgetter

from stripe_sandbox.ids import NumberedIdRange, NumberedIds


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

    def update(self, changes: dict) -> None:
        """Store a new version with ``changes`` (no event; the stored dict is never changed in place)."""
        self.data = {**self.data, **changes}


class RecordGroup:
    """Records of one type created at one instant with consecutive ``seq`` values, stored as one object.

    Subclasses set ``object_type``, ``created`` and ``ids`` (the members' IDs, in order) and build member
    ``offset`` as a fresh record with ``member``; the store assigns ``seq`` (the first member's).
    """

    __slots__ = ()
    object_type: str
    created: int
    seq: int
    ids: Sequence[str]

    def member(self, offset: int) -> Record:
        raise NotImplementedError

    @property
    def first_key(self) -> int:
        return self.created * SEQ_SPAN + self.seq

    def member_by_id(self, object_id: str) -> Record:
        return self.member(self.ids.index(object_id))


class ObjectStore:
    """Records by ID and by type in creation order, plus optional secondary indexes.

    A stored ``data`` dict is never mutated in place: writers store a new dict (see ``events.py``).
    """

    def __init__(self) -> None:
        self._by_id: dict[str, Record | RecordGroup] = {}
        self._types: dict[str, SortedRecords] = {}
        self._indexes: dict[tuple[str, str], dict[str, SortedRecords]] = {}
        self._numbered: dict[str, NumberedGroups] = {}  # ID prefix -> groups with numbered IDs
        self._seq = 1  # the next record's

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
        seq = record.seq = self._seq
        self._seq = seq + 1
        by_id[object_id] = record
        records = self._types.get(object_type)
        if records is None:
            records = self._types[object_type] = SortedRecords()
        key = record.created * SEQ_SPAN + seq
        keys = records.keys
        if keys and keys[-1] > key:
            records.add(record, key)
        else:  # the common case, inlined: the newest record of its type so far
            keys.append(key)
            records.entries.append(record)
        for name, value in indexes:
            self.index_add(object_type, name, value, record, key)
        for bucket in buckets:
            bucket.add(record, key)
        return record

    def add_group(self, group: RecordGroup, buckets=()) -> None:
        """Store a group's members as consecutive records (their ``seq`` values are assigned here).

        ``buckets``: ``(index bucket, member offsets)`` pairs, the members each bucket holds.
        """
        ids = group.ids
        by_id = self._by_id
        known = len(by_id)
        by_id.update(dict.fromkeys(ids, group))
        if len(by_id) != known + len(ids):  # checked after the fact: a duplicate is a bug that ends the build
            raise ValueError(f"duplicate id among {ids}")
        self._place_group(group, len(ids), buckets)

    def add_numbered_group(self, group: RecordGroup, count: int, codec: NumberedIds, buckets=()) -> None:
        """``add_group`` for ``count`` members whose IDs are the next numbers of ``codec`` (``group.ids`` is
        set here): they are found by decoding the ID, so the store keeps no entry per member."""
        numbered = self._numbered.get(codec.prefix)
        if numbered is None:
            numbered = self._numbered[codec.prefix] = NumberedGroups(codec)
        group.ids = numbered.claim(group, count)
        self._place_group(group, count, buckets)

    def _place_group(self, group: RecordGroup, count: int, buckets) -> None:
        seq = group.seq = self._seq
        self._seq = seq + count
        records = self._types.get(group.object_type)
        if records is None:
            records = self._types[group.object_type] = SortedRecords()
        first = group.created * SEQ_SPAN + seq
        keys = list(range(first, first + count))
        records.add_group(group, keys)
        for bucket, offsets in buckets:
            bucket.grouped = True
            for offset in offsets:
                bucket.add(group, keys[offset])

    def get(self, object_type: str, object_id: str) -> Record | None:
        record = self.find(object_id)
        return record if record is not None and record.object_type == object_type else None

    def find(self, object_id: str) -> Record | None:
        """Any record by ID, whatever its type (expansion resolves IDs this way)."""
        record = self._by_id.get(object_id)
        if record is None:
            if not self._numbered or not isinstance(object_id, str):
                return None
            numbered = self._numbered.get(object_id.partition("_")[0])
            return None if numbered is None else numbered.find(object_id)
        return record.member_by_id(object_id) if isinstance(record, RecordGroup) else record

    def ascending(self, object_type: str) -> Sequence[Record]:
        """All records of a type, oldest first (the caller must not mutate the list)."""
        return self._types.get(object_type, EMPTY).records

    def sort_keys(self, object_type: str) -> list[int]:
        """The sort keys (``Record.sort_key``) parallel to ``ascending`` (for bisecting)."""
        return self._types.get(object_type, EMPTY).keys

    def count(self, object_type: str) -> int:
        return len(self._types.get(object_type, EMPTY).keys)

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


class NumberedGroups:
    """The groups whose member IDs are numbered by one ``NumberedIds``, in number order."""

    __slots__ = ("codec", "starts", "groups", "next")

    def __init__(self, codec: NumberedIds) -> None:
        self.codec = codec
        self.starts: list[int] = []  # each group's first number
        self.groups: list[RecordGroup] = []
        self.next = 0

    def claim(self, group: RecordGroup, count: int) -> NumberedIdRange:
        ids = self.codec.claim(count)
        self.starts.append(ids.first)
        self.groups.append(group)
        self.next = ids.first + count
        return ids

    def find(self, object_id: str) -> Record | None:
        number = self.codec.decode(object_id)
        if number is None or number >= self.next:
            return None
        position = bisect.bisect_right(self.starts, number) - 1
        group = self.groups[position] if position >= 0 else None
        offset = number - self.starts[position]
        return group.member(offset) if group is not None and offset < len(group.ids) else None


class SortedRecords:
    """Records kept ascending by ``(created, seq)`` with their keys, for bisecting.

    ``entries`` holds a record, or a group once per member it holds here (``add_group``); ``records``
    reads the members as records.
    """

    __slots__ = ("entries", "keys", "grouped")

    def __init__(self) -> None:
        self.entries: list = []
        self.keys: list[int] = []
        self.grouped = False

    @property
    def records(self) -> Sequence[Record]:
        return GroupMembers(self.entries, self.keys) if self.grouped else self.entries

    def add(self, record: Record, key=None) -> None:
        if key is None:
            key = record.sort_key
        keys = self.keys
        if not keys or keys[-1] <= key:
            keys.append(key)
            self.entries.append(record)
            return
        position = bisect.bisect_right(keys, key)
        keys.insert(position, key)
        self.entries.insert(position, record)

    def add_group(self, group: RecordGroup, keys: list[int]) -> None:
        """Add the members of ``group`` with these sort keys (ascending; no other record's key lies between)."""
        self.grouped = True
        own = self.keys
        if not own or own[-1] <= keys[0]:
            own += keys
            self.entries += [group] * len(keys)
            return
        position = bisect.bisect_right(own, keys[0])
        own[position:position] = keys
        self.entries[position:position] = [group] * len(keys)

    @classmethod
    def merged(cls, sources: list[SortedRecords]) -> SortedRecords:
        """The records of all ``sources`` (which share no record) in one ascending list."""
        merged = cls()
        pairs = list(heapq.merge(*(zip(source.keys, source.entries) for source in sources), key=itemgetter(0)))
        merged.keys = [key for key, _ in pairs]
        merged.entries = [entry for _, entry in pairs]
        merged.grouped = any(source.grouped for source in sources)
        return merged


class GroupMembers(Sequence):
    """``entries`` read as records: a group's entry at sort key ``k`` is its member ``k - first_key``."""

    __slots__ = ("entries", "keys")

    def __init__(self, entries: list, keys: list[int]) -> None:
        self.entries = entries
        self.keys = keys

    def __len__(self) -> int:
        return len(self.entries)

    def __getitem__(self, index: int) -> Record:
        entry = self.entries[index]
        if isinstance(entry, RecordGroup):
            return entry.member(self.keys[index] - entry.first_key)
        return entry


EMPTY = SortedRecords()
