"""OAuth 2.0 client credentials: the token endpoint, bearer tokens on REST, expiry; never on SOAP."""

from __future__ import annotations

import time
import uuid

import jwt
import pytest
import requests
from ns_helpers import NsClient, assert_error

from netsuite_sandbox.oauth2 import sandbox_private_key_pem

TOKEN_PATH = "/services/rest/auth/oauth2/v1/token"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def _assertion(url, *, kid="sandbox-certificate-id", iss="sandbox-client-id", scope=("rest_webservices",),
               aud=None, lifetime=3600, iat=None, key=None, algorithm="PS256"):
    now = int(time.time()) if iat is None else iat
    claims = {"iss": iss, "scope": list(scope), "aud": aud or url + TOKEN_PATH, "iat": now, "exp": now + lifetime,
              "jti": str(uuid.uuid4())}
    return jwt.encode(claims, key or sandbox_private_key_pem(), algorithm=algorithm, headers={"kid": kid, "typ": "JWT"})


def _token(url, assertion, grant_type="client_credentials"):
    return requests.post(url + TOKEN_PATH, data={"grant_type": grant_type, "client_assertion_type": ASSERTION_TYPE,
                                                 "client_assertion": assertion}, timeout=10)


def _bearer(url, token, path="/services/rest/record/v1/currency/1"):
    return requests.get(url + path, headers={"Authorization": f"Bearer {token}"}, timeout=10)


def test_client_credentials_buy_a_bearer_token_that_rest_accepts(sandbox):
    response = _token(sandbox.url, _assertion(sandbox.url))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "bearer" and body["expires_in"] == 3600 and len(body["access_token"]) > 30
    assert _bearer(sandbox.url, body["access_token"]).json()["symbol"] == "USD"
    query = requests.post(sandbox.url + "/services/rest/query/v1/suiteql", json={"q": "SELECT id FROM currency"},
                          headers={"Authorization": f"Bearer {body['access_token']}", "Prefer": "transient"}, timeout=10)
    assert query.status_code == 200
    assert sandbox.app.login_audit()[-1].scheme == "bearer"


@pytest.mark.parametrize("change, error", [
    ({"kid": "unknown-cert"}, "invalid_client"),
    ({"iss": "someone-else"}, "invalid_client"),
    ({"scope": ("restlets",)}, "invalid_grant"),
    ({"aud": "https://elsewhere.example/services/rest/auth/oauth2/v1/token"}, "invalid_grant"),
    ({"lifetime": 3601}, "invalid_grant"),
    ({"iat": int(time.time()) - 7200, "lifetime": 3600}, "invalid_grant"),  # expired
    ({"algorithm": "RS256"}, "invalid_grant"),
])
def test_bad_assertions_are_refused(sandbox, change, error):
    response = _token(sandbox.url, _assertion(sandbox.url, **change))
    assert response.status_code in (400, 401) and response.json() == {"error": error}, response.text
    assert not sandbox.app.login_audit()[-1].ok


def test_a_key_the_sandbox_does_not_trust_is_refused(sandbox):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    other = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    response = _token(sandbox.url, _assertion(sandbox.url, key=other))
    assert response.status_code == 400 and response.json()["error"] == "invalid_grant"
    assert _token(sandbox.url, "not-a-jwt").json()["error"] == "invalid_request"
    assert _token(sandbox.url, _assertion(sandbox.url), grant_type="password").json()["error"] == "unsupported_grant_type"


def test_an_expired_token_gives_401_invalid_login(start_sandbox):
    server = start_sandbox(token_ttl_seconds=1)
    token = _token(server.url, _assertion(server.url)).json()
    assert token["expires_in"] == 1
    assert _bearer(server.url, token["access_token"]).status_code == 200
    time.sleep(1.2)
    expired = _bearer(server.url, token["access_token"])
    assert_error(expired, 401, "INVALID_LOGIN")
    assert "expired" in server.app.login_audit()[-1].reason
    # TBA keeps working alongside.
    assert NsClient(server.url).get("currency", "1").status_code == 200
