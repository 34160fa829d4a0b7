"""Subscription cycles: the first invoice, renewals, prorations, cancellation, dunning outcomes.

* Period k of a subscription ends at ``billing_cycle_anchor + k intervals`` (``billing.periods``);
  a ``billing_cycle_anchor`` in the future makes a first, shorter period billed pro rata (by the
  second) unless ``proration_behavior=none``. A trial is a zero-priced first period; the anchor is
  then the trial end.
* Creation bills the first period at once (``subscription_create``): finalized and charged in
  the same request; the subscription is ``incomplete`` until that invoice is paid (``active``), or
  ``incomplete_expired`` 23 hours later (the invoice is voided).
* At each period end a ``subscription_cycle`` invoice bills the next period plus the pending
  proration items; it finalizes an hour later and is charged; a failure makes the subscription
  ``past_due`` and starts the retries (``billing.dunning``); after the last one it is canceled.
* Changing items mid-period with ``proration_behavior=create_prorations`` (the default) creates
  proration invoice items: a credit for the unused time of the old price and a charge for the
  remaining time of the new one, prorated to the second, billed at the next cycle;
  ``always_invoice`` bills them at once (``subscription_update``); ``none`` does nothing.
"""

from __future__ import annotations

from datetime import datetime, timezone

from stripe_sandbox.billing import dunning
from stripe_sandbox.billing.currency import exponent
from stripe_sandbox.billing.money import round_minor
from stripe_sandbox.billing.periods import DAY, boundary
from stripe_sandbox.billing.proration import prorate
from stripe_sandbox.flows import invoicing
from stripe_sandbox.flows import lines as line_flow
from stripe_sandbox.resources.prices import unit_decimal
from stripe_sandbox.state import WriteContext
from stripe_sandbox.store import Record

LIVE = ("active", "trialing", "past_due", "incomplete", "unpaid")


def full_amount(item: dict) -> int:
    return round_minor(unit_decimal(item["price"]) * item["quantity"], item["price"]["currency"])


def money(amount: int, currency: str) -> str:
    digits = exponent(currency)
    value = f"{amount / 10 ** digits:,.{digits}f}" if digits else f"{amount:,}"
    return f"{value} {currency.upper()}"


def day(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp, timezone.utc).strftime("%d %b %Y")


def product_name(state, product_id: str) -> str:
    record = state.store.get("product", product_id)
    return record.data["name"] if record is not None else product_id


def item_description(state, item: dict) -> str:
    price = item["price"]
    recurring = price["recurring"]
    every = recurring["interval"] if recurring["interval_count"] == 1 else \
        f"every {recurring['interval_count']} {recurring['interval']}s"
    unit = round_minor(unit_decimal(price), price["currency"])
    name = product_name(state, price["product"])
    return f"{item['quantity']} × {name} (at {money(unit, price['currency'])} / {every})"


def parent_of(subscription: dict, proration_date: int | None = None) -> dict:
    return {"quote_details": None,
            "subscription_details": {"metadata": dict(subscription["metadata"]), "subscription": subscription["id"],
                                     "subscription_proration_date": proration_date},
            "type": "subscription_details"}


class Cycle:
    """Where a subscription is in its billing cycle (kept in ``Record.extra``)."""

    def __init__(self, record: Record) -> None:
        self.record = record
        self.extra = record.extra

    @property
    def interval(self) -> tuple[str, int]:
        return self.extra["interval"], self.extra["interval_count"]

    def end_of(self, k: int) -> int:
        interval, count = self.interval
        return boundary(self.extra["anchor"], interval, count, k)


# -- building the subscription's invoices ------------------------------------------------------
def item_records(state, subscription_id: str) -> list[Record]:
    return [r for r in state.store.indexed("subscription_item", "subscription", subscription_id).records
            if not r.deleted]


def period_sources(state, subscription: dict, items: list[Record], period: dict, *, trial: bool,
                   partial_of: tuple[int, int] | None = None) -> list[dict]:
    """One line source per item for ``period``: full price, zero in a trial, or pro rata of a full period."""
    sources = []
    for record in items:
        item = record.data
        amount = full_amount(item)
        description = item_description(state, item)
        if trial:
            amount, description = 0, f"Trial period for {product_name(state, item['price']['product'])}"
        elif partial_of is not None:
            start, end = partial_of
            amount = prorate(amount, start, end, period["start"], item["price"]["currency"])
        source = line_flow.source_from_subscription_item(item, subscription, state.ids.new("il"), amount, period,
                                                         description)
        record.extra["last_line"] = (None, source["line_id"])
        sources.append(source)
    return sources


def open_invoice(state, sub_record: Record, ctx: WriteContext, *, billing_reason: str, sources: list[dict],
                 period: tuple[int, int], proration_date: int | None = None) -> tuple[Record, list[str]]:
    """A draft invoice for the subscription (its pending items included); returns it and the
    subscription's discounts that still apply afterwards (``once`` coupons are used up)."""
    sub = sub_record.data
    customer = state.store.get("customer", sub["customer"]).data
    items_resource = state.resources["invoiceitem"]
    pending = items_resource.pending_for(sub["customer"], subscription=sub["id"], currency=sub["currency"])
    discount_resource = state.resources["discount"]
    discounts = [d for d in sub["discounts"] if discount_resource.active_at(d, ctx.now)]
    invoice = state.resources["invoice"].draft(
        customer, sub["currency"], ctx, billing_reason=billing_reason, collection_method=sub["collection_method"],
        auto_advance=True, items=pending, sources=sources, parent=parent_of(sub, proration_date), period=period,
        discounts=discounts, default_tax_rates=sub["default_tax_rates"], days_until_due=sub["days_until_due"],
        default_payment_method=None, description=sub["description"])
    for record in item_records(state, sub["id"]):
        line = record.extra.get("last_line")
        if line is not None and line[0] is None:
            record.extra["last_line"] = (invoice.id, line[1])
    remaining = [d for d in discounts if discount_resource.coupon_of(d)["duration"] != "once"]
    return invoice, remaining


def finalize_now(state, invoice: Record, ctx: WriteContext, *, attempt: bool = True) -> None:
    """Subscription invoices made by a request are finalized (and charged) in that request."""
    invoice.data = {**invoice.data, "automatically_finalizes_at": None}
    invoicing.finalize(state, invoice, ctx, auto_advance=None if attempt else False)


# -- prorations ---------------------------------------------------------------------------------
def proration_items(state, sub: dict, changes: list[tuple[dict | None, dict | None, Record | None]], moment: int,
                    period: tuple[int, int], ctx: WriteContext) -> list[dict]:
    """Credit the unused time of each old item and charge the remaining time of each new one."""
    start, end = period
    created = []
    items = state.resources["invoiceitem"]
    for old, new, record in changes:
        for item, sign in ((old, -1), (new, 1)):
            if item is None or item["quantity"] == 0:
                continue
            amount = sign * prorate(full_amount(item), start, end, moment, sub["currency"])
            if amount == 0:
                continue
            price = item["price"]
            label = "Unused time on" if sign < 0 else "Remaining time on"
            credited = None
            if sign < 0 and record is not None and record.extra.get("last_line") and record.extra["last_line"][0]:
                invoice_id, line_id = record.extra["last_line"]
                credited = {"invoice_item": None, "type": "invoice_line_items",
                            "invoice_line_item_details": {"invoice": invoice_id, "invoice_line_items": [line_id]}}
            created.append(items.create_proration({
                "amount": amount,
                "currency": sub["currency"],
                "customer": sub["customer"],
                "description": f"{label} {item['quantity']} × {product_name(state, price['product'])} after "
                               f"{day(moment)}",
                "discountable": True,
                "parent": {"subscription_details": {"subscription": sub["id"], "subscription_item": item["id"]},
                           "type": "subscription_details"},
                "period": {"end": end, "start": moment},
                "pricing": {"price_details": {"price": price["id"], "product": price["product"]},
                            "type": "price_details", "unit_amount_decimal": price["unit_amount_decimal"]},
                "proration_details": {"credited_items": credited, "discount_amounts": []},
                "quantity": item["quantity"],
                "tax_rates": list(item["tax_rates"]),
                "test_clock": sub["test_clock"],
            }, ctx))
    return created


# -- status changes -------------------------------------------------------------------------
def set_status(state, sub_record: Record, status: str, ctx: WriteContext, **fields) -> None:
    subs = state.resources["subscription"]
    after = {**sub_record.data, "status": status, **fields}
    if status == "canceled":
        subs.replace(sub_record, after, ctx, action="deleted")
    else:
        subs.replace(sub_record, after, ctx, action="updated")


def cancel(state, sub_record: Record, ctx: WriteContext, *, reason: str, comment: str | None = None,
           feedback: str | None = None) -> None:
    details = {"comment": comment, "feedback": feedback, "reason": reason}
    canceled_at = sub_record.data["canceled_at"] or ctx.now
    set_status(state, sub_record, "canceled", ctx, canceled_at=canceled_at, ended_at=ctx.now,
               cancellation_details=details)


# -- scheduled work -----------------------------------------------------------------------------
def task_cycle(state, task, ctx: WriteContext) -> None:
    sub_record = state.store.get("subscription", task.key)
    if sub_record is None or sub_record.data["status"] not in LIVE or sub_record.extra["period_end"] != task.due:
        return
    sub = sub_record.data
    if sub["status"] in ("incomplete",):
        return
    if sub["cancel_at_period_end"] or (sub["cancel_at"] is not None and sub["cancel_at"] <= task.due):
        cancel(state, sub_record, ctx, reason="cancellation_requested")
        return
    cycle = Cycle(sub_record)
    start = task.due
    cycle.extra["k"] += 1
    end = cycle.end_of(cycle.extra["k"])
    previous = (sub_record.extra["period_start"], start)
    items = item_records(state, sub["id"])
    for record in items:
        record.data = {**record.data, "current_period_start": start, "current_period_end": end}
    sub_record.extra.update(period_start=start, period_end=end)
    sources = period_sources(state, sub, items, {"start": start, "end": end}, trial=False)
    invoice, discounts = open_invoice(state, sub_record, ctx, billing_reason="subscription_cycle", sources=sources,
                                      period=previous)
    after = {**sub, "items": items_page(sub["id"], items), "latest_invoice": invoice.id, "discounts": discounts,
             "status": "active" if sub["status"] == "trialing" else sub["status"]}
    state.resources["subscription"].replace(sub_record, after, ctx)
    state.schedule(end, "subscription.cycle", sub["id"], domain=sub_record.extra.get("domain"))


def task_expire_incomplete(state, task, ctx: WriteContext) -> None:
    sub_record = state.store.get("subscription", task.key)
    if sub_record is None or sub_record.data["status"] != "incomplete":
        return
    invoice = state.store.get("invoice", sub_record.data["latest_invoice"])
    if invoice is not None and invoicing.processing_payment(state, invoice.id):
        # a pending (ACH) first payment: "Subscriptions can also be incomplete if there's a pending payment"
        # (docs.stripe.com/billing/subscriptions/overview); look again a day later
        state.schedule(ctx.now + DAY, "subscription.expire_incomplete", sub_record.id,
                       domain=sub_record.extra.get("domain"))
        return
    if invoice is not None and invoice.data["status"] == "open":
        invoicing.void(state, invoice, ctx)
    set_status(state, sub_record, "incomplete_expired", ctx, ended_at=ctx.now)


def items_page(subscription_id: str, items: list[Record]) -> dict:
    return {"object": "list", "data": [r.data for r in items], "has_more": False,
            "url": f"/v1/subscription_items?subscription={subscription_id}"}


TASKS = {"subscription.cycle": task_cycle, "subscription.expire_incomplete": task_expire_incomplete}
INCOMPLETE_EXPIRY = dunning.INCOMPLETE_EXPIRY
