"""Prices: per-unit one-time or recurring (licensed) prices; create, retrieve, update, list.

``unit_amount_decimal`` may carry fractions of the minor unit ("12.5"); line amounts are then
rounded per line. Tiered and metered prices are not modelled (400). Prices cannot be deleted
(as in Stripe): archive them with ``active=false``.
"""

from __future__ import annotations

from stripe_sandbox.billing import currency as money_currency
from stripe_sandbox.billing import fx
from stripe_sandbox.errors import invalid_request, unsupported_parameter
from stripe_sandbox.forms import as_dict, as_str
from stripe_sandbox.resources import filters as f
from stripe_sandbox.resources import params as p
from stripe_sandbox.resources.base import Resource, Route
from stripe_sandbox.state import WriteContext

CREATE = frozenset({"currency", "product", "product_data", "unit_amount", "unit_amount_decimal", "recurring", "active",
                    "nickname", "lookup_key", "metadata", "tax_behavior", "billing_scheme", "transfer_lookup_key"})
UPDATE = frozenset({"active", "nickname", "lookup_key", "metadata", "tax_behavior", "transfer_lookup_key"})
UNSUPPORTED = frozenset({"tiers", "tiers_mode", "custom_unit_amount", "transform_quantity", "currency_options"})
INTERVALS = ("day", "week", "month", "year")
TAX_BEHAVIORS = ("exclusive", "inclusive", "unspecified")


def _recurring_filter(params: dict, data: dict) -> bool:
    wanted = p.hash_of(params["recurring"], "recurring", ("interval", "usage_type", "meter"))
    recurring = data.get("recurring")
    if recurring is None:
        return False
    return all(recurring.get(key) == as_str(value, f"recurring[{key}]") for key, value in wanted.items())


def _lookup_keys(params: dict, data: dict) -> bool:
    return data.get("lookup_key") in set(p.str_list(params["lookup_keys"], "lookup_keys"))


class Prices(Resource):
    object_name = "price"
    prefix = "price"
    url = "/v1/prices"
    expandable = frozenset({"product"})
    filters = {
        "active": f.boolean("active"),
        "currency": f.equals("currency"),
        "product": f.equals("product"),
        "type": f.equals("type"),
        "recurring": f.predicate(_recurring_filter, "recurring"),
        "lookup_keys": f.predicate(_lookup_keys, "lookup_keys"),
    }

    def routes(self) -> list[Route]:
        return self.crud_routes()

    def create(self, params: dict, ctx: WriteContext, *, action: str | None = "created") -> dict:
        for key in params:
            if key in UNSUPPORTED:
                raise unsupported_parameter(key)
        self.only(params, CREATE)
        currency = fx.check_supported(as_str(p.required(params, "currency"), "currency"))
        product_id = self._product(params, ctx)
        unit_decimal = self._unit_amount(params, currency)
        recurring = _recurring(params["recurring"]) if params.get("recurring") not in (None, "") else None
        if params.get("billing_scheme", "per_unit") != "per_unit":
            raise unsupported_parameter("billing_scheme")
        integral = unit_decimal == unit_decimal.to_integral_value()
        price = {
            "id": self.new_id(),
            "object": "price",
            "active": True,
            "billing_scheme": "per_unit",
            "created": ctx.now,
            "currency": currency,
            "custom_unit_amount": None,
            "livemode": False,
            "lookup_key": None,
            "metadata": {},
            "nickname": None,
            "product": product_id,
            "recurring": recurring,
            "tax_behavior": "unspecified",
            "tiers_mode": None,
            "transform_quantity": None,
            "type": "recurring" if recurring else "one_time",
            "unit_amount": int(unit_decimal) if integral else None,
            "unit_amount_decimal": p.decimal_string(unit_decimal),
        }
        price = self._apply(price, params)
        return self.insert(price, ctx, action=action).data

    def update(self, price_id: str, params: dict, ctx: WriteContext) -> dict:
        record = self.record(price_id)
        self.only(params, UPDATE)
        if "tax_behavior" in params and record.data["tax_behavior"] != "unspecified" and \
                params["tax_behavior"] != record.data["tax_behavior"]:
            raise invalid_request("tax_behavior cannot be changed once it is set to inclusive or exclusive.",
                                  param="tax_behavior")
        self.replace(record, self._apply(dict(record.data), params), ctx)
        return record.data

    def _product(self, params: dict, ctx: WriteContext) -> str:
        if params.get("product") and params.get("product_data"):
            raise invalid_request("You may only specify one of these parameters: product, product_data.")
        if params.get("product_data"):
            data = as_dict(params["product_data"], "product_data")
            return self.other("product").create(dict(data), ctx)["id"]
        product_id = as_str(p.required(params, "product"), "product")
        self.other("product").ref(product_id, "product")
        return product_id

    @staticmethod
    def _unit_amount(params: dict, currency: str):
        if "unit_amount" in params and "unit_amount_decimal" in params:
            raise invalid_request("You may only specify one of these parameters: unit_amount, unit_amount_decimal.")
        if "unit_amount_decimal" in params:
            value = p.decimal(params["unit_amount_decimal"], "unit_amount_decimal", minimum=0)
        else:
            value = p.decimal(p.integer(p.required(params, "unit_amount"), "unit_amount", minimum=0), "unit_amount")
        if value == value.to_integral_value():
            money_currency.check_amount(int(value), currency, "unit_amount")
        return value

    @staticmethod
    def _apply(price: dict, params: dict) -> dict:
        for key in ("nickname", "lookup_key"):
            if key in params:
                price[key] = p.nullable_str(params[key], key)
        if "active" in params:
            price["active"] = p.boolean(params["active"], "active")
        if "metadata" in params:
            price["metadata"] = p.metadata(price["metadata"], params["metadata"])
        if "tax_behavior" in params:
            price["tax_behavior"] = p.enum(params["tax_behavior"], "tax_behavior", TAX_BEHAVIORS)
        return price


def _recurring(value) -> dict:
    fields = p.hash_of(value, "recurring", ("interval", "interval_count", "usage_type", "trial_period_days", "meter"))
    interval = p.enum(p.required(fields, "interval", "recurring[interval]"), "recurring[interval]", INTERVALS)
    count = p.integer(fields.get("interval_count", 1), "recurring[interval_count]", minimum=1,
                      maximum={"day": 365, "week": 52, "month": 12, "year": 3}[interval])
    if fields.get("usage_type", "licensed") != "licensed":
        raise unsupported_parameter("recurring[usage_type]")
    trial = fields.get("trial_period_days")
    return {
        "interval": interval,
        "interval_count": count,
        "meter": None,
        "trial_period_days": None if trial in (None, "") else p.integer(trial, "recurring[trial_period_days]",
                                                                        minimum=1),
        "usage_type": "licensed",
    }


def unit_decimal(price: dict):
    """The price per unit as ``Decimal`` (minor units, may have fractions)."""
    from decimal import Decimal

    return Decimal(price["unit_amount_decimal"])
