"""Promotion codes: customer-facing codes for a coupon; create, retrieve, update, list."""

from __future__ import annotations

import string

from stripe_sandbox.errors import invalid_request, unsupported_parameter
from stripe_sandbox.forms import as_str
from stripe_sandbox.resources import filters as f
from stripe_sandbox.resources import params as p
from stripe_sandbox.resources.base import Resource, Route
from stripe_sandbox.state import WriteContext

CREATE = frozenset({"promotion", "code", "active", "customer", "expires_at", "max_redemptions", "metadata",
                    "restrictions"})
UPDATE = frozenset({"active", "metadata"})


class PromotionCodes(Resource):
    object_name = "promotion_code"
    prefix = "promo"
    url = "/v1/promotion_codes"
    expandable = frozenset({"customer", "promotion.coupon"})
    filters = {
        "active": f.boolean("active"),
        "code": f.equals("code"),
        "coupon": f.equals("coupon", "promotion.coupon"),
        "customer": f.equals("customer"),
    }

    def routes(self) -> list[Route]:
        return self.crud_routes()

    def create(self, params: dict, ctx: WriteContext) -> dict:
        if "customer_account" in params:
            raise unsupported_parameter("customer_account")
        self.only(params, CREATE)
        promotion = p.hash_of(p.required(params, "promotion"), "promotion", ("type", "coupon"))
        if promotion.get("type", "coupon") != "coupon":
            raise invalid_request("promotion[type] must be coupon.", param="promotion[type]")
        coupon_id = as_str(p.required(promotion, "coupon", "promotion[coupon]"), "promotion[coupon]")
        self.other("coupon").ref(coupon_id, "promotion[coupon]")
        code = as_str(params["code"], "code") if params.get("code") else \
            self.state.ids.token("promotion_code", string.ascii_uppercase + string.digits, 8)
        if any(r.data["code"].lower() == code.lower() and r.data["active"] for r in self.state.store.ascending(
                self.object_name)):
            raise invalid_request(f"An active promotion code with code: {code} already exists.", param="code")
        restrictions = {"first_time_transaction": False, "minimum_amount": None, "minimum_amount_currency": None}
        if params.get("restrictions"):
            given = p.hash_of(params["restrictions"], "restrictions",
                              ("first_time_transaction", "minimum_amount", "minimum_amount_currency"))
            if "first_time_transaction" in given:
                restrictions["first_time_transaction"] = p.boolean(given["first_time_transaction"],
                                                                   "restrictions[first_time_transaction]")
            if "minimum_amount" in given:
                restrictions["minimum_amount"] = p.integer(given["minimum_amount"], "restrictions[minimum_amount]",
                                                           minimum=0)
                restrictions["minimum_amount_currency"] = p.currency(
                    p.required(given, "minimum_amount_currency", "restrictions[minimum_amount_currency]"))
        promo = {
            "id": self.new_id(),
            "object": "promotion_code",
            "active": p.boolean(params["active"], "active") if "active" in params else True,
            "code": code,
            "created": ctx.now,
            "customer": as_str(params["customer"], "customer") if params.get("customer") else None,
            "customer_account": None,
            "expires_at": p.integer(params["expires_at"], "expires_at") if params.get("expires_at") else None,
            "livemode": False,
            "max_redemptions": p.integer(params["max_redemptions"], "max_redemptions", minimum=1)
            if params.get("max_redemptions") else None,
            "metadata": p.metadata({}, params["metadata"]) if "metadata" in params else {},
            "promotion": {"coupon": coupon_id, "type": "coupon"},
            "restrictions": restrictions,
            "times_redeemed": 0,
        }
        return self.insert(promo, ctx).data

    def update(self, promo_id: str, params: dict, ctx: WriteContext) -> dict:
        record = self.record(promo_id)
        self.only(params, UPDATE)
        after = dict(record.data)
        if "active" in params:
            after["active"] = p.boolean(params["active"], "active")
        if "metadata" in params:
            after["metadata"] = p.metadata(after["metadata"], params["metadata"])
        self.replace(record, after, ctx)
        return record.data

    # -- used by discounts ---------------------------------------------------------------
    def check_redeemable(self, promo_id: str, customer_id: str | None, amount: int | None, currency: str | None,
                         now: int, param: str) -> dict:
        record = self.state.store.get(self.object_name, promo_id)
        if record is None:
            raise invalid_request(f"No such promotion code: '{promo_id}'", param=param, code="resource_missing")
        promo = record.data
        expired = promo["expires_at"] is not None and now > promo["expires_at"]
        used_up = promo["max_redemptions"] is not None and promo["times_redeemed"] >= promo["max_redemptions"]
        if not promo["active"] or expired or used_up:
            raise invalid_request(f"Promotion code {promo['code']} is not active.", param=param,
                                  code="promotion_code_inactive" if not expired else "coupon_expired")
        if promo["customer"] is not None and promo["customer"] != customer_id:
            raise invalid_request("This promotion code cannot be redeemed by this customer.", param=param,
                                  code="promotion_code_customer_not_eligible")
        minimum = promo["restrictions"]["minimum_amount"]
        if minimum is not None and amount is not None and currency == promo["restrictions"]["minimum_amount_currency"] \
                and amount < minimum:
            raise invalid_request("This promotion code requires a minimum amount.", param=param,
                                  code="promotion_code_minimum_amount")
        return promo

    def redeem(self, promo_id: str, ctx: WriteContext) -> None:
        record = self.record(promo_id)
        self.replace(record, {**record.data, "times_redeemed": record.data["times_redeemed"] + 1}, ctx)
