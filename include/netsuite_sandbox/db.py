"""The sandbox's SQLite file: connections, locking and schema migrations.

One file holds everything. Two connections share it:

* the *writer* (``transaction()``): every record write, serialised by a lock, one SQLite
  transaction per write so a crash never leaves half a record behind;
* the *reader* (``query()``): a read-only connection for SuiteQL, opened with declared-type
  detection so date columns come back as ``datetime`` and can be formatted like NetSuite does.

WAL journal mode lets the reader see every committed write without blocking the writer.
Migrations are numbered and idempotent: reopening an existing file applies only what is new.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

# Declared column types the projections use for dates; the reader converts them to datetime.
DATETIME_DECLTYPE = "NSDATETIME"
DATE_DECLTYPE = "NSDATE"


# Projection tables store dates as sortable text ('2024-01-31 10:15:00', '2024-01-31').
sqlite3.register_converter(DATETIME_DECLTYPE, lambda raw: datetime.fromisoformat(raw.decode()))
sqlite3.register_converter(DATE_DECLTYPE, lambda raw: datetime.fromisoformat(raw.decode()).date())

# Base schema. Projection tables (one per SuiteQL table) are derived data and are managed by
# ``records.engine.RecordStore.ensure_projections``, which rebuilds them when their shape changes.
MIGRATIONS: list[tuple[int, str]] = [
    (
        1,
        """
        CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS id_sequence (
            record_group TEXT PRIMARY KEY,
            next_id INTEGER NOT NULL
        );
        CREATE TABLE IF NOT EXISTS record (
            record_type TEXT NOT NULL,
            id INTEGER NOT NULL,
            record_group TEXT NOT NULL,
            external_id TEXT,
            body TEXT NOT NULL,
            date_created TEXT NOT NULL,
            last_modified TEXT NOT NULL,
            PRIMARY KEY (record_type, id)
        );
        CREATE UNIQUE INDEX IF NOT EXISTS record_group_id ON record (record_group, id);
        CREATE UNIQUE INDEX IF NOT EXISTS record_group_external_id
            ON record (record_group, external_id) WHERE external_id IS NOT NULL;
        """,
    ),
    (
        2,
        """
        CREATE TABLE IF NOT EXISTS custom_field (
            id TEXT PRIMARY KEY,
            record_type TEXT NOT NULL,
            field_type TEXT NOT NULL,
            label TEXT
        );
        """,
    ),
    (
        3,
        """
        CREATE TABLE IF NOT EXISTS async_job (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            record_type TEXT NOT NULL,
            operation TEXT NOT NULL,
            idempotency_key TEXT UNIQUE,
            items TEXT NOT NULL,
            lenient INTEGER NOT NULL DEFAULT 0,
            state TEXT NOT NULL,
            created TEXT NOT NULL,
            completed TEXT
        );
        CREATE TABLE IF NOT EXISTS async_result (
            job_id INTEGER NOT NULL,
            position INTEGER NOT NULL,
            external_id TEXT,
            status INTEGER NOT NULL,
            internal_id TEXT,
            error TEXT,
            PRIMARY KEY (job_id, position)
        );
        """,
    ),
    (
        4,
        """
        ALTER TABLE async_job ADD COLUMN replace_sublists TEXT NOT NULL DEFAULT '';
        """,
    ),
    (
        5,
        """
        CREATE INDEX IF NOT EXISTS record_type_external_id ON record (record_type, external_id);
        """,
    ),
]


def utc_now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


def iso(moment: datetime) -> str:
    """NetSuite REST timestamps: ``2024-01-31T10:15:00Z``."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def sql_datetime(moment_iso: str) -> str:
    """REST ISO timestamp -> the sortable text stored in projection tables."""
    return moment_iso.replace("T", " ").replace("Z", "")


class Database:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._write_lock = threading.RLock()
        self._read_lock = threading.RLock()
        self._writer = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=30)
        self._writer.row_factory = sqlite3.Row
        self._writer.execute("PRAGMA journal_mode=WAL")
        self._writer.execute("PRAGMA synchronous=NORMAL")
        self._writer.execute("PRAGMA foreign_keys=ON")
        self.migrate()
        self._reader: sqlite3.Connection | None = None

    # --- schema ----------------------------------------------------------------------------
    def migrate(self) -> None:
        with self.transaction() as conn:
            conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            row = conn.execute("SELECT MAX(version) AS v FROM schema_version").fetchone()
            current = row["v"] or 0
            for version, script in MIGRATIONS:
                if version <= current:
                    continue
                for statement in _statements(script):
                    conn.execute(statement)
                conn.execute("INSERT INTO schema_version (version) VALUES (?)", (version,))

    # --- writes ----------------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One serialised write transaction (re-entrant: nested calls join the outer one)."""
        with self._write_lock:
            conn = self._writer
            if conn.in_transaction:
                yield conn
                return
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            else:
                conn.execute("COMMIT")

    def get_meta(self, key: str) -> str | None:
        with self._write_lock:
            row = self._writer.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row["value"] if row else None

    def set_meta(self, conn: sqlite3.Connection, key: str, value: str) -> None:
        conn.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    # --- reads -----------------------------------------------------------------------------
    @contextmanager
    def reader(self) -> Iterator[sqlite3.Connection]:
        """The read-only SuiteQL connection (serialised; callers set their own authorizer)."""
        with self._read_lock:
            if self._reader is None:
                uri = self.path.resolve().as_uri() + "?mode=ro"
                self._reader = sqlite3.connect(
                    uri,
                    uri=True,
                    check_same_thread=False,
                    isolation_level=None,
                    detect_types=sqlite3.PARSE_DECLTYPES,
                )
                self._reader.execute("PRAGMA case_sensitive_like = ON")  # Oracle LIKE is case-sensitive
            yield self._reader

    def close(self) -> None:
        with self._read_lock:
            if self._reader is not None:
                self._reader.close()
                self._reader = None
        with self._write_lock:
            self._writer.close()


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]
