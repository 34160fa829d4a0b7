"""The invoice (``CustInvc``): Dr A/R, Cr income per line (+ Cr tax, Dr discount).

REST body: ``entity``, ``tranDate``, ``tranId``, ``dueDate`` (default from ``terms``), ``currency``
(default: the customer's), ``exchangeRate``, ``subsidiary``, ``memo``, ``otherRefNum``,
``account`` (A/R, default the system A/R account), ``startDate``/``endDate``,
``revRecStartDate``/``revRecEndDate``, ``discountItem``/``discountRate``,
``taxItem``/``taxRate`` and the ``item`` sublist (see ``sales.py``).

Computed (sent values are ignored): ``subTotal``, ``discountTotal``, ``taxTotal``, ``total``,
``amountPaid``, ``amountRemaining``, ``status`` (``A`` Open / ``B`` Paid In Full). A negative
total is refused (``USER_ERROR``); so is a change that leaves less than what is already paid.
"""

from __future__ import annotations

from typing import Any

from netsuite_sandbox import ledger
from netsuite_sandbox.money import ZERO, dec, text
from netsuite_sandbox.records import sales
from netsuite_sandbox.records import transactions_common as tc
from netsuite_sandbox.records.registry import DATE, DECIMAL, REF, Field

FIELDS = {
    **sales.SALES_FIELDS,
    "dueDate": Field(DATE, "Due Date"),
    "terms": Field(REF, "Terms", ref_type="term"),
    "startDate": Field(DATE, "Start Date"),
    "endDate": Field(DATE, "End Date"),
    "revRecStartDate": Field(DATE, "Rev. Rec. Start Date"),
    "revRecEndDate": Field(DATE, "Rev. Rec. End Date"),
    "amountPaid": tc.computed(DECIMAL, "Amount Paid"),
    "amountRemaining": tc.computed(DECIMAL, "Amount Remaining"),
}


def derive(ctx, record_id: int | None, body: dict[str, Any]) -> dict[str, Any]:
    paid = tc.incoming(ctx, record_id, tc.PAYMENT_LINK)
    remaining = dec(body.get("total"), ZERO) - paid
    body["amountPaid"] = text(paid)
    body["amountRemaining"] = text(remaining)
    body["status"] = tc.status("invoice", "A" if remaining > 0 else "B")
    return body


def validate(ctx, body: dict[str, Any], existing) -> dict[str, Any]:
    header = tc.resolve_header(ctx, "invoice", body, existing, entity_field="entity")
    tc.due_date(ctx, body)
    total, lines = sales.compute(ctx, header, body)
    if total < 0:
        raise tc.business_error(f"The invoice total ({text(total)}) cannot be negative; use a credit memo.", "item")
    body.setdefault("account", {"id": header.books.receivables()})
    ar = body["account"]["id"]
    tc.post(header, body, [ledger.Line(ar, total, mainline=True, entity=header.entity), *lines])
    body["_links"] = []
    derive(ctx, existing.id if existing else None, body)
    if dec(body["amountRemaining"]) < 0:
        raise tc.business_error(
            f"The invoice total ({text(total)}) is less than what has already been applied to it "
            f"({body['amountPaid']}).", "item")
    if existing is not None and tc.linked_from(ctx, existing.id) and (
            tc.entity_of(existing) != header.entity or existing.body.get("currency") != body.get("currency")):
        raise tc.business_error("Payments or credits are applied to this invoice: its customer and currency can no longer change.")
    return body


INVOICE = tc.transaction_type("invoice", FIELDS, validate, derive, line_sublists=("item",))
