"""References resolve against this run's loads first, then NetSuite by external ID, looked up once per run."""

import pytest

from stripe_netsuite.mapping.records import InternalIdRef, NeutralRecord, UnresolvedReference
from stripe_netsuite.sync.references import InternalIdResolver, references


class NetSuite:
    def __init__(self, rows):
        self.rows = rows  # (table, external ID) -> internal ID
        self.queries = []

    def rows_by_external_id(self, table, external_ids, columns=()):
        self.queries.append((table, tuple(external_ids)))
        return {x: {"id": self.rows[(table, x)], "externalid": x} for x in external_ids if (table, x) in self.rows}


def payment(external_id, *invoices, customer="cus_1"):
    return NeutralRecord("customerPayment", external_id, {
        "customer": InternalIdRef(customer, table="customer"),
        "apply": {"items": [{"doc": InternalIdRef(invoice), "apply": True} for invoice in invoices]},
    }, source_id=external_id)


def test_every_reference_inside_a_record_is_found():
    found = list(references(payment("ch_1", "in_1", "in_2").fields))
    assert found == [InternalIdRef("cus_1", "customer"), InternalIdRef("in_1"), InternalIdRef("in_2")]


def test_this_runs_loads_first_then_netsuite_in_one_query_per_record_group_cached_for_the_run():
    netsuite = NetSuite({("transaction", "in_old"): "41", ("customer", "cus_1"): "7"})
    resolver = InternalIdResolver(netsuite)
    resolver.loaded("in_new", "99")
    records = [payment("ch_1", "in_new", "in_old"), payment("ch_2", "in_old")]
    resolver.prefetch(records)
    assert sorted(netsuite.queries) == [("customer", ("cus_1",)), ("transaction", ("in_old",))]
    resolved = resolver.resolve(records[0]).fields
    assert resolved["customer"] == {"id": "7"}
    assert [line["doc"] for line in resolved["apply"]["items"]] == [{"id": "99"}, {"id": "41"}]
    resolver.prefetch(records)  # already known: no second query
    assert len(netsuite.queries) == 2


def test_a_reference_neither_loaded_nor_in_netsuite_is_named_and_asked_only_once():
    netsuite = NetSuite({("customer", "cus_1"): "7"})
    resolver = InternalIdResolver(netsuite)
    record = payment("ch_1", "in_missing")
    resolver.prefetch([record])
    with pytest.raises(UnresolvedReference, match="ch_1 needs in_missing, which is not in NetSuite"):
        resolver.resolve(record)
    resolver.prefetch([record])
    assert [q for q in netsuite.queries if q[0] == "transaction"] == [("transaction", ("in_missing",))]
