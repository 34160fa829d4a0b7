"""## Stripe invoices → NetSuite invoices and credit memos

Every finalized Stripe invoice becomes a NetSuite invoice for the same customer, currency and total,
line by line (items, discounts, tax, shipping, prorations). Credit notes, invoices written off
(uncollectible) and voided invoices become credit memos applied to their invoice, so what NetSuite
shows open is what Stripe still expects. The customer and the items an invoice needs are created on
the way if missing. Payments are applied by the payments DAG.
"""

# Wiring only: the flow's logic lives in plugins/stripe_netsuite (sync/invoices.py, mapping/invoices.py).
from airflow.sdk import DAG

from stripe_netsuite.flow_dag import flow_dag

dag: DAG = flow_dag(
    "invoices",
    dag_id="stripe_invoices_to_netsuite",
    description="Finalized Stripe invoices to NetSuite invoices and credit memos, hourly. Backfill: Trigger with "
    "dates, or Airflow's Backfill option",
    doc_md=__doc__,
)
