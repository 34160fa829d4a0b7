"""## Stripe refunds and disputes → NetSuite credit memos and customer refunds

Every refund Stripe books, and every dispute (chargeback) whose funds Stripe withdrew, becomes a NetSuite
**customer refund** leaving Undeposited Funds (external ID `re_…` or `dp_…`), at Stripe's exchange rate.

- **Refund of an invoiced payment:** a credit memo (`cm-re_…`) that the customer refund applies: the
  invoice's own lines for a full refund; for part of it, the line's item (one-line invoice) or the
  *Stripe Partial Refund Item* (several lines: Stripe does not say which line was refunded).
- **Refund through a credit note:** the customer refund applies the credit note's own memo (`cn_…`): the
  customer is credited once.
- **Refund of a payment without an invoice:** the customer refund applies the payment; no memo.
- **A refund that failed or was canceled** after Stripe booked it is reversed: its memo is zeroed and the
  money that came back is a payment (`ret-re_…`) the customer refund applies instead.
- **Disputes:** funds withdrawn → as a refund (`cm-dp_…` memo, *Stripe Dispute Item* for an invoice of
  several lines when the amount differs); the dispute fee goes on the payout's deposit. Won: the funds
  Stripe returns are a line of the payout's deposit (the invoice is not re-applied). Lost: the entries
  stand. An inquiry or warning that withdrew nothing writes nothing.

A payment, invoice or customer NetSuite does not have yet is written on the way.
"""

# Wiring only: the flow's logic lives in plugins/stripe_netsuite (sync/refunds.py, mapping/refunds.py).
from airflow.sdk import DAG

from stripe_netsuite.flow_dag import flow_dag

dag: DAG = flow_dag(
    "refunds_disputes",
    dag_id="stripe_refunds_disputes_to_netsuite",
    description="Stripe refunds and disputes to NetSuite credit memos and customer refunds, hourly. Backfill: "
    "Trigger with dates, or Airflow's Backfill option",
    doc_md=__doc__,
)
