"""Test payment methods the sandbox understands, like Stripe's test mode ``pm_card_*`` IDs.

An unknown ``pm_...`` ID behaves like ``pm_card_visa``; a customer, subscription or invoice with
no payment method at all is charged with ``pm_card_visa`` too (real Stripe would fail with no
payment method: the sandbox assumes one is on file). ``pm_card_createDispute`` succeeds and the
charge is disputed (``fraudulent``) right after, as Stripe's 4000000000000259 card does.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT = "pm_card_visa"


@dataclass(frozen=True)
class TestCard:
    brand: str
    last4: str
    funding: str = "credit"
    country: str = "US"
    decline_code: str | None = None  # None = the charge succeeds
    dispute: bool = False


CARDS = {
    "pm_card_visa": TestCard("visa", "4242"),
    "pm_card_visa_debit": TestCard("visa", "5556", funding="debit"),
    "pm_card_mastercard": TestCard("mastercard", "4444"),
    "pm_card_amex": TestCard("amex", "8431"),
    "pm_card_gb": TestCard("visa", "0003", country="GB"),
    "pm_card_jp": TestCard("visa", "0003", country="JP"),
    "pm_card_chargeDeclined": TestCard("visa", "0002", decline_code="generic_decline"),
    "pm_card_visa_chargeDeclined": TestCard("visa", "0002", decline_code="generic_decline"),
    "pm_card_chargeDeclinedInsufficientFunds": TestCard("visa", "9995", decline_code="insufficient_funds"),
    "pm_card_chargeDeclinedExpiredCard": TestCard("visa", "0069", decline_code="expired_card"),
    "pm_card_chargeCustomerFail": TestCard("visa", "0341", decline_code="generic_decline"),
    "pm_card_createDispute": TestCard("visa", "0259", dispute=True),
}

DECLINE_MESSAGES = {
    "generic_decline": ("card_declined", "Your card was declined."),
    "insufficient_funds": ("card_declined", "Your card has insufficient funds."),
    "expired_card": ("expired_card", "Your card has expired."),
}


def card_for(payment_method: str | None) -> TestCard:
    return CARDS.get(payment_method or DEFAULT, CARDS[DEFAULT])
