"""No secret the project handles reaches any log, even with Airflow's log level at DEBUG.

A real ``airflow dags test`` of the customers flow runs in a subprocess with
``AIRFLOW__LOGGING__LOGGING_LEVEL=DEBUG``, its connections in ``AIRFLOW_CONN_*`` variables as a
deployment gives them, once with NetSuite token-based auth and once with OAuth 2.0 (the two run side
by side). Every secret is fresh for the test: a Stripe key, TBA consumer and token secrets, an RSA
private key the NetSuite sandbox trusts, and the bearer tokens the sandbox issued during the run. Then
everything the run wrote is searched for each of them: stdout, stderr and every file under its
AIRFLOW_HOME (logs, metadata DB).

Airflow 3.3's in-process supervisor logs each masking request whole at DEBUG
(``InProcessSupervisorComms.send``: ``Sending request msg=MaskSecret(value='<secret>')``); see
``stripe_netsuite/hooks/secrets.py`` for the guard.
"""

from __future__ import annotations

import json
import os
import secrets
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.fixtures.sandboxes import start_sandbox, stripe_sandbox_cmd

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
DAG_ID = "stripe_customers_to_netsuite"

pytestmark = pytest.mark.usefixtures("airflow_db")


def private_key_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


def public_pem(private_pem: str) -> str:
    key = serialization.load_pem_private_key(private_pem.encode(), password=None)
    return key.public_key().public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def pem_lines(pem: str) -> list[str]:
    """The key material of a PEM, line by line (a log may hold the PEM whole, escaped, or cut)."""
    return [line for line in pem.splitlines() if line and not line.startswith("-----")]


def airflow_home(path: Path) -> Path:
    """A throw-away AIRFLOW_HOME holding a copy of the migrated test metadata DB (no migration to wait for)."""
    path.mkdir(parents=True)
    source = sqlite3.connect(os.environ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].removeprefix("sqlite:///"))
    target = sqlite3.connect(path / "airflow.db")
    with target:
        source.backup(target)
    source.close()
    target.close()
    return path


def start_dags_test(home: Path, stripe_url: str, stripe_key: str, netsuite_url: str, extra: dict) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "STRIPE_NETSUITE_SETTINGS"))}
    env.update({
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(ROOT / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(64),
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "DEBUG",
        "AIRFLOW_CONN_STRIPE_DEFAULT": json.dumps({"conn_type": "stripe", "host": stripe_url, "password": stripe_key}),
        "AIRFLOW_CONN_NETSUITE_DEFAULT": json.dumps(
            {"conn_type": "netsuite", "host": netsuite_url, "login": "SANDBOX", "extra": extra}),
        "STRIPE_NETSUITE_RETRY_DELAY_SECONDS": "1",
    })
    return subprocess.Popen([str(BIN / "airflow"), "dags", "test", DAG_ID], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)


def everything_written(home: Path, stdout: bytes, stderr: bytes) -> dict[str, bytes]:
    written = {"stdout": stdout, "stderr": stderr}
    for path in home.rglob("*"):
        if path.is_file():
            written[str(path.relative_to(home))] = path.read_bytes()
    return written


def test_a_debug_run_writes_no_secret_anywhere(tmp_path):
    from netsuite_sandbox import NetSuiteSandbox
    from netsuite_sandbox.auth import TbaCredentials
    from netsuite_sandbox.oauth2 import OAuth2Client
    from sandbox_kit import start_background

    stripe_key = f"sk_test_{secrets.token_hex(12)}"
    tba = {"consumer_key": f"ck-{secrets.token_hex(8)}", "consumer_secret": f"cs-{secrets.token_hex(16)}",
           "token_id": f"ti-{secrets.token_hex(8)}", "token_secret": f"ts-{secrets.token_hex(16)}"}
    key = private_key_pem()
    client = OAuth2Client(client_id=f"client-{secrets.token_hex(6)}", certificate_id=f"cert-{secrets.token_hex(6)}",
                          public_pem=public_pem(key))
    oauth2 = {"auth_type": "oauth2", "client_id": client.client_id, "certificate_id": client.certificate_id,
              "private_key": key}

    stripe = start_sandbox(stripe_sandbox_cmd("--scenario", "demo", "--seed", "7", "--api-key", stripe_key))
    netsuite_tba = start_background(NetSuiteSandbox(tmp_path / "ns-tba.db", credentials=TbaCredentials(**tba)))
    netsuite_oauth2 = start_background(NetSuiteSandbox(tmp_path / "ns-oauth2.db", oauth2_clients=client))
    try:
        runs = {}
        for name, sandbox, extra in (("tba", netsuite_tba, tba), ("oauth2", netsuite_oauth2, oauth2)):
            home = airflow_home(tmp_path / f"home-{name}")
            runs[name] = (home, start_dags_test(home, stripe.url, stripe_key, sandbox.url, extra))
        outputs = {name: (home, *process.communicate(timeout=300), process.returncode)
                   for name, (home, process) in runs.items()}
        bearer_tokens = netsuite_oauth2.app.oauth2.issued_tokens()
    finally:
        stripe.stop()
        netsuite_tba.stop()
        netsuite_oauth2.stop()

    wanted = {"Stripe key": [stripe_key], "TBA consumer secret": [tba["consumer_secret"]],
              "TBA token secret": [tba["token_secret"]], "OAuth 2.0 private key": pem_lines(key),
              "OAuth 2.0 bearer token": bearer_tokens}
    assert bearer_tokens, "the OAuth 2.0 run bought no access token"
    leaks = []
    for name, (home, stdout, stderr, returncode) in outputs.items():
        text = stdout.decode(errors="replace")
        assert returncode == 0 and "state=success" in text, (name, text[-3000:], stderr.decode()[-3000:])
        # The run did log at DEBUG, masking requests included (as their type only).
        assert "[debug" in text and "MaskSecret" in text, name
        for where, data in everything_written(home, stdout, stderr).items():
            for what, values in wanted.items():
                for value in values:
                    if value.encode() in data:
                        leaks.append(f"{name} run: {what} in {where}")
    assert sorted(set(leaks)) == []
