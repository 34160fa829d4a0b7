"""Apply sublists: a payment or credit memo applied to invoices, a refund to credit memos/payments.

Each line ``{"doc": {"id": "<internal id>"}, "apply": true, "amount": 10.00}`` (``doc`` may also
be a bare id, as SOAP's ``xsd:long``, or ``{"externalId": ...}``). Rules, as NetSuite enforces
them:

* ``doc`` must exist (``INVALID_KEY_OR_REF``) and be a transaction this record can apply to,
  of the same customer and currency; otherwise NetSuite finds no such line in the sublist:
  ``USER_ERROR`` "Unable to find a matching line for sublist apply with key: [doc,line] and
  value: [<doc>,null]."
* ``apply`` defaults to true; lines with ``apply: false`` are kept and have no effect;
* ``amount`` defaults to what is still open on the doc (limited by what this record has
  left); it is rounded to the currency precision; it may not exceed the doc's amount remaining
  (``USER_ERROR``), and the lines together may not exceed this record's own amount;
* the same doc twice in one sublist -> ``USER_ERROR``.

The sublist is keyed by ``doc`` (``Field.line_key``; Oracle's SOAP table of keyed sublists:
"applyList | doc | Customer Payment, Credit Memo, Customer Refund, Customer Deposit, Deposit
Application, Vendor Credit, Vendor Payment", "Updating Sublists in SOAP Web Services",
https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_N3441570.html): an update
that sends some lines without ``?replace=apply`` (SOAP: ``applyList replaceAll="false"``)
updates the stored line of each sent doc (``{"doc": X, "apply": false}`` unapplies X) and adds
the new docs; the other stored lines stay. With ``?replace=apply`` (SOAP: ``replaceAll`` true,
its default) the stored lines of docs not sent are removed, i.e. unapplied
(``engine.merge_sublist``).

Which side holds an application: the applying record's own sublist. A credit memo's or a
payment's ``apply`` lists the invoices it applies to (Oracle's help on applying a credit memo,
as a third-party copy gives it: "Check the Apply box next to the invoices or cash sales you want
the credit applied to"); a
refund of it is a line of the *refund's* ``apply`` (the ``CustomerRefundApplyLine`` sublist,
Oracle's REST "Customer Refund" page; ``CustomerRefundApply.doc`` in the XSD), and a deposit
taking it a line of the *deposit's* ``payment`` sublist. So a re-write of the memo or payment,
whatever its sublist mode, cannot remove a refund's or a deposit's application; what is already
refunded lowers what the memo or payment may still apply (``capacity``), and ``guard_linked``
keeps its amounts and accounts.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from netsuite_sandbox import errors
from netsuite_sandbox.money import ZERO, dec, text
from netsuite_sandbox.records import transactions_common as tc


def open_amount(ctx, doc, exclude: int | None) -> Decimal:
    """What is still open on ``doc`` for an application by transaction ``exclude``."""
    b = doc.body
    if doc.record_type == "invoice":
        return dec(b.get("total"), ZERO) - tc.incoming(ctx, doc.id, tc.PAYMENT_LINK, exclude)
    if doc.record_type == "creditMemo":
        return dec(b.get("total"), ZERO) - tc.own_applied(b) - tc.incoming(ctx, doc.id, tc.PAYMENT_LINK, exclude)
    if doc.record_type == "customerPayment":
        return dec(b.get("payment"), ZERO) - tc.own_applied(b) - tc.incoming(ctx, doc.id, tc.PAYMENT_LINK, exclude)
    return ZERO


def no_matching_line(sublist: str, doc_id: str, where: str) -> errors.NetSuiteError:
    return errors.NetSuiteError(
        400, "USER_ERROR",
        f"Error while accessing a resource. Unable to find a matching line for sublist {sublist} with key: "
        f"[doc,line] and value: [{doc_id},null].",
        path=where)


def apply_lines(ctx, header: tc.Header, record_id: int | None, body: dict[str, Any], *, allowed: tuple[str, ...],
                capacity: Decimal | None, what: str, sublist: str = "apply") -> tuple[Decimal, list[dict[str, Any]]]:
    """Check and complete the apply lines; return the total applied and the links."""
    lines = body.get(sublist, {}).get("items", [])
    seen: set[str] = set()
    links: list[dict[str, Any]] = []
    total = ZERO
    for i, line in enumerate(lines):
        where = f"{sublist}.items[{i}]"
        if not line.get("doc"):
            raise errors.missing_value(f"{where}.doc", "Doc")
        doc_id = line["doc"]["id"]
        doc = ctx.get_in_group(tc.GROUP, doc_id)
        if (doc is None or doc.record_type not in allowed or tc.entity_of(doc) != header.entity
                or (doc.body.get("currency") or {}).get("id") != header.currency or doc.id == record_id):
            raise no_matching_line(sublist, doc_id, f"{where}.doc")
        line["line"] = str(i + 1)
        line["type"] = tc.TYPE_TEXT[doc.record_type]
        line["refNum"] = doc.body.get("tranId")
        line["applyDate"] = doc.body.get("tranDate")
        line["total"] = doc.body.get("payment") if doc.record_type == "customerPayment" else doc.body.get("total")
        line.setdefault("apply", True)
        available = open_amount(ctx, doc, record_id)
        line["due"] = text(available)
        if not line["apply"]:
            continue
        if doc_id in seen:
            raise errors.NetSuiteError(
                400, "USER_ERROR",
                f"Error while accessing a resource. {tc.TYPE_TEXT[doc.record_type]} {doc.body.get('tranId')} "
                f"appears more than once in the {sublist} sublist.", path=f"{where}.doc")
        seen.add(doc_id)
        if line.get("amount") is None:
            amount = available
            if capacity is not None:
                amount = min(amount, capacity - total)
        else:
            amount = header.round(dec(line["amount"]))
        if amount < 0:
            raise errors.invalid_value(f"{where}.amount", "The amount to apply cannot be negative.")
        if amount > available:
            raise errors.NetSuiteError(
                400, "USER_ERROR",
                f"Error while accessing a resource. You cannot apply {text(amount)} to "
                f"{tc.TYPE_TEXT[doc.record_type]} {doc.body.get('tranId')}: its amount remaining is {text(available)}.",
                path=f"{where}.amount")
        line["amount"] = text(amount)
        if amount == 0:
            continue
        total += amount
        links.append(tc.link(doc, i + 1, tc.PAYMENT_LINK, amount, header))
    if capacity is not None and total > capacity:
        raise errors.NetSuiteError(
            400, "USER_ERROR",
            f"Error while accessing a resource. The total applied ({text(total)}) exceeds the {what} amount "
            f"available ({text(capacity)}).", path=sublist)
    return total, links
