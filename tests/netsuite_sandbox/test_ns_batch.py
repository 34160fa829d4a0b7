"""REST batch upsert/add: asynchronous jobs, per-record results, idempotency keys."""

from __future__ import annotations

import re
import time

from ns_helpers import NsClient, assert_error, put

BATCH = {"Prefer": "respond-async", "Content-Type": "application/vnd.oracle.resource+json; type=collection"}
JOB_RE = re.compile(r"^http://127\.0\.0\.1:\d+/services/rest/async/v1/job/(\d+)$")


def _submit(client, record_type, items, method="PUT", key=None):
    headers = dict(BATCH, **({"X-NetSuite-Idempotency-Key": key} if key else {}))
    return client.request(method, f"/services/rest/record/v1/{record_type}", json={"items": items}, headers=headers)


def _wait(client, job_path, timeout=10):
    deadline = time.monotonic() + timeout
    while True:
        job = client.request("GET", job_path).json()
        if job["completed"]:
            return job
        assert time.monotonic() < deadline, job
        time.sleep(0.05)


def _results(client, job_path):
    tasks = client.request("GET", f"{job_path}/task").json()["items"]
    assert len(tasks) == 1 and tasks[0]["links"][0]["href"].endswith(f"/task/{tasks[0]['id']}")
    return client.request("GET", f"{job_path}/task/{tasks[0]['id']}/result").json()["items"]


def test_batch_upsert_with_good_and_bad_items(client):
    put(client, "customer", "cus_1", {"companyName": "Acme"})
    items = [
        {"externalId": "in_1", "entity": {"externalId": "cus_1"}, "item": {"items": [{"item": {"externalId": "stripe-item-generic"}, "amount": 10}]}},
        {"externalId": "in_2", "entity": {"externalId": "cus_missing"}, "item": {"items": [{"item": {"externalId": "stripe-item-generic"}, "amount": 10}]}},
        {"externalId": "in_3", "entity": {"externalId": "cus_1"}, "item": {"items": [{"item": {"externalId": "stripe-item-generic"}, "amount": 30}]}},
        {"entity": {"externalId": "cus_1"}},  # no externalId: an upsert needs one
    ]
    response = _submit(client, "invoice", items)
    assert response.status_code == 202, response.text
    location = response.headers["Location"]
    assert JOB_RE.match(location), location
    job_path = location.split(client.base_url, 1)[1]
    job = _wait(client, job_path)
    assert job["progress"] == "succeeded" and job["id"] == JOB_RE.match(location).group(1)
    results = _results(client, job_path)
    assert [r["externalId"] for r in results] == ["in_1", "in_2", "in_3", None]
    assert [r["status"] for r in results] == [204, 400, 204, 400]
    assert results[1]["o:errorDetails"][0]["o:errorCode"] == "INVALID_KEY_OR_REF"
    assert results[3]["o:errorDetails"][0]["o:errorCode"] == "INVALID_ID"
    assert client.get("invoice", "eid:in_1").json()["id"] == results[0]["id"]
    assert client.get("invoice", "eid:in_3").json()["total"] == 30
    # Re-running the same upserts updates the same records (same internal ids; without ?replace=item
    # each adds its line again, see test_ns_sublist_updates.py).
    again_path = _submit(client, "invoice", items[:1]).headers["Location"].split(client.base_url, 1)[1]
    _wait(client, again_path)
    assert _results(client, again_path)[0]["id"] == results[0]["id"]


def test_idempotency_key_replay_points_at_the_first_job(client):
    items = [{"externalId": "cus_b1", "companyName": "B1"}]
    first = _submit(client, "customer", items, key="key-123")
    assert first.status_code == 202
    second = _submit(client, "customer", items, key="key-123")
    detail = assert_error(second, 400, "IDEMPOTENCY_ERROR")
    assert first.headers["Location"] in detail["detail"]
    assert second.json()["o:errorDetails"][0]["o:errorHeader"] == "X-NetSuite-Idempotency-Key"


def test_batch_add_and_the_limits(client):
    response = _submit(client, "customer", [{"externalId": f"cus_{i}", "companyName": f"C{i}"} for i in range(3)], method="POST")
    assert response.status_code == 202
    job_path = response.headers["Location"].split(client.base_url, 1)[1]
    _wait(client, job_path)
    assert [r["status"] for r in _results(client, job_path)] == [204, 204, 204]
    # add again: the external IDs are taken now
    dup = _submit(client, "customer", [{"externalId": "cus_0", "companyName": "again"}], method="POST")
    dup_path = dup.headers["Location"].split(client.base_url, 1)[1]
    _wait(client, dup_path)
    assert _results(client, dup_path)[0]["o:errorDetails"][0]["o:errorCode"] == "DUP_RCRD"
    assert_error(_submit(client, "customer", []), 400, "INVALID_CONTENT")
    assert_error(_submit(client, "customer", [{"externalId": f"c{i}"} for i in range(101)]), 400, "INVALID_CONTENT")
    no_prefer = client.request("PUT", "/services/rest/record/v1/customer", json={"items": [{}]},
                               headers={"Content-Type": BATCH["Content-Type"]})
    assert_error(no_prefer, 400, "INVALID_HEADER")
    assert_error(client.request("GET", "/services/rest/async/v1/job/999999"), 404, "NONEXISTENT_ID")


def test_jobs_and_results_survive_a_restart(start_sandbox):
    first = start_sandbox(record_latency_ms=5)
    client = NsClient(first.url)
    response = _submit(client, "customer", [{"externalId": "cus_keep", "companyName": "K"}])
    job_path = response.headers["Location"].split(client.base_url, 1)[1]
    assert first.app.wait_for_jobs(10)
    first.stop()
    second = start_sandbox()
    client = NsClient(second.url)
    assert client.request("GET", job_path).json()["progress"] == "succeeded"
    assert _results(client, job_path)[0]["status"] == 204
