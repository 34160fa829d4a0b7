"""Stripe fees, charged in the settlement currency on the balance transaction.

Card processing: 2.9 % + 30 cents of the settled amount, plus 1 % when the charge was converted
from another currency (Stripe's US list prices for domestic cards and currency conversion). One
``stripe_fee`` entry in ``fee_details``; rounded once, ROUND_HALF_UP. Refunds return no fee.
Disputes: a 15.00 USD fee when funds are withdrawn, given back when the dispute is won.
ACH Direct Debit: 0.8 % capped at 5.00 USD (Stripe's US pricing for ACH Direct Debit), charged on
the pending payment and given back with it when the payment fails (Stripe's separate 4.00 USD
failed-payment fee is not modelled, so a failed payment nets to zero).
"""

from __future__ import annotations

from decimal import Decimal, localcontext

from stripe_sandbox.billing.money import round_to

PERCENT = Decimal("2.9")
FIXED = 30
CONVERSION_PERCENT = Decimal("1")
DISPUTE_FEE = 1500


def fee_detail(amount: int, currency: str, description: str) -> dict:
    return {"amount": amount, "application": None, "currency": currency, "description": description,
            "type": "stripe_fee"}


def card_fee(settled: int, converted: bool) -> int:
    with localcontext() as ctx:
        ctx.prec = 50
        percent = PERCENT + (CONVERSION_PERCENT if converted else 0)
        return round_to(Decimal(settled) * percent / 100 + FIXED)


ACH_PERCENT = Decimal("0.8")
ACH_CAP = 500


def ach_fee(amount: int) -> int:
    with localcontext() as ctx:
        ctx.prec = 50
        return min(round_to(Decimal(amount) * ACH_PERCENT / 100), ACH_CAP)
