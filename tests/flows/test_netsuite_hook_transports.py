"""NetSuiteHook over every channel against the NetSuite sandbox: REST single and batch, SOAP, OAuth 2.0.

The same neutral records loaded over REST and over SOAP must leave identical sandbox state, and
every SOAP message the hook sends must validate against the 2023_2 XSDs.
"""

from __future__ import annotations

import threading
from decimal import Decimal
from pathlib import Path

import pytest
import requests

from stripe_netsuite.hooks.netsuite import NetSuiteHook
from stripe_netsuite.hooks.netsuite_errors import NetSuiteAuthError
from stripe_netsuite.mapping.records import NeutralRecord
from tests.fixtures.sandboxes import netsuite_conn, netsuite_sandbox_cmd, start_sandbox
from tests.fixtures.soap import validate_envelope

D = Decimal
SANDBOX_PKG = Path(__import__("netsuite_sandbox").__file__).parent


def ledger_records() -> list[list[NeutralRecord]]:
    """Waves of records; a later wave may refer to internal IDs the earlier ones got (filled in by the test)."""
    return [
        [
            NeutralRecord("customer", "cus_T1", {"companyName": "Transport Ltd", "email": "ap@transport.test",
                                                 "subsidiary": {"id": "1"}, "currency": {"id": "1"}}, "cus_T1"),
            NeutralRecord("customer", "cus_T2", {"isPerson": True, "firstName": "Ada", "lastName": "Byron",
                                                 "subsidiary": {"id": "1"}}, "cus_T2"),
        ],
        [
            NeutralRecord("serviceSaleItem", "price_T1", {"itemId": "Pro plan (price_T1)", "incomeAccount": {"id": "4"}}, "price_T1"),
        ],
        [
            NeutralRecord("invoice", "in_T1", {
                "entity": {"externalId": "cus_T1"}, "tranDate": "2026-03-01", "currency": {"id": "1"},
                "memo": "Stripe: in_T1",
                "item": {"items": [
                    {"item": {"externalId": "price_T1"}, "quantity": 2, "rate": "49.50", "amount": D("99.00")},
                    {"item": {"externalId": "price_T1"}, "quantity": 1, "rate": "0.99", "amount": D("0.99")},
                ]},
            }, "in_T1"),
        ],
    ]


def dump(hook: NetSuiteHook) -> dict:
    queries = {
        "customer": "SELECT externalid, entityid, isperson, companyname, firstname, lastname, email, currency FROM customer ORDER BY externalid",
        "transaction": "SELECT externalid, type, entity, currency, foreigntotal, status, memo FROM transaction ORDER BY externalid",
        "lines": "SELECT t.externalid, l.item, l.quantity, l.rate, l.foreignamount FROM transactionline l "
                 "JOIN transaction t ON t.id = l.transaction WHERE l.mainline = 'F' ORDER BY t.externalid, l.id",
    }
    return {name: list(hook.suiteql(q)) for name, q in queries.items()}


@pytest.fixture
def sandbox(tmp_path):
    running = start_sandbox(netsuite_sandbox_cmd(tmp_path / "ns.db", "--token-ttl-seconds", "2"))
    yield running
    running.stop()


def hook_for(monkeypatch, conn_id: str, url: str, **extra) -> NetSuiteHook:
    monkeypatch.setenv(f"AIRFLOW_CONN_{conn_id.upper()}", netsuite_conn(url, **extra))
    return NetSuiteHook(conn_id)


@pytest.fixture
def captured_soap(monkeypatch):
    """Every SOAP envelope any hook posts in the test."""
    sent: list[bytes] = []
    original = requests.Session.post

    def post(self, url, data=None, **kwargs):
        if "/services/NetSuitePort_" in url and data:
            sent.append(data if isinstance(data, bytes) else data.encode())
        return original(self, url, data=data, **kwargs)

    monkeypatch.setattr(requests.Session, "post", post)
    return sent


def test_rest_and_soap_leave_identical_state(monkeypatch, tmp_path, wsdl_path, soap_schema, captured_soap):
    first = start_sandbox(netsuite_sandbox_cmd(tmp_path / "rest.db"))
    second = start_sandbox(netsuite_sandbox_cmd(tmp_path / "soap.db"))
    try:
        rest = hook_for(monkeypatch, "ns_rest", first.url)
        soap = hook_for(monkeypatch, "ns_soap", second.url, transport="soap", wsdl=str(wsdl_path))
        for wave in ledger_records():
            for hook in (rest, soap):
                result = hook.upsert_records(wave)
                assert result.errors == [] and set(result.id_map) == {r.external_id for r in wave}
        assert dump(rest) == dump(soap)
        assert dump(rest)["transaction"][0]["foreigntotal"] in ("99.99", "99.990")
        # Idempotent on both channels: a second load creates nothing.
        for hook in (rest, soap):
            before = dump(hook)
            for wave in ledger_records():
                hook.upsert_records(wave)
            assert dump(hook) == before
    finally:
        first.stop()
        second.stop()
    assert captured_soap, "the SOAP hook sent nothing"
    for envelope in captured_soap:
        validate_envelope(soap_schema, envelope)


def test_soap_reports_per_record_errors_and_finds_by_external_id(monkeypatch, sandbox, wsdl_path):
    hook = hook_for(monkeypatch, "ns_soap", sandbox.url, transport="soap", wsdl=str(wsdl_path))
    good = NeutralRecord("customer", "cus_S1", {"companyName": "Fine"}, "cus_S1")
    dangling = NeutralRecord("customer", "cus_S2", {"companyName": "Bad", "subsidiary": {"id": "999"}}, "cus_S2")
    result = hook.upsert_records([good, dangling])
    assert list(result.id_map) == ["cus_S1"]
    (error,) = result.errors
    assert error.external_id == "cus_S2" and error.source_id == "cus_S2" and error.code
    assert hook.soap.get_list("customer", ["cus_S1", "cus_nope"]) == {"cus_S1": result.id_map["cus_S1"]}
    assert hook.soap.search_external_ids("customer", "cus_S") == {"cus_S1": result.id_map["cus_S1"]}


def test_soap_bad_passport_is_a_clear_error(monkeypatch, sandbox, wsdl_path):
    wrong = "wrong-token-secret-1234567"
    hook = hook_for(monkeypatch, "ns_soap", sandbox.url, transport="soap", wsdl=str(wsdl_path), token_secret=wrong)
    with pytest.raises(NetSuiteAuthError) as info:
        hook.upsert_records([NeutralRecord("customer", "cus_X", {"companyName": "X"}, "cus_X")])
    assert wrong not in str(info.value)


def test_soap_refuses_oauth2(monkeypatch, sandbox, wsdl_path):
    hook = hook_for(monkeypatch, "ns_soap", sandbox.url, transport="soap", auth_type="oauth2",
                    client_id="c", certificate_id="k", private_key="p")
    with pytest.raises(Exception, match="only token-based auth"):
        hook.soap


def oauth2_extra() -> dict:
    return {"auth_type": "oauth2", "client_id": "sandbox-client-id", "certificate_id": "sandbox-certificate-id",
            "private_key": (SANDBOX_PKG / "oauth2_test_key.pem").read_text()}


def test_oauth2_token_is_cached_and_renewed_when_it_expires(monkeypatch, sandbox):
    import time

    hook = hook_for(monkeypatch, "ns_o2", sandbox.url, **oauth2_extra())
    record = NeutralRecord("customer", "cus_O1", {"companyName": "OAuth Ltd"}, "cus_O1")
    first = hook.upsert(record)
    auth = hook.rest.session.auth
    token = auth.token()
    assert hook.upsert(record) == first and auth.token() == token  # cached
    time.sleep(2.5)  # the sandbox issues 2-second tokens here
    assert hook.upsert(record) == first
    assert auth.token() != token


def test_oauth2_expired_token_is_bought_again_on_401(monkeypatch, sandbox):
    import time

    hook = hook_for(monkeypatch, "ns_o2", sandbox.url, **oauth2_extra())
    auth = hook.rest.session.auth
    auth.token()
    auth._expires_at = time.time() + 3600  # the hook believes its token is fresh...
    time.sleep(2.5)  # ...but NetSuite has expired it
    assert list(hook.suiteql("SELECT id FROM subsidiary"))


def test_oauth2_wrong_key_is_a_clear_error(monkeypatch, sandbox):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    other = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
    hook = hook_for(monkeypatch, "ns_o2", sandbox.url, **{**oauth2_extra(), "private_key": other})
    with pytest.raises(NetSuiteAuthError) as info:
        list(hook.suiteql("SELECT id FROM subsidiary"))
    assert "client credentials" in str(info.value) and "PRIVATE KEY" not in str(info.value)


def test_rest_batch_jobs_with_partial_failure_and_idempotent_replay(monkeypatch, sandbox):
    hook = hook_for(monkeypatch, "ns_batch", sandbox.url)
    records = [NeutralRecord("customer", f"cus_B{i:03d}", {"companyName": f"Batch {i}"}, f"cus_B{i:03d}") for i in range(130)]
    records.append(NeutralRecord("customer", "cus_Bbad", {"companyName": "Bad", "email": "nope"}, "cus_Bbad"))
    result = hook.upsert_records(records, batch_threshold=10)
    assert len(result.id_map) == 130
    assert [(e.external_id, e.code) for e in result.errors] == [("cus_Bbad", "INVALID_FLD_VALUE")]
    again = hook.upsert_records(records, batch_threshold=10)  # same content: same idempotency keys, same jobs
    assert again.id_map == result.id_map
    assert len(list(hook.suiteql("SELECT id FROM customer WHERE externalid LIKE 'cus_B%'"))) == 130


@pytest.mark.parametrize("in_flight", [1, 3])
def test_batch_jobs_are_submitted_ahead_of_the_one_awaited(monkeypatch, sandbox, in_flight):
    """With ``batch_jobs_in_flight`` N, up to N jobs run in NetSuite while the oldest is awaited, one request
    open at a time; every record still gets its own result."""
    from stripe_netsuite.hooks.netsuite_rest import RestTransport

    hook = hook_for(monkeypatch, f"ns_ahead{in_flight}", sandbox.url, batch_jobs_in_flight=in_flight)
    calls: list[str] = []
    submit, outcome = RestTransport.submit_batch, RestTransport.batch_outcome
    monkeypatch.setattr(RestTransport, "submit_batch", lambda self, *a, **k: calls.append("submit") or submit(self, *a, **k))
    monkeypatch.setattr(RestTransport, "batch_outcome", lambda self, *a, **k: calls.append("wait") or outcome(self, *a, **k))
    records = [NeutralRecord("customer", f"cus_J{in_flight}{i:03d}", {"companyName": f"Job {i}"}, f"cus_J{i:03d}")
               for i in range(450)]
    result = hook.upsert_records(records, batch_threshold=10)
    assert len(result.id_map) == 450 and result.errors == []
    waits_before = [calls[:i].count("submit") - calls[:i].count("wait") for i, call in enumerate(calls) if call == "wait"]
    assert calls.count("submit") == calls.count("wait") == 5
    assert max(waits_before) == in_flight  # jobs running in NetSuite while the oldest is awaited
    assert len(list(hook.suiteql(f"SELECT id FROM customer WHERE externalid LIKE 'cus_J{in_flight}%'"))) == 450


def test_batch_jobs_hold_the_engine_batch_size(monkeypatch, sandbox):
    from stripe_netsuite.hooks.netsuite_rest import RestTransport

    hook = hook_for(monkeypatch, "ns_size", sandbox.url)
    sizes: list[int] = []
    submit = RestTransport.submit_batch
    monkeypatch.setattr(RestTransport, "submit_batch",
                        lambda self, record_type, items: sizes.append(len(items)) or submit(self, record_type, items))
    records = [NeutralRecord("customer", f"cus_S{i:03d}", {"companyName": f"Size {i}"}, f"cus_S{i:03d}") for i in range(120)]
    assert len(hook.upsert_records(records, batch_threshold=10, batch_size=50).id_map) == 120
    assert sizes == [50, 50, 20]


def test_concurrency_limit_is_absorbed_by_retries(monkeypatch, tmp_path):
    running = start_sandbox(netsuite_sandbox_cmd(tmp_path / "busy.db", "--concurrency", "1", "--latency-ms", "150"))
    try:
        hook_for(monkeypatch, "ns_busy", running.url)
        from stripe_netsuite.hooks.netsuite_errors import NetSuiteTransientError
        from stripe_netsuite.hooks.netsuite_rest import RestTransport

        errors: list[Exception] = []
        refused: list[str] = []
        send_once = RestTransport._send_once

        def counting(self, *args, **kwargs):
            try:
                return send_once(self, *args, **kwargs)
            except NetSuiteTransientError as exc:
                refused.append(str(exc))
                raise

        monkeypatch.setattr(RestTransport, "_send_once", counting)

        def load(i: int) -> None:
            try:
                NetSuiteHook("ns_busy").upsert(NeutralRecord("customer", f"cus_C{i}", {"companyName": f"C{i}"}, f"cus_C{i}"))
            except Exception as exc:  # noqa: BLE001 - collected for the assertion
                errors.append(exc)

        threads = [threading.Thread(target=load, args=(i,)) for i in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        assert refused and all("429" in r for r in refused)  # the limit was hit, and retried away
    finally:
        running.stop()


def add_fault(url: str, **rule) -> None:
    requests.post(f"{url}/_sandbox/faults", json=rule, timeout=5).raise_for_status()


def test_rest_5xx_is_retried_with_backoff(monkeypatch, sandbox):
    hook = hook_for(monkeypatch, "ns_flaky", sandbox.url)
    add_fault(sandbox.url, path="/services/rest/record/v1/customer/*", method="PUT", status=503, count=2)
    internal_id = hook.upsert(NeutralRecord("customer", "cus_F1", {"companyName": "Flaky"}, "cus_F1"))
    assert internal_id.isdigit()


def test_write_committed_before_an_error_is_not_duplicated_by_the_retry(monkeypatch, sandbox):
    hook = hook_for(monkeypatch, "ns_flaky", sandbox.url)
    add_fault(sandbox.url, path="/services/rest/record/v1/customer/*", method="PUT", status=500, count=1, after_commit=True)
    first = hook.upsert(NeutralRecord("customer", "cus_F2", {"companyName": "Committed"}, "cus_F2"))
    rows = list(hook.suiteql("SELECT id FROM customer WHERE externalid = 'cus_F2'"))
    assert rows == [{"id": first}]


def test_soap_faults_are_retried_and_every_message_validates(monkeypatch, sandbox, wsdl_path, soap_schema, captured_soap):
    hook = hook_for(monkeypatch, "ns_soap", sandbox.url, transport="soap", wsdl=str(wsdl_path))
    add_fault(sandbox.url, path="/services/NetSuitePort_*", status=503, count=1)
    result = hook.upsert_records([NeutralRecord("customer", "cus_F3", {"companyName": "Soap"}, "cus_F3")])
    assert list(result.id_map) == ["cus_F3"] and result.errors == []
    hook.soap.get_list("customer", ["cus_F3"])
    hook.soap.search_external_ids("customer", "cus_F")
    assert len(captured_soap) >= 4  # the refused try, its retry, getList, search
    for envelope in captured_soap:
        validate_envelope(soap_schema, envelope)
