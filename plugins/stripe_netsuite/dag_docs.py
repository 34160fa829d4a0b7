"""The DAG docs a finance user reads in the Airflow UI (the DAG page's Docs): what the DAG does, how to
backfill, what red means and how to retry. Every flow DAG shows the same operating guide, written once here."""

from __future__ import annotations

from stripe_netsuite.sync.retry_queue import retry_queue_key

FLOW_GUIDE = """
### When it runs
Every hour, it reads what changed in Stripe since the last run (Stripe events) and writes it to NetSuite.
Records are matched by external ID (the Stripe ID), so running it again never creates duplicates.
The very first run (right after the DAG is first switched on) loads every Stripe object, from the
settings' `sync.start_date` if set, then goes on hourly from there.

### How to backfill
Loads Stripe objects by the date they were **created**, without touching the hourly sync's position.

- **A date range in one run:** click **Trigger**, keep *Single run*, pick **Backfill from** and
  **Backfill until** (the until day is not included: one day is from D until D+1) and trigger.
- **Airflow's Backfill option:** click **Trigger**, choose *Backfill*, pick the range. Airflow makes
  one run per hour of the range; each run loads the objects created in its hour (its log says which).
  Keep *Max active runs* at 1. For a long range, the single run above is faster.
- **Repair records edited by hand in NetSuite:** Trigger with **Only these Stripe IDs** (one per line)
  or a date range, and tick **Rewrite even if unchanged**: those records are written again from Stripe.

### What red means
- **check_failed_records red:** some Stripe objects could not be written (everything else was). Its log
  has one ERROR line per object: the Stripe ID, the reason and what to do.
- **sync red:** the whole run could not proceed: a wrong setting, credentials, or NetSuite or Stripe
  unreachable (then Airflow retries it by itself a few times). The log's last lines say what to change.
- **commit_cursor** only records how far the hourly sync got; it runs after a successful sync.

### How to retry
Fix the cause named in the log (in NetSuite, Stripe or the settings file), then **clear** the red task
(task > Clear). A cleared *check_failed_records* tries its failed objects again and turns green once
they load; a cleared *sync* runs again and retries every waiting object. You can also just wait: every
run retries them. The waiting objects are listed in **Admin > Variables** under `{queue}`.

### Settings
Accounts, items and which flows are on live in the settings file (README "Configuration"). A wrong
value there never hides this DAG: its tasks fail at once with the key and the allowed values.
"""

RECONCILIATION_GUIDE = """
### What red means
**check_report red:** Stripe and NetSuite disagree. Each line names the Stripe object, what differs and
what to do (usually: trigger the flow DAG with **Only these Stripe IDs** and **Rewrite even if
unchanged**). The **reconcile** task's log holds the whole report. Objects changed in Stripe in the last
`reconciliation.settle_minutes` are left for the next day, since the hourly flows may not have carried
them yet.

### How to retry
After fixing, clear the red **check_report**: a cleared check compares Stripe and NetSuite again and
turns green once they agree. The settings file decides which flows are compared (README
"Configuration"); a wrong value there fails the task at once with the key.
"""


def flow_doc(summary: str, flow: str) -> str:
    return summary.strip() + "\n" + FLOW_GUIDE.replace("{queue}", retry_queue_key(flow))


def reconciliation_doc(summary: str) -> str:
    return summary.strip() + "\n" + RECONCILIATION_GUIDE


def settings_error_banner(message: str) -> str:
    """Put first in a DAG's docs while the settings file is wrong, so the UI says what to fix."""
    return (
        "## ⚠ The settings file has an error: every task of this DAG fails until it is fixed\n\n"
        f"`{message}`\n\nCorrect that key in the settings file (README \"Configuration\" lists every key and "
        "its allowed values), then clear the failed task or wait for the next run.\n\n---\n\n"
    )
