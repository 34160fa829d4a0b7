"""Stripe refunds and disputes -> NetSuite credit memos and customer refunds (pure; reference
connector-behaviour.md §3.3, §5, §6.8, §6.9, §6.10, §6.13).

A refund of an invoiced charge is a credit memo (``cm-re_…``) that a customer refund (``re_…``) applies,
the refund leaving Undeposited Funds; both at Stripe's rate from the refund's balance transaction. The memo
credits the invoice's own lines for a refund of all of it, the line's item for a part of a one-line invoice,
and ``refunds.partial_refund_item`` for a part of an invoice of several lines (Stripe does not tie a refund
to lines). A refund made through a credit note applies that note's memo (``cn_…``, written by the invoices
flow with its refunded part left open): the customer is credited once. A refund of a charge without an
invoice applies the (unapplied) customer payment; no memo.

A refund that failed or was canceled after Stripe booked it (Stripe gave the money back: a
``failure_balance_transaction``) is reversed so NetSuite ends where Stripe does: its memo is zeroed, and the
money back is a customer payment (``ret-re_…``, Undeposited Funds) that the customer refund applies instead.

A dispute whose funds Stripe withdrew is booked like a refund (``cm-dp_…`` memo on an invoiced charge, with
the line's item for a one-line invoice else ``refunds.dispute_item``; customer refund ``dp_…``), at the rate of
the withdrawal's balance transaction (it may differ from the charge's). The dispute fee is left for the
payout's deposit. Won: the returned funds are a deposit line, nothing is re-applied; lost: the entries
stand. An inquiry or warning that withdrew nothing writes nothing.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from stripe_netsuite.mapping import external_ids
from stripe_netsuite.mapping.money import to_decimal
from stripe_netsuite.mapping.payments import stripe_rate
from stripe_netsuite.mapping.records import InternalIdRef, MappingError, NeutralRecord, UnknownValueError, expandable_id
from stripe_netsuite.settings import Settings, record_ref

CREDIT_MEMO = "creditMemo"
CUSTOMER_REFUND = "customerRefund"
CUSTOMER_PAYMENT = "customerPayment"
REFUND_STATUSES = ("pending", "requires_action", "succeeded", "failed", "canceled")
DISPUTE_STATUSES = ("warning_needs_response", "warning_under_review", "warning_closed", "needs_response",
                    "under_review", "won", "lost", "prevented")
WITHDRAWAL = "dispute"  # balance transaction reporting_category of funds withdrawn (stripe.md §13)
_MAX_MEMO = 999


@dataclass(frozen=True)
class RefundContext:
    """What mapping a run's refunds and disputes needs, read by the flow's ``prepare``."""

    currency_ids: Mapping[str, str]
    base_currency: str
    charges: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # charge ID -> charge
    invoice_of_charge: Mapping[str, str] = field(default_factory=dict)  # charge ID -> the Stripe invoice it paid
    # invoice external ID (``in_…``, or ``in-ch_…`` for a payment's own invoice) -> its NetSuite lines with amounts
    lines_of_invoice: Mapping[str, Sequence[tuple[int, dict[str, Any]]]] = field(default_factory=dict)
    credit_note_of_refund: Mapping[str, str] = field(default_factory=dict)  # refund ID -> credit note it refunds


def refund_booked(refund: Mapping[str, Any]) -> bool:
    """Whether Stripe booked the refund (it has a balance transaction); raises on an unknown status."""
    if refund.get("status") not in REFUND_STATUSES:
        raise UnknownValueError(refund["id"], f"refund {refund['id']}", "status", refund.get("status"))
    return bool(refund.get("balance_transaction"))


def refund_reversed(refund: Mapping[str, Any]) -> bool:
    """Whether Stripe gave a booked refund's money back (failed or canceled after booking)."""
    return refund.get("status") in ("failed", "canceled") and bool(refund.get("failure_balance_transaction"))


def withdrawal(dispute: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The balance transaction of the funds a dispute withdrew, or None (an inquiry or warning withdrew nothing)."""
    if dispute.get("status") not in DISPUTE_STATUSES:
        raise UnknownValueError(dispute["id"], f"dispute {dispute['id']}", "status", dispute.get("status"))
    for txn in dispute.get("balance_transactions") or []:
        if isinstance(txn, Mapping) and txn.get("reporting_category") == WITHDRAWAL and int(txn.get("amount") or 0) < 0:
            return txn
    return None


class _Mapper:
    """One refund or dispute (``kind``) of a charge."""

    def __init__(self, obj: Mapping[str, Any], kind: str, context: RefundContext, settings: Settings) -> None:
        self.obj, self.kind, self.context, self.settings = obj, kind, context, settings
        self.id = obj["id"]
        charge_id = expandable_id(obj.get("charge"))
        if not charge_id or charge_id not in context.charges:
            raise MappingError(self.id, f"its charge {charge_id} could not be read; the next run tries it again")
        self.charge = context.charges[charge_id]
        self.charge_id = charge_id
        self.currency = (obj.get("currency") or self.charge.get("currency") or "").upper()
        self.zone = zoneinfo.ZoneInfo(settings.invoices.timezone)

    def money(self, minor: int) -> Decimal:
        return to_decimal(int(minor), self.currency)

    def header(self, when: int, txn: Any, entity_key: str) -> dict[str, Any]:
        if self.currency not in self.context.currency_ids:
            raise MappingError(self.id, f"is in {self.currency}, which is not an active currency in NetSuite; enable "
                                        "it, then the next run retries it")
        customer_id = expandable_id(self.charge.get("customer"))
        customer = {"externalId": external_ids.customer(customer_id)} if customer_id \
            else record_ref(self.settings.payments.guest_customer)
        fields: dict[str, Any] = {
            entity_key: customer,
            "currency": {"id": self.context.currency_ids[self.currency]},
            "tranDate": dt.datetime.fromtimestamp(int(when), self.zone).date().isoformat(),
        }
        rate = stripe_rate(txn, self.currency, self.context.base_currency)
        if rate is not None:
            fields["exchangeRate"] = rate
        return fields

    # -- what the refund or dispute credits ---------------------------------------------------

    def invoice_ref(self) -> str | None:
        """The external ID of the invoice the charge paid: its Stripe invoice, or the payment's own invoice."""
        invoice_id = self.context.invoice_of_charge.get(self.charge_id)
        if invoice_id:
            return external_ids.invoice(invoice_id)
        if self.settings.payments.standalone_charges == "invoice":
            return external_ids.payment_invoice(self.charge_id)
        return None

    def memo_lines(self, invoice: str, amount: int, other_item) -> list[dict[str, Any]]:
        lines = list(self.context.lines_of_invoice.get(invoice) or ())
        if not lines:
            raise MappingError(self.id, f"the lines of invoice {invoice} could not be read; the next run tries again")
        if sum(a for a, _ in lines) == amount:  # all of it: the invoice's own lines
            return [dict(line) for _, line in lines]
        if len(lines) == 1:  # a part of a one-line invoice: that line's item
            only = lines[0][1]
            line = {"item": only["item"], "amount": self.money(amount), "description": only.get("description", "")}
            return [line]
        return [{"item": record_ref(other_item), "amount": self.money(amount),
                 "description": f"Stripe {self.kind} {self.id} of {invoice} (part of an invoice of several lines)"}]

    def credit_memo(self, external_id: str, invoice: str, amount: int, when: int, txn: Any, other_item,
                    memo: str, zeroed: bool = False) -> NeutralRecord:
        items = self.memo_lines(invoice, amount, other_item)
        if zeroed:
            for line in items:
                line["amount"] = self.money(0)
        fields = {
            **self.header(when, txn, "entity"),
            "memo": memo[:_MAX_MEMO],
            "createdFrom": InternalIdRef(invoice),
            "item": {"items": items},
            "apply": {"items": [{"doc": InternalIdRef(invoice), "apply": False}]},  # the customer refund applies it
        }
        return NeutralRecord(CREDIT_MEMO, external_id, fields, source_id=self.id)

    def customer_refund(self, external_id: str, applies: str, amount: int, when: int, txn: Any, memo: str,
                        released: str | None = None) -> NeutralRecord:
        items = [{"doc": InternalIdRef(applies), "apply": True, "amount": self.money(amount)}]
        if released:  # the document it applied before, given up (apply sublists merge by document); left out when
            # the refund failed before it was first written, so the memo never existed
            items.insert(0, {"doc": InternalIdRef(released, optional=True), "apply": False})
        fields = {
            **self.header(when, txn, "customer"),
            "paymentMethod": record_ref(self.settings.payments.payment_method),
            "memo": memo[:_MAX_MEMO],
            "apply": {"items": items},
        }
        return NeutralRecord(CUSTOMER_REFUND, external_id, fields, source_id=self.id)

    # -- refunds ---------------------------------------------------------------------------------

    def refund(self) -> list[list[NeutralRecord]] | None:
        refund = self.obj
        if not refund_booked(refund):
            return None
        amount, when, txn = int(refund["amount"]), int(refund["created"]), refund.get("balance_transaction")
        invoice = self.invoice_ref()
        note = self.context.credit_note_of_refund.get(self.id)
        what = f"Stripe: {self.id}, refund of {self.charge_id}" + (f" (invoice {invoice})" if invoice else "")
        if refund.get("reason"):
            what += f", reason {refund['reason']}"
        memo_id = external_ids.refund_memo(self.id)
        if note:
            credits = external_ids.credit_note_memo(note)
            what += f", through credit note {note}"
        elif invoice:
            credits = memo_id
        else:
            credits = external_ids.payment(self.charge_id)
        if not refund_reversed(refund):
            stages = []
            if credits == memo_id:
                assert invoice is not None
                stages.append([self.credit_memo(memo_id, invoice, amount, when, txn, self.settings.refunds.partial_refund_item,
                                                what)])
            # A refund a credit note names later gives up the memo written for it before (then zeroed below).
            released = memo_id if note and invoice else None
            stages.append([self.customer_refund(external_ids.customer_refund(self.id), credits, amount, when, txn, what,
                                                released=released)])
            if released:
                assert invoice is not None
                zeroed = self.credit_memo(memo_id, invoice, amount, when, txn, self.settings.refunds.partial_refund_item,
                                          f"REPLACED by credit note {note}, which credits this refund. {what}", zeroed=True)
                stages.append([replace(zeroed, only_if_present=True)])
            return stages
        # Stripe gave the money back: the customer refund now applies a payment of it, and the memo is zeroed.
        failure = refund.get("failure_balance_transaction")
        back_when = int((failure.get("created") if isinstance(failure, Mapping) else None) or when)
        reason = refund.get("failure_reason") or refund.get("status")
        returned = external_ids.returned_refund(self.id)
        back = {
            **self.header(back_when, txn, "customer"),
            "payment": self.money(amount),
            "undepFunds": True,
            "paymentMethod": record_ref(self.settings.payments.payment_method),
            "memo": f"Stripe: refund {self.id} {refund.get('status')} ({reason}): the money came back to Stripe"[:_MAX_MEMO],
        }
        stages = [[NeutralRecord(CUSTOMER_PAYMENT, returned, back, source_id=self.id)],
                  [self.customer_refund(external_ids.customer_refund(self.id), returned, amount, when, txn,
                                        f"REVERSED in Stripe ({reason}). {what}", released=credits)]]
        if credits == memo_id:
            assert invoice is not None
            stages.append([self.credit_memo(memo_id, invoice, amount, when, txn, self.settings.refunds.partial_refund_item,
                                            f"REVERSED in Stripe ({reason}). {what}", zeroed=True)])
        return stages

    # -- disputes --------------------------------------------------------------------------------

    def dispute(self) -> list[list[NeutralRecord]] | None:
        dispute = self.obj
        txn = withdrawal(dispute)
        if txn is None:
            return None
        amount, when = int(dispute["amount"]), int(txn.get("created") or dispute["created"])
        invoice = self.invoice_ref()
        what = (f"Stripe: dispute {self.id} of {self.charge_id}" + (f" (invoice {invoice})" if invoice else "")
                + f", reason {dispute.get('reason')}, funds withdrawn")
        stages = []
        if invoice:
            credits = external_ids.dispute_memo(self.id)
            stages.append([self.credit_memo(credits, invoice, amount, when, txn, self.settings.refunds.dispute_item,
                                            what)])
        else:
            credits = external_ids.payment(self.charge_id)
        stages.append([self.customer_refund(external_ids.dispute_refund(self.id), credits, amount, when, txn, what)])
        return stages


def map_refund(refund: Mapping[str, Any], context: RefundContext, settings: Settings) -> list[list[NeutralRecord]] | None:
    """A refund's records in load stages, or None when Stripe has not booked it."""
    if not refund_booked(refund):
        return None
    return _Mapper(refund, "refund", context, settings).refund()


def map_dispute(dispute: Mapping[str, Any], context: RefundContext, settings: Settings) -> list[list[NeutralRecord]] | None:
    """A dispute's records in load stages, or None when it withdrew no funds (an inquiry or warning)."""
    if withdrawal(dispute) is None:
        return None
    return _Mapper(dispute, "dispute", context, settings).dispute()
