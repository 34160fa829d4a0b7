"""Item records (item group): serviceSaleItem, otherChargeSaleItem, discountItem, salesTaxItem.

All share the item record group (one externalId namespace, internal ids from 500) and the
``item`` SuiteQL table (``itemtype`` 'Service', 'OthCharge', 'Discount', 'TaxItem').

Rules: ``itemId`` (the item name) is mandatory and unique among items -> ``DUP_ITEM``; a sale
item needs an ``incomeAccount`` and a discount item an ``account`` (``USER_ERROR`` "Please enter
value(s) for: ..."); discount ``rate`` is ``"-25%"`` or an amount ``"-5.00"``; sales tax ``rate``
is a percentage (``"8.25%"``). Sales tax items are read-only (seeded).
"""

from __future__ import annotations

from typing import Any

from netsuite_sandbox import errors, money
from netsuite_sandbox.records.common import ref_id, stamps, tf
from netsuite_sandbox.records.registry import (
    BOOL, DECIMAL, OPAQUE_REF, REF, STRING, Field, Projection, RecordType,
)

GROUP = "item"
ITEM_TYPES = ("serviceSaleItem", "otherChargeSaleItem", "discountItem", "salesTaxItem")
ITEMTYPE_CODE = {"serviceSaleItem": "Service", "otherChargeSaleItem": "OthCharge",
                 "discountItem": "Discount", "salesTaxItem": "TaxItem"}

_COMMON = {
    "externalId": Field(STRING, "External ID", max_length=255),
    "itemId": Field(STRING, "Item Name/Number", max_length=250),
    "displayName": Field(STRING, "Display Name/Code", max_length=250),
    "isInactive": Field(BOOL, "Inactive"),
    "includeChildren": Field(BOOL, "Include Children"),
    "customForm": Field(OPAQUE_REF, "Custom Form"),
}

SALE_ITEM_FIELDS = {
    **_COMMON,
    "salesDescription": Field(STRING, "Sales Description", max_length=4000),
    "incomeAccount": Field(REF, "Income Account", ref_type="account"),
    "deferredRevenueAccount": Field(REF, "Deferred Revenue Account", ref_type="account"),
    "rate": Field(DECIMAL, "Rate"),
    "isTaxable": Field(BOOL, "Taxable"),
}

DISCOUNT_FIELDS = {
    **_COMMON,
    "description": Field(STRING, "Description", max_length=4000),
    "account": Field(REF, "Account", ref_type="account"),
    "rate": Field(STRING, "Rate", max_length=40),
    "nonPosting": Field(BOOL, "Non-Posting"),
    "isPreTax": Field(BOOL, "Apply Before Sales Tax"),
}

SALES_TAX_FIELDS = {
    **_COMMON,
    "description": Field(STRING, "Description", max_length=4000),
    "rate": Field(STRING, "Rate", max_length=40),
    "taxAccount": Field(REF, "Tax Account", ref_type="account"),
}


def display(body: dict[str, Any]) -> str:
    return body.get("itemId") or body.get("id", "")


def _unique_name(ctx, body: dict[str, Any], existing) -> None:
    own = (existing.record_type, existing.id) if existing else ("", -1)
    clash = ctx.query(
        "SELECT record_type, id FROM record WHERE record_group = 'item' "
        "AND json_extract(body, '$.itemId') = ? AND NOT (record_type = ? AND id = ?)",
        (body["itemId"], own[0], own[1]),
    )
    if clash:
        raise errors.NetSuiteError(
            400, "DUP_ITEM",
            f"Error while accessing a resource. An item with the name '{body['itemId']}' already exists. "
            "Item names must be unique.",
            path="itemId",
        )


def _require(body: dict[str, Any], name: str, label: str) -> None:
    if not body.get(name):
        raise errors.missing_value(name, label)


def validate_sale_item(ctx, body: dict[str, Any], existing) -> dict[str, Any]:
    _require(body, "itemId", "Item Name/Number")
    _require(body, "incomeAccount", "Income Account")
    _unique_name(ctx, body, existing)
    return body


def validate_discount(ctx, body: dict[str, Any], existing) -> dict[str, Any]:
    _require(body, "itemId", "Item Name/Number")
    _require(body, "account", "Account")
    rate = body.get("rate")
    if rate is not None and money.percent(rate) is None and money.dec(rate) is None:
        raise errors.invalid_value("rate", f"Invalid Field Value {rate} for the following field: rate. "
                                           "Use a percentage such as \"-10%\" or an amount such as \"-5.00\".")
    _unique_name(ctx, body, existing)
    return body


def _rows(record, ctx) -> list[dict[str, Any]]:
    b = record.body
    rate = b.get("rate")
    return [{
        "id": record.id,
        "externalid": record.external_id,
        "itemid": b.get("itemId"),
        "displayname": b.get("displayName"),
        "fullname": b.get("itemId"),
        "itemtype": ITEMTYPE_CODE[record.record_type],
        "description": b.get("salesDescription") or b.get("description"),
        "incomeaccount": ref_id(b.get("incomeAccount")) or (
            ref_id(b.get("account")) if record.record_type == "discountItem" else None),
        "account": ref_id(b.get("account")) or ref_id(b.get("taxAccount")),
        "deferredrevenueaccount": ref_id(b.get("deferredRevenueAccount")),
        "rate": rate,
        "nonposting": tf(b.get("nonPosting")),
        "istaxable": tf(b.get("isTaxable")),
        "isinactive": tf(b.get("isInactive")),
        **stamps(record),
    }]


ITEM_TABLE = Projection(
    "item",
    (
        ("id", "INTEGER"), ("externalid", "TEXT"), ("itemid", "TEXT"), ("displayname", "TEXT"),
        ("fullname", "TEXT"), ("itemtype", "TEXT"), ("description", "TEXT"), ("incomeaccount", "INTEGER"),
        ("account", "INTEGER"), ("deferredrevenueaccount", "INTEGER"), ("rate", "TEXT"),
        ("nonposting", "TEXT"), ("istaxable", "TEXT"), ("isinactive", "TEXT"),
        ("datecreated", "NSDATETIME"), ("lastmodifieddate", "NSDATETIME"),
    ),
    _rows,
    indexes=("externalid", "itemid"),
    custom_columns=True,
)


def before_delete(ctx, record) -> None:
    if ctx.query("SELECT 1 FROM transactionline WHERE item = ? LIMIT 1", (record.id,)):
        raise errors.NetSuiteError(
            400, "USER_ERROR", "This record cannot be deleted because it has dependent records: transactions use the item.")


def _item_type(name: str, fields: dict[str, Field], validate, writable: bool = True) -> RecordType:
    return RecordType(
        name=name, group=GROUP, fields=dict(fields), display=display, validate=validate,
        projections=(ITEM_TABLE,), custom_field_prefixes=("custitem",), writable=writable,
        created_field="createdDate", before_delete=before_delete,
    )


SERVICE_SALE_ITEM = _item_type("serviceSaleItem", SALE_ITEM_FIELDS, validate_sale_item)
OTHER_CHARGE_SALE_ITEM = _item_type("otherChargeSaleItem", SALE_ITEM_FIELDS, validate_sale_item)
DISCOUNT_ITEM = _item_type("discountItem", DISCOUNT_FIELDS, validate_discount)
SALES_TAX_ITEM = _item_type("salesTaxItem", SALES_TAX_FIELDS, None, writable=False)

ITEM_RECORD_TYPES = (SERVICE_SALE_ITEM, OTHER_CHARGE_SALE_ITEM, DISCOUNT_ITEM, SALES_TAX_ITEM)


def posting_account(item_record) -> str | None:
    """The account an invoice line with this item credits (sale items) or debits (discounts)."""
    b = item_record.body
    if item_record.record_type == "discountItem":
        return (b.get("account") or {}).get("id")
    if item_record.record_type == "salesTaxItem":
        return (b.get("taxAccount") or {}).get("id")
    return (b.get("incomeAccount") or {}).get("id")
