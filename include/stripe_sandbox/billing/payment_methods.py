"""Test payment methods the sandbox understands, like Stripe's test mode ``pm_card_*`` IDs.

Cards settle at once. US bank accounts (ACH Direct Debit, ``pm_usBankAccount_*``) are Stripe's
documented test tokens (docs.stripe.com/payments/ach-direct-debit/accept-a-payment, "Test account
numbers": token, account number, routing number 110000000, behaviour); ``pm_usBankAccount`` is
accepted too, as the success token. Their payments are *processing* until they settle
(``billing.settlement.ach_settles_at``), then succeed or fail with the documented reason; the
failure codes and messages are Stripe's error codes (docs.stripe.com/error-codes: ``account_closed``
"The customer's bank account has been closed.", ``no_account`` "The bank account could not be
located.", ``insufficient_funds``, ``debit_not_authorized``). The documented tokens whose
behaviour the sandbox does not model (invalid currency, failed microdeposits, dispute) answer 400.

An unknown ``pm_...`` ID behaves like ``pm_card_visa``; a customer, subscription or invoice with
no payment method at all is charged with ``pm_card_visa`` too (real Stripe would fail with no
payment method: the sandbox assumes one is on file). ``pm_card_createDispute`` succeeds and the
charge is disputed (``fraudulent``) right after, as Stripe's 4000000000000259 card does;
``pm_card_createDisputeInquiry`` (Stripe's 4000000000001976, "with a dispute inquiry",
docs.stripe.com/testing#disputes) succeeds and gets an inquiry (``warning_needs_response``, nothing withdrawn).

Asynchronous refunds ("Testing async refunds", docs.stripe.com/testing#refunds): ``pm_card_refundFail``
(4000000000005126) "Charge succeeds but refunding a captured charge fails asynchronously with a
failure_reason of expired_or_canceled_card [...] the refund will appear to be successful at first and will only
have the failed status on subsequent fetches"; ``pm_card_pendingRefund`` (4000000000007726): its refunds start
``pending`` and later become ``succeeded``. When the sandbox settles them: ``resources/refunds.py``.
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
    dispute: str | None = None  # "chargeback" or "inquiry": disputed right after it succeeds
    refund: str | None = None  # "fail": refunds succeed, then fail; "pending": refunds pending, then succeed


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
    "pm_card_createDispute": TestCard("visa", "0259", dispute="chargeback"),
    "pm_card_createDisputeInquiry": TestCard("visa", "1976", dispute="inquiry"),
    "pm_card_refundFail": TestCard("visa", "5126", refund="fail"),
    "pm_card_pendingRefund": TestCard("visa", "7726", refund="pending"),
}

DECLINE_MESSAGES = {
    "generic_decline": ("card_declined", "Your card was declined."),
    "insufficient_funds": ("card_declined", "Your card has insufficient funds."),
    "expired_card": ("expired_card", "Your card has expired."),
}


def card_for(payment_method: str | None) -> TestCard:
    return CARDS.get(payment_method or DEFAULT, CARDS[DEFAULT])


# -- US bank accounts (ACH Direct Debit) -------------------------------------------------------
ACH = "us_bank_account"
TEST_BANK_NAME = "STRIPE TEST BANK"
TEST_ROUTING_NUMBER = "110000000"


@dataclass(frozen=True)
class TestBankAccount:
    account_number: str
    failure_code: str | None = None  # None = the payment succeeds when it settles
    settles: bool = True  # False: stays processing indefinitely (pm_usBankAccount_processing)

    @property
    def last4(self) -> str:
        return self.account_number[-4:]


BANK_ACCOUNTS = {
    "pm_usBankAccount_success": TestBankAccount("000123456789"),
    "pm_usBankAccount": TestBankAccount("000123456789"),
    "pm_usBankAccount_accountClosed": TestBankAccount("000111111113", failure_code="account_closed"),
    "pm_usBankAccount_noAccount": TestBankAccount("000111111116", failure_code="no_account"),
    "pm_usBankAccount_insufficientFunds": TestBankAccount("000222222227", failure_code="insufficient_funds"),
    "pm_usBankAccount_debitNotAuthorized": TestBankAccount("000333333335", failure_code="debit_not_authorized"),
    "pm_usBankAccount_processing": TestBankAccount("000000000009", settles=False),
}
NOT_MODELLED = ("pm_usBankAccount_invalidCurrency", "pm_usBankAccount_failMicrodeposits", "pm_usBankAccount_dispute")

ACH_FAILURE_MESSAGES = {
    "account_closed": "The customer's bank account has been closed.",
    "no_account": "The bank account could not be located.",
    "insufficient_funds": "The customer's account has insufficient funds to cover this payment.",
    "debit_not_authorized": "The customer has notified their bank that this payment was unauthorized.",
}


def is_bank_account(payment_method: str | None) -> bool:
    return bool(payment_method) and payment_method.startswith("pm_usBankAccount")


def bank_account_for(payment_method: str) -> TestBankAccount:
    """The test bank account behind ``payment_method``; 400 for a token the sandbox does not model."""
    from stripe_sandbox.errors import invalid_request

    account = BANK_ACCOUNTS.get(payment_method)
    if account is None:
        known = ", ".join(BANK_ACCOUNTS)
        what = "does not model" if payment_method in NOT_MODELLED else "does not know"
        raise invalid_request(f"The Stripe sandbox {what} the test payment method {payment_method}; "
                              f"use one of: {known}.", param="payment_method", code="resource_missing")
    return account
