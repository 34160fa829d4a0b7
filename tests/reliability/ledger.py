"""How every reliability case ends: the NetSuite ledger as one clean sync of the same Stripe state leaves it.

``assert_ledger_clean`` checks, against the sandboxes the connections point at:
- the reconciliation report over the flows the reliability cases run (``FLOW_DAGS``: customers and
  invoices; the payments, refunds and payouts flows have their own flow and ledger tests) is clean (nothing missing, nothing
  extra, totals and memos equal);
- no external ID is held by two NetSuite records (customers, items, transactions);
- every transaction has as many lines as the same Stripe state gives in a clean run: a clean run
  syncs Stripe into a fresh NetSuite sandbox and the counts are compared record by record.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

from tests.fixtures.sandboxes import netsuite_conn, netsuite_sandbox_cmd, start_sandbox
from tests.flows.helpers import run_dag

FLOW_DAGS = ("stripe_customers_to_netsuite", "stripe_invoices_to_netsuite")
LINES_QUERY = ("SELECT t.externalid, COUNT(*) AS line_count FROM transactionline tl "
               "JOIN transaction t ON t.id = tl.transaction GROUP BY t.externalid")


def duplicated_external_ids() -> dict[str, int]:
    from stripe_netsuite.hooks.netsuite import NetSuiteHook

    hook = NetSuiteHook()
    counts: Counter = Counter()
    for table in ("customer", "item", "transaction"):
        counts.update(f"{table}:{row['externalid']}" for row in hook.suiteql(f"SELECT externalid FROM {table}")
                      if row.get("externalid"))
    return {key: n for key, n in counts.items() if n > 1}


def line_counts() -> dict[str, int]:
    from stripe_netsuite.hooks.netsuite import NetSuiteHook

    return {row["externalid"]: int(row["line_count"]) for row in NetSuiteHook().suiteql(LINES_QUERY)}


def reconciliation_problems() -> list[str]:
    from stripe_netsuite.hooks.netsuite import NetSuiteHook
    from stripe_netsuite.hooks.stripe import StripeHook
    from stripe_netsuite.reconcile.report import build_report
    from stripe_netsuite.settings import load_settings

    settings = load_settings()
    settings = settings.model_copy(update={"payments": settings.payments.model_copy(update={"enabled": False}),
                                           "refunds": settings.refunds.model_copy(update={"enabled": False}),
                                           "payouts": settings.payouts.model_copy(update={"enabled": False})})
    report = build_report(StripeHook(), NetSuiteHook(), settings)
    return [] if report.ok else report.lines()


def clean_run_line_counts(dagbag, tmp_path: Path) -> dict[str, int]:
    """Sync the current Stripe state into a fresh NetSuite sandbox (no faults, fresh cursors) and count lines."""
    from tests.fixtures.airflow import wipe_variables

    saved = os.environ["AIRFLOW_CONN_NETSUITE_DEFAULT"]
    tmp_path.mkdir(parents=True, exist_ok=True)
    sandbox = start_sandbox(netsuite_sandbox_cmd(tmp_path / "clean-run.db"))
    try:
        wipe_variables()
        os.environ["AIRFLOW_CONN_NETSUITE_DEFAULT"] = netsuite_conn(sandbox.url)
        for dag_id in FLOW_DAGS:
            assert run_dag(dagbag, dag_id).state == "success", f"the clean run of {dag_id} failed"
        return line_counts()
    finally:
        os.environ["AIRFLOW_CONN_NETSUITE_DEFAULT"] = saved
        sandbox.stop()
        wipe_variables()


def assert_ledger_clean(dagbag, tmp_path: Path) -> None:
    problems = reconciliation_problems()
    assert problems == [], "reconciliation not clean:\n" + "\n".join(problems)
    assert duplicated_external_ids() == {}
    faulted = line_counts()
    clean = clean_run_line_counts(dagbag, tmp_path)
    assert faulted == clean, {k: (faulted.get(k), clean.get(k)) for k in set(faulted) | set(clean)
                              if faulted.get(k) != clean.get(k)}
