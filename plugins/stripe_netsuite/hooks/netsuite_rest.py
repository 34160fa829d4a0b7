"""NetSuite REST web services: record API (upsert by external ID, get) and SuiteQL."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import requests
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_random_exponential

from stripe_netsuite.hooks.netsuite_errors import (
    NetSuiteAuthError,
    NetSuiteError,
    NetSuiteTransientError,
    RecordError,
    error_details,
)

SUITEQL_PAGE_MAX = 1000
_EID_ALLOWED = re.compile(r"^[A-Za-z0-9_-]+$")
_TRANSIENT_STATUS = {429, 500, 502, 503, 504}


class RecordRejected(Exception):
    def __init__(self, error: RecordError) -> None:
        super().__init__(str(error))
        self.error = error


def default_rest_base(account_id: str) -> str:
    return f"https://{account_id.lower().replace('_', '-')}.suitetalk.api.netsuite.com"


class RestTransport:
    def __init__(
        self,
        base_url: str,
        auth: requests.auth.AuthBase,
        *,
        timeout: float = 120,
        max_attempts: int = 6,
        max_backoff: float = 30,
        session: requests.Session | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.session = session or requests.Session()
        self.session.auth = auth
        self.timeout = timeout
        self.max_attempts = max_attempts
        self.max_backoff = max_backoff

    # -- plumbing ---------------------------------------------------------------------------

    def _send_once(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        url = f"{self.base_url}/services/rest{path}"
        try:
            response = self.session.request(method, url, timeout=self.timeout, **kwargs)
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise NetSuiteTransientError(f"NetSuite did not answer {method} {path}: {type(exc).__name__}") from None
        if response.status_code in _TRANSIENT_STATUS:
            raise NetSuiteTransientError(f"NetSuite answered {response.status_code} to {method} {path}: {_summary(response)}")
        if response.status_code == 401:
            raise NetSuiteAuthError(
                f"NetSuite refused the credentials for {method} {path} ({_summary(response)}); check the token, "
                "consumer and account ID in the Airflow connection and the Login Audit Trail in NetSuite"
            )
        if response.status_code == 403:
            raise NetSuiteAuthError(
                f"NetSuite denied {method} {path} ({_summary(response)}); the integration role lacks a permission"
            )
        return response

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """Send with retries (exponential backoff with jitter) on transient failures only."""
        retrying = Retrying(
            retry=retry_if_exception_type(NetSuiteTransientError),
            wait=wait_random_exponential(multiplier=0.5, max=self.max_backoff),
            stop=stop_after_attempt(self.max_attempts),
            reraise=True,
        )
        return retrying(self._send_once, method, path, **kwargs)

    # -- records ----------------------------------------------------------------------------

    def upsert(self, record_type: str, external_id: str, fields: dict[str, Any], source_id: str = "") -> str:
        """Create or update the record with this external ID; return its internal ID."""
        if not _EID_ALLOWED.match(external_id):
            raise RecordRejected(
                RecordError(record_type, external_id, "INVALID_EXTERNAL_ID",
                            "external IDs may hold only letters, digits, '_' and '-'", source_id)
            )
        response = self.request(
            "PUT", f"/record/v1/{record_type}/eid:{external_id}", json=fields,
            headers={"Content-Type": "application/json"},
        )
        if response.status_code >= 400:
            raise RecordRejected(_record_error(record_type, external_id, response, source_id))
        location = response.headers.get("Location", "")
        internal_id = location.rstrip("/").rsplit("/", 1)[-1]
        if not internal_id.isdigit():
            raise NetSuiteError(f"NetSuite upserted {record_type} {external_id} but sent no usable Location header")
        return internal_id

    def get(self, record_type: str, ref: str) -> dict[str, Any] | None:
        response = self.request("GET", f"/record/v1/{record_type}/{ref}")
        if response.status_code == 404:
            return None
        if response.status_code >= 400:
            raise NetSuiteError(f"NetSuite refused to read {record_type} {ref}: {_summary(response)}")
        return response.json()

    # -- SuiteQL ----------------------------------------------------------------------------

    def suiteql(self, query: str, page_size: int = SUITEQL_PAGE_MAX) -> Iterator[dict[str, Any]]:
        offset = 0
        while True:
            response = self.request(
                "POST", "/query/v1/suiteql",
                params={"limit": page_size, "offset": offset},
                json={"q": query},
                headers={"Prefer": "transient", "Content-Type": "application/json"},
            )
            if response.status_code >= 400:
                raise NetSuiteError(f"SuiteQL query failed ({_summary(response)}): {query}")
            page = response.json()
            for item in page.get("items", []):
                yield {k: v for k, v in item.items() if k != "links"}
            if not page.get("hasMore"):
                return
            offset += page_size


def _summary(response: requests.Response) -> str:
    try:
        details = error_details(response.json())
    except ValueError:
        details = []
    if details:
        return "; ".join(f"{code}: {detail}" for code, detail, _ in details)
    return f"HTTP {response.status_code}"


def _record_error(record_type: str, external_id: str, response: requests.Response, source_id: str) -> RecordError:
    try:
        details = error_details(response.json())
    except ValueError:
        details = []
    if not details:
        return RecordError(record_type, external_id, f"HTTP_{response.status_code}", response.text[:500], source_id)
    code = details[0][0]
    message = "; ".join(f"{detail}" + (f" (field {path})" if path else "") for _, detail, path in details)
    return RecordError(record_type, external_id, code, message, source_id)
