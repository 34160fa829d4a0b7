"""## Stripe customers → NetSuite customers

Keeps one NetSuite customer per Stripe customer: name (company or person), email, phone, addresses
and the currencies they may be invoiced in. A customer changed in Stripe is updated in NetSuite; a
customer deleted in Stripe is kept in NetSuite (or made inactive, per the settings).
"""

# Wiring only: the flow's logic lives in plugins/stripe_netsuite (sync/customers.py, mapping/customers.py).
from airflow.sdk import DAG

from stripe_netsuite.flow_dag import flow_dag

dag: DAG = flow_dag(
    "customers",
    dag_id="stripe_customers_to_netsuite",
    description="Stripe customers to NetSuite customers, hourly. Backfill: Trigger with dates, or Airflow's "
    "Backfill option",
    doc_md=__doc__,
)
