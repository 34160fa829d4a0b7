"""Custom fields: account configuration, as in NetSuite (Customization > Entity Fields, ...).

A custom field exists only once defined (seed file section ``customFields``; stored in the
``custom_field`` table). A defined field can be written like any other field of its record
type and is a column of that type's main SuiteQL table; writing an undefined ``custentity_...``
field fails with ``INVALID_FIELD`` and querying it with "Unknown identifier", as in an account
where nobody created it.

``recordType`` is a record type (``customer``, ``invoice``, ...) or a group: ``transaction``
(every transaction type) or ``item`` (every item type). Prefixes: ``custentity`` (customer),
``custitem`` (items; column of ``item``), ``custbody`` (transaction body; column of
``transaction``), ``custcol`` (transaction line: a field of the ``item`` sublist of invoices and
credit memos and of the journal ``line`` sublist; column of ``transactionline``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from netsuite_sandbox.db import Database
from netsuite_sandbox.records.common import tf
from netsuite_sandbox.records.registry import (
    BOOL, DATE, DECIMAL, EMAIL, INTEGER, STRING, Field, Projection, RecordType, Registry,
)

# type -> (field kind, max length, SQL column type)
KINDS: dict[str, tuple[str, int | None, str]] = {
    "text": (STRING, 300, "TEXT"),  # Free-Form Text
    "textarea": (STRING, 4000, "TEXT"),
    "email": (EMAIL, 254, "TEXT"),
    "checkbox": (BOOL, None, "TEXT"),
    "integer": (INTEGER, None, "INTEGER"),
    "decimal": (DECIMAL, None, "TEXT"),
    "date": (DATE, None, "NSDATE"),
}


@dataclass(frozen=True)
class CustomField:
    id: str  # e.g. custentity_stripe_sync_hash
    record_type: str  # e.g. customer
    field_type: str  # a key of KINDS
    label: str | None = None


def targets(registry: Registry, record_type: str) -> list[RecordType]:
    """The record types a definition applies to (a type, or every type of a group)."""
    rtype = registry.get(record_type)
    if rtype is not None:
        return [rtype]
    return [t for t in registry.types() if t.group == record_type and t.writable]


def check(registry: Registry, field: CustomField) -> None:
    found = targets(registry, field.record_type)
    if not found:
        raise ValueError(f"custom field {field.id}: unknown record type {field.record_type!r}")
    rtype = found[0]
    if not rtype.custom_field_prefixes or not field.id.startswith(rtype.custom_field_prefixes):
        raise ValueError(
            f"custom field {field.id}: ids on {rtype.name} must start with {' or '.join(rtype.custom_field_prefixes) or '(none allowed)'}"
        )
    if field.field_type not in KINDS:
        raise ValueError(f"custom field {field.id}: type must be one of {', '.join(KINDS)}")
    if not field.id.replace("_", "").isalnum() or field.id != field.id.lower():
        raise ValueError(f"custom field {field.id}: ids are lower-case letters, digits and '_'")


def load(db: Database) -> list[CustomField]:
    with db.transaction() as conn:
        rows = conn.execute("SELECT id, record_type, field_type, label FROM custom_field ORDER BY id").fetchall()
    return [CustomField(r["id"], r["record_type"], r["field_type"], r["label"]) for r in rows]


def save(db: Database, fields: list[CustomField]) -> None:
    with db.transaction() as conn:
        for field in fields:
            conn.execute(
                "INSERT INTO custom_field (id, record_type, field_type, label) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (id) DO UPDATE SET record_type = excluded.record_type,"
                " field_type = excluded.field_type, label = excluded.label",
                (field.id, field.record_type, field.field_type, field.label),
            )


def apply(registry: Registry, fields: list[CustomField]) -> None:
    """Add each field to its record types and as a column of their SuiteQL table (the column is
    added for every record type feeding that table, so the shared table keeps one shape)."""
    for field in fields:
        check(registry, field)
        kind, max_length, sqltype = KINDS[field.field_type]
        spec = Field(kind, field.label or field.id, max_length=max_length)
        types = targets(registry, field.record_type)
        if field.id.startswith("custcol"):
            for rtype in types:
                for name in rtype.custom_line_sublists:
                    rtype.fields[name].fields[field.id] = spec
            table, wrap = "transactionline", _with_line_column
        else:
            for rtype in types:
                rtype.fields[field.id] = spec
            table = next(p.table for p in types[0].projections if p.custom_columns)
            wrap = _with_column
        for rtype in registry.types():
            if any(p.table == table for p in rtype.projections):
                rtype.projections = tuple(
                    wrap(p, field.id, kind, sqltype) if p.table == table else p for p in rtype.projections)


def _with_column(projection: Projection, name: str, kind: str, sqltype: str) -> Projection:
    base_rows = projection.rows

    def rows(record, ctx) -> list[dict[str, Any]]:
        value = record.body.get(name)
        out = base_rows(record, ctx)
        for row in out:
            row[name] = tf(value) if kind == BOOL else value
        return out

    return dataclasses.replace(projection, columns=(*projection.columns, (name, sqltype)), rows=rows)


def _with_line_column(projection: Projection, name: str, kind: str, sqltype: str) -> Projection:
    """Line tables: the rows already carry the line's custom values (``custom_line_values``)."""
    base_rows = projection.rows

    def rows(record, ctx) -> list[dict[str, Any]]:
        out = base_rows(record, ctx)
        for row in out:
            row.setdefault(name, None)
        return out

    return dataclasses.replace(projection, columns=(*projection.columns, (name, sqltype)), rows=rows)


def copy_type(rtype: RecordType) -> RecordType:
    """A per-sandbox copy, so custom fields of one sandbox never leak into another."""
    fields = dict(rtype.fields)
    for name in rtype.custom_line_sublists:
        fields[name] = dataclasses.replace(fields[name], fields=dict(fields[name].fields or {}))
    return dataclasses.replace(rtype, fields=fields)
