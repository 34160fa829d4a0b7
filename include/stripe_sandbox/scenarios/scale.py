"""The ``scale`` scenario: N one-off invoices over the last 28 days, for volume and speed tests.

N comes from ``--scale-invoices N`` (CLI), the ``invoices`` scenario option, or the
``STRIPE_SANDBOX_SCALE_INVOICES`` environment variable; default 1000. Customers: N/20 (at least
20) in USD, EUR, GBP and JPY. Each invoice has 1-3 lines from the catalog (taxed by the
customer's country) and is finalized and charged at once; about 2% are declined (their
automatic retries run on the dunning schedule, then they are marked uncollectible), about 2% are
partly refunded a day later and about 0.5% disputed, with payouts every day. ``scale`` builds the
paid invoices in bulk (``scale_bulk.py``) and the rest through the API's write methods (not HTTP);
``scale_slow`` sends every invoice through the write methods (the benchmark's baseline). Both give
the same objects and events apart from IDs.
"""

from __future__ import annotations

import os
import random
from typing import TYPE_CHECKING

from stripe_sandbox.scenarios.catalog import build_catalog
from stripe_sandbox.scenarios.scale_bulk import BulkInvoices
from stripe_sandbox.scenarios.timeline import Timeline

if TYPE_CHECKING:
    from stripe_sandbox.scenarios import Seeder

DAY = 86400
ENV = "STRIPE_SANDBOX_SCALE_INVOICES"
DEFAULT_INVOICES = 1000
SPAN = 28 * DAY
COUNTRIES = {"usd": ("US", "sales_ca"), "eur": ("DE", "vat_de"), "gbp": ("GB", "vat_gb"), "jpy": ("JP", "jct")}
PRODUCTS = ("pro", "seat", "onboarding", "support", "enterprise")


def invoice_count(seeder: Seeder) -> int:
    value = seeder.options.get("invoices") or os.environ.get(ENV) or DEFAULT_INVOICES
    count = int(value)
    if count < 0:
        raise ValueError("the scale scenario needs a non-negative number of invoices")
    return count


def build_scale(seeder: Seeder, seed: int) -> None:
    """The bulk build: paid invoices are written straight into the store (``scale_bulk``)."""
    _build(seeder, seed, bulk=True)


def build_scale_slow(seeder: Seeder, seed: int) -> None:
    """Every invoice through the per-object write paths (the benchmark's baseline)."""
    _build(seeder, seed, bulk=False)


def _build(seeder: Seeder, seed: int, *, bulk: bool) -> None:
    count = invoice_count(seeder)
    rng = random.Random(f"scale:{seed}")
    start = seeder.now - SPAN
    timeline = Timeline()
    customers = max(20, count // 20)
    currencies = list(COUNTRIES)
    timeline.at(start - 3600, lambda at, r: build_catalog(seeder, at, r))
    for index in range(customers):
        currency = currencies[index % len(currencies)]
        timeline.at(start + index * DAY // customers,
                    lambda at, r, i=index, c=currency: _customer(seeder, at, r, i, c))
    first_invoice = start + DAY
    step = (seeder.now - DAY - first_invoice) / max(count, 1)
    for index in range(count):
        at = int(first_invoice + index * step)
        customer = index % customers
        lines = [(rng.choice(PRODUCTS), rng.randint(1, 3)) for _ in range(rng.randint(1, 3))]
        fate = rng.random()
        if bulk and fate >= 0.02:
            timeline.at(at, lambda when, r, c=customer, lines=lines: _bulk_invoice(seeder, when, r, c, lines))
        else:
            timeline.at(at, lambda when, r, c=customer, lines=lines, fate=fate:
                        _invoice(seeder, when, r, c, lines, fate))
        if 0.02 <= fate < 0.04:
            timeline.at(at + DAY, lambda when, r, i=index: _refund(seeder, when, r, i))
        elif 0.04 <= fate < 0.045:
            timeline.at(at + 2 * 3600, lambda when, r, i=index: _dispute(seeder, when, r, i))
    timeline.run()


def _customer(seeder: Seeder, at: int, refs: dict, index: int, currency: str) -> None:
    country, _ = COUNTRIES[currency]
    customer = seeder.create("customer", {
        "name": f"Scale Customer {index + 1:05d}", "email": f"billing+{index + 1}@scale.example",
        "currency": currency, "address": {"line1": f"{index + 1} Main St", "city": "Springfield", "country": country},
        "metadata": {"scenario": "scale"}}, at=at)
    refs.setdefault("customers", []).append((customer["id"], currency))


def _invoice(seeder: Seeder, at: int, refs: dict, index: int, lines: list, fate: float) -> None:
    customer, currency = refs["customers"][index]
    _, tax = COUNTRIES[currency]
    for product, quantity in lines:
        seeder.create("invoiceitem", {"customer": customer, "quantity": quantity,
                                      "pricing": {"price": refs["price"][(product, currency)]},
                                      "tax_rates": [refs["tax"][tax]]}, at=at)
    params = {"customer": customer, "pending_invoice_items_behavior": "include"}
    if fate < 0.02:
        params["default_payment_method"] = "pm_card_chargeDeclined"
    invoice = seeder.create("invoice", params, at=at)
    seeder.act("invoice", "finalize", invoice["id"], {"auto_advance": "true"}, at=at)
    refs.setdefault("invoices", []).append(invoice["id"])


def _bulk_invoice(seeder: Seeder, at: int, refs: dict, index: int, lines: list) -> None:
    builder = refs.get("bulk")
    if builder is None:
        builder = refs["bulk"] = BulkInvoices(seeder.state, refs)
    if seeder.last is not None and at < seeder.last:
        raise ValueError(f"scenario writes must not go back in time ({at} < {seeder.last})")
    seeder.last = at
    seeder.state.run_due(at)
    customer_id, currency = refs["customers"][index]
    customer = seeder.state.store.get("customer", customer_id).data
    refs.setdefault("invoices", []).append(builder.paid_invoice(at, customer, lines, COUNTRIES[currency][1]))


def _paid_charge(seeder: Seeder, invoice_id: str) -> str | None:
    for record in seeder.state.store.indexed("invoice_payment", "invoice", invoice_id).records:
        if record.data["status"] == "paid":
            return seeder.resources["payment_intent"].data(record.data["payment"]["payment_intent"])["latest_charge"]
    return None


def _refund(seeder: Seeder, at: int, refs: dict, index: int) -> None:
    charge_id = _paid_charge(seeder, refs["invoices"][index])
    if charge_id is not None:
        charge = seeder.resources["charge"].data(charge_id)
        amount = max(1, charge["amount"] // 4)
        seeder.create("refund", {"charge": charge_id, "amount": amount, "reason": "requested_by_customer"}, at=at)


def _dispute(seeder: Seeder, at: int, refs: dict, index: int) -> None:
    charge_id = _paid_charge(seeder, refs["invoices"][index])
    if charge_id is not None:
        with seeder.state.lock:
            seeder.resources["dispute"].open(charge_id, seeder._ctx(at), reason="fraudulent")
