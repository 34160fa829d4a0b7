"""Records NetSuite (or mapping) refused, kept per flow until a later run loads them.

Stored as JSON in the Airflow Variable ``stripe_netsuite.retry_queue.<flow>``: one entry per
Stripe object with the reason, the attempts so far and when it first and last failed. Every
run retries the queue; an entry leaves it when its record loads. Finance ops read it in the
UI (Admin > Variables) or in the run's ``check_failed_records`` log, fix the cause, and
either wait for the next run or trigger one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass

from stripe_netsuite.sync.state import StateStore


def retry_queue_key(flow: str) -> str:
    return f"stripe_netsuite.retry_queue.{flow}"


@dataclass
class FailedRecord:
    stripe_id: str
    code: str
    message: str
    attempts: int = 1
    first_failed_at: str = ""
    last_failed_at: str = ""
    last_run_id: str = ""


class RetryQueue:
    def __init__(self, flow: str, store: StateStore) -> None:
        self.flow = flow
        self.key = retry_queue_key(flow)
        self.store = store

    def load(self) -> dict[str, FailedRecord]:
        raw = self.store.get(self.key) or []
        return {item["stripe_id"]: FailedRecord(**item) for item in raw}

    def save(self, entries: dict[str, FailedRecord]) -> None:
        ordered = sorted(entries.values(), key=lambda e: (e.first_failed_at, e.stripe_id))
        self.store.set(
            self.key,
            [asdict(e) for e in ordered],
            description=f"Stripe objects the {self.flow} flow could not load yet; retried every run",
        )

    def update(self, *, loaded: Iterable[str], failed: Iterable[FailedRecord], now: str, run_id: str) -> dict[str, FailedRecord]:
        """Drop what loaded, add or bump what failed, persist, and return the new queue."""
        entries = self.load()
        before = dict(entries)
        for stripe_id in loaded:
            entries.pop(stripe_id, None)
        for failure in failed:
            previous = entries.get(failure.stripe_id)
            entries[failure.stripe_id] = FailedRecord(
                stripe_id=failure.stripe_id,
                code=failure.code,
                message=failure.message,
                attempts=(previous.attempts + 1) if previous else 1,
                first_failed_at=previous.first_failed_at if previous else now,
                last_failed_at=now,
                last_run_id=run_id,
            )
        if entries != before:
            self.save(entries)
        return entries


# What a finance user does about a record that failed, by the failure's code; NetSuite's own codes share one.
_WHAT_TO_DO = {
    "MAPPING": "the Stripe object cannot be written as it is (the message says why): correct it in Stripe or "
               "in the settings file",
    "DEPENDENCY": "a record it needs (its customer or an item) did not load: fix that one first, as its message "
                  "says",
    "STRIPE_READ": "Stripe did not return it or an object it needs (the message says which, and why): after a "
                   "passing error (rate limit, Stripe unavailable) nothing is needed, every run tries it again; if it "
                   "was deleted in Stripe on purpose, remove its entry from the retry queue Variable",
    "UNKNOWN_VALUE": "Stripe sent a value this version of stripe-netsuite does not know (the message names the object, "
                     "field and value): upgrade stripe-netsuite, or report the value to its maintainers",
    "NOT_YET_SYNCED": "a payment, refund or dispute of the payout is not in NetSuite and could not be written on the "
                      "way (the message says which and why): fix that one first",
    "ALREADY_DEPOSITED": "a transaction of the payout is already on another NetSuite deposit (the message names both): "
                         "remove it from the deposit made by hand, or delete that deposit, so the payout's deposit can "
                         "take it",
    "UNEQUAL_AMOUNTS": "NetSuite holds another amount than Stripe for a transaction of the payout, or the lines would "
                       "not add up to the payout (the message says which): rewrite that record from Stripe (trigger "
                       "its flow with its ID and force_rewrite), or correct it by hand in NetSuite",
    "MISSING_ACCOUNT_MAPPING": "the settings name no NetSuite bank account for the payout's currency (payouts."
                               "bank_accounts): add one to the settings file",
}
_NETSUITE_REFUSED = "NetSuite refused it: fix what the message names in NetSuite (or the settings file)"
_THEN = "; then clear the red check_failed_records task to try again"


def what_to_do(code: str) -> str:
    return _WHAT_TO_DO.get(code, _NETSUITE_REFUSED) + _THEN
