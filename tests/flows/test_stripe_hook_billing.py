"""StripeHook on billing data: lines past the first page, payouts' balance transactions, no N+1."""

from __future__ import annotations

import pytest

from stripe_netsuite.hooks.stripe import StripeHook
from tests.fixtures.sandboxes import start_sandbox, stripe_conn, stripe_sandbox_cmd


@pytest.fixture(scope="module")
def stripe_edge():
    sandbox = start_sandbox(stripe_sandbox_cmd("--scenario", "edge", "--seed", "3"))
    yield sandbox
    sandbox.stop()


@pytest.fixture
def hook(monkeypatch, stripe_edge):
    monkeypatch.setenv("AIRFLOW_CONN_STRIPE_DEFAULT", stripe_conn(stripe_edge.url))
    return StripeHook(requests_per_second=500)


def test_invoice_lines_past_the_first_page(hook):
    invoices = list(hook.list_objects("invoices"))
    long_ones = [i for i in invoices if i["lines"]["has_more"]]
    assert long_ones, "the edge scenario has invoices with more lines than one page"
    completed = hook.complete_all_lines(invoices)
    for before, after in zip(invoices, completed):
        lines = after["lines"]["data"]
        assert after["lines"]["has_more"] is False
        assert len({line["id"] for line in lines}) == len(lines)
        if before["lines"]["has_more"]:
            assert sum(line["amount"] for line in lines) == before["subtotal"]
    biggest = max(completed, key=lambda i: len(i["lines"]["data"]))
    assert len(biggest["lines"]["data"]) > 100  # more than one page of 100 behind the first 10


def test_payout_balance_transactions_sum_to_the_payout(hook):
    payouts = [p for p in hook.list_objects("payouts") if p["status"] == "paid"]
    assert payouts
    for payout in payouts:
        rows = hook.payout_balance_transactions(payout["id"])
        own = [r for r in rows if r["type"] == "payout"]
        others = [r for r in rows if r["type"] != "payout"]
        assert len(own) == 1 and own[0]["amount"] == -payout["amount"]
        assert sum(r["net"] for r in others) == payout["amount"]
        assert all(isinstance(r["source"], dict) for r in others)  # expanded: no request per row


def test_listing_with_expansion_avoids_n_plus_one(hook, stripe_edge):
    invoices = list(hook.list_objects("invoices", expand=["customer"]))
    assert invoices and all(isinstance(i["customer"], dict) for i in invoices)
