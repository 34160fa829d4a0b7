"""What one flow run is asked to do, from its params and how Airflow created the run.

One rule, in one place, for every flow DAG:

- ``stripe_ids`` given: sync exactly those Stripe objects (as Stripe has them now);
- ``start``/``end`` given (a manual run): backfill the objects created in [start, end);
- the run was made by Airflow's own backfill (UI Backfill option, ``airflow backfill create``,
  REST ``/backfills``): backfill the objects created in the run's data interval;
- otherwise: an incremental run from the cursor.

Only incremental runs move the cursor. ``force_rewrite`` writes the selected records even when
NetSuite already holds what the connector last wrote (a hand edit in NetSuite is then repaired).
Pure: the operator hands in the values; errors are ``RunRequestError`` naming the param.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

DATE_FORMAT = "YYYY-MM-DD"
BACKFILL_RUN_TYPE = "backfill"
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_STRIPE_ID = re.compile(r"^[A-Za-z0-9_]+$")


class RunRequestError(ValueError):
    """A param no retry can fix; the message names the param, the value and the expected format."""


@dataclass(frozen=True)
class RunRequest:
    mode: str  # "incremental" | "backfill" | "ids"
    start: int | None = None  # Unix seconds, inclusive (backfill)
    end: int | None = None  # Unix seconds, exclusive (backfill)
    stripe_ids: tuple[str, ...] = ()
    force_rewrite: bool = False
    source: str = ""  # where the window came from, for the log

    def describe(self) -> str:
        """The run in one line a finance user can read in the task log."""
        force = "; rewriting records even if unchanged" if self.force_rewrite else ""
        if self.mode == "ids":
            return f"Syncing {len(self.stripe_ids)} chosen Stripe object(s): {', '.join(self.stripe_ids)}{force}"
        if self.mode == "backfill":
            return (f"Backfill ({self.source}): Stripe objects created from {_utc(self.start, 'the beginning')} "
                    f"up to {_utc(self.end, 'now')} (not included); the cursor stays where it is{force}")
        return f"Incremental run: Stripe events after the cursor{force}"


def _utc(seconds: int | None, open_end: str) -> str:
    if seconds is None:
        return open_end
    return dt.datetime.fromtimestamp(seconds, dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() in {"", "None", "null"})


def parse_date_param(value: Any, name: str) -> int | None:
    """A date param (YYYY-MM-DD, a UTC day) as the Unix seconds of that day's start."""
    if _blank(value):
        return None
    if isinstance(value, dt.datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)
        return int(moment.timestamp())
    if isinstance(value, dt.date):
        day = value
    else:
        text = str(value).strip()
        try:
            if not _DATE.match(text):
                raise ValueError
            day = dt.date.fromisoformat(text)
        except ValueError:
            raise RunRequestError(
                f"Param '{name}' is {value!r}, which is not a date in the format {DATE_FORMAT} (e.g. 2026-11-18). "
                "Trigger the DAG again with the date picker or that format."
            ) from None
    return int(dt.datetime.combine(day, dt.time(), dt.timezone.utc).timestamp())


def _stripe_ids(value: Any) -> tuple[str, ...]:
    if _blank(value):
        return ()
    items = value.replace(",", "\n").split() if isinstance(value, str) else value
    if not isinstance(items, (list, tuple)):
        raise RunRequestError(f"Param 'stripe_ids' must be a list of Stripe IDs, got {value!r}")
    ids = []
    for item in items:
        text = str(item).strip()
        if not text:
            continue
        if not _STRIPE_ID.match(text):
            raise RunRequestError(
                f"Param 'stripe_ids' holds {text!r}, which is not a Stripe ID (letters, digits and _ only, "
                "e.g. in_1QxYz or cus_Q8aB)"
            )
        if text not in ids:
            ids.append(text)
    return tuple(ids)


def _timestamp(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, (int, float)):
        return int(value)
    if isinstance(value, dt.datetime):
        return int((value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)).timestamp())
    timestamp = getattr(value, "timestamp", None)  # pendulum
    return int(timestamp()) if callable(timestamp) else None


def resolve_run_request(
    params: Mapping[str, Any],
    *,
    run_type: str | None = None,
    data_interval_start: Any = None,
    data_interval_end: Any = None,
) -> RunRequest:
    force = params.get("force_rewrite")
    if not isinstance(force, bool) and not _blank(force):
        if str(force).strip().lower() not in {"true", "false"}:
            raise RunRequestError(f"Param 'force_rewrite' must be true or false, got {force!r}")
        force = str(force).strip().lower() == "true"
    force = bool(force)
    ids = _stripe_ids(params.get("stripe_ids"))
    start = parse_date_param(params.get("start"), "start")
    end = parse_date_param(params.get("end"), "end")
    if ids:
        if start is not None or end is not None:
            raise RunRequestError(
                "Params 'stripe_ids' and 'start'/'end' were both given: choose the Stripe IDs or the dates, not both"
            )
        return RunRequest("ids", stripe_ids=ids, force_rewrite=force, source="stripe_ids")
    if start is not None or end is not None:
        if start is not None and end is not None and start >= end:
            raise RunRequestError(
                f"Param 'start' ({params.get('start')}) must be before 'end' ({params.get('end')}); end is not "
                "included, so one day is start=D, end=D+1"
            )
        return RunRequest("backfill", start=start, end=end, force_rewrite=force, source="params start/end")
    if str(getattr(run_type, "value", run_type) or "") == BACKFILL_RUN_TYPE:
        start, end = _timestamp(data_interval_start), _timestamp(data_interval_end)
        if start is None or end is None or start >= end:
            raise RunRequestError(
                f"This backfill run has no usable data interval ({data_interval_start} to {data_interval_end}); "
                "the DAG's schedule must have data intervals. Use a manual run with params start/end instead."
            )
        return RunRequest("backfill", start=start, end=end, force_rewrite=force,
                          source="Airflow backfill, this run's data interval")
    return RunRequest("incremental", force_rewrite=force)
