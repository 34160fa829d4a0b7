"""The invoice state machine: draft -> open -> paid | void | uncollectible (-> paid).

* draft: lines are recomputed from the invoice's sources on every change;
* finalize: number, customer balance applied (``starting_balance``/``ending_balance``), a payment
  intent and an ``open`` invoice payment when something is due, ``invoice.finalized``; an
  amount due below Stripe's minimum charge moves to the customer's balance as a debit
  (``invoice_too_small``, ``billing.minimums``); an invoice with nothing due is paid at once; ``charge_automatically`` + ``auto_advance`` attempts
  the payment right away, ``send_invoice`` waits for ``/pay`` (``invoice.overdue`` at ``due_date``);
* a failed automatic attempt schedules a retry (``billing.dunning``); after the last one the
  invoice is marked uncollectible and its subscription canceled;
* every status change records ``invoice.updated`` (with ``previous_attributes``) and then the
  specific event (``invoice.paid`` + ``invoice.payment_succeeded``, ``invoice.payment_failed``,
  ``invoice.voided``, ``invoice.marked_uncollectible``);
* a payment that is processing (ACH Direct Debit) leaves the invoice ``open`` (Invoice ``status`` has
  no processing state: draft, open, paid, uncollectible, void; Stripe's subscription guide: "Subscriptions
  can also be incomplete if there's a pending payment ... the PaymentIntent status would be
  processing", docs.stripe.com/billing/subscriptions/overview) with ``invoice.updated`` for the attempt;
  when it settles the invoice is paid as for a card (``invoice_payment.paid``, ``invoice.paid``,
  ``invoice.payment_succeeded``) or the failure is recorded as a declined attempt
  (``invoice.payment_failed``, retries as usual). While it is processing the invoice cannot be paid
  again, voided, marked uncollectible or credited before payment (sandbox guards);
* ``attach_payment`` (partial payments, docs.stripe.com/api/invoices/attach_payment and
  docs.stripe.com/invoicing/partial-payments): a standalone payment intent of the invoice's customer
  and currency, for at most the amount remaining, is added to the invoice's payments; when it
  succeeds (at once if it already has) its amount is credited to ``amount_paid`` /
  ``amount_remaining`` (``invoice_payment.paid``, ``invoice.updated``) and the default payment asks for
  what is left; the payment that brings ``amount_remaining`` to 0 pays the invoice (the default payment
  intent is canceled, ``invoice.paid`` + ``invoice.payment_succeeded``). "Partial payments aren't
  supported for subscription invoices that are charged automatically", and "when an invoice has open
  payments, you can't mark it uncollectible" nor void it: the sandbox refuses those.

Invariant kept by every step: ``amount_paid + amount_remaining == amount_due``.
"""

from __future__ import annotations

from stripe_sandbox.billing import dunning
from stripe_sandbox.billing.minimums import below_minimum_charge
from stripe_sandbox.billing.periods import DAY
from stripe_sandbox.billing.totals import summarize
from stripe_sandbox.errors import StripeApiError, invalid_request
from stripe_sandbox.flows import lines as line_flow
from stripe_sandbox.state import WriteContext
from stripe_sandbox.store import Record

HOSTED = "https://invoice.stripe.com/i/acct_sandbox"
# Stored objects are never changed in place, so invoices can share these constant sub-objects.
AUTOMATIC_TAX = {"disabled_reason": None, "enabled": False, "liability": None, "provider": None, "status": None}
ISSUER = {"type": "self"}
PAYMENT_SETTINGS = {"default_mandate": None, "payment_method_options": None, "payment_method_types": None}
RENDERING = {"amount_tax_display": None, "pdf": {"page_size": "auto"}, "template": None, "template_version": None}
NO_TRANSITIONS = {"finalized_at": None, "marked_uncollectible_at": None, "paid_at": None, "voided_at": None}


def blank_invoice(invoice_id: str, created: int, customer: dict, currency: str, *, billing_reason: str,
                  collection_method: str, auto_advance: bool) -> dict:
    settings = customer.get("invoice_settings") or {}
    return {
        "id": invoice_id,
        "object": "invoice",
        "account_country": "US",
        "account_name": "Stripe Sandbox",
        "account_tax_ids": None,
        "amount_due": 0,
        "amount_overpaid": 0,
        "amount_paid": 0,
        "amount_paid_off_stripe": 0,
        "amount_remaining": 0,
        "amount_shipping": 0,
        "application": None,
        "attempt_count": 0,
        "attempted": False,
        "auto_advance": auto_advance,
        "automatic_tax": AUTOMATIC_TAX,
        "automatically_finalizes_at": created + dunning.AUTO_FINALIZE_DELAY if auto_advance else None,
        "billing_reason": billing_reason,
        "collection_method": collection_method,
        "created": created,
        "currency": currency,
        "custom_fields": settings.get("custom_fields"),
        "customer": customer["id"],
        "customer_account": None,
        "customer_address": customer.get("address"),
        "customer_email": customer.get("email"),
        "customer_name": customer.get("name"),
        "customer_phone": customer.get("phone"),
        "customer_shipping": customer.get("shipping"),
        "customer_tax_exempt": customer.get("tax_exempt", "none"),
        "customer_tax_ids": [],
        "default_payment_method": None,
        "default_source": None,
        "default_tax_rates": [],
        "description": None,
        "discounts": [],
        "due_date": None,
        "effective_at": None,
        "ending_balance": None,
        "footer": settings.get("footer"),
        "from_invoice": None,
        "hosted_invoice_url": None,
        "invoice_pdf": None,
        "issuer": ISSUER,
        "last_finalization_error": None,
        "latest_revision": None,
        "lines": line_flow.embedded_page(invoice_id, []),
        "livemode": False,
        "metadata": {},
        "next_payment_attempt": None,
        "number": None,
        "on_behalf_of": None,
        "parent": None,
        "payment_settings": PAYMENT_SETTINGS,
        "period_end": created,
        "period_start": created,
        "post_payment_credit_notes_amount": 0,
        "pre_payment_credit_notes_amount": 0,
        "receipt_number": None,
        "rendering": RENDERING,
        "shipping_cost": None,
        "shipping_details": None,
        "starting_balance": 0,
        "statement_descriptor": None,
        "status": "draft",
        "status_transitions": NO_TRANSITIONS,
        "subtotal": 0,
        "subtotal_excluding_tax": 0,
        "test_clock": customer.get("test_clock"),
        "total": 0,
        "total_discount_amounts": [],
        "total_excluding_tax": 0,
        "total_pretax_credit_amounts": [],
        "total_taxes": [],
        "webhooks_delivered_at": None,
    }


def payments_page(invoice_id: str, payments: list[dict]) -> dict:
    return {"object": "list", "data": payments, "has_more": False, "url": f"/v1/invoice_payments?invoice={invoice_id}"}


def resource(state, name: str):
    return state.resources[name]


# -- drafts ----------------------------------------------------------------------------------
def recomputed(state, record: Record, data: dict | None = None) -> dict:
    """The draft's data (or ``data``) with lines and totals recomputed from its sources (not stored)."""
    data = dict(data if data is not None else record.data)
    lines = line_flow.build_lines(data, record.extra["sources"], state)
    record.extra["lines"] = lines
    sums = summarize(lines)
    data.update(
        lines=line_flow.embedded_page(data["id"], lines),
        subtotal=sums["subtotal"],
        subtotal_excluding_tax=sums["subtotal_excluding_tax"],
        total=sums["total"],
        total_excluding_tax=sums["total_excluding_tax"],
        total_discount_amounts=sums["total_discount_amounts"],
        total_pretax_credit_amounts=sums["total_pretax_credit_amounts"],
        total_taxes=sums["total_taxes"],
        amount_due=max(sums["total"], 0),
        amount_remaining=max(sums["total"], 0),
    )
    return data


def require_status(record: Record, *statuses: str, action: str) -> None:
    if record.data["status"] not in statuses:
        raise invalid_request(
            f"You can only {action} an invoice whose status is {' or '.join(statuses)}; "
            f"this invoice ({record.id}) is {record.data['status']}.",
            code="invoice_not_editable" if "draft" in statuses else "invoice_unexpected_state",
        )


# -- finalization ----------------------------------------------------------------------------
def finalize(state, record: Record, ctx: WriteContext, *, auto_advance: bool | None = None) -> None:
    require_status(record, "draft", action="finalize")
    invoices = resource(state, "invoice")
    data = dict(record.data)  # a draft's lines and totals are recomputed on every change already
    if auto_advance is not None:
        data["auto_advance"] = auto_advance
    customer_record = state.store.get("customer", data["customer"])
    if customer_record is None or customer_record.deleted:
        raise invalid_request("This invoice's customer has been deleted; it cannot be finalized.",
                              code="resource_missing")
    starting = customer_record.data.get("balance") or 0
    total = data["total"]
    if total <= 0:
        amount_due, ending = 0, starting + total
    elif starting < 0:
        applied = min(-starting, total)
        amount_due, ending = total - applied, starting + applied
    else:
        amount_due, ending = total + starting, 0
    balances = resource(state, "customer_balance_transaction")
    if ending != starting:
        balances.adjust(data["customer"], ending - starting, data["currency"], ctx, invoice=data["id"],
                        type_="applied_to_invoice")
    if below_minimum_charge(amount_due, data["currency"]):  # not charged: owed on the next invoice instead
        balances.adjust(data["customer"], amount_due, data["currency"], ctx, invoice=data["id"],
                        type_="invoice_too_small")
        amount_due, ending = 0, ending + amount_due
    number = f"{state.account_prefix}-{state.next_number('invoice'):04d}"
    token = state.ids.derived(data["id"], 24)
    data.update(
        number=number,
        status="open",
        starting_balance=starting,
        ending_balance=ending,
        amount_due=amount_due,
        amount_paid=0,
        amount_remaining=amount_due,
        automatically_finalizes_at=None,
        effective_at=data["effective_at"] or ctx.now,
        hosted_invoice_url=f"{HOSTED}/test_{token}",
        invoice_pdf=f"{HOSTED}/test_{token}/pdf",
        status_transitions={**data["status_transitions"], "finalized_at": ctx.now},
        webhooks_delivered_at=ctx.now,
    )
    if data["collection_method"] == "send_invoice" and data["due_date"] is None:
        data["due_date"] = ctx.now + record.extra.get("days_until_due", 30) * DAY
    if amount_due > 0:
        pi = resource(state, "payment_intent").create_for_invoice(data, ctx)
        record.extra["payment_intent"] = pi["id"]
        resource(state, "invoice_payment").open_for(data, pi, ctx)
        if data["collection_method"] == "charge_automatically" and data["auto_advance"]:
            data["next_payment_attempt"] = ctx.now
    invoices.replace(record, data, ctx, action=None)
    invoices.emit(record, "finalized", ctx)
    for source in record.extra["sources"]:
        for discount_id in source["discounts"]:
            resource(state, "discount").attach(discount_id, ctx, invoice=record.id)
    if amount_due == 0:
        mark_paid(state, record, ctx, how="nothing_due")
    elif data["collection_method"] == "charge_automatically" and data["auto_advance"]:
        attempt_payment(state, record, ctx, automatic=True)
    elif data["collection_method"] == "send_invoice":
        if data["auto_advance"]:
            invoices.emit(record, "sent", ctx)
        state.schedule(data["due_date"], "invoice.overdue", record.id, domain=record.extra.get("domain"))


def invoice_payments(state, invoice_id: str) -> list[dict]:
    return [r.data for r in state.store.indexed("invoice_payment", "invoice", invoice_id).records]


# -- payment ---------------------------------------------------------------------------------
def default_payment_method(state, data: dict) -> str | None:
    if data.get("default_payment_method"):
        return data["default_payment_method"]
    subscription_id = ((data.get("parent") or {}).get("subscription_details") or {}).get("subscription")
    if subscription_id:
        sub = state.store.get("subscription", subscription_id)
        if sub is not None and sub.data.get("default_payment_method"):
            return sub.data["default_payment_method"]
    customer = state.store.get("customer", data["customer"])
    if customer is not None:
        return (customer.data.get("invoice_settings") or {}).get("default_payment_method")
    return None


def attempt_payment(state, record: Record, ctx: WriteContext, *, payment_method: str | None = None,
                    automatic: bool = False) -> StripeApiError | None:
    """Charge the invoice's payment intent; returns the card error on a decline (already recorded)."""
    pi_id = record.extra["payment_intent"]
    method = payment_method or default_payment_method(state, record.data)
    outcome = resource(state, "payment_intent").confirm_payment(pi_id, method, ctx)
    data = {**record.data, "attempt_count": record.data["attempt_count"] + 1, "attempted": True}
    if outcome.processing:  # ACH: decided when it settles (``intent_settled``)
        data["next_payment_attempt"] = None
        record.extra["processing_automatic"] = automatic
        resource(state, "invoice").replace(record, data, ctx, action="updated")
        return None
    resource(state, "invoice").replace(record, data, ctx, action=None)
    if outcome.succeeded:
        mark_paid(state, record, ctx, how="charge")
        return None
    payment_failed(state, record, ctx, automatic=automatic)
    return outcome.error


def _retries_apply(data: dict) -> bool:
    return (data["collection_method"] == "charge_automatically" and bool(data["auto_advance"])
            and data["billing_reason"] != "subscription_create")


def payment_failed(state, record: Record, ctx: WriteContext, *, automatic: bool) -> None:
    invoices = resource(state, "invoice")
    data = dict(record.data)
    retry_at = dunning.next_attempt(data["attempt_count"], ctx.now) if _retries_apply(data) else None
    data["next_payment_attempt"] = retry_at
    invoices.replace(record, data, ctx, action="updated")
    invoices.emit(record, "payment_failed", ctx)
    domain = record.extra.get("domain")
    if retry_at is not None:
        state.schedule(retry_at, "invoice.retry", record.id, {"attempt": data["attempt_count"]}, domain=domain)
    resource(state, "subscription").invoice_payment_failed(record.data, ctx)
    if automatic and retry_at is None and _retries_apply(data):
        mark_uncollectible(state, record, ctx)
        resource(state, "subscription").dunning_exhausted(record.data, ctx)


def mark_paid(state, record: Record, ctx: WriteContext, *, how: str, overpaid: int = 0) -> None:
    """``how``: charge (the payment intent succeeded), out_of_band, nothing_due, credit (credit notes),
    attached (an attached payment paid what was left; ``overpaid``: what it paid beyond that)."""
    invoices = resource(state, "invoice")
    data = dict(record.data)
    remaining = data["amount_remaining"]
    default = record.extra.get("payment_intent")
    if how == "charge":
        resource(state, "invoice_payment").mark_paid(record.id, ctx, payment_intent=default)
    elif default:
        resource(state, "payment_intent").cancel_for_invoice(default, ctx)
        resource(state, "invoice_payment").cancel_open(record.id, ctx, payment_intent=default)
    if overpaid:
        data["amount_overpaid"] = data["amount_overpaid"] + overpaid
    data.update(
        status="paid",
        amount_paid=data["amount_paid"] + remaining,
        amount_remaining=0,
        amount_paid_off_stripe=data["amount_paid_off_stripe"] + (remaining if how == "out_of_band" else 0),
        next_payment_attempt=None,
        status_transitions={**data["status_transitions"], "paid_at": ctx.now},
    )
    invoices.replace(record, data, ctx, action="updated")
    invoices.emit(record, "paid", ctx)
    invoices.emit(record, "payment_succeeded", ctx)
    resource(state, "subscription").invoice_paid(record.data, ctx)


def void(state, record: Record, ctx: WriteContext) -> None:
    require_status(record, "open", "uncollectible", action="void")
    if record.data["amount_paid"]:
        raise invalid_request("You cannot void an invoice that has payments; issue a credit note instead.",
                              code="invoice_unexpected_state")
    refuse_while_payments_open(state, record, "void it")
    invoices = resource(state, "invoice")
    if record.extra.get("payment_intent"):
        resource(state, "payment_intent").cancel_for_invoice(record.extra["payment_intent"], ctx)
        resource(state, "invoice_payment").cancel_open(record.id, ctx)
    data = {
        **record.data,
        "status": "void",
        "next_payment_attempt": None,
        "status_transitions": {**record.data["status_transitions"], "voided_at": ctx.now},
    }
    invoices.replace(record, data, ctx, action="updated")
    invoices.emit(record, "voided", ctx)
    applied = record.data["starting_balance"] - record.data["ending_balance"]
    if applied:  # since API 2019-12-03 a voided invoice gives the balance it applied back to the customer
        resource(state, "customer_balance_transaction").adjust(
            record.data["customer"], applied, record.data["currency"], ctx, invoice=record.id,
            type_="unapplied_from_invoice")
    resource(state, "subscription").invoice_voided(record.data, ctx)


def mark_uncollectible(state, record: Record, ctx: WriteContext) -> None:
    require_status(record, "open", action="mark uncollectible")
    refuse_while_payments_open(state, record, "mark it uncollectible")
    invoices = resource(state, "invoice")
    data = {
        **record.data,
        "status": "uncollectible",
        "next_payment_attempt": None,
        "status_transitions": {**record.data["status_transitions"], "marked_uncollectible_at": ctx.now},
    }
    invoices.replace(record, data, ctx, action="updated")
    invoices.emit(record, "marked_uncollectible", ctx)


# -- payments that settle later and partial payments -----------------------------------------
def processing_payment(state, invoice_id: str) -> str | None:
    """The payment intent of the invoice's payment that is processing (ACH), if any."""
    for payment in state.store.indexed("invoice_payment", "invoice", invoice_id).records:
        if payment.data["status"] != "open":
            continue
        intent = state.store.get("payment_intent", payment.data["payment"]["payment_intent"])
        if intent is not None and intent.data["status"] == "processing":
            return intent.id
    return None


def refuse_while_processing(state, record: Record, what: str) -> None:
    intent = processing_payment(state, record.id)
    if intent is not None:
        raise invalid_request(f"This invoice has a payment that is processing ({intent}); you cannot {what} until "
                              f"that payment succeeds or fails.", code="payment_intent_unexpected_state")


def refuse_while_payments_open(state, record: Record, what: str) -> None:
    refuse_while_processing(state, record, what)
    for payment in state.store.indexed("invoice_payment", "invoice", record.id).records:
        if payment.data["status"] == "open" and not payment.data["is_default"] and \
                payment.data["payment"]["payment_intent"] != record.extra.get("payment_intent"):
            raise invalid_request(f"This invoice has an open attached payment ({payment.id}); you cannot {what}. "
                                  f"Cancel its PaymentIntent first.", code="invoice_unexpected_state")


def attach_payment(state, record: Record, intent_record: Record, ctx: WriteContext) -> None:
    """``POST /v1/invoices/{id}/attach_payment`` with ``payment_intent``."""
    if record.data["status"] == "paid":
        raise invalid_request("Invoice is already paid")
    require_status(record, "open", "uncollectible", action="attach a payment to")
    data, intent = record.data, intent_record.data
    if (data.get("parent") or {}).get("subscription_details") and data["collection_method"] == "charge_automatically":
        raise invalid_request("Partial payments aren't supported for subscription invoices that are charged "
                              "automatically.", code="invoice_unexpected_state")
    owner = intent_record.extra.get("invoice") or intent_record.extra.get("attached_to")
    if owner is not None:
        raise invalid_request(f"The PaymentIntent {intent['id']} is already attached to invoice {owner}.",
                              param="payment_intent", code="payment_intent_unexpected_state")
    if intent["customer"] != data["customer"]:
        raise invalid_request(f"The PaymentIntent's customer ({intent['customer']}) must be the invoice's customer "
                              f"({data['customer']}).", param="payment_intent", code="payment_intent_invalid_parameter")
    if intent["currency"] != data["currency"]:
        raise invalid_request(f"The PaymentIntent's currency ({intent['currency']}) must be the invoice's currency "
                              f"({data['currency']}).", param="payment_intent", code="payment_intent_invalid_parameter")
    if intent["status"] == "canceled":
        raise invalid_request(f"You cannot attach a PaymentIntent with status {intent['status']}.",
                              param="payment_intent", code="payment_intent_unexpected_state")
    payments = resource(state, "invoice_payment")
    default = record.extra.get("payment_intent")
    processing = processing_payment(state, record.id)
    pending = sum(payment.data["amount_requested"]
                  for payment in state.store.indexed("invoice_payment", "invoice", record.id).records
                  if payment.data["status"] == "open" and payment.data["payment"]["payment_intent"] != default
                  or payment.data["payment"]["payment_intent"] == processing == default)
    available = data["amount_remaining"] - pending
    if intent["amount"] > available:
        raise invalid_request(f"The PaymentIntent's amount ({intent['amount']}) exceeds the amount remaining on the "
                              f"invoice ({available}, after the payments already attached).", param="payment_intent",
                              code="amount_too_large")
    payments.open_for(data, intent, ctx, default=False)
    intent_record.extra["attached_to"] = record.id
    if intent["status"] == "succeeded":
        credit_payment(state, record, intent, ctx)


def intent_settled(state, intent_record: Record, ctx: WriteContext, *, succeeded: bool) -> None:
    """A payment intent of an invoice succeeded or failed later than its confirmation (ACH, attached)."""
    invoice_id = intent_record.extra.get("invoice") or intent_record.extra.get("attached_to")
    record = state.store.get("invoice", invoice_id) if invoice_id else None
    if record is None:
        return
    if intent_record.extra.get("invoice"):  # the invoice's own (default) payment
        if record.extra.get("payment_intent") != intent_record.id or record.data["status"] not in ("open",
                                                                                                 "uncollectible"):
            return
        automatic = record.extra.pop("processing_automatic", False)
        if succeeded:
            mark_paid(state, record, ctx, how="charge")
        else:
            payment_failed(state, record, ctx, automatic=automatic)
    elif succeeded:  # an attached payment; a failed one stays open (it can be confirmed again)
        credit_payment(state, record, intent_record.data, ctx)


def credit_payment(state, record: Record, intent: dict, ctx: WriteContext) -> None:
    """An attached payment succeeded: credit its amount to the invoice (paid once nothing is left)."""
    invoices = resource(state, "invoice")
    payments = resource(state, "invoice_payment")
    amount = intent["amount_received"]
    payments.mark_paid(record.id, ctx, payment_intent=intent["id"], amount=amount)
    data = dict(record.data)
    if data["status"] not in ("open", "uncollectible"):  # paid another way meanwhile: all of it is overpaid
        invoices.replace(record, {**data, "amount_overpaid": data["amount_overpaid"] + amount}, ctx)
        return
    credited = min(amount, data["amount_remaining"])
    if credited == data["amount_remaining"]:
        mark_paid(state, record, ctx, how="attached", overpaid=amount - credited)
        return
    remaining = data["amount_remaining"] - credited
    data.update(amount_paid=data["amount_paid"] + credited, amount_remaining=remaining)
    invoices.replace(record, data, ctx)
    default = record.extra.get("payment_intent")
    if default:
        resource(state, "payment_intent").set_amount(default, remaining, ctx)
        payments.set_requested(record.id, default, remaining, ctx)


# -- credit notes ----------------------------------------------------------------------------
def apply_credit_note(state, record: Record, ctx: WriteContext, *, pre: int, post: int) -> None:
    """A credit note reduces what is still due (``pre``) and/or credits what was paid (``post``)."""
    invoices = resource(state, "invoice")
    data = dict(record.data)
    data["pre_payment_credit_notes_amount"] += pre
    data["post_payment_credit_notes_amount"] += post
    data["amount_due"] -= pre
    data["amount_remaining"] -= pre
    if pre:
        if record.extra.get("payment_intent"):
            resource(state, "payment_intent").cancel_for_invoice(record.extra["payment_intent"], ctx,
                                                                 reason="automatic")
            resource(state, "invoice_payment").cancel_open(record.id, ctx)
        record.extra["payment_intent"] = None
        if data["amount_remaining"] > 0:
            pi = resource(state, "payment_intent").create_for_invoice(data, ctx)
            record.extra["payment_intent"] = pi["id"]
            resource(state, "invoice_payment").open_for(data, pi, ctx)
    invoices.replace(record, data, ctx, action="updated")
    if data["status"] in ("open", "uncollectible") and data["amount_remaining"] == 0:
        mark_paid(state, record, ctx, how="credit")


# -- scheduled work --------------------------------------------------------------------------
def task_finalize(state, task, ctx: WriteContext) -> None:
    record = state.store.get("invoice", task.key)
    if record is None or record.deleted or record.data["status"] != "draft" or not record.data["auto_advance"]:
        return
    finalize(state, record, ctx)


def task_retry(state, task, ctx: WriteContext) -> None:
    record = state.store.get("invoice", task.key)
    if record is None or record.data["status"] != "open" or record.data["attempt_count"] != task.data["attempt"]:
        return
    if not record.data["auto_advance"] or not record.extra.get("payment_intent"):
        return
    attempt_payment(state, record, ctx, automatic=True)


def task_overdue(state, task, ctx: WriteContext) -> None:
    record = state.store.get("invoice", task.key)
    if record is not None and record.data["status"] == "open" and record.data["due_date"] == task.due:
        resource(state, "invoice").emit(record, "overdue", ctx)


TASKS = {"invoice.finalize": task_finalize, "invoice.retry": task_retry, "invoice.overdue": task_overdue}
