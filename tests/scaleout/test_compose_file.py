"""docker-compose.yaml and the scale-out test cannot drift apart: the test runs what the file says.

The stack takes each service's command and environment from the file; these checks make sure
that what it replaces for local hosts still exists there, that every service is accounted for,
and that the file's pools, secrets and health checks are the ones the test relies on.
"""

from __future__ import annotations

import json

import shlex

import pytest

from stripe_netsuite.dag_defaults import POOLS
from tests.scaleout import compose
from tests.scaleout.stack import AIRFLOW_SERVICES, IMAGE_ONLY, LOCAL_ADAPTATIONS

SPEC = compose.load()
SECRETS = {"AIRFLOW__API_AUTH__JWT_SECRET": "x" * 64, "AIRFLOW__CORE__FERNET_KEY": "k"}
# Services the scale-out test does not start from the file, and what stands in for them.
STAND_INS = {
    "postgres": "the machine's PostgreSQL, a fresh database per run",
    "redis": "the machine's Redis, a DB number per run",
    "stripe-sandbox": "the same serve arguments, local host and port",
    "netsuite-sandbox": "the same serve arguments, local host, port and file",
    "airflow-init": "run as is (stack.run)",
}


def test_every_service_is_run_by_the_test_or_stood_in_for():
    assert set(SPEC["services"]) == set(AIRFLOW_SERVICES) | set(STAND_INS)


def test_commands_are_the_ones_the_test_runs():
    commands = {name: compose.command(SPEC, name) for name in AIRFLOW_SERVICES}
    assert commands == {
        "airflow-apiserver": ["airflow", "api-server"],
        "airflow-scheduler": ["airflow", "scheduler"],
        "airflow-dag-processor": ["airflow", "dag-processor"],
        "airflow-worker": ["airflow", "celery", "worker", "--skip-serve-logs"],
    }
    for name in ("stripe-sandbox", "netsuite-sandbox"):
        assert compose.command(SPEC, name)[:2] == ["python", "-m"]


def test_airflow_services_share_one_environment_with_the_keys_the_test_adapts():
    envs = {
        name: {k: v for k, v in compose.environment(SPEC, name, SECRETS).items() if k not in IMAGE_ONLY}
        for name in [*AIRFLOW_SERVICES, "airflow-init"]
    }
    common = envs["airflow-init"]
    for name, env in envs.items():
        assert env == common, name
    adapted_in_file = {key for key in LOCAL_ADAPTATIONS if key in common}
    assert adapted_in_file == {
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN",
        "AIRFLOW__CELERY__RESULT_BACKEND",
        "AIRFLOW__CELERY__BROKER_URL",
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL",
        "AIRFLOW__COMMON_IO__XCOM_OBJECTSTORAGE_PATH",
        "AIRFLOW__COMMON_IO__XCOM_OBJECTSTORAGE_THRESHOLD",
    }
    assert common["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    assert common["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == "http://airflow-apiserver:8080/execution/"
    assert common["AIRFLOW__CELERY__RESULT_BACKEND"].startswith("db+postgresql+psycopg2://")
    assert common["AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK"] == "true"


@pytest.mark.parametrize("secret", sorted(SECRETS))
def test_secrets_must_be_set_by_the_user_and_are_shared(secret):
    for name in [*AIRFLOW_SERVICES, "airflow-init"]:
        assert compose.environment(SPEC, name, SECRETS)[secret] == SECRETS[secret]
        with pytest.raises(compose.MissingVariable):
            compose.environment(SPEC, name, {k: v for k, v in SECRETS.items() if k != secret})


def test_connection_defaults_point_at_the_sandboxes_and_parse():
    from airflow.sdk.definitions.connection import Connection

    env = compose.environment(SPEC, "airflow-worker", SECRETS)
    stripe = Connection.from_uri(env["AIRFLOW_CONN_STRIPE_DEFAULT"], conn_id="stripe_default")
    netsuite = Connection.from_uri(env["AIRFLOW_CONN_NETSUITE_DEFAULT"], conn_id="netsuite_default")
    assert (stripe.conn_type, stripe.host, stripe.port) == ("stripe", "http://stripe-sandbox", 12111)
    assert (netsuite.conn_type, netsuite.host, netsuite.port, netsuite.login) == (
        "netsuite", "http://netsuite-sandbox", 12112, "SANDBOX")
    extra = json.loads(netsuite.extra)
    assert "auth_type" not in extra and extra["token_id"] == "sandbox-token-id"  # TBA, the default
    # No short non-secret value in the extra: Airflow masks every extra value and warns on short ones.
    assert all(len(value) >= 5 for value in extra.values())
    # Users override them in .env with their own: a value given wins over the default.
    given = compose.environment(SPEC, "airflow-worker", {**SECRETS, "AIRFLOW_CONN_STRIPE_DEFAULT": "stripe://x"})
    assert given["AIRFLOW_CONN_STRIPE_DEFAULT"] == "stripe://x"


def test_init_creates_the_pools_the_dags_use():
    script = compose.command(SPEC, "airflow-init")[2]
    steps = [shlex.split(step) for step in script.split("&&")]
    assert steps[0] == ["airflow", "db", "migrate"]
    created = {step[3]: int(step[4]) for step in steps[1:] if step[:3] == ["airflow", "pools", "set"]}
    assert created == {name: slots for name, (slots, _) in POOLS.items()}


def test_health_checks_are_the_ones_the_test_uses():
    assert compose.healthcheck(SPEC, "airflow-apiserver")[-1].endswith("/api/v2/monitor/health")
    assert compose.healthcheck(SPEC, "airflow-scheduler")[-1] == "http://localhost:8974/health"
    for name in ("airflow-dag-processor", "airflow-worker"):
        assert compose.healthcheck(SPEC, name)[:2] == ["sh", "-c"]
