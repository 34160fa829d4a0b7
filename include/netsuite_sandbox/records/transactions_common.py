"""What every transaction record shares: header rules, tran ids, links, derived state, hooks.

Transactions (invoice, creditMemo, customerPayment, customerRefund, deposit, journalEntry) are
one record group: one externalId namespace, internal ids from 1000. Each type's ``validate``
computes, inside the write transaction:

* the header (``resolve_header``): customer, subsidiary, currency (must be enabled on the
  customer), exchange rate, date, document number;
* its lines and totals from the lines (a client-sent ``total`` is ignored: computed fields);
* ``_lines``: its balanced GL lines (``ledger.post``), kept in the stored body, never shown;
* ``_links``: what it applies to or deposits (``nexttransactionlinelink`` rows);
  (the SuiteQL tables fed from these are in ``transaction_tables.py``)
* its derived state (amount remaining, status) through the type's ``derive``.

Rules that span records: after a save or delete, every transaction the record links to (old
and new targets) is re-derived and re-projected (``refresh``), so an invoice's
``amountRemaining``/``status`` follow its payments and a payment's status its deposit. A
transaction another one links to cannot be deleted, and its amounts cannot change in a way the
links no longer fit (``guard_linked``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from netsuite_sandbox import errors, ledger
from netsuite_sandbox.money import ZERO, dec, round_money, text
from netsuite_sandbox.records.common import ref_id, tf
from netsuite_sandbox.records.registry import DATE, DECIMAL, OPAQUE_REF, REF, STRING, SUBLIST, Field, RecordType
from netsuite_sandbox.records.transaction_tables import PROJECTIONS

GROUP = "transaction"
TYPE_TEXT = {"invoice": "Invoice", "creditMemo": "Credit Memo", "customerPayment": "Payment",
             "customerRefund": "Customer Refund", "deposit": "Deposit", "journalEntry": "Journal"}
TRANID_PREFIX = {"invoice": "INV", "creditMemo": "CM", "customerPayment": "PYMT",
                 "customerRefund": "RFND", "deposit": "DEP", "journalEntry": "JE"}
STATUS_TEXT = {
    ("invoice", "A"): "Open", ("invoice", "B"): "Paid In Full",
    ("creditMemo", "A"): "Open", ("creditMemo", "B"): "Fully Applied",
    ("customerPayment", "B"): "Not Deposited", ("customerPayment", "C"): "Deposited",
    ("journalEntry", "B"): "Approved for Posting",
}
PAYMENT_LINK, DEPOSIT_LINK = "Payment", "Deposit"


def status(type_name: str, code: str) -> dict[str, str]:
    """REST shape of a status: ``{"id": "B", "refName": "Paid In Full"}``."""
    return {"id": code, "refName": STATUS_TEXT[(type_name, code)]}


def computed(kind: str, label: str, **kw) -> Field:
    return Field(kind, label, computed=True, **kw)


HEADER_FIELDS: dict[str, Field] = {
    "externalId": Field(STRING, "External ID", max_length=255),
    "tranId": Field(STRING, "Number", max_length=45),
    "tranDate": Field(DATE, "Date"),
    "currency": Field(REF, "Currency", ref_type="currency"),
    "exchangeRate": Field(DECIMAL, "Exchange Rate"),
    "subsidiary": Field(REF, "Subsidiary", ref_type="subsidiary"),
    "memo": Field(STRING, "Memo", max_length=999),
    "postingPeriod": Field(OPAQUE_REF, "Posting Period"),
    "customForm": Field(OPAQUE_REF, "Custom Form"),
    "total": computed(DECIMAL, "Total"),
    "status": computed(STRING, "Status"),
}

# An apply sublist line (payment -> invoice, credit memo -> invoice, refund -> credit memo/payment).
APPLY_LINE = {
    "doc": Field(REF, "Doc", ref_group=GROUP, scalar_ref=True),
    "apply": Field("bool", "Apply"),
    "amount": Field(DECIMAL, "Payment"),
    "line": computed(DECIMAL, "Line"),
    "type": computed(STRING, "Type"),
    "refNum": computed(STRING, "Ref No."),
    "total": computed(DECIMAL, "Orig. Amt."),
    "applyDate": computed(DATE, "Date"),
    "currency": computed(STRING, "Currency"),
    "due": computed(DECIMAL, "Amt. Due"),
}


def apply_sublist() -> Field:
    return Field(SUBLIST, "Apply", fields=dict(APPLY_LINE), line_key="doc")


# --- the books: currencies and system accounts ---------------------------------------------


class Books:
    def __init__(self, ctx) -> None:
        self.ctx = ctx

    def currency(self, currency_id: str):
        return self.ctx.get("currency", currency_id)

    def precision(self, currency_id: str | None) -> int:
        record = self.currency(currency_id) if currency_id else None
        value = record.body.get("currencyPrecision") if record else None
        return 2 if value is None else int(value)

    def special_account(self, kind: str) -> str | None:
        rows = self.ctx.query(
            "SELECT id FROM record WHERE record_type = 'account' AND json_extract(body, '$.specialAccount') = ? "
            "ORDER BY id LIMIT 1", (kind,))
        return str(rows[0]["id"]) if rows else None

    def require_account(self, kind: str, label: str) -> str:
        account = self.special_account(kind)
        if account is None:
            raise errors.NetSuiteError(400, "USER_ERROR", f"The account has no {label} account (specialAccount {kind}).")
        return account

    def undeposited_funds(self) -> str:
        return self.require_account("UndepFunds", "Undeposited Funds")

    def receivables(self) -> str:
        return self.require_account("AcctRec", "Accounts Receivable")

    def deposit_exchange_account(self) -> str | None:
        """Where a deposit posts the exchange difference of the payments it clears: Unrealized
        Matching Gain/Loss (``MatchingUnrERV``; see ``records/deposit.py``), else (a database
        seeded before that account existed) Realized Gain/Loss."""
        return self.special_account("MatchingUnrERV") or self.special_account("RealizedERV")


@dataclass
class Header:
    type_name: str
    currency: str
    precision: int
    base_currency: str
    base_precision: int
    rate: Decimal
    subsidiary: str
    entity: str | None
    books: Books

    def round(self, amount: Decimal) -> Decimal:
        return round_money(amount, self.precision)


def resolve_header(ctx, type_name: str, body: dict[str, Any], existing, *, entity_field: str | None,
                   currency_default: str | None = None) -> Header:
    """Defaults and checks every transaction header shares; writes the resolved values back."""
    books = Books(ctx)
    customer = None
    if entity_field:
        if not body.get(entity_field):
            raise errors.missing_value(entity_field, "Customer")
        customer = ctx.get("customer", ref_id(body[entity_field]))
        if customer is None:
            raise errors.invalid_reference(entity_field, body[entity_field].get("id"))
    if "subsidiary" not in body:
        sub = (customer.body.get("subsidiary") if customer else None) or {"id": "1"}
        body["subsidiary"] = {"id": sub["id"]}
    subsidiary = ctx.get("subsidiary", ref_id(body["subsidiary"]))
    if subsidiary is None:
        raise errors.invalid_reference("subsidiary", body["subsidiary"].get("id"))
    base_currency = (subsidiary.body.get("currency") or {}).get("id")
    if customer is not None and ref_id(customer.body.get("subsidiary")) != ref_id(body["subsidiary"]):
        raise errors.NetSuiteError(
            400, "USER_ERROR",
            f"Error while accessing a resource. The subsidiary {body['subsidiary']['id']} is not the customer's subsidiary.",
            path="subsidiary")
    if "currency" not in body:
        default = currency_default or ((customer.body.get("currency") or {}).get("id") if customer else None) or base_currency
        body["currency"] = {"id": str(default)}
    currency = body["currency"]["id"]
    if customer is not None:
        enabled = {line["currency"]["id"] for line in customer.body.get("currencyList", {}).get("items", [])}
        enabled.add((customer.body.get("currency") or {}).get("id"))
        if currency not in enabled:
            raise errors.NetSuiteError(
                400, "INVALID_KEY_OR_REF",
                f"Error while accessing a resource. Invalid currency reference key {currency} for entity "
                f"{customer.id}. Add the currency to the customer's currencies (currencyList) first.",
                path="currency")
    if currency == base_currency:
        rate = Decimal(1)
    elif body.get("exchangeRate") is not None:
        rate = dec(body["exchangeRate"])
        if rate is None or rate <= 0:
            raise errors.invalid_value("exchangeRate", "The exchange rate must be greater than zero.")
    else:
        rate = dec(books.currency(currency).body.get("exchangeRate"), Decimal(1))
    body["exchangeRate"] = text(rate)
    if not body.get("tranDate"):
        body["tranDate"] = date.today().isoformat()
    if not body.get("tranId"):
        body["tranId"] = (existing.body.get("tranId") if existing else None) or allocate_tran_id(ctx, type_name)
    entity = body[entity_field]["id"] if entity_field else None
    return Header(type_name, currency, books.precision(currency), str(base_currency), books.precision(base_currency),
                  rate, body["subsidiary"]["id"], entity, books)


def allocate_tran_id(ctx, type_name: str) -> str:
    key = f"tranid:{type_name}"
    row = ctx.query("SELECT next_id FROM id_sequence WHERE record_group = ?", (key,))
    number = row[0]["next_id"] if row else 1
    ctx.conn.execute(
        "INSERT INTO id_sequence (record_group, next_id) VALUES (?, ?)"
        " ON CONFLICT (record_group) DO UPDATE SET next_id = excluded.next_id", (key, number + 1))
    return f"{TRANID_PREFIX[type_name]}{number:05d}"


def due_date(ctx, body: dict[str, Any]) -> None:
    if body.get("dueDate"):
        return
    days = 0
    if body.get("terms"):
        term = ctx.get("term", ref_id(body["terms"]))
        days = int((term.body.get("daysUntilNetDue") if term else 0) or 0)
    body["dueDate"] = (date.fromisoformat(body["tranDate"]) + timedelta(days=days)).isoformat()


def post(header: Header, body: dict[str, Any], lines: list[ledger.Line], *, residual_to_largest: bool = False,
         fx_account: str | None = None, fx_memo: str = "Realized exchange gain/loss") -> None:
    """Balanced ``_lines``; a base difference left by lines with preset base amounts goes to
    ``fx_account`` (default the Realized Gain/Loss account) on a line memo'd ``fx_memo``."""
    fx = fx_account or header.books.special_account("RealizedERV")
    body["_lines"] = ledger.post(lines, header.rate, header.base_precision, fx,
                                 residual_to_largest=residual_to_largest, fx_memo=fx_memo)


# --- links (applications, deposits) --------------------------------------------------------


def link(doc, line: int, linktype: str, amount: Decimal, header: Header) -> dict[str, Any]:
    return {"doc": str(doc.id), "doctype": doc.record_type, "line": line, "linktype": linktype,
            "amount": text(amount), "base": text(round_money(amount * header.rate, header.base_precision))}


def incoming(ctx, doc_id: int | str | None, linktype: str, exclude: int | None = None) -> Decimal:
    """What other transactions apply to (or deposit from) ``doc_id``, in its currency."""
    if doc_id is None:
        return ZERO
    rows = ctx.query(
        "SELECT foreignamount FROM nexttransactionlinelink WHERE previousdoc = ? AND linktype = ? AND nextdoc != ?",
        (int(doc_id), linktype, -1 if exclude is None else int(exclude)))
    return sum((dec(r["foreignamount"], ZERO) for r in rows), ZERO)


def linked_from(ctx, doc_id: int, linktype: str | None = None, exclude: int | None = None) -> list[int]:
    sql = "SELECT DISTINCT nextdoc FROM nexttransactionlinelink WHERE previousdoc = ? AND nextdoc != ?"
    params: tuple = (doc_id, -1 if exclude is None else exclude)
    if linktype:
        sql += " AND linktype = ?"
        params += (linktype,)
    return [r["nextdoc"] for r in ctx.query(sql, params)]


def own_applied(body: dict[str, Any]) -> Decimal:
    return sum((dec(l["amount"], ZERO) for l in body.get("_links", []) if l["linktype"] == PAYMENT_LINK), ZERO)


def entity_of(record) -> str | None:
    ref = record.body.get("entity") or record.body.get("customer")
    return ref.get("id") if isinstance(ref, dict) else None


def mainline(record) -> dict[str, Any] | None:
    return next((line for line in record.body.get("_lines", []) if line["mainline"]), None)


def business_error(detail: str, path: str | None = None) -> errors.NetSuiteError:
    return errors.NetSuiteError(400, "USER_ERROR", f"Error while accessing a resource. {detail}", path=path)


def guard_linked(ctx, existing, body: dict[str, Any], what: str) -> None:
    """A deposited or applied-to transaction keeps its amounts, currency and accounts."""
    if existing is None:
        return
    if not linked_from(ctx, existing.id):
        return
    before = [(l["account"], l["amount"], l["base"]) for l in existing.body.get("_lines", [])]
    after = [(l["account"], l["amount"], l["base"]) for l in body.get("_lines", [])]
    if before != after or existing.body.get("currency") != body.get("currency") or entity_of(existing) != (
            (body.get("entity") or body.get("customer") or {}).get("id")):
        raise business_error(
            f"This {what} is already {('deposited' if linked_from(ctx, existing.id, DEPOSIT_LINK) else 'applied')}: "
            "its customer, currency, accounts and amounts can no longer change.")


# --- derived state: re-derive linked transactions after a write ----------------------------

DERIVE: dict[str, Callable[[Any, int | None, dict[str, Any]], dict[str, Any]]] = {}


def refresh(ctx, doc_id: int | str) -> None:
    record = ctx.get_in_group(GROUP, doc_id)
    if record is None:
        return
    derive = DERIVE.get(record.record_type)
    if derive is None:
        return
    body = derive(ctx, record.id, dict(record.body))
    ctx.rewrite(record, body)


def _targets(record) -> set[str]:
    return {l["doc"] for l in (record.body.get("_links", []) if record else [])}


def after_save(ctx, record, previous) -> None:
    for doc in sorted(_targets(record) | _targets(previous)):
        refresh(ctx, doc)


def before_delete(ctx, record) -> None:
    users = linked_from(ctx, record.id)
    if users:
        raise errors.NetSuiteError(
            400, "USER_ERROR",
            "This record cannot be deleted because it has dependent records: other transactions "
            f"({', '.join(map(str, users))}) apply to or deposit it.")


def after_delete(ctx, record) -> None:
    for doc in sorted(_targets(record)):
        refresh(ctx, doc)


def display(body: dict[str, Any]) -> str:
    return body.get("tranId") or body.get("id", "")


def transaction_type(name: str, fields: dict[str, Field], validate, derive=None,
                     line_sublists: tuple[str, ...] = ()) -> RecordType:
    if derive is not None:
        DERIVE[name] = derive
    return RecordType(
        name=name, group=GROUP, fields={**HEADER_FIELDS, **fields}, display=display, validate=validate,
        projections=PROJECTIONS, custom_field_prefixes=("custbody", "custcol"),
        after_save=after_save, before_delete=before_delete, after_delete=after_delete,
        created_field="createdDate", custom_line_sublists=line_sublists,
    )


def custom_line_values(line: dict[str, Any]) -> dict[str, Any]:
    """custcol values of a sublist line, as SuiteQL shows them ('T'/'F' for checkboxes)."""
    out = {}
    for key, value in line.items():
        if key.startswith("custcol"):
            out[key] = tf(value) if isinstance(value, bool) else value
    return out
