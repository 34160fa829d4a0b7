"""Small helpers shared by record type definitions and their projections."""

from __future__ import annotations

from typing import Any

from netsuite_sandbox.db import sql_datetime


def tf(value: Any) -> str:
    """SuiteQL booleans are the strings 'T' and 'F'."""
    return "T" if value is True else "F"


def ref_id(value: Any) -> int | None:
    if isinstance(value, dict) and str(value.get("id", "")).lstrip("-").isdigit():
        return int(value["id"])
    return None


def stamps(record) -> dict[str, str]:
    return {
        "datecreated": sql_datetime(record.date_created),
        "lastmodifieddate": sql_datetime(record.last_modified),
    }
