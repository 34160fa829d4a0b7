"""The customer refund (``CustRfnd``): Dr A/R, Cr Undeposited Funds (or the account given).

REST body: ``customer`` (required), ``account`` (default Undeposited Funds: the refund then
waits there until a deposit takes it, as the Stripe connector books refunds), ``arAcct``
(default the system A/R), ``paymentMethod``, ``tranDate``, ``tranId``, ``currency``,
``exchangeRate``, ``subsidiary``, ``memo``, and the ``apply`` sublist: ``doc`` = internal id of a
credit memo or of a customer payment of the same customer and currency (what is refunded),
``apply``, ``amount`` (see ``applications.py``).

``total`` (computed) = the sum applied; it must be greater than zero. Once deposited, its
amounts, accounts and currency are fixed.
"""

from __future__ import annotations

from typing import Any

from netsuite_sandbox import ledger
from netsuite_sandbox.money import ZERO, text
from netsuite_sandbox.records import applications
from netsuite_sandbox.records import transactions_common as tc
from netsuite_sandbox.records.registry import REF, STRING, Field

FIELDS = {
    "customer": Field(REF, "Customer", ref_type="customer"),
    "account": Field(REF, "Account", ref_type="account"),
    "arAcct": Field(REF, "A/R Account", ref_type="account"),
    "paymentMethod": Field(REF, "Payment Method", ref_type="paymentMethod"),
    "refNum": Field(STRING, "Reference #", max_length=45),
    "apply": tc.apply_sublist(),
}


def validate(ctx, body: dict[str, Any], existing) -> dict[str, Any]:
    record_id = existing.id if existing else None
    header = tc.resolve_header(ctx, "customerRefund", body, existing, entity_field="customer")
    total, links = applications.apply_lines(ctx, header, record_id, body, allowed=("creditMemo", "customerPayment"),
                                            capacity=None, what="refund")
    if total <= ZERO:
        raise tc.business_error(
            "A customer refund must apply an amount greater than zero to a credit memo or a payment.", "apply")
    body["total"] = text(total)
    body.setdefault("account", {"id": header.books.undeposited_funds()})
    body.setdefault("arAcct", {"id": header.books.receivables()})
    tc.post(header, body, [
        ledger.Line(body["account"]["id"], -total, mainline=True, entity=header.entity),
        ledger.Line(body["arAcct"]["id"], total, entity=header.entity),
    ])
    body["_links"] = links
    tc.guard_linked(ctx, existing, body, "refund")
    return body


CUSTOMER_REFUND = tc.transaction_type("customerRefund", FIELDS, validate)
