"""How fast and how big the ``scale`` scenario is (``-m benchmark``; the default run deselects it).

Prints figures and never asserts wall time or memory (machines differ): for N = 10k and N = 100k
(``STRIPE_SANDBOX_BENCH_INVOICES`` overrides the large N) it builds the scenario in a fresh
subprocess and reports the build time, invoices per second, peak RSS (``ru_maxrss``, minus the
RSS of an empty sandbox measured the same way) and the per-invoice cost of the large run against
the 10k run of the same session (1.00 = linear scaling). The only assertions are on the counts.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

NOW = 1_760_000_000
SMALL = 10_000
INCLUDE = Path(__file__).resolve().parents[2] / "include"

MEASURE = """
import json, resource, sys, time
from stripe_sandbox import StripeSandbox
count = int(sys.argv[1])
scenario = sys.argv[2] if len(sys.argv) > 2 else "scale"
started = time.perf_counter()
app = StripeSandbox(scenario=scenario if count else None, seed=1, now=lambda: {now},
                    scenario_options={{"invoices": count}})
elapsed = time.perf_counter() - started
store = app.state.store
started = time.perf_counter()
page = app.resources["invoice"].list_page({{"limit": "100", "status": "paid"}})
list_ms = 1000 * (time.perf_counter() - started)
print(json.dumps({{"seconds": elapsed, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "list_ms": list_ms, "listed": len(page["data"]),
                  "counts": {{t: store.count(t) for t in ("customer", "invoice", "invoiceitem", "charge",
                             "invoice_payment", "balance_transaction", "payout", "refund", "dispute", "event")}}}}))
""".format(now=NOW)


def measure(count: int, scenario: str = "scale") -> dict:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(INCLUDE), os.environ.get("PYTHONPATH")]))}
    env.pop("STRIPE_SANDBOX_AUDIT_EVENTS", None)
    done = subprocess.run([sys.executable, "-c", MEASURE, str(count), scenario], capture_output=True, text=True, env=env,
                          timeout=600, check=True)
    return json.loads(done.stdout)


@pytest.mark.benchmark
@pytest.mark.timeout(1200)
def test_scale_generation_figures():
    large = int(os.environ.get("STRIPE_SANDBOX_BENCH_INVOICES", "100000"))
    empty = measure(0)
    runs = {count: measure(count) for count in (SMALL, large)}
    slow = measure(SMALL, "scale_slow")  # the per-object write paths, as the baseline
    print(f"\nempty sandbox: peak RSS {empty['rss_mb']:.0f} MB (subtracted below)")
    for count, run in runs.items():
        counts = run["counts"]
        print(f"scale {count:>7} invoices: {run['seconds']:6.2f} s, {count / run['seconds']:7.0f} invoices/s, "
              f"{1e6 * run['seconds'] / count:6.1f} us/invoice; peak RSS {run['rss_mb'] - empty['rss_mb']:6.0f} MB "
              f"({1024 * (run['rss_mb'] - empty['rss_mb']) / count:5.1f} KB/invoice); "
              f"{counts['event']} events, {counts['charge']} charges, {counts['balance_transaction']} balance "
              f"transactions, {counts['payout']} payouts; list of 100 paid invoices {run['list_ms']:.1f} ms")
        assert counts["invoice"] == count
        assert counts["customer"] == max(20, count // 20)
        assert run["listed"] == 100
    small, big = runs[SMALL], runs[large]
    ratio = (big["seconds"] / large) / (small["seconds"] / SMALL)
    memory = ((big["rss_mb"] - empty["rss_mb"]) / large) / ((small["rss_mb"] - empty["rss_mb"]) / SMALL)
    print(f"per-invoice cost, {large} vs {SMALL} in this run: time x{ratio:.2f}, memory x{memory:.2f} "
          f"(1.00 = linear)")
    print(f"per-object path (scale_slow) {SMALL} invoices: {slow['seconds']:.2f} s, peak RSS "
          f"{slow['rss_mb'] - empty['rss_mb']:.0f} MB; bulk vs per-object at {SMALL}: time "
          f"x{small['seconds'] / slow['seconds']:.2f}, memory "
          f"x{(small['rss_mb'] - empty['rss_mb']) / (slow['rss_mb'] - empty['rss_mb']):.2f}")
    assert slow["counts"]["invoice"] == SMALL
