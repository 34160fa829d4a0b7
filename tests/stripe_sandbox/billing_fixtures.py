"""Helpers shared by the billing tests: a small catalog created through the SDK."""

from __future__ import annotations

from dataclasses import dataclass

T0 = 1_760_000_000  # 2025-10-09 08:53:20 UTC
DAY = 86400


@dataclass
class Catalog:
    product: str
    monthly_usd: str
    monthly_usd_big: str
    one_time_usd: str
    vat: str
    vat_inclusive: str
    pct20: str
    customer: str


def catalog(client, *, currency: str = "usd") -> Catalog:
    product = client.v1.products.create(params={"name": "Pro"}).id
    monthly = client.v1.prices.create(params={"product": product, "currency": currency, "unit_amount": 3000,
                                              "recurring": {"interval": "month"}}).id
    big = client.v1.prices.create(params={"product": product, "currency": currency, "unit_amount": 9000,
                                          "recurring": {"interval": "month"}}).id
    once = client.v1.prices.create(params={"product": product, "currency": currency, "unit_amount": 10000}).id
    vat = client.v1.tax_rates.create(params={"display_name": "VAT", "percentage": "19", "inclusive": "false"}).id
    vat_in = client.v1.tax_rates.create(params={"display_name": "TVA", "percentage": "20", "inclusive": "true"}).id
    coupon = client.v1.coupons.create(params={"percent_off": 20, "duration": "forever"}).id
    customer = client.v1.customers.create(params={"name": "Buyer", "email": "b@example.com",
                                                  "currency": currency}).id
    return Catalog(product, monthly, big, once, vat, vat_in, coupon, customer)


def one_off(client, customer: str, items: list[dict], **invoice_params):
    for item in items:
        client.v1.invoice_items.create(params={"customer": customer, **item})
    return client.v1.invoices.create(params={"customer": customer, "pending_invoice_items_behavior": "include",
                                             **invoice_params})


def event_types(client, **params) -> list[str]:
    return [e.type for e in reversed(list(client.v1.events.list(params={"limit": 100, **params}).auto_paging_iter()))]


def paid_charge(client, invoice_id: str):
    payment = client.v1.invoice_payments.list(params={"invoice": invoice_id, "status": "paid",
                                                      "expand": ["data.payment.payment_intent.latest_charge"]}).data[0]
    return payment.payment.payment_intent.latest_charge
