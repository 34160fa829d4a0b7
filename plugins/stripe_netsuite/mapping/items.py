"""Stripe prices and coupons -> NetSuite items (pure).

Rules (reference: connector-behaviour.md §2, §3, §6.3, §8):
- A price becomes a service sale item with externalId = itemId = the price ID (Stripe IDs are
  unique, so the item name never collides); its display name is the price's nickname, lookup
  key or product. Items are created once and never updated (NetSuite forbids changing an
  item's income account once it has transactions in a closed period).
- A one-time ``price_data`` price (Stripe archives it at once) uses the generic ``Stripe Item``
  by default, so one-off charges do not create an item each.
- A coupon becomes a discount item with externalId ``coupon-<ID>`` (coupon IDs are bare, e.g.
  ``LAUNCH20``, and could collide with other items; ``external_ids.py`` owns every scheme); non-posting by default so discounts reduce
  the revenue of the line above (revenue recognition).
- Metadata links an existing NetSuite item instead, by internal ID, as Stripe's connector reads
  it: ``netsuite_service_sale_item_id`` (or the resale / non-inventory variants) on a price,
  ``netsuite_discount_item_id`` on a coupon. A link wins over everything else.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from stripe_netsuite.mapping import external_ids
from stripe_netsuite.mapping.records import MappingError, NeutralRecord
from stripe_netsuite.mapping.stripe_values import check_price
from stripe_netsuite.settings import InvoiceSettings, record_ref

SERVICE_ITEM = "serviceSaleItem"
DISCOUNT_ITEM = "discountItem"
_MAX_NAME = 250


def is_one_time_price_data(price: Mapping[str, Any]) -> bool:
    """Stripe makes an archived one-time price for each ``price_data`` line."""
    return price.get("type") == "one_time" and price.get("active") is False and not (
        price.get("nickname") or price.get("lookup_key")
    )


PRICE_LINK_KEYS = (
    "netsuite_service_sale_item_id", "netsuite_service_resale_item_id",
    "netsuite_non_inventory_sale_item_id", "netsuite_non_inventory_resale_item_id",
)
COUPON_LINK_KEYS = ("netsuite_discount_item_id",)


def linked_item(obj: Mapping[str, Any], keys: tuple[str, ...]) -> dict[str, str] | None:
    """The NetSuite item a Stripe object's metadata links, as a reference; None without a link."""
    metadata = obj.get("metadata") or {}
    for key in keys:
        value = str(metadata.get(key) or "").strip()
        if value:
            if not value.isdigit():
                raise MappingError(obj.get("id") or "<no id>", f"metadata {key}={value!r} is not a NetSuite internal ID "
                                   "(digits); fix it in Stripe")
            return {"id": value}
    return None


def price_item_external_id(price: Mapping[str, Any], settings: InvoiceSettings) -> str | None:
    """The item a price's lines use: None means the generic item the settings name."""
    if settings.item_mode == "global":
        return None
    if settings.one_time_prices == "generic_item":
        check_price(price)  # an unknown price type is neither one-time nor recurring: no guess
        if is_one_time_price_data(price):
            return None
    return external_ids.price_item(price["id"])


def price_item(price: Mapping[str, Any], settings: InvoiceSettings) -> tuple[dict[str, str], bool]:
    """The reference a price's lines use, and whether the connector must create that item."""
    link = linked_item(price, PRICE_LINK_KEYS)
    if link is not None:
        return link, False
    external_id = price_item_external_id(price, settings)
    if external_id is None:
        return record_ref(settings.generic_item), False
    return {"externalId": external_id}, True


def _product_name(price: Mapping[str, Any]) -> str | None:
    product = price.get("product")
    if isinstance(product, Mapping):
        return product.get("name")
    return None


def map_price_item(price: Mapping[str, Any], settings: InvoiceSettings) -> NeutralRecord:
    price_id = price.get("id") or ""
    if not price_id.startswith("price_"):
        raise MappingError(price_id or "<no id>", "is not a Stripe price object (id must start with 'price_')")
    label = price.get("nickname") or _product_name(price) or price.get("lookup_key") or price_id
    fields: dict[str, Any] = {
        "itemId": price_id[:_MAX_NAME],
        "displayName": f"{label} ({price_id})"[:_MAX_NAME],
        "salesDescription": label,
        "incomeAccount": record_ref(settings.item_income_account),
    }
    if settings.item_deferred_revenue_account is not None:
        fields["deferredRevenueAccount"] = record_ref(settings.item_deferred_revenue_account)
    return NeutralRecord(SERVICE_ITEM, external_ids.price_item(price_id), fields, source_id=price_id)


def map_coupon_item(coupon: Mapping[str, Any], settings: InvoiceSettings) -> NeutralRecord:
    coupon_id = coupon.get("id") or ""
    if not coupon_id or coupon.get("object") not in (None, "coupon"):
        raise MappingError(coupon_id or "<no id>", "is not a Stripe coupon object")
    external_id = external_ids.coupon_item(coupon_id)
    label = coupon.get("name") or coupon_id
    fields: dict[str, Any] = {
        "itemId": external_id[:_MAX_NAME],
        "displayName": f"{label} ({coupon_id})"[:_MAX_NAME],
        "description": f"Stripe coupon {coupon_id}",
        "account": record_ref(settings.discount_account),
        "nonPosting": settings.discount_non_posting,
    }
    return NeutralRecord(DISCOUNT_ITEM, external_id, fields, source_id=coupon_id)
