"""Request signing for NetSuite REST: token-based auth (OAuth 1.0a, HMAC-SHA256, realm = account)."""

from __future__ import annotations

from dataclasses import dataclass

from oauthlib.oauth1 import SIGNATURE_HMAC_SHA256
from requests_oauthlib import OAuth1

from stripe_netsuite.hooks.netsuite_errors import NetSuiteError

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


def tba_from_extra(conn_id: str, account_id: str, extra: dict) -> TbaCredentials:
    missing = [name for name in TBA_FIELDS if not extra.get(name)]
    if missing:
        raise NetSuiteError(
            f"Airflow connection '{conn_id}' uses auth_type 'tba' but its extra lacks {', '.join(missing)}; "
            "add them from NetSuite's integration record and access token"
        )
    return TbaCredentials(account_id, *(str(extra[name]) for name in TBA_FIELDS))
