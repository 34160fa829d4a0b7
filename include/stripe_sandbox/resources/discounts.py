"""Discount objects (``di_``): a coupon applied to a subscription, invoice or invoice item.

Not an endpoint of their own (as in Stripe): they appear as IDs in ``discounts`` lists and are
expandable (``expand[]=discounts``, ``discounts.source.coupon``). Applying a coupon or promotion
code redeems it (``times_redeemed`` +1, recorded as ``coupon.updated`` / ``promotion_code.updated``).
``repeating`` coupons end ``duration_in_months`` after the discount starts; ``once`` coupons apply
to one invoice; ``forever`` ones never end.
"""

from __future__ import annotations

from stripe_sandbox.billing.periods import months_after
from stripe_sandbox.errors import invalid_request
from stripe_sandbox.forms import as_dict, as_list, as_str
from stripe_sandbox.resources.base import Resource
from stripe_sandbox.state import WriteContext

SPEC_KEYS = ("coupon", "promotion_code", "discount")


class Discounts(Resource):
    object_name = "discount"
    prefix = "di"
    expandable = frozenset({"customer", "promotion_code", "source.coupon"})

    def apply_list(self, value, *, param: str, customer: str | None, currency: str | None, ctx: WriteContext,
                   scope: dict, amount: int | None = None) -> list[str]:
        """Parse a ``discounts`` param (``""`` clears) and return the discount IDs, creating new ones."""
        if value == "":
            return []
        ids = []
        for index, item in enumerate(as_list(value, param)):
            spec = as_dict(item, f"{param}[{index}]")
            ids.append(self.apply(spec, param=f"{param}[{index}]", customer=customer, currency=currency, ctx=ctx,
                                  scope=scope, amount=amount))
        if len(set(ids)) != len(ids):
            raise invalid_request("The same discount cannot be applied twice.", param=param)
        return ids

    def apply(self, spec: dict, *, param: str, customer: str | None, currency: str | None, ctx: WriteContext,
              scope: dict, amount: int | None = None) -> str:
        given = [key for key in SPEC_KEYS if spec.get(key)]
        unknown = [key for key in spec if key not in SPEC_KEYS]
        if unknown or len(given) != 1:
            raise invalid_request("Each discount needs exactly one of coupon, promotion_code or discount.",
                                  param=param)
        kind = given[0]
        value = as_str(spec[kind], f"{param}[{kind}]")
        if kind == "discount":
            self.ref(value, f"{param}[discount]")
            return value
        promo_id = None
        if kind == "promotion_code":
            promo = self.other("promotion_code").check_redeemable(value, customer, amount, currency, ctx.now,
                                                                  f"{param}[promotion_code]")
            promo_id, coupon_id = value, promo["promotion"]["coupon"]
        else:
            coupon_id = value
        coupon = self.other("coupon").check_redeemable(coupon_id, ctx.now, f"{param}[{kind}]")
        if coupon["amount_off"] is not None and currency is not None and coupon["currency"] != currency:
            raise invalid_request(
                f"The coupon {coupon_id} is for {coupon['currency']} and cannot apply to a {currency} amount.",
                param=f"{param}[{kind}]",
            )
        end = months_after(ctx.now, coupon["duration_in_months"]) if coupon["duration"] == "repeating" else None
        discount = {
            "id": self.new_id(),
            "object": "discount",
            "checkout_session": None,
            "customer": customer,
            "customer_account": None,
            "end": end,
            "invoice": scope.get("invoice"),
            "invoice_item": scope.get("invoice_item"),
            "promotion_code": promo_id,
            "source": {"coupon": coupon_id, "type": "coupon"},
            "start": ctx.now,
            "subscription": scope.get("subscription"),
            "subscription_item": scope.get("subscription_item"),
        }
        self.insert(discount, ctx, action=None)
        self.other("coupon").redeem(coupon_id, ctx)
        if promo_id:
            self.other("promotion_code").redeem(promo_id, ctx)
        return discount["id"]

    def attach(self, discount_id: str, ctx: WriteContext, **scope) -> None:
        """Fill in where a discount ended up (e.g. the invoice a draft created with it got)."""
        record = self.record(discount_id)
        after = {**record.data, **{k: v for k, v in scope.items() if record.data.get(k) is None}}
        self.replace(record, after, ctx, action=None)

    def coupon_of(self, discount_id: str) -> dict:
        coupon_id = self.record(discount_id).data["source"]["coupon"]
        return self.state.store.get("coupon", coupon_id).data  # deleted coupons keep applying, as Stripe does

    def active_at(self, discount_id: str, moment: int) -> bool:
        end = self.record(discount_id).data["end"]
        return end is None or moment < end
