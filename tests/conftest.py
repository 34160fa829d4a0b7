"""Test environment: set Airflow's env before anything imports airflow; shared sandbox fixtures."""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
_HOME = ROOT / ".airflow-test-home" / f"w{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
_HOME.mkdir(parents=True, exist_ok=True)
os.environ["AIRFLOW_HOME"] = str(_HOME)
os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(ROOT / "dags")
os.environ["AIRFLOW__CORE__PLUGINS_FOLDER"] = str(ROOT / "plugins")
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
os.environ["AIRFLOW__CORE__UNIT_TEST_MODE"] = "False"
os.environ.setdefault("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", f"sqlite:///{_HOME / 'airflow.db'}")
os.environ.setdefault("AIRFLOW__API_AUTH__JWT_SECRET", secrets.token_urlsafe(64))
os.environ.pop("STRIPE_NETSUITE_SETTINGS", None)
os.environ["STRIPE_NETSUITE_RETRY_DELAY_SECONDS"] = "1"
for key in list(os.environ):
    if key.startswith(("AIRFLOW_CONN_", "AIRFLOW_VAR_")):
        del os.environ[key]

from tests.fixtures.airflow import airflow_db, clean_variables, dagbag  # noqa: E402,F401
from tests.fixtures.soap import soap_schema, wsdl_path  # noqa: E402,F401
from tests.fixtures.sandboxes import connections, netsuite, stripe_demo, stripe_empty  # noqa: E402,F401


def shared_path(*parts: str) -> Path:
    """A file under ../shared, or skip the test with a clear reason when it is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent: these tests need ../shared beside the project checkout")
    return path


def conn_json(**fields) -> str:
    return json.dumps(fields)

from hypothesis import HealthCheck, settings  # noqa: E402

# No per-example deadline: a cold first example (imports, regex compiles) is not a failure.
settings.register_profile("project", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("project")
