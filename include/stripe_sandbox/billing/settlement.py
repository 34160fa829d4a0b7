"""When funds become available and when daily automatic payouts happen (UTC).

Charges become available at 00:00 UTC two days after the day they were made (Stripe's standard
2-day schedule for US accounts, in calendar days). Refunds, dispute withdrawals and reversals and
payouts themselves are available immediately. Every day at 00:00 UTC an automatic payout takes
everything available and not yet paid out; it is ``in_transit`` until it arrives one day later,
then ``paid`` and its reconciliation is ``completed``. A day whose available sum is zero or
negative makes no payout: those transactions wait for the next positive one (Stripe would debit
the bank account instead).
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
