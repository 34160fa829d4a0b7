"""Who may call the sandbox: NetSuite token-based authentication (OAuth 1.0a, HMAC-SHA256).

``AuthGate`` picks an ``Authenticator`` by the ``Authorization`` scheme (``OAuth`` today) and
turns any failure into NetSuite's 401 ``INVALID_LOGIN`` body, which never says why. The reason
goes to the login audit trail instead (``AuthGate.audit``), as in NetSuite's UI.

OAuth 2.0 bearer tokens: ``oauth2.OAuth2Server`` (``scheme = "bearer"``) is registered with the
gate; its token endpoint is a public path of the app. SOAP's ``tokenPassport`` is checked by
``soap/passport.py`` with the same credentials.

TBA signature check (netsuite.md §7.2, RFC 5849): base string =
``METHOD & enc(scheme://host/path) & enc(sorted(enc(k)=enc(v) for query + oauth_* params))``,
key = ``enc(consumer_secret) & enc(token_secret)``, signature = base64(HMAC-SHA256). The JSON
body is not signed. ``realm`` must equal the account ID. The timestamp must be within
``max_skew`` seconds of now, and a nonce may be used once per consumer and token.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import quote, unquote, urlsplit

from sandbox_kit import Request

from netsuite_sandbox import errors


@dataclass(frozen=True)
class TbaCredentials:
    """One integration record (consumer) plus one access token. Secrets never appear in repr."""

    consumer_key: str = "sandbox-consumer-key"
    consumer_secret: str = field(default="sandbox-consumer-secret", repr=False)
    token_id: str = "sandbox-token-id"
    token_secret: str = field(default="sandbox-token-secret", repr=False)


@dataclass(frozen=True)
class Principal:
    """The caller a request was authenticated as."""

    scheme: str  # "tba" (later "oauth2")
    consumer_key: str
    token_id: str | None = None


class AuthFailure(Exception):
    """Why a login failed: recorded in the audit trail, never sent to the client."""

    def __init__(self, reason: str, identity: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.identity = identity


class Authenticator(Protocol):
    scheme: str  # lower-case Authorization scheme it handles: "oauth", later "bearer"

    def authenticate(self, request: Request, credentials: str) -> Principal:
        """``credentials`` is the Authorization header after the scheme; raise AuthFailure."""
        ...


@dataclass(frozen=True)
class LoginAttempt:
    at: float
    scheme: str
    identity: str | None  # consumer key (never a secret)
    ok: bool
    reason: str


class AuthGate:
    def __init__(self, authenticators: Iterable[Authenticator] = (), audit_size: int = 500) -> None:
        self._by_scheme: dict[str, Authenticator] = {}
        self._audit: deque[LoginAttempt] = deque(maxlen=audit_size)
        self._lock = threading.Lock()
        for authenticator in authenticators:
            self.add(authenticator)

    def add(self, authenticator: Authenticator) -> None:
        self._by_scheme[authenticator.scheme.lower()] = authenticator

    def authenticate(self, request: Request) -> Principal:
        header = request.header("authorization") or ""
        scheme, _, rest = header.strip().partition(" ")
        authenticator = self._by_scheme.get(scheme.lower())
        try:
            if not header:
                raise AuthFailure("no Authorization header")
            if authenticator is None:
                raise AuthFailure(f"unsupported Authorization scheme {scheme!r}")
            principal = authenticator.authenticate(request, rest)
        except AuthFailure as failure:
            self._record(LoginAttempt(time.time(), scheme.lower(), failure.identity, False, failure.reason))
            raise errors.invalid_login() from None
        self._record(LoginAttempt(time.time(), scheme.lower(), principal.consumer_key, True, "ok"))
        return principal

    def _record(self, attempt: LoginAttempt) -> None:
        with self._lock:
            self._audit.append(attempt)

    record = _record  # for authenticators outside the gate (token endpoint, SOAP passport)

    def audit(self) -> list[LoginAttempt]:
        """The login audit trail, oldest first (bounded)."""
        with self._lock:
            return list(self._audit)


# --- TBA ---------------------------------------------------------------------------------

OAUTH_REQUIRED = (
    "oauth_consumer_key", "oauth_token", "oauth_nonce", "oauth_timestamp",
    "oauth_signature_method", "oauth_signature",
)
_PARAM_RE = re.compile(r'\s*([A-Za-z0-9_]+)\s*=\s*"([^"]*)"\s*(?:,|$)')


def enc(value: object) -> str:
    """RFC 3986 percent-encoding: only A-Z a-z 0-9 - . _ ~ stay as they are."""
    return quote(str(value), safe="~")


def parse_oauth_params(credentials: str) -> dict[str, str]:
    params: dict[str, str] = {}
    pos = 0
    text = credentials.strip()
    while pos < len(text):
        match = _PARAM_RE.match(text, pos)
        if not match:
            raise AuthFailure("malformed OAuth Authorization header")
        key, value = match.group(1), unquote(match.group(2))
        if key in params:
            raise AuthFailure(f"repeated OAuth parameter {key}")
        params[key] = value
        pos = match.end()
    return params


def signature_base_string(method: str, url: str, query: list[tuple[str, str]], oauth: dict[str, str]) -> str:
    parts = urlsplit(url)
    base_url = f"{parts.scheme.lower()}://{parts.netloc.lower()}{parts.path}"
    pairs = list(query) + [(k, v) for k, v in oauth.items() if k not in ("realm", "oauth_signature")]
    normalized = "&".join(f"{k}={v}" for k, v in sorted((enc(k), enc(v)) for k, v in pairs))
    return "&".join([method.upper(), enc(base_url), enc(normalized)])


def hmac_sha256_signature(base_string: str, consumer_secret: str, token_secret: str) -> str:
    key = f"{enc(consumer_secret)}&{enc(token_secret)}"
    return base64.b64encode(hmac.new(key.encode(), base_string.encode(), hashlib.sha256).digest()).decode()


class NonceCache:
    """Nonces seen recently, per consumer and token; entries expire after ``ttl`` seconds."""

    def __init__(self, ttl: float, clock: Callable[[], float]) -> None:
        self.ttl = ttl
        self.clock = clock
        self._seen: OrderedDict[tuple[str, str, str], float] = OrderedDict()
        self._lock = threading.Lock()

    def use(self, consumer_key: str, token_id: str, nonce: str) -> bool:
        """Record the nonce; False if it was already used."""
        now = self.clock()
        key = (consumer_key, token_id, nonce)
        with self._lock:
            while self._seen:
                oldest_key, seen_at = next(iter(self._seen.items()))
                if now - seen_at <= self.ttl:
                    break
                self._seen.pop(oldest_key)
            if key in self._seen:
                return False
            self._seen[key] = now
            return True


class TbaAuthenticator:
    scheme = "oauth"

    def __init__(
        self,
        account_id: str,
        credentials: Iterable[TbaCredentials],
        *,
        max_skew: int = 300,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.account_id = account_id
        self.max_skew = max_skew
        self.clock = clock
        self._tokens = {(c.consumer_key, c.token_id): c for c in credentials}
        self._consumers = {c.consumer_key for c in self._tokens.values()}
        self._nonces = NonceCache(ttl=2 * max_skew, clock=clock)

    def authenticate(self, request: Request, credentials: str) -> Principal:
        params = parse_oauth_params(credentials)
        consumer_key = params.get("oauth_consumer_key")
        missing = [name for name in OAUTH_REQUIRED if not params.get(name)]
        if missing:
            raise AuthFailure(f"missing OAuth parameters {missing}", consumer_key)
        if params.get("realm") != self.account_id:
            raise AuthFailure(f"realm {params.get('realm')!r} is not the account ID", consumer_key)
        if params["oauth_signature_method"] != "HMAC-SHA256":
            raise AuthFailure(f"unsupported signature method {params['oauth_signature_method']!r}", consumer_key)
        if params.get("oauth_version", "1.0") != "1.0":
            raise AuthFailure(f"unsupported OAuth version {params['oauth_version']!r}", consumer_key)
        if consumer_key not in self._consumers:
            raise AuthFailure("unknown consumer key", consumer_key)
        token = self._tokens.get((consumer_key, params["oauth_token"]))
        if token is None:
            raise AuthFailure("unknown or revoked token for this consumer", consumer_key)
        try:
            timestamp = int(params["oauth_timestamp"])
        except ValueError:
            raise AuthFailure("timestamp is not an integer", consumer_key) from None
        if abs(self.clock() - timestamp) > self.max_skew:
            raise AuthFailure(f"timestamp more than {self.max_skew} s from the server clock", consumer_key)
        base_string = signature_base_string(request.method, request.url, request.query, params)
        expected = hmac_sha256_signature(base_string, token.consumer_secret, token.token_secret)
        if not hmac.compare_digest(expected.encode(), params["oauth_signature"].encode()):
            raise AuthFailure("signature mismatch", consumer_key)
        if not self._nonces.use(consumer_key, token.token_id, params["oauth_nonce"]):
            raise AuthFailure("nonce already used", consumer_key)
        return Principal("tba", consumer_key, token.token_id)
