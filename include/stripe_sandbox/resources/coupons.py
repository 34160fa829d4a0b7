"""Coupons: percent or amount off, once / repeating / forever; create, retrieve, update, delete, list.

Redemptions (a coupon applied to a subscription or invoice) count in ``times_redeemed`` and are
recorded as ``coupon.updated``; a coupon past ``max_redemptions`` or ``redeem_by`` is not ``valid``.
"""

from __future__ import annotations

import string

from stripe_sandbox.billing import currency as money_currency
from stripe_sandbox.billing import fx
from stripe_sandbox.billing.money import as_json_number
from stripe_sandbox.errors import invalid_request, unsupported_parameter
from stripe_sandbox.forms import as_str
from stripe_sandbox.resources import params as p
from stripe_sandbox.resources.base import Resource, Route
from stripe_sandbox.state import WriteContext

CREATE = frozenset({"id", "percent_off", "amount_off", "currency", "duration", "duration_in_months",
                    "max_redemptions", "redeem_by", "name", "metadata", "applies_to"})
UPDATE = frozenset({"name", "metadata"})
DURATIONS = ("once", "repeating", "forever")


class Coupons(Resource):
    object_name = "coupon"
    url = "/v1/coupons"
    expandable = frozenset()

    def routes(self) -> list[Route]:
        return self.crud_routes(deletable=True)

    def new_id(self) -> str:
        return self.state.ids.token("coupon", string.ascii_uppercase + string.digits, 8)

    def create(self, params: dict, ctx: WriteContext) -> dict:
        if "currency_options" in params:
            raise unsupported_parameter("currency_options")
        self.only(params, CREATE)
        coupon_id = as_str(params["id"], "id") if params.get("id") else self.new_id()
        if self.state.store.find(coupon_id) is not None:
            raise invalid_request(f"Coupon already exists: {coupon_id}", param="id", code="resource_already_exists")
        percent, amount, currency = self._value(params)
        duration = p.enum(params.get("duration", "once"), "duration", DURATIONS)
        months = None
        if duration == "repeating":
            months = p.integer(p.required(params, "duration_in_months"), "duration_in_months", minimum=1)
        elif "duration_in_months" in params:
            raise invalid_request("duration_in_months is only valid for repeating coupons.", param="duration_in_months")
        coupon = {
            "id": coupon_id,
            "object": "coupon",
            "amount_off": amount,
            "created": ctx.now,
            "currency": currency,
            "duration": duration,
            "duration_in_months": months,
            "livemode": False,
            "max_redemptions": p.integer(params["max_redemptions"], "max_redemptions", minimum=1)
            if params.get("max_redemptions") not in (None, "") else None,
            "metadata": p.metadata({}, params["metadata"]) if "metadata" in params else {},
            "name": p.nullable_str(params["name"], "name", max_length=40) if "name" in params else None,
            "percent_off": percent,
            "redeem_by": p.integer(params["redeem_by"], "redeem_by") if params.get("redeem_by") else None,
            "times_redeemed": 0,
            "valid": True,
        }
        if params.get("applies_to"):
            fields = p.hash_of(params["applies_to"], "applies_to", ("products",))
            coupon["applies_to"] = {"products": p.str_list(fields.get("products", []), "applies_to[products]")}
        return self.insert(coupon, ctx).data

    @staticmethod
    def _value(params: dict):
        has_percent, has_amount = "percent_off" in params, "amount_off" in params
        if has_percent == has_amount:
            raise invalid_request("Exactly one of percent_off or amount_off is required.", param="percent_off")
        if has_percent:
            percent = p.decimal(params["percent_off"], "percent_off", minimum=0, maximum=100)
            if percent <= 0:
                raise invalid_request("percent_off must be greater than 0.", param="percent_off")
            return as_json_number(percent), None, None
        currency = fx.check_supported(as_str(p.required(params, "currency"), "currency"))
        amount = p.integer(params["amount_off"], "amount_off", minimum=1)
        money_currency.check_amount(amount, currency, "amount_off")
        return None, amount, currency

    def update(self, coupon_id: str, params: dict, ctx: WriteContext) -> dict:
        record = self.record(coupon_id)
        self.only(params, UPDATE)
        after = dict(record.data)
        if "name" in params:
            after["name"] = p.nullable_str(params["name"], "name", max_length=40)
        if "metadata" in params:
            after["metadata"] = p.metadata(after["metadata"], params["metadata"])
        self.replace(record, after, ctx)
        return record.data

    def delete(self, coupon_id: str, ctx: WriteContext) -> dict:
        return self.mark_deleted(self.record(coupon_id), ctx)

    # -- used by discounts ---------------------------------------------------------------
    def check_redeemable(self, coupon_id: str, now: int, param: str) -> dict:
        record = self.state.store.get("coupon", coupon_id)
        if record is None or record.deleted:
            raise invalid_request(f"No such coupon: '{coupon_id}'", param=param, code="resource_missing",
                                  status=400)
        coupon = record.data
        expired = coupon["redeem_by"] is not None and now > coupon["redeem_by"]
        used_up = coupon["max_redemptions"] is not None and coupon["times_redeemed"] >= coupon["max_redemptions"]
        if not coupon["valid"] or expired or used_up:
            raise invalid_request(f"Coupon {coupon_id} is no longer valid.", param=param, code="coupon_expired")
        return coupon

    def redeem(self, coupon_id: str, ctx: WriteContext) -> None:
        record = self.record(coupon_id)
        times = record.data["times_redeemed"] + 1
        maximum = record.data["max_redemptions"]
        self.replace(record, {**record.data, "times_redeemed": times,
                              "valid": maximum is None or times < maximum}, ctx)
