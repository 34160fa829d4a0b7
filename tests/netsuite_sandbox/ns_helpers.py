"""Helpers for the NetSuite sandbox tests: a TBA-signing client and error assertions.

The OAuth 1.0a signer below is written from netsuite.md §7.2 independently of the sandbox's
``auth.py``, so the server-side check is exercised by a second implementation.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

import requests

from netsuite_sandbox import TbaCredentials

ACCOUNT = "SANDBOX"


def exact_json(value) -> str:
    """JSON with Decimals written digit for digit (as a NetSuite client must send money)."""
    import json as _json
    from decimal import Decimal

    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dict):
        return "{" + ",".join(_json.dumps(str(k)) + ":" + exact_json(v) for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(exact_json(v) for v in value) + "]"
    return _json.dumps(value)


def decimal_json(response):
    """A response body parsed with numbers as Decimal."""
    import json as _json
    from decimal import Decimal

    return _json.loads(response.text, parse_float=Decimal)


def _enc(s) -> str:
    return quote(str(s), safe="~")


def oauth1_header(method, url, *, account, consumer_key, consumer_secret, token_id, token_secret,
                  nonce=None, timestamp=None):
    oauth = {"oauth_consumer_key": consumer_key, "oauth_token": token_id,
             "oauth_nonce": nonce or secrets.token_hex(16),
             "oauth_timestamp": str(timestamp or int(time.time())),
             "oauth_signature_method": "HMAC-SHA256", "oauth_version": "1.0"}
    parts = urlsplit(url)
    base_url = f"{parts.scheme.lower()}://{parts.netloc.lower()}{parts.path}"
    params = parse_qsl(parts.query, keep_blank_values=True) + list(oauth.items())
    normalized = "&".join(f"{k}={v}" for k, v in sorted((_enc(k), _enc(v)) for k, v in params))
    base_string = "&".join([method.upper(), _enc(base_url), _enc(normalized)])
    key = f"{_enc(consumer_secret)}&{_enc(token_secret)}"
    sig = base64.b64encode(hmac.new(key.encode(), base_string.encode(), hashlib.sha256).digest()).decode()
    return f'OAuth realm="{account}", ' + ", ".join(
        f'{k}="{_enc(v)}"' for k, v in {**oauth, "oauth_signature": sig}.items())


@dataclass
class NsClient:
    """A minimal NetSuite REST client: signs every request with TBA."""

    base_url: str
    account: str = ACCOUNT
    creds: TbaCredentials = TbaCredentials()

    def request(self, method, path, *, json=None, data=None, params=None, headers=None, realm=None,
                nonce=None, timestamp=None, consumer_secret=None, sign=True, timeout=30):
        url = self.base_url + path + (("?" + urlencode(params)) if params else "")
        headers = dict(headers or {})
        if json is not None:  # exact JSON numbers (Decimal) instead of requests' float-only encoder
            data, json = exact_json(json).encode(), None
            headers.setdefault("Content-Type", "application/json")
        prepared = requests.Request(method, url, json=json, data=data, headers=headers).prepare()
        if sign:  # sign the URL exactly as it goes on the wire (requests percent-encodes the path)
            prepared.headers["Authorization"] = oauth1_header(
                method, prepared.url, account=realm if realm is not None else self.account,
                consumer_key=self.creds.consumer_key,
                consumer_secret=consumer_secret if consumer_secret is not None else self.creds.consumer_secret,
                token_id=self.creds.token_id, token_secret=self.creds.token_secret,
                nonce=nonce, timestamp=timestamp)
        with requests.Session() as session:
            return session.send(prepared, timeout=timeout)

    def upsert(self, record_type, external_id, body, **kw):
        return self.request("PUT", f"/services/rest/record/v1/{record_type}/eid:{external_id}", json=body, **kw)

    def get(self, record_type, key, **kw):
        return self.request("GET", f"/services/rest/record/v1/{record_type}/{key}", **kw)

    def suiteql(self, q, *, limit=None, offset=None, prefer=True, **kw):
        params = {}
        if limit is not None:
            params["limit"] = limit
        if offset is not None:
            params["offset"] = offset
        headers = {"Prefer": "transient"} if prefer else {}
        return self.request("POST", "/services/rest/query/v1/suiteql", json={"q": q}, params=params or None,
                            headers=headers, **kw)


def assert_error(response, status, code, path=None):
    assert response.status_code == status, response.text
    body = response.json()
    assert body["status"] == status
    assert body["type"].startswith("https://www.rfc-editor.org/rfc/")
    assert body["title"]
    detail = body["o:errorDetails"][0]
    assert detail["o:errorCode"] == code, body
    assert detail["detail"]
    if path is not None:
        assert detail.get("o:errorPath") == path, body
    return detail


def written_id(response) -> str:
    """The internal id from a 204 write's Location header."""
    assert response.status_code == 204, response.text
    return response.headers["Location"].rstrip("/").rsplit("/", 1)[-1]


def put(client, record_type, external_id, body) -> str:
    """Upsert by external ID over REST; return the internal id (asserts success)."""
    return written_id(client.upsert(record_type, external_id, body))


def get_expanded(client, record_type, key) -> dict:
    """A record as REST GET shows it with its sublists expanded (decimals exact)."""
    response = client.request("GET", f"/services/rest/record/v1/{record_type}/{key}",
                              params={"expandSubResources": "true"})
    assert response.status_code == 200, response.text
    return decimal_json(response)


def project_root():
    from pathlib import Path

    return Path(__file__).resolve().parents[2]


def shared_dir(*parts):
    """A path under ../shared beside the project root, or skip the test with a clear reason."""
    import pytest

    path = project_root().parent.joinpath("shared", *parts)
    if not path.exists():
        pytest.skip(f"{path} is absent: the SOAP tests need ../shared/netsuite-wsdl beside the project checkout")
    return path
