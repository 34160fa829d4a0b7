"""The distribution registers its connection types the way Airflow providers do."""


def test_connection_types_registered():
    from airflow.providers_manager import ProvidersManager

    manager = ProvidersManager()
    assert "stripe-netsuite" in manager.providers
    assert manager.hooks["stripe"].hook_class_name == "stripe_netsuite.hooks.stripe.StripeHook"
    assert manager.hooks["netsuite"].hook_class_name == "stripe_netsuite.hooks.netsuite.NetSuiteHook"
    widgets = manager.connection_form_widgets
    for field in ("auth_type", "consumer_key", "consumer_secret", "token_id", "token_secret",
                  "client_id", "certificate_id", "private_key", "transport"):
        assert f"extra__netsuite__{field}" in widgets
    for secret in ("consumer_secret", "token_secret", "private_key"):
        assert widgets[f"extra__netsuite__{secret}"].is_sensitive
    assert manager.field_behaviours["stripe"]["relabeling"]["password"] == "Secret key"
    assert manager.field_behaviours["netsuite"]["relabeling"]["login"] == "Account ID"


def test_hook_attributes_follow_provider_conventions():
    from stripe_netsuite.hooks.netsuite import NetSuiteHook
    from stripe_netsuite.hooks.stripe import StripeHook

    assert (StripeHook.conn_type, StripeHook.default_conn_name, StripeHook.conn_name_attr) == ("stripe", "stripe_default", "stripe_conn_id")
    assert (NetSuiteHook.conn_type, NetSuiteHook.default_conn_name, NetSuiteHook.conn_name_attr) == ("netsuite", "netsuite_default", "netsuite_conn_id")


def test_rate_limiter_spaces_requests():
    import time

    from stripe_netsuite.hooks.rate_limit import RateLimiter

    limiter = RateLimiter(per_second=50, burst=1)
    started = time.monotonic()
    waited = sum(limiter.acquire() for _ in range(6))
    assert waited > 0  # 5 of 6 had to wait for a token
    assert time.monotonic() - started >= 5 / 50 * 0.9
