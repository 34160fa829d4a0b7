"""Every flow the operators can run, by name."""

from stripe_netsuite.sync.customers import CustomersFlow
from stripe_netsuite.sync.flow import FlowSpec
from stripe_netsuite.sync.invoices import InvoicesFlow
from stripe_netsuite.sync.payments import PaymentsFlow
from stripe_netsuite.sync.payouts import PayoutsFlow
from stripe_netsuite.sync.refunds import RefundsDisputesFlow

FLOWS: dict[str, FlowSpec] = {"customers": CustomersFlow(), "invoices": InvoicesFlow(), "payments": PaymentsFlow(),
                              "refunds_disputes": RefundsDisputesFlow(), "payouts": PayoutsFlow()}
