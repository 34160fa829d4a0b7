"""Money: Stripe's integer minor units <-> exact decimal amounts. Never float.

Stripe amounts are integers in the currency's smallest unit. Most currencies have two
decimals; these have none or three (Stripe, "Supported currencies": "Zero-decimal currencies",
"Three-decimal currencies").
"""

from __future__ import annotations

from decimal import Decimal

ZERO_DECIMAL = frozenset(
    "BIF CLP DJF GNF JPY KMF KRW MGA PYG RWF UGX VND VUV XAF XOF XPF".split()
)
THREE_DECIMAL = frozenset("BHD JOD KWD OMR TND".split())


def exponent(currency: str) -> int:
    code = currency.upper()
    if code in ZERO_DECIMAL:
        return 0
    if code in THREE_DECIMAL:
        return 3
    return 2


def to_decimal(minor_units: int, currency: str) -> Decimal:
    """1234 USD -> Decimal('12.34'); 1234 JPY -> Decimal('1234'); 1234 KWD -> Decimal('1.234')."""
    if isinstance(minor_units, bool) or not isinstance(minor_units, int):
        raise TypeError(f"Stripe amounts are integers in minor units, got {minor_units!r}")
    return Decimal(minor_units).scaleb(-exponent(currency))


def to_minor_units(amount: Decimal, currency: str) -> int:
    """The inverse of ``to_decimal``; refuses amounts finer than the currency allows."""
    if not isinstance(amount, Decimal):
        raise TypeError(f"amounts must be Decimal, got {type(amount).__name__}")
    scaled = amount.scaleb(exponent(currency))
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{amount} has more decimals than {currency.upper()} allows")
    return int(scaled)
