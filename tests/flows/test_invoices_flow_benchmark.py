"""How fast the invoices flow loads a large history (``-m benchmark``; the default run deselects it).

Runs the flow engine (the ``sync`` task's work, without Airflow around it) over the Stripe
sandbox's ``scale`` scenario into a fresh NetSuite sandbox, twice in the same session: with
REST batch jobs for 50+ records of a type (the default) and with single upserts only (the
baseline). Prints invoices per second, the NetSuite requests each made and the ratios; asserts
only that both loads reconcile. The local sandbox answers in microseconds, so time barely
differs here; against a real account each request costs a network round trip and counts
against the account's concurrency limit, which is what the request counts show.
"""

from __future__ import annotations

import os
import time

import pytest

from stripe_netsuite.reconcile.invoices import NETSUITE_ROWS_QUERY, reconcile_invoices
from tests.fixtures.sandboxes import netsuite_conn, netsuite_sandbox_cmd, start_sandbox, stripe_conn, stripe_sandbox_cmd

INVOICES = int(os.environ.get("STRIPE_NETSUITE_BENCH_INVOICES", "1000"))


def load_once(monkeypatch, tmp_path, stripe_url: str, name: str, batch_threshold: int) -> dict:
    from stripe_netsuite.hooks.netsuite import NetSuiteHook
    from stripe_netsuite.hooks.stripe import StripeHook
    from stripe_netsuite.settings import Settings
    from stripe_netsuite.sync.engine import FlowEngine
    from stripe_netsuite.sync.registry import FLOWS
    from stripe_netsuite.sync.state import MemoryStore

    from stripe_netsuite.hooks.netsuite_rest import RestTransport

    requests_made = []
    send_once = RestTransport._send_once

    def counted(self, method, path, **kwargs):
        requests_made.append(method)
        return send_once(self, method, path, **kwargs)

    monkeypatch.setattr(RestTransport, "_send_once", counted)
    netsuite = start_sandbox(netsuite_sandbox_cmd(tmp_path / f"{name}.db"))
    try:
        monkeypatch.setenv("AIRFLOW_CONN_STRIPE_DEFAULT", stripe_conn(stripe_url))
        monkeypatch.setenv("AIRFLOW_CONN_NETSUITE_DEFAULT", netsuite_conn(netsuite.url, batch_threshold=batch_threshold))
        stripe_hook = StripeHook(requests_per_second=1000)
        netsuite_hook = NetSuiteHook()
        engine = FlowEngine(FLOWS["invoices"], stripe=stripe_hook, netsuite=netsuite_hook, settings=Settings(),
                            state=MemoryStore())
        started = time.perf_counter()
        summary = engine.run()
        seconds = time.perf_counter() - started
        invoices = list(stripe_hook.list_objects("invoices"))
        notes = list(stripe_hook.list_objects("credit_notes"))
        report = reconcile_invoices(invoices, notes, netsuite_hook.suiteql_after(NETSUITE_ROWS_QUERY))
        return {"seconds": seconds, "summary": summary, "report": report, "requests": len(requests_made)}
    finally:
        netsuite.stop()


@pytest.mark.benchmark
@pytest.mark.timeout(1800)
def test_invoices_flow_load_figures(monkeypatch, tmp_path):
    stripe = start_sandbox(stripe_sandbox_cmd("--scenario", "scale", "--scale-invoices", str(INVOICES), "--seed", "3"),
                           timeout=120)
    try:
        batched = load_once(monkeypatch, tmp_path, stripe.url, "batched", batch_threshold=50)
        singles = load_once(monkeypatch, tmp_path, stripe.url, "singles", batch_threshold=10**9)
    finally:
        stripe.stop()
    for name, run in (("REST batch jobs", batched), ("single upserts (baseline)", singles)):
        summary, report = run["summary"], run["report"]
        print(f"\n{name}: {summary.seen} Stripe invoices -> {summary.created} NetSuite invoices and credit memos "
              f"+ {sum(summary.dependencies_written.values())} customers/items in {run['seconds']:.1f} s "
              f"({summary.seen / run['seconds']:.0f} invoices/s), {run['requests']} NetSuite requests; "
              f"{len(summary.failed)} failed; reconciliation "
              f"{'OK' if report.ok else 'MISMATCH'}")
        assert report.ok, report.lines()[:20]
    print(f"batch vs singles for {INVOICES} invoices: time x{batched['seconds'] / singles['seconds']:.2f}, "
          f"NetSuite requests x{batched['requests'] / singles['requests']:.2f}")
