"""## Stripe payments → NetSuite customer payments, in Undeposited Funds

Every Stripe charge that moved money becomes one NetSuite customer payment (external ID = the charge
ID, e.g. `ch_…` or `py_…`): the gross amount in the charge's currency (Stripe's fees go on the payout's
deposit), dated the charge's day, at Stripe's exchange rate, posted to **Undeposited Funds** until the
payouts flow deposits it. It is applied to the invoice it pays; an invoice or customer NetSuite does
not have yet is written on the way.

- **Bank debits (ACH, SEPA)** are written once Stripe books them, while still pending. One that fails
  later is unapplied (the invoice reopens) and refunded in NetSuite with the bank's reason.
- **A payment NetSuite cannot apply** (the invoice is already paid there, e.g. by hand) loads
  unapplied, with a memo naming the invoice: decide in NetSuite whether to refund or re-apply it.
- **Payments without an invoice** stay as the customer's credit (or pay a one-line invoice, by setting);
  charges without a Stripe customer go to the guest customer of the settings.
- **Invoices paid outside Stripe** write nothing unless the settings say to record them: the
  reconciliation lists them for you.
"""

# Wiring only: the flow's logic lives in plugins/stripe_netsuite (sync/payments.py, mapping/payments.py).
from airflow.sdk import DAG

from stripe_netsuite.flow_dag import flow_dag

dag: DAG = flow_dag(
    "payments",
    dag_id="stripe_payments_to_netsuite",
    description="Stripe charges to NetSuite customer payments in Undeposited Funds, applied to their invoices, "
    "hourly. Backfill: Trigger with dates, or Airflow's Backfill option",
    doc_md=__doc__,
)
