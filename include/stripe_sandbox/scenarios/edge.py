"""The ``edge`` scenario: the awkward cases, over the last 27 days.

* Zero Co: a 100%-off (``FREE100``, forever) subscription: zero invoices, paid at finalization;
* Negative Ltd: an invoice whose credits exceed its charges (total < 0: amount due 0, the
  customer balance is credited), then an invoice the balance partly pays;
* Kuwait Trading: KWD (three decimals, amounts in thousandths, charges ending in 0), a 5% tax
  rounded to the 10-fils step, a partial refund;
* Many Lines GmbH: a 25-line invoice (past the first page of lines), a partial refund of its
  charge, and a credit note on the paid invoice credited to the customer balance;
* Bulk Orders: a 150-line invoice (more than 100 lines), sent; a credit note while open, then
  paid out of band;
* Dunning Corp: the renewal is declined, retried 1, 3 and 5 days later, declined each time: the
  invoice is marked uncollectible and the subscription canceled;
* Dispute Won LLC: a charge with ``pm_card_createDispute``, evidence with ``winning_evidence``: won;
* Dispute Lost SARL: a dispute nobody answers: lost when ``due_by`` passes;
* Seoul Tech: KRW (zero decimals) with 10% VAT;
* Mixed Tax BV: inclusive and exclusive tax rates on one invoice;
* Downgrade Inc: a downgrade with ``always_invoice``: a negative proration invoice;
* Trial Ends Co: a 7-day trial that converts to paid;
* Gone Away Ltd: a customer deleted after being invoiced and paid.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from stripe_sandbox.scenarios.catalog import build_catalog
from stripe_sandbox.scenarios.invoicing import charge_of, one_off_invoice
from stripe_sandbox.scenarios.timeline import Timeline

if TYPE_CHECKING:
    from stripe_sandbox.scenarios import Seeder

DAY = 86400
HOUR = 3600


def _address(country: str, city: str, line1: str, postal_code: str) -> dict:
    return {"line1": line1, "city": city, "postal_code": postal_code, "country": country}


CUSTOMERS = {
    "zero": {"name": "Zero Co", "email": "ap@zero.example", "currency": "usd",
             "address": _address("US", "Denver", "1 Zero Way", "80202")},
    "negative": {"name": "Negative Ltd", "email": "finance@negative.example", "currency": "usd",
                 "address": _address("US", "Boston", "2 Credit St", "02110")},
    "kuwait": {"name": "Kuwait Trading W.L.L.", "email": "accounts@kuwait-trading.example", "currency": "kwd",
               "address": _address("KW", "Kuwait City", "Block 3, Street 11", "13001")},
    "many": {"name": "Many Lines GmbH", "email": "rechnung@many-lines.example", "currency": "eur",
             "address": _address("DE", "Koeln", "Hohe Strasse 1", "50667")},
    "bulk": {"name": "Bulk Orders Inc", "email": "ap@bulk.example", "currency": "usd",
             "address": _address("US", "Chicago", "100 Wacker Dr", "60601")},
    "dunning": {"name": "Dunning Corp", "email": "billing@dunning.example", "currency": "gbp",
                "address": _address("GB", "Leeds", "3 Park Row", "LS1 5HN")},
    "won": {"name": "Dispute Won LLC", "email": "ops@won.example", "currency": "usd",
            "address": _address("US", "Austin", "4 Congress Ave", "78701")},
    "lost": {"name": "Dispute Lost SARL", "email": "compta@lost.example", "currency": "eur",
             "address": _address("FR", "Nantes", "5 Rue Crebillon", "44000")},
    "seoul": {"name": "Seoul Tech Co., Ltd.", "email": "finance@seoul-tech.example", "currency": "krw",
              "address": _address("KR", "Seoul", "6 Teheran-ro", "06234")},
    "mixed": {"name": "Mixed Tax BV", "email": "finance@mixed-tax.example", "currency": "eur",
              "address": _address("NL", "Utrecht", "7 Oudegracht", "3511 AA")},
    "downgrade": {"name": "Downgrade Inc", "email": "ap@downgrade.example", "currency": "usd",
                  "address": _address("US", "Seattle", "8 Pine St", "98101")},
    "trial": {"name": "Trial Ends Co", "email": "hello@trial-ends.example", "currency": "usd",
              "address": _address("US", "Miami", "9 Ocean Dr", "33139")},
    "gone": {"name": "Gone Away Ltd", "email": "closed@gone.example", "currency": "usd",
             "address": _address("US", "Portland", "10 Burnside St", "97209")},
}

EXTRA_TAX = {
    "kw_service": {"display_name": "Service tax", "percentage": "5", "inclusive": "false", "country": "KW",
                   "tax_type": "service_tax", "description": "Kuwait service tax (sandbox)"},
    "kr_vat": {"display_name": "VAT", "percentage": "10", "inclusive": "false", "country": "KR", "tax_type": "vat",
               "description": "Korea VAT"},
    "nl_vat_incl": {"display_name": "BTW", "percentage": "21", "inclusive": "true", "country": "NL",
                    "tax_type": "vat", "description": "BTW Netherlands (in price)"},
    "nl_vat_low": {"display_name": "BTW laag", "percentage": "9", "inclusive": "false", "country": "NL",
                   "tax_type": "vat", "description": "BTW Netherlands, reduced rate"},
}


def build_edge(seeder: Seeder, seed: int) -> None:
    rng = random.Random(f"edge:{seed}")
    start = seeder.now - 27 * DAY
    timeline = Timeline()
    timeline.at(start - HOUR, lambda at, r: _catalog(seeder, at, r))
    for index, (key, params) in enumerate(CUSTOMERS.items()):
        timeline.at(start + index * HOUR + rng.randrange(600),
                    lambda at, r, key=key, params=params: r.setdefault("customer", {}).__setitem__(
                        key, seeder.create("customer", {**params, "metadata": {"scenario": "edge"}}, at=at)["id"]))
    for offset, step in STEPS:
        timeline.at(start + offset + rng.randrange(600), lambda at, r, step=step: step(seeder, at, r))
    timeline.run()


def _catalog(seeder: Seeder, at: int, refs: dict) -> None:
    build_catalog(seeder, at, refs, currencies=("usd", "eur", "gbp"))
    for key, params in EXTRA_TAX.items():
        refs["tax"][key] = seeder.create("tax_rate", params, at=at)["id"]
    kwd = seeder.create("product", {"name": "Kuwait support plan"}, at=at)["id"]
    refs["price"][("kw_plan", "kwd")] = seeder.create("price", {"product": kwd, "currency": "kwd", "unit_amount": 12500,
                                                                "recurring": {"interval": "month"}}, at=at)["id"]
    refs["free100"] = seeder.create("coupon", {"id": "FREE100", "name": "Free forever", "percent_off": 100,
                                               "duration": "forever"}, at=at)["id"]




def zero_subscribes(seeder, at, refs):
    sub = seeder.create("subscription", {"customer": refs["customer"]["zero"],
                                         "items": [{"price": refs["price"][("pro", "usd")]}],
                                         "discounts": [{"coupon": refs["free100"]}]}, at=at)
    refs["zero_sub"] = sub["id"]
    one_off_invoice(seeder, at, refs, refs["customer"]["zero"], [{"amount": 0, "currency": "usd",
                                                           "description": "Complimentary setup"}])


def negative_invoice(seeder, at, refs):
    customer = refs["customer"]["negative"]
    one_off_invoice(seeder, at, refs, customer, [
        {"amount": 5000, "currency": "usd", "description": "Consulting hours"},
        {"amount": -12000, "currency": "usd", "description": "Service credit for the outage"},
    ])


def negative_then_owes(seeder, at, refs):
    one_off_invoice(seeder, at, refs, refs["customer"]["negative"], [{"amount": 10000, "currency": "usd",
                                                                "description": "Consulting hours"}])


def kuwait_subscribes(seeder, at, refs):
    sub = seeder.create("subscription", {"customer": refs["customer"]["kuwait"],
                                         "items": [{"price": refs["price"][("kw_plan", "kwd")], "quantity": 3}],
                                         "default_tax_rates": [refs["tax"]["kw_service"]]}, at=at)
    refs["kuwait_invoice"] = sub["latest_invoice"]


def kuwait_partial_refund(seeder, at, refs):
    seeder.create("refund", {"charge": charge_of(seeder, refs["kuwait_invoice"]), "amount": 3330}, at=at)


def many_lines(seeder, at, refs):
    customer = refs["customer"]["many"]
    keys = ["pro", "seat", "onboarding", "support", "enterprise"]
    items = [{"pricing": {"price": refs["price"][(keys[i % 5], "eur")]}, "quantity": 1 + i % 3,
              "description": f"Order line {i + 1}", "tax_rates": [refs["tax"]["vat_de"]]} for i in range(25)]
    invoice = one_off_invoice(seeder, at, refs, customer, items, description="25 lines")
    refs["many_invoice"] = invoice["id"]


def many_partial_refund(seeder, at, refs):
    seeder.create("refund", {"charge": charge_of(seeder, refs["many_invoice"]), "amount": 10000,
                             "reason": "requested_by_customer"}, at=at)


def many_credit_note(seeder, at, refs):  # on the paid invoice, to the customer balance
    lines = seeder.resources["invoice"].lines_of(refs["many_invoice"])
    seeder.create("credit_note", {"invoice": refs["many_invoice"], "reason": "product_unsatisfactory",
                                  "lines": [{"type": "invoice_line_item", "invoice_line_item": lines[11]["id"],
                                             "quantity": 1},
                                            {"type": "invoice_line_item", "invoice_line_item": lines[12]["id"]}]},
                  at=at)


def bulk_order(seeder, at, refs):
    customer = refs["customer"]["bulk"]
    items = [{"amount": 100 * (i % 7 + 1), "currency": "usd", "description": f"SKU-{i + 1:04d}"}
             for i in range(150)]
    invoice = one_off_invoice(seeder, at, refs, customer, items, collection_method="send_invoice", days_until_due=30)
    refs["bulk_invoice"] = invoice["id"]


def bulk_credit_note(seeder, at, refs):  # on the open invoice: reduces what is due
    lines = seeder.resources["invoice"].lines_of(refs["bulk_invoice"])
    seeder.create("credit_note", {"invoice": refs["bulk_invoice"], "reason": "order_change", "memo": "Short shipment",
                                  "lines": [{"type": "invoice_line_item", "invoice_line_item": line["id"]}
                                            for line in lines[140:]]}, at=at)


def bulk_paid_by_wire(seeder, at, refs):
    seeder.act("invoice", "pay", refs["bulk_invoice"], {"paid_out_of_band": "true"}, at=at)


def dunning_subscribes(seeder, at, refs):
    sub = seeder.create("subscription", {"customer": refs["customer"]["dunning"],
                                         "items": [{"price": refs["price"][("pro", "gbp")]}],
                                         "default_tax_rates": [refs["tax"]["vat_gb"]],
                                         "billing_cycle_anchor": at + 3 * DAY}, at=at)
    refs["dunning_sub"] = sub["id"]


def dunning_card_expires(seeder, at, refs):
    seeder.update("subscription", refs["dunning_sub"],
                  {"default_payment_method": "pm_card_chargeDeclinedInsufficientFunds"}, at=at)


def won_dispute(seeder, at, refs):
    invoice = one_off_invoice(seeder, at, refs, refs["customer"]["won"],
                       [{"pricing": {"price": refs["price"][("support", "usd")]}}],
                       default_payment_method="pm_card_createDispute")
    charge = charge_of(seeder, invoice["id"])
    refs["won_dispute"] = seeder.resources["dispute"].list_for_charge(charge)[0]


def won_evidence(seeder, at, refs):
    seeder.update("dispute", refs["won_dispute"], {"evidence": {"uncategorized_text": "winning_evidence: signed SOW"},
                                                   "submit": "true"}, at=at)


def lost_subscribes(seeder, at, refs):
    sub = seeder.create("subscription", {"customer": refs["customer"]["lost"],
                                         "items": [{"price": refs["price"][("seat", "eur")], "quantity": 6}],
                                         "default_tax_rates": [refs["tax"]["vat_de"]]}, at=at)
    refs["lost_invoice"] = sub["latest_invoice"]


def lost_dispute(seeder, at, refs):  # never answered: lost at due_by
    with seeder.state.lock:
        seeder.resources["dispute"].open(charge_of(seeder, refs["lost_invoice"]), seeder._ctx(at),
                                         reason="subscription_canceled")


def seoul_invoice(seeder, at, refs):
    one_off_invoice(seeder, at, refs, refs["customer"]["seoul"], [
        {"amount": 55000, "currency": "krw", "description": "API usage, October", "tax_rates": [refs["tax"]["kr_vat"]]},
        {"unit_amount_decimal": "3333", "quantity": 3, "currency": "krw", "description": "Extra seats",
         "tax_rates": [refs["tax"]["kr_vat"]]},
    ])


def mixed_tax_invoice(seeder, at, refs):
    one_off_invoice(seeder, at, refs, refs["customer"]["mixed"], [
        {"pricing": {"price": refs["price"][("support", "eur")]}, "tax_rates": [refs["tax"]["nl_vat_incl"]]},
        {"amount": 4999, "currency": "eur", "description": "Printed manuals", "tax_rates": [refs["tax"]["nl_vat_low"]]},
        {"amount": 1234, "currency": "eur", "description": "Shipping (untaxed)"},
    ])


def downgrade_subscribes(seeder, at, refs):
    sub = seeder.create("subscription", {"customer": refs["customer"]["downgrade"],
                                         "items": [{"price": refs["price"][("enterprise", "usd")]}]}, at=at)
    refs["downgrade_sub"] = sub["id"]


def downgrade_now(seeder, at, refs):
    sub = seeder.resources["subscription"].data(refs["downgrade_sub"])
    seeder.update("subscription", sub["id"], {"proration_behavior": "always_invoice", "items": [
        {"id": sub["items"]["data"][0]["id"], "price": refs["price"][("pro", "usd")]}]}, at=at)


def trial_subscribes(seeder, at, refs):
    seeder.create("subscription", {"customer": refs["customer"]["trial"], "trial_period_days": 7,
                                   "items": [{"price": refs["price"][("pro", "usd")]},
                                             {"price": refs["price"][("seat", "usd")], "quantity": 2}]}, at=at)


def gone_buys(seeder, at, refs):
    one_off_invoice(seeder, at, refs, refs["customer"]["gone"], [{"pricing": {"price": refs["price"][("onboarding", "usd")]}}])


def gone_leaves(seeder, at, refs):
    seeder.delete("customer", refs["customer"]["gone"], at=at)


STEPS = [
    (DAY, zero_subscribes),
    (DAY + HOUR, negative_invoice),
    (4 * DAY, negative_then_owes),
    (DAY + 2 * HOUR, kuwait_subscribes),
    (3 * DAY, kuwait_partial_refund),
    (DAY + 3 * HOUR, many_lines),
    (2 * DAY, many_partial_refund),
    (5 * DAY, many_credit_note),
    (DAY + 4 * HOUR, bulk_order),
    (3 * DAY + HOUR, bulk_credit_note),
    (8 * DAY, bulk_paid_by_wire),
    (12 * HOUR, dunning_subscribes),
    (2 * DAY, dunning_card_expires),
    (2 * DAY + HOUR, won_dispute),
    (3 * DAY + 2 * HOUR, won_evidence),
    (2 * DAY + 2 * HOUR, lost_subscribes),
    (3 * DAY + 3 * HOUR, lost_dispute),
    (6 * DAY, seoul_invoice),
    (6 * DAY + HOUR, mixed_tax_invoice),
    (7 * DAY, downgrade_subscribes),
    (12 * DAY, downgrade_now),
    (9 * DAY, trial_subscribes),
    (10 * DAY, gone_buys),
    (14 * DAY, gone_leaves),
]
