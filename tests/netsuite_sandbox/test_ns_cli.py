"""The ``netsuite-sandbox`` console script: fast start, one line, clean stop on signals."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time

import pytest
from ns_helpers import NsClient


def _command() -> list[str]:
    script = shutil.which("netsuite-sandbox", path=os.path.dirname(sys.executable))
    return [script] if script else [sys.executable, "-m", "netsuite_sandbox"]


def _start(tmp_path, *extra):
    started = time.perf_counter()
    proc = subprocess.Popen(
        [*_command(), "serve", "--host", "127.0.0.1", "--port", "0", "--db", str(tmp_path / "cli.db"), *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    line = proc.stdout.readline()
    elapsed = time.perf_counter() - started
    return proc, line, elapsed


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_cli_starts_fast_prints_one_line_and_stops_cleanly(tmp_path, sig):
    proc, line, elapsed = _start(tmp_path)
    try:
        print(f"\nnetsuite-sandbox start-up: {elapsed:.2f} s (until the listening line)")
        match = re.fullmatch(r"netsuite-sandbox listening on (http://127\.0\.0\.1:(\d+))\n", line)
        assert match, line
        assert elapsed < 5
        client = NsClient(match.group(1))
        assert client.upsert("customer", "cus_cli", {"companyName": "CLI Co"}).status_code == 204
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    assert out == ""  # exactly one line in total
    assert "Traceback" not in err


def test_cli_options_reach_the_app(tmp_path):
    proc, line, _ = _start(tmp_path, "--account", "1234567_SB1", "--concurrency", "2")
    try:
        url = line.split(" on ", 1)[1].strip()
        assert NsClient(url, account="1234567_SB1").get("currency", "1").status_code == 200
        assert NsClient(url).get("currency", "1").status_code == 401  # realm must be the account
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=10)
    assert proc.returncode == 0


def test_cli_refuses_a_bad_seed_file(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("planets: []\n")
    result = subprocess.run([*_command(), "serve", "--port", "0", "--db", str(tmp_path / "x.db"), "--seed-file", str(bad)],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    assert "unknown sections" in result.stderr


def test_cli_latency_and_token_options(tmp_path):
    import requests

    proc, line, _ = _start(tmp_path, "--record-latency-ms", "50", "--token-ttl-seconds", "7")
    try:
        url = line.split(" on ", 1)[1].strip()
        client = NsClient(url)
        response = client.request("PUT", "/services/rest/record/v1/customer",
                                  json={"items": [{"externalId": f"cus_{i}", "companyName": f"C{i}"} for i in range(4)]},
                                  headers={"Prefer": "respond-async",
                                           "Content-Type": "application/vnd.oracle.resource+json; type=collection"})
        assert response.status_code == 202
        job = response.headers["Location"].split(url, 1)[1]
        started = time.monotonic()
        while not client.request("GET", job).json()["completed"]:
            time.sleep(0.02)
        assert time.monotonic() - started > 0.1  # 4 records x 50 ms
        import jwt

        from netsuite_sandbox.oauth2 import sandbox_private_key_pem

        now = int(time.time())
        token_url = url + "/services/rest/auth/oauth2/v1/token"
        assertion = jwt.encode({"iss": "sandbox-client-id", "scope": ["rest_webservices"], "aud": token_url,
                                "iat": now, "exp": now + 600}, sandbox_private_key_pem(), algorithm="PS256",
                               headers={"kid": "sandbox-certificate-id"})
        token = requests.post(token_url, data={"grant_type": "client_credentials", "client_assertion": assertion,
                                               "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
                              timeout=10).json()
        assert token["expires_in"] == 7
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=10)
    assert proc.returncode == 0
