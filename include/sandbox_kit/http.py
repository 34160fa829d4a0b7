"""Request, response and routing for the sandboxes (stdlib only)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit


@dataclass
class Request:
    method: str
    url: str  # absolute URL as the client addressed it (scheme://host:port/path?query)
    path: str
    query: list[tuple[str, str]]
    headers: dict[str, str]  # lower-cased names
    body: bytes = b""
    path_params: dict[str, str] = field(default_factory=dict)

    @classmethod
    def build(cls, method: str, raw_path: str, headers: dict[str, str], body: bytes, host: str) -> Request:
        parts = urlsplit(raw_path)
        lowered = {k.lower(): v for k, v in headers.items()}
        url = f"http://{lowered.get('host', host)}{raw_path}"
        return cls(method.upper(), url, parts.path, parse_qsl(parts.query, keep_blank_values=True), lowered, body)

    def header(self, name: str, default: str | None = None) -> str | None:
        return self.headers.get(name.lower(), default)

    def json(self):
        if not self.body:
            return None
        return json.loads(self.body.decode("utf-8"))


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    # When set, the server closes the socket without answering (fault injection).
    drop_connection: bool = False


def json_response(payload, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    body = json.dumps(payload, separators=(",", ":"), sort_keys=False).encode("utf-8")
    return Response(status, body, {"Content-Type": "application/json", **(headers or {})})


Handler = Callable[[Request], Response]


class App:
    """A tiny router. Subclasses add routes in ``__init__`` and may override ``dispatch``."""

    def __init__(self) -> None:
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = []

    def route(self, method: str, pattern: str, handler: Handler) -> None:
        self._routes.append((method.upper(), re.compile(f"^{pattern}$"), handler))

    def not_found(self, request: Request) -> Response:
        return json_response({"error": f"no route for {request.method} {request.path}"}, 404)

    def method_not_allowed(self, request: Request) -> Response:
        return json_response({"error": f"{request.method} not allowed on {request.path}"}, 405)

    def dispatch(self, request: Request) -> Response:
        path_matched = False
        for method, pattern, handler in self._routes:
            match = pattern.match(request.path)
            if not match:
                continue
            path_matched = True
            if method != request.method:
                continue
            request.path_params = match.groupdict()
            return handler(request)
        return self.method_not_allowed(request) if path_matched else self.not_found(request)

    def close(self) -> None:
        """Release resources (databases); called when the server stops."""
