"""How a check task knows a user cleared it: any try after the first (its retries are 0, so only a Clear
runs it again). Cleared, a check judges the live state again instead of the summary it was handed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def cleared(context: Mapping[str, Any] | None) -> bool:
    return (getattr((context or {}).get("ti"), "try_number", 1) or 1) > 1
