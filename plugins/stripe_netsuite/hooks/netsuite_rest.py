"""NetSuite REST web services: record API (upsert by external ID, get) and SuiteQL."""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Iterator, Sequence
from typing import Any

import requests

from stripe_netsuite.hooks import json_money
from stripe_netsuite.hooks.netsuite_errors import (
    NetSuiteAuthError,
    NetSuiteError,
    NetSuiteTransientError,
    RecordError,
    error_details,
    unreachable,
)
from stripe_netsuite.hooks.netsuite_retry import airflow_retry_note, call_with_retries

SUITEQL_PAGE_MAX = 1000
# Sublists the connector sends whose lines NetSuite matches by a key (apply: by ``doc``), so a write merges
# them into the stored lines: REST leaves them out of ``?replace=``, SOAP sends them ``replaceAll="false"``
# (``netsuite_soap``). A re-write of a credit memo or payment then changes only the documents it names
# (``{"doc": X, "apply": false}`` unapplies X) and never drops an application made elsewhere.
KEYED_SUBLISTS = frozenset({"apply"})
BATCH_MAX = 100
_COLLECTION = "application/vnd.oracle.resource+json; type=collection"
_JOB_LOCATION = re.compile(r"(/services/rest/async/v1/job/[A-Za-z0-9_-]+)")
_EID_ALLOWED = re.compile(r"^[A-Za-z0-9_-]+$")
_TRANSIENT_STATUS = {429, 500, 502, 503, 504}


class RecordRejected(Exception):
    def __init__(self, error: RecordError) -> None:
        super().__init__(str(error))
        self.error = error


# NetSuite's default for a field name it does not know is a warning: the field is dropped and the write succeeds
# (REST API Browser, X-NetSuite-PropertyNameValidation, default Warning). A misnamed field (e.g. a deposit's
# "cashBack" for "cashback") would lose money lines silently; asking for Error makes NetSuite refuse the record.
STRICT_FIELD_NAMES = {"X-NetSuite-PropertyNameValidation": "Error"}


def default_rest_base(account_id: str) -> str:
    return f"https://{account_id.lower().replace('_', '-')}.suitetalk.api.netsuite.com"


class RestTransport:
    def __init__(
        self,
        base_url: str,
        auth: requests.auth.AuthBase,
        *,
        timeout: float = 120,
        max_attempts: int | None = None,
        max_backoff: float | None = None,
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
        except (requests.Timeout, requests.ConnectionError) as exc:
            raise unreachable(exc, f"{method} {path}", self.timeout) from None
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
        """Send with retries (exponential backoff with jitter, each logged) on transient failures only.

        The OAuth 2.0 token a request needs is bought inside it, so a token endpoint that is busy or down
        is retried here like any other NetSuite answer."""
        return call_with_retries(lambda: self._send_once(method, path, **kwargs),
                                 max_attempts=self.max_attempts, max_backoff=self.max_backoff)

    # -- records ----------------------------------------------------------------------------

    @staticmethod
    def replace_param(*bodies: dict[str, Any]) -> dict[str, str]:
        """``?replace=`` naming every line sublist the bodies send, so its lines replace the stored ones.

        NetSuite adds sent lines to an existing record's sublist unless the sublist is named in
        ``replace`` ("Working with Sublists"): a re-sent invoice would otherwise get its lines twice.
        Apply sublists are keyed by the document and stay merged: a line says apply true or false.
        """
        names = sorted({name for body in bodies for name, value in body.items()
                        if isinstance(value, dict) and "items" in value and name not in KEYED_SUBLISTS})
        return {"replace": ",".join(names)} if names else {}

    def upsert(self, record_type: str, external_id: str, fields: dict[str, Any], source_id: str = "") -> str:
        """Create or update the record with this external ID; return its internal ID."""
        if not _EID_ALLOWED.match(external_id):
            raise RecordRejected(
                RecordError(record_type, external_id, "INVALID_EXTERNAL_ID",
                            "external IDs may hold only letters, digits, '_' and '-'", source_id)
            )
        response = self.request(
            "PUT", f"/record/v1/{record_type}/eid:{external_id}", data=json_money.dumps(fields),
            headers={"Content-Type": "application/json", **STRICT_FIELD_NAMES}, params=self.replace_param(fields),
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
        return json_money.loads(response.content)

    # -- batch ------------------------------------------------------------------------------

    def batch_upsert(
        self, record_type: str, items: Sequence[tuple[str, dict[str, Any], str]], *, poll_interval: float = 0.2,
        poll_timeout: float = 900,
    ) -> tuple[dict[str, str], list[RecordError]]:
        """Upsert up to 100 records of one type as one asynchronous job; wait for it; per-record results.

        ``items`` are (external ID, fields, source ID). The idempotency key derives from the content,
        so a task retry after a lost answer finds the earlier job instead of starting another.
        """
        job = self.submit_batch(record_type, items)
        return self.batch_outcome(record_type, items, job, poll_interval=poll_interval, poll_timeout=poll_timeout)

    def submit_batch(self, record_type: str, items: Sequence[tuple[str, dict[str, Any], str]]) -> str:
        """Start the asynchronous job that upserts ``items`` (1 to 100 of one type); returns the job's path."""
        if not 1 <= len(items) <= BATCH_MAX:
            raise ValueError(f"a NetSuite batch holds 1 to {BATCH_MAX} records, got {len(items)}")
        body = {"items": [{**fields, "externalId": external_id} for external_id, fields, _ in items]}
        payload = json_money.dumps(body)
        key = hashlib.sha256(f"{record_type}|{payload}".encode()).hexdigest()[:40]
        response = self.request(
            "PUT", f"/record/v1/{record_type}", data=payload,
            headers={"Prefer": "respond-async", "Content-Type": _COLLECTION, "X-NetSuite-Idempotency-Key": key,
                     **STRICT_FIELD_NAMES},
            params=self.replace_param(*(fields for _, fields, _ in items)),
        )
        if response.status_code == 202:
            job = response.headers.get("Location", "")
        else:
            job = self._earlier_job(response)
        match = _JOB_LOCATION.search(job)
        if not match:
            raise NetSuiteError(f"NetSuite accepted a {record_type} batch but named no job to follow: {_summary(response)}")
        return match.group(1).removeprefix("/services/rest")

    def batch_outcome(
        self, record_type: str, items: Sequence[tuple[str, dict[str, Any], str]], job: str, *,
        poll_interval: float = 0.2, poll_timeout: float = 900,
    ) -> tuple[dict[str, str], list[RecordError]]:
        """Wait for a submitted job and read its per-record results."""
        results = self._job_results(job, poll_interval, poll_timeout)
        return self._batch_outcome(record_type, items, results)

    def _earlier_job(self, response: requests.Response) -> str:
        details = error_details(_json_or_none(response))
        for code, detail, _ in details:
            if code == "IDEMPOTENCY_ERROR":
                return detail
        raise NetSuiteError(f"NetSuite refused a batch: {_summary(response)}")

    def _job_results(self, job_path: str, poll_interval: float, poll_timeout: float) -> list[dict[str, Any]]:
        deadline = time.monotonic() + poll_timeout
        delay = poll_interval
        while True:
            job = json_money.loads(self.request("GET", job_path).content)
            if job.get("completed"):
                break
            if time.monotonic() > deadline:
                raise NetSuiteTransientError(
                    f"NetSuite batch job {job_path} still running after {poll_timeout:.0f} s; {airflow_retry_note()}"
                )
            time.sleep(delay)
            delay = min(delay * 1.5, 5.0)
        results: list[dict[str, Any]] = []
        tasks = json_money.loads(self.request("GET", f"{job_path}/task").content).get("items", [])
        for task in tasks:
            page = self.request("GET", f"{job_path}/task/{task['id']}/result")
            results.extend(json_money.loads(page.content).get("items", []))
        return results

    @staticmethod
    def _batch_outcome(record_type, items, results) -> tuple[dict[str, str], list[RecordError]]:
        id_map: dict[str, str] = {}
        errors: list[RecordError] = []
        by_external = {r.get("externalId"): r for r in results}
        for external_id, _, source_id in items:
            result = by_external.get(external_id)
            if result is None:
                errors.append(RecordError(record_type, external_id, "NO_RESULT", "the batch job returned no result for it", source_id))
            elif int(result.get("status", 500)) < 300 and result.get("id"):
                id_map[external_id] = str(result["id"])
            else:
                details = error_details(result)
                code = details[0][0] if details else f"HTTP_{result.get('status')}"
                message = "; ".join(d for _, d, _ in details) or "rejected without details"
                errors.append(RecordError(record_type, external_id, code, message, source_id))
        return id_map, errors

    # -- SuiteQL ----------------------------------------------------------------------------

    def suiteql(self, query: str, page_size: int = SUITEQL_PAGE_MAX) -> Iterator[dict[str, Any]]:
        """Every row, paged by offset (NetSuite returns at most 100,000 rows of one query: see ``suiteql_after``)."""
        offset = 0
        while True:
            rows, more = self.suiteql_page(query, page_size, offset)
            yield from rows
            if not more:
                return
            offset += page_size

    def suiteql_page(self, query: str, limit: int, offset: int = 0) -> tuple[list[dict[str, Any]], bool]:
        """One page of a SuiteQL query: its rows, and whether more follow."""
        response = self.request(
            "POST", "/query/v1/suiteql",
            params={"limit": limit, "offset": offset},
            data=json_money.dumps({"q": query}),
            headers={"Prefer": "transient", "Content-Type": "application/json"},
        )
        if response.status_code >= 400:
            raise NetSuiteError(f"SuiteQL query failed ({_summary(response)}): {query}")
        page = json_money.loads(response.content)
        return [{k: v for k, v in item.items() if k != "links"} for item in page.get("items", [])], bool(page.get("hasMore"))

    def suiteql_after(self, query: str, key: str = "id", page_size: int = SUITEQL_PAGE_MAX) -> Iterator[dict[str, Any]]:
        """Every row of a query over a table of any size, by keyset: ``query`` holds ``{after}`` in a
        ``<key> > {after}`` condition and orders by ``key``; each page is a query of its own, so SuiteQL's
        cap of 100,000 rows per query never cuts the result short."""
        after = 0
        while True:
            rows, more = self.suiteql_page(query.format(after=after), page_size)
            yield from rows
            if not more or not rows:
                return
            after = int(rows[-1][key])


def _json_or_none(response: requests.Response):
    try:
        return json_money.loads(response.content)
    except ValueError:
        return None


def _summary(response: requests.Response) -> str:
    details = error_details(_json_or_none(response))
    if details:
        return "; ".join(f"{code}: {detail}" for code, detail, _ in details)
    return f"HTTP {response.status_code}"


def _record_error(record_type: str, external_id: str, response: requests.Response, source_id: str) -> RecordError:
    details = error_details(_json_or_none(response))
    if not details:
        return RecordError(record_type, external_id, f"HTTP_{response.status_code}", response.text[:500], source_id)
    code = details[0][0]
    message = "; ".join(f"{detail}" + (f" (field {path})" if path else "") for _, detail, path in details)
    return RecordError(record_type, external_id, code, message, source_id)
