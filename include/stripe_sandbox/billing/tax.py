"""Tax rates on a line: exclusive (added on top) and inclusive (contained in the price), rounded per line.

The base is the line amount after its discounts. Exclusive: ``tax = base × p / 100``. Inclusive
(all inclusive rates of the line together, total ``P``): ``tax_i = base × p_i / (100 + P)``; the
``taxable_amount`` is then the base net of inclusive tax. Each tax amount is rounded on its own
(ROUND_HALF_UP). Customers with ``tax_exempt=exempt`` get zero tax ("customer_exempt"), with
``reverse`` zero tax ("reverse_charge"); the rate is still listed, as Stripe does.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, localcontext

from stripe_sandbox.billing.money import HUNDRED, round_minor


@dataclass(frozen=True)
class Rate:
    id: str
    percentage: Decimal
    inclusive: bool


def _entry(amount: int, rate: Rate, reason: str, taxable: int) -> dict:
    return {
        "amount": amount,
        "tax_behavior": "inclusive" if rate.inclusive else "exclusive",
        "tax_rate_details": {"tax_rate": rate.id},
        "taxability_reason": reason,
        "taxable_amount": taxable,
        "type": "tax_rate_details",
    }


def line_taxes(base: int, rates: list[Rate], currency: str, tax_exempt: str | None = "none") -> list[dict]:
    if not rates:
        return []
    if tax_exempt in ("exempt", "reverse"):
        reason = "customer_exempt" if tax_exempt == "exempt" else "reverse_charge"
        return [_entry(0, rate, reason, 0 if tax_exempt == "exempt" else base) for rate in rates]
    inclusive = [rate for rate in rates if rate.inclusive]
    with localcontext() as ctx:
        ctx.prec = 50
        inclusive_total = sum((rate.percentage for rate in inclusive), Decimal(0))
        inclusive_amounts = {
            rate.id: round_minor(Decimal(base) * rate.percentage / (HUNDRED + inclusive_total), currency)
            for rate in inclusive
        }
        net = base - sum(inclusive_amounts.values())
        entries = []
        for rate in rates:
            reason = "standard_rated" if rate.percentage else "zero_rated"
            if rate.inclusive:
                entries.append(_entry(inclusive_amounts[rate.id], rate, reason, net))
            else:
                entries.append(_entry(round_minor(Decimal(net) * rate.percentage / HUNDRED, currency), rate, reason,
                                      net))
    return entries
