"""The reconciliation DAG's operators: build the report, then fail visibly when it finds differences."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from airflow.sdk import BaseOperator
from airflow.sdk.exceptions import AirflowException

from stripe_netsuite.hooks.netsuite import NetSuiteHook
from stripe_netsuite.hooks.stripe import StripeHook
from stripe_netsuite.operators.task_errors import fail_without_retry
from stripe_netsuite.reconcile.report import build_report
from stripe_netsuite.settings import load_settings


class ReconciliationOperator(BaseOperator):
    """Compare Stripe with NetSuite (customers, invoices, credit memos); log the whole report.

    Returns the summary (counts, the first problems) as XCom. Succeeds even when they differ:
    ``ReconciliationCheckOperator`` turns differences into a failed task, so retries never re-read
    both systems for an answer that will not change.
    """

    ui_color = "#e8f4ea"

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

    def execute(self, context) -> dict[str, Any]:
        with fail_without_retry():
            settings = load_settings(self.settings_path)
            report = build_report(StripeHook(self.stripe_conn_id), NetSuiteHook(self.netsuite_conn_id), settings,
                                  settle_seconds=60 * settings.reconciliation.settle_minutes)
        for line in report.lines():
            self.log.info("%s", line)
        return report.summary()


class ReconciliationCheckOperator(BaseOperator):
    """Fail when the report found differences, naming the first ones and where the rest are."""

    template_fields: Sequence[str] = ("summary",)
    ui_color = "#ffdddd"

    def __init__(self, *, summary: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.summary = summary

    def execute(self, context) -> None:
        summary = self.summary or {}
        if summary.get("ok"):
            self.log.info("Stripe and NetSuite agree (%s objects changed too recently were left for the next run)",
                          summary.get("settling", 0))
            return
        problems = summary.get("problems") or []
        count = summary.get("problem_count", len(problems))
        more = f"\n  ... and {count - len(problems)} more in the reconcile task's log" if count > len(problems) else ""
        raise AirflowException(
            f"{count} difference(s) between Stripe and NetSuite. Each line names the Stripe object; README "
            "'The reconciliation report' says what each kind means and what to do:\n"
            + "\n".join(f"  {problem}" for problem in problems) + more
        )
