"""Daily: compare Stripe with NetSuite and fail, naming each difference, when they disagree.

Customers (one NetSuite customer per live Stripe customer, same email), invoices (customer,
currency, total, amount remaining) and every credit memo an invoice should have. Stripe objects
changed within `reconciliation.settle_minutes` are left for the next run. The `reconcile` task's
log holds the whole report; `check_report` fails with the first differences (README "The
reconciliation report").

Wiring only: the logic lives in plugins/stripe_netsuite (reconcile/).
"""

from airflow.sdk import DAG

from stripe_netsuite.reconciliation_dag import reconciliation_dag

dag: DAG = reconciliation_dag(
    dag_id="stripe_netsuite_reconciliation",
    description="Stripe vs NetSuite: customers, invoices and credit memos, every difference named",
    doc_md=__doc__,
)
