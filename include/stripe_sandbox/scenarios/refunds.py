"""The ``refunds`` scenario: every way money goes back (or is taken back), over the last 21 days.

Small (14 customers, 13 invoices, 1 standalone payment intent) so a flow test against it runs in seconds.
Every customer, invoice, standalone payment intent, refund, credit note and dispute carries
``metadata.scenario = "refunds"`` and ``metadata.case`` naming what it exercises (IDs are random per seed;
find objects by ``case``, e.g. ``refunds.list`` then ``metadata.case``). One customer per case, named after it.
Amounts are minor units.

Refunds:
* ``full_refund`` (Full Refund Inc, USD): a one-line invoice (89.00) charged by card, refunded in full a day later
  (``requested_by_customer``): the charge ``refunded``;
* ``partial_single_line`` (Partial Single LLC, USD): a one-line invoice (120.00), 36.00 of it refunded;
* ``partial_multi_line`` (Partial Multi GmbH, USD): a three-line invoice (250.00 onboarding, 45.00 seats, 150.00
  support = 445.00), 150.00 refunded (the support line's worth; a plain refund names no line);
* ``credit_note_refund`` (Credit Note Refund Co, USD): a two-line invoice (49.00 plan, 30.00 extra seats), paid;
  a credit note for the seats line with ``refund_amount`` 30.00 (``post_payment``): its ``refunds[0].refund``
  is the refund (tagged with the case too), the invoice's ``post_payment_credit_notes_amount`` 30.00;
* ``standalone_refund`` (Walk-in Buyer, USD): a standalone payment intent (65.00, "Conference ticket
  (standalone)", no invoice) refunded in full through ``payment_intent``;
* ``refund_fails`` (Closed Card Ltd, USD): a one-line invoice (75.00) paid with ``pm_card_refundFail``, refunded
  in full: ``succeeded`` at first, ``failed`` 5 business days later (``expired_or_canceled_card``, a
  ``refund_failure`` balance transaction +75.00, ``refund.failed``, the charge's ``amount_refunded`` back to 0);
* ``refund_pending`` (Pending Refund Inc, USD): a one-line invoice (40.00) paid with ``pm_card_pendingRefund`` a
  day before now, refunded in full 20 hours before now: still ``pending`` (it succeeds 5 business days after it
  was created);
* ``eur_refund`` (Euro Refund GmbH, EUR): a one-line invoice (EUR 199.00) charged by card and settled in USD at
  1.08 (214.92 USD), EUR 99.00 refunded: the refund's balance transaction is -106.92 USD at 1.08;
* ``ach_refund`` (ACH Refund Corp, USD, ``pm_usBankAccount_success``): a one-line invoice (500.00) paid by ACH
  Direct Debit (a ``py_`` charge), settled 4 business days later, then 200.00 refunded: a ``payment_refund``
  balance transaction and a ``us_bank_transfer`` destination.

Disputes (all on card charges of one-line USD invoices unless said otherwise):
* ``dispute_won`` (Won Dispute LLC, 150.00): opened (``product_not_received``), evidence with
  ``winning_evidence`` the next day, won a day later: withdrawal -150.00 - 15.00 fee, reinstatement +150.00 +
  15.00;
* ``dispute_lost`` (Lost Dispute SA, 99.00): opened (``fraudulent``), accepted two days later (``POST
  /v1/disputes/{id}/close``): lost, the withdrawal stays;
* ``dispute_open`` (Open Dispute Corp, 220.00): opened 2 days before now (``fraudulent``), unanswered:
  ``needs_response``, funds withdrawn, ``due_by`` 5 days after now;
* ``dispute_inquiry`` (Inquiry Buyer Inc, 54.00): paid with ``pm_card_createDisputeInquiry`` 2 days before now: an
  inquiry, ``warning_needs_response``, no balance transactions, ``is_charge_refundable`` true;
* ``dispute_eur`` (Euro Dispute SARL, EUR 300.00): a EUR charge settled at 1.08 (324.00 USD), disputed (``general``)
  and won with evidence: the dispute's ``amount`` is EUR 300.00, its withdrawal and reinstatement are USD amounts
  at the rates of their own days (``fx.rate_on``), neither 1.08 nor each other's.

Daily payouts run over the whole period (charges, refunds, the refund failure, dispute adjustments, ACH).
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from stripe_sandbox.scenarios.invoicing import charge_of, one_off_invoice
from stripe_sandbox.scenarios.timeline import Timeline

if TYPE_CHECKING:
    from stripe_sandbox.scenarios import Seeder

DAY = 86400
HOUR = 3600
SCENARIO = {"scenario": "refunds"}


def _address(country: str, city: str, line1: str, postal_code: str) -> dict:
    return {"line1": line1, "city": city, "postal_code": postal_code, "country": country}


US = _address("US", "Denver", "1 Refund Way", "80202")
CUSTOMERS = {
    "full_refund": ("Full Refund Inc", "usd", US),
    "partial_single_line": ("Partial Single LLC", "usd", US),
    "partial_multi_line": ("Partial Multi GmbH", "usd", US),
    "credit_note_refund": ("Credit Note Refund Co", "usd", US),
    "standalone_refund": ("Walk-in Buyer", "usd", US),
    "refund_fails": ("Closed Card Ltd", "usd", US),
    "refund_pending": ("Pending Refund Inc", "usd", US),
    "eur_refund": ("Euro Refund GmbH", "eur", _address("DE", "Berlin", "Rueckgabeweg 3", "10115")),
    "ach_refund": ("ACH Refund Corp", "usd", _address("US", "Chicago", "5 Bank St", "60601")),
    "dispute_won": ("Won Dispute LLC", "usd", US),
    "dispute_lost": ("Lost Dispute SA", "usd", US),
    "dispute_open": ("Open Dispute Corp", "usd", US),
    "dispute_inquiry": ("Inquiry Buyer Inc", "usd", US),
    "dispute_eur": ("Euro Dispute SARL", "eur", _address("FR", "Paris", "5 rue du Litige", "75002")),
}
PAYMENT_METHODS = {"refund_fails": "pm_card_refundFail", "refund_pending": "pm_card_pendingRefund",
                   "ach_refund": "pm_usBankAccount_success", "dispute_inquiry": "pm_card_createDisputeInquiry"}


def _meta(case: str) -> dict:
    return {**SCENARIO, "case": case}


def build_refunds(seeder: Seeder, seed: int) -> None:
    rng = random.Random(f"refunds:{seed}")
    start = seeder.now - 21 * DAY
    timeline = Timeline()
    for index, case in enumerate(CUSTOMERS):
        timeline.at(start + index * 300 + rng.randrange(200),
                    lambda at, r, case=case: _customer(seeder, at, r, case))

    def at_day(day: float, step, jitter: int = 1800) -> None:
        timeline.at(start + int(day * DAY) + rng.randrange(jitter), step)

    at_day(1, lambda at, r: _invoice(seeder, at, r, "full_refund", [(8900, "Annual license")]))
    at_day(1.5, lambda at, r: _invoice(seeder, at, r, "partial_single_line", [(12000, "Consulting (10 hours)")]))
    at_day(2, lambda at, r: _refund(seeder, at, r, "full_refund", None, "requested_by_customer"))
    at_day(2.5, lambda at, r: _invoice(seeder, at, r, "partial_multi_line", [
        (25000, "Onboarding package"), (4500, "Team seats (3)"), (15000, "Priority support")]))
    at_day(3, lambda at, r: _refund(seeder, at, r, "partial_single_line", 3600, "requested_by_customer"))
    at_day(3.5, lambda at, r: _invoice(seeder, at, r, "credit_note_refund", [(4900, "Pro plan"),
                                                                            (3000, "Extra seats")]))
    at_day(4, lambda at, r: _refund(seeder, at, r, "partial_multi_line", 15000, "requested_by_customer"))
    at_day(4.5, lambda at, r: _standalone(seeder, at, r))
    at_day(5, lambda at, r: _invoice(seeder, at, r, "refund_fails", [(7500, "Hardware kit")]))
    at_day(5.5, lambda at, r: _credit_note(seeder, at, r))
    at_day(6, lambda at, r: _refund(seeder, at, r, "refund_fails", None, "requested_by_customer"))
    at_day(6.5, lambda at, r: _standalone_refund(seeder, at, r))
    at_day(7, lambda at, r: _invoice(seeder, at, r, "eur_refund", [(19900, "Beratung")]))
    at_day(7.5, lambda at, r: _invoice(seeder, at, r, "dispute_won", [(15000, "Annual support")]))
    at_day(8, lambda at, r: _invoice(seeder, at, r, "dispute_lost", [(9900, "Starter kit")]))
    at_day(8.5, lambda at, r: _invoice(seeder, at, r, "ach_refund", [(50000, "Platform fee (ACH)")]))
    at_day(9, lambda at, r: _refund(seeder, at, r, "eur_refund", 9900, "requested_by_customer"))
    at_day(9.5, lambda at, r: _dispute(seeder, at, r, "dispute_won", "product_not_received"))
    at_day(10, lambda at, r: _dispute(seeder, at, r, "dispute_lost", "fraudulent"))
    at_day(10.5, lambda at, r: _evidence(seeder, at, r, "dispute_won", "winning_evidence: signed delivery receipt"))
    at_day(11, lambda at, r: _invoice(seeder, at, r, "dispute_eur", [(30000, "Prestation de conseil")]))
    at_day(12, lambda at, r: _accept(seeder, at, r, "dispute_lost"))
    at_day(13, lambda at, r: _dispute(seeder, at, r, "dispute_eur", "general"))
    at_day(14.5, lambda at, r: _evidence(seeder, at, r, "dispute_eur", "winning_evidence: contract and timesheets"))
    at_day(17, lambda at, r: _refund(seeder, at, r, "ach_refund", 20000, "requested_by_customer"))
    timeline.at(seeder.now - 3 * DAY, lambda at, r: _invoice(seeder, at, r, "dispute_open", [(22000, "Annual plan")]))
    timeline.at(seeder.now - 2 * DAY, lambda at, r: _dispute(seeder, at, r, "dispute_open", "fraudulent"))
    timeline.at(seeder.now - 2 * DAY + HOUR, lambda at, r: _inquiry(seeder, at, r))
    timeline.at(seeder.now - DAY, lambda at, r: _invoice(seeder, at, r, "refund_pending", [(4000, "Gift box")]))
    timeline.at(seeder.now - 20 * HOUR, lambda at, r: _refund(seeder, at, r, "refund_pending", None,
                                                              "requested_by_customer"))
    timeline.run()


def _customer(seeder, at, refs, case: str) -> None:
    name, currency, address = CUSTOMERS[case]
    email = f"billing@{case.replace('_', '-')}.example"
    params = {"name": name, "email": email, "currency": currency, "address": address, "metadata": _meta(case)}
    refs.setdefault("customer", {})[case] = seeder.create("customer", params, at=at)["id"]


def _invoice(seeder, at, refs, case: str, lines: list[tuple[int, str]]) -> None:
    """A one-off invoice charged at once with the case's payment method (default: ``pm_card_visa``)."""
    currency = CUSTOMERS[case][1]
    params: dict = {"metadata": _meta(case), "description": lines[0][1]}
    if case in PAYMENT_METHODS:
        params["default_payment_method"] = PAYMENT_METHODS[case]
    invoice = one_off_invoice(seeder, at, refs, refs["customer"][case],
                              [{"amount": amount, "currency": currency, "description": description}
                               for amount, description in lines], **params)
    refs.setdefault("invoice", {})[case] = invoice["id"]


def _refund(seeder, at, refs, case: str, amount: int | None, reason: str) -> None:
    seeder.advance_to(at)  # what was due by now (an ACH payment settling) happens before the charge is read
    params: dict = {"charge": charge_of(seeder, refs["invoice"][case]), "reason": reason, "metadata": _meta(case)}
    if amount is not None:
        params["amount"] = amount
    seeder.create("refund", params, at=at)


def _credit_note(seeder, at, refs) -> None:
    """Credit the extra seats line of a paid invoice, refunding it to the card."""
    case = "credit_note_refund"
    invoice = refs["invoice"][case]
    seats = next(line for line in seeder.resources["invoice"].lines_of(invoice) if line["description"] == "Extra seats")
    note = seeder.create("credit_note", {"invoice": invoice, "reason": "order_change", "refund_amount": 3000,
                                         "lines": [{"type": "invoice_line_item", "invoice_line_item": seats["id"]}],
                                         "memo": "Two seats were never used", "metadata": _meta(case)}, at=at)
    seeder.update("refund", note["refunds"][0]["refund"], {"metadata": _meta(case)}, at=at)


def _standalone(seeder, at, refs) -> None:
    case = "standalone_refund"
    intent = seeder.create("payment_intent", {
        "amount": 6500, "currency": "usd", "customer": refs["customer"][case],
        "description": "Conference ticket (standalone)", "payment_method": "pm_card_visa", "confirm": "true",
        "metadata": _meta(case)}, at=at)
    refs["standalone_intent"] = intent["id"]


def _standalone_refund(seeder, at, refs) -> None:
    seeder.create("refund", {"payment_intent": refs["standalone_intent"], "reason": "requested_by_customer",
                             "metadata": _meta("standalone_refund")}, at=at)


def _dispute(seeder, at, refs, case: str, reason: str) -> None:
    seeder.advance_to(at)
    dispute = seeder.act("dispute", "open_from_params", None,
                         {"charge": charge_of(seeder, refs["invoice"][case]), "reason": reason}, at=at)
    seeder.update("dispute", dispute["id"], {"metadata": _meta(case)}, at=at)
    refs.setdefault("dispute", {})[case] = dispute["id"]


def _inquiry(seeder, at, refs) -> None:
    """Paid with ``pm_card_createDisputeInquiry``: the inquiry opens with the charge."""
    case = "dispute_inquiry"
    _invoice(seeder, at, refs, case, [(5400, "Travel adapter set")])
    [dispute] = seeder.resources["dispute"].list_for_charge(charge_of(seeder, refs["invoice"][case]))
    seeder.update("dispute", dispute, {"metadata": _meta(case)}, at=at)


def _evidence(seeder, at, refs, case: str, text: str) -> None:
    seeder.update("dispute", refs["dispute"][case], {"evidence": {"uncategorized_text": text}, "submit": "true"},
                  at=at)


def _accept(seeder, at, refs, case: str) -> None:
    seeder.act("dispute", "accept", refs["dispute"][case], {}, at=at)
