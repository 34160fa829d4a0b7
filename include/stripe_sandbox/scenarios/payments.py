"""The ``payments`` scenario: every way an invoice or a payment is paid (or not), over the last 14 days.

Small (10 customers, 15 invoices, 2 standalone payment intents) so a flow test against it runs in
seconds. Every customer, invoice and standalone payment intent carries ``metadata.scenario = "payments"``
and ``metadata.case`` naming what it exercises (IDs are random per seed; find objects by ``case``):

* ``card_usd`` (Card Buyer Inc, USD): 3 invoices charged automatically with ``pm_card_visa``;
* ``card_eur`` (Euro Card GmbH, EUR): 2 invoices charged by card, settled in USD at EUR 1.08
  (``billing/fx.py``: the balance transactions carry ``exchange_rate`` and the 1 % conversion fee);
* ``card_jpy`` (Tokyo Card KK, JPY, zero-decimal): 2 invoices charged by card, settled in USD at 0.0067;
* ``split`` (Split Payments LLC, USD, ``send_invoice``): one 600.00 invoice paid by three attached
  payments (``attach_payment``): 200.00 by card, confirmed before it was attached (credited at once),
  250.00 by card attached first and confirmed later, 150.00 by ACH (``pm_usBankAccount_success``),
  credited when it settled (that payment paid the invoice); one 100.00 invoice paid by two card payments
  (40.00 + 60.00). Each attached payment intent has ``metadata.case = "split"`` too and the
  ``description`` "Partial payment n of m";
* ``ach_success`` (ACH Success Inc, USD, default payment method ``pm_usBankAccount_success``): one invoice
  charged automatically and one paid with ``POST /pay``, both settled 4 business days later (paid);
* ``ach_processing`` (ACH Pending Corp, USD): one invoice paid with ``pm_usBankAccount_success`` 3 hours
  before the scenario's now: still ``open``, its payment intent ``processing``, its ``py_`` charge
  ``pending`` with a pending ``payment`` balance transaction;
* ``ach_failed`` (ACH Failed Co, USD, ``send_invoice``): one invoice paid with
  ``pm_usBankAccount_accountClosed``; it failed 4 business days later (``account_closed``, a
  ``payment_failure_refund``), the invoice stays ``open`` (no retry: send_invoice);
* ``out_of_band`` (Out Of Band Ltd, USD): one invoice ``paid_out_of_band`` (no charge);
* ``declined`` (Declined Card LLC, USD, ``send_invoice``): one invoice paid with
  ``pm_card_chargeDeclined``: a failed charge, the invoice left ``open``;
* ``standalone`` (Direct Buyer, USD): a standalone card payment intent with a customer and the
  description "Workshop ticket (standalone)"; ``guest``: a standalone card payment intent without a
  customer, description "Guest checkout", ``receipt_email`` guest@example.com.

Daily payouts run over the whole period (``card`` and ``bank_account`` transactions).
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from stripe_sandbox.scenarios.invoicing import one_off_invoice
from stripe_sandbox.scenarios.timeline import Timeline

if TYPE_CHECKING:
    from stripe_sandbox.scenarios import Seeder

DAY = 86400
HOUR = 3600
SCENARIO = {"scenario": "payments"}


def _address(country: str, city: str, line1: str, postal_code: str) -> dict:
    return {"line1": line1, "city": city, "postal_code": postal_code, "country": country}


CUSTOMERS = {
    "card_usd": {"name": "Card Buyer Inc", "email": "ap@card-buyer.example", "currency": "usd",
                 "address": _address("US", "Denver", "1 Card Way", "80202")},
    "card_eur": {"name": "Euro Card GmbH", "email": "rechnung@euro-card.example", "currency": "eur",
                 "address": _address("DE", "Berlin", "Kartenstrasse 2", "10115")},
    "card_jpy": {"name": "Tokyo Card KK", "email": "keiri@tokyo-card.example", "currency": "jpy",
                 "address": _address("JP", "Tokyo", "3-1 Marunouchi", "100-0005")},
    "split": {"name": "Split Payments LLC", "email": "billing@split.example", "currency": "usd",
              "address": _address("US", "Austin", "4 Split Ave", "78701")},
    "ach_success": {"name": "ACH Success Inc", "email": "ap@ach-success.example", "currency": "usd",
                    "address": _address("US", "Chicago", "5 Bank St", "60601"),
                    "invoice_settings": {"default_payment_method": "pm_usBankAccount_success"}},
    "ach_processing": {"name": "ACH Pending Corp", "email": "ap@ach-pending.example", "currency": "usd",
                       "address": _address("US", "Boston", "6 Pending Rd", "02110")},
    "ach_failed": {"name": "ACH Failed Co", "email": "ap@ach-failed.example", "currency": "usd",
                   "address": _address("US", "Miami", "7 Closed Ct", "33139")},
    "out_of_band": {"name": "Out Of Band Ltd", "email": "finance@oob.example", "currency": "usd",
                    "address": _address("US", "Seattle", "8 Check Ln", "98101")},
    "declined": {"name": "Declined Card LLC", "email": "ap@declined.example", "currency": "usd",
                 "address": _address("US", "Portland", "9 Nope St", "97209")},
    "standalone": {"name": "Direct Buyer", "email": "buyer@direct.example", "currency": "usd",
                   "address": _address("US", "Denver", "10 Direct Pl", "80203")},
}


def build_payments(seeder: Seeder, seed: int) -> None:
    rng = random.Random(f"payments:{seed}")
    start = seeder.now - 14 * DAY
    timeline = Timeline()
    for index, (case, params) in enumerate(CUSTOMERS.items()):
        timeline.at(start + index * 600 + rng.randrange(300),
                    lambda at, r, case=case, params=params: r.setdefault("customer", {}).__setitem__(
                        case, seeder.create("customer", {**params, "metadata": {**SCENARIO, "case": case}},
                                            at=at)["id"]))
    steps = [
        (1 * DAY, lambda at, r: _card(seeder, at, r, "card_usd", 12000, "Annual support")),
        (1 * DAY, lambda at, r: _card(seeder, at, r, "card_eur", 9900, "Beratung")),
        (1 * DAY + 2 * HOUR, lambda at, r: _ach_automatic(seeder, at, r)),
        (2 * DAY, lambda at, r: _card(seeder, at, r, "card_jpy", 15000, "Consulting (JPY)")),
        (2 * DAY + 3 * HOUR, lambda at, r: _ach_failed(seeder, at, r)),
        (3 * DAY, lambda at, r: _split_three_open(seeder, at, r)),
        (3 * DAY + HOUR, lambda at, r: _split_two(seeder, at, r)),
        (4 * DAY, lambda at, r: _card(seeder, at, r, "card_usd", 4500, "Extra seats")),
        (4 * DAY + HOUR, lambda at, r: _split_three_more(seeder, at, r)),
        (5 * DAY, lambda at, r: _out_of_band(seeder, at, r)),
        (5 * DAY + 2 * HOUR, lambda at, r: _declined(seeder, at, r)),
        (6 * DAY, lambda at, r: _standalone(seeder, at, r)),
        (6 * DAY + HOUR, lambda at, r: _ach_pay(seeder, at, r)),
        (6 * DAY + 2 * HOUR, lambda at, r: _split_three_last(seeder, at, r)),
        (7 * DAY, lambda at, r: _card(seeder, at, r, "card_eur", 25000, "Implementierung")),
        (8 * DAY, lambda at, r: _card(seeder, at, r, "card_jpy", 8000, "Training (JPY)")),
        (9 * DAY, lambda at, r: _card(seeder, at, r, "card_usd", 30000, "Enterprise onboarding")),
    ]
    for offset, step in steps:
        timeline.at(start + offset + rng.randrange(600), step)
    timeline.at(seeder.now - 3 * HOUR, lambda at, r: _ach_processing(seeder, at, r))
    timeline.run()


def _meta(case: str, **extra) -> dict:
    return {**SCENARIO, "case": case, **extra}


def _invoice(seeder, at, refs, case: str, amount: int, description: str, *, send: bool = False, auto: bool = True):
    customer = refs["customer"][case]
    currency = CUSTOMERS[case]["currency"]
    params: dict = {"metadata": _meta(case), "description": description}
    if send:
        params.update(collection_method="send_invoice", days_until_due=30)
    return one_off_invoice(seeder, at, refs, customer, [{"amount": amount, "currency": currency,
                                                         "description": description}],
                           auto_advance="true" if auto else "false", **params)


def _card(seeder, at, refs, case: str, amount: int, description: str) -> None:
    """Charged automatically with the customer's default (none on file: ``pm_card_visa``)."""
    _invoice(seeder, at, refs, case, amount, description)


def _ach_automatic(seeder, at, refs) -> None:
    _invoice(seeder, at, refs, "ach_success", 50000, "Platform fee (ACH, automatic)")


def _ach_pay(seeder, at, refs) -> None:
    invoice = _invoice(seeder, at, refs, "ach_success", 27500, "Services (ACH, paid by the customer)", send=True)
    seeder.act("invoice", "pay", invoice["id"], {"payment_method": "pm_usBankAccount_success"}, at=at)


def _ach_failed(seeder, at, refs) -> None:
    invoice = _invoice(seeder, at, refs, "ach_failed", 18000, "Subscription box (ACH, account closed)", send=True)
    seeder.act("invoice", "pay", invoice["id"], {"payment_method": "pm_usBankAccount_accountClosed"}, at=at)


def _ach_processing(seeder, at, refs) -> None:
    invoice = _invoice(seeder, at, refs, "ach_processing", 64000, "Hardware lease (ACH, processing)", send=True)
    seeder.act("invoice", "pay", invoice["id"], {"payment_method": "pm_usBankAccount_success"}, at=at)


def _out_of_band(seeder, at, refs) -> None:
    invoice = _invoice(seeder, at, refs, "out_of_band", 35000, "Paid by check", send=True)
    seeder.act("invoice", "pay", invoice["id"], {"paid_out_of_band": "true"}, at=at)


def _declined(seeder, at, refs) -> None:
    invoice = _invoice(seeder, at, refs, "declined", 7700, "Accessories (declined card)", send=True)
    seeder.act("invoice", "pay", invoice["id"], {"payment_method": "pm_card_chargeDeclined"}, at=at)


def _partial(seeder, at, refs, amount: int, n: int, of: int, *, method: str | None = "pm_card_visa",
             confirm: bool = True) -> str:
    params: dict = {"amount": amount, "currency": "usd", "customer": refs["customer"]["split"],
                    "description": f"Partial payment {n} of {of}", "metadata": _meta("split")}
    if method:
        params["payment_method"] = method
        if confirm:
            params["confirm"] = "true"
    return seeder.create("payment_intent", params, at=at)["id"]


def _attach(seeder, at, invoice_id: str, intent_id: str) -> None:
    seeder.act("invoice", "attach_payment", invoice_id, {"payment_intent": intent_id}, at=at)


def _split_three_open(seeder, at, refs) -> None:
    """600.00: the first payment (card, already succeeded) is credited when attached."""
    invoice = _invoice(seeder, at, refs, "split", 60000, "Project milestone (three payments)", send=True)
    refs["split_three"] = invoice["id"]
    _attach(seeder, at, invoice["id"], _partial(seeder, at, refs, 20000, 1, 3))
    refs["split_second"] = _partial(seeder, at, refs, 25000, 2, 3, confirm=False)
    _attach(seeder, at, invoice["id"], refs["split_second"])


def _split_three_more(seeder, at, refs) -> None:
    """The second payment, attached earlier, is confirmed now (credited when it succeeds)."""
    seeder.act("payment_intent", "confirm", refs["split_second"], {}, at=at)


def _split_three_last(seeder, at, refs) -> None:
    """The last 150.00 by ACH: credited when it settles, which pays the invoice."""
    _attach(seeder, at, refs["split_three"], _partial(seeder, at, refs, 15000, 3, 3,
                                                      method="pm_usBankAccount_success"))


def _split_two(seeder, at, refs) -> None:
    invoice = _invoice(seeder, at, refs, "split", 10000, "Workshop (two payments)", send=True)
    _attach(seeder, at, invoice["id"], _partial(seeder, at, refs, 4000, 1, 2))
    _attach(seeder, at, invoice["id"], _partial(seeder, at, refs, 6000, 2, 2))


def _standalone(seeder, at, refs) -> None:
    seeder.create("payment_intent", {"amount": 7500, "currency": "usd", "customer": refs["customer"]["standalone"],
                                     "description": "Workshop ticket (standalone)", "payment_method": "pm_card_visa",
                                     "confirm": "true", "metadata": _meta("standalone")}, at=at)
    seeder.create("payment_intent", {"amount": 2500, "currency": "usd", "description": "Guest checkout",
                                     "receipt_email": "guest@example.com", "payment_method": "pm_card_visa",
                                     "confirm": "true", "metadata": _meta("guest")}, at=at)
