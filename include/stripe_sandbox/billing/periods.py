"""Billing intervals in UTC calendar time, anchored like Stripe's billing cycle anchor.

Period ``k`` ends at ``anchor + k × interval``, always computed from the anchor (never chained),
so a subscription anchored on the 31st bills on the last day of shorter months and returns to
the 31st afterwards.
"""

from __future__ import annotations

import calendar
from datetime import datetime, timedelta, timezone

DAY = 86400


def _add_months(moment: datetime, months: int) -> datetime:
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def shift(timestamp: int, interval: str, count: int) -> int:
    """``timestamp`` moved by ``count`` intervals (day, week, month, year); may be negative."""
    moment = datetime.fromtimestamp(timestamp, timezone.utc)
    if interval == "day":
        moment += timedelta(days=count)
    elif interval == "week":
        moment += timedelta(weeks=count)
    elif interval == "month":
        moment = _add_months(moment, count)
    elif interval == "year":
        moment = _add_months(moment, 12 * count)
    else:
        raise ValueError(f"unknown interval {interval!r}")
    return int(moment.timestamp())


def boundary(anchor: int, interval: str, interval_count: int, k: int) -> int:
    """The ``k``-th cycle boundary after (k > 0) or before (k < 0) the anchor."""
    return shift(anchor, interval, interval_count * k)


def months_after(timestamp: int, months: int) -> int:
    return shift(timestamp, "month", months)


def start_of_day(timestamp: int) -> int:
    return timestamp - timestamp % DAY
