"""The one shape every flow DAG has, so each file in dags/ only names its flow.

Tasks: ``sync`` (pool ``netsuite_api``) -> ``commit_cursor`` -> ``check_failed_records``.
Hourly, one run at a time (runs share the flow's cursor), backfill params ``start``/``end``.
The settings file is validated when the DAG file is parsed, so a bad key shows as an import
error naming it.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import DAG

from stripe_netsuite.dag_defaults import BACKFILL_PARAMS, DEFAULT_ARGS, NETSUITE_POOL, tags
from stripe_netsuite.operators.sync import CommitCursorOperator, FailedRecordsCheckOperator, StripeToNetSuiteOperator
from stripe_netsuite.settings import load_settings


def scheduled_dag(*, dag_id: str, description: str, schedule: str, tags: list[str], doc_md: str | None = None,
                  params: dict | None = None) -> DAG:
    """A DAG with what every stripe-netsuite DAG shares: one run at a time, no catch-up, the default args."""
    load_settings()  # a bad settings file fails the parse, with a message naming the key
    return DAG(
        dag_id=dag_id,
        description=description,
        schedule=schedule,
        start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
        catchup=False,
        max_active_runs=1,
        default_args=DEFAULT_ARGS,
        params=params or {},
        tags=tags,
        doc_md=doc_md,
    )


def flow_dag(flow: str, *, dag_id: str, description: str, doc_md: str | None = None, schedule: str = "@hourly") -> DAG:
    with scheduled_dag(dag_id=dag_id, description=description, schedule=schedule, tags=tags(flow), doc_md=doc_md,
                       params=BACKFILL_PARAMS) as dag:
        sync = StripeToNetSuiteOperator(
            task_id="sync",
            flow=flow,
            start="{{ params.start }}",
            end="{{ params.end }}",
            pool=NETSUITE_POOL,
        )
        commit_cursor = CommitCursorOperator(task_id="commit_cursor", flow=flow, summary=sync.output)
        check_failed_records = FailedRecordsCheckOperator(
            task_id="check_failed_records", flow=flow, summary=sync.output, retries=0
        )
        sync >> commit_cursor >> check_failed_records
    return dag
