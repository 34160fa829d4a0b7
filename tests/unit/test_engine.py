"""The flow engine against in-memory fakes of the two hooks: cursor, retry queue, idempotency."""

from __future__ import annotations

import pytest

from stripe_netsuite.hooks.netsuite import WriteResult
from stripe_netsuite.hooks.netsuite_errors import RecordError
from stripe_netsuite.settings import Settings
from stripe_netsuite.sync.cursor import cursor_key
from stripe_netsuite.sync.customers import CustomersFlow
from stripe_netsuite.sync.engine import FlowEngine, Window
from stripe_netsuite.sync.retry_queue import retry_queue_key
from stripe_netsuite.sync.state import MemoryStore


class FakeStripe:
    def __init__(self):
        self.customers: dict[str, dict] = {}
        self.events: list[dict] = []

    def put(self, cid, created, event_type="customer.created", **fields):
        obj = {"id": cid, "object": "customer", "created": created, "metadata": {}, **fields}
        self.customers[cid] = obj
        self.events.append({"id": f"evt_{len(self.events) + 1}", "created": created, "type": event_type,
                            "data": {"object": dict(obj)}})

    def list_objects(self, resource, created_gte=None, created_lt=None, **_):
        items = [c for c in self.customers.values()
                 if (created_gte is None or c["created"] >= created_gte) and (created_lt is None or c["created"] < created_lt)]
        return iter(sorted(items, key=lambda c: -c["created"]))

    def retrieve(self, resource, object_id, **_):
        from stripe_netsuite.hooks.stripe import StripeHookError

        if object_id not in self.customers:
            raise StripeHookError(f"Stripe answered HTTP 404 while trying to retrieve {object_id}: No such customer")
        return dict(self.customers[object_id])

    def latest_event(self, types):
        return self.events[-1] if self.events else None

    def events_after(self, cursor_id, types):
        ids = [e["id"] for e in self.events]
        return iter(self.events[ids.index(cursor_id) + 1:])


class FakeNetSuite:
    def __init__(self):
        self.records: dict[str, dict] = {}
        self.writes = 0
        self.calls: list[int] = []  # records per upsert_records call
        self.reject: dict[str, str] = {}

    def currency_ids(self):
        return {"USD": "1", "EUR": "2"}

    def rows_by_external_id(self, table, external_ids, columns=()):
        return {x: {"id": self.records[x]["id"], "externalid": x,
                    **{c: self.records[x]["fields"].get("custentity_stripe_sync_hash") for c in columns}}
                for x in external_ids if x in self.records}

    def upsert_records(self, records, batch_size=100):
        self.calls.append(len(records))
        result = WriteResult()
        for r in records:
            if r.external_id in self.reject:
                result.errors.append(RecordError(r.record_type, r.external_id, "INVALID_KEY_OR_REF", self.reject[r.external_id], r.source_id))
                continue
            self.writes += 1
            entry = self.records.setdefault(r.external_id, {"id": str(len(self.records) + 100)})
            entry["fields"] = dict(r.fields)
            result.id_map[r.external_id] = entry["id"]
        return result


@pytest.fixture
def world():
    stripe, netsuite, state = FakeStripe(), FakeNetSuite(), MemoryStore()
    stripe.put("cus_a", 1000, name="A")
    stripe.put("cus_b", 2000, name="B", currency="eur")

    def engine(settings=Settings()):
        return FlowEngine(CustomersFlow(), stripe=stripe, netsuite=netsuite, settings=settings, state=state, run_id="r1")

    return stripe, netsuite, state, engine


def commit(state, summary):
    if summary["mode"] != "backfill" and summary["cursor"]:
        state.set(cursor_key("customers"), summary["cursor"])


def test_initial_run_loads_everything_and_reaches_the_newest_event(world):
    stripe, netsuite, state, engine = world
    summary = engine().run().as_xcom()
    assert summary["mode"] == "initial"
    assert (summary["created"], summary["updated"], summary["unchanged"]) == (2, 0, 0)
    assert summary["cursor"] == {"event_id": "evt_2", "created": 2000}
    assert set(summary["id_map"]) == {"cus_a", "cus_b"}
    assert netsuite.records["cus_b"]["fields"]["currency"] == {"id": "2"}
    assert state.get(cursor_key("customers")) is None  # the engine never moves the cursor itself


def test_the_hook_gets_several_batches_at_once_so_batch_jobs_can_overlap(world):
    from stripe_netsuite.settings import SyncSettings
    from stripe_netsuite.sync.engine import WRITE_WINDOW_BATCHES

    stripe, netsuite, state, engine = world
    for n in range(10 * WRITE_WINDOW_BATCHES + 3):
        stripe.put(f"cus_w{n:03d}", 3000 + n, name=f"W{n}")
    summary = engine(Settings(sync=SyncSettings(batch_size=10))).run().as_xcom()
    assert summary["created"] == 10 * WRITE_WINDOW_BATCHES + 5
    assert netsuite.calls == [10 * WRITE_WINDOW_BATCHES, 5]  # windows of batch_size x WRITE_WINDOW_BATCHES


def test_a_large_listing_is_processed_chunk_by_chunk_with_the_same_result(world, monkeypatch):
    from stripe_netsuite.sync import engine as engine_module

    stripe, netsuite, state, engine = world
    for n in range(9):
        stripe.put(f"cus_c{n}", 4000 + n, name=f"C{n}")
    state.set(retry_queue_key("customers"), [{"stripe_id": "cus_gone", "code": "X", "message": "old"}])
    monkeypatch.setattr(engine_module, "LISTING_CHUNK", 4)
    sizes: list[int] = []
    prepare = CustomersFlow.prepare
    monkeypatch.setattr(CustomersFlow, "prepare", lambda self, sources, **kw: sizes.append(len(sources)) or
                        prepare(self, sources, **kw))
    summary = engine().run().as_xcom()
    assert sizes == [4, 4, 3]  # 11 customers in chunks of 4 (the queued object that is gone yields nothing)
    assert (summary["seen"], summary["created"]) == (11, 11)
    assert [f["stripe_id"] for f in summary["failed"]] == ["cus_gone"]
    assert set(summary["id_map"]) == {"cus_a", "cus_b", *(f"cus_c{n}" for n in range(9))}


def test_second_run_writes_nothing(world):
    stripe, netsuite, state, engine = world
    commit(state, engine().run().as_xcom())
    writes = netsuite.writes
    summary = engine().run().as_xcom()
    assert summary["mode"] == "incremental" and summary["seen"] == 0 and summary["cursor"] is None
    assert netsuite.writes == writes


def test_update_event_updates_and_moves_cursor(world):
    stripe, netsuite, state, engine = world
    commit(state, engine().run().as_xcom())
    stripe.put("cus_a", 1000, event_type="customer.updated", name="A renamed")
    summary = engine().run().as_xcom()
    assert (summary["created"], summary["updated"]) == (0, 1)
    assert summary["cursor"]["event_id"] == "evt_3"
    assert netsuite.records["cus_a"]["fields"]["companyName"] == "A renamed"


def test_backfill_rewrites_nothing_unchanged_and_has_no_cursor(world):
    stripe, netsuite, state, engine = world
    commit(state, engine().run().as_xcom())
    writes = netsuite.writes
    summary = engine().run("backfill", Window(0, 1500)).as_xcom()
    assert summary["mode"] == "backfill" and summary["seen"] == 1 and summary["unchanged"] == 1
    assert summary["cursor"] is None and netsuite.writes == writes


def test_poison_record_fails_alone_then_loads_once_fixed(world):
    stripe, netsuite, state, engine = world
    netsuite.reject["cus_b"] = "Invalid currency reference key 2"
    summary = engine().run().as_xcom()
    assert summary["created"] == 1
    assert summary["failed"] == [{"stripe_id": "cus_b", "code": "INVALID_KEY_OR_REF", "message": "Invalid currency reference key 2"}]
    queue = state.get(retry_queue_key("customers"))
    assert [(q["stripe_id"], q["attempts"], q["last_run_id"]) for q in queue] == [("cus_b", 1, "r1")]
    commit(state, summary)

    summary = engine().run().as_xcom()  # no new events, but the queue is retried
    assert summary["seen"] == 1 and len(summary["failed"]) == 1
    assert state.get(retry_queue_key("customers"))[0]["attempts"] == 2

    del netsuite.reject["cus_b"]
    summary = engine().run().as_xcom()
    assert summary["created"] == 1 and summary["failed"] == []
    assert state.get(retry_queue_key("customers")) == []


def test_mapping_error_goes_to_the_queue_with_the_reason(world):
    stripe, netsuite, state, engine = world
    stripe.put("cus_c", 3000, currency="chf")
    summary = engine().run().as_xcom()
    (failure,) = summary["failed"]
    assert failure["stripe_id"] == "cus_c" and failure["code"] == "MAPPING" and "CHF" in failure["message"]
    assert summary["created"] == 2


def test_deleted_customer_ignored_or_inactivated(world):
    stripe, netsuite, state, engine = world
    commit(state, engine().run().as_xcom())
    stripe.put("cus_a", 1000, event_type="customer.deleted", name="A")
    summary = engine().run().as_xcom()
    assert summary["skipped"] == 1 and "isInactive" not in netsuite.records["cus_a"]["fields"]

    state.set(cursor_key("customers"), {"event_id": "evt_2", "created": 2000})
    inactivate = Settings.model_validate({"customers": {"on_delete": "inactivate"}})
    summary = engine(inactivate).run().as_xcom()
    assert summary["updated"] == 1 and netsuite.records["cus_a"]["fields"]["isInactive"] is True


def test_switched_off_flow_does_nothing(world):
    stripe, netsuite, state, engine = world
    off = Settings.model_validate({"customers": {"enabled": False}})
    assert engine(off).run().as_xcom()["seen"] == 0 and netsuite.writes == 0


def test_start_date_limits_the_first_run(world):
    stripe, netsuite, state, engine = world
    late = Settings.model_validate({"sync": {"start_date": "1970-01-01"}})
    assert engine(late).run().as_xcom()["seen"] == 2
    netsuite.records.clear()
    later = Settings.model_validate({"sync": {"start_date": "2030-01-01"}})
    assert engine(later).run().as_xcom()["seen"] == 0


def test_a_queued_object_stripe_no_longer_has_stays_queued_and_the_rest_loads(world):
    stripe, netsuite, state, engine = world
    state.set(retry_queue_key("customers"), [{"stripe_id": "cus_gone", "code": "X", "message": "old"}])
    summary = engine().run().as_xcom()
    assert summary["created"] == 2
    (failure,) = summary["failed"]
    assert failure["stripe_id"] == "cus_gone" and failure["code"] == "STRIPE_READ" and "No such customer" in failure["message"]
    assert state.get(retry_queue_key("customers"))[0]["attempts"] == 2


class StagedFlow(CustomersFlow):
    """Each customer loads a parent record, then a child that references it by internal ID."""

    name = "staged"

    def prepare(self, sources, *, stripe, netsuite, settings, listed, run_cache):
        from stripe_netsuite.sync.flow import Prepared

        failures = {s.stripe_id: ("DEPENDENCY", "its customer could not be created") for s in sources
                    if s.data.get("name") == "blocked"}
        return Prepared(sources, None, failures, {"customer": 1})

    def map(self, source, context, settings):
        from stripe_netsuite.mapping.records import InternalIdRef, NeutralRecord

        parent = NeutralRecord("invoice", f"in-{source.stripe_id}", {"memo": "parent"}, source.stripe_id)
        child = NeutralRecord("creditMemo", f"cm-{source.stripe_id}",
                              {"apply": {"items": [{"doc": InternalIdRef(parent.external_id)}]}}, source.stripe_id)
        return [[parent], [child]]

    def fingerprint_field(self, settings):
        return None


@pytest.fixture
def staged(world):
    stripe, netsuite, state, _ = world

    def engine():
        return FlowEngine(StagedFlow(), stripe=stripe, netsuite=netsuite, settings=Settings(), state=state, run_id="r1")

    return stripe, netsuite, state, engine


def test_later_stages_get_the_internal_ids_of_earlier_ones(staged):
    stripe, netsuite, state, engine = staged
    summary = engine().run().as_xcom()
    assert summary["created"] == 4 and summary["failed"] == []
    parent_id = netsuite.records["in-cus_a"]["id"]
    assert netsuite.records["cm-cus_a"]["fields"]["apply"]["items"][0]["doc"] == {"id": parent_id}
    assert summary["id_map"]["in-cus_a"] == parent_id and "cm-cus_a" in summary["id_map"]
    assert summary["dependencies_written"] == {"customer": 1}


def test_a_rejected_parent_keeps_its_children_back_and_queues_the_source(staged):
    stripe, netsuite, state, engine = staged
    netsuite.reject["in-cus_b"] = "Invalid currency reference key"
    summary = engine().run().as_xcom()
    assert "cm-cus_b" not in netsuite.records and "cm-cus_a" in netsuite.records
    assert [(f["stripe_id"], f["code"]) for f in summary["failed"]] == [("cus_b", "INVALID_KEY_OR_REF")]
    assert [q["stripe_id"] for q in state.get(retry_queue_key("staged"))] == ["cus_b"]


def test_a_rejected_child_names_itself_and_queues_the_source(staged):
    stripe, netsuite, state, engine = staged
    netsuite.reject["cm-cus_a"] = "You cannot apply 10.00"
    summary = engine().run().as_xcom()
    (failure,) = summary["failed"]
    assert failure["stripe_id"] == "cus_a" and failure["message"] == "cm-cus_a: You cannot apply 10.00"
    assert "in-cus_a" in netsuite.records


def test_a_source_whose_dependency_failed_is_not_mapped_and_is_queued(staged):
    stripe, netsuite, state, engine = staged
    stripe.put("cus_c", 3000, name="blocked")
    summary = engine().run().as_xcom()
    assert "in-cus_c" not in netsuite.records
    assert {(f["stripe_id"], f["code"]) for f in summary["failed"]} == {("cus_c", "DEPENDENCY")}
    assert [q["stripe_id"] for q in state.get(retry_queue_key("staged"))] == ["cus_c"]
