"""docker-compose.yaml's Airflow services as local processes: same commands, same environment.

Only what ties a container to its host changes (`LOCAL_ADAPTATIONS`): a fresh Postgres database
and a Redis DB number instead of the `postgres`/`redis` containers, 127.0.0.1 and free ports
instead of service names, the project's folders instead of the image's mounts. The secrets and
connections are given the way a user gives them, as the variables compose reads from `.env`.
"""

from __future__ import annotations

import json
import os
import random
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx

from stripe_netsuite_demo.local_ui import stop_process_groups
from tests.scaleout import compose

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres", "dbname": "test"}
REDIS = ("127.0.0.1", 6379)
AIRFLOW_SERVICES = ["airflow-apiserver", "airflow-scheduler", "airflow-dag-processor", "airflow-worker"]

# Environment keys the stack sets differently from the compose file, or adds; each says why.
LOCAL_ADAPTATIONS = {
    "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": "a fresh database on the local Postgres",
    "AIRFLOW__CELERY__RESULT_BACKEND": "the same database",
    "AIRFLOW__CELERY__BROKER_URL": "a Redis DB number on the local Redis",
    "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": "the api-server's local port",
    "AIRFLOW__API__HOST": "serve on 127.0.0.1 only",
    "AIRFLOW__API__PORT": "a free port instead of the container's 8080",
    "AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_HOST": "127.0.0.1 only",
    "AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_PORT": "a free port instead of 8974",
    "AIRFLOW__OPERATORS__DEFAULT_QUEUE": "a queue of its own, so runs sharing a Redis DB never swap tasks",
    "AIRFLOW_HOME": "a temporary folder instead of /opt/airflow",
    "AIRFLOW__CORE__DAGS_FOLDER": "the project's dags/ instead of the /opt/airflow/dags mount",
    "AIRFLOW__CORE__PLUGINS_FOLDER": "the project's plugins/ instead of the /opt/airflow/plugins mount",
    "PYTHONPATH": "the project's include/ instead of /opt/airflow/project/include",
    "AIRFLOW__COMMON_IO__XCOM_OBJECTSTORAGE_PATH": "a temporary folder instead of the airflow-xcom volume",
    "AIRFLOW__COMMON_IO__XCOM_OBJECTSTORAGE_THRESHOLD": "0 instead of 64 KiB, so the test's small runs write every "
                                                       "XCom to the files too (and the next tasks read them back)",
}
# Compose keys the stack leaves out: the image acts on them, not Airflow.
IMAGE_ONLY = {"_PIP_ADDITIONAL_REQUIREMENTS", "DUMB_INIT_SETSID"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def unreachable_services() -> str | None:
    """Why the stack cannot run here (Postgres or Redis down), or None."""
    for name, address in (("PostgreSQL", (PG["host"], PG["port"])), ("Redis", REDIS)):
        try:
            socket.create_connection(address, timeout=2).close()
        except OSError as exc:
            return f"{name} is not reachable at {address[0]}:{address[1]} ({exc})"
    return None


def _admin(statement: str) -> None:
    import psycopg2

    conn = psycopg2.connect(**PG)
    conn.autocommit = True  # CREATE/DROP DATABASE cannot run in a transaction
    try:
        with conn.cursor() as cur:
            cur.execute(statement)
    finally:
        conn.close()


def create_database() -> str:
    name = f"sn_scaleout_{uuid.uuid4().hex[:12]}"
    _admin(f'CREATE DATABASE "{name}"')
    return name


def drop_database(name: str) -> None:
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def query(database: str, sql: str, *params) -> list[tuple]:
    import psycopg2

    with psycopg2.connect(**{**PG, "dbname": database}) as conn, conn.cursor() as cur:
        cur.execute(sql, params or None)
        return cur.fetchall()


class Stack:
    """The Airflow services of docker-compose.yaml, each a process group logging to a file."""

    def __init__(self, workdir: Path, user_variables: dict[str, str]):
        self.workdir = workdir
        self.compose = compose.load()
        self.database = create_database()
        self.redis_db = random.randint(1, 15)
        self.queue = f"scaleout-{uuid.uuid4().hex[:8]}"
        self.api_port, self.health_port = free_port(), free_port()
        self.api_url = f"http://127.0.0.1:{self.api_port}"
        self.health_url = f"http://127.0.0.1:{self.health_port}"
        self.processes: dict[str, subprocess.Popen] = {}
        self.logs: dict[str, Path] = {}
        self.base_env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
        self.base_env["PATH"] = f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"
        self.user_variables = user_variables
        self.xcom_dir = workdir / "xcom"

    def local_values(self) -> dict[str, str]:
        # Driver named: SQLAlchemy 2.1 reads plain postgresql:// as psycopg 3, which is not installed.
        db = f"postgresql+psycopg2://{PG['user']}@{PG['host']}:{PG['port']}/{self.database}"
        values = {
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": db,
            "AIRFLOW__CELERY__RESULT_BACKEND": f"db+{db}",
            "AIRFLOW__CELERY__BROKER_URL": f"redis://{REDIS[0]}:{REDIS[1]}/{self.redis_db}",
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{self.api_url}/execution/",
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__PORT": str(self.api_port),
            "AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_HOST": "127.0.0.1",
            "AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_PORT": str(self.health_port),
            "AIRFLOW__OPERATORS__DEFAULT_QUEUE": self.queue,
            "AIRFLOW_HOME": str(self.workdir / "airflow"),
            "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
            "AIRFLOW__CORE__PLUGINS_FOLDER": str(ROOT / "plugins"),
            "PYTHONPATH": str(ROOT / "include"),
            "AIRFLOW__COMMON_IO__XCOM_OBJECTSTORAGE_PATH": f"file://{self.xcom_dir}",
            "AIRFLOW__COMMON_IO__XCOM_OBJECTSTORAGE_THRESHOLD": "0",
        }
        assert values.keys() == LOCAL_ADAPTATIONS.keys()
        return values

    def env(self, service: str) -> dict[str, str]:
        env = compose.environment(self.compose, service, self.user_variables)
        for key in IMAGE_ONLY:
            env.pop(key, None)
        return {**self.base_env, **env, **self.local_values()}

    def command(self, service: str) -> list[str]:
        args = compose.command(self.compose, service)
        return [str(BIN / "airflow"), *args[1:]] if args[0] == "airflow" else args

    def run(self, service: str, timeout: float) -> None:
        """A one-shot service (airflow-init); fails with its log when it exits non-zero."""
        log = self._log(service)
        with log.open("w") as out:
            result = subprocess.run(
                self.command(service), env=self.env(service), stdout=out, stderr=subprocess.STDOUT,
                cwd=self.workdir, timeout=timeout, start_new_session=True,
            )
        if result.returncode != 0:
            raise RuntimeError(f"{service} exited with {result.returncode}:\n{self.tail(service)}")

    def start(self, service: str) -> None:
        log = self._log(service)
        with log.open("w") as out:
            self.processes[service] = subprocess.Popen(
                self.command(service), env=self.env(service), stdout=out, stderr=subprocess.STDOUT,
                cwd=self.workdir, start_new_session=True,
            )

    def healthcheck(self, service: str, timeout: float = 60) -> subprocess.CompletedProcess:
        """Run the service's compose health check command here, its container's hostname made local."""
        args = compose.healthcheck(self.compose, service)
        return subprocess.run(
            args, env={**self.env(service), "HOSTNAME": socket.gethostname()},
            capture_output=True, text=True, timeout=timeout, cwd=self.workdir,
        )

    def check_running(self) -> None:
        for service, process in self.processes.items():
            if process.poll() is not None:
                raise RuntimeError(f"{service} exited with {process.returncode}:\n{self.tail(service)}")

    def wait_http(self, url: str, deadline: float) -> None:
        while True:
            self.check_running()
            try:
                if httpx.get(url, timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"{url} did not answer 200 in time")
            time.sleep(0.3)

    def stop(self, timeout: float = 30) -> None:
        """SIGTERM every process group (warm shutdown), then SIGKILL what is left."""
        stop_process_groups(list(self.processes.values()), timeout)

    def close(self) -> None:
        try:
            self.stop()
        finally:
            drop_database(self.database)
            _redis_delete(self.redis_db, self.queue)

    def tail(self, service: str, chars: int = 6000) -> str:
        path = self.logs.get(service)
        text = path.read_text(errors="replace") if path and path.exists() else ""
        return text[-chars:]

    def all_logs(self, chars: int = 6000) -> str:
        return "\n".join(f"===== {name} ({path}) =====\n{self.tail(name, chars)}" for name, path in self.logs.items())

    def _log(self, service: str) -> Path:
        self.logs[service] = self.workdir / f"{service}.log"
        return self.logs[service]


def _redis_delete(db: int, queue: str) -> None:
    import redis

    client = redis.Redis(host=REDIS[0], port=REDIS[1], db=db, socket_timeout=5)
    try:
        client.delete(queue, f"_kombu.binding.{queue}")
    except redis.RedisError:
        pass
    finally:
        client.close()


def api_token(stack: Stack) -> str:
    """The admin's token from SimpleAuthManager's generated password file, as README "Scale out" says."""
    passwords = Path(stack.local_values()["AIRFLOW_HOME"]) / "simple_auth_manager_passwords.json.generated"
    password = json.loads(passwords.read_text())["admin"]
    response = httpx.post(f"{stack.api_url}/auth/token", json={"username": "admin", "password": password}, timeout=10)
    response.raise_for_status()
    return response.json()["access_token"]
