"""Rounding and exact allocation. Never ``float``: ``Decimal`` in, ``int`` minor units out.

Rounding mode: ROUND_HALF_UP (half away from zero), per line. Stripe documents it for fees
("if the fees are 0.025, Stripe rounds them up to 0.03; if they are 0.024, down to 0.02",
support.stripe.com/questions/rounding-rules-for-stripe-fees) and its worked example there rounds
tax per line item the same way (0.0645 -> 0.06, 0.7265 -> 0.73). The sandbox uses the same mode
for proration, discounts and FX conversion. Amounts in three-decimal currencies are rounded to
the currency's charge step (10 thousandths) so every computed total stays chargeable.
"""

from __future__ import annotations

from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal, localcontext

from stripe_sandbox.billing.currency import step

HUNDRED = Decimal(100)


def dec(value) -> Decimal:
    """A ``Decimal`` from an int, a numeric string or a Decimal (floats go through ``str``)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value)


def round_to(value: Decimal, granularity: int = 1) -> int:
    """``value`` rounded half away from zero to a multiple of ``granularity``."""
    with localcontext() as ctx:
        ctx.prec = 50
        units = (value / granularity).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        return int(units) * granularity


def round_minor(value: Decimal, currency: str) -> int:
    return round_to(value, step(currency))


def percent_of(amount: int, percent, currency: str) -> int:
    with localcontext() as ctx:
        ctx.prec = 50
        return round_minor(Decimal(amount) * dec(percent) / HUNDRED, currency)


def allocate(total: int, weights: list[int], granularity: int = 1) -> list[int]:
    """Split ``total`` over ``weights`` proportionally; shares are multiples of ``granularity``, sum exactly.

    Largest-remainder method: floor every share, then hand the leftover steps to the largest
    remainders (ties to the earliest). ``total`` must itself be a multiple of ``granularity``.
    """
    weight_sum = sum(weights)
    if not weights or weight_sum == 0:
        return [0] * len(weights)
    steps = total // granularity
    with localcontext() as ctx:
        ctx.prec = 50
        exact = [Decimal(steps) * w / weight_sum for w in weights]
        floors = [int(x.to_integral_value(rounding=ROUND_FLOOR)) for x in exact]
    leftover = steps - sum(floors)
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:leftover]:
        floors[i] += 1
    return [f * granularity for f in floors]


def as_json_number(value: Decimal) -> int | float:
    """Stripe serves rates and percentages as JSON numbers: ``19`` or ``8.875``."""
    return int(value) if value == value.to_integral_value() else float(value)
