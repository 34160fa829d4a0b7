"""Conversion to the settlement currency (USD) at fixed, documented rates.

``exchange_rate`` follows Stripe's definition: amount in currency A × rate = amount in currency
B, in major units (10.00 EUR at 1.08 -> 10.80 USD). Minor units differ by the currencies'
exponents (¥1000 at 0.0067 -> 6.70 USD = 670 cents). Rates are fixed so scenarios repeat; the
result is rounded ROUND_HALF_UP to a cent.
"""

from __future__ import annotations

from decimal import Decimal, localcontext

from stripe_sandbox.billing.currency import exponent
from stripe_sandbox.billing.money import round_to
from stripe_sandbox.errors import invalid_request

SETTLEMENT_CURRENCY = "usd"

TO_USD = {  # 1 unit of the currency in USD
    "usd": Decimal("1"),
    "eur": Decimal("1.08"),
    "gbp": Decimal("1.27"),
    "chf": Decimal("1.12"),
    "cad": Decimal("0.73"),
    "aud": Decimal("0.66"),
    "nzd": Decimal("0.61"),
    "sek": Decimal("0.095"),
    "nok": Decimal("0.093"),
    "dkk": Decimal("0.145"),
    "pln": Decimal("0.25"),
    "czk": Decimal("0.043"),
    "mxn": Decimal("0.058"),
    "brl": Decimal("0.18"),
    "inr": Decimal("0.012"),
    "sgd": Decimal("0.74"),
    "hkd": Decimal("0.128"),
    "jpy": Decimal("0.0067"),
    "krw": Decimal("0.00073"),
    "clp": Decimal("0.00105"),
    "vnd": Decimal("0.000039"),
    "kwd": Decimal("3.25"),
    "bhd": Decimal("2.65"),
    "jod": Decimal("1.41"),
    "omr": Decimal("2.60"),
    "tnd": Decimal("0.32"),
}


def supported(currency: str) -> bool:
    return currency.lower() in TO_USD


def check_supported(currency: str, param: str = "currency") -> str:
    currency = currency.lower()
    if currency not in TO_USD:
        raise invalid_request(
            f"Invalid currency: {currency}. The Stripe sandbox supports: {', '.join(sorted(TO_USD))}.", param=param
        )
    return currency


def rate(currency: str, settlement: str = SETTLEMENT_CURRENCY) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 28
        return TO_USD[currency.lower()] / TO_USD[settlement]


def convert(amount: int, currency: str, settlement: str = SETTLEMENT_CURRENCY) -> tuple[int, Decimal | None]:
    """``(amount in settlement minor units, exchange_rate or None when no conversion happened)``."""
    currency = currency.lower()
    if currency == settlement:
        return amount, None
    fx = rate(currency, settlement)
    with localcontext() as ctx:
        ctx.prec = 50
        scaled = Decimal(amount) * fx * Decimal(10) ** (exponent(settlement) - exponent(currency))
    return round_to(scaled), fx
