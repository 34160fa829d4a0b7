"""Hypothesis strategies for Stripe-shaped invoices and credit notes (API shapes as the Stripe sandbox serves them).

Every generated object obeys Stripe's arithmetic: a total is the sum of line amounts, minus the
discount amounts, plus the EXCLUSIVE tax (inclusive tax is already inside the line amounts).
Invoices also keep Stripe's payment arithmetic: amount_due = max(total, 0) - customer credit balance used
+ customer debit balance carried in - pre-payment credit notes, amount_remaining = amount_due - amount_paid.
"""

from __future__ import annotations

import datetime as dt
import functools
import random
from typing import Any

from hypothesis import strategies as st

from stripe_netsuite.mapping.invoices import InvoiceBundle, InvoiceContext

CURRENCY_IDS = {"USD": "1", "EUR": "2", "JPY": "4", "KWD": "7", "KRW": "9"}
CURRENCIES = sorted(CURRENCY_IDS)
# A Stripe tax rate is inclusive or exclusive for good; the ID says which here.
TAX_BEHAVIOR_OF_RATE = {"txr_incVAT": "inclusive", "txr_incGST": "inclusive", "txr_excVAT": "exclusive",
                        "txr_excSales": "exclusive", "txr_excCity": "exclusive"}
TAX_RATES = sorted(TAX_BEHAVIOR_OF_RATE)
PRICES = ["price_basic", "price_Pro2026", "price_seats", "price_oneoff"]
COUPON_OF_DISCOUNT = {"di_launch": "LAUNCH20", "di_loyal": "loyal-10", "di_free": "FREE100"}
DISCOUNTS = sorted(COUPON_OF_DISCOUNT)
ITEM_OF_PRICE = {price: {"externalId": price} for price in PRICES}
STATUSES = ["open", "paid", "uncollectible", "void"]

_2025 = int(dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc).timestamp())
_2027 = int(dt.datetime(2027, 1, 1, tzinfo=dt.timezone.utc).timestamp())
_DAY = 86400


def context() -> InvoiceContext:
    return InvoiceContext(currency_ids=dict(CURRENCY_IDS), item_of_price=dict(ITEM_OF_PRICE))


def unit(currency: str) -> int:
    """The smallest amount Stripe charges in: KWD amounts are multiples of 10 (three decimals, fils rounded)."""
    return 10 if currency.upper() == "KWD" else 1


_FRACTION_STEPS = 2**20
_FRACTION = st.integers(0, _FRACTION_STEPS)  # one strategy for every range: building strategies per draw is slow


@functools.lru_cache(maxsize=None)
def _sampled(options: tuple) -> st.SearchStrategy:
    return st.sampled_from(options)


@functools.lru_cache(maxsize=None)
def _subsets(options: tuple, most: int) -> st.SearchStrategy:
    return st.lists(st.sampled_from(options), max_size=most, unique=True)


class Draws:
    """Choices taken through Hypothesis (they shrink: integers towards the low end, choices towards the first)."""

    def __init__(self, draw) -> None:
        self.draw = draw

    def integer(self, low: int, high: int) -> int:
        return low + (high - low) * self.draw(_FRACTION) // _FRACTION_STEPS

    def choice(self, options):
        return self.draw(_sampled(tuple(options)))

    def subset(self, options, most: int) -> list:
        return self.draw(_subsets(tuple(options), most))


class RandomDraws:
    """The same choices from a seeded random.Random: cheap bulk lines for long invoices."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def integer(self, low: int, high: int) -> int:
        return self.rng.randint(low, high)

    def choice(self, options):
        return self.rng.choice(list(options))

    def subset(self, options, most: int) -> list:
        return self.rng.sample(list(options), self.rng.randint(0, most))


def amount_in(draws, currency: str, low: int, high: int) -> int:
    """An amount in [low, high] in steps of the currency's unit (low <= high)."""
    step = unit(currency)
    return draws.integer(-(-low // step), high // step) * step if low <= high else low


def amounts_in(currency: str, low: int, high: int) -> st.SearchStrategy[int]:
    step = unit(currency)
    return st.integers(-(-low // step), high // step).map(lambda n: n * step)


def stripe_total(obj: dict[str, Any]) -> int:
    """Stripe's rule: lines - discounts + exclusive tax."""
    total = 0
    for line in obj["lines"]["data"]:
        total += line["amount"] - sum(d["amount"] for d in line["discount_amounts"])
        total += sum(t["amount"] for t in line["taxes"] if t["tax_behavior"] == "exclusive")
    return total


def _tax(rate_id: str, amount: int, taxable: int) -> dict[str, Any]:
    return {"amount": amount, "tax_behavior": TAX_BEHAVIOR_OF_RATE[rate_id],
            "tax_rate_details": {"tax_rate": rate_id}, "taxability_reason": "standard_rated",
            "taxable_amount": taxable, "type": "tax_rate_details"}


def discounts_and_taxes(draws, currency: str, amount: int) -> tuple[list[dict], list[dict]]:
    """0-2 discount amounts (never more than a positive line) and 0-2 taxes, each of its own rate."""
    discounts: list[dict] = []
    if amount > 0:
        left = amount
        for discount_id in draws.subset(DISCOUNTS, 2):
            value = amount_in(draws, currency, 0, left)
            discounts.append({"amount": value, "discount": discount_id})
            left -= value
    net = amount - sum(d["amount"] for d in discounts)
    taxes: list[dict] = []
    inclusive_room = net  # inclusive tax is part of the net amount, so it cannot exceed it (same sign)
    for rate_id in draws.subset(TAX_RATES, 2):
        if TAX_BEHAVIOR_OF_RATE[rate_id] == "inclusive":
            value = amount_in(draws, currency, min(0, inclusive_room), max(0, inclusive_room))
            inclusive_room -= value
        else:
            value = amount_in(draws, currency, min(0, net // 2), max(0, net // 2))
        taxes.append(_tax(rate_id, value, net))
    return discounts, taxes


def period(draws) -> dict[str, int]:
    start = draws.integer(_2025, _2027)
    length = draws.choice([0, 1, _DAY, 30 * _DAY, 31 * _DAY, 365 * _DAY, None])
    if length is None:
        length = draws.integer(0, 400 * _DAY)
    return {"end": start + length, "start": start}


def invoice_line(draws, currency: str, index: int) -> dict[str, Any]:
    proration = draws.choice([False, True])
    scale = 1000 if currency.upper() in ("JPY", "KRW") else 10**5
    amount = amount_in(draws, currency, -20 * scale if proration else 0, 20 * scale)
    quantity = draws.integer(0, 1000)
    discounts, taxes = discounts_and_taxes(draws, currency, amount)
    price = draws.choice([*PRICES, None])
    from_subscription = draws.choice([False, True])
    details = {"invoice_item": f"ii_{index}", "proration": proration, "proration_details": {"credited_items": None},
               "subscription": "sub_gen" if from_subscription else None}
    return {
        "id": f"il_gen{index:03d}x{draws.choice('ABCdef')}",
        "object": "line_item",
        "amount": amount,
        "currency": currency.lower(),
        "description": draws.choice(["Pro plan", "Unused time on Pro plan", "Seats × 3", "", None]),
        "discount_amounts": discounts,
        "discountable": True,
        "discounts": [],
        "livemode": False,
        "metadata": {},
        "parent": {
            "invoice_item_details": None if from_subscription else details,
            "subscription_item_details": {**details, "subscription_item": "si_gen"} if from_subscription else None,
            "type": "subscription_item_details" if from_subscription else "invoice_item_details",
        },
        "period": period(draws),
        "pricing": {"price_details": {"price": price, "product": "prod_gen"} if price else None,
                    "type": "price_details", "unit_amount_decimal": str(amount)},
        "quantity": quantity,
        "quantity_decimal": str(quantity),
        "subtotal": amount,
        "taxes": taxes,
    }


@st.composite
def credit_note(draw, invoice: dict[str, Any], index: int, prepayment_room: int, issued: bool = False) -> dict[str, Any]:
    """A credit note on ``invoice``: lines crediting invoice lines (or custom lines), split into the part that
    reduces what is due (pre-payment) and the part refunded, given out of band or put on the customer balance."""
    currency = invoice["currency"]
    lines = []
    invoice_lines = invoice["lines"]["data"]
    for n in range(draw(st.integers(1, 3))):
        target = draw(st.sampled_from([None, *invoice_lines]))
        amount = draw(amounts_in(currency, unit(currency), 5000 * unit(currency)))
        discounts, taxes = discounts_and_taxes(Draws(draw), currency, amount)
        lines.append({
            "id": f"cnli_{index}x{n}", "object": "credit_note_line_item", "amount": amount,
            "description": "Credit", "discount_amount": sum(d["amount"] for d in discounts),
            "discount_amounts": discounts, "invoice_line_item": target["id"] if target else None,
            "livemode": False, "metadata": {}, "quantity": 1, "tax_rates": [], "taxes": taxes,
            "type": "invoice_line_item" if target else "custom_line_item",
            "unit_amount": None if target else amount,
        })
    note = {"lines": {"object": "list", "data": lines, "has_more": False}}
    total = stripe_total(note)
    pre = draw(amounts_in(currency, 0, max(0, min(total, prepayment_room))))
    post = total - pre
    refunded = draw(amounts_in(currency, 0, max(0, post)))
    out_of_band = draw(amounts_in(currency, 0, max(0, post - refunded)))
    refunds = [{"amount_refunded": refunded, "refund": f"re_{index}", "type": "refund"}] if refunded else []
    status = "issued" if issued else draw(st.sampled_from(["issued", "issued", "void"]))
    created = invoice["created"] + 100 * (index + 1)
    note.update({
        "id": f"cn_gen{index}{invoice['id'][3:]}", "object": "credit_note", "amount": total, "created": created,
        "currency": currency, "customer": invoice["customer"], "effective_at": created, "invoice": invoice["id"],
        "memo": None, "number": f"{invoice['number']}-CN-{index + 1:02d}", "out_of_band_amount": out_of_band or None,
        "post_payment_amount": post, "pre_payment_amount": pre, "reason": None, "refunds": refunds,
        "status": status, "total": total, "type": "pre_payment" if pre and not post else "post_payment",
        "voided_at": created + 50 if status == "void" else None,
    })
    return note


def customer_balance(draw, currency: str, total: int) -> tuple[int, int]:
    """(starting_balance, ending_balance) by Stripe's rules: a credit (negative) pays what it can of a
    positive total; a debit (positive) is added to a positive total; a negative total credits the customer."""
    kind = draw(_sampled(("none", "credit", "debit")))
    if kind == "none":
        return 0, total if total < 0 else 0
    amount = draw(amounts_in(currency, unit(currency), 3 * max(total, 10 * unit(currency))))
    starting = -amount if kind == "credit" else amount
    if total < 0:
        return starting, starting + total
    if starting < 0:
        return starting, starting + min(-starting, total)
    # Whether Stripe bills a debit on a zero invoice is not settled (the Stripe sandbox leaves it on the
    # customer): both ways.
    if total == 0 and draw(st.booleans()):
        return starting, starting
    return starting, 0


@st.composite
def invoice_bundles(draw, max_lines: int = 150, currencies=tuple(CURRENCIES), credit_notes: bool = True,
                    issued_credit_note: bool = False) -> InvoiceBundle:
    """``issued_credit_note``: always one credit note at least that is not voided (on a positive total)."""
    currency = draw(st.sampled_from(currencies)).lower()
    suffix = draw(st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", min_size=6, max_size=24))
    invoice_id = f"in_{suffix}"
    # A few lines drawn by Hypothesis (they shrink well), sometimes followed by many seeded-random lines,
    # so long invoices (up to max_lines) cost little to generate.
    shrinkable = draw(st.integers(1, min(max_lines, 4)))
    lines = [invoice_line(Draws(draw), currency, n) for n in range(shrinkable)]
    if max_lines > shrinkable and draw(st.integers(0, 3)) == 0:
        bulk = RandomDraws(random.Random(draw(st.integers(0, 2**32))))
        lines += [invoice_line(bulk, currency, n) for n in range(shrinkable, draw(st.integers(shrinkable, max_lines)))]
    created = draw(st.integers(_2025, _2027))
    invoice: dict[str, Any] = {
        "id": invoice_id, "object": "invoice", "currency": currency, "customer": f"cus_{suffix[:8]}",
        "created": created, "number": f"GEN-{suffix[:6]}", "description": None, "due_date": None,
        "discounts": [{"id": d, "object": "discount", "source": {"coupon": c, "type": "coupon"}}
                      for d, c in COUPON_OF_DISCOUNT.items()],
        "lines": {"object": "list", "data": lines, "has_more": False},
        "default_tax_rates": [], "from_invoice": None, "shipping_cost": None,
    }
    total = stripe_total(invoice)
    if issued_credit_note and total <= 0:  # Stripe credits only positive invoices: one more line makes it one
        top_up = {**invoice_line(Draws(draw), currency, len(lines)), "discount_amounts": [], "taxes": []}
        top_up["amount"] = top_up["subtotal"] = -total + amount_in(Draws(draw), currency, unit(currency), 5000)
        lines.append(top_up)
        total = stripe_total(invoice)
    status = draw(st.sampled_from([s for s in STATUSES if s != "void"] if issued_credit_note else STATUSES))
    starting, ending = customer_balance(draw, currency, total)
    applied = starting - ending if total >= 0 else 0  # > 0: a debit carried in; < 0: credit used
    used, carried = max(0, -applied), max(0, applied)
    due = max(total, 0) - used + carried
    notes = []
    if credit_notes and total > 0 and status != "void":
        room = min(due, total) if status in ("open", "uncollectible") else 0  # Stripe credits at most the total
        for index in range(draw(st.integers(1 if issued_credit_note else 0, 2))):
            note = draw(credit_note(invoice, index, room, issued=issued_credit_note and index == 0))
            if note["status"] != "void":
                room -= note["pre_payment_amount"]
                due -= note["pre_payment_amount"]
            else:
                note["pre_payment_amount"], note["post_payment_amount"] = 0, note["total"]
            notes.append(note)
    paid = {"paid": due, "void": 0}.get(status) if status in ("paid", "void") else draw(amounts_in(currency, 0, due))
    finalized = created + 60
    invoice.update({
        "status": status, "total": total, "subtotal": sum(line["amount"] for line in lines),
        "amount_due": due, "amount_paid": paid, "amount_remaining": due - paid,
        "starting_balance": starting, "ending_balance": ending if draw(st.booleans()) or starting else None,
        "effective_at": finalized,
        "pre_payment_credit_notes_amount": sum(n["pre_payment_amount"] for n in notes if n["status"] != "void"),
        "post_payment_credit_notes_amount": sum(n["post_payment_amount"] for n in notes if n["status"] != "void"),
        "status_transitions": {
            "finalized_at": finalized, "paid_at": finalized + 10 if status == "paid" else None,
            "marked_uncollectible_at": finalized + 20 if status == "uncollectible" else None,
            "voided_at": finalized + 30 if status == "void" else None,
        },
    })
    return InvoiceBundle(invoice, tuple(notes))
