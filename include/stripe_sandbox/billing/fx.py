"""Conversion to the settlement currency (USD) at fixed, documented rates.

``exchange_rate`` follows Stripe's definition: amount in currency A × rate = amount in currency
B, in major units (10.00 EUR at 1.08 -> 10.80 USD). Minor units differ by the currencies'
exponents (¥1000 at 0.0067 -> 6.70 USD = 670 cents). Rates are fixed so scenarios repeat; the
result is rounded ROUND_HALF_UP to a cent.

Disputes are converted at the rate of their own day (``rate_on`` / ``convert_on``): "If a
currency-converted payment is disputed or refunded, the amount you received is converted back to
the presentment currency at the current exchange rate. Exchange rates fluctuate with the market, so
the rate used during the payment often differs from the rate used when a dispute or refund occurs"
(docs.stripe.com/currencies/disputes-refunds). The day's rate is the fixed rate moved by a drift of
0.50 % to 2.99 %, up or down, drawn from a hash of the currency and the UTC day: deterministic (the
same day always gives the same rate, whatever the seed) and never equal to the fixed rate, so a
dispute's balance transactions never share the charge's ``exchange_rate`` and a connector cannot
get away with assuming they do. Day rates keep 6 significant digits. Refunds still use the fixed
rate (the charge's): the existing scenarios' refund amounts stay as they were; a deliberate
difference from Stripe, listed in the README.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal, localcontext
from functools import lru_cache

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


DAY = 86400
DRIFT_MIN_BASIS_POINTS = 50  # 0.50 %
DRIFT_SPAN_BASIS_POINTS = 250  # up to 2.99 %


@lru_cache(maxsize=4096)
def _day_rate(currency: str, day: int) -> Decimal:
    digest = hashlib.sha256(f"{currency}:{day}".encode()).digest()
    basis_points = DRIFT_MIN_BASIS_POINTS + int.from_bytes(digest[:4], "big") % DRIFT_SPAN_BASIS_POINTS
    drift = Decimal(basis_points if digest[4] % 2 else -basis_points) / 10000
    with localcontext() as ctx:
        ctx.prec = 6
        return +(TO_USD[currency] * (1 + drift))


def rate_on(currency: str, moment: int, settlement: str = SETTLEMENT_CURRENCY) -> Decimal:
    """The market rate of ``currency`` on the UTC day of ``moment`` (the fixed rate for the settlement currency)."""
    currency = currency.lower()
    if currency == settlement:
        return Decimal(1)
    return _day_rate(currency, moment // DAY) / TO_USD[settlement]


def convert_on(amount: int, currency: str, moment: int,
               settlement: str = SETTLEMENT_CURRENCY) -> tuple[int, Decimal | None]:
    """``convert`` at the rate of the day of ``moment`` (``(amount, None)`` when no conversion happens)."""
    currency = currency.lower()
    if currency == settlement:
        return amount, None
    fx = rate_on(currency, moment, settlement)
    with localcontext() as ctx:
        ctx.prec = 50
        scaled = Decimal(amount) * fx * Decimal(10) ** (exponent(settlement) - exponent(currency))
    return round_to(scaled), fx
