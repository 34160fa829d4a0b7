"""Stripe customers -> NetSuite customers. Wiring only: the logic lives in plugins/stripe_netsuite."""

from airflow.sdk import DAG

from stripe_netsuite.flow_dag import flow_dag

dag: DAG = flow_dag(
    "customers",
    dag_id="stripe_customers_to_netsuite",
    description="Stripe customers to NetSuite customers (incremental by events; backfill with start/end)",
    doc_md=__doc__,
)
