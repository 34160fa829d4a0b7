"""The customer payment (``CustPymt``): Dr Undeposited Funds (or a bank), Cr A/R.

REST body: ``customer`` (required), ``payment`` (the amount; default: the sum applied),
``tranDate``, ``tranId``, ``currency`` (default: the customer's), ``exchangeRate``, ``subsidiary``,
``memo``, ``paymentMethod``, ``undepFunds`` (default true unless an ``account`` is sent),
``account`` (the bank when ``undepFunds`` is false), ``arAcct`` (default the system A/R), and
the ``apply`` sublist (``doc`` = internal id of an invoice; see ``applications.py``).

With ``undepFunds`` the payment waits in Undeposited Funds until a deposit takes it. Computed:
``applied``, ``unapplied`` (also reduced by refunds of it), ``total``, ``status`` (``B`` Not
Deposited / ``C`` Deposited). The payment must be greater than zero and cover what is applied
and refunded. Once deposited (or refunded) its amounts, accounts and currency are fixed.
"""

from __future__ import annotations

from typing import Any

from netsuite_sandbox import errors, ledger
from netsuite_sandbox.money import ZERO, dec, text
from netsuite_sandbox.records import applications
from netsuite_sandbox.records import transactions_common as tc
from netsuite_sandbox.records.registry import BOOL, DECIMAL, REF, STRING, Field

FIELDS = {
    "customer": Field(REF, "Customer", ref_type="customer"),
    "payment": Field(DECIMAL, "Payment Amount"),
    "paymentMethod": Field(REF, "Payment Method", ref_type="paymentMethod"),
    "undepFunds": Field(BOOL, "Undep. Funds"),
    "account": Field(REF, "Account", ref_type="account"),
    "arAcct": Field(REF, "A/R Account", ref_type="account"),
    "checkNum": Field(STRING, "Reference #", max_length=45),
    "apply": tc.apply_sublist(),
    "applied": tc.computed(DECIMAL, "Applied"),
    "unapplied": tc.computed(DECIMAL, "Unapplied"),
}


def derive(ctx, record_id: int | None, body: dict[str, Any]) -> dict[str, Any]:
    payment = dec(body.get("payment"), ZERO)
    applied = tc.own_applied(body)
    refunded = tc.incoming(ctx, record_id, tc.PAYMENT_LINK)
    body["applied"], body["unapplied"], body["total"] = text(applied), text(payment - applied - refunded), text(payment)
    deposited = not body.get("undepFunds") or bool(
        record_id and tc.linked_from(ctx, record_id, tc.DEPOSIT_LINK))
    body["status"] = tc.status("customerPayment", "C" if deposited else "B")
    return body


def validate(ctx, body: dict[str, Any], existing) -> dict[str, Any]:
    record_id = existing.id if existing else None
    header = tc.resolve_header(ctx, "customerPayment", body, existing, entity_field="customer")
    refunded = tc.incoming(ctx, record_id, tc.PAYMENT_LINK)
    payment = header.round(dec(body["payment"])) if body.get("payment") is not None else None
    capacity = None if payment is None else payment - refunded
    applied, links = applications.apply_lines(ctx, header, record_id, body, allowed=("invoice",),
                                              capacity=capacity, what="payment")
    if payment is None:
        payment = applied + refunded
    if payment <= 0:
        raise tc.business_error("The payment amount must be greater than zero.", "payment")
    body["payment"] = text(payment)
    undeposited = header.books.undeposited_funds()
    if "undepFunds" not in body:
        body["undepFunds"] = not body.get("account") or body["account"]["id"] == undeposited
    if body["undepFunds"]:
        body["account"] = {"id": undeposited}
    elif not body.get("account"):
        raise errors.missing_value("account", "Account")
    body.setdefault("arAcct", {"id": header.books.receivables()})
    tc.post(header, body, [
        ledger.Line(body["account"]["id"], payment, mainline=True, entity=header.entity),
        ledger.Line(body["arAcct"]["id"], -payment, entity=header.entity),
    ])
    body["_links"] = links
    tc.guard_linked(ctx, existing, body, "payment")
    return derive(ctx, record_id, body)


CUSTOMER_PAYMENT = tc.transaction_type("customerPayment", FIELDS, validate, derive)
