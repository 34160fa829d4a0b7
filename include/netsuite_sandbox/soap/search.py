"""SOAP ``search`` / ``searchMoreWithId`` over customers, transactions and items.

Search records (``platformCommon``): ``CustomerSearchBasic``, ``TransactionSearchBasic``,
``ItemSearchBasic``. Fields: ``externalId`` / ``internalId`` (``SearchMultiSelectField``,
``anyOf`` | ``noneOf`` of RecordRefs), ``externalIdString`` (``SearchStringField``: ``is``,
``isNot``, ``startsWith``, ``doesNotStartWith``, ``contains``, ``doesNotContain``, ``empty``,
``notEmpty``), ``lastModifiedDate`` (``SearchDateField``: ``after``, ``before``, ``on``,
``onOrAfter``, ``onOrBefore``, ``within``, ``notAfter``, ``notBefore``), ``type``
(``SearchEnumMultiSelectField``; transactions ``_invoice``, ``_creditMemo``,
``_customerPayment``, ``_customerRefund``, ``_deposit``, ``_journal``; items ``_service``,
``_otherCharge``, ``_discount``, ``_salesTaxItem``), ``tranId`` / ``entityId``
(``SearchStringField``). Criteria are ANDed. Results are ordered by internal id; page size from
``searchPreferences.pageSize`` (clamped to 5..1000, default 1000); ``bodyFieldsOnly`` (default
true) leaves the sublists out. ``searchMoreWithId`` pages through the same result (kept in
memory; records are read fresh).
"""

from __future__ import annotations

import itertools
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timezone

from netsuite_sandbox import errors
from netsuite_sandbox.soap import xml

GROUPS = {"CustomerSearchBasic": ("entity", ("customer",)),
          "TransactionSearchBasic": ("transaction", ("invoice", "creditMemo", "customerPayment", "customerRefund",
                                                     "deposit", "journalEntry")),
          "ItemSearchBasic": ("item", ("serviceSaleItem", "otherChargeSaleItem", "discountItem", "salesTaxItem"))}
TYPE_VALUES = {
    "_invoice": "invoice", "_creditMemo": "creditMemo", "_customerPayment": "customerPayment",
    "_customerRefund": "customerRefund", "_deposit": "deposit", "_journal": "journalEntry",
    "_journalEntry": "journalEntry",
    "_service": "serviceSaleItem", "_serviceItem": "serviceSaleItem", "_serviceSaleItem": "serviceSaleItem",
    "_otherCharge": "otherChargeSaleItem", "_otherChargeItem": "otherChargeSaleItem",
    "_discount": "discountItem", "_discountItem": "discountItem", "_salesTaxItem": "salesTaxItem",
}
MAX_PAGE, MIN_PAGE = 1000, 5


def search_error(code: str, message: str) -> errors.NetSuiteError:
    return errors.NetSuiteError(400, code, message)


@dataclass
class Found:
    ids: list[tuple[str, int]]  # (record type, internal id)
    page_size: int
    body_fields_only: bool


class Searches:
    def __init__(self) -> None:
        self._found: dict[str, Found] = {}
        self._lock = threading.Lock()
        self._ids = itertools.count(1)

    def run(self, store, search_record, page_size: int, body_fields_only: bool) -> tuple[str, Found]:
        kind = xml.xsi_type(search_record)
        if kind not in GROUPS:
            raise search_error("INVALID_SEARCH", f"The sandbox supports CustomerSearchBasic, TransactionSearchBasic "
                                                 f"and ItemSearchBasic, not {kind}.")
        group, types = GROUPS[kind]
        with store.db.transaction() as conn:
            rows = conn.execute(
                f"SELECT record_type, id, external_id, body, last_modified FROM record WHERE record_group = ? "
                f"AND record_type IN ({','.join('?' for _ in types)}) ORDER BY id", (group, *types)).fetchall()
        matched = [r for r in rows if all(_match(field, r) for field in xml.children(search_record))]
        found = Found([(r["record_type"], r["id"]) for r in matched],
                      max(MIN_PAGE, min(MAX_PAGE, page_size or MAX_PAGE)), body_fields_only)
        search_id = f"WEBSERVICES_SANDBOX_{next(self._ids)}_{secrets.token_hex(8)}"
        with self._lock:
            self._found[search_id] = found
        return search_id, found

    def get(self, search_id: str) -> Found:
        with self._lock:
            found = self._found.get(search_id)
        if found is None:
            raise search_error("INVALID_SEARCH_MORE", f"Unknown or expired searchId {search_id}.")
        return found


def _match(field, row) -> bool:
    import json

    name = xml.local(field.tag)
    operator = field.get("operator") or ""
    values = [c for c in xml.children(field) if xml.local(c.tag) == "searchValue"]
    body = json.loads(row["body"])
    if name in ("externalId", "internalId"):
        wanted = {(v.get("externalId") if name == "externalId" else v.get("internalId")) for v in values}
        have = row["external_id"] if name == "externalId" else str(row["id"])
        hit = have in wanted
        return hit if operator in ("", "anyOf") else not hit if operator == "noneOf" else _bad(name, operator)
    if name in ("externalIdString", "tranId", "entityId"):
        have = row["external_id"] if name == "externalIdString" else body.get(name)
        return _string(name, operator, have or "", xml.text(values[0]) if values else "")
    if name == "type":
        wanted = set()
        for v in values:
            if xml.text(v) not in TYPE_VALUES:
                raise search_error("INVALID_SEARCH", f"Unknown type value {xml.text(v)!r} in the search.")
            wanted.add(TYPE_VALUES[xml.text(v)])
        hit = row["record_type"] in wanted
        return hit if operator in ("", "anyOf") else not hit if operator == "noneOf" else _bad(name, operator)
    if name == "lastModifiedDate":
        have = _moment(row["last_modified"])
        first = _moment(xml.text(values[0])) if values else None
        second = _moment(xml.text(xml.child(field, "searchValue2")))
        return _date(name, operator, have, first, second)
    raise search_error("INVALID_SEARCH", f"The sandbox does not support the search field {name}.")


def _bad(name: str, operator: str) -> bool:
    raise search_error("INVALID_SEARCH", f"Operator {operator!r} is not valid for {name}.")


def _string(name: str, operator: str, have: str, value: str) -> bool:
    ops = {"is": have == value, "isNot": have != value, "startsWith": have.startswith(value),
           "doesNotStartWith": not have.startswith(value), "contains": value in have,
           "doesNotContain": value not in have, "empty": have == "", "notEmpty": have != ""}
    if (operator or "is") not in ops:
        return _bad(name, operator)
    return ops[operator or "is"]


def _moment(value: str | None) -> datetime | None:
    """Naive UTC (a value without offset is taken as UTC, as the sandbox stores times)."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise search_error("INVALID_SEARCH", f"Invalid date {value!r} in the search.") from None
    return moment.astimezone(timezone.utc).replace(tzinfo=None) if moment.tzinfo else moment


def _date(name: str, operator: str, have, first, second) -> bool:
    if first is None and operator not in ("empty", "notEmpty"):
        return _bad(name, operator)
    ops = {
        "after": lambda: have > first, "before": lambda: have < first, "on": lambda: have.date() == first.date(),
        "onOrAfter": lambda: have >= first, "onOrBefore": lambda: have <= first,
        "notAfter": lambda: have <= first, "notBefore": lambda: have >= first,
        "within": lambda: second is not None and first <= have <= second,
        "notWithin": lambda: second is not None and not first <= have <= second,
        "empty": lambda: have is None, "notEmpty": lambda: have is not None,
    }
    if operator not in ops:
        return _bad(name, operator)
    return bool(ops[operator]())
