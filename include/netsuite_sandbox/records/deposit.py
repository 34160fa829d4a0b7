"""The bank deposit (``Deposit``): Dr bank, Cr Undeposited Funds (+ other and cash back lines).

REST body: ``account`` (required, a Bank account; the deposit's currency is the account's),
``tranDate``, ``tranId``, ``exchangeRate``, ``subsidiary``, ``memo`` and three sublists:

* ``payment``: ``{"id": <internal id of a customerPayment or customerRefund>, "deposit": true,
  "paymentAmount": ..., "memo": ...}`` (``id`` may be ``{"id": "1001"}``). Only transactions
  waiting in Undeposited Funds, not taken by another deposit, each once. A payment adds its
  line's amount, a refund subtracts it. ``deposit: false`` lines are kept and have no effect.
  Keyed by ``id``: an update without ``?replace=payment`` updates the line of each sent payment
  and adds the others (``other`` and ``cashback`` lines are just added).
* ``other``: ``{"account", "amount", "memo", "entity", "paymentMethod", "refNum"}``: more money
  in (a negative amount takes money out, e.g. fees netted by the processor);
* ``cashback``: ``{"account", "amount", "memo"}``: money kept back (fees), subtracted.

The cash back sublist is ``cashback``, all lower case, over REST (SOAP: ``cashBackList``). REST
field names are the SuiteScript internal IDs, and the deposit's SuiteScript sublists are
``payment``, ``other`` and ``cashback``. Oracle, "Deposit" (REST web services supported records,
https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/article_14124948339.html),
"Creating a Deposit with Other Deposit and Cash Back Lines":
``POST .../services/rest/record/v1/deposit {"account": {"id": "1"}, "cashback": {"items":
[{"account": {"id": "10"}, "amount": 18.46}]}, "other": {"items": [...]}}``; the REST API Browser
(Record REST v1, deposit) lists the sublist property ``cashback`` (``deposit-cashbackCollection``
/ ``deposit-cashbackElement``). NetSuite's default ``X-NetSuite-PropertyNameValidation`` is
``Warning`` (REST API Browser), so a live account would drop a camelCase ``cashBack`` with a
warning; the sandbox refuses it (``INVALID_FIELD``) unless the request relaxes the check.

``total`` (computed) = payments - refunds + other - cash back, in the deposit's currency; it may
not be negative and the deposit needs at least one line.

Payments in another currency
----------------------------

NetSuite deposits a payment of any currency into a bank account of any currency: the deposit
is in its bank account's currency, and each payment line carries two amounts. The REST API
Browser (Record REST v1, ``deposit-paymentElement``) names them:

    ``paymentAmount``  label "Amount"           number (double)
    ``transactionAmount``  label "Payment Amount"  number (double)
    ``currency``  (the payment's currency)      ``pmtCurrencyPrecision``  label "Currency Precision"

and the 2023_2 SOAP ``DepositPayment`` (transactions.bank.xsd) has ``currency`` (RecordRef),
``transactionAmount`` and ``paymentAmount`` (``xsd:double``). The SuiteScript Records Browser,
deposit ``currency``: "This field defaults to the currency associated with the selected
deposit account"; ``exchangerate``: "The currency's exchange rate is shown in this field. If
the bank account's currency is the same as the subsidiary's base currency, the exchange rate is
a read-only field." So:

* ``paymentAmount`` ("Amount") is the line's amount **in the deposit's (bank's) currency**: what
  the deposit total adds up, what the bank received. For a payment in the deposit's currency it
  is the payment's amount (computed; a sent value must match, sign ignored). For a payment in
  another currency the client states it (required here; sign ignored; rounded to the deposit
  currency's precision; not zero): practitioners deposit "USD100.00" into an SGD bank by
  "Under payments tab, enter the SGD amount and mark the payment" (CuriousRubik, "Know how to
  record payment for an Invoice deposited in a Bank Account with Different Currency",
  https://netsuiteblogs.curiousrubik.com/know-how-to-record-payment-for-an-invoice-deposited-in-a-bank-account-with-a-different-currency);
  SuiteSync (Stripe's connector) for "a charge of 100 NOK [deposited] as 75 EUR": "A NetSuite
  CustomerPayment with currency NOK and a payment amount of 100. A NetSuite Deposit associated
  with a EUR bank account and a Deposits > Payment item containing the CustomerPayment payment
  amount se[t to 75 EUR]" (https://dashboard.suitesync.io/docs/multiple-currencies) - so the
  connector reference's "75 EUR paid, 100 USD deposited" example reads: the payment stays in
  its own currency; the deposit is on the bank of the payout's currency and its line's
  ``paymentAmount`` is the payout-currency amount.
* ``transactionAmount`` ("Payment Amount") and ``currency`` are the payment's own amount and
  currency (computed, as NetSuite shows them; a sent value is ignored), as are ``docDate``,
  ``type``, ``docNumber``, ``entity``, ``lineId`` and ``pmtCurrencyPrecision`` (REST only).
* A payment is deposited whole: its whole amount waits in Undeposited Funds (its main line),
  and the line clears all of it.

GL (base = subsidiary currency): Dr bank ``total`` at the deposit's rate; each payment line
credits (refund: debits) Undeposited Funds with exactly the base amount the payment posted there,
so Undeposited Funds nets to zero in base for that payment, and in the payment's own currency
(the line holds the payment's amount in the payment's currency: ``ledger`` ``currency`` /
``foreign``, SuiteQL ``transactionaccountingline.currency``/``foreignamount``, sandbox-only);
other lines credit, cash back lines debit their account at the deposit's rate. The base
difference posts to Unrealized Matching Gain/Loss (``specialAccount: MatchingUnrERV``; a
database seeded before it existed: Realized Gain/Loss). Oracle, "Foreign Currency Revaluation"
(https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_N1409370.html):
"Realized Gain/Loss - Realized gains and losses resulting from payment application";
"Unrealized Matching Gain/Loss - Matching unrealized gains and losses from funds deposited. This
type of gain or loss is shown on the GL Impact subtab of certain foreign currency transactions,
such as the bank deposit for a customer payment. NetSuite creates a gain or loss as part of the
bank deposit, regardless of the dates of the customer payment and bank deposit."

Links (``nexttransactionlinelink``, ``linktype`` 'Deposit'): one per deposited line,
``foreignamount`` = the payment's own amount in its currency (refund negative), ``amount`` = the
line's amount in base at the deposit's rate (sandbox inference: NetSuite's values not checked).

Refusals, in Oracle's wording where it gives one ("Common Errors With Deposit Records",
https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_3941974737.html): "Invalid
id reference key x - When seen in conjunction with the Payment sublist's id field, double-check
that the id you used matches the internal ID of a transaction that posted to the Undeposited
Funds account. Also, the transaction's status cannot be Deposited." (``INVALID_KEY_OR_REF``,
the sandbox adds why); "The total can not be negative" (``USER_ERROR``). A payment twice in one
deposit, a same-currency amount that is not the payment's, and a missing or zero amount for a
payment in another currency are ``USER_ERROR`` (wording not confirmed).
"""

from __future__ import annotations

from typing import Any

from netsuite_sandbox import errors, ledger
from netsuite_sandbox.money import ZERO, dec, round_money, text
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
    "transactionAmount": tc.computed(DECIMAL, "Payment Amount"),
    "entity": tc.computed(REF, "Name", ref_type="customer"),
    "currency": tc.computed(REF, "Currency", ref_type="currency"),
    "pmtCurrencyPrecision": tc.computed(STRING, "Currency Precision"),
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
    "cashback": Field(SUBLIST, "Cash Back", fields=CASH_BACK_LINE),
}
FX_MEMO = "Unrealized matching gain/loss"


def _required(line: dict[str, Any], name: str, label: str, where: str) -> None:
    if line.get(name) is None:
        raise errors.missing_value(f"{where}.{name}", label)


def _invalid_payment(source, why: str, where: str) -> errors.NetSuiteError:
    """Oracle's "Invalid id reference key x" for a payment line NetSuite does not offer."""
    return errors.NetSuiteError(400, "INVALID_KEY_OR_REF",
                                f"Error while accessing a resource. Invalid id reference key {source.id}. {why}",
                                path=f"{where}.id")


def _line_amount(line: dict[str, Any], own, same_currency: bool, header: tc.Header, what: str, where: str):
    """The line's ``paymentAmount`` in the deposit's currency, signed like the payment's own
    amount (``own``: a payment positive, a refund negative)."""
    sent = dec(line.get("paymentAmount"))
    if same_currency:
        if sent is not None and abs(header.round(sent)) != abs(own):
            raise tc.business_error(f"The amount {text(sent)} does not match {what} ({text(own)}).",
                                    f"{where}.paymentAmount")
        return own
    if sent is None:
        raise errors.missing_value(f"{where}.paymentAmount", "Amount")
    amount = abs(header.round(sent))
    if amount == ZERO:
        raise tc.business_error(f"The amount deposited for {what} must be greater than zero.", f"{where}.paymentAmount")
    return amount if own > 0 else -amount


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
        currency = (source.body.get("currency") or {}).get("id")
        line.setdefault("deposit", True)
        line.update({"docDate": source.body.get("tranDate"), "type": tc.TYPE_TEXT[source.record_type],
                     "docNumber": source.body.get("tranId"), "entity": source.body.get("customer"),
                     "currency": source.body.get("currency"),
                     "pmtCurrencyPrecision": str(header.books.precision(currency)), "lineId": str(i + 1)})
        own = dec(main["amount"])  # a payment debited Undeposited Funds (+), a refund credited it (-)
        line["transactionAmount"] = text(own)
        if not line["deposit"]:
            continue
        what = f"{tc.TYPE_TEXT[source.record_type]} {source.body.get('tranId')}"
        if main["account"] != undeposited:
            raise _invalid_payment(source, f"{what} did not post to Undeposited Funds and cannot be deposited.", where)
        others = [d for d in tc.linked_from(ctx, source.id, tc.DEPOSIT_LINK) if d != record_id]
        if others:
            raise _invalid_payment(source, f"{what} has already been deposited (deposit {others[0]}).", where)
        if str(source.id) in seen:
            raise tc.business_error(f"{what} has already been deposited (it is on this deposit twice).", f"{where}.id")
        seen.add(str(source.id))
        same_currency = currency == header.currency
        amount = _line_amount(line, own, same_currency, header, what, where)
        line["paymentAmount"] = text(amount)
        total += amount
        gl.append(ledger.Line(undeposited, -amount, entity=tc.entity_of(source), memo=line.get("memo"),
                              base=-dec(main["base"]),
                              **({} if same_currency else {"currency": currency, "foreign": -own})))
        links.append({"doc": str(source.id), "doctype": source.record_type, "line": i + 1, "linktype": tc.DEPOSIT_LINK,
                      "amount": text(own), "base": text(round_money(amount * header.rate, header.base_precision))})
    for sublist, sign, fields in (("other", 1, "Other Deposits"), ("cashback", -1, "Cash Back")):
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
        raise tc.business_error(f"The total can not be negative ({text(total)}).")
    body["total"] = text(total)
    tc.post(header, body, [ledger.Line(str(bank.id), total, mainline=True), *gl],
            fx_account=header.books.deposit_exchange_account(), fx_memo=FX_MEMO)
    body["_links"] = links
    return body


DEPOSIT = tc.transaction_type("deposit", FIELDS, validate)
