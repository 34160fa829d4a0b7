"""Resolving a reference to a NetSuite internal ID: the one place every flow goes through.

Mapping is pure, so a record that must point at another by internal ID (a credit memo at its invoice, a
payment at the invoice it pays, a deposit at the payments it gathers) carries an ``InternalIdRef``. The
engine resolves it here: first against the records this run loaded (or found unchanged), then against
NetSuite by external ID, read in one query per record group and kept for the rest of the run. A record
written by another flow in an earlier run is therefore found without that flow running again.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

from stripe_netsuite.mapping.records import InternalIdRef, NeutralRecord, resolve_internal_ids


def references(value: Any) -> Iterator[InternalIdRef]:
    """Every ``InternalIdRef`` inside a record's fields."""
    if isinstance(value, InternalIdRef):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from references(item)
    elif isinstance(value, list):
        for item in value:
            yield from references(item)


class InternalIdResolver:
    def __init__(self, netsuite) -> None:
        self.netsuite = netsuite
        self.internal_ids: dict[str, str] = {}  # external ID -> internal ID: this run's loads, then lookups
        self._looked_up: set[tuple[str, str]] = set()  # (SuiteQL table, external ID) asked of NetSuite already
        self.lookups = 0  # SuiteQL lookups made (one per record group per batch of unknown references)

    def loaded(self, external_id: str, internal_id: str) -> None:
        self.internal_ids[external_id] = internal_id

    def prefetch(self, records: Iterable[NeutralRecord]) -> None:
        """Look up in NetSuite, at once, every reference of ``records`` this run has not resolved yet."""
        wanted: dict[str, set[str]] = defaultdict(set)
        for record in records:
            for ref in references(record.fields):
                if ref.external_id not in self.internal_ids and (ref.table, ref.external_id) not in self._looked_up:
                    wanted[ref.table].add(ref.external_id)
        for table, external_ids in sorted(wanted.items()):
            self.lookups += 1
            rows = self.netsuite.rows_by_external_id(table, sorted(external_ids))
            self._looked_up.update((table, external_id) for external_id in external_ids)
            for external_id, row in rows.items():
                self.internal_ids.setdefault(external_id, str(row["id"]))

    def resolve(self, record: NeutralRecord) -> NeutralRecord:
        """``record`` with its references replaced by ``{"id": ...}``; ``UnresolvedReference`` names a missing one."""
        return resolve_internal_ids(record, self.internal_ids)
