"""The resource registry: adding a Stripe resource = one module + one line here."""

from stripe_sandbox.resources.balance import Balance
from stripe_sandbox.resources.base import ApiCall, Resource
from stripe_sandbox.resources.customers import Customers
from stripe_sandbox.resources.events import Events

RESOURCE_CLASSES: tuple[type[Resource], ...] = (Customers, Events, Balance)

__all__ = ["RESOURCE_CLASSES", "ApiCall", "Resource", "Customers", "Events", "Balance"]
