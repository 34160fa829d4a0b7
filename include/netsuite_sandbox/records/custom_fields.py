"""Custom fields: account configuration, as in NetSuite (Customization > Entity Fields, ...).

A custom field exists only once defined (seed file section ``customFields``; stored in the
``custom_field`` table). A defined field can be written like any other field of its record
type and is a column of that type's main SuiteQL table; writing an undefined ``custentity_...``
field fails with ``INVALID_FIELD`` and querying it with "Unknown identifier", as in an account
where nobody created it.
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


def check(registry: Registry, field: CustomField) -> None:
    rtype = registry.get(field.record_type)
    if rtype is None:
        raise ValueError(f"custom field {field.id}: unknown record type {field.record_type!r}")
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
    """Add each field to its record type and as a column of the type's main SuiteQL table."""
    for field in fields:
        check(registry, field)
        rtype = registry.get(field.record_type)
        kind, max_length, sqltype = KINDS[field.field_type]
        rtype.fields[field.id] = Field(kind, field.label or field.id, max_length=max_length)
        rtype.projections = tuple(
            _with_column(p, field.id, kind, sqltype) if p.custom_columns else p for p in rtype.projections
        )


def _with_column(projection: Projection, name: str, kind: str, sqltype: str) -> Projection:
    base_rows = projection.rows

    def rows(record, ctx) -> list[dict[str, Any]]:
        value = record.body.get(name)
        out = base_rows(record, ctx)
        for row in out:
            row[name] = tf(value) if kind == BOOL else value
        return out

    return dataclasses.replace(projection, columns=(*projection.columns, (name, sqltype)), rows=rows)


def copy_type(rtype: RecordType) -> RecordType:
    """A per-sandbox copy, so custom fields of one sandbox never leak into another."""
    return dataclasses.replace(rtype, fields=dict(rtype.fields))
