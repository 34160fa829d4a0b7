"""The neutral record: what mapping produces and what the NetSuite hook writes.

Field names are the ones NetSuite's REST and SOAP APIs share (``companyName``, ``isPerson``,
...). References to other records are ``{"id": internal_id}`` or ``{"externalId": ...}``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class NeutralRecord:
    record_type: str
    external_id: str
    fields: dict[str, Any] = field(default_factory=dict)
    source_id: str = ""  # the Stripe object this record came from (for errors and the retry queue)

    def fingerprint(self) -> str:
        """A stable hash of what would be written; equal fingerprints mean nothing to change."""
        canonical = json.dumps(
            {"type": self.record_type, "externalId": self.external_id, "fields": self.fields},
            sort_keys=True,
            separators=(",", ":"),
            default=str,
        )
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:32]


class MappingError(ValueError):
    """A Stripe object cannot be mapped; the message names the object and what to do."""

    def __init__(self, stripe_id: str, message: str) -> None:
        super().__init__(f"{stripe_id}: {message}")
        self.stripe_id = stripe_id
        self.reason = message
