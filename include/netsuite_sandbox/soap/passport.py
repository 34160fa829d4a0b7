"""SOAP ``tokenPassport`` verification (netsuite.md §7.3).

``signature`` = base64(HMAC-SHA256(key = consumerSecret & tokenSecret,
message = account & consumerKey & tokenId & nonce & timestamp)), attribute
``algorithm="HMAC-SHA256"``. The account must be the sandbox's, consumer and token known, the
timestamp within ``max_skew`` seconds of now and the nonce new (per consumer and token). Any
failure -> ``AuthFailure`` (the reason goes to the login audit trail; the client gets NetSuite's
``InvalidCredentialsFault``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Callable, Iterable

from netsuite_sandbox.auth import AuthFailure, NonceCache, Principal, TbaCredentials
from netsuite_sandbox.soap import xml


def passport_signature(account: str, consumer_key: str, consumer_secret: str, token_id: str, token_secret: str,
                       nonce: str, timestamp: int | str) -> str:
    message = "&".join([account, consumer_key, token_id, nonce, str(timestamp)])
    key = f"{consumer_secret}&{token_secret}"
    return base64.b64encode(hmac.new(key.encode(), message.encode(), hashlib.sha256).digest()).decode()


class PassportVerifier:
    def __init__(self, account_id: str, credentials: Iterable[TbaCredentials], *, max_skew: int = 300,
                 clock: Callable[[], float] = time.time) -> None:
        self.account_id = account_id
        self.max_skew = max_skew
        self.clock = clock
        self._tokens = {(c.consumer_key, c.token_id): c for c in credentials}
        self._consumers = {key for key, _ in self._tokens}
        self._nonces = NonceCache(ttl=2 * max_skew, clock=clock)

    def verify(self, passport) -> Principal:
        if passport is None:
            raise AuthFailure("no tokenPassport header (SOAP accepts token-based authentication only)")
        fields = {name: xml.text(xml.child(passport, name)) for name in
                  ("account", "consumerKey", "token", "nonce", "timestamp", "signature")}
        consumer_key = fields["consumerKey"]
        missing = [name for name, value in fields.items() if not value]
        if missing:
            raise AuthFailure(f"tokenPassport lacks {missing}", consumer_key)
        if fields["account"] != self.account_id:
            raise AuthFailure(f"account {fields['account']!r} is not this account", consumer_key)
        algorithm = xml.child(passport, "signature").get("algorithm", "")
        if algorithm != "HMAC-SHA256":
            raise AuthFailure(f"unsupported signature algorithm {algorithm!r}", consumer_key)
        if consumer_key not in self._consumers:
            raise AuthFailure("unknown consumer key", consumer_key)
        token = self._tokens.get((consumer_key, fields["token"]))
        if token is None:
            raise AuthFailure("unknown or revoked token for this consumer", consumer_key)
        try:
            timestamp = int(fields["timestamp"])
        except ValueError:
            raise AuthFailure("timestamp is not an integer", consumer_key) from None
        if abs(self.clock() - timestamp) > self.max_skew:
            raise AuthFailure(f"timestamp more than {self.max_skew} s from the server clock", consumer_key)
        expected = passport_signature(self.account_id, consumer_key, token.consumer_secret, token.token_id,
                                      token.token_secret, fields["nonce"], fields["timestamp"])
        if not hmac.compare_digest(expected.encode(), fields["signature"].encode()):
            raise AuthFailure("signature mismatch", consumer_key)
        if not self._nonces.use(consumer_key, token.token_id, fields["nonce"]):
            raise AuthFailure("nonce already used", consumer_key)
        return Principal("tba", consumer_key, token.token_id)
