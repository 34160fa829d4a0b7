"""Finalized Stripe invoices -> NetSuite invoices; credit notes, uncollectible and void -> credit memos.

Wiring only: the logic lives in plugins/stripe_netsuite (sync/invoices.py, mapping/invoices.py).
"""

import pendulum
from airflow.sdk import DAG

from stripe_netsuite.dag_defaults import BACKFILL_PARAMS, DEFAULT_ARGS, NETSUITE_POOL, tags
from stripe_netsuite.operators.sync import CommitCursorOperator, FailedRecordsCheckOperator, StripeToNetSuiteOperator
from stripe_netsuite.settings import load_settings

FLOW = "invoices"
load_settings()  # a bad settings file fails the parse, with a message naming the key

with DAG(
    dag_id="stripe_invoices_to_netsuite",
    description="Finalized Stripe invoices to NetSuite invoices and credit memos (incremental by events; backfill with start/end)",
    schedule="@hourly",
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    params=BACKFILL_PARAMS,
    tags=tags(FLOW),
    doc_md=__doc__,
) as dag:
    sync = StripeToNetSuiteOperator(
        task_id="sync",
        flow=FLOW,
        start="{{ params.start }}",
        end="{{ params.end }}",
        pool=NETSUITE_POOL,
    )
    commit_cursor = CommitCursorOperator(task_id="commit_cursor", flow=FLOW, summary=sync.output)
    check_failed_records = FailedRecordsCheckOperator(task_id="check_failed_records", flow=FLOW, summary=sync.output, retries=0)
    sync >> commit_cursor >> check_failed_records
