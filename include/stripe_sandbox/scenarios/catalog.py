"""The SaaS catalog the scenarios sell: products, prices per currency, tax rates, coupons."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from stripe_sandbox.scenarios import Seeder

MONTHLY = {"interval": "month"}

PRODUCTS = {
    "pro": ("Pro plan", "Pro plan - monthly SaaS subscription", MONTHLY,
            {"usd": 4900, "eur": 4500, "gbp": 3900, "jpy": 7000}),
    "enterprise": ("Enterprise plan", "Enterprise plan - monthly, priority SLAs", MONTHLY,
                   {"usd": 19900, "eur": 17900, "gbp": 15900, "jpy": 28000}),
    "seat": ("Team seat", "Additional team member seat", MONTHLY,
             {"usd": 1500, "eur": 1400, "gbp": 1200, "jpy": 2000}),
    "onboarding": ("Onboarding package", "One-time onboarding and data migration", None,
                   {"usd": 25000, "eur": 23000, "gbp": 20000, "jpy": 35000}),
    "support": ("Priority support", "Priority support add-on, one year", None,
                {"usd": 15000, "eur": 13500, "gbp": 12000, "jpy": 20000}),
}

TAX_RATES = {
    "vat_de": {"display_name": "VAT", "percentage": "19", "inclusive": "false", "country": "DE",
               "jurisdiction": "DE", "tax_type": "vat", "description": "VAT Germany"},
    "vat_fr": {"display_name": "TVA", "percentage": "20", "inclusive": "true", "country": "FR",
               "jurisdiction": "FR", "tax_type": "vat", "description": "TVA France (prices include tax)"},
    "vat_gb": {"display_name": "VAT", "percentage": "20", "inclusive": "false", "country": "GB",
               "jurisdiction": "GB", "tax_type": "vat", "description": "VAT United Kingdom"},
    "sales_ca": {"display_name": "Sales Tax", "percentage": "8.625", "inclusive": "false", "country": "US",
                 "state": "CA", "jurisdiction": "US - CA", "tax_type": "sales_tax",
                 "description": "San Francisco, CA sales tax"},
    "jct": {"display_name": "JCT", "percentage": "10", "inclusive": "false", "country": "JP", "jurisdiction": "JP",
            "tax_type": "jct", "description": "Japanese consumption tax"},
}


def build_catalog(seeder: Seeder, at: int, refs: dict, currencies=("usd", "eur", "gbp", "jpy")) -> None:
    """Products, one price per currency (``refs["price"][(key, currency)]``) and the tax rates."""
    refs.setdefault("price", {})
    refs.setdefault("product", {})
    refs.setdefault("tax", {})
    for key, (name, description, recurring, amounts) in PRODUCTS.items():
        product = seeder.create("product", {"name": name, "description": description,
                                            "metadata": {"sku": key.upper()}}, at=at)
        refs["product"][key] = product["id"]
        for currency in currencies:
            if currency not in amounts:
                continue
            params = {"product": product["id"], "currency": currency, "unit_amount": amounts[currency],
                      "nickname": f"{name} {currency.upper()}", "lookup_key": f"{key}_{currency}"}
            if recurring:
                params["recurring"] = recurring
            refs["price"][(key, currency)] = seeder.create("price", params, at=at)["id"]
    for key, params in TAX_RATES.items():
        refs["tax"][key] = seeder.create("tax_rate", params, at=at)["id"]
