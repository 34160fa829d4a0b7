"""The SuiteQL tables every transaction feeds.

* ``transaction``: one row per transaction (``type`` CustInvc, CustCred, CustPymt, CustRfnd,
  Deposit, Journal; ``status`` letter codes; foreign-currency totals and open amounts);
* ``transactionline``: the lines (mainline 0 first), foreign amounts debit positive, ``netamount``
  in base currency, ``custcol_*`` columns;
* ``transactionaccountingline``: base-currency ``debit``/``credit``/``amount`` per posting line,
  accounting book 1 (plus the sandbox-only ``foreigndebit``/``foreigncredit``/``foreignamount``
  and ``currency``: the line's money in the currency it is held in, the transaction's except on
  a deposit line that clears a payment in another currency, held in the payment's currency);
* ``nexttransactionlinelink`` / ``previoustransactionlinelink`` (same rows): applications
  (``linktype`` 'Payment': payment or credit memo -> invoice, refund -> credit memo or payment)
  and deposits (``linktype`` 'Deposit': deposit -> payment or refund; ``foreignamount`` in the
  deposited payment's own currency, ``amount`` the base value of the deposit's line).
"""

from __future__ import annotations

from typing import Any

from netsuite_sandbox import ledger
from netsuite_sandbox.records.common import ref_id
from netsuite_sandbox.records.registry import Projection

TYPE_CODE = {"invoice": "CustInvc", "creditMemo": "CustCred", "customerPayment": "CustPymt",
             "customerRefund": "CustRfnd", "deposit": "Deposit", "journalEntry": "Journal"}


def _transaction_rows(record, ctx) -> list[dict[str, Any]]:
    b = record.body
    t = record.record_type
    remaining = None
    used = unused = paid = unpaid = None
    if t == "invoice":
        paid, unpaid = b.get("amountPaid"), b.get("amountRemaining")
        remaining = unpaid
    elif t in ("creditMemo", "customerPayment"):
        used, unused = b.get("applied"), b.get("unapplied")
        remaining = unused
    return [{
        "id": record.id,
        "tranid": b.get("tranId"),
        "type": TYPE_CODE[t],
        "recordtype": t.lower(),  # SuiteQL answers SuiteScript's record type IDs: 'creditmemo', 'customerpayment'
        "externalid": record.external_id,
        "entity": ref_id(b.get("entity") or b.get("customer")),
        "subsidiary": ref_id(b.get("subsidiary")),
        "currency": ref_id(b.get("currency")),
        "exchangerate": b.get("exchangeRate"),
        "trandate": b.get("tranDate"),
        "duedate": b.get("dueDate"),
        "memo": b.get("memo"),
        "status": (b.get("status") or {}).get("id"),
        "posting": "T",
        "voided": "F",
        "foreigntotal": b.get("total"),
        "foreignamountpaid": paid,
        "foreignamountunpaid": unpaid,
        "foreignamountremaining": remaining,
        "foreignpaymentamountused": used,
        "foreignpaymentamountunused": unused,
        "otherrefnum": b.get("otherRefNum"),
        "createddate": record.date_created.replace("T", " ").replace("Z", ""),
        "lastmodifieddate": record.last_modified.replace("T", " ").replace("Z", ""),
    }]


TRANSACTION_TABLE = Projection(
    "transaction",
    (
        ("id", "INTEGER"), ("tranid", "TEXT"), ("type", "TEXT"), ("recordtype", "TEXT"), ("externalid", "TEXT"),
        ("entity", "INTEGER"), ("subsidiary", "INTEGER"), ("currency", "INTEGER"), ("exchangerate", "NUMBER"),
        ("trandate", "NSDATE"), ("duedate", "NSDATE"), ("memo", "TEXT"), ("status", "TEXT"), ("posting", "TEXT"),
        ("voided", "TEXT"), ("foreigntotal", "NUMBER"), ("foreignamountpaid", "NUMBER"),
        ("foreignamountunpaid", "NUMBER"), ("foreignamountremaining", "NUMBER"),
        ("foreignpaymentamountused", "NUMBER"), ("foreignpaymentamountunused", "NUMBER"), ("otherrefnum", "TEXT"),
        ("createddate", "NSDATETIME"), ("lastmodifieddate", "NSDATETIME"),
    ),
    _transaction_rows,
    indexes=("externalid", "lastmodifieddate", "entity", "type"),
    custom_columns=True,
)

LINE_COLUMNS = (
    ("transaction", "INTEGER"), ("id", "INTEGER"), ("linesequencenumber", "INTEGER"), ("mainline", "TEXT"),
    ("taxline", "TEXT"), ("item", "INTEGER"), ("quantity", "NUMBER"), ("rate", "NUMBER"),
    ("foreignamount", "NUMBER"), ("debitforeignamount", "NUMBER"), ("creditforeignamount", "NUMBER"),
    ("netamount", "NUMBER"), ("memo", "TEXT"), ("entity", "INTEGER"), ("account", "INTEGER"),
    ("subsidiary", "INTEGER"),
)

LINE_TABLE = Projection(
    "transactionline",
    LINE_COLUMNS,
    lambda r, ctx: ledger.line_rows(r.id, r.body.get("_lines", []), ref_id(r.body.get("subsidiary"))),
    key_column="transaction",
    indexes=("account", "item"),
)

ACCOUNTING_TABLE = Projection(
    "transactionaccountingline",
    (
        ("transaction", "INTEGER"), ("transactionline", "INTEGER"), ("accountingbook", "INTEGER"),
        ("account", "INTEGER"), ("debit", "NUMBER"), ("credit", "NUMBER"), ("amount", "NUMBER"),
        ("netamount", "NUMBER"), ("posting", "TEXT"), ("foreigndebit", "NUMBER"), ("foreigncredit", "NUMBER"),
        ("foreignamount", "NUMBER"), ("currency", "INTEGER"), ("lastmodifieddate", "NSDATETIME"),
    ),
    lambda r, ctx: ledger.accounting_rows(r.id, r.body.get("_lines", []), r.last_modified.replace("T", " ").replace("Z", ""),
                                          ref_id(r.body.get("currency"))),
    key_column="transaction",
    indexes=("account",),
)

_LINK_COLUMNS = (
    ("previousdoc", "INTEGER"), ("previousline", "INTEGER"), ("previoustype", "TEXT"), ("nextdoc", "INTEGER"),
    ("nextline", "INTEGER"), ("nexttype", "TEXT"), ("linktype", "TEXT"), ("foreignamount", "NUMBER"),
    ("amount", "NUMBER"), ("linkeddate", "NSDATE"), ("lastmodifieddate", "NSDATETIME"),
)


def _link_rows(record, ctx) -> list[dict[str, Any]]:
    b = record.body
    return [{
        "previousdoc": int(l["doc"]), "previousline": 0, "previoustype": TYPE_CODE[l["doctype"]],
        "nextdoc": record.id, "nextline": l["line"], "nexttype": TYPE_CODE[record.record_type],
        "linktype": l["linktype"], "foreignamount": l["amount"], "amount": l["base"],
        "linkeddate": b.get("tranDate"), "lastmodifieddate": record.last_modified.replace("T", " ").replace("Z", ""),
    } for l in b.get("_links", [])]


NEXT_LINK_TABLE = Projection("nexttransactionlinelink", _LINK_COLUMNS, _link_rows, key_column="nextdoc",
                             indexes=("previousdoc",))
PREVIOUS_LINK_TABLE = Projection("previoustransactionlinelink", _LINK_COLUMNS, _link_rows, key_column="nextdoc",
                                 indexes=("previousdoc",))

PROJECTIONS = (TRANSACTION_TABLE, LINE_TABLE, ACCOUNTING_TABLE, NEXT_LINK_TABLE, PREVIOUS_LINK_TABLE)
