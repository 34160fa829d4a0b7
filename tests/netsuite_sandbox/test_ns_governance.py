"""Account concurrency limit: past it NetSuite answers 429 at once instead of queueing."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from ns_helpers import NsClient, assert_error


def test_more_concurrent_requests_than_the_limit_get_429(start_sandbox):
    server = start_sandbox(concurrency_limit=5, latency_ms=1500)
    client = NsClient(server.url)
    with ThreadPoolExecutor(max_workers=8) as pool:
        responses = list(pool.map(lambda _: client.get("currency", "1"), range(8)))
    statuses = sorted(r.status_code for r in responses)
    assert statuses.count(429) >= 1, statuses
    assert statuses.count(200) >= 5, statuses  # the first five to arrive always get a slot
    assert set(statuses) <= {200, 429}
    for refused in (r for r in responses if r.status_code == 429):
        detail = assert_error(refused, 429, "CONCURRENCY_LIMIT_EXCEEDED")
        assert "concurrent" in detail["detail"].lower()
    figures = server.app.governance()
    assert figures.limit == 5 and figures.peak == 5 and figures.in_flight == 0
    assert figures.rejected == statuses.count(429) and figures.accepted == statuses.count(200)


def test_requests_within_the_limit_all_succeed(start_sandbox):
    server = start_sandbox(concurrency_limit=3, latency_ms=300)
    client = NsClient(server.url)
    with ThreadPoolExecutor(max_workers=3) as pool:
        statuses = [r.status_code for r in pool.map(lambda _: client.get("currency", "1"), range(3))]
    assert statuses == [200, 200, 200]
    # A slot is freed when a request ends: the next one is served.
    assert client.get("currency", "1").status_code == 200


def test_rejected_logins_do_not_hold_slots(start_sandbox):
    server = start_sandbox(concurrency_limit=1)
    client = NsClient(server.url)
    for _ in range(3):
        assert client.get("currency", "1", consumer_secret="wrong").status_code == 401
    assert client.get("currency", "1").status_code == 200
    assert server.app.governance().rejected == 0
