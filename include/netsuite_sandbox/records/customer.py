"""The customer record (entity group): fields, NetSuite's rules, the ``customer`` SuiteQL table.

Rules enforced (NetSuite's, as the REST API reports them):

* ``isPerson`` (default false): a person needs ``firstName`` and ``lastName``, a company needs
  ``companyName`` -> ``USER_ERROR`` "Please enter value(s) for: ...".
* ``subsidiary`` defaults to 1; ``currency`` defaults to the subsidiary's currency; both must
  exist and be active -> ``INVALID_KEY_OR_REF``. The primary currency is always in
  ``currencyList``.
* ``entityId`` defaults to the externalId (else the name) and is unique among entities ->
  ``DUP_ENTITY``.
* ``email`` must look like an address, phones need seven digits, countries are ISO-2, strings
  respect NetSuite's lengths -> ``INVALID_FLD_VALUE``.
* At most one default billing and one default shipping address: a later line marked default
  takes the flag from an earlier one, as in the NetSuite UI.
* A customer with transactions cannot be deleted (``USER_ERROR``).

On update ``currencyList`` merges by ``currency`` and ``addressBook`` lines are added, unless
the request names them in ``?replace=`` (``engine.merge_sublist``).
"""

from __future__ import annotations

from typing import Any

from netsuite_sandbox import errors
from netsuite_sandbox.records.address import ADDRESS_FIELDS, address_text
from netsuite_sandbox.records.common import ref_id, stamps, tf
from netsuite_sandbox.records.registry import (
    BOOL, EMAIL, IGNORED, OPAQUE_REF, PHONE, REF, STRING, SUBLIST, SUBRECORD, Field, Projection,
    RecordType,
)

ADDRESS_BOOK_LINE = {
    "id": Field(IGNORED),
    "internalId": Field(IGNORED),
    "label": Field(STRING, "Label", max_length=150),
    "defaultBilling": Field(BOOL),
    "defaultShipping": Field(BOOL),
    "isResidential": Field(BOOL),
    "addressBookAddress": Field(SUBRECORD, "Address", fields=ADDRESS_FIELDS),
}

CURRENCY_LINE = {
    "currency": Field(REF, "Currency", ref_type="currency"),
}

FIELDS = {
    "externalId": Field(STRING, "External ID", max_length=255),
    "entityId": Field(STRING, "Customer ID", max_length=83),
    "isPerson": Field(BOOL, "Type"),
    "firstName": Field(STRING, "First Name", max_length=32),
    "lastName": Field(STRING, "Last Name", max_length=32),
    "companyName": Field(STRING, "Company Name", max_length=83),
    "email": Field(EMAIL, "Email", max_length=254),
    "phone": Field(PHONE, "Phone", max_length=32),
    "altPhone": Field(PHONE, "Alt. Phone", max_length=32),
    "comments": Field(STRING, "Comments", max_length=999),
    "subsidiary": Field(REF, "Primary Subsidiary", ref_type="subsidiary"),
    "currency": Field(REF, "Currency", ref_type="currency"),
    "currencyList": Field(SUBLIST, "Currencies", fields=CURRENCY_LINE, line_key="currency"),
    "addressBook": Field(SUBLIST, "Address Book", fields=ADDRESS_BOOK_LINE),
    "isInactive": Field(BOOL, "Inactive"),
    "terms": Field(REF, "Terms", ref_type="term"),
    "taxable": Field(BOOL, "Taxable"),
    "customForm": Field(OPAQUE_REF, "Custom Form"),
}

DEFAULT_SUBSIDIARY = "1"


def display(body: dict[str, Any]) -> str:
    return body.get("entityId") or customer_name(body) or body.get("id", "")


def customer_name(body: dict[str, Any]) -> str:
    if body.get("isPerson"):
        return " ".join(p for p in (body.get("firstName"), body.get("lastName")) if p)
    return body.get("companyName") or ""


def validate(ctx, body: dict[str, Any], existing) -> dict[str, Any]:
    body.setdefault("isPerson", False)
    if body["isPerson"]:
        for name, label in (("firstName", "First Name"), ("lastName", "Last Name")):
            if not body.get(name):
                raise errors.missing_value(name, label)
    elif not body.get("companyName"):
        raise errors.missing_value("companyName", "Company Name")

    if "subsidiary" not in body:
        subsidiary = ctx.get("subsidiary", DEFAULT_SUBSIDIARY)
        if subsidiary is None:
            raise errors.invalid_reference("subsidiary", DEFAULT_SUBSIDIARY)
        body["subsidiary"] = {"id": DEFAULT_SUBSIDIARY}
    if "currency" not in body:
        subsidiary = ctx.get("subsidiary", ref_id(body["subsidiary"]))
        currency = subsidiary.body.get("currency") if subsidiary else None
        if not currency:
            raise errors.missing_value("currency", "Currency")
        body["currency"] = {"id": currency["id"]}

    lines = list(body.get("currencyList", {}).get("items", []))
    for i, line in enumerate(lines):
        if "currency" not in line:
            raise errors.missing_value(f"currencyList.items[{i}].currency", "Currency")
    if all(line["currency"]["id"] != body["currency"]["id"] for line in lines):
        lines.insert(0, {"currency": dict(body["currency"])})
    body["currencyList"] = {"items": lines}

    if "addressBook" in body:
        body["addressBook"] = {"items": _one_default(body["addressBook"]["items"])}

    if not body.get("entityId"):
        body["entityId"] = body.get("externalId") or customer_name(body) or None
        if body["entityId"] is None:
            body.pop("entityId")
    if body.get("entityId"):
        own = (existing.record_type, existing.id) if existing else ("", -1)
        clash = ctx.query(
            "SELECT record_type, id FROM record WHERE record_group = 'entity' "
            "AND json_extract(body, '$.entityId') = ? AND NOT (record_type = ? AND id = ?)",
            (body["entityId"], own[0], own[1]),
        )
        if clash:
            raise errors.duplicate_entity(body["entityId"])
    return body


def _one_default(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    lines = [dict(line) for line in lines]
    for flag in ("defaultBilling", "defaultShipping"):
        marked = [i for i, line in enumerate(lines) if line.get(flag) is True]
        for i in marked[:-1]:
            lines[i][flag] = False
    return lines


def _default_address(body: dict[str, Any], flag: str) -> str | None:
    for line in body.get("addressBook", {}).get("items", []):
        if line.get(flag) is True:
            return address_text(line.get("addressBookAddress"))
    return None


def _rows(record, ctx) -> list[dict[str, Any]]:
    b = record.body
    return [{
        "id": record.id,
        "externalid": record.external_id,
        "entityid": b.get("entityId"),
        "isperson": tf(b.get("isPerson")),
        "firstname": b.get("firstName"),
        "lastname": b.get("lastName"),
        "companyname": b.get("companyName"),
        "email": b.get("email") or None,
        "phone": b.get("phone"),
        "altphone": b.get("altPhone"),
        "comments": b.get("comments"),
        "subsidiary": ref_id(b.get("subsidiary")),
        "currency": ref_id(b.get("currency")),
        "terms": ref_id(b.get("terms")),
        "taxable": tf(b.get("taxable")),
        "isinactive": tf(b.get("isInactive")),
        "defaultbillingaddress": _default_address(b, "defaultBilling"),
        "defaultshippingaddress": _default_address(b, "defaultShipping"),
        **stamps(record),
    }]


CUSTOMER_TABLE = Projection(
    "customer",
    (
        ("id", "INTEGER"), ("externalid", "TEXT"), ("entityid", "TEXT"), ("isperson", "TEXT"),
        ("firstname", "TEXT"), ("lastname", "TEXT"), ("companyname", "TEXT"), ("email", "TEXT"),
        ("phone", "TEXT"), ("altphone", "TEXT"), ("comments", "TEXT"), ("subsidiary", "INTEGER"),
        ("currency", "INTEGER"), ("terms", "INTEGER"), ("taxable", "TEXT"), ("isinactive", "TEXT"),
        ("defaultbillingaddress", "TEXT"), ("defaultshippingaddress", "TEXT"),
        ("datecreated", "NSDATETIME"), ("lastmodifieddate", "NSDATETIME"),
    ),
    _rows,
    indexes=("externalid", "lastmodifieddate"),
    custom_columns=True,
)

def _currency_rows(record, ctx) -> list[dict[str, Any]]:
    return [{"customer": record.id, "currency": ref_id(line.get("currency"))}
            for line in record.body.get("currencyList", {}).get("items", [])]


# The currencies a customer may transact in (its currencyList), as NetSuite's SuiteQL table.
CUSTOMER_CURRENCY_TABLE = Projection(
    "customercurrencybalance",
    (("customer", "INTEGER"), ("currency", "INTEGER")),
    _currency_rows,
    indexes=("customer",),
)


def before_delete(ctx, record) -> None:
    used = ctx.query('SELECT id FROM "transaction" WHERE entity = ? LIMIT 1', (record.id,))
    if used:
        raise errors.NetSuiteError(
            400, "USER_ERROR",
            "This record cannot be deleted because it has dependent records: the customer has transactions.")


CUSTOMER = RecordType(
    name="customer",
    group="entity",
    fields=FIELDS,
    display=display,
    validate=validate,
    projections=(CUSTOMER_TABLE, CUSTOMER_CURRENCY_TABLE),
    custom_field_prefixes=("custentity",),
    before_delete=before_delete,
)
