"""What a record type is: its record group, its fields, its rules and its SuiteQL projections.

The engine (``engine.py``) is generic; each record type is data plus two small functions
(``validate`` and the projection ``rows``). Adding invoice, creditMemo, items, ... means
registering more ``RecordType``s, not changing the engine.

Record groups follow NetSuite: external IDs are unique per group (entity, transaction, item),
and internal IDs are allocated per group, starting at the group's ``first_id`` (different
ranges per group make an id used against the wrong record type fail loudly in tests).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from netsuite_sandbox.records.engine import StoredRecord, WriteContext

# Field kinds understood by ``fields.normalize``.
STRING, BOOL, EMAIL, PHONE, COUNTRY, INTEGER, DECIMAL, DATE = (
    "string", "bool", "email", "phone", "country", "integer", "decimal", "date",
)
RATE = "rate"  # a number (49.5, "49.50") or a percentage string ("-10%"); stored as text
REF = "ref"  # {"id": "1"} | {"externalId": "x"} | {"refName": "Name"} -> must exist and be active
OPAQUE_REF = "opaque_ref"  # {"id": "-2"}, not checked (customForm)
SUBLIST = "sublist"  # {"items": [...]}; on update merged into the stored lines unless named in ``replace``
SUBRECORD = "subrecord"  # a nested object with its own fields (addressBookAddress)
IGNORED = "ignored"  # accepted and dropped (read-only output echoed back by clients)


@dataclass(frozen=True)
class Field:
    kind: str
    label: str | None = None  # human name for "Please enter value(s) for: <label>"
    ref_type: str | None = None  # REF: the referenced record type
    max_length: int | None = None
    read_only: bool = False
    fields: dict[str, Field] | None = None  # SUBLIST item fields / SUBRECORD fields
    # Output only: computed by the record type (totals, status, ...). Accepted and dropped on
    # input, as NetSuite ignores a client-sent ``total``.
    computed: bool = False
    # REF to any record of a record group (``item``, ``transaction``) instead of one type;
    # ``ref_types`` narrows it to some types of the group (empty: any).
    ref_group: str | None = None
    ref_types: tuple[str, ...] = ()
    # REF that may also be sent as a bare internal id (``"doc": 1001``), as SOAP's xsd:long.
    scalar_ref: bool = False
    # SUBLIST: the line field that identifies a line (NetSuite's keyed sublists: ``doc`` of an
    # apply line, ``currency`` of a currencyList line). An update that sends the sublist without
    # naming it in ``replace`` updates the stored line with the same key and adds the others;
    # without a key the sent lines are added to the stored ones (see engine.merge_sublist).
    line_key: str | None = None


@dataclass(frozen=True)
class Projection:
    """A SuiteQL table kept in step with the records that feed it.

    ``rows(record, ctx)`` returns the rows one record contributes (several for line tables).
    ``key_column`` holds the owning record's internal id, so a rewrite deletes and re-inserts.
    Bump ``version`` when ``rows`` changes meaning: the table is then rebuilt on start.
    """

    table: str
    columns: tuple[tuple[str, str], ...]  # (name, SQL type); NSDATETIME/NSDATE for dates
    rows: Callable[[StoredRecord, WriteContext], list[dict[str, Any]]]
    key_column: str = "id"
    version: int = 1
    indexes: tuple[str, ...] = ()
    custom_columns: bool = False  # the record type's main table: custom fields become columns

    def ddl(self) -> str:
        cols = ", ".join(f'"{name}" {sqltype}' for name, sqltype in self.columns)
        return f'CREATE TABLE "{self.table}" ({cols})'

    def signature(self) -> str:
        return f"v{self.version}:{self.ddl()}:{','.join(self.indexes)}"


@dataclass(frozen=True)
class RecordGroup:
    name: str
    first_id: int


@dataclass
class RecordType:
    name: str  # REST name, e.g. "customer", "customerPayment"
    group: str
    fields: dict[str, Field]
    display: Callable[[dict[str, Any]], str]  # refName of a record body
    validate: Callable[[WriteContext, dict[str, Any], StoredRecord | None], dict[str, Any]] | None = None
    projections: tuple[Projection, ...] = ()
    custom_field_prefixes: tuple[str, ...] = ()  # e.g. ("custentity",): see custom_fields.py
    writable: bool = True  # reference lists (currency, account, ...) are read-only over REST
    # Hooks for rules that span records (applications, deposits): run inside the write
    # transaction. ``after_save(ctx, record, previous)`` after the projections are written;
    # ``before_delete(ctx, record)`` may refuse; ``after_delete(ctx, record)``.
    after_save: Callable[[WriteContext, StoredRecord, StoredRecord | None], None] | None = None
    before_delete: Callable[[WriteContext, StoredRecord], None] | None = None
    after_delete: Callable[[WriteContext, StoredRecord], None] | None = None
    # REST name of the creation timestamp: customers say ``dateCreated``, transactions ``createdDate``.
    created_field: str = "dateCreated"
    # Custom line fields (``custcol...``) go into these sublists (see custom_fields.py).
    custom_line_sublists: tuple[str, ...] = ()

    def field(self, name: str) -> Field | None:
        return self.fields.get(name)


@dataclass
class Registry:
    groups: dict[str, RecordGroup] = field(default_factory=dict)
    _types: dict[str, RecordType] = field(default_factory=dict)

    def add_group(self, name: str, first_id: int = 1) -> None:
        self.groups.setdefault(name, RecordGroup(name, first_id))

    def register(self, record_type: RecordType) -> RecordType:
        if record_type.group not in self.groups:
            self.add_group(record_type.group)
        self._types[record_type.name.lower()] = record_type
        return record_type

    def get(self, name: str) -> RecordType | None:
        """Record type names are case-insensitive in the REST API."""
        return self._types.get(name.lower())

    def types(self) -> list[RecordType]:
        return list(self._types.values())

    def projections(self) -> dict[str, tuple[Projection, list[RecordType]]]:
        """Each SuiteQL table once, with every record type that feeds it."""
        tables: dict[str, tuple[Projection, list[RecordType]]] = {}
        for rtype in self._types.values():
            for projection in rtype.projections:
                known = tables.get(projection.table)
                if known is None:
                    tables[projection.table] = (projection, [rtype])
                else:
                    if known[0].signature() != projection.signature():
                        raise ValueError(f"projection {projection.table!r} declared twice with different shapes")
                    known[1].append(rtype)
        return tables

    def suiteql_tables(self) -> set[str]:
        return set(self.projections())
