"""The credit memo (``CustCred``): the reverse of an invoice, optionally applied to invoices.

REST body: as an invoice (``entity``, ``tranDate``, ``currency``, ``item`` sublist, discount,
tax, ``account``, ``memo``...) plus ``createdFrom`` (the invoice it credits, informational) and
the ``apply`` sublist (``doc`` = internal id of an invoice of the same customer and currency,
``apply``, ``amount``; see ``applications.py``).

GL: Dr income per line (+ Dr tax, Cr discount), Cr A/R. Computed: ``subTotal``,
``discountTotal``, ``taxTotal``, ``total``, ``applied``, ``unapplied``, ``status`` (``A`` Open /
``B`` Fully Applied). What is applied (to invoices, and by refunds to it) cannot exceed the total.
"""

from __future__ import annotations

from typing import Any

from netsuite_sandbox import ledger
from netsuite_sandbox.money import ZERO, dec, text
from netsuite_sandbox.records import applications, sales
from netsuite_sandbox.records import transactions_common as tc
from netsuite_sandbox.records.registry import DECIMAL, REF, Field

FIELDS = {
    **sales.SALES_FIELDS,
    "createdFrom": Field(REF, "Created From", ref_group=tc.GROUP, ref_types=("invoice",)),
    "apply": tc.apply_sublist(),
    "applied": tc.computed(DECIMAL, "Applied"),
    "unapplied": tc.computed(DECIMAL, "Unapplied"),
}


def derive(ctx, record_id: int | None, body: dict[str, Any]) -> dict[str, Any]:
    applied = tc.own_applied(body) + tc.incoming(ctx, record_id, tc.PAYMENT_LINK)
    unapplied = dec(body.get("total"), ZERO) - applied
    body["applied"], body["unapplied"] = text(applied), text(unapplied)
    body["status"] = tc.status("creditMemo", "A" if unapplied > 0 else "B")
    return body


def validate(ctx, body: dict[str, Any], existing) -> dict[str, Any]:
    record_id = existing.id if existing else None
    header = tc.resolve_header(ctx, "creditMemo", body, existing, entity_field="entity")
    total, lines = sales.compute(ctx, header, body)
    if total < 0:
        raise tc.business_error(f"The credit memo total ({text(total)}) cannot be negative.", "item")
    refunded = tc.incoming(ctx, record_id, tc.PAYMENT_LINK)
    _, links = applications.apply_lines(ctx, header, record_id, body, allowed=("invoice",),
                                        capacity=total - refunded, what="credit memo")
    body.setdefault("account", {"id": header.books.receivables()})
    ar = body["account"]["id"]
    reversed_lines = [ledger.Line(l.account, -l.amount, taxline=l.taxline, item=l.item, quantity=l.quantity,
                                  rate=l.rate, memo=l.memo, entity=l.entity, custom=l.custom) for l in lines]
    tc.post(header, body, [ledger.Line(ar, -total, mainline=True, entity=header.entity), *reversed_lines])
    body["_links"] = links
    if refunded:
        tc.guard_linked(ctx, existing, body, "credit memo")
    return derive(ctx, record_id, body)


CREDIT_MEMO = tc.transaction_type("creditMemo", FIELDS, validate, derive, line_sublists=("item",))
