"""Defaults every stripe-netsuite DAG shares (owner, retries, pools, tags)."""

from __future__ import annotations

import datetime as dt
import os

from airflow.sdk import Param

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

BACKFILL_PARAMS = {
    "start": Param(
        None,
        type=["null", "string"],
        title="Backfill start",
        description="Backfill objects created on or after this date (YYYY-MM-DD, UTC). Empty = incremental run.",
    ),
    "end": Param(
        None,
        type=["null", "string"],
        title="Backfill end (exclusive)",
        description="Backfill objects created before this date (YYYY-MM-DD, UTC). Empty = up to now.",
    ),
}


def tags(flow: str) -> list[str]:
    return ["stripe", "netsuite", flow]
