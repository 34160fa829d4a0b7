"""Token-based authentication: NetSuite's 401 for every kind of bad signature, nothing leaked."""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ns_helpers import NsClient

from netsuite_sandbox import TbaCredentials
from netsuite_sandbox.errors import INVALID_LOGIN_DETAIL

SECRETS = ("sandbox-consumer-secret", "sandbox-token-secret")
EXPECTED_401 = {
    "type": "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.2",
    "title": "Unauthorized",
    "status": 401,
    "o:errorDetails": [{"detail": INVALID_LOGIN_DETAIL, "o:errorCode": "INVALID_LOGIN"}],
}


def _rejected(response, sandbox, reason_fragment):
    assert response.status_code == 401, response.text
    assert response.json() == EXPECTED_401
    for secret in SECRETS:
        assert secret not in response.text
    assert "oauth_signature" not in response.text
    last = sandbox.app.login_audit()[-1]
    assert not last.ok and reason_fragment in last.reason, last
    assert all(secret not in repr(last) for secret in SECRETS)


def test_a_correctly_signed_request_is_accepted(client, sandbox):
    response = client.get("currency", "1")
    assert response.status_code == 200, response.text
    assert sandbox.app.login_audit()[-1].ok


def test_query_parameters_are_part_of_the_signature(client):
    assert client.suiteql("SELECT id FROM currency", limit=5, offset=0).status_code == 200
    assert client.request("GET", "/services/rest/record/v1/customer/1", params={"expandSubResources": "true"}).status_code == 404


def test_wrong_secret_gives_401(client, sandbox):
    _rejected(client.get("currency", "1", consumer_secret="not-the-secret"), sandbox, "signature")


def test_wrong_realm_gives_401(client, sandbox):
    _rejected(client.get("currency", "1", realm="1234567_SB1"), sandbox, "realm")


def test_reused_nonce_gives_401(client, sandbox):
    assert client.get("currency", "1", nonce="abcdef123456").status_code == 200
    _rejected(client.get("currency", "1", nonce="abcdef123456"), sandbox, "nonce")


@pytest.mark.parametrize("skew", [-301, +301, -3600])
def test_stale_or_future_timestamp_gives_401(client, sandbox, skew):
    _rejected(client.get("currency", "1", timestamp=int(time.time()) + skew), sandbox, "timestamp")


def test_unknown_consumer_or_token_gives_401(sandbox):
    stranger = NsClient(sandbox.url, creds=TbaCredentials(consumer_key="someone-else"))
    _rejected(stranger.get("currency", "1"), sandbox, "consumer")
    wrong_token = NsClient(sandbox.url, creds=TbaCredentials(token_id="revoked-token"))
    _rejected(wrong_token.get("currency", "1"), sandbox, "token")


def test_missing_or_foreign_authorization_gives_401(client, sandbox):
    _rejected(client.get("currency", "1", sign=False), sandbox, "no Authorization")
    basic = client.get("currency", "1", sign=False, headers={"Authorization": "Basic dXNlcjpwYXNz"})
    _rejected(basic, sandbox, "unsupported")
    bearer = client.get("currency", "1", sign=False, headers={"Authorization": "Bearer some-token"})
    _rejected(bearer, sandbox, "unknown OAuth 2.0 access token")  # a token the sandbox never issued


def test_tampered_path_gives_401(sandbox):
    """A signature for one URL does not authorise another."""
    import requests
    from ns_helpers import oauth1_header

    c = TbaCredentials()
    signed_for = f"{sandbox.url}/services/rest/record/v1/currency/1"
    header = oauth1_header("GET", signed_for, account="SANDBOX", consumer_key=c.consumer_key,
                           consumer_secret=c.consumer_secret, token_id=c.token_id, token_secret=c.token_secret)
    response = requests.get(f"{sandbox.url}/services/rest/record/v1/currency/2", headers={"Authorization": header})
    _rejected(response, sandbox, "signature")


def test_custom_credentials_and_account(start_sandbox):
    creds = TbaCredentials("ck-1", "cs-1", "tk-1", "ts-1")
    server = start_sandbox(account_id="1234567_SB1", credentials=creds)
    assert NsClient(server.url, account="1234567_SB1", creds=creds).get("currency", "1").status_code == 200
    assert NsClient(server.url, account="1234567_SB1").get("currency", "1").status_code == 401
    assert "cs-1" not in repr(creds) and "ts-1" not in repr(creds)


def test_paths_outside_services_need_no_auth(client):
    import requests

    assert requests.get(client.base_url + "/").json()["service"] == "netsuite-sandbox"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=st.text(min_size=0, max_size=20), name=st.from_regex(r"[a-z][a-zA-Z_]{0,10}", fullmatch=True))
def test_any_query_parameter_is_signed_and_verified_the_same_way(client, value, name):
    response = client.request("GET", "/services/rest/record/v1/currency/1", params={name: value})
    assert response.status_code == 200, response.text


def test_requests_oauthlib_signatures_are_accepted(sandbox):
    """A third implementation (the library the connector uses) agrees with the sandbox."""
    requests_oauthlib = pytest.importorskip("requests_oauthlib")
    import requests
    from oauthlib.oauth1 import SIGNATURE_HMAC_SHA256

    c = TbaCredentials()
    auth = requests_oauthlib.OAuth1(c.consumer_key, client_secret=c.consumer_secret, resource_owner_key=c.token_id,
                                    resource_owner_secret=c.token_secret, signature_method=SIGNATURE_HMAC_SHA256,
                                    realm="SANDBOX")
    with requests.Session() as session:
        session.auth = auth
        put = session.put(f"{sandbox.url}/services/rest/record/v1/customer/eid:cus_lib", json={"companyName": "Lib"},
                          headers={"Content-Type": "application/json"})
        assert put.status_code == 204, put.text
        query = session.post(f"{sandbox.url}/services/rest/query/v1/suiteql", params={"limit": 1000, "offset": 0},
                             json={"q": "SELECT id FROM customer WHERE externalid = 'cus_lib'"},
                             headers={"Prefer": "transient", "Content-Type": "application/json"})
        assert query.status_code == 200, query.text
        assert query.json()["totalResults"] == 1
