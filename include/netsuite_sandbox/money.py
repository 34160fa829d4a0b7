"""Money in the sandbox: ``Decimal`` only, rounded like NetSuite.

* Amounts arrive as JSON numbers parsed with ``parse_float=Decimal`` (``jsonio``), as numeric
  strings, or (SOAP) as ``xsd:double`` text; none of them ever becomes a float.
* Every amount is rounded to its currency's precision (``currencyPrecision``: USD 2, JPY 0,
  KWD 3) with ROUND_HALF_UP, as NetSuite rounds; more decimals than the currency allows are
  rounded, not refused (``10.005`` USD -> ``10.01``; ``100.4`` JPY -> ``100``).
* Stored amounts are exact decimal text (``"10.01"``); base-currency amounts use the
  subsidiary currency's precision.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

ZERO = Decimal(0)


def dec(value: Any, default: Decimal | None = None) -> Decimal | None:
    """A stored or sent number as Decimal (None stays None unless a default is given)."""
    if value is None or value == "":
        return default
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):  # never produced by the sandbox; tolerated from SQLite reads
        return Decimal(repr(value))
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return default


def quantum(precision: int) -> Decimal:
    return Decimal(1).scaleb(-precision)


def round_money(amount: Decimal, precision: int) -> Decimal:
    """Round half up to ``precision`` decimals (negative amounts round away from zero at .5)."""
    return amount.quantize(quantum(precision), rounding=ROUND_HALF_UP)


def text(amount: Decimal | None) -> str | None:
    """The stored form: plain decimal text, never exponent notation."""
    if amount is None:
        return None
    return format(amount, "f")


def percent(rate: Any) -> Decimal | None:
    """``"-25%"`` -> Decimal("-25"); None when the rate is not a percentage."""
    if isinstance(rate, str) and rate.strip().endswith("%"):
        return dec(rate.strip()[:-1].strip())
    return None
