"""## Daily check: does NetSuite match Stripe?

Compares the two systems record by record and fails, naming each difference and what to do, when
they disagree: customers (one NetSuite customer per live Stripe customer, same email), invoices
(customer, currency, total, amount still open) and every credit memo an invoice should have, and
payments (one NetSuite customer payment per Stripe charge that moved money: amount, currency,
Stripe's exchange rate, the invoice it is applied to; the refund of a bank debit that failed), and
refunds and disputes (one NetSuite customer refund per refund Stripe booked and per dispute that withdrew
funds: amount, currency, Stripe's rate, the credit memo or payment it applies; the memo's amount, zeroed
when Stripe gave a refund back; no refund credited twice), with totals per currency. Invoices paid outside
Stripe are listed for finance to record, not as differences.
"""

# Wiring only: the logic lives in plugins/stripe_netsuite (reconcile/).
from airflow.sdk import DAG

from stripe_netsuite.reconciliation_dag import reconciliation_dag

dag: DAG = reconciliation_dag(
    dag_id="stripe_netsuite_reconciliation",
    description="Daily: Stripe vs NetSuite customers, invoices, credit memos, payments, refunds and disputes, every "
    "difference named with what to do",
    doc_md=__doc__,
)
