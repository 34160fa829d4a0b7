"""``./dev.sh ui``: the real Airflow UI on 127.0.0.1, over the two sandboxes, for a local trial.

Starts the Stripe sandbox (seeded with the ``demo`` scenario, as ``./dev.sh demo`` does), a
NetSuite sandbox whose database lives in the UI home, then Airflow's api-server, scheduler and
dag-processor (LocalExecutor, SQLite metadata DB in the home, ``airflow db migrate`` first), with
the project's ``dags/`` and ``plugins/``, the connections given as ``AIRFLOW_CONN_*`` variables,
the pools created and a SimpleAuthManager login ready (user ``admin``, role admin). It waits
until the UI answers and the DAGs are parsed, prints where everything is, and stops every process
it started on Ctrl-C or SIGTERM.

The tests in ``tests/ui/`` drive the same stack through ``LocalUiStack``.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
DEFAULT_HOME = ROOT / ".ui"
DEFAULT_PORT = 8080
USERNAME = "admin"
FLOW_DAGS = ("stripe_customers_to_netsuite", "stripe_invoices_to_netsuite", "stripe_payments_to_netsuite",
             "stripe_refunds_disputes_to_netsuite", "stripe_payouts_to_netsuite")
ALL_DAGS = (*FLOW_DAGS, "stripe_netsuite_reconciliation")
AIRFLOW_SERVICES = ("api-server", "scheduler", "dag-processor")
# Every process the stack starts carries this variable (children inherit it), so stop() can
# find and end anything a service left behind, and nothing else.
MARKER = "STRIPE_NETSUITE_UI_STACK"
TBA = {
    "auth_type": "tba",
    "consumer_key": "sandbox-consumer-key",
    "consumer_secret": "sandbox-consumer-secret",
    "token_id": "sandbox-token-id",
    "token_secret": "sandbox-token-secret",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class StackError(RuntimeError):
    pass


class LocalUiStack:
    """Both sandboxes and Airflow's api-server, scheduler and dag-processor, as local processes.

    ``LocalUiStack(home, port=0).start()`` (or ``with LocalUiStack(...) as stack``) returns when
    the UI answers and the project's DAGs are parsed; ``stop()`` ends every process it started.
    The home folder is emptied at start: each start is a fresh trial.
    """

    def __init__(
        self,
        home: Path | str = DEFAULT_HOME,
        port: int = DEFAULT_PORT,
        *,
        stripe_args: tuple[str, ...] = ("--scenario", "demo", "--seed", "7"),
        password: str | None = None,
        extra_env: dict[str, str] | None = None,
    ) -> None:
        self.home = Path(home).resolve()
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.username = USERNAME
        self.password = password or secrets.token_urlsafe(9)
        self.stripe_args = tuple(stripe_args)
        self.extra_env = dict(extra_env or {})
        self.stripe_url = ""
        self.netsuite_url = ""
        self.marker = uuid.uuid4().hex
        self.processes: dict[str, subprocess.Popen] = {}
        self.log_dir = self.home / "logs"
        self._netsuite_dbs = 0
        self._sessions_ended: set[int] = set()
        self._env: dict[str, str] | None = None

    # ----------------------------------------------------------------------------- lifecycle

    def __enter__(self) -> LocalUiStack:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self, timeout: float = 240) -> LocalUiStack:
        deadline = time.monotonic() + timeout
        if not _port_free(self.port):
            raise StackError(f"port {self.port} on 127.0.0.1 is taken (another Airflow?): stop it or choose "
                             "another port (./dev.sh ui --port N)")
        try:
            self._prepare_home()
            self.stripe_url = self._start_sandbox("stripe-sandbox", *self.stripe_args)
            self.netsuite_url = self._start_sandbox("netsuite-sandbox", "--db", str(self._next_netsuite_db()))
            self._env = self._airflow_env()
            self.airflow("db", "migrate")
            self.airflow("pools", "import", str(self._write_pools()))
            for service in AIRFLOW_SERVICES:
                self._spawn(service, [str(BIN / "airflow"), service])
            self._wait_ready(deadline)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self, timeout: float = 30) -> None:
        """SIGTERM every process group (Airflow services first), then SIGKILL whatever is left.

        Every service is started in a session of its own; task processes get process groups of
        their own inside the scheduler's session, so what is left is found by session, and by the
        marker variable for anything that left its session.
        """
        sessions = {process.pid for process in self.processes.values()}
        order = [name for name in self.processes if name not in ("stripe-sandbox", "netsuite-sandbox")]
        order += [name for name in ("stripe-sandbox", "netsuite-sandbox") if name in self.processes]
        stop_process_groups([self.processes[name] for name in order], timeout)
        self._sessions_ended |= sessions
        for pid in self.leftover_pids():
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.processes.clear()

    def leftover_pids(self) -> list[int]:
        """Processes still alive that this stack started, if any (by session and by marker)."""
        sessions = self._sessions_ended | {process.pid for process in self.processes.values()}
        return sorted(set(_pids_with_env(MARKER, self.marker)) | set(_pids_in_sessions(sessions)))

    # ----------------------------------------------------------------------------- helpers

    @property
    def env(self) -> dict[str, str]:
        """The environment every Airflow process of the stack gets (for CLI calls of your own)."""
        if self._env is None:
            raise StackError("the stack is not started")
        return dict(self._env)

    def airflow(self, *args: str, check: bool = True, timeout: float = 180) -> subprocess.CompletedProcess:
        """Run ``airflow ARGS`` against the stack's home and connections."""
        result = subprocess.run(
            [str(BIN / "airflow"), *args], env=self.env, capture_output=True, text=True, timeout=timeout,
            cwd=self.home,
        )
        if check and result.returncode != 0:
            raise StackError(f"'airflow {' '.join(args)}' exited with {result.returncode}:\n"
                             f"{result.stdout[-3000:]}{result.stderr[-3000:]}")
        return result

    def token(self) -> str:
        """A REST API token for the admin (POST /auth/token)."""
        import httpx

        response = httpx.post(f"{self.url}/auth/token", json={"username": self.username, "password": self.password},
                              timeout=10)
        response.raise_for_status()
        return response.json()["access_token"]

    def api(self, token: str | None = None):
        """An ``httpx.Client`` on ``/api/v2`` with the admin's bearer token."""
        import httpx

        return httpx.Client(base_url=f"{self.url}/api/v2", headers={"Authorization": f"Bearer {token or self.token()}"},
                            timeout=30)

    @contextmanager
    def connections(self) -> Iterator[None]:
        """The stack's ``AIRFLOW_CONN_*`` in this process's environment (for the project's hooks)."""
        keys = ("AIRFLOW_CONN_STRIPE_DEFAULT", "AIRFLOW_CONN_NETSUITE_DEFAULT")
        saved = {key: os.environ.get(key) for key in keys}
        os.environ.update({key: self.env[key] for key in keys})
        try:
            yield
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value

    def enable_netsuite_currency(self, symbol: str) -> dict:
        """Enable a currency in the NetSuite sandbox, as an administrator would in NetSuite's UI."""
        import httpx

        from stripe_netsuite.hooks.netsuite import NetSuiteHook

        with self.connections():
            rows = NetSuiteHook().suiteql("SELECT id, symbol FROM currency")
        currency_id = next(row["id"] for row in rows if row["symbol"] == symbol.upper())
        response = httpx.post(f"{self.netsuite_url}/_sandbox/reference/currency/{currency_id}",
                              json={"isInactive": False}, timeout=10)
        response.raise_for_status()
        return response.json()

    def fresh_netsuite(self) -> str:
        """Restart the NetSuite sandbox on the same URL with an empty database (a new account)."""
        name = "netsuite-sandbox"
        process = self.processes.pop(name)
        _signal_group(process, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            _signal_group(process, signal.SIGKILL)
            process.wait()
        self._sessions_ended.add(process.pid)
        port = self.netsuite_url.rsplit(":", 1)[-1]
        url = self._start_sandbox(name, "--db", str(self._next_netsuite_db()), port=port)
        if url != self.netsuite_url:
            raise StackError(f"the NetSuite sandbox came back on {url}, not {self.netsuite_url}")
        return url

    def log(self, name: str, chars: int = 6000) -> str:
        path = self.log_dir / f"{name}.log"
        return path.read_text(errors="replace")[-chars:] if path.exists() else ""

    def all_logs(self, chars: int = 4000) -> str:
        return "\n".join(f"===== {path.name} =====\n{path.read_text(errors='replace')[-chars:]}"
                         for path in sorted(self.log_dir.glob("*.log")))

    def check_running(self) -> None:
        for name, process in self.processes.items():
            if process.poll() is not None:
                raise StackError(f"{name} exited with {process.returncode}:\n{self.log(name)}")

    # ----------------------------------------------------------------------------- internals

    def _prepare_home(self) -> None:
        for child in ("airflow", "logs"):
            shutil.rmtree(self.home / child, ignore_errors=True)
        for db in self.home.glob("netsuite*.db*"):
            db.unlink()
        (self.home / "airflow").mkdir(parents=True)
        self.log_dir.mkdir(parents=True)
        passwords = self.home / "airflow" / "simple_auth_manager_passwords.json"
        passwords.write_text(json.dumps({self.username: self.password}))
        passwords.chmod(0o600)

    def _next_netsuite_db(self) -> Path:
        self._netsuite_dbs += 1
        return self.home / ("netsuite.db" if self._netsuite_dbs == 1 else f"netsuite-{self._netsuite_dbs}.db")

    def _base_env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW_CONN_", "AIRFLOW_VAR_", "AIRFLOW__"))}
        env.update({"PYTHONUNBUFFERED": "1", MARKER: self.marker,
                    "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"})
        return env

    def _airflow_env(self) -> dict[str, str]:
        home = self.home / "airflow"
        env = self._base_env()
        env.update({
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
            "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
            "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
            "AIRFLOW__CORE__PLUGINS_FOLDER": str(ROOT / "plugins"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__PARALLELISM": "4",
            "AIRFLOW__CORE__AUTH_MANAGER":
                "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{self.username}:admin",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(home / "simple_auth_manager_passwords.json"),
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{self.url}/execution/",
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__PORT": str(self.port),
            "AIRFLOW__API__WORKERS": "1",
            # 64 random bytes: a shorter key makes PyJWT warn (InsecureKeyLengthWarning).
            "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(64),
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "10",
            "AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL": "10",
            # Airflow binds the log servers to every interface (no host setting); free ports at least
            # keep a second stack, or the default 8793 of another Airflow, from colliding.
            "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port()),
            "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(free_port()),
            "AIRFLOW_CONN_STRIPE_DEFAULT": json.dumps(
                {"conn_type": "stripe", "host": self.stripe_url, "password": "sk_test_sandbox"}),
            "AIRFLOW_CONN_NETSUITE_DEFAULT": json.dumps(
                {"conn_type": "netsuite", "host": self.netsuite_url, "login": "SANDBOX", "extra": TBA}),
        })
        env.update(self.extra_env)
        return env

    def _write_pools(self) -> Path:
        from stripe_netsuite.dag_defaults import POOLS

        path = self.home / "airflow" / "pools.json"
        path.write_text(json.dumps({name: {"slots": slots, "description": description, "include_deferred": False}
                                    for name, (slots, description) in POOLS.items()}, indent=2))
        return path

    def _spawn(self, name: str, args: list[str], env: dict[str, str] | None = None, stdout=None) -> subprocess.Popen:
        log = (self.log_dir / f"{name}.log").open("a")
        try:
            process = subprocess.Popen(
                args, env=env or self.env, stdout=stdout or log, stderr=log, cwd=self.home, text=True,
                start_new_session=True,  # its own process group: Ctrl-C reaches only us, we stop it
            )
        finally:
            log.close()
        self.processes[name] = process
        return process

    def _start_sandbox(self, name: str, *args: str, port: str = "0", timeout: float = 30) -> str:
        command = [str(BIN / name), "serve", "--host", "127.0.0.1", "--port", port, *args]
        process = self._spawn(name, command, env=self._base_env(), stdout=subprocess.PIPE)
        line = _readline(process, timeout)
        if " listening on " not in line:
            raise StackError(f"{name} did not start (printed {line!r}):\n{self.log(name)}")
        return line.rsplit(" ", 1)[-1].strip()

    def _wait_ready(self, deadline: float) -> None:
        """Health endpoint all healthy, then every project DAG listed (parsed and serialized)."""
        import httpx

        health = {}
        while True:
            self.check_running()
            try:
                response = httpx.get(f"{self.url}/api/v2/monitor/health", timeout=5)
                health = response.json() if response.status_code == 200 else {}
            except (httpx.HTTPError, ValueError):
                health = {}
            parts = [health.get(key, {}).get("status") for key in ("metadatabase", "scheduler", "dag_processor")]
            if parts == ["healthy"] * 3:
                break
            if time.monotonic() > deadline:
                raise StackError(f"Airflow did not report healthy in time ({health}):\n{self.all_logs()}")
            time.sleep(0.5)
        with self.api() as api:
            while True:
                self.check_running()
                listed = {dag["dag_id"] for dag in api.get("/dags", params={"limit": 100}).json()["dags"]}
                if set(ALL_DAGS) <= listed:
                    return
                errors = api.get("/importErrors").json().get("import_errors", [])
                if errors:
                    raise StackError("DAG import errors:\n" + "\n".join(e["stack_trace"] for e in errors))
                if time.monotonic() > deadline:
                    raise StackError(f"the DAGs were not parsed in time (listed: {sorted(listed)}):\n"
                                     f"{self.log('dag-processor')}")
                time.sleep(0.5)


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _readline(process: subprocess.Popen, timeout: float) -> str:
    """The process's first stdout line, or '' when it does not come in time."""
    import selectors

    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        if not selector.select(timeout):
            return ""
    return process.stdout.readline()


def stop_process_groups(processes: list[subprocess.Popen], timeout: float) -> None:
    """SIGTERM each process's group (a warm shutdown), wait up to ``timeout`` in all, then SIGKILL each group:
    also any child its leader left behind."""
    for process in processes:
        _signal_group(process, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    for process in processes:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            pass
        _signal_group(process, signal.SIGKILL)
        process.wait()


def _signal_group(process: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(process.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _pids_with_env(key: str, value: str) -> list[int]:
    needle = f"{key}={value}".encode()
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        if needle in environ.split(b"\0"):
            pids.append(int(entry.name))
    return pids


def _pids_in_sessions(sessions: set[int]) -> list[int]:
    """Live processes whose session ID is one of ``sessions`` (zombies excluded)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        state, session = fields[0], int(fields[3])
        if session in sessions and state != "Z":
            pids.append(int(entry.name))
    return pids


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="stripe-netsuite-ui", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="UI port on 127.0.0.1 (default 8080; 0: a free one)")
    parser.add_argument("--home", default=str(DEFAULT_HOME), help="folder for Airflow's home and the NetSuite "
                        "database (default .ui/ at the repository root; emptied at each start)")
    parser.add_argument("--password", help="the admin's password (default: a new random one, printed)")
    parser.add_argument("--scenario", default="demo", help="Stripe sandbox scenario (default demo)")
    parser.add_argument("--seed", type=int, default=7)
    options = parser.parse_args(argv)

    # Ctrl-C and SIGTERM both stop the stack. SIGINT is set explicitly: a process started in the
    # background by a non-interactive shell inherits it ignored, and Python then never raises it.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _raise_interrupt)
    stack = LocalUiStack(options.home, options.port, password=options.password,
                         stripe_args=("--scenario", options.scenario, "--seed", str(options.seed)))
    print(f"Starting the sandboxes and Airflow in {stack.home} (about 30 s) ...", flush=True)
    started = time.monotonic()
    try:
        try:
            stack.start()
        except StackError as exc:
            print(f"stripe-netsuite-ui: {exc}", file=sys.stderr)
            return 1
        print(f"""
Airflow UI        {stack.url}   (ready in {time.monotonic() - started:.0f} s)
  user            {stack.username}
  password        {stack.password}
Stripe sandbox    {stack.stripe_url}   (scenario {options.scenario}, key sk_test_sandbox)
NetSuite sandbox  {stack.netsuite_url}   (account SANDBOX, database {stack.home / 'netsuite.db'})
Logs              {stack.log_dir}/  (api-server, scheduler, dag-processor, sandboxes)

The DAGs start paused: unpause one, or use Trigger (it offers to unpause).
Everything listens on 127.0.0.1, except the scheduler's log server, which Airflow binds to
every interface (port {stack.env['AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT']}; no setting changes that).
Press Ctrl-C to stop everything (or send SIGTERM to pid {os.getpid()}).""", flush=True)
        while True:
            stack.check_running()
            time.sleep(1)
    except KeyboardInterrupt:
        print("\nStopping ...", flush=True)
        return 0
    except StackError as exc:
        print(f"stripe-netsuite-ui: {exc}", file=sys.stderr)
        return 1
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the clean-up short
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        stack.stop()
        left = stack.leftover_pids()
        print("Stopped: no process left." if not left else f"Stopped; still alive: {left}", flush=True)


if __name__ == "__main__":
    raise SystemExit(main())
