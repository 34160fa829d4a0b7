"""Fixtures for the Stripe sandbox tests: an embedded sandbox and an official SDK client."""

from __future__ import annotations

import pytest
import requests
import stripe
from sandbox_kit import start_background
from stripe_sandbox import StripeSandbox

API_KEY = "sk_test_sandbox"


class SandboxHandle:
    """The running server, its app, an SDK client and a raw HTTP helper."""

    def __init__(self, app: StripeSandbox, server) -> None:
        self.app = app
        self.server = server
        self.url = server.url
        self.client = make_client(self.url)

    def client_for(self, key: str = API_KEY, retries: int = 2) -> stripe.StripeClient:
        return make_client(self.url, key, retries)

    def raw(self, method: str, path: str, *, key: str | None = API_KEY, **kwargs) -> requests.Response:
        headers = dict(kwargs.pop("headers", {}) or {})
        if key is not None:
            headers.setdefault("Authorization", f"Bearer {key}")
        return requests.request(method, self.url + path, headers=headers, timeout=10, **kwargs)

    def freeze(self, ts: int) -> None:
        assert self.raw("POST", "/_sandbox/clock", json={"frozen_time": ts}).status_code == 200

    def advance(self, seconds: int) -> int:
        response = self.raw("POST", "/_sandbox/clock", json={"advance": seconds})
        assert response.status_code == 200, response.text
        return response.json()["now"]

    def fault(self, **spec) -> dict:
        response = self.raw("POST", "/_sandbox/faults", json=spec)
        assert response.status_code == 200, response.text
        return response.json()


def make_client(url: str, key: str = API_KEY, retries: int = 2) -> stripe.StripeClient:
    return stripe.StripeClient(key, base_addresses={"api": url}, max_network_retries=retries)


@pytest.fixture
def make_sandbox():
    """Factory: ``make_sandbox(seed=..., scenario=..., now=...)``; all stopped at teardown."""
    servers = []

    def factory(**kwargs) -> SandboxHandle:
        app = StripeSandbox(**kwargs)
        server = start_background(app)
        servers.append(server)
        return SandboxHandle(app, server)

    yield factory
    for server in servers:
        server.stop()


@pytest.fixture
def sb(make_sandbox) -> SandboxHandle:
    return make_sandbox()


@pytest.fixture
def client(sb) -> stripe.StripeClient:
    return sb.client


@pytest.fixture
def fast_retries(monkeypatch):
    """SDK retry backoff of 10 ms instead of 0.5 s+ (the retry logic itself is unchanged)."""
    from stripe import _http_client

    monkeypatch.setattr(_http_client.HTTPClient, "INITIAL_DELAY", 0.01)
    monkeypatch.setattr(_http_client.HTTPClient, "MAX_DELAY", 0.02)
