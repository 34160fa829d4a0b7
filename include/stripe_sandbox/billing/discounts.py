"""Discounts (coupons) per line, before tax.

Order: a line's own discounts first, then the invoice's, each on what is left of the line.
``percent_off`` is a share of each eligible line (also of negative proration lines, so a credit
for unused time is the discounted price); ``amount_off`` of a line-level discount is capped at
the line; an invoice-level ``amount_off`` is spread over the eligible positive lines in proportion
to what is left of them (largest remainder, so the shares sum exactly) and capped at their sum.
Eligible: ``discountable`` lines whose product is in the coupon's ``applies_to.products`` (if set);
``amount_off`` coupons only apply to invoices in their currency.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from stripe_sandbox.billing.currency import step
from stripe_sandbox.billing.money import allocate, percent_of


@dataclass
class DiscountLine:
    id: str
    amount: int
    discountable: bool = True
    product: str | None = None
    discounts: list[str] = field(default_factory=list)  # line-level discount IDs


def _eligible(coupon: dict, line: DiscountLine, currency: str) -> bool:
    if not line.discountable:
        return False
    products = (coupon.get("applies_to") or {}).get("products")
    if products and line.product not in products:
        return False
    return coupon.get("amount_off") is None or coupon.get("currency") == currency


def line_discounts(lines: list[DiscountLine], invoice_discounts: list[str], coupon_of: Callable[[str], dict],
                   currency: str) -> dict[str, list[dict]]:
    """``{line id: [{"amount", "discount"}, ...]}`` for every line (empty lists when undiscounted)."""
    left = {line.id: line.amount for line in lines}
    result: dict[str, list[dict]] = {line.id: [] for line in lines}

    def take(line_id: str, discount_id: str, amount: int) -> None:
        if amount:
            result[line_id].append({"amount": amount, "discount": discount_id})
            left[line_id] -= amount

    for line in lines:
        for discount_id in line.discounts:
            coupon = coupon_of(discount_id)
            if not _eligible(coupon, line, currency):
                continue
            if coupon.get("percent_off") is not None:
                take(line.id, discount_id, percent_of(left[line.id], coupon["percent_off"], currency))
            elif left[line.id] > 0:
                take(line.id, discount_id, min(int(coupon["amount_off"]), left[line.id]))
    for discount_id in invoice_discounts:
        coupon = coupon_of(discount_id)
        eligible = [line for line in lines if _eligible(coupon, line, currency)]
        if coupon.get("percent_off") is not None:
            for line in eligible:
                take(line.id, discount_id, percent_of(left[line.id], coupon["percent_off"], currency))
            continue
        positive = [line for line in eligible if left[line.id] > 0]
        granularity = step(currency)
        room = sum(left[line.id] for line in positive)
        total = min(int(coupon["amount_off"]), room)
        total -= total % granularity
        shares = allocate(total, [left[line.id] for line in positive], granularity)
        for line, share in zip(positive, shares):
            take(line.id, discount_id, share)
    return result
