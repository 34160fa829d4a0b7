"""Stripe charges -> NetSuite customer payments (pure; reference connector-behaviour.md §4, §6.7, §6.13).

One customer payment per charge that moved money (external ID the charge ID), in Undeposited Funds
until its payout's deposit: the gross amount in the charge currency (fees belong to the deposit), dated
the charge's day in the settings' time zone, at Stripe's exchange rate when the charge settled in the
subsidiary's currency (NetSuite's own rate would leave an FX difference at the deposit). Applied to the
invoice it pays, by internal ID, for what NetSuite still shows open there; a charge that finds its
invoice already paid in NetSuite stays unapplied and its memo says so.

Which charges: ``succeeded`` and captured, or ``pending`` with a balance transaction (an ACH or SEPA
debit: Stripe has booked it; reference §6.7). A debit that ``failed`` after Stripe booked it (it has a
``failure_balance_transaction``) is written unapplied, with a customer refund of it giving the reason, so
the invoice reopens and Undeposited Funds nets to zero as Stripe's balance does. Any other charge moved
no money: nothing is written. A status this version does not know is an error, never a guess.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from stripe_netsuite.mapping import external_ids
from stripe_netsuite.mapping.money import to_decimal
from stripe_netsuite.mapping.records import InternalIdRef, MappingError, NeutralRecord, UnknownValueError, expandable_id
from stripe_netsuite.settings import Settings, record_ref

CUSTOMER_PAYMENT = "customerPayment"
CUSTOMER_REFUND = "customerRefund"
INVOICE = "invoice"
STATUSES = ("succeeded", "pending", "failed")
COULD_NOT_APPLY_MEMO = "Stripe Payment Error: could not apply"  # how a payment's memo starts when NetSuite refused it
_MAX_MEMO = 999


@dataclass(frozen=True)
class PaymentContext:
    """What mapping a run's charges needs, read by the flow's ``prepare``."""

    currency_ids: Mapping[str, str]  # currency code -> NetSuite currency internal ID
    base_currency: str  # the subsidiary's currency code: Stripe's rate is used for charges settled in it
    invoice_of: Mapping[str, str] = field(default_factory=dict)  # charge ID -> the Stripe invoice it pays
    # charge ID -> minor units NetSuite lets it apply to its invoice now (what is open there plus what this
    # payment applies already); a charge without an entry applies its whole amount
    applicable: Mapping[str, int] = field(default_factory=dict)


def moves_money(charge: Mapping[str, Any]) -> bool:
    """Whether a charge is one the payments flow writes (see the module docstring); raises on an unknown status."""
    status = charge.get("status")
    if status not in STATUSES:
        raise UnknownValueError(charge["id"], f"charge {charge['id']}", "status", status)
    if status == "succeeded":
        return bool(charge.get("captured", True)) and int(charge.get("amount_captured") or 0) > 0
    if status == "pending":
        return bool(charge.get("balance_transaction"))
    return bool(charge.get("failure_balance_transaction"))


def paid_amount(charge: Mapping[str, Any]) -> int:
    """The gross amount the payment records, in minor units of the charge currency."""
    if charge.get("status") == "succeeded":
        return int(charge.get("amount_captured") or 0)
    return int(charge["amount"])


def stripe_rate(txn: Any, charge_currency: str, base_currency: str) -> Decimal | None:
    """Stripe's rate from the charge currency to the subsidiary's, from the charge's balance transaction.

    None when NetSuite's rate must be used: the charge is in the subsidiary's currency (rate 1), Stripe did not
    convert it, or it settled in another currency than the subsidiary's (Stripe's rate is then not to it)."""
    if not isinstance(txn, Mapping) or charge_currency.upper() == base_currency.upper():
        return None
    if (txn.get("currency") or "").upper() != base_currency.upper() or txn.get("exchange_rate") is None:
        return None
    rate = txn["exchange_rate"]
    # The SDK parses JSON numbers as float; str() gives back the shortest text that round-trips, i.e. Stripe's.
    return Decimal(str(rate)) if not isinstance(rate, Decimal) else rate


def own_invoice_line(charge: Mapping[str, Any], settings: Settings, *, zeroed: bool = False) -> dict[str, Any]:
    """The one line of a payment's own invoice (``payments.standalone_charges: invoice``): the configured item for
    the payment's amount, its description the charge's."""
    amount = to_decimal(0 if zeroed else paid_amount(charge), charge.get("currency") or "")
    description = charge.get("description") or f"Stripe payment {charge['id']}"
    return {"item": record_ref(settings.payments.standalone_item), "quantity": 1, "rate": amount, "amount": amount,
            "description": description[:999]}


class _ChargeMapper:
    def __init__(self, charge: Mapping[str, Any], context: PaymentContext, settings: Settings) -> None:
        self.charge = charge
        self.id = charge["id"]
        self.context = context
        self.settings = settings
        self.currency = (charge.get("currency") or "").upper()
        self.zone = zoneinfo.ZoneInfo(settings.invoices.timezone)

    def fail(self, message: str) -> MappingError:
        return MappingError(self.id, message)

    def money(self, minor: int) -> Decimal:
        return to_decimal(int(minor), self.currency)

    def date(self, timestamp: int) -> str:
        return dt.datetime.fromtimestamp(int(timestamp), self.zone).date().isoformat()

    def header(self, when: int) -> dict[str, Any]:
        """Customer, currency, rate and date every record of the charge shares."""
        if self.currency not in self.context.currency_ids:
            raise self.fail(
                f"is in {self.currency}, which is not an active currency in NetSuite; enable it under Lists > "
                "Accounting > Currencies (Multiple Currencies on), then the next run retries this payment")
        customer_id = expandable_id(self.charge.get("customer"))
        customer = {"externalId": external_ids.customer(customer_id)} if customer_id \
            else record_ref(self.settings.payments.guest_customer)
        fields: dict[str, Any] = {
            "customer": customer,
            "currency": {"id": self.context.currency_ids[self.currency]},
            "tranDate": self.date(when),
        }
        rate = stripe_rate(self.charge.get("balance_transaction"), self.currency, self.context.base_currency)
        if rate is not None:
            fields["exchangeRate"] = rate
        return fields

    def memo(self, invoice_id: str | None, unapplied: int) -> str:
        memo = f"Stripe: {self.id}"
        if self.charge.get("status") == "pending":
            memo += " (pending in Stripe: the bank debit has not settled yet)"
        if invoice_id is None:
            description = self.charge.get("description")
            memo += f". Payment without an invoice. Stripe description: {description}" if description else \
                ". Payment without an invoice"
        elif unapplied:
            memo = (f"{COULD_NOT_APPLY_MEMO} to invoice {invoice_id}: NetSuite shows it paid. "
                    f"{self.money(unapplied)} {self.currency} left unapplied. {memo}")
        else:
            memo += f" for invoice {invoice_id}"
        return memo[:_MAX_MEMO]

    def payment(self, invoice_ref: str | None, invoice_id: str | None, *, applied: int | None) -> NeutralRecord:
        """The customer payment; ``applied``: minor units applied to ``invoice_ref`` (None: nothing to apply to)."""
        amount = paid_amount(self.charge)
        fields = {
            **self.header(int(self.charge["created"])),
            "payment": self.money(amount),
            "undepFunds": True,
            "paymentMethod": record_ref(self.settings.payments.payment_method),
        }
        unapplied = amount - (applied or 0)
        fields["memo"] = self.memo(invoice_id, unapplied if invoice_id and self.charge.get("status") != "failed" else 0)
        if invoice_ref is not None:
            # Always say whether it applies: a line with apply false undoes an earlier application (apply
            # sublists merge by document on an existing record), e.g. when the debit failed later.
            line: dict[str, Any] = {"doc": InternalIdRef(invoice_ref), "apply": bool(applied)}
            if applied:
                line["amount"] = self.money(applied)
            fields["apply"] = {"items": [line]}
        return NeutralRecord(CUSTOMER_PAYMENT, external_ids.payment(self.id), fields, source_id=self.id)

    def failure_refund(self) -> NeutralRecord:
        """Gives back a payment whose money never arrived, with Stripe's reason, from Undeposited Funds."""
        failure = self.charge.get("failure_balance_transaction")
        when = failure.get("created") if isinstance(failure, Mapping) else None
        reason = self.charge.get("failure_message") or "no reason given"
        code = self.charge.get("failure_code")
        fields = {
            **self.header(int(when or self.charge["created"])),
            "paymentMethod": record_ref(self.settings.payments.payment_method),
            "memo": f"Stripe: payment {self.id} failed after it was booked: {reason}"
                    f"{f' ({code})' if code else ''}"[:_MAX_MEMO],
            "apply": {"items": [{"doc": InternalIdRef(external_ids.payment(self.id)), "apply": True,
                                 "amount": self.money(paid_amount(self.charge))}]},
        }
        return NeutralRecord(CUSTOMER_REFUND, external_ids.failed_payment_refund(self.id), fields, source_id=self.id)

    def standalone_invoice(self) -> NeutralRecord:
        """A one-line invoice of the configured item for a payment without an invoice (the connector's "create
        invoices for payments"): the payment then pays it instead of sitting as the customer's credit. Zeroed
        when the debit failed: nothing is owed for a payment that never arrived."""
        failed = self.charge.get("status") == "failed"
        memo = f"Stripe: {self.id}. Invoice for a payment without one" + (
            " (zeroed: the payment failed)" if failed else "")
        fields = {
            **self.header(int(self.charge["created"])),
            "memo": memo[:_MAX_MEMO],
            "item": {"items": [own_invoice_line(self.charge, self.settings, zeroed=failed)]},
        }
        fields["entity"] = fields.pop("customer")
        return NeutralRecord(INVOICE, external_ids.payment_invoice(self.id), fields, source_id=self.id)

    def records(self) -> list[list[NeutralRecord]] | None:
        if not moves_money(self.charge):
            return None
        failed = self.charge.get("status") == "failed"
        invoice_id = self.context.invoice_of.get(self.id)
        if invoice_id is not None:
            applicable = self.context.applicable.get(self.id, paid_amount(self.charge))
            applied = 0 if failed else min(paid_amount(self.charge), applicable)
            stages = [[self.payment(external_ids.invoice(invoice_id), invoice_id, applied=applied)]]
        elif self.settings.payments.standalone_charges == "invoice":
            invoice = self.standalone_invoice()
            payment = self.payment(invoice.external_id, None, applied=0 if failed else paid_amount(self.charge))
            stages = [[invoice], [payment]]
        else:
            stages = [[self.payment(None, None, applied=None)]]
        if failed:
            stages.append([self.failure_refund()])
        return stages


def map_charge(charge: Mapping[str, Any], context: PaymentContext, settings: Settings) -> list[list[NeutralRecord]] | None:
    """The charge's records in load stages, or None when it moved no money."""
    return _ChargeMapper(charge, context, settings).records()


def paid_outside_stripe(invoice: Mapping[str, Any]) -> int:
    """What was paid on an invoice outside Stripe, in minor units (basil API: ``amount_paid_off_stripe``; the
    ``paid_out_of_band`` flag is gone since 2025-03-31, reference stripe.md §2)."""
    return int(invoice.get("amount_paid_off_stripe") or 0)


def map_out_of_band(invoice: Mapping[str, Any], context: PaymentContext, settings: Settings) -> NeutralRecord | None:
    """A payment for what an invoice was paid outside Stripe, to the configured account (settings
    ``payments.out_of_band: record``); None when the settings leave them to finance (the reconciliation lists them)."""
    if settings.payments.out_of_band != "record" or not paid_outside_stripe(invoice):
        return None
    account = settings.payments.out_of_band_account
    assert account is not None  # the settings refuse record without an account
    currency = (invoice.get("currency") or "").upper()
    if currency not in context.currency_ids:
        raise MappingError(invoice["id"], f"is in {currency}, which is not an active currency in NetSuite; enable it, "
                                          "then the next run retries this payment")
    customer_id = expandable_id(invoice.get("customer"))
    if not customer_id:
        raise MappingError(invoice["id"], "has no customer; a NetSuite payment needs one")
    paid_at = (invoice.get("status_transitions") or {}).get("paid_at") or invoice.get("created")
    amount = to_decimal(paid_outside_stripe(invoice), currency)
    fields = {
        "customer": {"externalId": external_ids.customer(customer_id)},
        "currency": {"id": context.currency_ids[currency]},
        "tranDate": dt.datetime.fromtimestamp(int(paid_at or 0), zoneinfo.ZoneInfo(settings.invoices.timezone)).date().isoformat(),
        "payment": amount,
        "undepFunds": False,
        "account": record_ref(account),
        "paymentMethod": record_ref(settings.payments.payment_method),
        "memo": f"Stripe: invoice {invoice['id']} marked paid outside Stripe"[:_MAX_MEMO],
        "apply": {"items": [{"doc": InternalIdRef(external_ids.invoice(invoice["id"])), "apply": True, "amount": amount}]},
    }
    return NeutralRecord(CUSTOMER_PAYMENT, external_ids.out_of_band_payment(invoice["id"]), fields, source_id=invoice["id"])
