"""Request signing for NetSuite: token-based auth (OAuth 1.0a HMAC-SHA256, realm = account; SOAP\ntokenPassport) and OAuth 2.0 client credentials (REST only)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import jwt
import requests
from oauthlib.oauth1 import SIGNATURE_HMAC_SHA256
from requests.auth import AuthBase
from requests_oauthlib import OAuth1

from stripe_netsuite.hooks.netsuite_errors import NetSuiteAuthError, NetSuiteError, NetSuiteTransientError, unreachable
from stripe_netsuite.hooks.netsuite_retry import log
from stripe_netsuite.hooks.secrets import mask

TBA_FIELDS = ("consumer_key", "consumer_secret", "token_id", "token_secret")
OAUTH2_FIELDS = ("client_id", "certificate_id", "private_key")
SECRET_FIELDS = ("consumer_secret", "token_secret", "private_key")


@dataclass(frozen=True, repr=False)
class TbaCredentials:
    account_id: str
    consumer_key: str
    consumer_secret: str
    token_id: str
    token_secret: str

    def __repr__(self) -> str:  # never print secrets
        return f"TbaCredentials(account_id={self.account_id!r}, consumer_key=***, token_id=***)"

    def requests_auth(self) -> OAuth1:
        # requests-oauthlib signs JSON bodies without an oauth_body_hash, as NetSuite expects.
        return OAuth1(
            self.consumer_key,
            client_secret=self.consumer_secret,
            resource_owner_key=self.token_id,
            resource_owner_secret=self.token_secret,
            signature_method=SIGNATURE_HMAC_SHA256,
            realm=self.account_id,
        )


    def token_passport(self, nonce: str | None = None, timestamp: int | None = None) -> dict:
        """SOAP ``tokenPassport`` fields: HMAC-SHA256 over account&consumerKey&tokenId&nonce&timestamp."""
        nonce = nonce or secrets.token_hex(10)
        timestamp = timestamp or int(time.time())
        message = "&".join([self.account_id, self.consumer_key, self.token_id, nonce, str(timestamp)])
        key = f"{self.consumer_secret}&{self.token_secret}"
        signature = base64.b64encode(hmac.new(key.encode(), message.encode(), hashlib.sha256).digest()).decode()
        return {"account": self.account_id, "consumerKey": self.consumer_key, "token": self.token_id,
                "nonce": nonce, "timestamp": timestamp, "signature": signature}


def _require(conn_id: str, extra: dict, auth_type: str, fields: tuple[str, ...], hint: str) -> None:
    missing = [name for name in fields if not extra.get(name)]
    if missing:
        raise NetSuiteError(
            f"Airflow connection '{conn_id}' uses auth_type '{auth_type}' but its extra lacks "
            f"{', '.join(missing)}; {hint}"
        )


def tba_from_extra(conn_id: str, account_id: str, extra: dict) -> TbaCredentials:
    _require(conn_id, extra, "tba", TBA_FIELDS, "add them from NetSuite's integration record and access token")
    return TbaCredentials(account_id, *(str(extra[name]) for name in TBA_FIELDS))


TOKEN_PATH = "/services/rest/auth/oauth2/v1/token"
# How token endpoint answers are classified. Oracle documents the request and the 200 answer ("POST Request to
# the Token Endpoint and the Access Token Response",
# https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_162755359851.html) and the reasons a refused
# login leaves in the Login Audit Trail ("RESTlets and REST Web Services Error Messages in the Login Audit Trail",
# https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/subsect_158324637123.html), but lists no HTTP
# answer of a refused token request; we rely on OAuth 2.0's (RFC 6749 §5.2, as the NetSuite sandbox answers):
# 400 with "error" invalid_request / invalid_client / invalid_grant / unauthorized_client /
# unsupported_grant_type / invalid_scope, or 401 invalid_client. Those are refusals of the credentials (or of
# the request itself): retrying cannot help. The token endpoint is a REST endpoint under the account's
# concurrency limit (HTTP 429 for REST: netsuite.md §6), and a 5xx is a system error ("Error Handling in REST",
# section_156570709583.html): those, timeouts and lost connections are transient, retried like any NetSuite answer.
_TOKEN_REFUSALS = {
    "invalid_client": "NetSuite does not know the client ID or the certificate ID (kid), or the certificate is "
                      "revoked or no longer mapped (sandbox refreshes clear the mapping)",
    "invalid_grant": "NetSuite refused the signed client assertion: the private key does not match the "
                     "certificate, the algorithm is not one NetSuite accepts, or the clock is off",
    "unauthorized_client": "the integration record does not allow the client credentials (M2M) grant",
    "invalid_scope": "the integration record lacks the REST Web Services scope",
}
_TRANSIENT_TOKEN_STATUS = {429, 500, 502, 503, 504}
_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
_REFRESH_MARGIN_SECONDS = 60


@dataclass(frozen=True, repr=False)
class OAuth2Credentials:
    account_id: str
    client_id: str
    certificate_id: str
    private_key: str
    algorithm: str = "PS256"

    def __repr__(self) -> str:
        return f"OAuth2Credentials(account_id={self.account_id!r}, client_id=***, certificate_id=***)"


def oauth2_from_extra(conn_id: str, account_id: str, extra: dict) -> OAuth2Credentials:
    _require(
        conn_id, extra, "oauth2", OAUTH2_FIELDS,
        "add the integration's client ID, the certificate ID from the OAuth 2.0 client credentials setup, "
        "and the certificate's private key (PEM)",
    )
    return OAuth2Credentials(
        account_id,
        str(extra["client_id"]),
        str(extra["certificate_id"]),
        str(extra["private_key"]),
        str(extra.get("jwt_algorithm") or "PS256"),
    )


def _token_refusal(response: requests.Response) -> NetSuiteError:
    """The error for a non-200 answer of the token endpoint: transient, a refusal of the credentials, or other."""
    status = response.status_code
    try:
        body = response.json()
    except ValueError:
        body = None
    code = str(body.get("error") or "") if isinstance(body, dict) else ""
    if status in _TRANSIENT_TOKEN_STATUS:
        busy = "its concurrency limit" if status == 429 else "unavailable"
        return NetSuiteTransientError(
            f"NetSuite's OAuth 2.0 token endpoint answered HTTP {status} ({busy}) to a request for an access token"
        )
    if status in (400, 401, 403):
        reason = _TOKEN_REFUSALS.get(code, "check the client ID, certificate ID and private key, and that the "
                                           "certificate is mapped to the integration's role")
        return NetSuiteAuthError(
            f"NetSuite refused the OAuth 2.0 client credentials (HTTP {status}{' ' + code if code else ''}): {reason}. "
            "Fix the Airflow connection or the integration in NetSuite (Setup > Integration > OAuth 2.0 Client "
            "Credentials Setup; the reason is in its Login Audit Trail), then clear the task"
        )
    return NetSuiteError(
        f"NetSuite's OAuth 2.0 token endpoint answered HTTP {status}; check the connection's account ID and host"
    )


class OAuth2ClientCredentials(AuthBase):
    """OAuth 2.0 client credentials (M2M): a signed JWT buys a bearer token, cached until shortly
    before it expires and bought again on a 401 (once per request)."""

    def __init__(self, credentials: OAuth2Credentials, base_url: str, *, session_factory=None, clock=time.time,
                 timeout: float = 60) -> None:
        self.credentials = credentials
        self.token_url = f"{base_url.rstrip('/')}{TOKEN_PATH}"
        self.timeout = timeout
        self._session_factory = session_factory or requests.Session
        self._clock = clock
        self._token: str | None = None
        self._expires_at = 0.0
        self._lock = threading.Lock()

    def _assertion(self) -> str:
        now = int(self._clock())
        claims = {"iss": self.credentials.client_id, "scope": ["rest_webservices"], "aud": self.token_url,
                  "iat": now, "exp": now + 3600}
        try:
            return jwt.encode(claims, self.credentials.private_key, algorithm=self.credentials.algorithm,
                              headers={"kid": self.credentials.certificate_id, "typ": "JWT"})
        except (ValueError, TypeError, jwt.PyJWTError) as exc:
            raise NetSuiteError(
                f"Could not sign the OAuth 2.0 client assertion with the connection's private key "
                f"({type(exc).__name__}); check that private_key is the PEM of the certificate's key"
            ) from None

    def _fetch(self) -> str:
        try:
            response = self._session_factory().post(
                self.token_url,
                data={"grant_type": "client_credentials", "client_assertion_type": _ASSERTION_TYPE,
                      "client_assertion": self._assertion()},
                timeout=self.timeout,
            )
        except (requests.Timeout, requests.ConnectionError) as exc:
            raise unreachable(exc, "", self.timeout, endpoint="NetSuite's OAuth 2.0 token endpoint") from None
        if response.status_code != 200:
            raise _token_refusal(response)
        try:
            body = response.json()
            token, lifetime = str(body["access_token"]), float(body.get("expires_in", 3600))
        except (ValueError, KeyError, TypeError):
            raise NetSuiteTransientError(
                "NetSuite's OAuth 2.0 token endpoint answered 200 without a usable access token"
            ) from None
        mask(token)  # before it is kept anywhere a log could reach
        self._token = token
        # Renew a little early (a minute for NetSuite's hour-long tokens) so no request carries a dying token.
        self._expires_at = self._clock() + lifetime - min(_REFRESH_MARGIN_SECONDS, lifetime / 10)
        return self._token

    def token(self, *, force: bool = False) -> str:
        with self._lock:
            if force or self._token is None or self._clock() >= self._expires_at:
                return self._fetch()
            return self._token

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self.token()}"
        request.register_hook("response", self._retry_on_401)
        return request

    def _retry_on_401(self, response: requests.Response, **kwargs) -> requests.Response:
        if response.status_code != 401 or getattr(response.request, "_oauth2_retried", False):
            return response
        response.content  # release the connection
        log.warning("NetSuite no longer accepts the OAuth 2.0 access token (HTTP 401 to %s %s): buying a new "
                    "token and retrying once", response.request.method, urlsplit(response.request.url).path)
        retry = response.request.copy()
        # requests has no field for this mark: set (and read, above) by name on the retried request.
        setattr(retry, "_oauth2_retried", True)
        retry.headers["Authorization"] = f"Bearer {self.token(force=True)}"
        new = response.connection.send(retry, **kwargs)
        new.history.append(response)
        new.request = retry
        return new
