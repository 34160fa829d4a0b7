"""NetSuiteHook: one interface over NetSuite's web services, in the shape of Airflow's provider hooks.

Connection (type ``netsuite``, default ``netsuite_default``): login = account ID; host = base
URL (optional, e.g. the local sandbox); extra = ``auth_type`` (``tba`` or ``oauth2``), its
credentials, and ``transport`` (``rest`` default, or ``soap``). Callers hand neutral records
and get an ID map plus per-record errors; a bad record never fails the whole batch.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from airflow.sdk import BaseHook

from stripe_netsuite.hooks.connection_url import base_url
from stripe_netsuite.hooks.netsuite_auth import (
    SECRET_FIELDS,
    OAuth2ClientCredentials,
    oauth2_from_extra,
    tba_from_extra,
)
from stripe_netsuite.hooks.netsuite_errors import NetSuiteError, RecordError
from stripe_netsuite.hooks.netsuite_rest import BATCH_MAX, RecordRejected, RestTransport, default_rest_base
from stripe_netsuite.hooks.secrets import get_connection, mask
from stripe_netsuite.mapping.records import NeutralRecord

SUITEQL_IN_CHUNK = 500
DEFAULT_WSDL_VERSION = "2025_2"
DEFAULT_BATCH_THRESHOLD = 50  # below this many records of a type, single upserts beat a batch job
DEFAULT_BATCH_JOBS_IN_FLIGHT = 4  # batch jobs submitted ahead while waiting for the oldest
DEFAULT_TIMEOUT_SECONDS = 120.0  # how long one request waits for NetSuite's answer before it counts as transient


@dataclass
class WriteResult:
    id_map: dict[str, str] = field(default_factory=dict)  # external ID -> internal ID
    errors: list[RecordError] = field(default_factory=list)


def suiteql_quote(value: str) -> str:
    """A SuiteQL string literal."""
    return "'" + value.replace("'", "''") + "'"


class NetSuiteHook(BaseHook):
    conn_name_attr = "netsuite_conn_id"
    default_conn_name = "netsuite_default"
    conn_type = "netsuite"
    hook_name = "NetSuite"

    def __init__(self, netsuite_conn_id: str = default_conn_name, *, timeout: float | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.netsuite_conn_id = netsuite_conn_id
        self.timeout = timeout or DEFAULT_TIMEOUT_SECONDS

    @cached_property
    def _connection(self):
        return get_connection(self, self.netsuite_conn_id)  # never via a DEBUG log line (hooks/secrets.py)

    @property
    def account_id(self) -> str:
        account = self._connection.login
        if not account:
            raise NetSuiteError(
                f"Airflow connection '{self.netsuite_conn_id}' has no NetSuite account ID: put it in the login field"
            )
        return account

    def _extra(self) -> dict:
        return dict(self._parsed_extra)

    @cached_property
    def _parsed_extra(self) -> dict:
        # Not Connection.extra_dejson: it hands every extra value to the secrets masker, which then redacts
        # plain words such as "oauth2" or "soap" anywhere in the logs and warns on every run that "tba"/"rest"
        # are too short to mask. Only the credential fields are secrets, masked once per hook.
        raw = self._connection.extra or "{}"
        try:
            extra = json.loads(raw) if isinstance(raw, str) else dict(raw)
        except ValueError:
            raise NetSuiteError(
                f"Airflow connection '{self.netsuite_conn_id}': the Extra field is not valid JSON; fix it in "
                "Admin > Connections"
            ) from None
        for name in SECRET_FIELDS:
            if extra.get(name):
                mask(extra[name])
        return extra

    def get_conn(self):
        return self.soap if self.transport_name == "soap" else self.rest

    @property
    def transport_name(self) -> str:
        name = (self._extra().get("transport") or "rest").lower()
        if name not in ("rest", "soap"):
            raise NetSuiteError(
                f"Airflow connection '{self.netsuite_conn_id}' asks for transport '{name}'; use 'rest' or 'soap'"
            )
        return name

    @cached_property
    def base_url(self) -> str:
        return base_url(self._connection, default_rest_base(self.account_id))

    @cached_property
    def rest(self) -> RestTransport:
        """REST record API and SuiteQL; SuiteQL serves lookups on the SOAP transport too."""
        extra = self._extra()
        auth_type = (extra.get("auth_type") or "tba").lower()
        if auth_type == "tba":
            auth = tba_from_extra(self.netsuite_conn_id, self.account_id, extra).requests_auth()
        elif auth_type == "oauth2":
            auth = OAuth2ClientCredentials(oauth2_from_extra(self.netsuite_conn_id, self.account_id, extra), self.base_url,
                                           timeout=self.timeout)
        else:
            raise NetSuiteError(
                f"Airflow connection '{self.netsuite_conn_id}' asks for auth_type '{auth_type}'; use 'tba' or 'oauth2'"
            )
        return RestTransport(self.base_url, auth, timeout=self.timeout)

    @cached_property
    def soap(self):
        extra = self._extra()
        if (extra.get("auth_type") or "tba").lower() != "tba":
            raise NetSuiteError(
                f"Airflow connection '{self.netsuite_conn_id}' combines transport 'soap' with auth_type "
                f"'{extra.get('auth_type')}': NetSuite's SOAP web services accept only token-based auth (tba)"
            )
        from stripe_netsuite.hooks.netsuite_soap import SoapTransport

        wsdl = extra.get("wsdl") or f"{self.base_url}/wsdl/v{DEFAULT_WSDL_VERSION}_0/netsuite.wsdl"
        return SoapTransport(wsdl, self.base_url, tba_from_extra(self.netsuite_conn_id, self.account_id, extra),
                             timeout=self.timeout)

    def test_connection(self) -> tuple[bool, str]:
        try:
            next(iter(self.suiteql("SELECT id FROM subsidiary", page_size=1)), None)
        except NetSuiteError as exc:
            return False, str(exc)
        return True, "Connection successfully tested"

    # -- writes -----------------------------------------------------------------------------

    def upsert(self, record: NeutralRecord) -> str:
        """Upsert one record by external ID; raises ``RecordRejected`` if NetSuite refuses it."""
        if self.transport_name == "soap":
            id_map, errors = self.soap.upsert_list([record])
            if errors:
                raise RecordRejected(errors[0])
            return id_map[record.external_id]
        return self.rest.upsert(record.record_type, record.external_id, record.fields, record.source_id)

    def upsert_records(
        self, records: Iterable[NeutralRecord], *, batch_threshold: int | None = None, batch_size: int = BATCH_MAX
    ) -> WriteResult:
        """Upsert every record; per-record refusals come back in ``errors``, never raised.

        SOAP sends upsertList requests of 100. REST sends a batch job per ``batch_size`` (at most 100)
        records of a type when there are at least ``batch_threshold`` of them (connection extra
        ``batch_threshold``, default 50), single upserts otherwise.
        """
        records = list(records)
        result = WriteResult()
        if self.transport_name == "soap":
            id_map, errors = self.soap.upsert_list(records)
            result.id_map.update(id_map)
            result.errors.extend(errors)
        else:
            threshold = batch_threshold or int(self._extra().get("batch_threshold") or DEFAULT_BATCH_THRESHOLD)
            by_type: dict[str, list[NeutralRecord]] = {}
            for record in records:
                by_type.setdefault(record.record_type, []).append(record)
            for record_type, group in by_type.items():
                if len(group) >= threshold:
                    self._rest_batches(record_type, group, result, min(batch_size, BATCH_MAX))
                else:
                    self._rest_singles(group, result)
        for error in result.errors:
            self.log.warning("%s", error)
        return result

    def _rest_singles(self, records: list[NeutralRecord], result: WriteResult) -> None:
        for record in records:
            try:
                result.id_map[record.external_id] = self.rest.upsert(
                    record.record_type, record.external_id, record.fields, record.source_id
                )
            except RecordRejected as rejected:
                result.errors.append(rejected.error)

    def _rest_batches(self, record_type: str, records: list[NeutralRecord], result: WriteResult, size: int) -> None:
        """Batch jobs of ``size``, up to ``batch_jobs_in_flight`` submitted ahead of the one being waited for.

        NetSuite runs asynchronous jobs on its own async processors, in parallel; this task still has
        one request open at a time (a submission or a poll), as its pool slot assumes.
        """
        in_flight = max(1, int(self._extra().get("batch_jobs_in_flight") or DEFAULT_BATCH_JOBS_IN_FLIGHT))
        chunks = [[(r.external_id, r.fields, r.source_id) for r in records[start : start + size]]
                  for start in range(0, len(records), size)]
        submitted: deque[tuple[list, str]] = deque()
        for chunk in chunks:
            if len(submitted) == in_flight:
                self._collect(record_type, *submitted.popleft(), result)
            submitted.append((chunk, self.rest.submit_batch(record_type, chunk)))
        while submitted:
            self._collect(record_type, *submitted.popleft(), result)

    def _collect(self, record_type: str, chunk: list, job: str, result: WriteResult) -> None:
        id_map, errors = self.rest.batch_outcome(record_type, chunk, job)
        result.id_map.update(id_map)
        result.errors.extend(errors)

    # -- reads ------------------------------------------------------------------------------

    def get_record(self, record_type: str, ref: str) -> dict[str, Any] | None:
        return self.rest.get(record_type, ref)

    def suiteql(self, query: str, page_size: int = 1000) -> Iterator[dict[str, Any]]:
        return self.rest.suiteql(query, page_size)

    def suiteql_after(self, query: str, key: str = "id", page_size: int = 1000) -> Iterator[dict[str, Any]]:
        """Every row of a keyset query (``<key> > {after}``, ordered by ``key``), past SuiteQL's 100,000-row cap."""
        return self.rest.suiteql_after(query, key, page_size)

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
                f"SELECT {wanted} FROM {table} WHERE externalid IN ({', '.join(suiteql_quote(x) for x in chunk)}) ORDER BY id"
            )
            for row in self.suiteql(query):
                rows[row["externalid"]] = row
        return rows

    def currency_ids(self) -> dict[str, str]:
        """ISO code (upper case) -> internal ID of every active NetSuite currency."""
        rows = self.suiteql("SELECT id, symbol, isinactive FROM currency ORDER BY id")
        return {row["symbol"].upper(): row["id"] for row in rows if row.get("isinactive") != "T"}
