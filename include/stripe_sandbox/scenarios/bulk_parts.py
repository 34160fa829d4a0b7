"""The parts bulk-built paid invoices share, computed once (``scale_bulk.py``, ``paid_invoice.py``).

Line amounts and taxes come from the ``billing`` rules once per (product, quantity, currency);
invoice totals once per distinct set of lines; card details once per amount; a charge's billing
details once per customer version. The dicts are shared by every object rendered from them:
stored objects are immutable (every update path copies: ``Resource.replace``).
"""

from __future__ import annotations

from decimal import Decimal

from stripe_sandbox.billing.money import round_minor
from stripe_sandbox.billing.payment_methods import card_for
from stripe_sandbox.billing.tax import line_taxes
from stripe_sandbox.billing.totals import summarize
from stripe_sandbox.resources.charges import NULL_ADDRESS, card_details
from stripe_sandbox.resources.tax_rates import as_rate

METHOD = "pm_card_visa"


class BulkParts:
    def __init__(self, state, refs: dict) -> None:
        self.store = state.store
        self.refs = refs
        self.account_prefix = state.account_prefix
        self.card = card_for(METHOD)
        self._lines: dict[tuple, tuple] = {}
        self._totals: dict[tuple, dict] = {}
        self._billing: dict[str, tuple] = {}  # customer ID -> (customer version, its billing details)
        self._card_by_amount: dict[int, dict] = {}

    def line(self, product: str, quantity: int, currency: str, tax_key: str) -> tuple:
        """``(amount, pricing, description, tax rates, tax rate IDs, taxes)`` of one invoice line."""
        key = (product, quantity, currency)
        parts = self._lines.get(key)
        if parts is None:
            price = self.store.get("price", self.refs["price"][(product, currency)]).data
            rate = self.store.get("tax_rate", self.refs["tax"][tax_key]).data
            amount = round_minor(Decimal(price["unit_amount_decimal"]) * quantity, currency)
            pricing = {"price_details": {"price": price["id"], "product": price["product"]}, "type": "price_details",
                       "unit_amount_decimal": price["unit_amount_decimal"]}
            description = self.store.get("product", price["product"]).data["name"]
            taxes = line_taxes(amount, [as_rate(rate)], currency, "none")
            parts = self._lines[key] = (amount, pricing, description, [rate], [rate["id"]], taxes)
        return parts

    def totals(self, currency: str, tax_key: str, lines: tuple, line_objects) -> dict:
        """The ``summarize`` totals of an invoice's lines; ``line_objects()`` builds them when not known yet."""
        key = (currency, tax_key, *lines)
        totals = self._totals.get(key)
        if totals is None:  # totals depend only on the lines' parts: shared by invoices with the same lines
            totals = self._totals[key] = summarize(line_objects())
        return totals

    def billing_details(self, customer: dict) -> dict:
        """A charge's ``billing_details``, shared by the customer's charges (per customer version)."""
        cached = self._billing.get(customer["id"])
        if cached is None or cached[0] is not customer:
            details = {"address": customer.get("address") or NULL_ADDRESS, "email": customer.get("email"),
                       "name": customer.get("name"), "phone": customer.get("phone"), "tax_id": None}
            cached = self._billing[customer["id"]] = (customer, details)
        return cached[1]

    def card_details(self, amount: int) -> dict:
        """``payment_method_details`` of a bulk charge, shared by the charges of the same amount."""
        details = self._card_by_amount.get(amount)
        if details is None:
            details = self._card_by_amount[amount] = card_details(self.card, METHOD, amount)
        return details
