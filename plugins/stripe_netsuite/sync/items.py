"""Items invoice lines use, as dependencies (``sync/dependencies.py``): one per Stripe price and per coupon.

Each is created once by external ID (``mapping/external_ids.py``), or linked to an item named in the
price's or coupon's metadata, or, with the global settings, the generic item; items are never updated.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from stripe_netsuite.hooks.stripe import StripeHookError, StripeNotFoundError
from stripe_netsuite.mapping import external_ids
from stripe_netsuite.mapping.items import COUPON_LINK_KEYS, linked_item, map_coupon_item, map_price_item, price_item
from stripe_netsuite.mapping.records import MappingError, UnknownValueError
from stripe_netsuite.settings import Settings, record_ref
from stripe_netsuite.sync.dependencies import DependencyFailed, Made, nothing_written


def _about(kind: str, exc: MappingError) -> str:
    """A dependency's mapping error as its users' message (an unknown value's message names its object)."""
    return str(exc) if isinstance(exc, UnknownValueError) else f"{kind} {exc}"


def _existing_items(netsuite, stripe_ids: Sequence[str], external_id) -> dict[str, dict[str, str]]:
    rows = netsuite.rows_by_external_id("item", [external_id(s) for s in stripe_ids])
    return {s: {"externalId": external_id(s)} for s in stripe_ids if external_id(s) in rows}


class PriceItemDependency:
    what = "item for price"
    stripe_resource = "prices"
    expand: tuple[str, ...] = ("product",)

    def __init__(self, settings: Settings, user: str) -> None:
        self.settings, self.user = settings, user

    def existing(self, netsuite, stripe_ids: Sequence[str]) -> dict[str, dict[str, str]]:
        if self.settings.invoices.item_mode == "global":
            return {price: record_ref(self.settings.invoices.generic_item) for price in stripe_ids}
        return _existing_items(netsuite, stripe_ids, external_ids.price_item)

    def make(self, stripe_id: str, found: dict[str, Any] | StripeHookError) -> Made:
        if isinstance(found, StripeHookError):
            raise DependencyFailed("STRIPE_READ", f"price {stripe_id} could not be read from Stripe, so its item was "
                                                  f"not created: {found}. {nothing_written(self.user)}")
        try:
            reference, create = price_item(found, self.settings.invoices)
        except MappingError as exc:
            raise DependencyFailed(exc.code, _about("price", exc)) from None
        return Made(reference, map_price_item(found, self.settings.invoices) if create else None)


class CouponItemDependency:
    """The discount item of a coupon's discount lines (used with ``discount_mode: per_coupon``)."""

    what = "discount item"
    stripe_resource = "coupons"
    expand: tuple[str, ...] = ()

    def __init__(self, settings: Settings, user: str) -> None:
        self.settings, self.user = settings, user

    def existing(self, netsuite, stripe_ids: Sequence[str]) -> dict[str, dict[str, str]]:
        return _existing_items(netsuite, stripe_ids, external_ids.coupon_item)

    def make(self, stripe_id: str, found: dict[str, Any] | StripeHookError) -> Made:
        if isinstance(found, StripeNotFoundError):
            # A deleted coupon can no longer be read: its item is made from what the discount says.
            found = {"id": stripe_id, "object": "coupon", "name": None}
        elif isinstance(found, StripeHookError):  # items are never updated: do not name one from a guess
            raise DependencyFailed("STRIPE_READ", f"coupon {stripe_id} could not be read from Stripe, so its discount "
                                                  f"item was not created: {found}. {nothing_written(self.user)}")
        try:
            link = linked_item(found, COUPON_LINK_KEYS)
        except MappingError as exc:
            raise DependencyFailed(exc.code, _about("coupon", exc)) from None
        if link is not None:
            return Made(link)
        record = map_coupon_item(found, self.settings.invoices)
        return Made({"externalId": record.external_id}, record)
