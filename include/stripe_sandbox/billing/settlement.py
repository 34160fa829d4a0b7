"""When funds become available and when daily automatic payouts happen (UTC).

Charges become available at 00:00 UTC two days after the day they were made (Stripe's standard
2-day schedule for US accounts, in calendar days). Refunds, dispute withdrawals and reversals and
payouts themselves are available immediately. Every day at 00:00 UTC an automatic payout takes
everything available and not yet paid out; it is ``in_transit`` until it arrives one day later,
then ``paid`` and its reconciliation is ``completed``. A day whose available sum is zero or
negative makes no payout: those transactions wait for the next positive one (Stripe would debit
the bank account instead).

ACH Direct Debit (``us_bank_account``) payments are processing for 4 business days: "Standard
settlement timing is ... 4 business days for users on the PaymentIntents API"
(support.stripe.com/questions/ach-direct-debit-payment-settlement-time), "It can take up to 4
business days to receive acknowledgement of success or failure"
(docs.stripe.com/payments/ach-direct-debit#timing). The sandbox settles each one (succeeds or
fails) exactly 4 business days after it was confirmed, same time of day, counting Monday to Friday
in UTC (no bank holidays); its balance transaction becomes available at the next 00:00 UTC after
that, so a payout never holds a payment whose outcome is not known yet.

Asynchronous card refunds (the test cards ``pm_card_refundFail`` and ``pm_card_pendingRefund``) learn their
outcome 5 business days after they were created, same time of day: the start of the time Stripe gives
for a refund to reach the customer ("Depending on the bank's processing time, it can take anywhere from
5-10 business days to show up on your customer's bank account",
support.stripe.com/questions/customer-refund-processing-time), which is when a closed card's issuer
would send it back. Stripe's test mode documents no delay ("fails asynchronously"); the sandbox picks
one long enough for the refund to be synced, and paid out, before it fails.
"""

from __future__ import annotations

from stripe_sandbox.billing.periods import DAY, start_of_day

AVAILABLE_AFTER_DAYS = 2
ARRIVAL_DAYS = 1


def charge_available_on(created: int) -> int:
    return start_of_day(created) + AVAILABLE_AFTER_DAYS * DAY


def next_payout_run(available_on: int) -> int:
    """The first daily payout run (a midnight) at or after ``available_on``."""
    day = start_of_day(available_on)
    return day if day == available_on else day + DAY


def arrival(payout_created: int) -> int:
    return start_of_day(payout_created) + ARRIVAL_DAYS * DAY


ACH_SETTLEMENT_BUSINESS_DAYS = 4
SATURDAY = 5  # datetime.weekday()


def add_business_days(moment: int, days: int) -> int:
    """``moment`` moved forward by ``days`` business days (Monday-Friday, UTC), same time of day."""
    from datetime import datetime, timezone

    when = moment
    left = days
    while left > 0:
        when += DAY
        if datetime.fromtimestamp(when, timezone.utc).weekday() < SATURDAY:
            left -= 1
    return when


def ach_settles_at(confirmed: int) -> int:
    return add_business_days(confirmed, ACH_SETTLEMENT_BUSINESS_DAYS)


REFUND_OUTCOME_BUSINESS_DAYS = 5


def refund_settles_at(created: int) -> int:
    """When an asynchronous card refund fails or succeeds (5 business days after it was created)."""
    return add_business_days(created, REFUND_OUTCOME_BUSINESS_DAYS)


def ach_available_on(confirmed: int) -> int:
    """00:00 UTC after the payment settles."""
    return start_of_day(ach_settles_at(confirmed)) + DAY
