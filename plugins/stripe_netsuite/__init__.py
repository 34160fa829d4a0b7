"""stripe-netsuite: sync Stripe Billing and Invoicing into NetSuite with Apache Airflow 3.

Installed as a distribution, this package is also an Airflow provider: ``get_provider_info``
registers the ``stripe`` and ``netsuite`` connection types so they appear in the UI's
connection form with their own fields.
"""

from __future__ import annotations

__version__ = "0.1.0"

_NETSUITE_EXTRA_FIELDS = {
    "auth_type": {
        "label": "Auth type",
        "description": "Empty = token-based auth (TBA, OAuth 1.0a); oauth2 = client credentials.",
        "schema": {"type": ["string", "null"], "enum": ["tba", "oauth2", None], "default": None},
    },
    "consumer_key": {"label": "Consumer key (TBA)", "schema": {"type": ["string", "null"]}},
    "consumer_secret": {
        "label": "Consumer secret (TBA)",
        "schema": {"type": ["string", "null"], "format": "password"},
    },
    "token_id": {"label": "Token ID (TBA)", "schema": {"type": ["string", "null"]}},
    "token_secret": {"label": "Token secret (TBA)", "schema": {"type": ["string", "null"], "format": "password"}},
    "client_id": {"label": "Client ID (OAuth 2.0)", "schema": {"type": ["string", "null"]}},
    "certificate_id": {"label": "Certificate ID (OAuth 2.0)", "schema": {"type": ["string", "null"]}},
    "private_key": {
        "label": "Private key PEM (OAuth 2.0)",
        "schema": {"type": ["string", "null"], "format": "password"},
    },
    "transport": {
        "label": "Transport",
        "description": "Empty = REST; soap = SOAP web services (TBA only).",
        "schema": {"type": ["string", "null"], "enum": ["rest", "soap", None], "default": None},
    },
}


def get_provider_info() -> dict:
    return {
        "package-name": "stripe-netsuite",
        "name": "Stripe to NetSuite",
        "description": "Sync Stripe Billing and Invoicing into NetSuite.",
        "versions": [__version__],
        "hooks": [
            {"integration-name": "Stripe", "python-modules": ["stripe_netsuite.hooks.stripe"]},
            {"integration-name": "NetSuite", "python-modules": ["stripe_netsuite.hooks.netsuite"]},
        ],
        "connection-types": [
            {
                "hook-class-name": "stripe_netsuite.hooks.stripe.StripeHook",
                "hook-name": "Stripe",
                "connection-type": "stripe",
                "ui-field-behaviour": {
                    "hidden-fields": ["schema", "login", "port", "extra"],
                    "relabeling": {"password": "Secret key", "host": "API base URL (optional)"},
                    "placeholders": {"password": "sk_live_... or rk_live_...", "host": "https://api.stripe.com"},
                },
            },
            {
                "hook-class-name": "stripe_netsuite.hooks.netsuite.NetSuiteHook",
                "hook-name": "NetSuite",
                "connection-type": "netsuite",
                "ui-field-behaviour": {
                    "hidden-fields": ["schema", "port", "password"],
                    "relabeling": {"login": "Account ID", "host": "Base URL (optional)"},
                    "placeholders": {
                        "login": "1234567_SB1",
                        "host": "https://1234567-sb1.suitetalk.api.netsuite.com",
                    },
                },
                "conn-fields": _NETSUITE_EXTRA_FIELDS,
            },
        ],
    }
