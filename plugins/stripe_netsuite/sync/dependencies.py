"""Making sure the records a run's objects need exist in NetSuite: the one way every flow does it.

A flow's objects point at records other code owns: an invoice at its customer and its items, a
payment at its customer and the invoice it pays. Before mapping, the flow asks ``Dependencies``
for each kind of record it needs, saying which of its objects need which record. What NetSuite
already has is used as it is; what it lacks is read from Stripe and written by the code that owns
that record (``DependencyKind`` implementations next to their flow: customers in
``sync/customers.py``, items in ``sync/items.py``; a whole invoice through the invoices flow
itself, ``ensure_through_flow``), so a record is made the same way whoever needs it.

A dependency that cannot be made fails only the objects that need it, with its reason: they wait
in the retry queue; the rest of the run goes on.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from stripe_netsuite.hooks.stripe import StripeHookError
from stripe_netsuite.mapping.records import NeutralRecord
from stripe_netsuite.settings import Settings

if TYPE_CHECKING:
    from stripe_netsuite.sync.flow import FlowSpec


@dataclass(frozen=True)
class Made:
    """What a kind made of one Stripe object: the reference its users map to, and the record to write (None: a
    reference to something that exists already, e.g. a linked or generic item)."""

    reference: dict[str, str]
    record: NeutralRecord | None = None


class DependencyFailed(Exception):
    """One dependency cannot be made; ``message`` is what the objects needing it say in the retry queue."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def nothing_written(user: str) -> str:
    """The end of a dependency failure's message: ``user`` is what waits for it ("invoice", "payment")."""
    return f"Nothing was written for this {user}; the next run tries it again"


class DependencyKind(Protocol):
    what: str  # in messages: "customer", "item for price", ...
    stripe_resource: str  # where the missing ones are read from
    expand: tuple[str, ...]

    def existing(self, netsuite, stripe_ids: Sequence[str]) -> dict[str, dict[str, str]]:
        """The ones NetSuite already has as they are needed: Stripe ID -> the reference to use."""
        ...

    def make(self, stripe_id: str, found: dict[str, Any] | StripeHookError) -> Made:
        """The record for a missing one from what Stripe answered (raise ``DependencyFailed`` when it cannot be)."""
        ...


class Dependencies:
    """One run's dependencies: what was written on the way, and which objects fail for want of one."""

    def __init__(self, *, stripe, netsuite, settings: Settings) -> None:
        self.stripe, self.netsuite, self.settings = stripe, netsuite, settings
        self.failed: dict[str, tuple[str, str]] = {}  # the needing object's Stripe ID -> (code, message)
        self.written: dict[str, int] = defaultdict(int)  # by NetSuite record type

    def fail(self, users: Iterable[str], code: str, message: str) -> None:
        for user in users:
            self.failed.setdefault(user, (code, message))

    def ensure(self, kind: DependencyKind, needed: Mapping[str, Sequence[str]]) -> dict[str, dict[str, str]]:
        """Make sure each needed record exists; return Stripe ID -> reference for those that do now.

        ``needed``: each needed Stripe object's ID -> the IDs of the run's objects that need it."""
        users = {stripe_id: list(needing) for stripe_id, needing in needed.items() if stripe_id}
        if not users:
            return {}
        references = kind.existing(self.netsuite, list(users))
        missing = [stripe_id for stripe_id in users if stripe_id not in references]
        found = self.stripe.retrieve_many(kind.stripe_resource, missing, expand=kind.expand) if missing else {}
        records: dict[str, NeutralRecord] = {}
        for stripe_id in missing:
            try:
                made = kind.make(stripe_id, found[stripe_id])
            except DependencyFailed as exc:
                self.fail(users[stripe_id], exc.code, exc.message)
                continue
            references[stripe_id] = made.reference
            if made.record is not None:
                records[stripe_id] = made.record
        for stripe_id in self.write(records, users, kind.what):
            references.pop(stripe_id, None)
        return references

    def write(self, records: dict[str, NeutralRecord], users: Mapping[str, list[str]], what: str) -> set[str]:
        """Write records made on the way (keyed by what they stand for); return the keys whose record failed
        (their users fail too)."""
        if not records:
            return set()
        result = self.netsuite.upsert_records(records.values())
        stripe_id_of = {record.external_id: stripe_id for stripe_id, record in records.items()}
        for record in records.values():
            if record.external_id in result.id_map:
                self.written[record.record_type] += 1
        failed = set()
        for error in result.errors:
            stripe_id = stripe_id_of.get(error.external_id, error.external_id)
            failed.add(stripe_id)
            self.fail(users.get(stripe_id, []), "DEPENDENCY",
                      f"{what} {error.external_id} could not be created in NetSuite: [{error.code}] {error.message}")
        return failed

    def ensure_through_flow(
        self, flow: FlowSpec, needed: Mapping[str, Sequence[str]], external_id: Callable[[str], str], *,
        rewrite: bool = False,
    ) -> set[str]:
        """Make sure ``flow``'s records for these Stripe objects are in NetSuite, writing the missing ones with that
        flow's own prepare, map and load (never a copy of its rules, never its cursor or retry queue). Return the
        Stripe IDs NetSuite now has; the users of the others fail with the reason.

        ``external_id`` gives the external ID of the object's main record (e.g. an invoice's). ``rewrite``: write
        them from Stripe's current state even when NetSuite has them (records that did not change are left
        alone by the flow's fingerprint)."""
        from stripe_netsuite.sync.engine import FlowEngine  # the engine runs flows, which use this module

        users = {stripe_id: list(needing) for stripe_id, needing in needed.items() if stripe_id}
        if not users:
            return set()
        present = self.netsuite.rows_by_external_id(flow.suiteql_table, [external_id(s) for s in users])
        missing = sorted(s for s in users if rewrite or external_id(s) not in present)
        done = {s for s in users if external_id(s) in present and s not in missing}
        if not missing:
            return done
        summary = FlowEngine(flow, stripe=self.stripe, netsuite=self.netsuite, settings=self.settings,
                             state=None).write_objects(missing)
        failures = {f["stripe_id"]: f for f in summary.failed}
        for stripe_id in missing:
            if stripe_id in failures:
                failure = failures[stripe_id]
                self.fail(users[stripe_id], "DEPENDENCY",
                          f"{flow.name[:-1]} {stripe_id} could not be written to NetSuite: [{failure['code']}] "
                          f"{failure['message']}. It is retried with this record")
            elif external_id(stripe_id) in summary.id_map:
                done.add(stripe_id)
            else:
                self.fail(users[stripe_id], "DEPENDENCY",
                          f"{flow.name[:-1]} {stripe_id} is not one the {flow.name} flow writes to NetSuite (e.g. a "
                          "draft), so nothing can point at it yet. It is retried with this record")
        for kind, count in summary.dependencies_written.items():
            self.written[kind] += count
        if summary.created + summary.updated:
            self.written[f"{flow.name[:-1]} records"] += summary.created + summary.updated
        return done
