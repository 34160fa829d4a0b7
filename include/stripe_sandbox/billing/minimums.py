"""Stripe's minimum charge amounts: an invoice due less is not charged.

Stripe marks such an invoice paid and moves the amount due to the customer's balance as a debit
(customer balance transaction ``invoice_too_small``); the next invoice carries it. Amounts are in
the currency's minor units; any currency Stripe's table does not list needs what converts to 0.50 USD.
"""

from __future__ import annotations

from stripe_sandbox.billing import fx

MINIMUM_CHARGE = {
    "usd": 50, "aed": 200, "aud": 50, "bgn": 100, "brl": 50, "cad": 50, "chf": 50, "czk": 1500, "dkk": 250,
    "eur": 50, "gbp": 30, "hkd": 400, "huf": 17500, "inr": 50, "jpy": 50, "mxn": 1000, "myr": 200, "nok": 300,
    "nzd": 50, "pln": 200, "ron": 200, "sek": 300, "sgd": 50, "thb": 1000,
}
MINIMUM_CHARGE_USD = 50


def below_minimum_charge(amount: int, currency: str) -> bool:
    """Whether a positive ``amount`` is too small for Stripe to charge in ``currency``."""
    if amount <= 0:
        return False
    currency = currency.lower()
    if currency in MINIMUM_CHARGE:
        return amount < MINIMUM_CHARGE[currency]
    return fx.convert(amount, currency)[0] < MINIMUM_CHARGE_USD
