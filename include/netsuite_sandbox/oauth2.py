"""OAuth 2.0 client credentials (machine to machine) for the REST API, as NetSuite does it.

``POST /services/rest/auth/oauth2/v1/token`` with a form body ``grant_type=client_credentials``,
``client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer``,
``client_assertion=<JWT>`` (netsuite.md §7.1). The JWT must be signed with the private key of a
certificate the account trusts (PS256/384/512 or ES256/384/512), with header ``kid`` = that
certificate's ID, and claims ``iss`` = the integration's client ID, ``scope`` containing
``rest_webservices`` (a list or a space/comma separated string), ``aud`` = the token URL as the
client addressed it, ``iat`` and ``exp`` with ``exp - iat <= 3600`` and not expired.

Answer ``200 {"access_token": "...", "token_type": "bearer", "expires_in": <ttl>}``; the token
is then accepted as ``Authorization: Bearer <token>`` by every REST endpoint until it expires
(``token_ttl_seconds``, default 3600). Refusals: ``400 {"error": "invalid_request" |
"unsupported_grant_type" | "invalid_grant"}``, ``401 {"error": "invalid_client"}`` (unknown
certificate or client); the reason goes to the login audit trail. An expired or unknown bearer
token -> 401 ``INVALID_LOGIN``. Tokens live in memory: a restarted sandbox forgets them (a
client gets 401 and asks for a new one). SOAP never accepts OAuth 2.0, as in NetSuite.

The sandbox trusts one test certificate by default: ``oauth2_test_cert.pem`` (public) with
client ID ``sandbox-client-id`` and certificate ID ``sandbox-certificate-id``; its private key
``oauth2_test_key.pem`` ships in the package for tests and the demo. SANDBOX ONLY: the key is
public, never map it to a real NetSuite integration.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from sandbox_kit import Request, Response, json_response

from netsuite_sandbox.auth import AuthFailure, LoginAttempt, Principal

TOKEN_PATH = "/services/rest/auth/oauth2/v1/token"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ALGORITHMS = ["PS256", "PS384", "PS512", "ES256", "ES384", "ES512"]
MAX_ASSERTION_LIFETIME = 3600
TEST_KEY_PATH = Path(__file__).with_name("oauth2_test_key.pem")
TEST_CERT_PATH = Path(__file__).with_name("oauth2_test_cert.pem")


def sandbox_private_key_pem() -> str:
    """The private key of the sandbox's test certificate (SANDBOX ONLY)."""
    return TEST_KEY_PATH.read_text()


def _default_cert() -> str:
    return TEST_CERT_PATH.read_text()


@dataclass(frozen=True)
class OAuth2Client:
    """An integration record's client ID plus one certificate mapped to it."""

    client_id: str = "sandbox-client-id"
    certificate_id: str = "sandbox-certificate-id"
    public_pem: str = field(default_factory=_default_cert, repr=False)  # certificate or public key

    def public_key(self):
        data = self.public_pem.encode()
        if b"CERTIFICATE" in data:
            return x509.load_pem_x509_certificate(data[data.index(b"-----BEGIN"):]).public_key()
        return serialization.load_pem_public_key(data[data.index(b"-----BEGIN"):])


class _Refused(Exception):
    def __init__(self, status: int, error: str, reason: str, identity: str | None = None) -> None:
        super().__init__(reason)
        self.status, self.error, self.reason, self.identity = status, error, reason, identity


class OAuth2Server:
    """The token endpoint and the bearer-token authenticator (``scheme = "bearer"``)."""

    scheme = "bearer"

    def __init__(self, clients: Iterable[OAuth2Client], *, token_ttl_seconds: float = 3600,
                 clock: Callable[[], float] = time.time,
                 audit: Callable[[LoginAttempt], None] | None = None) -> None:
        self._by_kid = {c.certificate_id: c for c in clients}
        self.token_ttl_seconds = token_ttl_seconds
        self.clock = clock
        self._audit = audit or (lambda attempt: None)
        self._tokens: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()

    # --- POST /services/rest/auth/oauth2/v1/token ------------------------------------------
    def token(self, request: Request) -> Response:
        try:
            client = self._check(request)
        except _Refused as refused:
            self._audit(LoginAttempt(self.clock(), "oauth2", refused.identity, False, refused.reason))
            return json_response({"error": refused.error}, refused.status)
        access_token = secrets.token_urlsafe(48)
        with self._lock:
            now = self.clock()
            self._tokens = {t: v for t, v in self._tokens.items() if v[1] > now}
            self._tokens[access_token] = (client.client_id, now + self.token_ttl_seconds)
        self._audit(LoginAttempt(self.clock(), "oauth2", client.client_id, True, "token issued"))
        ttl = int(self.token_ttl_seconds) if float(self.token_ttl_seconds).is_integer() else self.token_ttl_seconds
        return json_response({"access_token": access_token, "token_type": "bearer", "expires_in": ttl},
                             headers={"Cache-Control": "no-store"})

    def _check(self, request: Request) -> OAuth2Client:
        form = dict(parse_qsl(request.body.decode("utf-8", "replace"), keep_blank_values=True))
        if form.get("grant_type") != "client_credentials":
            raise _Refused(400, "unsupported_grant_type", f"grant_type {form.get('grant_type')!r}")
        if form.get("client_assertion_type") != ASSERTION_TYPE:
            raise _Refused(400, "invalid_request", "client_assertion_type is not jwt-bearer")
        assertion = form.get("client_assertion") or ""
        try:
            header = jwt.get_unverified_header(assertion)
        except jwt.PyJWTError as exc:
            raise _Refused(400, "invalid_request", f"client_assertion is not a JWT: {exc}") from None
        client = self._by_kid.get(str(header.get("kid")))
        if client is None:
            raise _Refused(401, "invalid_client", f"unknown certificate ID (kid) {header.get('kid')!r}")
        if header.get("alg") not in ALGORITHMS:
            raise _Refused(400, "invalid_grant", f"algorithm {header.get('alg')!r} not accepted", client.client_id)
        parts = urlsplit(request.url)
        token_url = f"{parts.scheme}://{parts.netloc}{parts.path}"
        try:
            claims = jwt.decode(
                assertion, client.public_key(), algorithms=ALGORITHMS, audience=token_url,
                options={"require": ["iss", "aud", "iat", "exp", "scope"]}, leeway=5,
            )
        except jwt.PyJWTError as exc:
            raise _Refused(400, "invalid_grant", f"assertion rejected: {type(exc).__name__}: {exc}", client.client_id) from None
        if claims["iss"] != client.client_id:
            raise _Refused(401, "invalid_client", f"iss {claims['iss']!r} is not the certificate's client ID", client.client_id)
        scope = claims["scope"]
        scopes = scope if isinstance(scope, list) else str(scope).replace(",", " ").split()
        if "rest_webservices" not in scopes:
            raise _Refused(400, "invalid_grant", f"scope {scope!r} lacks rest_webservices", client.client_id)
        if not isinstance(claims["iat"], (int, float)) or claims["exp"] - claims["iat"] > MAX_ASSERTION_LIFETIME:
            raise _Refused(400, "invalid_grant", "exp - iat exceeds 3600 seconds", client.client_id)
        return client

    def issued_tokens(self) -> list[str]:
        """Every access token issued and not yet dropped (direct helper for tests: secrets to look for)."""
        with self._lock:
            return list(self._tokens)

    # --- Authorization: Bearer <token> -----------------------------------------------------
    def authenticate(self, request: Request, credentials: str) -> Principal:
        token = credentials.strip()
        with self._lock:
            entry = self._tokens.get(token)
        if entry is None:
            raise AuthFailure("unknown OAuth 2.0 access token")
        client_id, expires_at = entry
        if self.clock() >= expires_at:
            raise AuthFailure("OAuth 2.0 access token expired", client_id)
        return Principal("oauth2", client_id)
