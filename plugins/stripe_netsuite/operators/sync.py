"""The operators every flow DAG shares: sync, commit the cursor, surface failed records."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from airflow.sdk import BaseOperator
from airflow.sdk.exceptions import AirflowFailException

from stripe_netsuite.hooks.netsuite import NetSuiteHook
from stripe_netsuite.hooks.stripe import StripeHook
from stripe_netsuite.operators.clearing import cleared
from stripe_netsuite.operators.task_errors import fail_without_retry
from stripe_netsuite.settings import load_settings
from stripe_netsuite.settings_check import check_before_writing
from stripe_netsuite.sync.cursor import Cursor, CursorStore
from stripe_netsuite.sync.engine import FlowEngine, Window
from stripe_netsuite.sync.flow import objects_named
from stripe_netsuite.sync.registry import FLOWS
from stripe_netsuite.sync.retry_queue import FailedRecord, RetryQueue, retry_queue_key, what_to_do
from stripe_netsuite.sync.run_request import RunRequest, resolve_run_request
from stripe_netsuite.sync.state import VariableStore

CURSOR_MODES = ("incremental", "initial")  # the only runs that move the cursor


class _FlowTask(BaseOperator):
    """What the flow operators share: which flow, which connections, and how to build its engine."""

    def __init__(
        self,
        *,
        flow: str,
        stripe_conn_id: str = StripeHook.default_conn_name,
        netsuite_conn_id: str = NetSuiteHook.default_conn_name,
        settings_path: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if flow not in FLOWS:
            raise ValueError(f"unknown flow {flow!r}; known: {', '.join(sorted(FLOWS))}")
        self.flow = flow
        self.stripe_conn_id = stripe_conn_id
        self.netsuite_conn_id = netsuite_conn_id
        self.settings_path = settings_path

    def engine(self, context: Mapping[str, Any] | None) -> FlowEngine:
        """The flow's engine, once the settings are checked against NetSuite (nothing is written before)."""
        netsuite = NetSuiteHook(self.netsuite_conn_id)
        settings = load_settings(self.settings_path)
        run_id = (context or {}).get("run_id", "") or ""
        check_before_writing(netsuite, settings, self.flow, run_id)
        return FlowEngine(FLOWS[self.flow], stripe=StripeHook(self.stripe_conn_id), netsuite=netsuite,
                          settings=settings, state=VariableStore(), run_id=run_id)


class StripeToNetSuiteOperator(_FlowTask):
    """Run one flow as its run asks (``sync/run_request.py``): incremental from the cursor, a backfill of
    the run's params ``start``..``end`` or of an Airflow backfill run's data interval, or just the Stripe
    objects in ``stripe_ids``; ``force_rewrite`` rewrites records NetSuite already has.

    ``start``/``end`` given here override the params. Returns the run summary (counts, Stripe ID ->
    NetSuite internal ID map, failures, the cursor reached) as XCom; never a secret. Does not move the
    cursor: ``CommitCursorOperator`` does.
    """

    template_fields: Sequence[str] = ("start", "end")
    ui_color = "#635bff"

    def __init__(self, *, start: Any = None, end: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.start = start
        self.end = end

    def run_request(self, context: Mapping[str, Any]) -> RunRequest:
        params = dict(context.get("params") or {})
        for name in ("start", "end"):
            if getattr(self, name) is not None:
                params[name] = getattr(self, name)
        dag_run = context.get("dag_run")
        return resolve_run_request(
            params,
            run_type=getattr(dag_run, "run_type", None),
            data_interval_start=context.get("data_interval_start"),
            data_interval_end=context.get("data_interval_end"),
        )

    def execute(self, context) -> dict[str, Any]:
        context = context or {}
        with fail_without_retry():
            request = self.run_request(context)
            self.log.info("%s: %s", self.flow, request.describe())
            summary = self.engine(context).run(
                request.mode, Window(request.start, request.end),
                stripe_ids=request.stripe_ids, force_rewrite=request.force_rewrite,
            )
        if summary.failed:
            self.log.warning("%d Stripe object(s) did not load; the check_failed_records task lists each with "
                             "what to do", len({f["stripe_id"] for f in summary.failed}))
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
        if summary.get("mode") not in CURSOR_MODES:
            self.log.info("This was a %s run: the %s cursor stays where it is", summary.get("mode"), self.flow)
            return None
        reached = summary.get("cursor")
        if not reached:
            self.log.info("No new Stripe events for %s; cursor unchanged", self.flow)
            return None
        store = CursorStore(self.flow, VariableStore())
        store.set(Cursor(reached["event_id"], int(reached["created"])))
        self.log.info("Cursor %s moved to %s", store.key, reached["event_id"])
        return reached


class FailedRecordsCheckOperator(_FlowTask):
    """Fail, visibly, while records of this run are still in the retry queue; one ERROR line each.

    It judges the retry queue as it stands, not the sync's old summary: a record a later run loaded
    no longer counts. Cleared after a fix (any try after the first), it first tries this run's
    still-queued records again, so "fix the cause, clear the red task" turns it green.
    """

    template_fields: Sequence[str] = ("summary",)
    ui_color = "#ffdddd"

    def __init__(self, *, summary: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.summary = summary

    def _still_queued(self, run_failed: set[str]) -> dict[str, FailedRecord]:
        return {stripe_id: entry for stripe_id, entry in RetryQueue(self.flow, VariableStore()).load().items()
                if stripe_id in run_failed}

    def execute(self, context) -> None:
        context = context or {}
        run_failed = {f["stripe_id"] for f in (self.summary or {}).get("failed") or []}
        still = self._still_queued(run_failed)
        if still and cleared(context):
            self.log.info("Cleared after a fix: trying the %d %s record(s) of this run still in the retry queue "
                          "again", len(still), self.flow)
            with fail_without_retry():
                self.engine(context).run("ids", stripe_ids=sorted(still), ids_chosen_by_user=False)
            still = self._still_queued(run_failed)
        loaded_since = len(run_failed) - len(still)
        if loaded_since:
            self.log.info("%d %s record(s) that failed in this run have loaded since", loaded_since, self.flow)
        if not still:
            self.log.info("Every %s record of this run is in NetSuite; the retry queue holds none of them", self.flow)
            return
        for entry in still.values():
            self.log.error("%s [%s] %s -> %s", entry.stripe_id, entry.code, entry.message, what_to_do(entry.code))
        raise AirflowFailException(
            f"{len(still)} Stripe {objects_named(FLOWS[self.flow], len(still))} did not load into NetSuite; "
            f"everything else did: {', '.join(sorted(still))}. The ERROR lines above say why and what to do. Fix "
            "the cause, then clear this task: it tries again and turns green once they load. Until then they wait "
            f"in the Airflow Variable {retry_queue_key(self.flow)} and every run retries them."
        )
