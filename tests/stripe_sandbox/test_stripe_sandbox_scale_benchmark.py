"""How long the ``scale`` scenario takes to generate (``-m benchmark``; the default run deselects it).

``STRIPE_SANDBOX_BENCH_INVOICES`` overrides N (default 100 000).
"""

from __future__ import annotations

import os
import resource
import time

import pytest
from stripe_sandbox import StripeSandbox

NOW = 1_760_000_000


@pytest.mark.benchmark
def test_scale_generation_time():
    count = int(os.environ.get("STRIPE_SANDBOX_BENCH_INVOICES", "100000"))
    started = time.perf_counter()
    app = StripeSandbox(scenario="scale", seed=1, now=lambda: NOW, scenario_options={"invoices": count})
    elapsed = time.perf_counter() - started
    store = app.state.store
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nscale scenario: {count} invoices in {elapsed:.1f} s ({count / elapsed:.0f} invoices/s); "
          f"{store.count('event')} events, {store.count('charge')} charges, {store.count('payout')} payouts, "
          f"{store.count('balance_transaction')} balance transactions; peak RSS {rss_mb:.0f} MB")
    assert store.count("invoice") == count
    started = time.perf_counter()
    page = app.resources["invoice"].list_page({"limit": "100", "status": "paid"})
    print(f"list of 100 paid invoices: {1000 * (time.perf_counter() - started):.1f} ms")
    assert len(page["data"]) == 100
