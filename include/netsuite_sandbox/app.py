"""The NetSuite sandbox application: routes, and the gate every ``/services/`` request passes.

Order for each ``/services/...`` request: authenticate (401 ``INVALID_LOGIN``), take an
account concurrency slot (429 ``CONCURRENCY_LIMIT_EXCEEDED``), wait the configured latency,
run the handler. A ``NetSuiteError`` anywhere becomes NetSuite's error body.
"""

from __future__ import annotations

import sys
import time
import traceback
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sandbox_kit import App, Request, Response, json_response

from netsuite_sandbox import errors
from netsuite_sandbox.auth import AuthGate, LoginAttempt, TbaAuthenticator, TbaCredentials
from netsuite_sandbox.db import Database
from netsuite_sandbox.governance import GovernanceSnapshot, Governor
from netsuite_sandbox.records import RecordStore, custom_fields, default_registry
from netsuite_sandbox.records.serialize import record_json
from netsuite_sandbox.rest import RestApi
from netsuite_sandbox.seed import apply_seed, is_seeded, load_seed, seed_custom_fields
from netsuite_sandbox.suiteql import SuiteQL


class NetSuiteSandbox(App):
    """A local NetSuite account backed by one SQLite file.

    ``credentials``: one ``TbaCredentials`` or several (default: the sandbox-* values).
    ``seed_file``: reference data loaded into a new database (default ``seed.yaml``).
    ``latency_ms``: added to every ``/services/`` request while it holds a concurrency slot
    (also settable later: ``app.latency_ms = 200``).
    ``date_format``: how SuiteQL renders date columns (the account's date preference).
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
    ) -> None:
        super().__init__()
        self.account_id = account_id
        self.latency_ms = latency_ms
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
        self.auth = AuthGate([TbaAuthenticator(account_id, list(credentials))])
        self.governor = Governor(concurrency_limit)
        # Paths under /services/ that skip authentication (the OAuth 2.0 token endpoint, later).
        self.public_paths: set[str] = set()
        self.route("GET", "/", self._about)
        for method, pattern, handler in RestApi(self.store, self.query_engine).routes():
            self.route(method, pattern, handler)

    # --- HTTP ------------------------------------------------------------------------------
    def dispatch(self, request: Request) -> Response:
        try:
            if not request.path.startswith("/services/"):
                return super().dispatch(request)
            if request.path not in self.public_paths:
                self.auth.authenticate(request)
            with self.governor.slot():
                if self.latency_ms:
                    time.sleep(self.latency_ms / 1000)
                return super().dispatch(request)
        except errors.NetSuiteError as exc:
            return exc.response()
        except Exception as exc:  # a sandbox bug: say so in NetSuite's shape, keep the trace
            traceback.print_exc(file=sys.stderr)
            return errors.unexpected(f"Sandbox internal error: {exc!r}").response()

    def not_found(self, request: Request) -> Response:
        return errors.no_route(request.method, request.path).response()

    def method_not_allowed(self, request: Request) -> Response:
        return errors.operation_not_allowed(f"{request.method} is not supported on {request.path}.").response()

    def _about(self, request: Request) -> Response:
        return json_response({"service": "netsuite-sandbox", "account": self.account_id})

    def close(self) -> None:
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
