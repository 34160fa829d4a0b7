"""``./dev.sh demo``: seeded Stripe and NetSuite sandboxes, every flow DAG run by Airflow, a summary.

The DAGs run through Airflow's own CLI (``airflow dags test``) against a throw-away Airflow
home in ``.demo/``, with the connections given as ``AIRFLOW_CONN_*`` variables, exactly as a
deployment would give them. Exit code 0 means every run succeeded and the ledgers reconcile.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import secrets
import shutil
import subprocess
import sys
import time
from pathlib import Path

from stripe_netsuite_demo import sandboxes

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
FLOW_DAGS = ["stripe_customers_to_netsuite", "stripe_invoices_to_netsuite", "stripe_payments_to_netsuite",
             "stripe_refunds_disputes_to_netsuite", "stripe_payouts_to_netsuite"]
RECONCILIATION_DAG = "stripe_netsuite_reconciliation"
TBA = {
    "consumer_key": "sandbox-consumer-key",
    "consumer_secret": "sandbox-consumer-secret",
    "token_id": "sandbox-token-id",
    "token_secret": "sandbox-token-secret",
}


def airflow_env(home: Path, stripe_url: str, netsuite_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW_CONN_", "AIRFLOW_VAR_", "AIRFLOW__"))}
    env.update(
        {
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
            "AIRFLOW__CORE__PLUGINS_FOLDER": str(ROOT / "plugins"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(64),
            "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING",
            "AIRFLOW_CONN_STRIPE_DEFAULT": json.dumps({"conn_type": "stripe", "host": stripe_url, "password": "sk_test_sandbox"}),
            "AIRFLOW_CONN_NETSUITE_DEFAULT": json.dumps(
                {"conn_type": "netsuite", "host": netsuite_url, "login": "SANDBOX", "extra": TBA}
            ),
            "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        }
    )
    return env


def airflow(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run([str(BIN / "airflow"), *args], env=env, capture_output=True, text=True)
    if check and result.returncode != 0:
        sys.stderr.write(result.stdout[-4000:] + result.stderr[-4000:])
        raise SystemExit(f"demo: 'airflow {' '.join(args)}' failed with exit code {result.returncode}")
    return result


def run_state(dag_id: str) -> str:
    """The newest run's state, read from the demo's own metadata DB (no second CLI start-up)."""
    from airflow.models.dagrun import DagRun
    from airflow.utils.session import create_session

    with create_session() as session:
        run = session.query(DagRun).filter_by(dag_id=dag_id).order_by(DagRun.start_date.desc()).first()
        return str(run.state) if run else "none"


def run_dag(env: dict[str, str], dag_id: str) -> tuple[str, float]:
    started = time.monotonic()
    airflow(env, "dags", "test", dag_id, check=False)
    return run_state(dag_id), time.monotonic() - started


def last_return_value(dag_id: str, task_id: str) -> dict | None:
    """A task's newest XCom return value, read from the demo's own metadata DB."""
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session

    with create_session() as session:
        row = (
            session.query(XComModel)
            .filter_by(dag_id=dag_id, task_id=task_id, key="return_value")
            .order_by(XComModel.timestamp.desc())
            .first()
        )
        return XComModel.deserialize_value(row) if row else None


def last_sync_counts(dag_id: str) -> str:
    summary = last_return_value(dag_id, "sync")
    if not summary:
        return "no summary"
    return (
        f"{summary['mode']}: {summary['seen']} seen, {summary['created']} created, {summary['updated']} updated, "
        f"{summary['unchanged']} unchanged, {len(summary['failed'])} failed"
    )


def last_reconciliation(dag_id: str) -> str:
    summary = last_return_value(dag_id, "reconcile")
    if not summary:
        return "no report"
    customers, invoices = summary["customers"], summary["invoices"]
    return (
        f"customers {customers['matched']}/{customers['stripe']} matched, invoices {invoices['matched']}/"
        f"{invoices['stripe']}, credit memos {invoices['credit_memos_matched']}/{invoices['credit_memos_expected']}, "
        + (f"payments {payments['matched']}/{payments['stripe']}, " if (payments := summary.get("payments")) else "")
        + (f"refunds {refunds['matched']}/{refunds['stripe']}, " if (refunds := summary.get("refunds")) else "")
        + (f"disputes {disputes['matched']}/{disputes['stripe']}, " if (disputes := summary.get("disputes")) else "")
        + (f"payouts {payouts['matched']}/{payouts['stripe']}, " if (payouts := summary.get("payouts")) else "")
        + f"{summary['problem_count']} differences, {summary['settling']} left to settle"
    )


def report_files(dag_id: str) -> str:
    """Where the reconcile task wrote the whole report (HTML for a browser, CSV per section)."""
    summary = last_return_value(dag_id, "reconcile") or {}
    if not summary.get("html_report"):
        return "the reconcile task wrote no report file (see its log)"
    return f"Full report: file://{summary['html_report']}\nCSV tables:  {summary['csv_dir']}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="stripe-netsuite-demo", description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", default=str(ROOT / ".demo"))
    options = parser.parse_args(argv)

    workdir = Path(options.workdir)
    shutil.rmtree(workdir, ignore_errors=True)
    (workdir / "airflow").mkdir(parents=True)

    stripe = sandboxes.start("stripe-sandbox", "--scenario", "demo", "--seed", str(options.seed))
    netsuite = sandboxes.start("netsuite-sandbox", "--db", str(workdir / "netsuite.db"))
    print(f"Stripe sandbox   {stripe.url}\nNetSuite sandbox {netsuite.url}")
    failures = 0
    try:
        env = airflow_env(workdir / "airflow", stripe.url, netsuite.url)
        # This process reads the same throw-away Airflow home (XComs) and connections.
        os.environ.update(env)
        logging.getLogger("stripe").setLevel(logging.WARNING)
        airflow(env, "db", "migrate")
        from stripe_netsuite.dag_defaults import POOLS

        for pool, (slots, description) in POOLS.items():
            airflow(env, "pools", "set", pool, str(slots), description)
        for attempt in ("first run", "second run (must change nothing)"):
            for dag_id in FLOW_DAGS:
                state, seconds = run_dag(env, dag_id)
                failures += state != "success"
                print(f"{dag_id:<36} {attempt:<34} {state:<8} {seconds:5.1f}s  {last_sync_counts(dag_id)}")
        state, seconds = run_dag(env, RECONCILIATION_DAG)
        failures += state != "success"
        print(f"{RECONCILIATION_DAG:<36} {'after the flows':<34} {state:<8} {seconds:5.1f}s  "
              f"{last_reconciliation(RECONCILIATION_DAG)}")
        from stripe_netsuite_demo.summary import print_summary

        failures += not print_summary()
        print(f"\n{report_files(RECONCILIATION_DAG)}")
    finally:
        stripe.stop()
        netsuite.stop()
    print("demo: OK" if not failures else f"demo: {failures} problem(s)")
    return 0 if not failures else 1


if __name__ == "__main__":
    raise SystemExit(main())
