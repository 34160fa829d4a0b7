"""NetSuiteHook: one interface over NetSuite's web services, in the shape of Airflow's provider hooks.

Connection (type ``netsuite``, default ``netsuite_default``): login = account ID; host = base
URL (optional, e.g. the local sandbox); extra = ``auth_type`` (``tba`` or ``oauth2``), its
credentials, and ``transport`` (``rest`` default, or ``soap``). Callers hand neutral records
and get an ID map plus per-record errors; a bad record never fails the whole batch.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from airflow.sdk import BaseHook

from stripe_netsuite.hooks.netsuite_auth import SECRET_FIELDS, tba_from_extra
from stripe_netsuite.hooks.netsuite_errors import NetSuiteError, RecordError
from stripe_netsuite.hooks.netsuite_rest import RecordRejected, RestTransport, default_rest_base
from stripe_netsuite.mapping.records import NeutralRecord

SUITEQL_IN_CHUNK = 500


@dataclass
class WriteResult:
    id_map: dict[str, str] = field(default_factory=dict)  # external ID -> internal ID
    errors: list[RecordError] = field(default_factory=list)


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


class NetSuiteHook(BaseHook):
    conn_name_attr = "netsuite_conn_id"
    default_conn_name = "netsuite_default"
    conn_type = "netsuite"
    hook_name = "NetSuite"

    def __init__(self, netsuite_conn_id: str = default_conn_name, *, timeout: float = 120, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.netsuite_conn_id = netsuite_conn_id
        self.timeout = timeout

    @cached_property
    def _connection(self):
        return self.get_connection(self.netsuite_conn_id)

    @property
    def account_id(self) -> str:
        account = self._connection.login
        if not account:
            raise NetSuiteError(
                f"Airflow connection '{self.netsuite_conn_id}' has no NetSuite account ID: put it in the login field"
            )
        return account

    def _extra(self) -> dict:
        extra = self._connection.extra_dejson
        from airflow.sdk.log import mask_secret

        for name in SECRET_FIELDS:
            if extra.get(name):
                mask_secret(extra[name])
        return extra

    def get_conn(self) -> RestTransport:
        return self.transport

    @cached_property
    def transport(self) -> RestTransport:
        extra = self._extra()
        transport = (extra.get("transport") or "rest").lower()
        auth_type = (extra.get("auth_type") or "tba").lower()
        if transport != "rest":
            raise NetSuiteError(
                f"Airflow connection '{self.netsuite_conn_id}' asks for transport '{transport}', which this version "
                "does not support yet; use 'rest'"
            )
        if auth_type != "tba":
            raise NetSuiteError(
                f"Airflow connection '{self.netsuite_conn_id}' asks for auth_type '{auth_type}', which this version "
                "does not support yet; use 'tba'"
            )
        credentials = tba_from_extra(self.netsuite_conn_id, self.account_id, extra)
        host = (self._connection.host or "").rstrip("/")
        if host and "://" not in host:
            host = f"https://{host}"
        if host and self._connection.port and host.count(":") < 2:
            host = f"{host}:{self._connection.port}"
        return RestTransport(host or default_rest_base(self.account_id), credentials.requests_auth(), timeout=self.timeout)

    def test_connection(self) -> tuple[bool, str]:
        try:
            next(iter(self.suiteql("SELECT id FROM subsidiary", page_size=1)), None)
        except NetSuiteError as exc:
            return False, str(exc)
        return True, "Connection successfully tested"

    # -- writes -----------------------------------------------------------------------------

    def upsert(self, record: NeutralRecord) -> str:
        """Upsert one record by external ID; raises ``RecordRejected`` if NetSuite refuses it."""
        return self.transport.upsert(record.record_type, record.external_id, record.fields, record.source_id)

    def upsert_records(self, records: Iterable[NeutralRecord]) -> WriteResult:
        result = WriteResult()
        for record in records:
            try:
                result.id_map[record.external_id] = self.upsert(record)
            except RecordRejected as rejected:
                self.log.warning("%s", rejected.error)
                result.errors.append(rejected.error)
        return result

    # -- reads ------------------------------------------------------------------------------

    def get_record(self, record_type: str, ref: str) -> dict[str, Any] | None:
        return self.transport.get(record_type, ref)

    def suiteql(self, query: str, page_size: int = 1000) -> Iterator[dict[str, Any]]:
        return self.transport.suiteql(query, page_size)

    def rows_by_external_id(
        self, table: str, external_ids: Sequence[str], columns: Sequence[str] = ()
    ) -> dict[str, dict[str, Any]]:
        """Rows of ``table`` whose externalid is in ``external_ids``, keyed by external ID."""
        wanted = ", ".join(["id", "externalid", *columns])
        rows: dict[str, dict[str, Any]] = {}
        unique = sorted(set(external_ids))
        for start in range(0, len(unique), SUITEQL_IN_CHUNK):
            chunk = unique[start : start + SUITEQL_IN_CHUNK]
            query = (
                f"SELECT {wanted} FROM {table} WHERE externalid IN ({', '.join(_quote(x) for x in chunk)}) ORDER BY id"
            )
            for row in self.suiteql(query):
                rows[row["externalid"]] = row
        return rows

    def currency_ids(self) -> dict[str, str]:
        """ISO code (upper case) -> internal ID of every active NetSuite currency."""
        rows = self.suiteql("SELECT id, symbol, isinactive FROM currency ORDER BY id")
        return {row["symbol"].upper(): row["id"] for row in rows if row.get("isinactive") != "T"}
