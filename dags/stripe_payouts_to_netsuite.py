"""## Stripe payouts → NetSuite bank deposits

Every paid automatic Stripe payout becomes one NetSuite **deposit** (external ID `po_…`) into the bank
account the settings name for the payout's currency, dated the day the payout arrives, equal to the
payout to the cent:

- **payment lines** take exactly the customer payments, customer refunds and dispute withdrawals the
  payout carries out of Undeposited Funds (a payment in another currency at what it brought in the
  payout currency; NetSuite posts the exchange difference);
- **cash-back lines** hold Stripe's fees, each to the account of its type (processing, dispute, FX,
  other); fees given back and the funds of a won dispute are **other-deposit lines**;
- every line's memo names its Stripe balance transaction and what it belongs to.

Before writing, each payout is checked: a payment, refund or dispute NetSuite does not have yet is
written first by its own flow; one already on another deposit, or with another amount than Stripe's,
makes the payout wait in the retry queue with what to do. A payout of more transactions than one
deposit should hold becomes several deposits (`po_…`, `po_…-2`, …) adding up to it. A payout not yet
paid, failed or canceled writes nothing: its transactions stay in Undeposited Funds.
"""

# Wiring only: the flow's logic lives in plugins/stripe_netsuite (sync/payouts.py, mapping/deposits.py).
from airflow.sdk import DAG

from stripe_netsuite.flow_dag import flow_dag

dag: DAG = flow_dag(
    "payouts",
    dag_id="stripe_payouts_to_netsuite",
    description="Stripe payouts to NetSuite bank deposits with their fees, hourly. Backfill: Trigger with dates, or "
    "Airflow's Backfill option",
    doc_md=__doc__,
)
