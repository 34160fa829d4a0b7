"""A stored record as the REST record API returns it.

``{"links": [{"rel": "self", ...}], "id": "107", "externalId": ..., <fields>,
"dateCreated": "2024-01-31T10:15:00Z", "lastModifiedDate": ...}``. References come back as
``{"links": [...], "id": "1", "refName": "US Dollar"}``. Sublists are links only unless
``expandSubResources=true`` (NetSuite's default), then ``{"links", "items", "count", "hasMore",
"offset", "totalResults"}``. Decimal fields are JSON numbers written exactly.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from netsuite_sandbox.records.address import ADDRESS_FIELDS, address_text
from netsuite_sandbox.records.engine import RecordStore, StoredRecord
from netsuite_sandbox.records.registry import DECIMAL, RATE, REF, SUBLIST, SUBRECORD, Field, RecordType

RECORD_PATH = "/services/rest/record/v1"


def record_href(base_url: str, type_name: str, internal_id: int | str) -> str:
    return f"{base_url}{RECORD_PATH}/{type_name}/{internal_id}"


def record_json(store: RecordStore, rtype: RecordType, record: StoredRecord, base_url: str, *, expand: bool) -> dict[str, Any]:
    href = record_href(base_url, rtype.name, record.id)
    out: dict[str, Any] = {"links": [{"rel": "self", "href": href}]}
    for name in _ordered(rtype, record.body):
        if name.startswith("_"):  # the sandbox's own bookkeeping (GL lines), never shown
            continue
        value = record.body[name]
        spec = rtype.fields.get(name)
        if spec is not None and spec.kind == SUBLIST:
            out[name] = sublist_json(store, spec, value, f"{href}/{name}", base_url, expand=expand)
        else:
            out[name] = _value(store, spec, value, base_url, expand)
    out["id"] = str(record.id)
    if record.external_id is not None:
        out["externalId"] = record.external_id
    out[rtype.created_field] = record.date_created
    out["lastModifiedDate"] = record.last_modified
    return out


def sublist_json(store: RecordStore, spec: Field, value: dict[str, Any], href: str, base_url: str, *, expand: bool) -> dict[str, Any]:
    links = [{"rel": "self", "href": href}]
    if not expand:
        return {"links": links}
    items = [
        {"links": [], **{k: _value(store, (spec.fields or {}).get(k), v, base_url, True) for k, v in line.items()}}
        for line in value.get("items", [])
    ]
    return {"links": links, "count": len(items), "hasMore": False, "items": items, "offset": 0, "totalResults": len(items)}


def _ordered(rtype: RecordType, body: dict[str, Any]) -> list[str]:
    known = [name for name in rtype.fields if name in body]
    return known + sorted(name for name in body if name not in rtype.fields)


def _value(store: RecordStore, spec: Field | None, value: Any, base_url: str, expand: bool) -> Any:
    if spec is None:
        return value
    if spec.kind == REF and isinstance(value, dict) and "id" in value:
        ref_type = spec.ref_type or ""
        if spec.ref_group:
            target = store.find_in_group(spec.ref_group, value["id"])
            ref_type = target.record_type if target else spec.ref_group
        ref = {"links": [{"rel": "self", "href": record_href(base_url, ref_type, value["id"])}], "id": value["id"]}
        name = store.display_name(ref_type, value["id"])
        if name is not None:
            ref["refName"] = name
        return ref
    if spec.kind in (DECIMAL, RATE) and isinstance(value, str) and not value.endswith("%"):
        return Decimal(value)
    if spec.kind == SUBRECORD and isinstance(value, dict):
        fields = spec.fields or {}
        shown = {k: _value(store, fields.get(k), v, base_url, expand) for k, v in value.items()}
        if fields is ADDRESS_FIELDS:  # address subrecords carry the rendered address
            text = address_text(value)
            if text:
                shown["addrText"] = text
        return {"links": [], **shown}
    return value
