"""Tools of the Stripe-side reliability cases: sandbox faults, fast SDK retries, a proxy rewriting Stripe's answers.

The Stripe sandbox only sends values Stripe documents; a new value (a status Stripe adds next year) is
made by ``RewritingProxy``, a small HTTP proxy in front of the sandbox that rewrites chosen fields of
chosen objects wherever they appear in an answer (lists, retrieves, expansions, events), as the issue's
filer did. The StripeHook's connection host points at the proxy.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import requests

from tests.fixtures.sandboxes import STRIPE_KEY


@pytest.fixture
def fast_sdk_retries(monkeypatch):
    """The Stripe SDK's backoff at 10-20 ms instead of 0.5-5 s (its retry decisions are unchanged); DAGs run
    in this process (dag.test), so their StripeHook sees it."""
    from stripe import _http_client

    monkeypatch.setattr(_http_client.HTTPClient, "INITIAL_DELAY", 0.01)
    monkeypatch.setattr(_http_client.HTTPClient, "MAX_DELAY", 0.02)


def stripe_fault(url: str, **spec: Any) -> None:
    """Inject a fault into the Stripe sandbox at ``url`` (include/stripe_sandbox/faults.py)."""
    response = requests.post(f"{url}/_sandbox/faults", json=spec, timeout=10,
                             headers={"Authorization": f"Bearer {STRIPE_KEY}"})
    assert response.status_code == 200, response.text


def stripe_faults_left(url: str) -> list[dict]:
    response = requests.get(f"{url}/_sandbox/faults", timeout=10, headers={"Authorization": f"Bearer {STRIPE_KEY}"})
    return response.json()["data"]


def _set(obj: Any, path: str, value: Any) -> None:
    """Set ``a.b.0.c`` in nested dicts and lists (a digit indexes a list)."""
    *parents, last = path.split(".")
    for part in parents:
        obj = obj[int(part)] if isinstance(obj, list) else obj[part]
    if isinstance(obj, list):
        obj[int(last)] = value
    else:
        obj[last] = value


class RewritingProxy:
    """An HTTP proxy to ``upstream`` that sets ``rewrites[object ID][dotted path] = value`` in every JSON
    answer, wherever an object with that ID appears. ``rewrites`` may be changed while it runs."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.rstrip("/")
        self.rewrites: dict[str, dict[str, Any]] = {}
        self.rewritten: set[str] = set()  # object IDs rewritten in at least one answer
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def _forward(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
                answer = requests.request(self.command, proxy.upstream + self.path, headers=headers, data=body,
                                          timeout=120)
                content = answer.content
                if "json" in answer.headers.get("Content-Type", ""):
                    content = json.dumps(proxy.rewrite(answer.json())).encode()
                self.send_response(answer.status_code)
                for key, value in answer.headers.items():
                    if key.lower() not in ("content-length", "transfer-encoding", "connection", "content-encoding",
                                           "date", "server"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            do_GET = do_POST = do_DELETE = _forward

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def rewrite(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self.rewrite(v) for v in value]
        if not isinstance(value, Mapping):
            return value
        value = {k: self.rewrite(v) for k, v in value.items()}
        for path, new in self.rewrites.get(value.get("id"), {}).items():
            _set(value, path, new)
            self.rewritten.add(value["id"])
        return value

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
