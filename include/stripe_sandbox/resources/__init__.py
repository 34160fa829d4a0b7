"""The resource registry: adding a Stripe resource = one module + one line here."""

from stripe_sandbox.resources.balance import Balance
from stripe_sandbox.resources.balance_transactions import BalanceTransactions
from stripe_sandbox.resources.base import ApiCall, Resource
from stripe_sandbox.resources.charges import Charges
from stripe_sandbox.resources.coupons import Coupons
from stripe_sandbox.resources.credit_notes import CreditNotes
from stripe_sandbox.resources.customer_balance_transactions import CustomerBalanceTransactions
from stripe_sandbox.resources.customers import Customers
from stripe_sandbox.resources.discounts import Discounts
from stripe_sandbox.resources.disputes import Disputes
from stripe_sandbox.resources.events import Events
from stripe_sandbox.resources.invoice_payments import InvoicePayments
from stripe_sandbox.resources.invoiceitems import InvoiceItems
from stripe_sandbox.resources.invoices import Invoices
from stripe_sandbox.resources.payment_intents import PaymentIntents
from stripe_sandbox.resources.payouts import Payouts
from stripe_sandbox.resources.prices import Prices
from stripe_sandbox.resources.products import Products
from stripe_sandbox.resources.promotion_codes import PromotionCodes
from stripe_sandbox.resources.refunds import Refunds
from stripe_sandbox.resources.subscription_items import SubscriptionItems
from stripe_sandbox.resources.subscriptions import Subscriptions
from stripe_sandbox.resources.tax_rates import TaxRates
from stripe_sandbox.resources.test_clocks import TestClocks

RESOURCE_CLASSES: tuple[type[Resource], ...] = (
    Customers, Events, Balance,
    Products, Prices, Coupons, PromotionCodes, TaxRates, Discounts,
    InvoiceItems, Invoices, InvoicePayments,
    PaymentIntents, Charges, Refunds, Disputes, BalanceTransactions, Payouts,
    CreditNotes, CustomerBalanceTransactions,
    Subscriptions, SubscriptionItems,
    TestClocks,
)

__all__ = ["RESOURCE_CLASSES", "ApiCall", "Resource", "Customers", "Events", "Balance"]
