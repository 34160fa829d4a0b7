"""Errors no retry can fix end the task at once, with the message that says what to change."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from airflow.sdk.exceptions import AirflowFailException

from stripe_netsuite.hooks.netsuite_errors import NetSuiteAuthError
from stripe_netsuite.hooks.stripe import StripeAuthError, StripeCursorExpiredError
from stripe_netsuite.settings import SettingsError
from stripe_netsuite.sync.engine import ConfigurationError
from stripe_netsuite.sync.run_request import RunRequestError

NOT_RETRYABLE = (
    ConfigurationError, SettingsError, RunRequestError, StripeAuthError, StripeCursorExpiredError, NetSuiteAuthError,
)


@contextmanager
def fail_without_retry() -> Iterator[None]:
    """Turn a wrong setting, param, credential or expired cursor into a failure Airflow does not retry
    (retrying would only repeat the same message minutes later)."""
    try:
        yield
    except NOT_RETRYABLE as exc:
        raise AirflowFailException(str(exc)) from None
