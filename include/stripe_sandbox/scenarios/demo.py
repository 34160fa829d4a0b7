"""The ``demo`` scenario: a small SaaS month of 12 customers in USD, EUR, GBP and JPY.

Customers (unchanged since the first demo): 12 created over the last 19 days, 3 updated, 1
deleted; companies (name + description) and individuals (some with
``netsuite_first_name``/``netsuite_last_name`` metadata); addresses in US, DE, GB, JP and FR.
Billing (see ``BILLING`` below): a catalog (5 products, prices per currency, 5 tax rates, 2
coupons, a promotion code), subscriptions with a prorated first period, an upgrade with
prorations and a renewal, a promotion code and an amount-off coupon, exclusive and inclusive
taxes, a reverse-charge customer, a declined first payment paid with another card, one-off
invoices (charged, sent, voided, marked uncollectible), a pre-payment credit note, a full refund
by credit note and a partial refund, a dispute won with evidence, a trial, and the daily payouts.

Every billing event happens before the last customer (John Smith) is created, and every payout
has arrived and reconciled by then, so the newest event of the demo is still a customer event
(the customers flow keeps its cursor on customer events). The seed drives IDs and exact times;
the data itself is fixed so demos read the same every time.
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


def _addr(line1, city, postal_code, country, state=None, line2=None) -> dict:
    address = {"line1": line1, "city": city, "postal_code": postal_code, "country": country}
    if state:
        address["state"] = state
    if line2:
        address["line2"] = line2
    return address


CUSTOMERS: list[dict] = [
    {
        "name": "Acme GmbH",
        "description": "Acme GmbH - industrial fasteners, Berlin",
        "email": "billing@acme-gmbh.example",
        "phone": "+49 30 1234567",
        "currency": "eur",
        "address": _addr("Friedrichstrasse 123", "Berlin", "10117", "DE"),
        "shipping": {"name": "Acme GmbH Lager", "phone": "+49 40 7654321",
                     "address": _addr("Am Sandtorkai 5", "Hamburg", "20457", "DE")},
        "preferred_locales": ["de", "en"],
        "tax_exempt": "reverse",
        "metadata": {"segment": "enterprise"},
    },
    {
        "name": "Globex Ltd",
        "description": "Globex Ltd - logistics software",
        "email": "accounts@globex.example",
        "phone": "+44 20 7946 0958",
        "currency": "gbp",
        "balance": -5000,
        "address": _addr("1 Canada Square", "London", "E14 5AB", "GB"),
        "preferred_locales": ["en-GB"],
    },
    {
        "name": "Jane Doe",
        "email": "jane.doe@example.com",
        "phone": "+1 415 555 0100",
        "currency": "usd",
        "address": _addr("500 Market St", "San Francisco", "94105", "US", state="CA", line2="Apt 4"),
    },
    {
        "name": "Initech Inc.",
        "description": "Initech Inc. - TPS reporting services",
        "email": "ap@initech.example",
        "phone": "+1 512 555 0199",
        "currency": "usd",
        "address": _addr("4120 Freidrich Ln", "Austin", "78744", "US", state="TX"),
        "shipping": {"name": "Initech Receiving", "address": _addr("77 Park Ave", "New York", "10016", "US", state="NY")},
        "metadata": {"segment": "mid-market"},
    },
    {
        "name": "Hans Mueller",
        "email": "hans.mueller@example.de",
        "currency": "eur",
        "address": _addr("Leopoldstrasse 10", "Muenchen", "80802", "DE", state="BY"),
        "metadata": {"netsuite_first_name": "Hans", "netsuite_last_name": "Mueller"},
        "preferred_locales": ["de"],
    },
    {
        "name": "Sakura Trading K.K.",
        "description": "Sakura Trading K.K. - electronics import",
        "email": "keiri@sakura-trading.example",
        "phone": "+81 3 1234 5678",
        "currency": "jpy",
        "address": _addr("1-1 Marunouchi", "Chiyoda-ku", "100-0005", "JP", state="Tokyo"),
        "shipping": {"name": "Sakura Trading Osaka", "address": _addr("2-3 Umeda", "Osaka", "530-0001", "JP",
                                                                        state="Osaka")},
        "preferred_locales": ["ja"],
    },
    {
        "name": "Emily Clarke",
        "email": "emily.clarke@example.co.uk",
        "currency": "gbp",
        "address": _addr("221B Baker Street", "London", "NW1 6XE", "GB"),
    },
    {
        "name": "Fromagerie Dupont SARL",
        "description": "Fromagerie Dupont SARL - cheese wholesale",
        "email": "compta@fromagerie-dupont.example",
        "phone": "+33 1 23 45 67 89",
        "currency": "eur",
        "address": _addr("12 Rue de Rivoli", "Paris", "75004", "FR"),
        "shipping": {"name": "Dupont Entrepot", "address": _addr("8 Quai Saint-Antoine", "Lyon", "69002", "FR")},
        "preferred_locales": ["fr"],
        "metadata": {"segment": "smb"},
    },
    {
        "name": "Yuki Tanaka",
        "email": "yuki.tanaka@example.jp",
        "currency": "jpy",
        "address": _addr("3-5 Shibuya", "Shibuya-ku", "150-0002", "JP", state="Tokyo"),
        "metadata": {"netsuite_first_name": "Yuki", "netsuite_last_name": "Tanaka"},
    },
    {
        "name": "Umbrella Foundation",
        "description": "Umbrella Foundation - non-profit research",
        "email": "finance@umbrella.example",
        "currency": "usd",
        "tax_exempt": "exempt",
        "address": _addr("1 Raccoon Way", "Seattle", "98101", "US", state="WA"),
    },
    {
        "name": "Camille Martin",
        "email": "camille.martin@example.fr",
        "phone": "+33 6 12 34 56 78",
        "currency": "eur",
        "address": _addr("5 Place Bellecour", "Lyon", "69002", "FR"),
        "shipping": {"name": "Camille Martin", "phone": "+33 6 12 34 56 78",
                     "address": _addr("9 Rue Sainte-Catherine", "Bordeaux", "33000", "FR")},
        "metadata": {"netsuite_first_name": "Camille", "netsuite_last_name": "Martin"},
    },
    {
        "name": "John Smith",
        "email": "john.smith@example.com",
        "currency": "usd",
    },
]

# (customer index, days after creation, params)
UPDATES = [
    (0, 2, {"email": "invoices@acme-gmbh.example", "metadata": {"netsuite_id": "1001"}}),
    (2, 3, {"address": {"line1": "1 Ferry Building", "line2": "", "postal_code": "94111"}, "phone": ""}),
    (6, 1, {"description": "Prefers paper invoices", "metadata": {"netsuite_first_name": "Emily",
                                                                  "netsuite_last_name": "Clarke"}}),
]
DELETED = (9, 1)  # (customer index, days after creation)


def build_demo(seeder: Seeder, seed: int) -> None:
    rng = random.Random(f"demo:{seed}")  # the customers' draws, unchanged
    start = seeder.now - 19 * DAY
    created_at = [start + i * 36 * HOUR + rng.randrange(HOUR) for i in range(len(CUSTOMERS))]
    timeline = Timeline()
    refs = timeline.refs
    refs["customers"] = []
    timeline.at(start - HOUR, lambda at, r: build_catalog(seeder, at, r))
    timeline.at(start - HOUR, lambda at, r: _promotions(seeder, at, r))
    for params, at in zip(CUSTOMERS, created_at):
        timeline.at(at, lambda when, r, params=params: r["customers"].append(
            seeder.create("customer", params, at=when)["id"]))
    for index, days, params in UPDATES:
        timeline.at(created_at[index] + days * DAY + rng.randrange(HOUR),
                    lambda when, r, index=index, params=params: seeder.update("customer", r["customers"][index],
                                                                             params, at=when))
    index, days = DELETED
    timeline.at(created_at[index] + days * DAY + rng.randrange(HOUR),
                lambda when, r, index=index: seeder.delete("customer", r["customers"][index], at=when))
    jitter = random.Random(f"demo-billing:{seed}")
    for customer, offset, step in BILLING:
        timeline.at(created_at[customer] + offset + jitter.randrange(600),
                    lambda when, r, customer=customer, step=step: step(seeder, when, r, r["customers"][customer]))
    timeline.run()


# -- billing steps: (customer index, seconds after the customer was created, step) --------------
def _promotions(seeder: Seeder, at: int, refs: dict) -> None:
    refs["launch20"] = seeder.create("coupon", {"id": "LAUNCH20", "name": "Launch 20% (3 months)", "percent_off": 20,
                                                "duration": "repeating", "duration_in_months": 3}, at=at)["id"]
    refs["welcome10"] = seeder.create("coupon", {"id": "WELCOME10", "name": "Welcome EUR 10", "amount_off": 1000,
                                                 "currency": "eur", "duration": "once"}, at=at)["id"]
    refs["spring"] = seeder.create("promotion_code", {"promotion": {"type": "coupon", "coupon": refs["launch20"]},
                                                      "code": "SPRING", "max_redemptions": 100}, at=at)["id"]


def _subscribe(seeder, at, refs, customer, items, **params):
    lines = [{"price": refs["price"][(key, currency)], "quantity": quantity} for key, currency, quantity in items]
    sub = seeder.create("subscription", {"customer": customer, "items": lines, **params}, at=at)
    refs.setdefault("subscriptions", {})[customer] = sub["id"]
    return sub




def acme_subscribes(seeder, at, refs, customer):  # prorated first period up to the billing anchor
    _subscribe(seeder, at, refs, customer, [("pro", "eur", 1), ("seat", "eur", 5)],
               default_tax_rates=[refs["tax"]["vat_de"]], billing_cycle_anchor=at + 8 * DAY,
               metadata={"plan": "pro"})


def acme_upgrades(seeder, at, refs, customer):  # prorations, billed at the renewal on the anchor
    sub = seeder.resources["subscription"].data(refs["subscriptions"][customer])
    pro = next(item for item in sub["items"]["data"] if item["price"]["id"] == refs["price"][("pro", "eur")])
    seeder.update("subscription", sub["id"], {"items": [{"id": pro["id"], "price": refs["price"][("enterprise",
                                                                                                     "eur")]}],
                                              "metadata": {"plan": "enterprise"}}, at=at)


def jane_subscribes(seeder, at, refs, customer):  # promotion code, US sales tax
    _subscribe(seeder, at, refs, customer, [("pro", "usd", 1)], default_tax_rates=[refs["tax"]["sales_ca"]],
               discounts=[{"promotion_code": refs["spring"]}])


def jane_onboarding(seeder, at, refs, customer):
    invoice = one_off_invoice(seeder, at, refs, customer, [{"pricing": {"price": refs["price"][("onboarding", "usd")]},
                                                     "tax_rates": [refs["tax"]["sales_ca"]]}],
                       description="Onboarding")
    refs["jane_onboarding"] = invoice["id"]


def jane_partial_refund(seeder, at, refs, customer):
    seeder.create("refund", {"charge": charge_of(seeder, refs["jane_onboarding"]), "amount": 5000,
                             "reason": "requested_by_customer", "metadata": {"note": "migration took one day less"}},
                  at=at)


def initech_subscribes(seeder, at, refs, customer):
    _subscribe(seeder, at, refs, customer, [("seat", "usd", 10)])


def initech_dispute(seeder, at, refs, customer):
    sub = seeder.resources["subscription"].data(refs["subscriptions"][customer])
    charge = charge_of(seeder, sub["latest_invoice"])
    with seeder.state.lock:
        refs["initech_dispute"] = seeder.resources["dispute"].open(charge, seeder._ctx(at),
                                                                   reason="product_not_received")["id"]


def initech_evidence(seeder, at, refs, customer):
    seeder.update("dispute", refs["initech_dispute"], {"evidence": {
        "product_description": "Team seats, used daily since signup",
        "uncategorized_text": "Access logs attached. winning_evidence"}, "submit": "true"}, at=at)


def initech_integration(seeder, at, refs, customer):
    invoice = one_off_invoice(seeder, at, refs, customer, [{"amount": 80000, "currency": "usd",
                                                     "description": "Custom integration work"}],
                       collection_method="send_invoice", days_until_due=7, auto_advance="false")
    refs["initech_integration"] = invoice["id"]


def initech_gives_up(seeder, at, refs, customer):
    seeder.act("invoice", "mark_uncollectible", refs["initech_integration"], {}, at=at)


def hans_onboarding(seeder, at, refs, customer):
    invoice = one_off_invoice(seeder, at, refs, customer, [{"pricing": {"price": refs["price"][("onboarding", "eur")]},
                                                     "tax_rates": [refs["tax"]["vat_de"]]}],
                       collection_method="send_invoice", days_until_due=14)
    refs["hans_onboarding"] = invoice["id"]


def hans_credit_note(seeder, at, refs, customer):  # before payment: reduces what is due
    invoice = seeder.resources["invoice"].data(refs["hans_onboarding"])
    seeder.create("credit_note", {"invoice": invoice["id"], "reason": "order_change", "memo": "Goodwill discount",
                                  "lines": [{"type": "invoice_line_item", "amount": 5000,
                                             "invoice_line_item": invoice["lines"]["data"][0]["id"]}]}, at=at)


def hans_pays(seeder, at, refs, customer):
    seeder.act("invoice", "pay", refs["hans_onboarding"], {"payment_method": "pm_card_visa"}, at=at)


def sakura_subscribes(seeder, at, refs, customer):  # the card on file is declined
    _subscribe(seeder, at, refs, customer, [("pro", "jpy", 1), ("seat", "jpy", 4)],
               default_tax_rates=[refs["tax"]["jct"]], default_payment_method="pm_card_chargeDeclined")


def sakura_pays_with_another_card(seeder, at, refs, customer):
    sub = seeder.resources["subscription"].data(refs["subscriptions"][customer])
    seeder.act("invoice", "pay", sub["latest_invoice"], {"payment_method": "pm_card_jp"}, at=at)


def emily_support(seeder, at, refs, customer):
    invoice = one_off_invoice(seeder, at, refs, customer, [{"pricing": {"price": refs["price"][("support", "gbp")]},
                                                     "tax_rates": [refs["tax"]["vat_gb"]]}])
    refs["emily_support"] = invoice["id"]


def emily_full_refund(seeder, at, refs, customer):  # a credit note refunding the whole invoice
    invoice = seeder.resources["invoice"].data(refs["emily_support"])
    seeder.create("credit_note", {"invoice": invoice["id"], "reason": "product_unsatisfactory",
                                  "refund_amount": invoice["total"],
                                  "lines": [{"type": "invoice_line_item",
                                             "invoice_line_item": invoice["lines"]["data"][0]["id"]}]}, at=at)


def dupont_subscribes(seeder, at, refs, customer):  # tax-inclusive prices, an amount-off coupon
    _subscribe(seeder, at, refs, customer, [("pro", "eur", 1), ("seat", "eur", 3)],
               default_tax_rates=[refs["tax"]["vat_fr"]], discounts=[{"coupon": refs["welcome10"]}])


def yuki_wrong_invoice(seeder, at, refs, customer):
    invoice = one_off_invoice(seeder, at, refs, customer, [{"pricing": {"price": refs["price"][("onboarding", "jpy")]},
                                                     "tax_rates": [refs["tax"]["jct"]]}], auto_advance="false")
    refs["yuki_wrong"] = invoice["id"]


def yuki_void(seeder, at, refs, customer):
    seeder.act("invoice", "void", refs["yuki_wrong"], {}, at=at)


def yuki_right_invoice(seeder, at, refs, customer):
    one_off_invoice(seeder, at, refs, customer, [{"amount": 30000, "currency": "jpy",
                                           "description": "Onboarding package (agreed price)",
                                           "tax_rates": [refs["tax"]["jct"]]}])


def camille_trial(seeder, at, refs, customer):
    _subscribe(seeder, at, refs, customer, [("pro", "eur", 1)], trial_period_days=14,
               default_tax_rates=[refs["tax"]["vat_fr"]])


BILLING = [
    (0, HOUR, acme_subscribes),
    (0, 5 * DAY, acme_upgrades),
    (2, 2 * HOUR, jane_subscribes),
    (2, DAY, jane_onboarding),
    (2, 3 * DAY - 2 * HOUR, jane_partial_refund),
    (3, HOUR, initech_subscribes),
    (3, DAY, initech_dispute),
    (3, DAY + 2 * HOUR, initech_integration),
    (3, 2 * DAY, initech_evidence),
    (3, 6 * DAY, initech_gives_up),
    (4, HOUR, hans_onboarding),
    (4, DAY, hans_credit_note),
    (4, 2 * DAY, hans_pays),
    (5, HOUR, sakura_subscribes),
    (5, 3 * HOUR, sakura_pays_with_another_card),
    (6, HOUR, emily_support),
    (6, DAY - 2 * HOUR, emily_full_refund),
    (7, HOUR, dupont_subscribes),
    (8, HOUR, yuki_wrong_invoice),
    (8, 2 * HOUR, yuki_void),
    (8, 3 * HOUR, yuki_right_invoice),
    (10, HOUR, camille_trial),
]
