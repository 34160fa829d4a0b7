"""Stripe invoices and their credit notes -> NetSuite invoices and credit memos (pure).

Rules (reference: connector-behaviour.md §3, §6.2-§6.6, §6.9, §6.11, §6.15):
- Only finalized invoices sync (open, paid, uncollectible, void); drafts are skipped.
- One NetSuite line per Stripe line (item, quantity, amount, revenue recognition dates, Stripe
  line ID, proration flag), then one discount line per discount amount; tax as separate lines
  (one per Stripe tax rate, or one after each taxed line). Inclusive tax is moved out of the
  line into the tax line, so income holds net amounts and the tax account holds all tax. The
  lines sum to the Stripe total to the unit, or mapping fails: nothing inexact is sent.
- A negative invoice becomes a zero invoice: a customer-balance line carries the credit
  (NetSuite refuses negative invoices); the balance lives in the customer-balance item's
  account until a later invoice uses it.
- A debit balance (the customer owed it before) that Stripe adds to an invoice's amount due is
  a customer-balance line of that amount on the invoice, so the NetSuite total is what Stripe
  billed: the invoice's total plus the debit carried in.
- Derived credit memos, each with its own external ID:
  ``cn_X`` per credit note (pre-payment part applied to the invoice at once; post-payment part
  left for the refunds flow to apply; credit to the customer balance as a balance line;
  voided credit notes zeroed, as NetSuite voids), ``cm-bal-in_X`` for customer balance the
  invoice used, ``cm-unc-in_X`` when marked uncollectible, ``cm-void-in_X`` when voided.
  The close memos take the invoice's own lines when nothing was paid or credited, else one line
  of the bad-debt (or void) item for the amount remaining. A debit carried in is written off
  with the rest when uncollectible; voiding gives an applied balance back to the customer's Stripe
  balance, so the void memo returns a debit to the customer-balance account and takes a credit the
  invoice used back out of it.
- NetSuite's amount remaining then equals Stripe's ``amount_remaining`` plus ``amount_paid``
  (the payments flow applies the payments) on every invoice.
- Every memo is planned from the invoice's current state, so a run that carries one change ends
  where one sync of the final state ends: a write-off that no longer stands (the invoice was voided,
  paid or credited in full after Stripe marked it uncollectible) zeroes and unapplies ``cm-unc-in_X``,
  and the memos load in an order NetSuite accepts (releases, then the closing memo, then credits).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from stripe_netsuite.mapping import external_ids
from stripe_netsuite.mapping.money import to_decimal
from stripe_netsuite.mapping.records import InternalIdRef, MappingError, NeutralRecord, expandable_id
from stripe_netsuite.mapping.stripe_values import check_invoice
from stripe_netsuite.settings import InvoiceSettings, record_ref

INVOICE = "invoice"
CREDIT_MEMO = "creditMemo"
FINALIZED = ("open", "paid", "uncollectible", "void")
_MAX_DESCRIPTION = 4000
_MAX_MEMO = 999
_MAX_REF = 45


@dataclass(frozen=True)
class InvoiceBundle:
    """A Stripe invoice with every line, and every credit note issued on it (with every line)."""

    invoice: Mapping[str, Any]
    credit_notes: Sequence[Mapping[str, Any]] = ()

    @property
    def stripe_id(self) -> str:
        return self.invoice["id"]


@dataclass(frozen=True)
class InvoiceContext:
    """Lookups resolved before mapping: NetSuite currency IDs and the item each price (and coupon) uses."""

    currency_ids: Mapping[str, str]
    item_of_price: Mapping[str, dict[str, str]] = field(default_factory=dict)  # price ID -> item reference
    item_of_coupon: Mapping[str, dict[str, str]] = field(default_factory=dict)  # coupon ID -> item, if linked


def balance_credit_used(invoice: Mapping[str, Any]) -> int:
    """Customer credit balance the invoice consumed (minor units, >= 0)."""
    if invoice.get("total", 0) < 0:
        return 0
    return max(0, int(invoice.get("ending_balance") or 0) - int(invoice.get("starting_balance") or 0))


def balance_debit_carried(invoice: Mapping[str, Any]) -> int:
    """Customer debit balance (owed from before) the invoice added to its amount due (minor units, >= 0).

    A negative invoice adds nothing: its credit reduces the debit on the customer instead."""
    if invoice.get("total", 0) < 0:
        return 0
    return max(0, int(invoice.get("starting_balance") or 0) - int(invoice.get("ending_balance") or 0))


def credited_to_balance(credit_note: Mapping[str, Any]) -> int:
    """The part of a post-payment credit note credited to the customer balance (minor units, >= 0):
    what is neither refunded through Stripe nor refunded outside it."""
    refunded = sum(int(r.get("amount_refunded") or 0) for r in credit_note.get("refunds") or [])
    out_of_band = int(credit_note.get("out_of_band_amount") or 0)
    return max(0, int(credit_note.get("post_payment_amount") or 0) - refunded - out_of_band)


def price_id_of(line: Mapping[str, Any]) -> str | None:
    details = (line.get("pricing") or {}).get("price_details") or {}
    return expandable_id(details.get("price"))


def price_ids(bundle: InvoiceBundle) -> set[str]:
    return {p for line in _lines(bundle.invoice) if (p := price_id_of(line))}


def discount_ids(invoice: Mapping[str, Any]) -> set[str]:
    """Every discount an invoice's lines were reduced by."""
    ids: set[str] = set()
    for line in _lines(invoice):
        ids.update(expandable_id(d["discount"])
                   for d in line.get("discount_amounts") or [] if d.get("amount"))
    return ids


def coupons_of_discounts(invoice: Mapping[str, Any]) -> dict[str, str]:
    """Discount ID -> coupon ID, from the invoice's (and its lines') expanded discounts."""
    found: dict[str, str] = {}
    candidates = list(invoice.get("discounts") or [])
    for line in _lines(invoice):
        candidates.extend(line.get("discounts") or [])
    for discount in candidates:
        if isinstance(discount, Mapping):
            coupon = expandable_id((discount.get("source") or {}).get("coupon") or discount.get("coupon"))
            if coupon:
                found[discount["id"]] = coupon
    return found


def _lines(obj: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return list((obj.get("lines") or {}).get("data") or [])


# --- the mapper ------------------------------------------------------------------------------


class _Mapper:
    def __init__(self, bundle: InvoiceBundle, context: InvoiceContext, settings: InvoiceSettings) -> None:
        self.invoice = bundle.invoice
        self.credit_notes = bundle.credit_notes
        self.context = context
        self.settings = settings
        self.id = self.invoice["id"]
        self.currency = (self.invoice.get("currency") or "").upper()
        self.zone = zoneinfo.ZoneInfo(settings.timezone)
        self.coupons = coupons_of_discounts(self.invoice)
        self.tax_rates = self._tax_rate_details()
        self.lines_by_id = {line["id"]: line for line in _lines(self.invoice)}

    def fail(self, message: str) -> MappingError:
        return MappingError(self.id, message)

    # -- small conversions --

    def money(self, minor: int) -> Decimal:
        return to_decimal(int(minor), self.currency)

    def date(self, timestamp: int | None) -> str | None:
        if not timestamp:
            return None
        return dt.datetime.fromtimestamp(int(timestamp), self.zone).date().isoformat()

    def period_dates(self, period: Mapping[str, Any] | None) -> dict[str, str | None]:
        if not period or not period.get("start"):
            return {}
        start, end = int(period["start"]), int(period.get("end") or period["start"])
        # Stripe's period end is the instant the next period starts; NetSuite's end date is the last day.
        last = end - 1 if end > start else start
        return {"revRecStartDate": self.date(start), "revRecEndDate": self.date(last)}

    def _tax_rate_details(self) -> dict[str, Mapping[str, Any]]:
        rates: dict[str, Mapping[str, Any]] = {}
        for rate in self.invoice.get("default_tax_rates") or []:
            if isinstance(rate, Mapping):
                rates[rate["id"]] = rate
        sources = [self.invoice, *_lines(self.invoice), *self.credit_notes]
        for cn in self.credit_notes:
            sources.extend(_lines(cn))
        for source in sources:
            for rate in source.get("tax_rates") or []:
                if isinstance(rate, Mapping):
                    rates[rate["id"]] = rate
            for tax in [*(source.get("taxes") or []), *(source.get("total_taxes") or [])]:
                rate = (tax.get("tax_rate_details") or {}).get("tax_rate")
                if isinstance(rate, Mapping):
                    rates[rate["id"]] = rate
        return rates

    def custom_line_fields(self, stripe_line_id: str | None, proration: bool | None) -> dict[str, Any]:
        fields: dict[str, Any] = {}
        if self.settings.line_id_field and stripe_line_id:
            fields[self.settings.line_id_field] = stripe_line_id
        if self.settings.proration_field and proration is not None:
            fields[self.settings.proration_field] = proration
        return fields

    # -- items --

    def item_of(self, line: Mapping[str, Any]) -> dict[str, str]:
        price = price_id_of(line)
        if price is None:
            return record_ref(self.settings.generic_item)
        try:
            return self.context.item_of_price[price]
        except KeyError:
            raise self.fail(f"line {line.get('id')}: no NetSuite item is known for price {price}") from None

    def discount_item(self, discount_id: str) -> dict[str, str]:
        if self.settings.discount_mode == "global":
            return record_ref(self.settings.generic_discount_item)
        coupon = self.coupons.get(discount_id)
        if coupon is None:
            raise self.fail(f"the coupon of discount {discount_id} is unknown (read the invoice with expand[]=discounts)")
        return self.context.item_of_coupon.get(coupon) or {"externalId": external_ids.coupon_item(coupon)}

    # -- lines --

    def taxes(self, line: Mapping[str, Any]) -> list[tuple[str, str, int]]:
        """(tax rate ID, behaviour, amount) of a Stripe line."""
        out = []
        for tax in line.get("taxes") or []:
            # Line taxes name their rate under tax_rate_details; shipping taxes under rate.
            rate = (tax.get("tax_rate_details") or {}).get("tax_rate") or tax.get("rate") or tax.get("type") or "tax"
            rate_id = str(expandable_id(rate))
            out.append((rate_id, tax.get("tax_behavior") or "exclusive", int(tax.get("amount") or 0)))
        return out

    def tax_description(self, rate_id: str, amount: int) -> str:
        rate = self.tax_rates.get(rate_id) or {}
        name = rate.get("display_name") or "Tax"
        where = rate.get("jurisdiction") or rate.get("country") or ""
        pct = rate.get("percentage")
        text = f"{self.money(amount)} {self.currency} of {name}{' - ' + where if where else ''}"
        if pct is not None:
            text += f" at {pct}%{' (inclusive)' if rate.get('inclusive') else ''}"
        return f"{text} generated by Stripe ({rate_id})"

    def tax_line(self, rate_id: str, amount: int) -> tuple[int, dict[str, Any]]:
        return amount, {
            "item": record_ref(self.settings.tax_item),
            "amount": self.money(amount),
            "description": self.tax_description(rate_id, amount)[:_MAX_DESCRIPTION],
        }

    def item_lines(
        self, line: Mapping[str, Any], item: dict[str, str], dates: Mapping[str, Any], proration: bool | None,
        tax_totals: dict[str, int],
    ) -> list[tuple[int, dict[str, Any]]]:
        """The NetSuite lines for one Stripe line (invoice or credit note line): item, discounts, tax."""
        taxes = self.taxes(line)
        inclusive = sum(amount for _, behavior, amount in taxes if behavior == "inclusive")
        amount = int(line.get("amount") or 0) - inclusive
        quantity = line.get("quantity_decimal") or line.get("quantity")
        ns_line: dict[str, Any] = {
            "item": item,
            "amount": self.money(amount),
            "description": (line.get("description") or "")[:_MAX_DESCRIPTION],
            **dates,
            **self.custom_line_fields(line.get("id"), proration),
        }
        if quantity is not None:
            ns_line["quantity"] = Decimal(str(quantity))
        out = [(amount, ns_line)]
        for discount in line.get("discount_amounts") or []:
            value = int(discount.get("amount") or 0)
            if not value:
                continue
            discount_id = expandable_id(discount["discount"])
            out.append((-value, {
                "item": self.discount_item(discount_id),
                "amount": self.money(-value),
                "description": f"Discount {self.coupons.get(discount_id, discount_id)} on {line.get('id')}",
            }))
        if self.settings.tax_mode == "per_item_line":
            for rate_id, _, tax in taxes:
                if tax:
                    out.append(self.tax_line(rate_id, tax))
        else:
            for rate_id, _, tax in taxes:
                tax_totals[rate_id] = tax_totals.get(rate_id, 0) + tax
        return out

    def closing_tax_lines(self, tax_totals: dict[str, int]) -> list[tuple[int, dict[str, Any]]]:
        return [self.tax_line(rate_id, amount) for rate_id, amount in tax_totals.items() if amount]

    def checked(self, lines: list[tuple[int, dict[str, Any]]], expected: int, what: str) -> list[dict[str, Any]]:
        got = sum(amount for amount, _ in lines)
        if got != expected:
            raise self.fail(
                f"{what}: NetSuite lines would sum to {self.money(got)} {self.currency}, Stripe's amount is "
                f"{self.money(expected)}; nothing was written. Report this Stripe object to the connector's maintainers"
            )
        if not lines:
            raise self.fail(f"{what} has no lines; NetSuite needs at least one")
        return [ns_line for _, ns_line in lines]

    def balance_line(self, amount: int, description: str) -> dict[str, Any]:
        """A line of the customer-balance item: all Stripe customer balance lives in its account."""
        return {"item": record_ref(self.settings.customer_balance_item), "amount": self.money(amount),
                "description": description}

    # -- invoice --

    def netsuite_total(self) -> int:
        """What the NetSuite invoice totals: NetSuite refuses negative invoices, and a debit balance carried
        in is billed on it."""
        return max(int(self.invoice.get("total") or 0), 0) + balance_debit_carried(self.invoice)

    def carried_balance_lines(self) -> list[tuple[int, dict[str, Any]]]:
        """The invoice's customer-balance line: a negative total credited to the balance, or a debit balance
        the customer owed from before and now owes on this invoice."""
        total = int(self.invoice.get("total") or 0)
        if total < 0:
            return [(-total, self.balance_line(
                -total, f"Credited to the Stripe customer balance: {self.money(-total)} {self.currency}"))]
        debit = balance_debit_carried(self.invoice)
        if debit:
            return [(debit, self.balance_line(
                debit, f"Stripe customer balance owed from before, billed on this invoice: {self.money(debit)} "
                       f"{self.currency}"))]
        return []

    def invoice_lines(self) -> list[tuple[int, dict[str, Any]]]:
        tax_totals: dict[str, int] = {}
        out: list[tuple[int, dict[str, Any]]] = []
        for line in _lines(self.invoice):
            out.extend(self.item_lines(line, self.item_of(line), self.period_dates(line.get("period")),
                                       _is_proration(line), tax_totals))
        shipping = self.invoice.get("shipping_cost") or {}
        if shipping.get("amount_subtotal"):
            amount = int(shipping["amount_subtotal"])
            out.append((amount, {"item": record_ref(self.settings.shipping_item), "amount": self.money(amount),
                                 "description": "Shipping"}))
            for rate_id, _, tax in self.taxes(shipping):
                tax_totals[rate_id] = tax_totals.get(rate_id, 0) + tax
        out.extend(self.closing_tax_lines(tax_totals))
        return out

    def header(self, record_date: int | None) -> dict[str, Any]:
        customer_id = expandable_id(self.invoice.get("customer"))
        if not customer_id:
            raise self.fail("has no customer; NetSuite invoices and credit memos need one")
        if self.currency not in self.context.currency_ids:
            raise self.fail(
                f"is in {self.currency}, which is not an active currency in NetSuite; enable it under Lists > "
                "Accounting > Currencies (Multiple Currencies on), then the next run retries this invoice"
            )
        fields: dict[str, Any] = {
            "entity": {"externalId": external_ids.customer(customer_id)},
            "currency": {"id": self.context.currency_ids[self.currency]},
            "tranDate": self.date(record_date),
        }
        return fields

    def stripe_id_field(self, stripe_id: str) -> dict[str, Any]:
        return {self.settings.stripe_id_field: stripe_id} if self.settings.stripe_id_field else {}

    def invoice_record(self) -> NeutralRecord | None:
        inv = self.invoice
        total = int(inv.get("total") or 0)
        lines = self.invoice_lines() + self.carried_balance_lines()
        if not self.settings.sync_zero_invoices and total == 0 and all(amount == 0 for amount, _ in lines):
            return None
        items = self.checked(lines, self.netsuite_total(), "the invoice")
        transitions = inv.get("status_transitions") or {}
        memo = f"Stripe: {self.id}"
        revision = (inv.get("from_invoice") or {})
        if revision.get("invoice"):
            original = expandable_id(revision["invoice"])
            memo += f" (revision of {original})"
        if inv.get("description"):
            memo += f". {inv['description']}"
        fields = {
            **self.header(transitions.get("finalized_at") or inv.get("effective_at") or inv.get("created")),
            "memo": memo[:_MAX_MEMO],
            "item": {"items": items},
            **self.stripe_id_field(self.id),
        }
        if inv.get("number"):
            fields["otherRefNum"] = inv["number"][:_MAX_REF]
        if inv.get("due_date"):
            fields["dueDate"] = self.date(inv["due_date"])
        return NeutralRecord(INVOICE, external_ids.invoice(self.id), fields, source_id=self.id)

    # -- credit memos --

    def credit_memo(self, external_id: str, when: int | None, memo: str, items: list[dict[str, Any]],
                    apply_amount: int = 0) -> NeutralRecord:
        fields: dict[str, Any] = {
            **self.header(when),
            "memo": memo[:_MAX_MEMO],
            "createdFrom": InternalIdRef(self.id),
            "item": {"items": items},
            **self.stripe_id_field(external_id if external_ids.invoice_of(external_id) is None else self.id),
        }
        # Always say whether the memo applies to its invoice: a line with apply false undoes an
        # earlier application (apply sublists merge by document on an existing record).
        line = {"doc": InternalIdRef(self.id), "apply": bool(apply_amount)}
        if apply_amount:
            line["amount"] = self.money(apply_amount)
        fields["apply"] = {"items": [line]}
        return NeutralRecord(CREDIT_MEMO, external_id, fields, source_id=self.id)

    def credit_note_memo(self, cn: Mapping[str, Any]) -> NeutralRecord:
        cn_id = cn["id"]
        tax_totals: dict[str, int] = {}
        lines: list[tuple[int, dict[str, Any]]] = []
        for line in _lines(cn):
            invoice_line = self.lines_by_id.get(line.get("invoice_line_item") or "")
            if line.get("type") == "invoice_line_item" and invoice_line is not None:
                item = self.item_of(invoice_line)
                dates = self.period_dates(invoice_line.get("period"))
                proration = _is_proration(invoice_line)
            else:
                item, dates, proration = record_ref(self.settings.credit_note_custom_item), {}, None
            lines.extend(self.item_lines(line, item, dates, proration, tax_totals))
        lines.extend(self.closing_tax_lines(tax_totals))
        items = self.checked(lines, int(cn.get("total") or 0), f"credit note {cn_id}")
        refunded = sum(int(r.get("amount_refunded") or 0) for r in cn.get("refunds") or [])
        out_of_band = int(cn.get("out_of_band_amount") or 0)
        pre_payment = int(cn.get("pre_payment_amount") or 0)
        to_balance = credited_to_balance(cn)
        memo = f"Stripe: {cn_id}{' (' + cn['number'] + ')' if cn.get('number') else ''} on {self.id}"
        if cn.get("reason"):
            memo += f", reason {cn['reason']}"
        if cn.get("memo"):
            memo += f". {cn['memo']}"
        if to_balance > 0:
            items.append(self.balance_line(
                -to_balance, f"Credited to the Stripe customer balance: {self.money(to_balance)} {self.currency}"))
        if refunded:
            refund_ids = ", ".join(expandable_id(r["refund"])
                                   for r in cn.get("refunds") or [] if r.get("refund"))
            memo += f". Refunded by {refund_ids}: the refunds flow applies this credit"
        if out_of_band:
            memo += f". {self.money(out_of_band)} {self.currency} refunded outside Stripe: apply by hand"
        if cn.get("status") == "void":
            for entry in items:
                entry["amount"] = self.money(0)
            return self.credit_memo(external_ids.credit_note_memo(cn_id), cn.get("voided_at") or cn.get("created"),
                                    f"VOIDED in Stripe. {memo}", items)
        return self.credit_memo(external_ids.credit_note_memo(cn_id), cn.get("effective_at") or cn.get("created"), memo,
                                items, pre_payment)

    def closing_memo(self, kind: str, when: int | None, item_setting) -> NeutralRecord | None:
        remaining = int(self.invoice.get("amount_remaining") or 0)
        if remaining <= 0:
            return None
        # Stripe gives an applied balance back to the customer when it voids an invoice (API 2019-12-03 on),
        # not when it marks one uncollectible: then a debit is written off with the rest. ``returned`` is
        # signed: a debit goes back to the balance account (a positive line), a credit the invoice used
        # comes back out of it (a negative line; ``cm-bal-`` stays applied).
        credit_back = balance_credit_used(self.invoice) if kind == "void" else 0
        returned = balance_debit_carried(self.invoice) - credit_back if kind == "void" else 0
        nothing_paid_or_credited = remaining + credit_back == self.netsuite_total()
        lines = self.invoice_lines() if self.settings.close_with_invoice_items and nothing_paid_or_credited else []
        rest = remaining - sum(amount for amount, _ in lines) - returned
        if rest:
            lines.append((rest, {"item": record_ref(item_setting), "amount": self.money(rest),
                                 "description": f"Amount remaining on {self.id} when it was {kind} in Stripe"}))
        if returned:
            lines.append((returned, self.balance_line(
                returned, f"Stripe customer balance given back to the customer when {self.id} was voided")))
        items = self.checked(lines, remaining, f"the {kind} memo")
        external_id = {"uncollectible": external_ids.uncollectible_memo, "void": external_ids.void_memo}[kind](self.id)
        label = "marked uncollectible" if kind == "uncollectible" else "voided"
        return self.credit_memo(external_id, when, f"Stripe: {self.id} {label} in Stripe; closes the invoice",
                                items, remaining)

    def balance_memo(self) -> NeutralRecord | None:
        used = balance_credit_used(self.invoice)
        if not used:
            return None
        # Stripe also closes an amount due below its minimum charge into the balance, as a debit the next
        # invoice bills: the same line here, told apart for whoever reads the memo
        applied = min(used, max(0, -int(self.invoice.get("starting_balance") or 0)))
        parts = ((applied, f"Stripe customer balance applied to {self.id}"),
                 (used - applied, f"Amount due on {self.id} below Stripe's minimum charge, moved to the customer's "
                                  f"Stripe balance for the next invoice"))
        items = [self.balance_line(amount, description) for amount, description in parts if amount]
        transitions = self.invoice.get("status_transitions") or {}
        return self.credit_memo(
            external_ids.balance_memo(self.id), transitions.get("finalized_at") or self.invoice.get("created"),
            f"Stripe: {self.id}. This credit memo was created by a Stripe customer's balance.", items, used)

    def reversed_write_off(self) -> NeutralRecord:
        """The write-off memo of an invoice Stripe marked uncollectible and then voided, or that was paid or credited in
        full after it: zeroed and unapplied (what NetSuite's own void does), so what it closed is open again for what
        closes it now. Made from the invoice's current state alone, as every memo is, so one sync of that state and the
        runs that carried each change write the same memo."""
        transitions = self.invoice.get("status_transitions") or {}
        status = self.invoice.get("status") or ""
        then = {"void": "voided", "paid": "paid"}.get(status, "left nothing to write off")
        when = (transitions.get("voided_at") or transitions.get("paid_at") or transitions.get("marked_uncollectible_at")
                or self.invoice.get("created"))
        line = {"item": record_ref(self.settings.bad_debt_item), "amount": self.money(0),
                "description": f"Nothing of {self.id} stays written off: {then} in Stripe"}
        return self.credit_memo(external_ids.uncollectible_memo(self.id), when, f"REVERSED in Stripe. Stripe: {self.id} "
                                f"marked uncollectible in Stripe, then {then}; this write-off no longer stands", [line])

    def records(self) -> list[list[NeutralRecord]] | None:
        if self.invoice.get("deleted") or self.invoice.get("status") not in FINALIZED:
            return None
        invoice = self.invoice_record()
        if invoice is None:
            return None
        # Every memo is planned from the invoice's current state, and the memos load in three stages so that
        # NetSuite, which refuses to apply more than the invoice has open, accepts each write whatever the
        # earlier runs left applied: first the memos whose application can only go to nothing (voided credit
        # notes, a write-off that no longer stands), then the memo that closes the invoice (its application
        # may grow or shrink; at most one stands), then the memos whose application never shrinks once made
        # (a standing credit note's pre-payment part, the balance used). Empty stages are left out.
        notes = sorted(self.credit_notes, key=lambda c: (c.get("created") or 0, c["id"]))
        releasing = [self.credit_note_memo(cn) for cn in notes if cn.get("status") == "void"]
        closing: list[NeutralRecord | None] = []
        crediting: list[NeutralRecord | None] = [self.credit_note_memo(cn) for cn in notes if cn.get("status") != "void"]
        crediting.append(self.balance_memo())
        transitions = self.invoice.get("status_transitions") or {}
        status = self.invoice.get("status")
        written_off = status == "uncollectible" or transitions.get("marked_uncollectible_at")
        if written_off and not self.settings.keep_unpaid_invoices_open:
            when = transitions.get("marked_uncollectible_at") or self.invoice.get("created")
            write_off = self.closing_memo("uncollectible", when, self.settings.bad_debt_item) \
                if status == "uncollectible" else None
            if write_off is None:
                releasing.append(self.reversed_write_off())
            closing.append(write_off)
        if status == "void":
            when = transitions.get("voided_at") or self.invoice.get("created")
            closing.append(self.closing_memo("void", when, self.settings.void_item))
        stages = [[invoice], *([m for m in stage if m is not None] for stage in (releasing, closing, crediting))]
        return [stage for stage in stages if stage]


def _is_proration(line: Mapping[str, Any]) -> bool:
    parent = line.get("parent") or {}
    for key in ("subscription_item_details", "invoice_item_details"):
        details = parent.get(key) or {}
        if details.get("proration"):
            return True
    return bool(line.get("proration"))


def map_invoice(bundle: InvoiceBundle, context: InvoiceContext, settings: InvoiceSettings) -> list[list[NeutralRecord]] | None:
    """The NetSuite records for one Stripe invoice, in load stages: [[invoice], then its credit memos in up to three
    stages (those that only release what they applied, the one that closes the invoice, those that only credit it;
    see ``_Mapper.records``)].

    None when the invoice does not sync (a draft, a deleted draft, or a zero trial invoice the
    settings skip). ``UnknownValueError`` when it holds a value the mapping does not know (``stripe_values.py``).
    """
    invoice = bundle.invoice
    if not str(invoice.get("id", "")).startswith("in_"):
        raise MappingError(invoice.get("id") or "<no id>", "is not a Stripe invoice object (id must start with 'in_')")
    if not invoice.get("deleted") and invoice.get("status") != "draft":
        check_invoice(invoice, bundle.credit_notes)  # a draft (or deleted draft) is skipped whatever it holds
    return _Mapper(bundle, context, settings).records()


def invoice_lines(bundle: InvoiceBundle, context: InvoiceContext, settings: InvoiceSettings) -> list[tuple[int, dict[str, Any]]]:
    """The NetSuite item lines the invoice is written with, each with its amount in minor units (they sum to
    what the NetSuite invoice totals). A refund or dispute of the whole invoice credits exactly these."""
    mapper = _Mapper(bundle, context, settings)
    return mapper.invoice_lines() + mapper.carried_balance_lines()
