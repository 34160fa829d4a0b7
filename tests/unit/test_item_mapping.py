"""The pure Stripe price / coupon -> NetSuite item mapping."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stripe_netsuite.mapping import external_ids
from stripe_netsuite.mapping.items import (
    DISCOUNT_ITEM,
    SERVICE_ITEM,
    is_one_time_price_data,
    map_coupon_item,
    map_price_item,
    price_item_external_id,
)
from stripe_netsuite.mapping.records import MappingError
from stripe_netsuite.settings import InvoiceSettings


def price(**overrides):
    base = {"id": "price_Pro2026", "object": "price", "active": True, "type": "recurring", "nickname": None,
            "lookup_key": None, "product": "prod_Pro"}
    base.update(overrides)
    return base


def test_price_becomes_a_service_sale_item_named_by_its_id():
    record = map_price_item(price(nickname="Pro monthly"), InvoiceSettings())
    assert record.record_type == SERVICE_ITEM
    assert record.external_id == record.fields["itemId"] == record.source_id == "price_Pro2026"
    assert record.fields["displayName"] == "Pro monthly (price_Pro2026)"
    assert record.fields["salesDescription"] == "Pro monthly"
    assert record.fields["incomeAccount"] == {"externalId": "acct-sales-income"}
    assert "deferredRevenueAccount" not in record.fields


@pytest.mark.parametrize("account, ref", [("acct-deferred", {"externalId": "acct-deferred"}), (123, {"id": "123"})])
def test_account_references_string_is_external_id_number_is_internal_id(account, ref):
    settings = InvoiceSettings(item_income_account=account, item_deferred_revenue_account=account)
    record = map_price_item(price(), settings)
    assert record.fields["incomeAccount"] == ref == record.fields["deferredRevenueAccount"]


@pytest.mark.parametrize("overrides, label", [
    ({"nickname": "Nick", "product": {"id": "prod_Pro", "name": "Pro"}, "lookup_key": "pro"}, "Nick"),
    ({"product": {"id": "prod_Pro", "name": "Pro"}, "lookup_key": "pro"}, "Pro"),
    ({"lookup_key": "pro_monthly"}, "pro_monthly"),
    ({}, "price_Pro2026"),  # product not expanded, nothing else to name it by
])
def test_item_label_fallbacks(overrides, label):
    assert map_price_item(price(**overrides), InvoiceSettings()).fields["salesDescription"] == label


def test_long_names_are_cut_to_netsuite_lengths():
    record = map_price_item(price(id="price_" + "x" * 300, nickname="N" * 300), InvoiceSettings())
    assert len(record.fields["itemId"]) == 250 and len(record.fields["displayName"]) == 250


@pytest.mark.parametrize("bad", [{"id": "prod_123"}, {"id": None}, {}])
def test_not_a_price_is_a_mapping_error(bad):
    with pytest.raises(MappingError, match="price_"):
        map_price_item(bad, InvoiceSettings())


@pytest.mark.parametrize("overrides, one_time", [
    ({"type": "one_time", "active": False}, True),  # what Stripe makes for a price_data line
    ({"type": "one_time", "active": True}, False),
    ({"type": "one_time", "active": False, "nickname": "Setup fee"}, False),
    ({"type": "one_time", "active": False, "lookup_key": "setup"}, False),
    ({"type": "recurring", "active": False}, False),
    ({"type": "one_time"}, False),  # active unknown: not assumed archived
])
def test_one_time_price_data_detection(overrides, one_time):
    assert is_one_time_price_data(price(**overrides)) is one_time


def test_which_item_a_price_uses():
    one_off = price(type="one_time", active=False)
    assert price_item_external_id(price(), InvoiceSettings()) == "price_Pro2026"
    assert price_item_external_id(one_off, InvoiceSettings()) is None  # the generic item
    assert price_item_external_id(one_off, InvoiceSettings(one_time_prices="own_item")) == "price_Pro2026"
    assert price_item_external_id(price(), InvoiceSettings(item_mode="global")) is None


def test_coupon_becomes_a_discount_item_prefixed_coupon():
    record = map_coupon_item({"id": "LAUNCH20", "object": "coupon", "name": "Launch 20%"}, InvoiceSettings())
    assert record.record_type == DISCOUNT_ITEM
    assert record.external_id == record.fields["itemId"] == "coupon-LAUNCH20" == external_ids.coupon_item("LAUNCH20")
    assert record.source_id == "LAUNCH20"
    assert record.fields["displayName"] == "Launch 20% (LAUNCH20)"
    assert record.fields["account"] == {"externalId": "acct-sales-discounts"}
    assert record.fields["nonPosting"] is True


def test_coupon_item_account_and_posting_from_settings():
    record = map_coupon_item({"id": "X"}, InvoiceSettings(discount_account=58, discount_non_posting=False))
    assert record.fields["account"] == {"id": "58"} and record.fields["nonPosting"] is False
    assert record.fields["displayName"] == "X (X)"  # a deleted coupon: named by its ID


@pytest.mark.parametrize("bad", [{"id": ""}, {"id": "X", "object": "promotion_code"}, {}])
def test_not_a_coupon_is_a_mapping_error(bad):
    with pytest.raises(MappingError, match="coupon"):
        map_coupon_item(bad, InvoiceSettings())


@given(st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-", min_size=1, max_size=40))
def test_coupon_external_ids_never_collide_with_price_items(coupon_id):
    external_id = map_coupon_item({"id": coupon_id}, InvoiceSettings()).external_id
    assert external_id == f"coupon-{coupon_id}" and not external_id.startswith("price_")


def test_metadata_links_an_existing_item_instead_of_creating_one():
    from stripe_netsuite.mapping.items import COUPON_LINK_KEYS, linked_item, price_item
    from stripe_netsuite.settings import InvoiceSettings

    linked = {"id": "price_L", "type": "recurring", "active": True, "metadata": {"netsuite_service_sale_item_id": "512"}}
    assert price_item(linked, InvoiceSettings()) == ({"id": "512"}, False)
    assert price_item(linked, InvoiceSettings(item_mode="global")) == ({"id": "512"}, False)  # a link wins
    plain = {"id": "price_P", "type": "recurring", "active": True, "metadata": {}}
    assert price_item(plain, InvoiceSettings()) == ({"externalId": "price_P"}, True)
    assert price_item(plain, InvoiceSettings(item_mode="global")) == ({"externalId": "stripe-item-generic"}, False)
    assert linked_item({"id": "SAVE5", "metadata": {"netsuite_discount_item_id": " 77 "}}, COUPON_LINK_KEYS) == {"id": "77"}


def test_a_link_that_is_not_an_internal_id_is_a_clear_error():
    from stripe_netsuite.mapping.items import PRICE_LINK_KEYS, linked_item
    from stripe_netsuite.mapping.records import MappingError

    with pytest.raises(MappingError, match=r"price_X: metadata netsuite_service_sale_item_id='Pro plan' is not a NetSuite internal ID"):
        linked_item({"id": "price_X", "metadata": {"netsuite_service_sale_item_id": "Pro plan"}}, PRICE_LINK_KEYS)
