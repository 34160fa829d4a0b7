"""Every flow the operators can run, by name."""

from stripe_netsuite.sync.customers import CustomersFlow
from stripe_netsuite.sync.flow import FlowSpec

FLOWS: dict[str, FlowSpec] = {"customers": CustomersFlow()}
