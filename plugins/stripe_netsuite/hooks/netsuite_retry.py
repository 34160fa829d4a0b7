"""Retrying NetSuite's transient failures inside the hook, visibly.

A call that fails with ``NetSuiteTransientError`` (429, 5xx, a concurrency fault, no answer in time, no
connection, the OAuth 2.0 token endpoint unavailable) is tried again after a random wait of up to
0.5, 1, 2, 4, 8 ... seconds (exponential backoff with full jitter, capped), at most ``MAX_ATTEMPTS``
times in all. Each retry is one WARNING line on the ``stripe_netsuite.hooks.netsuite`` logger saying
what failed, which attempt it was and how long the hook waits, so a degraded NetSuite shows in the task
log before anything fails. When the last attempt fails too, the error says how many attempts were made
and whether Airflow will retry the task.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import TypeVar

from stripe_netsuite.hooks.netsuite_errors import NetSuiteTransientError

log = logging.getLogger("stripe_netsuite.hooks.netsuite")

MAX_ATTEMPTS = 6  # Oracle's best practice retries a concurrency fault up to 5 times (netsuite.md §6)
BACKOFF_SECONDS = 0.5  # the wait before retry n is random in [0, BACKOFF_SECONDS * 2 ** (n - 1)] ...
MAX_BACKOFF_SECONDS = 30.0  # ... and never longer than this

T = TypeVar("T")


def call_with_retries(fn: Callable[[], T], *, max_attempts: int | None = None,
                      max_backoff: float | None = None) -> T:
    """``fn()``, tried again on ``NetSuiteTransientError`` until it succeeds or ``max_attempts`` are used up."""
    attempts = max(1, max_attempts or MAX_ATTEMPTS)
    cap = MAX_BACKOFF_SECONDS if max_backoff is None else max_backoff
    started = time.monotonic()
    for attempt in range(1, attempts + 1):
        try:
            return fn()
        except NetSuiteTransientError as exc:
            if attempt == attempts:
                raise NetSuiteTransientError(
                    f"{exc}: gave up after {attempts} attempt{'s' if attempts > 1 else ''} in "
                    f"{time.monotonic() - started:.0f} s; {airflow_retry_note()}"
                ) from None
            wait = random.uniform(0, min(cap, BACKOFF_SECONDS * 2 ** (attempt - 1)))
            log.warning("%s: attempt %d of %d; retrying in %.1f s", exc, attempt, attempts, wait)
            time.sleep(wait)
    raise AssertionError("unreachable")  # pragma: no cover


def airflow_retry_note() -> str:
    """Whether Airflow will run the current task again after it fails with a transient error, as a sentence."""
    try:
        from airflow.sdk import get_current_context

        ti = get_current_context()["ti"]
        try_number, max_tries = int(ti.try_number), int(ti.max_tries)
    except Exception:  # not inside an Airflow task (a script, a test, the UI's connection test)
        return "no Airflow task is running, so nothing retries it"
    if try_number <= max_tries:
        return f"the task fails and Airflow will retry it (try {try_number} of {max_tries + 1} failed)"
    return (f"the task fails and Airflow will not retry it: that was its last try ({try_number} of {max_tries + 1}); "
            "clear the task to run it again once NetSuite answers")
