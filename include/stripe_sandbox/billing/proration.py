"""Proration by the second, as Stripe does: ``amount × (period_end − t) / (period_end − period_start)``.

A change at ``t`` inside the period [start, end) credits the unused time of the old price (a
negative line) and charges the remaining time of the new one; each line is rounded on its own
(ROUND_HALF_UP to the currency's step).
"""

from __future__ import annotations

from decimal import Decimal, localcontext

from stripe_sandbox.billing.money import round_minor


def fraction(start: int, end: int, moment: int) -> Decimal:
    """The share of [start, end) left after ``moment`` (clamped to 0..1)."""
    if end <= start:
        return Decimal(0)
    left = min(max(end - moment, 0), end - start)
    with localcontext() as ctx:
        ctx.prec = 50
        return Decimal(left) / Decimal(end - start)


def prorate(amount: int, start: int, end: int, moment: int, currency: str) -> int:
    with localcontext() as ctx:
        ctx.prec = 50
        return round_minor(Decimal(amount) * fraction(start, end, moment), currency)
