"""ID blocks and the store's one-int sort keys: the fast paths give what the one-at-a-time paths gave."""

from __future__ import annotations

import random


import pytest
from stripe_sandbox.ids import ALPHABET, IdFactory, NumberedIds, _draw_fast
from stripe_sandbox.store import ObjectStore, Record, RecordGroup, SortedRecords


def test_many_ids_equal_one_at_a_time():
    blocks, single = IdFactory(3), IdFactory(3)
    rng = random.Random(5)
    for _ in range(500):
        prefix = rng.choice(["evt", "in", "req", "cus"])
        count = rng.choice([0, 1, 13, 255, 256, 257, 600])
        assert blocks.many(prefix, count) == [single.new(prefix) for _ in range(count)]
        assert blocks.new(prefix) == single.new(prefix)


def test_read_ahead_ids_equal_one_draw_per_id():
    """Short (``req``, 14) and long (``evt``, 24) bodies: reading ahead cuts the same IDs as one draw each."""
    factory = IdFactory(3)
    for prefix, size in (("req", 14), ("evt", 24), ("prod", 14)):
        stream = random.Random(f"stripe-sandbox:3:{prefix}")
        expected = [f"{prefix}_{_draw_fast(stream, size)}" for _ in range(600)]
        assert [factory.new(prefix) for _ in range(300)] + factory.many(prefix, 300) == expected


def test_numbered_ids_are_distinct_decodable_and_keyed_by_seed():
    codec = NumberedIds("evt", 3)
    numbers = list(range(5000)) + [62 ** 12 * 5 + 7, 62 ** 24 - 1]
    encoded = [codec.encode(number) for number in numbers]
    assert len(set(encoded)) == len(encoded)
    assert all(len(object_id) == 4 + 24 and set(object_id[4:]) <= set(ALPHABET) for object_id in encoded)
    assert [codec.decode(object_id) for object_id in encoded] == numbers
    assert encoded[:50] != [NumberedIds("evt", 4).encode(number) for number in range(50)]
    assert IdFactory(3).numbered("evt").encode(9) == codec.encode(9)
    for foreign in ("in_2pJZR6JTuPQi8X02casqlta3", "evt_short", "evt_" + "-" * 24, "evt_" + "a" * 25):
        assert codec.decode(foreign) is None
    with pytest.raises(ValueError):
        codec.encode(62 ** 24)


class Things(RecordGroup):
    __slots__ = ("ids", "created", "seq")
    object_type = "thing"

    def __init__(self, ids: list[str], created: int) -> None:
        self.ids, self.created, self.seq = ids, created, 0

    def member(self, offset: int) -> Record:
        return Record("thing", self.ids[offset], self.created, self.seq + offset, {"id": self.ids[offset]})


def test_a_group_reads_like_its_members_stored_one_by_one():
    store = ObjectStore()
    odd = store.bucket("thing", "kind", "odd")
    store.add(Record("thing", "t_a", 5, 0, {"id": "t_a"}), (("kind", "odd"),))
    store.add_group(Things(["g_0", "g_1", "g_2"], 7), [(odd, (1,))])
    store.add_group(Things(["h_0", "h_1"], 3), [(odd, (0, 1))])  # older: inserted before the others
    store.add(Record("thing", "t_b", 7, 0, {"id": "t_b"}), (("kind", "odd"),))
    assert [r.id for r in store.ascending("thing")] == ["h_0", "h_1", "t_a", "g_0", "g_1", "g_2", "t_b"]
    assert store.sort_keys("thing") == [r.sort_key for r in store.ascending("thing")]
    assert store.count("thing") == 7
    assert [r.id for r in odd.records] == ["h_0", "h_1", "t_a", "g_1", "t_b"]
    assert odd.keys == [r.sort_key for r in odd.records]
    assert store.get("thing", "g_1").sort_key == store.find("g_1").sort_key == store.sort_keys("thing")[4]
    assert store.get("other", "g_1") is None
    merged = SortedRecords.merged([odd, store.bucket("thing", "kind", "none")])
    assert [r.id for r in merged.records] == [r.id for r in odd.records]


def test_sort_keys_order_like_created_then_seq_and_indexes_share_them():
    store = ObjectStore()
    for index, created in enumerate([5, 3, 5, 4, 3]):
        record = store.add(Record("thing", f"t_{index}", created, 0, {"id": f"t_{index}"}), (("all", "x"),))
        assert record.sort_key == store.sort_keys("thing")[[r.id for r in store.ascending("thing")].index(record.id)]
    ordered = [(r.created, r.seq) for r in store.ascending("thing")]
    assert ordered == sorted(ordered)
    assert store.sort_keys("thing") == [r.sort_key for r in store.ascending("thing")]
    bucket = store.indexed("thing", "all", "x")
    assert [r.id for r in bucket.records] == [r.id for r in store.ascending("thing")]
    assert bucket.keys == store.sort_keys("thing")


def test_numbered_group_members_are_found_by_decoding_their_id():
    store = ObjectStore()
    codec = NumberedIds("thing", 1, size=6)
    first, second = Things([], 4), Things([], 6)
    codec.claim(1)  # number 0 goes elsewhere (a request ID, say): the store does not find it
    store.add_numbered_group(first, 2, codec)
    store.add(Record("thing", "thing_plain", 5, 0, {"id": "thing_plain"}))
    codec.claim(2)
    store.add_numbered_group(second, 3, codec)
    assert list(first.ids) == [codec.encode(1), codec.encode(2)]
    assert list(second.ids) == [codec.encode(n) for n in (5, 6, 7)]
    assert [r.id for r in store.ascending("thing")] == [*first.ids, "thing_plain", *second.ids]
    assert store.find(codec.encode(6)).sort_key == store.sort_keys("thing")[4]
    assert store.get("thing", codec.encode(1)).id == codec.encode(1)
    assert store.get("other", codec.encode(1)) is None
    assert [store.find(codec.encode(n)) for n in (0, 3, 4, 8)] == [None] * 4  # claimed elsewhere, or not yet
    assert store.find("thing_zzzzzz") is None and store.find("nothing") is None and store.find(None) is None
    assert second.member_by_id(codec.encode(7)).id == codec.encode(7)
