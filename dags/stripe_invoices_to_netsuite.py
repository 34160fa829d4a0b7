"""Finalized Stripe invoices -> NetSuite invoices; credit notes, uncollectible and void -> credit memos.

Wiring only: the logic lives in plugins/stripe_netsuite (sync/invoices.py, mapping/invoices.py).
"""

from airflow.sdk import DAG

from stripe_netsuite.flow_dag import flow_dag

dag: DAG = flow_dag(
    "invoices",
    dag_id="stripe_invoices_to_netsuite",
    description="Finalized Stripe invoices to NetSuite invoices and credit memos (incremental by events; "
    "backfill with start/end)",
    doc_md=__doc__,
)
