"""StripeHook: Stripe's API through the official SDK, in the shape of Airflow's provider hooks.

Connection (type ``stripe``, default ``stripe_default``): password = secret key; host = API
base URL (optional, e.g. the local sandbox). Requests are rate limited below Stripe's own
limits (test keys 25/s, live 100/s) and retried by the SDK on connection errors, 409, 5xx and
429s marked ``Stripe-Should-Retry``; each retry is logged at WARNING (what failed, attempt n of m,
the wait), and an error says how many retries were made. A failed call raises
``StripeNotFoundError`` only when Stripe says the object does not exist (404 ``resource_missing``),
``StripeTransientError`` when a later try may succeed (rate limit, 409, 5xx, no connection). Reads
go through the SDK's ``raw_request`` (its HTTP client, retries and error types) and come back as
the JSON dicts Stripe sent: building the SDK's objects and turning them back into dicts cost about
2 ms per invoice, most of a large backfill's CPU.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import cached_property
from typing import Any
from urllib.parse import quote, urlsplit

import stripe
from airflow.sdk import BaseHook

from stripe_netsuite.hooks.connection_url import base_url
from stripe_netsuite.hooks.rate_limit import RateLimiter

STRIPE_API_VERSION = stripe.api_version  # pinned by the SDK (16.1.0: 2026-10-28.endive)
PAGE_SIZE = 100
EVENT_RETENTION_DAYS = 30
# Objects whose embedded ``lines`` list holds only the first page; the rest sit behind a sub-list.
_LINE_SERVICES = {"invoice": "invoices", "credit_note": "credit_notes"}

log = logging.getLogger(__name__)


class StripeHookError(RuntimeError):
    """A Stripe call failed; the message says what and what to do, and never holds the key."""


class StripeNotFoundError(StripeHookError):
    """Stripe says the object does not exist (HTTP 404, code ``resource_missing``)."""


class StripeTransientError(StripeHookError):
    """Stripe could not answer now (rate limit, 409 lock, 5xx, no connection): a later try may succeed."""


class StripeAuthError(StripeHookError):
    """Stripe refused the key (wrong, revoked, or lacking a permission): retrying will not help."""


class StripeCursorExpiredError(StripeHookError):
    """The saved event cursor is no longer listable (Stripe keeps events for 30 days)."""


def _failure(response, connection_error) -> str:
    """What went wrong with one attempt, as the SDK saw it: the HTTP status and Stripe's message, or the
    connection error."""
    if response is None:
        return f"connection error: {getattr(connection_error, 'user_message', None) or connection_error}"
    body, status, headers = response
    try:
        message = (json.loads(body).get("error") or {}).get("message") or ""
    except (ValueError, TypeError, AttributeError):
        message = ""
    said = f"HTTP {status}" + (f" {message}" if message else "")
    if headers is not None and "stripe-should-retry" in headers:
        said += f" (Stripe-Should-Retry: {headers['stripe-should-retry']})"
    return said


class _RateLimitedRequestsClient(stripe.RequestsClient):
    """The SDK's HTTP client under the hook's rate limit; it logs each retry the SDK makes and counts them.

    The SDK (16.x) decides a retry in ``_should_retry`` and picks the wait in ``_sleep_time_seconds``, on
    the calling thread; both are wrapped here, so the retry logic itself stays the SDK's.
    """

    def __init__(self, limiter: RateLimiter, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._limiter = limiter
        self._attempts = threading.local()  # per calling thread: the request, its retries, the last failure

    def request(self, method, url, headers, post_data=None, **kwargs):
        self._limiter.acquire()
        self._attempts.request = f"{method.upper()} {urlsplit(url).path}"
        return super().request(method, url, headers, post_data, **kwargs)

    def _should_retry(self, response, api_connection_error, num_retries, max_network_retries):
        retry = super()._should_retry(response, api_connection_error, num_retries, max_network_retries)
        self._attempts.retries = num_retries  # retries made so far for this request (called after each attempt)
        self._attempts.max_retries = max_network_retries or 0
        if retry:
            self._attempts.failure = _failure(response, api_connection_error)
        return retry

    def _sleep_time_seconds(self, num_retries: int) -> float:
        seconds = super()._sleep_time_seconds(num_retries)
        attempts = self._attempts
        log.warning("Stripe %s failed (%s): attempt %d of %d; retrying in %.1f s",
                    getattr(attempts, "request", "request"), getattr(attempts, "failure", "unknown failure"),
                    num_retries, getattr(attempts, "max_retries", 0) + 1, seconds)
        return seconds

    def start_call(self) -> None:
        self._attempts.retries = 0

    def retries_made(self) -> int:
        """Retries the SDK made for this thread's last request."""
        return getattr(self._attempts, "retries", 0)


def _on_threads(fn, items: list, max_workers: int) -> list:
    """``[fn(item) for item in items]`` on a few threads (requests stay under the hook's rate limit)."""
    if not items:
        return []
    with ThreadPoolExecutor(max_workers=max(1, min(max_workers, len(items)))) as pool:
        return list(pool.map(fn, items))


class StripeHook(BaseHook):
    conn_name_attr = "stripe_conn_id"
    default_conn_name = "stripe_default"
    conn_type = "stripe"
    hook_name = "Stripe"

    def __init__(
        self,
        stripe_conn_id: str = default_conn_name,
        *,
        max_network_retries: int = 3,
        requests_per_second: float | None = None,
        timeout: float = 80,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.stripe_conn_id = stripe_conn_id
        self.max_network_retries = max_network_retries
        self.requests_per_second = requests_per_second
        self.timeout = timeout

    # -- connection -------------------------------------------------------------------------

    @cached_property
    def _connection(self):
        from stripe_netsuite.hooks.secrets import get_connection  # no secret in Airflow's DEBUG log (see there)

        return get_connection(self, self.stripe_conn_id)

    @property
    def api_base(self) -> str:
        return base_url(self._connection, "https://api.stripe.com")

    def _default_rate(self, key: str) -> float:
        # Stay below Stripe's global limits: 25/s in test mode, 100/s live.
        return 20.0 if key.startswith(("sk_test_", "rk_test_")) else 80.0

    def get_conn(self) -> stripe.StripeClient:
        return self.client

    @cached_property
    def client(self) -> stripe.StripeClient:
        key = self._connection.password
        if not key:
            raise StripeHookError(
                f"Airflow connection '{self.stripe_conn_id}' has no Stripe secret key: put it in the password field"
            )
        self.mask_key(key)
        limiter = RateLimiter(self.requests_per_second or self._default_rate(key))
        self._http_client = _RateLimitedRequestsClient(limiter, timeout=self.timeout)
        return stripe.StripeClient(
            key,
            base_addresses={"api": self.api_base},
            max_network_retries=self.max_network_retries,
            http_client=self._http_client,
        )

    @staticmethod
    def mask_key(key: str) -> None:
        from airflow.sdk.log import mask_secret

        mask_secret(key)

    def test_connection(self) -> tuple[bool, str]:
        try:
            self._call(lambda: self.client.v1.balance.retrieve(), "read the account balance")
        except StripeHookError as exc:
            return False, str(exc)
        return True, "Connection successfully tested"

    # -- reading ----------------------------------------------------------------------------

    def _get(self, path: str, params: dict[str, Any], action: str, on_invalid_request=None) -> dict[str, Any]:
        """One GET of ``/v1/...``, as the JSON object Stripe answered."""
        return self._call(lambda: self.client.raw_request("get", path, **params).data, action, on_invalid_request)

    def _pages(self, path: str, params: dict[str, Any], action: str, on_invalid_request=None) -> Iterator[dict[str, Any]]:
        """Every item of a list, page by page, in the SDK's ``auto_paging_iter`` order: newest first, or,
        with ``ending_before``, oldest first (pages walk backwards, each read in reverse)."""
        params = dict(params)
        backwards = "ending_before" in params
        while True:
            page = self._get(path, params, action, on_invalid_request)
            items = page.get("data") or []
            yield from (reversed(items) if backwards else items)
            if not page.get("has_more") or not items:
                return
            if backwards:
                params["ending_before"] = items[0]["id"]
            else:
                params["starting_after"] = items[-1]["id"]

    def _retries_said(self, rate_limited: bool = False) -> str:
        """How many retries the SDK made for the failed request, as a message says it."""
        http = getattr(self, "_http_client", None)
        retries = http.retries_made() if http is not None else 0
        if retries:
            return f"after {retries} retr{'y' if retries == 1 else 'ies'}"
        if rate_limited:
            return "not retried: Stripe did not mark this 429 as safe to retry (Stripe-Should-Retry)"
        return "not retried"

    def _call(self, fn, action: str, on_invalid_request=None):
        http = getattr(self, "_http_client", None)
        if http is not None:
            http.start_call()
        try:
            return fn()
        except stripe.InvalidRequestError as exc:
            if on_invalid_request is not None:
                raise on_invalid_request(exc) from None
            if exc.http_status == 404 and exc.code == "resource_missing":
                raise StripeNotFoundError(
                    f"Stripe has no such object (HTTP 404 resource_missing) when trying to {action}: {exc.user_message}"
                ) from None
            raise StripeHookError(
                f"Stripe refused the request to {action} (HTTP {exc.http_status}): {exc.user_message}"
            ) from None
        except stripe.AuthenticationError as exc:
            raise StripeAuthError(
                f"Stripe rejected the API key of connection '{self.stripe_conn_id}' while trying to {action} "
                f"({exc.user_message or 'authentication failed'}); check the secret key in that connection"
            ) from None
        except stripe.PermissionError as exc:
            raise StripeAuthError(
                f"The Stripe key of connection '{self.stripe_conn_id}' may not {action} "
                f"({exc.user_message}); grant the restricted key read access"
            ) from None
        except stripe.RateLimitError as exc:
            raise StripeTransientError(
                f"Stripe answered HTTP 429 (rate limit) to the request to {action}, {self._retries_said(True)} "
                f"({exc.user_message})"
            ) from exc
        except stripe.APIConnectionError as exc:
            raise StripeTransientError(
                f"Could not reach Stripe at {self.api_base} to {action}, {self._retries_said()}: {exc.user_message}"
            ) from exc
        except stripe.APIError as exc:
            status = exc.http_status
            error = StripeTransientError if status is None or status == 409 or status >= 500 else StripeHookError
            raise error(
                f"Stripe answered HTTP {status} to the request to {action}, {self._retries_said()}: {exc.user_message}"
            ) from exc
        except stripe.StripeError as exc:
            raise StripeHookError(
                f"Stripe answered HTTP {exc.http_status} while trying to {action}: {exc.user_message}"
            ) from exc

    def list_objects(
        self,
        resource: str,
        *,
        created_gte: int | None = None,
        created_lt: int | None = None,
        expand: Sequence[str] = (),
        **filters: Any,
    ) -> Iterator[dict[str, Any]]:
        """Every object of ``resource`` (e.g. ``customers``) created in [gte, lt), newest first, as dicts."""
        params: dict[str, Any] = {"limit": PAGE_SIZE, **filters}
        created = {k: v for k, v in (("gte", created_gte), ("lt", created_lt)) if v is not None}
        if created:
            params["created"] = created
        if expand:
            params["expand"] = [f"data.{path}" for path in expand]
        yield from self._pages(f"/v1/{resource}", params, f"list {resource}")

    def retrieve(self, resource: str, object_id: str, *, expand: Sequence[str] = ()) -> dict[str, Any]:
        params = {"expand": list(expand)} if expand else {}
        return self._get(f"/v1/{resource}/{quote(object_id, safe='')}", params, f"retrieve {object_id}")

    def latest_event(self, types: Sequence[str]) -> dict[str, Any] | None:
        page = self._get("/v1/events", {"limit": 1, "types": list(types)}, "list events")
        return page["data"][0] if page.get("data") else None

    def events_after(self, cursor_event_id: str, types: Sequence[str]) -> Iterator[dict[str, Any]]:
        """Events of ``types`` newer than ``cursor_event_id``, oldest first (the order they happened)."""
        params = {"limit": PAGE_SIZE, "types": list(types), "ending_before": cursor_event_id}

        def expired(exc: stripe.InvalidRequestError) -> StripeCursorExpiredError:
            return StripeCursorExpiredError(
                f"Stripe no longer lists the cursor event {cursor_event_id} ({exc.user_message}). Stripe keeps "
                f"events for {EVENT_RETENTION_DAYS} days: run a backfill (params start/end) over the gap, then "
                "delete the cursor Variable so the next scheduled run starts fresh"
            )

        yield from self._pages("/v1/events", params, "list events", expired)

    # -- completing objects -----------------------------------------------------------------

    def complete_lines(self, obj: dict[str, Any], expand: Sequence[str] = ()) -> dict[str, Any]:
        """``obj`` (an invoice or credit note dict) with every line, fetching pages past the first.

        ``expand`` names expansions of each line (e.g. ``discounts``), as on the embedded lines.
        """
        service = _LINE_SERVICES.get(obj.get("object", ""))
        lines = obj.get("lines") or {}
        if service is None or not lines.get("has_more"):
            return obj
        known = list(lines.get("data") or [])
        params: dict[str, Any] = {"limit": PAGE_SIZE}
        if known:
            params["starting_after"] = known[-1]["id"]
        if expand:
            params["expand"] = [f"data.{path}" for path in expand]
        rest = list(self._pages(f"/v1/{service}/{obj['id']}/lines", params, f"list lines of {obj['id']}"))
        return {**obj, "lines": {**lines, "data": known + rest, "has_more": False}}

    def complete_all_lines(
        self, objects: Iterable[dict[str, Any]], max_workers: int = 4, expand: Sequence[str] = ()
    ) -> list[dict[str, Any]]:
        """``complete_lines`` over many objects; pages are fetched on a few threads (under the rate limit)."""
        objects = list(objects)
        needy = [i for i, o in enumerate(objects) if (o.get("lines") or {}).get("has_more")]
        done = _on_threads(lambda o: self.complete_lines(o, expand), [objects[i] for i in needy], max_workers)
        for index, completed in zip(needy, done):
            objects[index] = completed
        return objects

    def retrieve_many(
        self, resource: str, object_ids: Iterable[str], *, expand: Sequence[str] = (), max_workers: int = 4
    ) -> dict[str, dict[str, Any] | StripeHookError]:
        """Each object by ID, fetched on a few threads; a failed read comes back as its error, not raised."""
        ids = sorted(set(object_ids))

        def one(object_id: str) -> dict[str, Any] | StripeHookError:
            try:
                return self.retrieve(resource, object_id, expand=expand)
            except StripeAuthError:
                raise
            except StripeHookError as exc:
                return exc

        return dict(zip(ids, _on_threads(one, ids, max_workers)))

    def credit_notes_of(self, invoice_ids: Iterable[str], max_workers: int = 4) -> dict[str, list[dict[str, Any]]]:
        """Every credit note of each invoice, each with all its lines (one list request per invoice)."""
        ids = sorted(set(invoice_ids))

        def of(invoice_id: str) -> list[dict[str, Any]]:
            notes = self.list_objects("credit_notes", invoice=invoice_id)
            return [self.complete_lines(note) for note in notes]

        return dict(zip(ids, _on_threads(of, ids, max_workers)))

    def payout_balance_transactions(self, payout_id: str, *, expand_source: bool = True) -> list[dict[str, Any]]:
        """Every balance transaction paid out by an automatic payout (its own ``payout`` row included)."""
        params: dict[str, Any] = {"limit": PAGE_SIZE, "payout": payout_id}
        if expand_source:
            params["expand"] = ["data.source"]
        return list(self._pages("/v1/balance_transactions", params, f"list balance transactions of {payout_id}"))
