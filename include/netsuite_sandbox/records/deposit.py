"""The bank deposit (``Deposit``): Dr bank, Cr Undeposited Funds (+ other and cash back lines).

REST body: ``account`` (required, a Bank account; the deposit's currency is the account's),
``tranDate``, ``tranId``, ``exchangeRate``, ``subsidiary``, ``memo`` and three sublists:

* ``payment``: ``{"id": <internal id of a customerPayment or customerRefund>, "deposit": true,
  "paymentAmount": ..., "memo": ...}`` (``id`` may be ``{"id": "1001"}``). Only transactions
  waiting in Undeposited Funds, in the deposit's currency, not taken by another deposit, each
  once (``USER_ERROR``). A payment adds its amount, a refund subtracts it; ``paymentAmount``
  is computed, and a sent value must match (sign ignored). ``deposit: false`` lines are kept
  and have no effect. Keyed by ``id``: an update without ``?replace=payment`` updates the line
  of each sent payment and adds the others (``other`` and ``cashBack`` lines are just added).
* ``other``: ``{"account", "amount", "memo", "entity", "paymentMethod", "refNum"}``: more money
  in (a negative amount takes money out, e.g. fees netted by the processor);
* ``cashBack``: ``{"account", "amount", "memo"}``: money kept back (fees), subtracted.

``total`` (computed) = payments - refunds + other - cash back; it may not be negative and the
deposit needs at least one line. GL: Dr bank ``total``; each payment line credits (refund:
debits) Undeposited Funds with the base amount the payment posted there (any exchange difference
goes to the realized gain/loss account); other lines credit, cash back lines debit their account.
"""

from __future__ import annotations

from typing import Any

from netsuite_sandbox import errors, ledger
from netsuite_sandbox.money import ZERO, dec, text
from netsuite_sandbox.records import transactions_common as tc
from netsuite_sandbox.records.common import ref_id
from netsuite_sandbox.records.registry import BOOL, DATE, DECIMAL, REF, STRING, SUBLIST, Field

PAYMENT_LINE = {
    "id": Field(REF, "Payment", ref_group=tc.GROUP, ref_types=("customerPayment", "customerRefund"), scalar_ref=True),
    "deposit": Field(BOOL, "Deposit"),
    "paymentAmount": Field(DECIMAL, "Amount"),
    "memo": Field(STRING, "Memo", max_length=999),
    "docDate": tc.computed(DATE, "Date"),
    "type": tc.computed(STRING, "Type"),
    "docNumber": tc.computed(STRING, "Ref No."),
    "transactionAmount": tc.computed(DECIMAL, "Transaction Amount"),
    "entity": tc.computed(REF, "Name", ref_type="customer"),
    "currency": tc.computed(REF, "Currency", ref_type="currency"),
    "lineId": tc.computed(STRING, "Line Id"),
}
OTHER_LINE = {
    "entity": Field(REF, "Name", ref_type="customer"),
    "amount": Field(DECIMAL, "Amount"),
    "account": Field(REF, "Account", ref_type="account"),
    "paymentMethod": Field(REF, "Payment Method", ref_type="paymentMethod"),
    "refNum": Field(STRING, "Ref No.", max_length=45),
    "memo": Field(STRING, "Memo", max_length=999),
}
CASH_BACK_LINE = {
    "amount": Field(DECIMAL, "Amount"),
    "account": Field(REF, "Account", ref_type="account"),
    "memo": Field(STRING, "Memo", max_length=999),
}

FIELDS = {
    "account": Field(REF, "Account", ref_type="account"),
    "payment": Field(SUBLIST, "Payments", fields=PAYMENT_LINE, line_key="id"),
    "other": Field(SUBLIST, "Other Deposits", fields=OTHER_LINE),
    "cashBack": Field(SUBLIST, "Cash Back", fields=CASH_BACK_LINE),
}


def _required(line: dict[str, Any], name: str, label: str, where: str) -> None:
    if line.get(name) is None:
        raise errors.missing_value(f"{where}.{name}", label)


def validate(ctx, body: dict[str, Any], existing) -> dict[str, Any]:
    record_id = existing.id if existing else None
    if not body.get("account"):
        raise errors.missing_value("account", "Account")
    bank = ctx.get("account", ref_id(body["account"]))
    if bank.body.get("acctType") != "Bank":
        raise tc.business_error(f"Deposits go to a bank account; account {bank.id} is {bank.body.get('acctType')}.", "account")
    bank_currency = (bank.body.get("currency") or {}).get("id")
    if bank_currency and body.get("currency") and body["currency"]["id"] != bank_currency:
        raise tc.business_error("The deposit's currency is its bank account's currency.", "currency")
    header = tc.resolve_header(ctx, "deposit", body, existing, entity_field=None, currency_default=bank_currency)
    undeposited = header.books.undeposited_funds()
    gl: list[ledger.Line] = []
    links: list[dict[str, Any]] = []
    seen: set[str] = set()
    total = ZERO
    for i, line in enumerate(body.get("payment", {}).get("items", [])):
        where = f"payment.items[{i}]"
        _required(line, "id", "Payment", where)
        source = ctx.get_in_group(tc.GROUP, line["id"]["id"])
        main = tc.mainline(source)
        line.setdefault("deposit", True)
        line.update({"docDate": source.body.get("tranDate"), "type": tc.TYPE_TEXT[source.record_type],
                     "docNumber": source.body.get("tranId"), "entity": source.body.get("customer"),
                     "currency": source.body.get("currency"), "lineId": str(i + 1)})
        signed = -dec(main["amount"])  # a payment debited Undeposited Funds: the deposit credits it
        line["transactionAmount"] = text(-signed)
        if not line["deposit"]:
            continue
        what = f"{tc.TYPE_TEXT[source.record_type]} {source.body.get('tranId')}"
        if main["account"] != undeposited:
            raise tc.business_error(f"{what} is not in Undeposited Funds and cannot be deposited.", f"{where}.id")
        others = [d for d in tc.linked_from(ctx, source.id, tc.DEPOSIT_LINK) if d != record_id]
        if others or str(source.id) in seen:
            raise tc.business_error(f"{what} has already been deposited"
                                    f"{' (deposit ' + str(others[0]) + ')' if others else ''}.", f"{where}.id")
        seen.add(str(source.id))
        if (source.body.get("currency") or {}).get("id") != header.currency:
            raise tc.business_error(f"{what} is not in the deposit's currency.", f"{where}.id")
        amount = -signed
        sent = dec(line.get("paymentAmount"))
        if sent is not None and abs(header.round(sent)) != abs(amount):
            raise tc.business_error(f"The amount {text(sent)} does not match {what} ({text(amount)}).",
                                    f"{where}.paymentAmount")
        line["paymentAmount"] = text(amount)
        total += amount
        gl.append(ledger.Line(undeposited, signed, entity=tc.entity_of(source), memo=line.get("memo"),
                              base=-dec(main["base"])))
        links.append(tc.link(source, i + 1, tc.DEPOSIT_LINK, amount, header))
    for sublist, sign, fields in (("other", 1, "Other Deposits"), ("cashBack", -1, "Cash Back")):
        for i, line in enumerate(body.get(sublist, {}).get("items", [])):
            where = f"{sublist}.items[{i}]"
            _required(line, "account", "Account", where)
            _required(line, "amount", "Amount", where)
            amount = header.round(dec(line["amount"]))
            line["amount"] = text(amount)
            total += sign * amount
            gl.append(ledger.Line(line["account"]["id"], -sign * amount, memo=line.get("memo"),
                                  entity=(line.get("entity") or {}).get("id")))
    if not gl:
        raise tc.business_error("You must enter at least one line item for this transaction.", "payment")
    if total < 0:
        raise tc.business_error(f"The deposit total ({text(total)}) cannot be negative.")
    body["total"] = text(total)
    tc.post(header, body, [ledger.Line(str(bank.id), total, mainline=True), *gl])
    body["_links"] = links
    return body


DEPOSIT = tc.transaction_type("deposit", FIELDS, validate)
