"""How the payouts flow reconciles one payout of 10,000 transactions (``-m benchmark``; the default run deselects it).

Runs the flow engine (the ``sync`` task's work, without Airflow around it) over a Stripe sandbox history whose
paid payout carries every transaction, into a fresh NetSuite sandbox: first the invoices, payments and
refunds/disputes flows (so every document the payout carries is already in NetSuite; their figures are printed
on one line each, memory not traced), then the payouts flow alone, measured: wall time, Stripe requests (counted
in the Stripe hook's HTTP client, by endpoint: list pages of the payout's balance transactions, which should be
about transactions / 100, never a request per transaction), NetSuite REST requests (``RestTransport._send_once``,
by kind: SuiteQL look-ups in bulk, batch writes, single upserts), the seconds spent waiting for each kind, and
``tracemalloc``'s peak while the flow ran (see ``test_payments_flow_benchmark.py`` for why not ``ru_maxrss``).
Asserts only correctness: every paid payout's deposits (``po_X``, ``po_X-2``, ... past
``payouts.max_transactions_per_deposit``) add up to its amount, and the payouts flow failed nothing. Never asserts
time or memory (machines differ).

One payout of N transactions: the sandbox's ``scale`` scenario spreads its invoices over 26 days and pays out
daily (about N/26 transactions a payout), and has no option to change either (``--scale-invoices N`` only; manual
payouts are refused). So the sandbox is started through a small launcher (``LAUNCHER``, run with this venv's
Python, nothing in ``include/`` changed) that registers a ``scale_one_payout`` scenario: the ``scale`` build with
its span set to 3 days and built against yesterday's 00:00 UTC, so every invoice is made within one UTC day
(three days ago), every charge becomes available at the same midnight and the refunds and disputes made the day
after (and before that midnight) are available by then too: one automatic payout takes them all (plus the
declined invoices, which never pay), and it arrived (``paid``) at today's 00:00 UTC. A ``span_days``-like
scenario option in the sandbox would replace the launcher.

Sizes: 1000 invoices (about 1,000 transactions, the baseline) and ``STRIPE_NETSUITE_BENCH_PAYOUTS_LARGE``
invoices (default 10000: about 10,000 transactions, three deposits), both in the same session (about 1 min in
all); the large case prints its per-transaction time, memory and requests against the baseline. The payout's
transactions are held in memory together (one deposit is made of them all), so the payouts flow's peak grows with
the payout (about 19 KB a transaction, sources expanded), not per chunk as the listing flows' do. ``STRIPE_NETSUITE_BENCH_TRACEMALLOC=0`` times
the payouts flow without tracemalloc (memory is then not measured).
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
import sys
import time
import tracemalloc
from collections import Counter, defaultdict
from decimal import Decimal
from urllib.parse import unquote, urlsplit

import pytest

from tests.fixtures.sandboxes import netsuite_conn, netsuite_sandbox_cmd, start_sandbox, stripe_conn

SMALL = 1000
LARGE = int(os.environ.get("STRIPE_NETSUITE_BENCH_PAYOUTS_LARGE") or 10000)
TRACE = os.environ.get("STRIPE_NETSUITE_BENCH_TRACEMALLOC", "1") != "0"
BEFORE = ("invoices", "payments", "refunds_disputes")  # run first, so the payouts flow writes only deposits
DEPOSITS_QUERY = "SELECT externalid, foreigntotal FROM transaction WHERE type = 'Deposit'"

# The ``scale`` build with every invoice made within one UTC day (see the module docstring).
LAUNCHER = r"""
import sys
from stripe_sandbox.billing.periods import DAY, start_of_day
from stripe_sandbox.cli import main
from stripe_sandbox.scenarios import SCENARIOS, scale


def build_scale_one_payout(seeder, seed):
    # Invoices are made over [now - SPAN + DAY, now - DAY): with now = yesterday 00:00 and SPAN = 3 days, that is
    # the UTC day three days ago; its charges are available (and paid out) at yesterday's 00:00, arriving today.
    seeder.now = start_of_day(seeder.now) - DAY
    scale.SPAN = 3 * DAY
    scale.build_scale(seeder, seed)


SCENARIOS["scale_one_payout"] = build_scale_one_payout
sys.exit(main(sys.argv[1:]))
"""

_figures: dict[int, dict] = {}  # invoices -> the figures of this session's run


def stripe_sandbox_one_payout_cmd(invoices: int) -> list[str]:
    return [sys.executable, "-c", LAUNCHER, "serve", "--host", "127.0.0.1", "--port", "0",
            "--scenario", "scale_one_payout", "--scale-invoices", str(invoices), "--seed", "3"]


def stripe_kind(method: str, url: str) -> str:
    """One Stripe request as what it asks for: a list page (the payout's transactions apart), a retrieve by ID."""
    parts = urlsplit(url)
    segments = parts.path.split("/")[2:]  # after /v1
    query = unquote(parts.query)
    if len(segments) == 1:
        if segments[0] == "balance_transactions" and "payout=" in query:
            expanded = "expand[]=data.source" in query or "expand[0]=data.source" in query
            return f"GET balance_transactions?payout= (list pages{', sources expanded' if expanded else ''})"
        return f"{method.upper()} {segments[0]} (list pages)"
    if len(segments) == 2:
        return f"{method.upper()} {segments[0]}/{{id}} (one per object)"
    return f"{method.upper()} {segments[0]}/{{id}}/{'/'.join(segments[2:])}"


def suiteql_kind(data) -> tuple[str, int]:
    """A SuiteQL request as the table it reads (and joins), and how many external IDs its ``IN (...)`` names."""
    try:
        query = json.loads(data)["q"] if data else ""
    except (TypeError, ValueError, KeyError):
        query = ""
    tables = re.findall(r"\b(?:FROM|JOIN)\s+(\w+)", query, flags=re.IGNORECASE)
    names = re.search(r"\bexternalid\s+IN\s*\((.*?)\)", query, flags=re.IGNORECASE | re.DOTALL)
    count = len(re.findall(r"'(?:[^']|'')*'", names.group(1))) if names else 0
    shown = " + ".join(dict.fromkeys(tables)) or "?"
    return f"SuiteQL {shown}{' by external IDs' if names else ''}", count


def netsuite_kind(method: str, path: str) -> str:
    if "suiteql" in path:
        return "SuiteQL"
    if path.startswith("/record/") and method.upper() == "PUT":
        return "single upsert" if "/eid:" in path else "batch job start"
    if method.upper() == "GET" and "/record/" not in path:
        return "batch job poll/result"
    return f"{method.upper()} {'/'.join(path.split('/')[1:4])}"


class Counting:
    """Stripe and NetSuite requests made while a flow runs (appends are thread safe: the batch jobs run on
    threads)."""

    def __init__(self, monkeypatch) -> None:
        from stripe_netsuite.hooks.netsuite_rest import RestTransport
        from stripe_netsuite.hooks.stripe import _RateLimitedRequestsClient

        self.stripe: list[tuple[str, float]] | None = None  # (what was asked, seconds until it answered)
        self.netsuite: list[tuple[str, float]] | None = None
        self.names: Counter = Counter()  # SuiteQL kind -> external IDs its queries named (IN lists)
        counting = self
        send_once, request = RestTransport._send_once, _RateLimitedRequestsClient.request

        def counted_send(transport, method, path, **kwargs):
            started = time.perf_counter()
            try:
                return send_once(transport, method, path, **kwargs)
            finally:
                if counting.netsuite is not None:
                    kind, names = netsuite_kind(method, path), 0
                    if kind == "SuiteQL":
                        kind, names = suiteql_kind(kwargs.get("data"))
                    counting.netsuite.append((kind, time.perf_counter() - started))
                    if names:
                        counting.names[kind] += names

        def counted_request(client, method, url, headers, post_data=None, **kwargs):
            started = time.perf_counter()
            try:
                return request(client, method, url, headers, post_data, **kwargs)
            finally:
                if counting.stripe is not None:
                    counting.stripe.append((stripe_kind(method, url), time.perf_counter() - started))

        monkeypatch.setattr(RestTransport, "_send_once", counted_send)
        monkeypatch.setattr(_RateLimitedRequestsClient, "request", counted_request)

    def measure(self, flow_name: str, *, trace: bool) -> dict:
        """Run one flow's first run (a listing of everything) and say what it cost."""
        from stripe_netsuite.hooks.netsuite import NetSuiteHook
        from stripe_netsuite.hooks.stripe import StripeHook
        from stripe_netsuite.settings import Settings
        from stripe_netsuite.sync.engine import FlowEngine
        from stripe_netsuite.sync.registry import FLOWS
        from stripe_netsuite.sync.state import MemoryStore

        engine = FlowEngine(FLOWS[flow_name], stripe=StripeHook(requests_per_second=1000), netsuite=NetSuiteHook(),
                            settings=Settings(), state=MemoryStore())
        self.stripe, self.netsuite, self.names = [], [], Counter()
        if trace:
            tracemalloc.start()
        started = time.perf_counter()
        try:
            summary = engine.run()
        finally:
            seconds = time.perf_counter() - started
            current, peak = tracemalloc.get_traced_memory() if trace else (0, 0)
            tracemalloc.stop()
            made = {"stripe": self.stripe, "netsuite": self.netsuite}
            self.stripe = self.netsuite = None
        figures = {"summary": summary, "seconds": seconds, "peak": peak, "retained": current, "names": self.names}
        for system, requests in made.items():
            figures[system] = Counter(kind for kind, _ in requests)
            figures[f"{system}_seconds"] = Counter()
            for kind, waited in requests:
                figures[f"{system}_seconds"][kind] += waited
        return figures


def load(monkeypatch, tmp_path, invoices: int) -> dict:
    """The invoices, payments and refunds/disputes flows, then the payouts flow (measured), over a fresh history
    of ``invoices`` invoices paid out in one payout."""
    from stripe_netsuite.hooks.netsuite import NetSuiteHook
    from stripe_netsuite.hooks.stripe import StripeHook

    counting = Counting(monkeypatch)
    quiet = logging.getLogger("stripe")  # the SDK logs every request at INFO: thousands of lines
    level = quiet.level
    quiet.setLevel(logging.WARNING)
    try:
        stripe = start_sandbox(stripe_sandbox_one_payout_cmd(invoices), timeout=600)
        try:
            netsuite = start_sandbox(netsuite_sandbox_cmd(tmp_path / f"netsuite-{invoices}.db"))
            try:
                monkeypatch.setenv("AIRFLOW_CONN_STRIPE_DEFAULT", stripe_conn(stripe.url))
                monkeypatch.setenv("AIRFLOW_CONN_NETSUITE_DEFAULT", netsuite_conn(netsuite.url))
                runs = {name: counting.measure(name, trace=False) for name in BEFORE}
                runs["payouts"] = counting.measure("payouts", trace=TRACE)
                hook = StripeHook(requests_per_second=1000)
                payouts = [p for p in hook.list_objects("payouts") if p.get("status") == "paid"]
                carried = {p["id"]: sum(1 for t in hook.payout_balance_transactions(p["id"], expand_source=False)
                                        if t.get("type") != "payout") for p in payouts}
                deposits = {row["externalid"]: Decimal(str(row["foreigntotal"]))
                            for row in NetSuiteHook().suiteql(DEPOSITS_QUERY) if row.get("externalid")}
            finally:
                netsuite.stop()
        finally:
            stripe.stop()
    finally:
        quiet.setLevel(level)
    return {"invoices": invoices, "runs": runs, "payouts": payouts, "carried": carried, "deposits": deposits,
            "transactions": sum(carried.values())}


def figures(monkeypatch, tmp_path, invoices: int) -> dict:
    if invoices not in _figures:
        _figures[invoices] = load(monkeypatch, tmp_path, invoices)
    return _figures[invoices]


def mb(n: int) -> str:
    return f"{n / 2**20:7.1f}" if TRACE else "    n/a"


def print_figures(run: dict) -> None:
    n = run["transactions"]
    sizes = ", ".join(f"{pid}: {count} transactions" for pid, count in run["carried"].items())
    print(f"\none-payout history, {run['invoices']} invoices; paid payouts: {sizes}")
    print(f"{'flow':<16} {'seen':>6} {'created':>7} {'failed':>6} {'time s':>7} {'Stripe req':>10} "
          f"{'NetSuite req':>12} {'peak MB':>7} {'kept MB':>7}")
    for name, r in run["runs"].items():
        s = r["summary"]
        traced = name == "payouts" and TRACE
        print(f"{name:<16} {s.seen:>6} {s.created:>7} {len(s.failed):>6} {r['seconds']:>7.1f} "
              f"{sum(r['stripe'].values()):>10} {sum(r['netsuite'].values()):>12} "
              f"{mb(r['peak']) if traced else '    n/a'} {mb(r['retained']) if traced else '    n/a'}")
    pay = run["runs"]["payouts"]
    stripe_total, netsuite_total = sum(pay["stripe"].values()), sum(pay["netsuite"].values())
    print(f"payouts flow, {n} transactions: {pay['seconds']:.1f} s ({1000 * pay['seconds'] / n:.2f} ms per "
          f"transaction), peak {mb(pay['peak']).strip()} MB"
          + (f" ({pay['peak'] / 1024 / n:.1f} KB per transaction)" if TRACE else "")
          + f"; requests per transaction: Stripe {stripe_total / n:.4f}, NetSuite {netsuite_total / n:.4f}")
    print(f"payouts' requests by endpoint (count, seconds waiting for answers; list pages if 100 per page: "
          f"{sum(math.ceil((c + 1) / 100) for c in run['carried'].values())}; per transaction would be {n}):")
    for system in ("stripe", "netsuite"):
        for kind, count in sorted(pay[system].items(), key=lambda kv: -kv[1]):
            names = pay["names"].get(kind) if system == "netsuite" else None
            print(f"  {system:<8} {count:>6} {pay[f'{system}_seconds'][kind]:>6.1f} s  {kind}"
                  + (f" ({names} IDs, {names / count:.0f} a query)" if names else ""))
    parts = defaultdict(list)
    for external_id, total in sorted(run["deposits"].items()):
        parts[external_id.split("-")[0]].append(f"{external_id} {total}")
    for payout in run["payouts"]:
        print(f"  deposits of {payout['id']} ({payout['amount'] / 100:.2f} {payout['currency'].upper()}): "
              f"{', '.join(parts.get(payout['id'], [])) or 'none'}")
    for failure in pay["summary"].failed[:5]:
        print(f"  failed: {failure}")


def print_ratio(small: dict, large: dict) -> None:
    ns, nl = small["transactions"], large["transactions"]
    a, b = small["runs"]["payouts"], large["runs"]["payouts"]
    print(f"\npayouts flow per transaction, {nl} vs {ns} transactions (1.00 = linear):")
    memory = f"x{(b['peak'] / nl) / (a['peak'] / ns):.2f} (peak x{b['peak'] / a['peak']:.2f})" if TRACE else "n/a"
    print(f"  time x{(b['seconds'] / nl) / (a['seconds'] / ns):.2f}, memory {memory}")
    for system in ("stripe", "netsuite"):
        ta, tb = sum(a[system].values()), sum(b[system].values())
        per_kind = ", ".join(f"{kind} {a[system].get(kind, 0)} -> {count}" for kind, count in sorted(b[system].items()))
        print(f"  {system} requests x{(tb / nl) / (ta / ns):.2f} per transaction ({ta} -> {tb}: {per_kind})")


@pytest.mark.benchmark
@pytest.mark.timeout(3600)
@pytest.mark.parametrize("size", ["small", "large"])
def test_payouts_flow_load_figures(monkeypatch, tmp_path, size):
    from stripe_netsuite.mapping.money import to_decimal

    run = figures(monkeypatch, tmp_path, SMALL if size == "small" else LARGE)
    print_figures(run)
    if size == "large":
        print_ratio(figures(monkeypatch, tmp_path, SMALL), run)
    assert run["payouts"], "the history has a paid payout"
    assert run["runs"]["payouts"]["summary"].failed == []
    for payout in run["payouts"]:
        parts = {k: v for k, v in run["deposits"].items() if k.split("-")[0] == payout["id"]}
        assert parts, f"{payout['id']} has no deposit"
        assert sum(parts.values(), Decimal(0)) == to_decimal(payout["amount"], payout["currency"]), (payout["id"], parts)
    paid = {payout["id"] for payout in run["payouts"]}
    assert {k for k in run["deposits"] if k.split("-")[0] not in paid} == set(), "a deposit of no paid payout"
