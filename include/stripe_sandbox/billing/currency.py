"""Currency decimals (Stripe's "Supported currencies" page) and the step a charge amount must respect.

All API amounts are integers in the currency's minor unit: cents for two-decimal currencies,
whole units for zero-decimal ones (500 = ¥500), thousandths for three-decimal ones (5124 =
5.124 KWD). Stripe: "The API supports three-decimal currencies for the standard payment flows,
including Payment Intents, Refunds, and Disputes. However, to ensure compatibility with Stripe's
payments partners, these API calls require the least-significant (last) digit to be 0." ISK is
two-decimal in the API but charged amounts must be divisible by 100.
"""

from __future__ import annotations

from stripe_sandbox.errors import invalid_request

ZERO_DECIMAL = frozenset(
    {"bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv", "xaf", "xof", "xpf"}
)
THREE_DECIMAL = frozenset({"bhd", "jod", "kwd", "omr", "tnd"})
CHARGE_STEP = {**{c: 10 for c in THREE_DECIMAL}, "isk": 100}


def exponent(currency: str) -> int:
    """Digits after the decimal point in the minor unit: 0, 2 or 3."""
    currency = currency.lower()
    if currency in ZERO_DECIMAL:
        return 0
    if currency in THREE_DECIMAL:
        return 3
    return 2


def step(currency: str) -> int:
    """The granularity of chargeable amounts (10 for three-decimal currencies, else 1)."""
    return CHARGE_STEP.get(currency.lower(), 1)


def check_amount(amount: int, currency: str, param: str = "amount") -> int:
    """Reject an amount a charge, refund or dispute in ``currency`` cannot carry (e.g. 5124 KWD)."""
    granularity = step(currency)
    if amount % granularity:
        raise invalid_request(
            f"Invalid {param}: amounts in {currency.upper()} must be divisible by {granularity} "
            f"(the last digit must be 0 for this currency). Round {amount} to {amount - amount % granularity} "
            f"or {amount - amount % granularity + granularity}.",
            param=param,
            code="amount_invalid",
        )
    return amount
