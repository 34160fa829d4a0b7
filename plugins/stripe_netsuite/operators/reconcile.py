"""The reconciliation DAG's operators: build the report, then fail visibly when it finds differences."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from airflow.sdk import BaseOperator
from airflow.sdk.exceptions import AirflowException

from stripe_netsuite.hooks.netsuite import NetSuiteHook
from stripe_netsuite.hooks.stripe import StripeHook
from stripe_netsuite.operators.clearing import cleared
from stripe_netsuite.operators.task_errors import fail_without_retry
from stripe_netsuite.reconcile.files import run_directory, write_report_files
from stripe_netsuite.reconcile.report import build_report
from stripe_netsuite.settings import load_settings


class _ReportTask(BaseOperator):
    def __init__(
        self,
        *,
        stripe_conn_id: str = StripeHook.default_conn_name,
        netsuite_conn_id: str = NetSuiteHook.default_conn_name,
        settings_path: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.stripe_conn_id = stripe_conn_id
        self.netsuite_conn_id = netsuite_conn_id
        self.settings_path = settings_path

    report_run_id: str = ""  # the run whose report files these are (set by execute)

    def report_summary(self) -> dict[str, Any]:
        """Compare both systems now; write the report files (HTML, CSV) for the run; log the whole report, or one
        line when both agree, and where the files are; return its summary with ``html_report`` and ``csv_dir``."""
        with fail_without_retry():
            settings = load_settings(self.settings_path)
            report = build_report(StripeHook(self.stripe_conn_id), NetSuiteHook(self.netsuite_conn_id), settings,
                                  settle_seconds=60 * settings.reconciliation.settle_minutes)
        summary = report.summary()
        try:
            page, csv_dir = write_report_files(report, run_directory(self.report_run_id or "manual"))
            summary["html_report"], summary["csv_dir"] = str(page), str(csv_dir)
        except OSError as exc:  # the comparison stands without its files
            self.log.warning("The report files could not be written (%s); the report is in this log", exc)
            page = None
        where = f"; full report: {summary['html_report']} (CSV: {summary['csv_dir']})" if page else ""
        if report.ok:
            counts = ", ".join(f"{key} {part['matched']}" for key, part in summary.items()
                               if isinstance(part, dict) and "matched" in part)
            self.log.info("Stripe and NetSuite agree: matched %s; %s changed too recently, left for the next run%s",
                          counts, summary.get("settling", 0), where)
            return summary
        for line in report.lines():
            self.log.info("%s", line)
        if page:
            self.log.info("Full report: %s (CSV tables: %s)", summary["html_report"], summary["csv_dir"])
        return summary


class ReconciliationOperator(_ReportTask):
    """Compare Stripe with NetSuite (customers, invoices, credit memos, payments, refunds and disputes); log the
    whole report.

    Returns the summary (counts, the first problems) as XCom. Succeeds even when they differ:
    ``ReconciliationCheckOperator`` turns differences into a failed task, so retries never re-read
    both systems for an answer that will not change.
    """

    ui_color = "#e8f4ea"

    def execute(self, context) -> dict[str, Any]:
        self.report_run_id = str(context.get("run_id") or "")
        return self.report_summary()


class ReconciliationCheckOperator(_ReportTask):
    """Fail when the report found differences, naming them with what to do.

    Cleared after a fix (any try after the first), it compares the two systems again instead of
    re-reading the old summary, so "fix, then clear the red task" turns it green.
    """

    template_fields: Sequence[str] = ("summary",)
    ui_color = "#ffdddd"

    def __init__(self, *, summary: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.summary = summary

    def execute(self, context) -> None:
        summary = self.summary or {}
        if not summary.get("ok") and cleared(context):
            self.log.info("Cleared after a fix: comparing Stripe and NetSuite again")
            self.report_run_id = str(context.get("run_id") or "")
            summary = self.report_summary()
        if summary.get("ok"):
            self.log.info("Stripe and NetSuite agree (%s objects changed too recently were left for the next run)",
                          summary.get("settling", 0))
            return
        problems = summary.get("problems") or []
        count = summary.get("problem_count", len(problems))
        for problem in problems:
            self.log.error("%s", problem)
        more = f"\n  ... and {count - len(problems)} more in the reconcile task's log" if count > len(problems) else ""
        if summary.get("html_report"):
            more += f"\nFull report: {summary['html_report']} (CSV tables: {summary.get('csv_dir')})"
        raise AirflowException(
            f"{count} difference(s) between Stripe and NetSuite. Each line reads '<Stripe ID>: <what differs> -> "
            "<what to do>'. Stripe is the source: to write a record again from Stripe (repairing a hand edit in "
            "NetSuite), trigger the flow DAG the line names with that ID in 'Only these Stripe IDs' (stripe_ids) "
            "and 'Rewrite even if unchanged' (force_rewrite) ticked; if NetSuite's value is the right one, change it "
            "in Stripe instead. Then clear this task: it compares again.\n"
            + "\n".join(f"  {problem}" for problem in problems) + more
        )
