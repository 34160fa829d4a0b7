"""Customers CRUD through the official SDK."""

from __future__ import annotations

import pytest
import stripe


def test_create_retrieve_update_delete(client):
    created = client.v1.customers.create(
        params={
            "name": "Acme GmbH",
            "email": "billing@acme.example",
            "phone": "+49 30 123",
            "description": "A company",
            "currency": "EUR",
            "address": {"line1": "Friedrichstr. 1", "city": "Berlin", "postal_code": "10117", "country": "de"},
            "shipping": {"name": "Acme Lager", "address": {"city": "Hamburg", "country": "DE"}},
            "metadata": {"plan": "pro", "netsuite_id": "42"},
            "preferred_locales": ["de", "en"],
            "tax_exempt": "reverse",
        }
    )
    assert created.id.startswith("cus_") and len(created.id) == len("cus_") + 14
    assert created.object == "customer"
    assert created.currency == "eur"
    assert created.address.country == "DE" and created.address.line2 is None
    assert created.shipping.address.city == "Hamburg" and created.shipping.phone is None
    assert created.metadata.to_dict() == {"plan": "pro", "netsuite_id": "42"}
    assert created.preferred_locales == ["de", "en"]
    assert created.livemode is False and created.discount is None and created.balance == 0

    fetched = client.v1.customers.retrieve(created.id)
    assert fetched.to_dict() == created.to_dict()

    updated = client.v1.customers.update(
        created.id,
        params={"metadata": {"plan": "", "tier": "gold"}, "email": "", "address": {"line2": "Hinterhaus"}},
    )
    assert updated.metadata.to_dict() == {"netsuite_id": "42", "tier": "gold"}
    assert updated.email is None
    assert updated.address.line1 == "Friedrichstr. 1" and updated.address.line2 == "Hinterhaus"

    cleared = client.v1.customers.update(created.id, params={"metadata": "", "shipping": "", "address": ""})
    assert cleared.metadata.to_dict() == {} and cleared.shipping is None and cleared.address is None

    deleted = client.v1.customers.delete(created.id)
    assert deleted.to_dict() == {"id": created.id, "object": "customer", "deleted": True}
    stub = client.v1.customers.retrieve(created.id)
    assert stub.deleted is True and stub.id == created.id
    with pytest.raises(stripe.InvalidRequestError) as exc:
        client.v1.customers.update(created.id, params={"name": "again"})
    assert exc.value.http_status == 404
    assert created.id not in [c.id for c in client.v1.customers.list().data]


def test_unknown_customer_is_404_resource_missing(client):
    with pytest.raises(stripe.InvalidRequestError) as exc:
        client.v1.customers.retrieve("cus_doesnotexist00")
    err = exc.value
    assert err.http_status == 404
    assert err.code == "resource_missing"
    assert err.error.message == "No such customer: 'cus_doesnotexist00'"
    assert err.error.param == "id"
    assert err.error.type == "invalid_request_error"
    assert err.error.doc_url
    assert err.request_id and err.request_id.startswith("req_")


@pytest.mark.parametrize(
    ("params", "param"),
    [
        ({"bogus": "x"}, "bogus"),
        ({"email": "not-an-email"}, "email"),
        ({"shipping": {"address": {"city": "Paris"}}}, "shipping[name]"),
        ({"tax_exempt": "sometimes"}, "tax_exempt"),
        ({"address": {"planet": "Mars"}}, "address[planet]"),
        ({"phone": "+1" * 20}, "phone"),
        ({"invoice_prefix": "bad"}, "invoice_prefix"),
        ({"balance": "ten"}, "balance"),
        ({"source": "tok_visa"}, "source"),
    ],
)
def test_bad_params_are_400_with_param(client, params, param):
    with pytest.raises(stripe.InvalidRequestError) as exc:
        client.v1.customers.create(params=params)
    assert exc.value.http_status == 400
    assert exc.value.param == param


def test_ints_stay_ints_and_invoice_settings(client):
    created = client.v1.customers.create(
        params={
            "balance": -2500,
            "next_invoice_sequence": 7,
            "invoice_prefix": "ACME01",
            "invoice_settings": {"footer": "Thanks", "custom_fields": [{"name": "VAT", "value": "DE123"}]},
        }
    )
    assert created.balance == -2500 and isinstance(created.balance, int)
    assert created.next_invoice_sequence == 7
    assert created.invoice_prefix == "ACME01"
    assert created.invoice_settings.footer == "Thanks"
    assert created.invoice_settings.custom_fields[0].to_dict() == {"name": "VAT", "value": "DE123"}


def test_expand_mechanism(client):
    created = client.v1.customers.create(params={"name": "E"})
    fetched = client.v1.customers.retrieve(created.id, params={"expand": ["test_clock", "invoice_settings.default_payment_method"]})
    assert fetched.test_clock is None
    page = client.v1.customers.list(params={"expand": ["data.test_clock"]})
    assert page.data[0].id == created.id
    with pytest.raises(stripe.InvalidRequestError) as exc:
        client.v1.customers.retrieve(created.id, params={"expand": ["name"]})
    assert "cannot be expanded" in exc.value.user_message
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.customers.list(params={"expand": ["test_clock"]})  # lists need the data. prefix


def test_expander_resolves_ids_generically(sb):
    """The mechanism the next resources will use: IDs in declared paths become objects."""
    app = sb.app
    cus = sb.client.v1.customers.create(params={"name": "Owner"})
    app.state.expander.register("widget", {"customer", "parts"})
    widget = {"object": "widget", "id": "wid_1", "customer": cus.id, "parts": [cus.id, "nope_1"],
              "nested": {"object": "list", "data": [{"object": "widget", "customer": cus.id, "parts": []}]}}
    out = app.state.expander.apply(widget, ["customer", "parts", "nested.data.customer"])
    assert out["customer"]["name"] == "Owner"
    assert out["parts"][0]["id"] == cus.id and out["parts"][1] == "nope_1"
    assert out["nested"]["data"][0]["customer"]["id"] == cus.id
    assert widget["customer"] == cus.id  # the input is not mutated


def test_concurrent_writes_are_consistent(sb):
    from concurrent.futures import ThreadPoolExecutor

    def create(i):
        return sb.client_for().v1.customers.create(params={"name": f"t{i}"}).id

    with ThreadPoolExecutor(max_workers=8) as pool:
        ids = list(pool.map(create, range(40)))
    assert len(set(ids)) == 40
    listed = [c.id for c in sb.client.v1.customers.list(params={"limit": 100}).data]
    assert sorted(listed) == sorted(ids)
    assert len(sb.client.v1.events.list(params={"limit": 100}).data) == 40


def test_expanding_an_events_payload_is_a_400_not_a_crash(client):
    client.v1.customers.create(params={"name": "Evented"})
    with pytest.raises(stripe.InvalidRequestError) as exc:
        client.v1.events.list(params={"limit": 2, "expand": ["data.data.object"]})
    assert exc.value.http_status == 400 and "cannot be expanded (data.object)" in exc.value.user_message
