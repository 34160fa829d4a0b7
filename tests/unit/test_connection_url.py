from types import SimpleNamespace

import pytest

from stripe_netsuite.hooks.connection_url import base_url


@pytest.mark.parametrize("host, port, expected", [
    (None, None, "https://default.example"),
    ("", 443, "https://default.example"),
    ("api.stripe.com", None, "https://api.stripe.com"),
    ("http://127.0.0.1:8420/", None, "http://127.0.0.1:8420"),
    ("http://127.0.0.1", 8420, "http://127.0.0.1:8420"),
    ("1234567-sb1.suitetalk.api.netsuite.com", 443, "https://1234567-sb1.suitetalk.api.netsuite.com:443"),
])
def test_base_url(host, port, expected):
    assert base_url(SimpleNamespace(host=host, port=port), "https://default.example") == expected
