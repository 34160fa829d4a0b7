"""How the payments flow loads a large history (``-m benchmark``; the default run deselects it).

Runs the flow engine (the ``sync`` task's work, without Airflow around it) over the Stripe sandbox's
``scale`` scenario into a fresh NetSuite sandbox: first the invoices flow (so the invoices and customers
are there and the payments' figures are the payments' own), then the payments flow, each measured on its
own: wall time, Stripe requests (counted in the Stripe hook's HTTP client, by endpoint: list pages, a
retrieve per object, the per-charge invoice payment lookup), NetSuite REST requests (``RestTransport._send_once``,
by kind), the seconds spent waiting for each kind, and peak memory. Asserts only correctness: every charge that
moved money (``moves_money``) is exactly one NetSuite customer payment, and no other ``ch_``/``py_`` payment is
there. Never asserts time or memory (machines differ).

Memory is ``tracemalloc``'s peak of what the flow allocated while it ran (started before the run, stopped
after it; "kept" is what was still allocated at the end, the engine and its summary included), not
``ru_maxrss``: the process's high-water mark cannot be reset, so the payments run would hide under the
invoices run's peak (and under whatever earlier tests left), and the sandboxes run in other processes anyway.
tracemalloc sees Python allocations only, which is where a chunk's objects live; it slows the flows down
(x1.4 payments, x2 invoices at 10000 here), so ``STRIPE_NETSUITE_BENCH_TRACEMALLOC=0`` times them without it
(memory is then not measured).

Sizes: 1000 invoices always (about 15 s in all); the large case only when
``STRIPE_NETSUITE_BENCH_PAYMENTS_LARGE`` gives its invoices (10000: about 1.5 min more). The large case also
prints its per-invoice time, memory and requests against the 1000-invoice case of the same session (run
first if it was not). The engine processes a listing in chunks of ``LISTING_CHUNK`` (2000) objects, so peak
memory should be that of one chunk: x2 the 1000-invoice peak at 10000 invoices, x0.2 per invoice.
"""

from __future__ import annotations

import logging
import math
import os
import time
import tracemalloc
from collections import Counter
from urllib.parse import unquote, urlsplit

import pytest

from tests.fixtures.sandboxes import netsuite_conn, netsuite_sandbox_cmd, start_sandbox, stripe_conn, stripe_sandbox_cmd

SMALL = 1000
LARGE = int(os.environ.get("STRIPE_NETSUITE_BENCH_PAYMENTS_LARGE") or 0)
TRACE = os.environ.get("STRIPE_NETSUITE_BENCH_TRACEMALLOC", "1") != "0"
PAYMENTS_QUERY = "SELECT externalid FROM transaction WHERE recordtype = 'customerpayment'"

_figures: dict[int, dict] = {}  # invoices -> the figures of this session's run


def stripe_kind(method: str, url: str) -> str:
    """One Stripe request as what it asks for: a list page, a retrieve by ID, a sub-list of one object."""
    parts = urlsplit(url)
    segments = parts.path.split("/")[2:]  # after /v1
    if len(segments) == 1:
        if segments[0] == "invoice_payments" and "payment[payment_intent]" in unquote(parts.query):
            return "GET invoice_payments?payment_intent= (one per charge)"
        return f"{method.upper()} {segments[0]} (list pages)"
    if len(segments) == 2:
        return f"{method.upper()} {segments[0]}/{{id}} (one per object)"
    return f"{method.upper()} {segments[0]}/{{id}}/{'/'.join(segments[2:])}"


def netsuite_kind(method: str, path: str) -> str:
    if "suiteql" in path:
        return "SuiteQL"
    if path.startswith("/record/") and method.upper() == "PUT":
        return "single upsert" if "/eid:" in path else "batch job start"
    if method.upper() == "GET" and "/record/" not in path:
        return "batch job poll/result"
    return f"{method.upper()} {path.split('/')[1]}"


class Counting:
    """Stripe and NetSuite requests made while a phase is on (appends are thread safe: retrieve_many and
    the batch jobs run on threads)."""

    def __init__(self, monkeypatch) -> None:
        from stripe_netsuite.hooks.netsuite_rest import RestTransport
        from stripe_netsuite.hooks.stripe import _RateLimitedRequestsClient

        self.stripe: list[tuple[str, float]] | None = None  # (what was asked, seconds until it answered)
        self.netsuite: list[tuple[str, float]] | None = None
        counting = self
        send_once, request = RestTransport._send_once, _RateLimitedRequestsClient.request

        def counted_send(transport, method, path, **kwargs):
            started = time.perf_counter()
            try:
                return send_once(transport, method, path, **kwargs)
            finally:
                if counting.netsuite is not None:
                    counting.netsuite.append((netsuite_kind(method, path), time.perf_counter() - started))

        def counted_request(client, method, url, headers, post_data=None, **kwargs):
            started = time.perf_counter()
            try:
                return request(client, method, url, headers, post_data, **kwargs)
            finally:
                if counting.stripe is not None:
                    counting.stripe.append((stripe_kind(method, url), time.perf_counter() - started))

        monkeypatch.setattr(RestTransport, "_send_once", counted_send)
        monkeypatch.setattr(_RateLimitedRequestsClient, "request", counted_request)

    def measure(self, flow_name: str) -> dict:
        """Run one flow's first run (a listing of everything) and say what it cost."""
        from stripe_netsuite.hooks.netsuite import NetSuiteHook
        from stripe_netsuite.hooks.stripe import StripeHook
        from stripe_netsuite.settings import Settings
        from stripe_netsuite.sync.engine import FlowEngine
        from stripe_netsuite.sync.registry import FLOWS
        from stripe_netsuite.sync.state import MemoryStore

        engine = FlowEngine(FLOWS[flow_name], stripe=StripeHook(requests_per_second=1000), netsuite=NetSuiteHook(),
                            settings=Settings(), state=MemoryStore())
        self.stripe, self.netsuite = [], []
        if TRACE:
            tracemalloc.start()
        started = time.perf_counter()
        try:
            summary = engine.run()
        finally:
            seconds = time.perf_counter() - started
            current, peak = tracemalloc.get_traced_memory() if TRACE else (0, 0)
            tracemalloc.stop()
            made = {"stripe": self.stripe, "netsuite": self.netsuite}
            self.stripe = self.netsuite = None
        figures = {"summary": summary, "seconds": seconds, "peak": peak, "retained": current}
        for system, requests in made.items():
            figures[system] = Counter(kind for kind, _ in requests)
            figures[f"{system}_seconds"] = Counter()
            for kind, waited in requests:
                figures[f"{system}_seconds"][kind] += waited
        return figures


def load(monkeypatch, tmp_path, invoices: int) -> dict:
    """The invoices flow, then the payments flow, over a fresh ``scale`` history of ``invoices`` invoices."""
    from stripe_netsuite.hooks.netsuite import NetSuiteHook
    from stripe_netsuite.hooks.stripe import StripeHook
    from stripe_netsuite.mapping import external_ids
    from stripe_netsuite.mapping.payments import moves_money

    counting = Counting(monkeypatch)
    quiet = logging.getLogger("stripe")  # the SDK logs every request at INFO: thousands of lines
    level = quiet.level
    quiet.setLevel(logging.WARNING)
    try:
        stripe = start_sandbox(stripe_sandbox_cmd("--scenario", "scale", "--scale-invoices", str(invoices),
                                                  "--seed", "3"), timeout=600)
        try:
            netsuite = start_sandbox(netsuite_sandbox_cmd(tmp_path / f"netsuite-{invoices}.db"))
            try:
                monkeypatch.setenv("AIRFLOW_CONN_STRIPE_DEFAULT", stripe_conn(stripe.url))
                monkeypatch.setenv("AIRFLOW_CONN_NETSUITE_DEFAULT", netsuite_conn(netsuite.url))
                runs = {name: counting.measure(name) for name in ("invoices", "payments")}
                charges = list(StripeHook(requests_per_second=1000).list_objects("charges"))
                payments = Counter(row["externalid"] for row in NetSuiteHook().suiteql(PAYMENTS_QUERY))
            finally:
                netsuite.stop()
        finally:
            stripe.stop()
    finally:
        quiet.setLevel(level)
    moved = {external_ids.payment(c["id"]) for c in charges if moves_money(c)}
    written = Counter({k: n for k, n in payments.items() if k.startswith(("ch_", "py_"))})
    return {"invoices": invoices, "runs": runs, "charges": len(charges), "moved": moved, "written": written}


def figures(monkeypatch, tmp_path, invoices: int) -> dict:
    if invoices not in _figures:
        _figures[invoices] = load(monkeypatch, tmp_path, invoices)
    return _figures[invoices]


def mb(n: int) -> str:
    return f"{n / 2**20:7.1f}" if TRACE else "    n/a"


def kb_each(n: int, invoices: int) -> str:
    return f"{n / 1024 / invoices:6.1f}" if TRACE else "   n/a"


def print_figures(run: dict) -> None:
    n = run["invoices"]
    print(f"\nscale history, {n} invoices ({run['charges']} charges, {len(run['moved'])} moved money):")
    print(f"{'flow':<9} {'seen':>6} {'created':>7} {'failed':>6} {'time s':>7} {'ms/inv':>6} {'Stripe req':>10} "
          f"{'NetSuite req':>12} {'peak MB':>7} {'KB/inv':>6} {'kept MB':>7}")
    for name, r in run["runs"].items():
        s = r["summary"]
        print(f"{name:<9} {s.seen:>6} {s.created:>7} {len(s.failed):>6} {r['seconds']:>7.1f} "
              f"{1000 * r['seconds'] / n:>6.2f} {sum(r['stripe'].values()):>10} {sum(r['netsuite'].values()):>12} "
              f"{mb(r['peak'])} {kb_each(r['peak'], n)} {mb(r['retained'])}")
    pay = run["runs"]["payments"]
    seen = pay["summary"].seen
    print(f"payments' requests by endpoint (count, seconds waiting for answers; list pages of charges if "
          f"per page: {math.ceil(seen / 100)}; per charge: {seen}):")
    for system in ("stripe", "netsuite"):
        for kind, count in sorted(pay[system].items(), key=lambda kv: -kv[1]):
            print(f"  {system:<8} {count:>6} {pay[f'{system}_seconds'][kind]:>6.1f} s  {kind}")
    for failure in pay["summary"].failed[:5]:
        print(f"  failed: {failure}")


def print_ratio(small: dict, large: dict) -> None:
    from stripe_netsuite.sync.engine import LISTING_CHUNK

    ns, nl = small["invoices"], large["invoices"]
    flat = min(LISTING_CHUNK, nl) / min(LISTING_CHUNK, ns)  # the peak's ratio if memory is that of one chunk
    print(f"\nper invoice, {nl} vs {ns} invoices (1.00 = linear; memory flat per chunk of {LISTING_CHUNK}: peak "
          f"x{flat:.2f}, x{flat * ns / nl:.2f} per invoice):")
    for name in ("invoices", "payments"):
        a, b = small["runs"][name], large["runs"][name]
        stripe_a, stripe_b = sum(a["stripe"].values()), sum(b["stripe"].values())
        netsuite_a, netsuite_b = sum(a["netsuite"].values()), sum(b["netsuite"].values())
        memory = f"x{(b['peak'] / nl) / (a['peak'] / ns):.2f} (peak x{b['peak'] / a['peak']:.2f})" if TRACE else "n/a"
        print(f"  {name:<9} time x{(b['seconds'] / nl) / (a['seconds'] / ns):.2f}, memory {memory}, "
              f"Stripe requests x{(stripe_b / nl) / (stripe_a / ns):.2f}, NetSuite requests "
              f"x{(netsuite_b / nl) / (netsuite_a / ns):.2f}")


@pytest.mark.benchmark
@pytest.mark.timeout(3600)
@pytest.mark.parametrize("size", ["small", "large"])
def test_payments_flow_load_figures(monkeypatch, tmp_path, size):
    if size == "large" and not LARGE:
        pytest.skip("set STRIPE_NETSUITE_BENCH_PAYMENTS_LARGE=10000 (invoices) for the large case")
    run = figures(monkeypatch, tmp_path, SMALL if size == "small" else LARGE)
    print_figures(run)
    if size == "large":
        print_ratio(figures(monkeypatch, tmp_path, SMALL), run)
    assert run["moved"], "the scale history has charges that moved money"
    assert set(run["written"]) == run["moved"], (
        f"missing {sorted(run['moved'] - set(run['written']))[:10]}, extra {sorted(set(run['written']) - run['moved'])[:10]}")
    assert all(count == 1 for count in run["written"].values()), [k for k, n in run["written"].items() if n > 1][:10]
