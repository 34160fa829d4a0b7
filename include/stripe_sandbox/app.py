"""``StripeSandbox``: a stateful local Stripe API (v1 wire format) for tests and the demo.

Per request, in order: request ID, API-key check, the scheduled work due by now (renewals,
retries, payouts ...: ``scheduler.py``), control endpoints (``/_sandbox/...``), fault injection,
param decoding, idempotent replay (POST with ``Idempotency-Key``), the resource handler under the
state lock, saving the idempotent result, common headers.
"""

from __future__ import annotations

import base64
import binascii
import gc
import hmac
import time
from collections.abc import Callable
from urllib.parse import unquote

from sandbox_kit import App, Request, Response, json_response

from stripe_sandbox.constants import API_VERSION, DEFAULT_API_KEY
from stripe_sandbox.control import Control
from stripe_sandbox.control_billing import BillingControl
from stripe_sandbox.errors import StripeApiError, invalid_api_key, missing_api_key, unrecognized_url
from stripe_sandbox.faults import Fault, FaultInjector
from stripe_sandbox.forms import decode_form, decode_query
from stripe_sandbox.idempotency import IdempotencyCache, fingerprint
from stripe_sandbox.resources import RESOURCE_CLASSES, ApiCall, Resource
from stripe_sandbox.scenarios import SCENARIOS, Seeder
from stripe_sandbox.state import SandboxState

CONTROL_PREFIX = "/_sandbox/"


class StripeSandbox(App):
    def __init__(
        self,
        *,
        api_key: str = DEFAULT_API_KEY,
        seed: int = 0,
        scenario: str | None = None,
        now: Callable[[], float] | None = None,
        scenario_options: dict | None = None,
    ) -> None:
        super().__init__()
        if scenario is not None and scenario not in SCENARIOS:
            raise ValueError(f"unknown scenario {scenario!r}; known: {', '.join(sorted(SCENARIOS))}")
        self.api_key = api_key
        self.state = SandboxState(seed=seed, now=now)
        self.faults = FaultInjector()
        self.idempotency = IdempotencyCache()
        self.resources: dict[str, Resource] = self.state.resources
        for resource_class in RESOURCE_CLASSES:
            resource = resource_class(self.state)
            self.resources[resource.object_name] = resource
            self.state.expander.register(resource.object_name, resource.expandable)
            self.state.expander.register_includable(resource.object_name, resource.includable())
            for object_type, fields in resource.nested_expandable.items():
                self.state.expander.register(object_type, fields)
            self.state.task_handlers.update(resource.tasks())
            for method, pattern, handler in resource.routes():
                self.route(method, pattern, self._api_handler(handler))
        for method, pattern, handler in [*Control(self.state, self.faults).routes(),
                                         *BillingControl(self.state).routes()]:
            self.route(method, pattern, self._control_handler(handler))
        if scenario is not None:
            self._build(scenario, seed, scenario_options or {})

    def _build(self, scenario: str, seed: int, options: dict) -> None:
        """Seed the scenario. The cyclic garbage collector is paused meanwhile: the history is
        millions of small, long-lived, acyclic dicts, and full collections over a growing heap made
        building 100k invoices quadratic."""
        collecting = gc.isenabled()
        gc.disable()
        try:
            seeder = Seeder(self.state, self.resources, options)
            SCENARIOS[scenario](seeder, seed)
            seeder.finish()
        finally:
            gc.freeze()  # the history is long-lived: keep later collections from walking it (seconds at 100k)
            if collecting:
                gc.enable()

    @property
    def clock(self):
        return self.state.clock

    # -- request pipeline ----------------------------------------------------------------
    def dispatch(self, request: Request) -> Response:
        request_id = self.state.ids.new("req")
        try:
            response = self._pipeline(request, request_id)
        except StripeApiError as err:
            response = error_response(err)
        if not response.drop_connection:
            response.headers.update(
                {
                    "Request-Id": request_id,
                    "Stripe-Version": request.header("stripe-version") or API_VERSION,
                    "Content-Type": "application/json",
                }
            )
            key = request.header("idempotency-key")
            if request.method == "POST" and key and not request.path.startswith(CONTROL_PREFIX):
                response.headers["Idempotency-Key"] = key
        return response

    def _pipeline(self, request: Request, request_id: str) -> Response:
        self._authenticate(request)
        if request.path.startswith(CONTROL_PREFIX):
            with self.state.lock:
                self.state.catch_up()
                response = super().dispatch(request)
                self.state.catch_up()  # a clock change may have made work due
                return response
        self.state.catch_up()  # renewals, retries, payouts ... due by now run before the request
        fault = self.faults.take(request.method, request.path)
        if fault is not None:
            if fault.latency_ms:
                time.sleep(fault.latency_ms / 1000)
            if fault.answers and fault.phase == "before":
                return fault_response(fault)
        response = self._execute(request, request_id)
        if fault is not None and fault.answers and fault.phase == "after":
            return fault_response(fault)
        return response

    def _execute(self, request: Request, request_id: str) -> Response:
        params = decode_query(request.query)
        if request.method == "POST":
            params.update(decode_form(request.body))
        key = request.header("idempotency-key") if request.method == "POST" else None
        request.sandbox_call = ApiCall(params, {}, self.state.context(request_id, key), request)  # type: ignore[attr-defined]
        if not key:
            with self.state.lock:
                return super().dispatch(request)
        self.idempotency.check_key(key)
        fp = fingerprint(request.method, request.path, params)
        with self.state.lock:
            saved = self.idempotency.lookup(key, fp, self.state.clock.now())
            if saved is not None:
                headers = dict(saved.headers)
                headers.update({"Idempotent-Replayed": "true", "Original-Request": saved.request_id})
                return Response(saved.status, saved.body, headers)
            response = super().dispatch(request)
            if 200 <= response.status < 300:
                self.idempotency.save(key, fp, response.status, response.body, response.headers, request_id,
                                      self.state.clock.now())
            return response

    def _authenticate(self, request: Request) -> None:
        header = request.header("authorization")
        if not header:
            raise missing_api_key()
        scheme, _, credentials = header.partition(" ")
        credentials = credentials.strip()
        if scheme.lower() == "basic":
            try:
                credentials = base64.b64decode(credentials, validate=True).decode("utf-8").partition(":")[0]
            except (binascii.Error, UnicodeDecodeError):
                raise invalid_api_key("") from None
        elif scheme.lower() != "bearer":
            raise invalid_api_key(credentials or scheme)
        if not credentials:
            raise missing_api_key()
        if not hmac.compare_digest(credentials.encode("utf-8"), self.api_key.encode("utf-8")):
            raise invalid_api_key(credentials)

    # -- routing glue --------------------------------------------------------------------
    def _api_handler(self, handler: Callable[[ApiCall], dict]) -> Callable[[Request], Response]:
        def run(request: Request) -> Response:
            call: ApiCall = request.sandbox_call  # type: ignore[attr-defined]
            call.path_params = {k: unquote(v) for k, v in request.path_params.items()}
            return json_response(handler(call))

        return run

    @staticmethod
    def _control_handler(handler: Callable[[Request], dict]) -> Callable[[Request], Response]:
        return lambda request: json_response(handler(request))

    def not_found(self, request: Request) -> Response:
        raise unrecognized_url(request.method, request.path)

    def method_not_allowed(self, request: Request) -> Response:
        raise unrecognized_url(request.method, request.path)


def error_response(err: StripeApiError) -> Response:
    return json_response(err.envelope(), err.status, err.headers)


def fault_response(fault: Fault) -> Response:
    if fault.drop_connection:
        return Response(drop_connection=True)
    return error_response(fault.to_error())
