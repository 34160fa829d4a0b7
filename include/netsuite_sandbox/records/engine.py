"""The generic record store: create, upsert by external ID, update, delete, read.

Every write is one SQLite transaction that (1) normalises the body against the type's fields,
(2) merges it into the stored record (body fields merge; sublists merge line by line, or are
replaced when the write names them in ``replace``: see ``merge_sublist``), (3) runs the type's
``validate``, (4) enforces external-ID uniqueness per record group, (5) stores the JSON body and
(6) rewrites the record's rows in every SuiteQL projection table, so SuiteQL always sees the
committed state.
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass
from decimal import Decimal
from collections.abc import Iterable
from typing import Any

from netsuite_sandbox import errors
from netsuite_sandbox.db import Database, iso, utc_now
from netsuite_sandbox.records import fields as field_rules
from netsuite_sandbox.records.registry import SUBLIST, Field, Projection, RecordType, Registry

EID_RE = re.compile(r"^[A-Za-z0-9_-]+$")


def q(identifier: str) -> str:
    """Quote an SQL identifier: SuiteQL's ``transaction`` is an SQLite keyword."""
    return '"' + identifier.replace('"', '""') + '"'


@dataclass
class StoredRecord:
    record_type: str  # the registered (canonical) name, e.g. "customer"
    id: int
    group: str
    external_id: str | None
    body: dict[str, Any]  # normalised fields, references as {"id": "..."}, no id/externalId/dates
    date_created: str  # ISO, "2024-01-31T10:15:00Z"
    last_modified: str


class WriteContext:
    """What a validator or a projection may use while a write transaction is open."""

    def __init__(self, store: RecordStore, conn: sqlite3.Connection) -> None:
        self.store = store
        self.conn = conn
        self.registry = store.registry

    def get(self, type_name: str, internal_id: int | str) -> StoredRecord | None:
        return self.store._fetch(self.conn, self.store.record_type(type_name), "id", internal_id)

    def get_in_group(self, group: str, internal_id: int | str) -> StoredRecord | None:
        """The record with this internal id in a record group, whatever its type."""
        return self.store._fetch_in_group(self.conn, group, "id", internal_id)

    def query(self, sql: str, params: tuple = ()) -> list[sqlite3.Row]:
        return self.conn.execute(sql, params).fetchall()

    def rewrite(self, record: StoredRecord, body: dict[str, Any]) -> StoredRecord:
        """Store a record's recomputed body (derived fields) and refresh its SuiteQL rows.

        For rules that span records: a payment changes its invoice's amount remaining.
        """
        return self.store._rewrite(self, record, body)


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def dumps(body: dict[str, Any]) -> str:
    return json.dumps(body, default=_json_default, separators=(",", ":"), sort_keys=True)


def _line_key(value: Any) -> str | None:
    """A key field's value as compared between lines: references by internal id."""
    if isinstance(value, dict):
        value = value.get("id")
    return None if value in (None, "") else str(value)


def merge_sublist(
    spec: Field, stored: dict[str, Any] | None, sent: dict[str, Any], *, replace: bool = False
) -> dict[str, Any]:
    """A sublist sent in an update of an existing record.

    Oracle, "Updating a Sublist" (https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_1545295601.html):
    "During update operations, lines of a keyed sublist are updated if the line contains matching
    keys, and the remaining lines from the request are added. For non-keyed sublists, the lines are
    always appended to the ones that are already present on the sublist." "Replacing a Sublist"
    (https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_1545297048.html): "During
    sublist replacements, lines of a keyed sublist are updated if the line contains matching keys,
    other lines are removed, and the remaining unmatched lines from the request are added. For
    non-keyed sublists, all lines are always removed and replaced by lines that are in the incoming
    request." SOAP maps onto the same two cases: ``replaceAll`` true is a replacement, false an
    update (``soap.records.replaced_lists``, which quotes Oracle's SOAP page).

    Not named in ``replace``: a keyed sublist (``spec.line_key``) updates the stored line with
    the same key (sent fields merge into it, ``null`` clears one) and adds a line for every new
    key, at the end; a sublist without a key adds all the sent lines to the stored ones.
    Named in ``replace``: the sent lines are the whole sublist; in a keyed sublist a sent line
    still updates the stored line with its key (fields it does not send keep their values).
    Each stored line matches at most one sent line: a key sent twice makes a second line, which
    the record's own rules then judge (e.g. the same doc applied twice).
    """
    lines = [dict(line) for line in (stored or {}).get("items", [])]
    if spec.line_key is None:
        kept = [] if replace else lines
        return {"items": kept + [dict(line) for line in sent.get("items", [])]}
    index: dict[str, int] = {}
    for position, line in enumerate(lines):
        key = _line_key(line.get(spec.line_key))
        if key is not None:
            index.setdefault(key, position)
    matched: set[int] = set()
    replaced: list[dict[str, Any]] = []
    for line in sent.get("items", []):
        position = index.get(_line_key(line.get(spec.line_key)) or "")
        if position is None or position in matched:
            (replaced if replace else lines).append(dict(line))
            continue
        matched.add(position)
        target = lines[position]
        for name, value in line.items():
            if value is None:
                target.pop(name, None)
            else:
                target[name] = value
        if replace:
            replaced.append(target)
    return {"items": replaced if replace else lines}


class RecordStore:
    def __init__(self, db: Database, registry: Registry) -> None:
        self.db = db
        self.registry = registry

    # --- keys and types --------------------------------------------------------------------
    def record_type(self, name: str) -> RecordType:
        rtype = self.registry.get(name)
        if rtype is None:
            raise errors.invalid_record_type(name)
        return rtype

    @staticmethod
    def parse_key(key: str) -> tuple[str, str | int]:
        """``"107"`` -> ("id", 107); ``"eid:cus_1"`` -> ("eid", "cus_1")."""
        if key.startswith("eid:"):
            external_id = key[4:]
            if not EID_RE.match(external_id):
                raise errors.NetSuiteError(
                    400,
                    "INVALID_ID",
                    f"Invalid external ID '{external_id}' in the request URL. External IDs used with "
                    "'eid:' may contain only letters, digits, '_' and '-'.",
                )
            return "eid", external_id
        if key.isdigit():
            return "id", int(key)
        raise errors.nonexistent_id()

    # --- reads -----------------------------------------------------------------------------
    def find(self, type_name: str, key: str) -> StoredRecord | None:
        rtype = self.record_type(type_name)
        how, value = self.parse_key(key)
        with self.db.transaction() as conn:
            return self._fetch(conn, rtype, how, value)

    def get(self, type_name: str, key: str) -> StoredRecord:
        record = self.find(type_name, key)
        if record is None:
            raise errors.nonexistent_id()
        return record

    def list_ids(self, type_name: str, limit: int, offset: int) -> tuple[list[int], int]:
        rtype = self.record_type(type_name)
        with self.db.transaction() as conn:
            total = conn.execute("SELECT COUNT(*) FROM record WHERE record_type = ?", (rtype.name,)).fetchone()[0]
            rows = conn.execute(
                "SELECT id FROM record WHERE record_type = ? ORDER BY id LIMIT ? OFFSET ?", (rtype.name, limit, offset)
            ).fetchall()
        return [row["id"] for row in rows], total

    def display_name(self, type_name: str, internal_id: int | str) -> str | None:
        rtype = self.registry.get(type_name)
        if rtype is None:
            return None
        with self.db.transaction() as conn:
            record = self._fetch(conn, rtype, "id", internal_id)
        return self.display(rtype, record) if record else None

    @staticmethod
    def display(rtype: RecordType, record: StoredRecord) -> str:
        return rtype.display({**record.body, "externalId": record.external_id, "id": str(record.id)})

    def _fetch(self, conn: sqlite3.Connection, rtype: RecordType, how: str, value: str | int) -> StoredRecord | None:
        if how == "id":
            if not str(value).isdigit():
                return None
            row = conn.execute("SELECT * FROM record WHERE record_type = ? AND id = ?", (rtype.name, int(value))).fetchone()
        else:
            row = conn.execute(
                "SELECT * FROM record WHERE record_type = ? AND external_id = ?", (rtype.name, value)
            ).fetchone()
        return self._row(row) if row else None

    @staticmethod
    def _row(row: sqlite3.Row) -> StoredRecord:
        return StoredRecord(
            row["record_type"], row["id"], row["record_group"], row["external_id"],
            json.loads(row["body"]), row["date_created"], row["last_modified"],
        )

    # --- writes ----------------------------------------------------------------------------
    def create(self, type_name: str, body: Any, *, lenient_names: bool = False) -> StoredRecord:
        """POST: a new record; its externalId (if any) comes from the body."""
        rtype = self._writable(type_name)
        with self.db.transaction() as conn:
            ctx = WriteContext(self, conn)
            incoming = self._normalize(ctx, rtype, body, lenient_names)
            external_id = incoming.pop("externalId", None)
            return self._save(ctx, rtype, None, incoming, external_id)

    def upsert(
        self, type_name: str, external_id: str, body: Any, *, lenient_names: bool = False,
        replace: Iterable[str] = (),
    ) -> tuple[StoredRecord, bool]:
        """PUT .../eid:X: create the record with external ID X, or update the one that has it.

        ``replace``: the sublists whose stored lines an update replaces (the REST ``replace``
        query parameter); other sent sublists merge into the stored lines (``merge_sublist``).
        """
        rtype = self._writable(type_name)
        how, eid = self.parse_key(f"eid:{external_id}")
        with self.db.transaction() as conn:
            ctx = WriteContext(self, conn)
            incoming = self._normalize(ctx, rtype, body, lenient_names)
            body_eid = incoming.pop("externalId", None)
            if body_eid is not None and body_eid != eid:
                raise errors.invalid_value(
                    "externalId", f"The externalId in the body ('{body_eid}') differs from the one in the URL ('{eid}')."
                )
            existing = self._fetch(conn, rtype, how, eid)
            return self._save(ctx, rtype, existing, incoming, eid, replace=replace), existing is None

    def update(
        self, type_name: str, key: str, body: Any, *, lenient_names: bool = False, replace: Iterable[str] = (),
    ) -> StoredRecord:
        """PATCH: change an existing record (by internal id or eid:); ``replace`` as for ``upsert``."""
        rtype = self._writable(type_name)
        how, value = self.parse_key(key)
        with self.db.transaction() as conn:
            ctx = WriteContext(self, conn)
            existing = self._fetch(conn, rtype, how, value)
            if existing is None:
                raise errors.nonexistent_id()
            incoming = self._normalize(ctx, rtype, body, lenient_names)
            external_id = incoming.pop("externalId") if "externalId" in incoming else existing.external_id
            return self._save(ctx, rtype, existing, incoming, external_id, replace=replace)

    def delete(self, type_name: str, key: str) -> None:
        rtype = self._writable(type_name)
        how, value = self.parse_key(key)
        with self.db.transaction() as conn:
            existing = self._fetch(conn, rtype, how, value)
            if existing is None:
                raise errors.nonexistent_id()
            ctx = WriteContext(self, conn)
            if rtype.before_delete is not None:
                rtype.before_delete(ctx, existing)
            conn.execute("DELETE FROM record WHERE record_type = ? AND id = ?", (rtype.name, existing.id))
            for projection in rtype.projections:
                conn.execute(f"DELETE FROM {q(projection.table)} WHERE {q(projection.key_column)} = ?", (existing.id,))
            if rtype.after_delete is not None:
                rtype.after_delete(ctx, existing)

    def seed(self, type_name: str, internal_id: int, body: dict[str, Any]) -> StoredRecord:
        """Insert reference data with a fixed internal id (first start only); checked like a write."""
        rtype = self.record_type(type_name)
        with self.db.transaction() as conn:
            ctx = WriteContext(self, conn)
            incoming = self._normalize(ctx, rtype, body, False)
            external_id = incoming.pop("externalId", None)
            existing = self._fetch(conn, rtype, "id", internal_id)
            return self._save(ctx, rtype, existing, incoming, external_id, internal_id=internal_id)

    def administer(self, type_name: str, internal_id: int | str, body: dict[str, Any]) -> StoredRecord:
        """An administrator's change to a record that is read-only over REST (the sandbox
        control endpoint ``/_sandbox/reference``); checked like a write."""
        rtype = self.record_type(type_name)
        with self.db.transaction() as conn:
            ctx = WriteContext(self, conn)
            existing = self._fetch(conn, rtype, "id", internal_id)
            if existing is None:
                raise errors.nonexistent_id()
            incoming = self._normalize(ctx, rtype, body, False)
            return self._save(ctx, rtype, existing, incoming, existing.external_id)

    def check_replace(self, type_name: str, names: Iterable[str]) -> frozenset[str]:
        """The ``replace`` query parameter's sublist names; a name that is not a sublist of the
        record type -> 400 ``INVALID_PARAMETER``."""
        rtype = self.record_type(type_name)
        sublists = [name for name, spec in rtype.fields.items() if spec.kind == SUBLIST]
        names = frozenset(names)
        for name in sorted(names):
            if name not in sublists:
                known = ", ".join(sublists) if sublists else "none"
                raise errors.invalid_parameter(
                    "replace",
                    f"Invalid value for the replace query parameter: {name}. The {rtype.name} record has no "
                    f"sublist '{name}' (its sublists: {known}).",
                )
        return names

    def _writable(self, type_name: str) -> RecordType:
        rtype = self.record_type(type_name)
        if not rtype.writable:
            raise errors.operation_not_allowed(
                f"Record type '{rtype.name}' is read-only in the sandbox; its rows come from the seed file."
            )
        return rtype

    def _normalize(self, ctx: WriteContext, rtype: RecordType, body: Any, lenient: bool) -> dict[str, Any]:
        if body is None:
            body = {}
        return field_rules.normalize(
            rtype.fields,
            body,
            lambda spec, value, path: self._resolve(ctx, spec, value, path),
            custom_prefixes=rtype.custom_field_prefixes,
            lenient_names=lenient,
        )

    def _resolve(self, ctx: WriteContext, spec: Any, value: Any, path: str) -> dict[str, str]:
        """A reference as sent ({"id"}, {"externalId"} or {"refName"}) -> {"id": "<internal id>"}.

        ``spec.ref_type`` names one record type; ``spec.ref_group`` any type of a record group
        (items, transactions), optionally narrowed by ``spec.ref_types``.
        """
        group = spec.ref_group
        target = None if group else self.record_type(spec.ref_type or "")
        if not isinstance(value, dict):
            raise errors.invalid_value(
                path, f"Invalid value for field '{path}': a reference must be an object such as {{\"id\": \"1\"}}."
            )
        record: StoredRecord | None = None
        shown: Any
        if value.get("id") not in (None, ""):
            shown = value["id"]
            if group:
                record = self._fetch_in_group(ctx.conn, group, "id", str(shown))
            else:
                record = self._fetch(ctx.conn, target, "id", str(shown))
        elif value.get("externalId") not in (None, ""):
            shown = value["externalId"]
            if group:
                record = self._fetch_in_group(ctx.conn, group, "eid", str(shown))
            else:
                record = self._fetch(ctx.conn, target, "eid", str(shown))
        elif value.get("refName") not in (None, ""):
            shown = value["refName"]
            if group:
                rows = ctx.conn.execute("SELECT * FROM record WHERE record_group = ?", (group,)).fetchall()
            else:
                rows = ctx.conn.execute("SELECT * FROM record WHERE record_type = ?", (target.name,)).fetchall()
            matches = [
                r for r in map(self._row, rows)
                if self.display(self.registry.get(r.record_type) or target, r) == shown
            ]
            record = matches[0] if len(matches) == 1 else None
        else:
            raise errors.invalid_value(path, f"Invalid value for field '{path}': the reference has no id, externalId or refName.")
        if record is not None and group and spec.ref_types and record.record_type not in spec.ref_types:
            record = None
        if record is None:
            raise errors.invalid_reference(path, shown)
        if record.body.get("isInactive") is True:
            rtype = self.registry.get(record.record_type)
            err = errors.invalid_reference(path, shown)
            err.detail += f" (the {rtype.name} '{self.display(rtype, record)}' is inactive)"
            raise err
        return {"id": str(record.id)}

    def _fetch_in_group(self, conn: sqlite3.Connection, group: str, how: str, value: str | int) -> StoredRecord | None:
        if how == "id":
            if not str(value).isdigit():
                return None
            row = conn.execute("SELECT * FROM record WHERE record_group = ? AND id = ?", (group, int(value))).fetchone()
        else:
            row = conn.execute(
                "SELECT * FROM record WHERE record_group = ? AND external_id = ?", (group, value)
            ).fetchone()
        return self._row(row) if row else None

    def find_in_group(self, group: str, internal_id: int | str) -> StoredRecord | None:
        with self.db.transaction() as conn:
            return self._fetch_in_group(conn, group, "id", internal_id)

    def _save(
        self,
        ctx: WriteContext,
        rtype: RecordType,
        existing: StoredRecord | None,
        incoming: dict[str, Any],
        external_id: str | None,
        *,
        internal_id: int | None = None,
        replace: Iterable[str] = (),
    ) -> StoredRecord:
        conn = ctx.conn
        replace = self.check_replace(rtype.name, replace)
        merged = dict(existing.body) if existing else {}
        if existing is not None:
            for name in replace:  # named but not sent: NetSuite removes every line
                if name not in incoming:
                    merged[name] = {"items": []}
        for name, value in incoming.items():
            spec = rtype.fields.get(name)
            if value is None:
                merged.pop(name, None)
            elif existing is not None and spec is not None and spec.kind == SUBLIST:
                merged[name] = merge_sublist(spec, merged.get(name), value, replace=name in replace)
            else:
                merged[name] = value  # body fields merge; a new record's sublists are the sent lines
        if external_id is not None:
            clash = conn.execute(
                "SELECT record_type, id FROM record WHERE record_group = ? AND external_id = ?",
                (rtype.group, external_id),
            ).fetchone()
            if clash and not (existing and clash["record_type"] == rtype.name and clash["id"] == existing.id):
                raise errors.duplicate_external_id(external_id, rtype.group)
        if rtype.validate is not None:
            merged = rtype.validate(ctx, {**merged, "externalId": external_id}, existing)
            merged.pop("externalId", None)
        now = iso(utc_now())
        if existing is None:
            new_id = internal_id if internal_id is not None else self._allocate_id(conn, rtype.group)
            if internal_id is not None:
                self._bump_sequence(conn, rtype.group, internal_id)
            record = StoredRecord(rtype.name, new_id, rtype.group, external_id, merged, now, now)
            conn.execute(
                "INSERT INTO record (record_type, id, record_group, external_id, body, date_created, last_modified)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (rtype.name, new_id, rtype.group, external_id, dumps(merged), now, now),
            )
        else:
            record = StoredRecord(rtype.name, existing.id, rtype.group, external_id, merged, existing.date_created, now)
            conn.execute(
                "UPDATE record SET external_id = ?, body = ?, last_modified = ? WHERE record_type = ? AND id = ?",
                (external_id, dumps(merged), now, rtype.name, existing.id),
            )
        for projection in rtype.projections:
            self._project(ctx, projection, record)
        if rtype.after_save is not None:
            rtype.after_save(ctx, record, existing)
        return record

    def _rewrite(self, ctx: WriteContext, record: StoredRecord, body: dict[str, Any]) -> StoredRecord:
        rtype = self.record_type(record.record_type)
        if body == record.body:
            return record
        now = iso(utc_now())
        ctx.conn.execute(
            "UPDATE record SET body = ?, last_modified = ? WHERE record_type = ? AND id = ?",
            (dumps(body), now, rtype.name, record.id),
        )
        updated = StoredRecord(rtype.name, record.id, record.group, record.external_id, body, record.date_created, now)
        for projection in rtype.projections:
            self._project(ctx, projection, updated)
        return updated

    def _allocate_id(self, conn: sqlite3.Connection, group: str) -> int:
        row = conn.execute("SELECT next_id FROM id_sequence WHERE record_group = ?", (group,)).fetchone()
        next_id = row["next_id"] if row else self.registry.groups[group].first_id
        # Never hand out an id a seeded or older record already has.
        used = conn.execute("SELECT MAX(id) FROM record WHERE record_group = ?", (group,)).fetchone()[0]
        if used is not None and used >= next_id:
            next_id = used + 1
        self._set_sequence(conn, group, next_id + 1)
        return next_id

    def _bump_sequence(self, conn: sqlite3.Connection, group: str, used_id: int) -> None:
        row = conn.execute("SELECT next_id FROM id_sequence WHERE record_group = ?", (group,)).fetchone()
        first = row["next_id"] if row else self.registry.groups[group].first_id
        self._set_sequence(conn, group, max(first, used_id + 1))

    @staticmethod
    def _set_sequence(conn: sqlite3.Connection, group: str, next_id: int) -> None:
        conn.execute(
            "INSERT INTO id_sequence (record_group, next_id) VALUES (?, ?)"
            " ON CONFLICT (record_group) DO UPDATE SET next_id = excluded.next_id",
            (group, next_id),
        )

    # --- projections -----------------------------------------------------------------------
    def _project(self, ctx: WriteContext, projection: Projection, record: StoredRecord) -> None:
        ctx.conn.execute(f"DELETE FROM {q(projection.table)} WHERE {q(projection.key_column)} = ?", (record.id,))
        names = [name for name, _ in projection.columns]
        sql = f"INSERT INTO {q(projection.table)} ({', '.join(map(q, names))}) VALUES ({', '.join('?' for _ in names)})"
        for row in projection.rows(record, ctx):
            unknown = set(row) - set(names)
            if unknown:
                raise AssertionError(f"projection {projection.table} produced unknown columns {sorted(unknown)}")
            ctx.conn.execute(sql, [row.get(name) for name in names])

    def ensure_projections(self) -> None:
        """Create every SuiteQL table; rebuild one from the records if its shape changed."""
        with self.db.transaction() as conn:
            ctx = WriteContext(self, conn)
            for table, (projection, feeders) in self.registry.projections().items():
                key = f"projection:{table}"
                row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
                exists = conn.execute(
                    "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
                ).fetchone()
                if row and row["value"] == projection.signature() and exists:
                    continue
                conn.execute(f"DROP TABLE IF EXISTS {q(table)}")
                conn.execute(projection.ddl())
                conn.execute(f"CREATE INDEX IF NOT EXISTS {q(table + '__key')} ON {q(table)} ({q(projection.key_column)})")
                for i, column in enumerate(projection.indexes):
                    conn.execute(f"CREATE INDEX IF NOT EXISTS {q(f'{table}__ix{i}')} ON {q(table)} ({q(column)})")
                for rtype in feeders:
                    rows = conn.execute("SELECT * FROM record WHERE record_type = ? ORDER BY id", (rtype.name,)).fetchall()
                    for record in map(self._row, rows):
                        self._project(ctx, projection, record)
                self.db.set_meta(conn, key, projection.signature())
