"""The NetSuite sandbox application: routes, and the gate every ``/services/`` request passes.

Order for each ``/services/...`` request: fault injection (``faults.py``), authenticate (401
``INVALID_LOGIN``; TBA or an OAuth 2.0 bearer token), take an account concurrency slot (429
``CONCURRENCY_LIMIT_EXCEEDED``), wait the configured latency, run the handler. A
``NetSuiteError`` anywhere becomes NetSuite's error body. SOAP
(``/services/NetSuitePort_<version>``) checks its ``tokenPassport``, takes a slot from the same
account pool and answers SOAP faults (``soap/``). ``/_sandbox/...`` are the sandbox's own
control endpoints (faults, ledger, reference settings), without authentication.
"""

from __future__ import annotations

import sys
import time
import traceback
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from decimal import Decimal

from sandbox_kit import App, Request, Response, json_response

from netsuite_sandbox import errors, jsonio, ledger
from netsuite_sandbox.auth import AuthGate, LoginAttempt, TbaAuthenticator, TbaCredentials
from netsuite_sandbox.batch import BatchJobs
from netsuite_sandbox.db import Database
from netsuite_sandbox.faults import FaultInjector
from netsuite_sandbox.governance import GovernanceSnapshot, Governor
from netsuite_sandbox.oauth2 import TOKEN_PATH, OAuth2Client, OAuth2Server
from netsuite_sandbox.records import RecordStore, custom_fields, default_registry
from netsuite_sandbox.records.serialize import record_json
from netsuite_sandbox.reference_settings import ReferenceSettings
from netsuite_sandbox.rest import RestApi
from netsuite_sandbox.seed import apply_seed, is_seeded, load_seed, seed_custom_fields
from netsuite_sandbox.soap.service import SOAP_PATH_RE, SoapService
from netsuite_sandbox.suiteql import SuiteQL


class NetSuiteSandbox(App):
    """A local NetSuite account backed by one SQLite file.

    ``credentials``: one ``TbaCredentials`` or several (default: the sandbox-* values).
    ``seed_file``: reference data loaded into a new database (default ``seed.yaml``).
    ``latency_ms``: added to every ``/services/`` request while it holds a concurrency slot
    (also settable later: ``app.latency_ms = 200``).
    ``record_latency_ms``: added per record of a SOAP list operation (inside the slot) and per
    item of a REST batch job.
    ``date_format``: how SuiteQL renders date columns (the account's date preference).
    ``oauth2_clients``: certificates trusted for OAuth 2.0 (default: the sandbox test certificate,
    client ``sandbox-client-id``, certificate ``sandbox-certificate-id``).
    ``token_ttl_seconds``: lifetime of OAuth 2.0 access tokens.
    """

    def __init__(
        self,
        db_path: str | Path,
        *,
        account_id: str = "SANDBOX",
        concurrency_limit: int = 5,
        credentials: TbaCredentials | Iterable[TbaCredentials] | None = None,
        seed_file: str | Path | None = None,
        latency_ms: int = 0,
        date_format: str = "M/D/YYYY",
        record_latency_ms: int = 0,
        oauth2_clients: OAuth2Client | Iterable[OAuth2Client] | None = None,
        token_ttl_seconds: float = 3600,
    ) -> None:
        super().__init__()
        self.account_id = account_id
        self.latency_ms = latency_ms
        self._record_latency_ms = record_latency_ms
        self.db = Database(db_path)
        try:
            seed = None if is_seeded(self.db) else load_seed(seed_file)
            if seed is not None:  # custom fields first: they shape the SuiteQL tables
                seed_custom_fields(self.db, default_registry(), seed)
            self.registry = default_registry(custom_fields.load(self.db))
            self.store = RecordStore(self.db, self.registry)
            self.store.ensure_projections()
            if seed is not None:
                apply_seed(self.store, seed)
        except BaseException:
            self.db.close()
            raise
        self.query_engine = SuiteQL(self.db, self.registry.suiteql_tables(), date_format=date_format)
        if credentials is None:
            credentials = [TbaCredentials()]
        elif isinstance(credentials, TbaCredentials):
            credentials = [credentials]
        self.credentials = list(credentials)
        self.auth = AuthGate([TbaAuthenticator(account_id, self.credentials)])
        if oauth2_clients is None:
            oauth2_clients = [OAuth2Client()]
        elif isinstance(oauth2_clients, OAuth2Client):
            oauth2_clients = [oauth2_clients]
        self.oauth2 = OAuth2Server(oauth2_clients, token_ttl_seconds=token_ttl_seconds, audit=self.auth.record)
        self.auth.add(self.oauth2)
        self.governor = Governor(concurrency_limit)
        self.faults = FaultInjector()
        self.batch = BatchJobs(self.db, self.store, record_latency_ms=record_latency_ms)
        self.soap = SoapService(self)
        # Paths under /services/ that skip authentication: the OAuth 2.0 token endpoint.
        self.public_paths: set[str] = {TOKEN_PATH}
        self.route("GET", "/", self._about)
        self.route("POST", TOKEN_PATH, self.oauth2.token)
        for method, pattern, handler in RestApi(self.store, self.query_engine, self.batch).routes():
            self.route(method, pattern, handler)
        for method, pattern, handler in self.batch.routes():
            self.route(method, pattern, handler)
        for method, pattern, handler in self.faults.routes():
            self.route(method, pattern, handler)
        self.route("GET", "/_sandbox/ledger/trial-balance", self._trial_balance)
        for method, pattern, handler in ReferenceSettings(self.store).routes():
            self.route(method, pattern, handler)

    # --- HTTP ------------------------------------------------------------------------------
    @property
    def record_latency_ms(self) -> int:
        return self._record_latency_ms

    @record_latency_ms.setter
    def record_latency_ms(self, value: int) -> None:
        self._record_latency_ms = value
        self.batch.record_latency_ms = value

    def dispatch(self, request: Request) -> Response:
        try:
            if not request.path.startswith("/services/"):
                return super().dispatch(request)
            soap = SOAP_PATH_RE.match(request.path) is not None
            rule = self.faults.take(request)
            if rule is not None and not rule.after_commit:
                self.faults.hang(rule)
                return self.faults.response(rule, request, self.soap.injected_fault if soap else None)
            if soap:
                response = self.soap.handle(request)
            else:
                response = self._rest(request)
            if rule is not None:
                self.faults.hang(rule)
                return self.faults.response(rule, request, self.soap.injected_fault if soap else None)
            return response
        except errors.NetSuiteError as exc:
            return exc.response()
        except Exception as exc:  # a sandbox bug: say so in NetSuite's shape, keep the trace
            traceback.print_exc(file=sys.stderr)
            return errors.unexpected(f"Sandbox internal error: {exc!r}").response()

    def _rest(self, request: Request) -> Response:
        try:
            if request.path not in self.public_paths:
                self.auth.authenticate(request)
            with self.governor.slot():
                if self.latency_ms:
                    time.sleep(self.latency_ms / 1000)
                return super().dispatch(request)
        except errors.NetSuiteError as exc:
            return exc.response()

    def not_found(self, request: Request) -> Response:
        return errors.no_route(request.method, request.path).response()

    def method_not_allowed(self, request: Request) -> Response:
        return errors.operation_not_allowed(f"{request.method} is not supported on {request.path}.").response()

    def _about(self, request: Request) -> Response:
        return json_response({"service": "netsuite-sandbox", "account": self.account_id})

    def _trial_balance(self, request: Request) -> Response:
        return jsonio.response({"items": self.trial_balance()})

    def close(self) -> None:
        self.faults.close()
        self.batch.close()
        self.db.close()

    # --- direct helpers (tests, the connector's test oracle; no HTTP, no auth, no governance)
    @property
    def base_url(self) -> str:
        return f"https://{self.account_id.lower().replace('_', '-')}.suitetalk.api.netsuite.com"

    def suiteql(self, q: str) -> list[dict[str, str]]:
        """Every row of a SuiteQL query, formatted as the REST items are (without ``links``)."""
        return self.query_engine.rows(q)

    def get_record(self, record_type: str, id_or_eid: str | int, *, expand: bool = True) -> dict[str, Any] | None:
        """The record as ``GET .../{type}/{id|eid:x}`` returns it, or None if it does not exist."""
        rtype = self.store.record_type(record_type)
        record = self.store.find(rtype.name, str(id_or_eid))
        if record is None:
            return None
        return record_json(self.store, rtype, record, self.base_url, expand=expand)

    def governance(self) -> GovernanceSnapshot:
        """Concurrency figures: limit, in flight, peak, accepted, rejected."""
        return self.governor.snapshot()

    def login_audit(self) -> list[LoginAttempt]:
        """Recent logins with the reason for each failure (never sent to clients)."""
        return self.auth.audit()

    def trial_balance(self) -> list[dict[str, Any]]:
        """Per account with postings: ``{"account", "acctnumber", "acctname", "accttype", "debit",
        "credit", "balance"}`` in the base currency, exact Decimals (balance = debit - credit)."""
        with self.db.transaction() as conn:
            return ledger.trial_balance(conn)

    def account_balance(self, account_id: int | str, currency: int | str | None = None) -> Decimal:
        """An account's balance, debit positive: base currency, or with ``currency`` (an internal
        id) the sum in that currency of the lines of transactions in that currency."""
        with self.db.transaction() as conn:
            return ledger.account_balance(conn, int(account_id), None if currency is None else int(currency))

    def wait_for_jobs(self, timeout: float = 30) -> bool:
        """Block until every REST batch job has finished (True) or the timeout passed (False)."""
        return self.batch.wait_idle(timeout)
