"""Fault injection (/_sandbox/faults) and the per-record latency model."""

from __future__ import annotations

import time

import requests
from ns_helpers import NsClient, assert_error

FAULTS = "/_sandbox/faults"


def _rule(url, **rule):
    response = requests.post(url + FAULTS, json=rule, timeout=10)
    assert response.status_code == 201, response.text
    return response.json()


def test_a_fault_before_the_write_leaves_nothing_behind(sandbox, client):
    _rule(sandbox.url, path="/services/rest/record/v1/customer*", method="PUT", status=503, count=1)
    failed = client.upsert("customer", "cus_f", {"companyName": "F"})
    assert_error(failed, 503, "SERVICE_UNAVAILABLE")
    assert client.get("customer", "eid:cus_f").status_code == 404  # GET is not matched
    assert client.upsert("customer", "cus_f", {"companyName": "F"}).status_code == 204  # count used up
    listed = requests.get(sandbox.url + FAULTS, timeout=10).json()
    assert listed["items"] == [] and listed["fired"] == 1


def test_after_commit_the_write_is_done_but_the_client_sees_an_error(sandbox, client):
    _rule(sandbox.url, path="/services/rest/record/v1/customer/*", status=500, after_commit=True)
    assert_error(client.upsert("customer", "cus_c", {"companyName": "C"}), 500, "UNEXPECTED_ERROR")
    assert client.get("customer", "eid:cus_c").json()["companyName"] == "C"


def test_after_commit_timeout_the_client_times_out_and_a_retry_finds_the_record(sandbox, client):
    _rule(sandbox.url, path="/services/rest/record/v1/customer/*", method="PUT", status=500, after_commit=True,
          timeout_seconds=2)
    started = time.monotonic()
    try:
        client.upsert("customer", "cus_t", {"companyName": "T"}, timeout=0.5)
    except requests.Timeout:
        pass
    else:
        raise AssertionError("the client should have timed out")
    assert time.monotonic() - started < 1.5
    retry = client.upsert("customer", "cus_t", {"companyName": "T"})  # idempotent upsert: same record
    assert retry.status_code == 204
    assert client.suiteql("SELECT COUNT(*) n FROM customer").json()["items"][0]["n"] == "1"


def test_bad_rules_and_clearing(sandbox, client):
    assert requests.post(sandbox.url + FAULTS, json={"path": "/x", "status": 200}, timeout=10).status_code == 400
    assert requests.post(sandbox.url + FAULTS, json={"status": 500}, timeout=10).status_code == 400
    _rule(sandbox.url, path="/services/*", status=500, count=5)
    assert requests.delete(sandbox.url + FAULTS, timeout=10).status_code == 204
    assert client.get("currency", "1").status_code == 200


def test_dropped_connection(sandbox, client):
    _rule(sandbox.url, path="/services/rest/record/v1/currency/1", status=500, drop_connection=True)
    try:
        client.get("currency", "1", timeout=5)
    except requests.ConnectionError:
        pass
    else:
        raise AssertionError("the connection should have been dropped")
    assert client.get("currency", "1").status_code == 200


def test_record_latency_applies_per_batch_item(start_sandbox):
    server = start_sandbox(record_latency_ms=100)
    client = NsClient(server.url)
    started = time.monotonic()
    response = client.request("PUT", "/services/rest/record/v1/customer",
                              json={"items": [{"externalId": f"cus_{i}", "companyName": f"C{i}"} for i in range(5)]},
                              headers={"Prefer": "respond-async",
                                       "Content-Type": "application/vnd.oracle.resource+json; type=collection"})
    assert response.status_code == 202
    assert time.monotonic() - started < 0.4  # the request itself does not wait for the records
    assert server.app.wait_for_jobs(10)
    assert time.monotonic() - started >= 0.5
