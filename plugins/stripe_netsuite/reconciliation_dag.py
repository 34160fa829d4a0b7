"""The reconciliation DAG's shape: ``reconcile`` (pool ``netsuite_api``) -> ``check_report``, daily."""

from __future__ import annotations

from airflow.sdk import DAG

from stripe_netsuite.dag_defaults import NETSUITE_POOL, RECONCILIATION_SCHEDULE, tags
from stripe_netsuite.dag_docs import reconciliation_doc
from stripe_netsuite.flow_dag import scheduled_dag
from stripe_netsuite.operators.reconcile import ReconciliationCheckOperator, ReconciliationOperator


def reconciliation_dag(*, dag_id: str, description: str, doc_md: str, schedule=RECONCILIATION_SCHEDULE) -> DAG:
    with scheduled_dag(dag_id=dag_id, description=description, schedule=schedule, tags=tags("reconciliation"),
                       doc_md=reconciliation_doc(doc_md)) as dag:
        reconcile = ReconciliationOperator(task_id="reconcile", pool=NETSUITE_POOL)
        check_report = ReconciliationCheckOperator(task_id="check_report", summary=reconcile.output, retries=0,
                                                   pool=NETSUITE_POOL)
        reconcile >> check_report
    return dag
