"""Defaults every stripe-netsuite DAG shares (owner, retries, pools, tags)."""

from __future__ import annotations

import datetime as dt
import os

from airflow.sdk import CronDataIntervalTimetable, Param

NETSUITE_POOL = "netsuite_api"
STRIPE_POOL = "stripe_api"
POOLS = {
    NETSUITE_POOL: (4, "NetSuite account concurrency (standard account: 5; keep one free for others)"),
    STRIPE_POOL: (8, "Stripe API concurrency"),
}

# Seconds before the first retry; tests shorten it because dag.test() waits retries in real time.
RETRY_DELAY = dt.timedelta(seconds=int(os.environ.get("STRIPE_NETSUITE_RETRY_DELAY_SECONDS", "120")))

DEFAULT_ARGS = {
    "owner": "finance-data",
    "retries": 3,
    "retry_delay": RETRY_DELAY,
    "retry_exponential_backoff": 2.0,
    "max_retry_delay": dt.timedelta(minutes=30),
    "execution_timeout": dt.timedelta(hours=2),
}

# A flow's hourly schedule with real data intervals: a run for 10:00 covers [10:00, 11:00). Scheduled runs
# sync incrementally from the cursor; Airflow's own backfill (the Trigger dialog's Backfill option,
# ``airflow backfill create``, REST ``/backfills``) makes one run per hour of the chosen range, and each such
# run lists the Stripe objects created in its hour. A plain "@hourly" would give zero-length intervals
# (Airflow 3 defaults to CronTriggerTimetable), so a backfill run could not tell which hour it stands for.
FLOW_SCHEDULE = CronDataIntervalTimetable("0 * * * *", timezone="UTC")
RECONCILIATION_SCHEDULE = CronDataIntervalTimetable("0 0 * * *", timezone="UTC")

# What a finance user can set when triggering a flow DAG by hand. Dates are JSON-schema "date" strings:
# the Trigger form shows date pickers, and Airflow refuses a run whose value is not a date before creating it.
RUN_PARAMS = {
    "start": Param(
        None,
        type=["null", "string"],
        format="date",
        title="Backfill from (date, UTC)",
        description="Load the Stripe objects created on or after this day. Leave both dates empty for a normal "
        "incremental run.",
    ),
    "end": Param(
        None,
        type=["null", "string"],
        format="date",
        title="Backfill until (date, UTC, not included)",
        description="Load the Stripe objects created before this day. Empty = up to now.",
    ),
    "stripe_ids": Param(
        None,
        type=["null", "array"],
        items={"type": "string", "pattern": "^[A-Za-z0-9_]+$"},
        title="Only these Stripe IDs",
        description="Sync just these Stripe objects (one ID per line, e.g. in_1Q... or cus_...), whatever the "
        "dates. Use with 'Rewrite even if unchanged' to repair a record edited by hand in NetSuite.",
    ),
    "force_rewrite": Param(
        False,
        type="boolean",
        title="Rewrite even if unchanged",
        description="Write every selected record to NetSuite again from Stripe, even when the connector believes "
        "NetSuite already has it (repairs hand edits). Safe: records are matched by external ID, never duplicated.",
    ),
}


def tags(flow: str) -> list[str]:
    return ["stripe", "netsuite", flow]
