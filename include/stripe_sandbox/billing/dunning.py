"""Automatic collection: when a failed invoice payment is retried, and what happens after the last try.

Stripe's Smart Retries pick the times with a model (default: up to 8 tries within 2 weeks); the
sandbox uses a fixed custom schedule instead, so histories repeat: retries 1, 3 and 5 days after
the previous failed attempt (4 attempts over 9 days). When the last retry fails the invoice is
marked uncollectible and, for a subscription invoice, the subscription is canceled
(``cancellation_details.reason = payment_failed``), i.e. the Dashboard settings "mark the invoice
as uncollectible" + "cancel the subscription". A subscription's first invoice is not retried:
the subscription stays ``incomplete`` and expires after 23 hours unless paid.
Draft invoices with ``auto_advance`` finalize one hour after creation (Stripe: "about an hour").
"""

from __future__ import annotations

from stripe_sandbox.billing.periods import DAY

RETRY_DELAYS = (1 * DAY, 3 * DAY, 5 * DAY)
AUTO_FINALIZE_DELAY = 3600
INCOMPLETE_EXPIRY = 23 * 3600


def next_attempt(failed_attempts: int, failed_at: int) -> int | None:
    """When to try again after ``failed_attempts`` failures (the last at ``failed_at``); None = give up."""
    if 1 <= failed_attempts <= len(RETRY_DELAYS):
        return failed_at + RETRY_DELAYS[failed_attempts - 1]
    return None
