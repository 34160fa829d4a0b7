"""ID blocks and the store's one-int sort keys: the fast paths give what the one-at-a-time paths gave."""

from __future__ import annotations

import random

from stripe_sandbox.ids import IdFactory
from stripe_sandbox.store import ObjectStore, Record


def test_many_ids_equal_one_at_a_time():
    blocks, single = IdFactory(3), IdFactory(3)
    rng = random.Random(5)
    for _ in range(500):
        prefix = rng.choice(["evt", "in", "req", "cus"])
        count = rng.choice([0, 1, 13, 255, 256, 257, 600])
        assert blocks.many(prefix, count) == [single.new(prefix) for _ in range(count)]
        assert blocks.new(prefix) == single.new(prefix)


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
