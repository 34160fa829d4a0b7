"""The bulk-built ``scale`` scenario: the same objects and events as the per-object path (``scale_slow``)
apart from IDs, and the API works on it (list, retrieve, expand, update, events) through the SDK."""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest
from stripe_sandbox import StripeSandbox

NOW = 1_760_000_000
COUNT = 2000
IDS = re.compile(r"\b(?:evt|cus|in|ch|req|txn|po|pi|il|ii|inpay|re|dp|du|price|prod|txr)_[A-Za-z0-9]+")


def shapes(app, object_type: str) -> Counter:
    return Counter(IDS.sub("ID", json.dumps(r.data, sort_keys=True)) for r in app.state.store.ascending(object_type))


def test_bulk_builds_what_the_write_paths_build_apart_from_ids():
    def build(name):
        return StripeSandbox(scenario=name, seed=3, now=lambda: NOW, scenario_options={"invoices": 300})

    bulk, slow = build("scale"), build("scale_slow")
    for object_type in ("customer", "invoice", "invoiceitem", "charge", "payment_intent", "invoice_payment",
                        "refund", "dispute", "event", "balance_transaction", "payout"):
        assert shapes(bulk, object_type) == shapes(slow, object_type), object_type
    assert bulk.resources["balance_transaction"].balances() == slow.resources["balance_transaction"].balances()


@pytest.fixture(scope="module")
def scale_sb():
    from conftest import SandboxHandle
    from sandbox_kit import start_background

    app = StripeSandbox(api_key="sk_test_sandbox", scenario="scale", seed=5, now=lambda: NOW,
                        scenario_options={"invoices": COUNT})
    server = start_background(app)
    try:
        yield SandboxHandle(app, server)
    finally:
        server.stop()


def test_api_on_a_bulk_built_sandbox(scale_sb):
    client = scale_sb.client
    page = client.v1.invoices.list({"limit": 100, "status": "paid", "expand": ["data.customer"]})
    assert len(page.data) == 100 and page.has_more
    assert all(inv.status == "paid" and inv.customer.object == "customer" for inv in page.data)
    invoice = page.data[0]
    again = client.v1.invoices.retrieve(invoice.id, {
        "expand": ["payments.data.payment.payment_intent.latest_charge.balance_transaction"]})
    charge = again.payments.data[0].payment.payment_intent.latest_charge
    assert charge.amount == again.amount_paid and charge.balance_transaction.source == charge.id
    assert client.v1.charges.retrieve(charge.id).payment_intent == again.payments.data[0].payment.payment_intent.id
    lines = client.v1.invoices.line_items.list(invoice.id)
    assert [line.id for line in lines.data] == [line.id for line in again.lines.data]
    before = client.v1.events.list({"limit": 1}).data[0]
    updated = client.v1.invoices.update(invoice.id, {"metadata": {"checked": "yes"}})
    assert updated.metadata.to_dict() == {"checked": "yes"} and updated.status == "paid"
    event = client.v1.events.list({"limit": 1}).data[0]
    assert event.id != before.id and event.type == "invoice.updated" and event.data.object.id == invoice.id
    assert event.data.previous_attributes.to_dict() == {"metadata": {}}
    # the stored history is untouched by the update (copy-on-write)
    created = client.v1.events.list({"type": "invoice.created", "limit": 100})
    assert created.data and all(e.data.object.status == "draft" for e in created.data)
    assert all(e.data.object.metadata.to_dict() == {} for e in created.data)
    paid = client.v1.events.list({"types": ["invoice.paid"], "limit": 10})
    assert all(e.data.object.status == "paid" for e in paid.data)
    assert scale_sb.app.state.events.verify_audit() == [] if scale_sb.app.state.events._audit is not None else True
    item = client.v1.invoice_items.list({"customer": invoice.customer.id, "limit": 3})
    assert item.data and all(i.invoice for i in item.data)
    payouts = client.v1.payouts.list({"limit": 3})
    txns = client.v1.balance_transactions.list({"payout": payouts.data[0].id, "limit": 100})
    assert txns.data


def test_list_filters_read_the_same_fields_as_the_rendered_objects():
    """Bulk-built records answer single fields (``Record.field``, what list filters read) without rendering
    the whole object: every answer equals the rendered object's value, and filtered lists match a scan."""
    app = StripeSandbox(scenario="scale", seed=3, now=lambda: NOW, scenario_options={"invoices": 200})
    store = app.state.store
    for object_type in ("invoice", "invoiceitem", "charge", "payment_intent", "invoice_payment"):
        for record in store.ascending(object_type):
            data = record.data
            for key in [*data, "no_such_key"]:
                assert record.field(key) == data.get(key), (object_type, record.id, key)
    customer = store.ascending("customer")[3].id
    for resource, params, wanted in [
        ("invoice", {"status": "paid"}, lambda d: d["status"] == "paid"),
        ("invoice", {"status": "uncollectible"}, lambda d: d["status"] == "uncollectible"),
        ("invoice", {"customer": customer}, lambda d: d["customer"] == customer),
        ("invoice", {"collection_method": "send_invoice"}, lambda d: d["collection_method"] == "send_invoice"),
        ("invoiceitem", {"pending": "false"}, lambda d: d["invoice"] is not None),
        ("charge", {"customer": customer}, lambda d: d["customer"] == customer),
        ("payment_intent", {"customer": customer}, lambda d: d["customer"] == customer),
        ("invoice_payment", {"status": "paid"}, lambda d: d["status"] == "paid"),
    ]:
        page = app.resources[resource].list_page({**params, "limit": "100"})
        scanned = [r.id for r in reversed(store.ascending(resource)) if wanted(r.data)][:100]
        assert [obj["id"] for obj in page["data"]] == scanned, (resource, params)
