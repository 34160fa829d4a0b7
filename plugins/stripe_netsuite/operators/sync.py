"""The operators every flow DAG shares: sync, commit the cursor, surface failed records."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pendulum
from airflow.sdk import BaseOperator
from airflow.sdk.exceptions import AirflowException, AirflowFailException

from stripe_netsuite.hooks.netsuite import NetSuiteHook
from stripe_netsuite.hooks.stripe import StripeHook
from stripe_netsuite.settings import load_settings
from stripe_netsuite.sync.cursor import Cursor, CursorStore
from stripe_netsuite.sync.registry import FLOWS
from stripe_netsuite.hooks.netsuite_errors import NetSuiteAuthError
from stripe_netsuite.hooks.stripe import StripeAuthError, StripeCursorExpiredError
from stripe_netsuite.settings import SettingsError
from stripe_netsuite.sync.engine import ConfigurationError, FlowEngine, Window
from stripe_netsuite.sync.retry_queue import retry_queue_key
from stripe_netsuite.sync.state import VariableStore


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() in {"", "None", "null"})


def parse_bound(value: Any, name: str) -> int | None:
    """A backfill bound (date or date-time, UTC unless it says otherwise) as Unix seconds."""
    if _blank(value):
        return None
    if isinstance(value, dt.datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)
    elif isinstance(value, dt.date):
        moment = dt.datetime.combine(value, dt.time(), dt.timezone.utc)
    else:
        try:
            moment = pendulum.parse(str(value), tz="UTC")
        except (ValueError, pendulum.parsing.exceptions.ParserError):
            raise AirflowException(f"Backfill param {name}={value!r} is not a date (YYYY-MM-DD) or date-time") from None
    return int(moment.timestamp())


class StripeToNetSuiteOperator(BaseOperator):
    """Run one flow: incremental from the cursor, or a backfill over ``start``..``end`` (end exclusive).

    Returns the run summary (counts, Stripe ID -> NetSuite internal ID map, failures, the cursor
    reached) as XCom; never a secret. Does not move the cursor: ``CommitCursorOperator`` does.
    """

    template_fields: Sequence[str] = ("start", "end")
    ui_color = "#635bff"

    def __init__(
        self,
        *,
        flow: str,
        start: Any = None,
        end: Any = None,
        stripe_conn_id: str = StripeHook.default_conn_name,
        netsuite_conn_id: str = NetSuiteHook.default_conn_name,
        settings_path: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if flow not in FLOWS:
            raise ValueError(f"unknown flow {flow!r}; known: {', '.join(sorted(FLOWS))}")
        self.flow = flow
        self.start = start
        self.end = end
        self.stripe_conn_id = stripe_conn_id
        self.netsuite_conn_id = netsuite_conn_id
        self.settings_path = settings_path

    def execute(self, context) -> dict[str, Any]:
        start, end = parse_bound(self.start, "start"), parse_bound(self.end, "end")
        if start is not None and end is not None and start >= end:
            raise AirflowException(f"Backfill start {self.start} must be before end {self.end} (end is exclusive)")
        mode = "backfill" if (start is not None or end is not None) else "incremental"
        engine = FlowEngine(
            FLOWS[self.flow],
            stripe=StripeHook(self.stripe_conn_id),
            netsuite=NetSuiteHook(self.netsuite_conn_id),
            settings=load_settings(self.settings_path),
            state=VariableStore(),
            run_id=context.get("run_id", "") if context else "",
        )
        try:
            summary = engine.run(mode, Window(start, end))
        except (ConfigurationError, SettingsError, StripeAuthError, StripeCursorExpiredError, NetSuiteAuthError) as exc:
            # Retrying cannot fix these: fail now, with the message that says what to change.
            raise AirflowFailException(str(exc)) from None
        return summary.as_xcom()


class CommitCursorOperator(BaseOperator):
    """Move the flow's cursor to where the sync reached; runs only after the sync succeeded."""

    template_fields: Sequence[str] = ("summary",)

    def __init__(self, *, flow: str, summary: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.flow = flow
        self.summary = summary

    def execute(self, context) -> dict[str, Any] | None:
        summary = self.summary or {}
        if summary.get("mode") == "backfill":
            self.log.info("Backfill run: the %s cursor stays where it is", self.flow)
            return None
        reached = summary.get("cursor")
        if not reached:
            self.log.info("No new Stripe events for %s; cursor unchanged", self.flow)
            return None
        store = CursorStore(self.flow, VariableStore())
        store.set(Cursor(reached["event_id"], int(reached["created"])))
        self.log.info("Cursor %s moved to %s", store.key, reached["event_id"])
        return reached


class FailedRecordsCheckOperator(BaseOperator):
    """Fail, visibly, when the sync left records in the retry queue; list each with what to do."""

    template_fields: Sequence[str] = ("summary",)
    ui_color = "#ffdddd"

    def __init__(self, *, flow: str, summary: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.flow = flow
        self.summary = summary

    def execute(self, context) -> None:
        failed = (self.summary or {}).get("failed") or []
        if not failed:
            self.log.info("Every %s record loaded", self.flow)
            return
        lines = [f"  {f['stripe_id']}: [{f['code']}] {f['message']}" for f in failed]
        raise AirflowException(
            f"{len(failed)} {self.flow} record(s) did not load; everything else did. They are kept in the "
            f"Airflow Variable {retry_queue_key(self.flow)} and retried on every run. Fix each cause below "
            "(in Stripe or NetSuite), then trigger the DAG or wait for the next run:\n" + "\n".join(lines)
        )
