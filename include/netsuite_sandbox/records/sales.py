"""Item lines, discounts and tax of sales transactions (invoice, credit memo).

``item`` sublist line: ``{"item": {"id"|"externalId": ...}, "quantity": 2, "rate": 49.5,
"amount": 99.00, "description": "...", "isTaxable": true, "revRecStartDate": "2024-01-01",
"revRecEndDate": "2024-01-31", "custcol_...": ...}``.

* ``amount`` wins when sent; otherwise ``quantity`` (default 1) x ``rate`` (default: the item's
  rate); rounded half up to the currency precision. One of them is needed (``USER_ERROR``).
* A discount item line takes its ``amount``, or its ``rate`` (line or item): ``"-10%"`` of the
  line above, or a fixed ``"-5.00"``. It debits the discount item's ``account``; a
  ``nonPosting`` discount reduces the income account of the line above instead.
* Header discount: ``discountItem`` + ``discountRate`` (``"-10%"`` of the subtotal or an
  amount) -> ``discountTotal``.
* Header tax (legacy tax): ``taxItem`` (a salesTaxItem) + ``taxRate`` (percent, default the
  item's) on the lines marked ``isTaxable`` (default: the item's ``isTaxable``) ->
  ``taxTotal``, credited to the tax item's ``taxAccount`` as a tax line.
* ``total = subTotal + discountTotal + taxTotal``; at least one line; a revenue recognition end
  date may not be before its start date.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from netsuite_sandbox import errors, ledger
from netsuite_sandbox.money import ZERO, dec, percent, text
from netsuite_sandbox.records import items as item_types
from netsuite_sandbox.records import transactions_common as tc
from netsuite_sandbox.records.registry import (
    BOOL, DATE, DECIMAL, INTEGER, OPAQUE_REF, RATE, REF, STRING, SUBLIST, Field,
)

SALE_LINE_ITEMS = ("serviceSaleItem", "otherChargeSaleItem", "discountItem")

ITEM_LINE = {
    "item": Field(REF, "Item", ref_group="item", ref_types=SALE_LINE_ITEMS),
    "quantity": Field(DECIMAL, "Quantity"),
    "rate": Field(RATE, "Rate"),
    "amount": Field(DECIMAL, "Amount"),
    "description": Field(STRING, "Description", max_length=4000),
    "isTaxable": Field(BOOL, "Tax"),
    "revRecStartDate": Field(DATE, "Rev. Rec. Start Date"),
    "revRecEndDate": Field(DATE, "Rev. Rec. End Date"),
    "price": Field(OPAQUE_REF, "Price Level"),
    "line": tc.computed(INTEGER, "Line"),
}

SALES_FIELDS = {
    "entity": Field(REF, "Customer", ref_type="customer"),
    "account": Field(REF, "A/R Account", ref_type="account"),
    "otherRefNum": Field(STRING, "PO/Check Number", max_length=45),
    "discountItem": Field(REF, "Discount Item", ref_group="item", ref_types=("discountItem",)),
    "discountRate": Field(RATE, "Discount Rate"),
    "taxItem": Field(REF, "Tax Item", ref_group="item", ref_types=("salesTaxItem",)),
    "taxRate": Field(DECIMAL, "Tax Rate"),
    "item": Field(SUBLIST, "Items", fields=dict(ITEM_LINE)),
    "subTotal": tc.computed(DECIMAL, "Subtotal"),
    "discountTotal": tc.computed(DECIMAL, "Discount Total"),
    "taxTotal": tc.computed(DECIMAL, "Tax Total"),
}


def _rate_amount(header: tc.Header, rate: Any, base: Decimal | None, where: str) -> Decimal:
    pct = percent(rate)
    if pct is not None:
        if base is None:
            raise tc.business_error("A percentage discount needs an item line above it.", where)
        return header.round(base * pct / 100)
    number = dec(rate)
    if number is None:
        raise errors.invalid_value(where, f"Invalid rate {rate!r}.")
    return header.round(number)


def compute(ctx, header: tc.Header, body: dict[str, Any]) -> tuple[Decimal, list[ledger.Line]]:
    """Complete the item lines and totals; return the total and the GL lines as an invoice
    posts them (credits negative); a credit memo negates them."""
    lines = body.get("item", {}).get("items", [])
    if not lines:
        raise tc.business_error("You must enter at least one line item for this transaction.", "item")
    gl: list[ledger.Line] = []
    subtotal = taxable = ZERO
    prev_amount: Decimal | None = None
    prev_account: str | None = None
    for i, line in enumerate(lines):
        where = f"item.items[{i}]"
        if not line.get("item"):
            raise errors.missing_value(f"{where}.item", "Item")
        item = ctx.get_in_group("item", line["item"]["id"])
        line["line"] = i + 1
        quantity = dec(line.get("quantity"))
        if item.record_type == "discountItem":
            if line.get("amount") is not None:
                amount = header.round(dec(line["amount"]))
            else:
                rate = line.get("rate") if line.get("rate") is not None else item.body.get("rate")
                if rate is None:
                    raise errors.missing_value(f"{where}.amount", "Amount")
                line["rate"] = rate
                amount = _rate_amount(header, rate, prev_amount, f"{where}.rate")
            account = prev_account if item.body.get("nonPosting") and prev_account else item_types.posting_account(item)
        else:
            if percent(line.get("rate")) is not None:
                raise errors.invalid_value(f"{where}.rate", "A percentage rate is only valid on a discount item line.")
            if line.get("amount") is not None:
                amount = header.round(dec(line["amount"]))
            else:
                rate = dec(line.get("rate")) if line.get("rate") is not None else dec(item.body.get("rate"))
                if rate is None:
                    raise errors.missing_value(f"{where}.amount", "Amount")
                amount = header.round((quantity if quantity is not None else Decimal(1)) * rate)
            account = item_types.posting_account(item)
            prev_amount, prev_account = amount, account
            if line.get("isTaxable", item.body.get("isTaxable", False)):
                taxable += amount
        start, end = line.get("revRecStartDate"), line.get("revRecEndDate")
        if start and end and end < start:
            raise tc.business_error("The revenue recognition end date is before the start date.", f"{where}.revRecEndDate")
        if not account:
            raise tc.business_error(f"Item {item.body.get('itemId')} has no income account.", f"{where}.item")
        line["amount"] = text(amount)
        subtotal += amount
        gl.append(ledger.Line(account, -amount, item=str(item.id), quantity=quantity,
                              rate=None if line.get("rate") is None else str(line["rate"]),
                              memo=line.get("description"), entity=header.entity,
                              custom=tc.custom_line_values(line)))
    discount_total = ZERO
    if body.get("discountItem"):
        ditem = ctx.get_in_group("item", body["discountItem"]["id"])
        rate = body.get("discountRate") if body.get("discountRate") is not None else ditem.body.get("rate")
        if rate is not None:
            body["discountRate"] = rate
            discount_total = _rate_amount(header, rate, subtotal, "discountRate")
        if discount_total:
            gl.append(ledger.Line(item_types.posting_account(ditem), -discount_total, item=str(ditem.id),
                                  rate=str(rate), memo=ditem.body.get("itemId"), entity=header.entity))
    tax_total = ZERO
    if body.get("taxItem"):
        titem = ctx.get_in_group("item", body["taxItem"]["id"])
        rate = dec(body.get("taxRate")) if body.get("taxRate") is not None else percent(titem.body.get("rate"))
        rate = rate if rate is not None else ZERO
        body["taxRate"] = text(rate)
        tax_total = header.round(taxable * rate / 100)
        if tax_total:
            gl.append(ledger.Line(item_types.posting_account(titem), -tax_total, taxline=True, item=str(titem.id),
                                  rate=f"{text(rate)}%", memo=titem.body.get("itemId"), entity=header.entity))
    total = subtotal + discount_total + tax_total
    body["subTotal"], body["discountTotal"], body["taxTotal"], body["total"] = map(
        text, (subtotal, discount_total, tax_total, total))
    return total, gl
