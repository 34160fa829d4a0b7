"""The one shape every flow DAG has, so each file in dags/ only names its flow.

Tasks: ``sync`` (pool ``netsuite_api``) -> ``commit_cursor`` -> ``check_failed_records``. Hourly with
data intervals (an Airflow backfill run loads its hour), one run at a time (runs share the flow's
cursor), params for a manual backfill or a repair. A wrong settings file never hides a DAG: the DAG
is listed with the error first in its docs, and its tasks fail at once naming the key.
"""

from __future__ import annotations

import logging

import pendulum
from airflow.sdk import DAG

from stripe_netsuite.dag_defaults import DEFAULT_ARGS, FLOW_SCHEDULE, NETSUITE_POOL, RUN_PARAMS, tags
from stripe_netsuite.dag_docs import flow_doc, settings_error_banner
from stripe_netsuite.operators.sync import CommitCursorOperator, FailedRecordsCheckOperator, StripeToNetSuiteOperator
from stripe_netsuite.settings import SettingsError, load_settings

log = logging.getLogger(__name__)


def settings_problem() -> str | None:
    """The settings file's error, or None. Checked at parse time only to show it; tasks load it themselves."""
    try:
        load_settings()
    except SettingsError as exc:
        log.error("%s", exc)
        return str(exc)
    return None


def scheduled_dag(*, dag_id: str, description: str, schedule, tags: list[str], doc_md: str,
                  params: dict | None = None) -> DAG:
    """A DAG with what every stripe-netsuite DAG shares: one run at a time, no catch-up, the default args."""
    problem = settings_problem()
    return DAG(
        dag_id=dag_id,
        description=(f"SETTINGS ERROR, see Docs. {description}" if problem else description),
        schedule=schedule,
        start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
        catchup=False,
        max_active_runs=1,
        default_args=DEFAULT_ARGS,
        params=params or {},
        tags=tags,
        doc_md=(settings_error_banner(problem) if problem else "") + doc_md,
    )


def flow_dag(flow: str, *, dag_id: str, description: str, doc_md: str, schedule=FLOW_SCHEDULE) -> DAG:
    with scheduled_dag(dag_id=dag_id, description=description, schedule=schedule, tags=tags(flow),
                       doc_md=flow_doc(doc_md, flow), params=RUN_PARAMS) as dag:
        sync = StripeToNetSuiteOperator(task_id="sync", flow=flow, pool=NETSUITE_POOL)
        commit_cursor = CommitCursorOperator(task_id="commit_cursor", flow=flow, summary=sync.output)
        check_failed_records = FailedRecordsCheckOperator(
            task_id="check_failed_records", flow=flow, summary=sync.output, retries=0, pool=NETSUITE_POOL
        )
        sync >> commit_cursor >> check_failed_records
    return dag
