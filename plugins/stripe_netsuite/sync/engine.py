"""The flow engine: extract from Stripe, prepare, map, load into NetSuite, report.

One ``FlowEngine.run`` is one sync task. It never moves the cursor itself: it returns the
cursor the load reached, and the DAG's next task commits it, so a failed load is re-read.
The flow's ``prepare`` completes the Stripe objects and creates what they depend on; its
``map`` gives each object's records in load stages (an invoice, then its credit memos, which
reference it by internal ID). Objects that fail (dependency, mapping or NetSuite) go to the
retry queue with all their records and are retried every run; everything else loads regardless.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from stripe_netsuite.hooks.netsuite import NetSuiteHook
from stripe_netsuite.hooks.netsuite_errors import NetSuiteError
from stripe_netsuite.hooks.stripe import StripeAuthError, StripeHook, StripeHookError, StripeNotFoundError
from stripe_netsuite.mapping.records import MappingError, NeutralRecord, UnresolvedReference
from stripe_netsuite.settings import Settings
from stripe_netsuite.sync.cursor import Cursor, CursorStore
from stripe_netsuite.sync.references import InternalIdResolver
from stripe_netsuite.sync.flow import FlowSpec, SourceObject, objects_named, resource_of
from stripe_netsuite.sync.retry_queue import FailedRecord, RetryQueue
from stripe_netsuite.sync.state import StateStore

log = logging.getLogger(__name__)


class ConfigurationError(RuntimeError):
    """NetSuite or the settings are set up in a way no retry can fix; the message says what to change."""


@dataclass(frozen=True)
class Window:
    """A backfill window over Stripe ``created``: [start, end) in Unix seconds; None = open."""

    start: int | None = None
    end: int | None = None


@dataclass
class SyncSummary:
    flow: str
    mode: str  # "incremental" | "initial" | "backfill" | "ids"
    # seen, skipped and failed count Stripe objects; created, updated and unchanged count NetSuite records
    # (one invoice may be several records: the invoice and its credit memos)
    seen: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    failed: list[dict[str, Any]] = field(default_factory=list)
    dependencies_written: dict[str, int] = field(default_factory=dict)  # NetSuite record type -> count
    id_map: dict[str, str] = field(default_factory=dict)  # Stripe ID -> NetSuite internal ID
    cursor: dict[str, Any] | None = None  # the cursor to commit after the load (incremental modes)
    retry_queue_size: int = 0

    def as_xcom(self) -> dict[str, Any]:
        return asdict(self)


def _utcnow() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


# Batches handed to the NetSuite hook at once: it can keep several batch jobs running in NetSuite while
# it waits for the oldest (``batch_jobs_in_flight``), which it cannot do with one batch at a time.
WRITE_WINDOW_BATCHES = 8


# A first run or backfill lists its objects lazily and processes them this many at a time, so a large
# history (tens of thousands of invoices, ~35 KB each while in flight) does not sit in memory at once.
LISTING_CHUNK = 2000


def _batched(items: Iterable[Any], size: int | None) -> Iterator[list[Any]]:
    """``items`` in lists of ``size`` (``None``: one list of everything)."""
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


class FlowEngine:
    def __init__(
        self,
        flow: FlowSpec,
        *,
        stripe: StripeHook,
        netsuite: NetSuiteHook,
        settings: Settings,
        state: StateStore | None,
        run_id: str = "",
    ) -> None:
        self.flow = flow
        self.stripe = stripe
        self.netsuite = netsuite
        self.settings = settings
        # ``state`` None: an engine that only writes objects for another flow (``write_objects``)
        self.cursors = CursorStore(flow.name, state)  # type: ignore[arg-type]
        self.retry_queue = RetryQueue(flow.name, state)  # type: ignore[arg-type]
        self.run_id = run_id
        self.force_rewrite = False
        self.references = InternalIdResolver(netsuite)  # one per run: lookups are cached for the run
        self.ids_chosen_by_user = False
        self.run_cache: dict[str, Any] = {}  # the flow's, for the run (FlowSpec.prepare)

    # -- extract ----------------------------------------------------------------------------

    def _listed(self, window: Window) -> Iterator[SourceObject]:
        for resource in self.flow.resources:
            if resource.only_when is not None and not resource.only_when(self.settings):
                continue
            for obj in self.stripe.list_objects(
                resource.name, created_gte=window.start, created_lt=window.end, expand=resource.list_expand,
                **dict(resource.list_filters),
            ):
                yield SourceObject(obj)

    def _from_events(self, cursor: Cursor, summary: SyncSummary) -> list[SourceObject]:
        """The newest state of each object touched by events after the cursor, in first-touched order."""
        latest: dict[str, SourceObject] = {}
        for event in self.stripe.events_after(cursor.event_id, self.flow.event_types):
            summary.cursor = asdict(Cursor.from_event(event))
            found = self.flow.source_from_event(event)
            for source in (found if isinstance(found, list) else [found] if found is not None else []):
                latest[source.stripe_id] = source
        return list(latest.values())

    def _initial_window(self) -> Window:
        start = self.settings.sync.start_date
        if start is None:
            return Window()
        return Window(start=int(dt.datetime.combine(start, dt.time(), dt.timezone.utc).timestamp()))

    def _sources(
        self, mode: str, window: Window | None, stripe_ids: Iterable[str], summary: SyncSummary
    ) -> Iterable[SourceObject]:
        """The run's Stripe objects: a listing is read lazily (a large one is processed chunk by chunk)."""
        if mode == "backfill":
            return self._listed(window or Window())
        if mode == "ids":
            return self._retrieved(stripe_ids, summary, chosen=self.ids_chosen_by_user)
        cursor = self.cursors.get()
        if cursor is not None:
            summary.mode = "incremental"
            return self._from_events(cursor, summary)
        # First run: mark where the event stream stands *before* listing, so nothing that
        # happens during the listing is missed (it is re-read next run, harmlessly).
        summary.mode = "initial"
        newest = self.stripe.latest_event(self.flow.event_types)
        if newest is not None:
            summary.cursor = asdict(Cursor.from_event(newest))
        return self._listed(self._initial_window())

    def _retrieved(self, stripe_ids: Iterable[str], summary: SyncSummary, *, chosen: bool = False) -> Iterator[SourceObject]:
        """Each object as Stripe has it now; one that cannot be read is a failure (kept for retry), not a stop.

        ``chosen``: the IDs were typed by a user (param stripe_ids): one Stripe does not have is a mistake to
        correct, not a record to retry forever, so the run stops before writing anything."""
        for stripe_id in stripe_ids:
            resource = resource_of(self.flow, stripe_id)
            try:
                yield SourceObject(self.stripe.retrieve(resource.name, stripe_id, expand=resource.list_expand))
            except StripeAuthError:
                raise
            except StripeHookError as exc:  # e.g. no longer in Stripe: keep it queued, say why, go on
                if chosen and isinstance(exc, StripeNotFoundError):
                    raise ConfigurationError(
                        f"Stripe has no {objects_named(self.flow, 1)} {stripe_id}: check the IDs given in 'Only "
                        f"these Stripe IDs' (stripe_ids; this DAG syncs {objects_named(self.flow)}). Nothing was "
                        "written") from None
                summary.failed.append({"stripe_id": stripe_id, "code": "STRIPE_READ", "message": str(exc)})

    def _with_retry_queue(
        self, sources: Iterable[SourceObject], queued: Iterable[str], summary: SyncSummary
    ) -> Iterator[SourceObject]:
        """The run's objects, then the queued objects it did not already read, as Stripe has them now."""
        present = set()
        for source in sources:
            present.add(source.stripe_id)
            yield source
        yield from self._retrieved([stripe_id for stripe_id in queued if stripe_id not in present], summary)

    # -- transform + load -------------------------------------------------------------------

    def _map(self, sources: list[SourceObject], context: Any, summary: SyncSummary) -> list[list[list[NeutralRecord]]]:
        """Each source's records in load stages (a record may reference one of an earlier stage)."""
        plans = []
        for source in sources:
            try:
                result = self.flow.map(source, context, self.settings)
            except MappingError as exc:
                summary.failed.append({"stripe_id": source.stripe_id, "code": getattr(exc, "code", "MAPPING"), "message": exc.reason
                                       if exc.stripe_id == source.stripe_id else str(exc)})
                continue
            if result is None:
                summary.skipped += 1
            else:
                plans.append([[result]] if isinstance(result, NeutralRecord) else result)
        return plans

    def _existing(self, batch: list[NeutralRecord], fingerprint_field: str | None) -> dict[str, dict[str, Any]]:
        columns = [fingerprint_field.lower()] if fingerprint_field else []
        try:
            return self.netsuite.rows_by_external_id(self.flow.suiteql_table, [r.external_id for r in batch], columns)
        except NetSuiteError as exc:
            if fingerprint_field and fingerprint_field.lower() in str(exc).lower() and "unknown identifier" in str(exc).lower():
                raise ConfigurationError(
                    f"NetSuite has no {self.flow.record_type} field {fingerprint_field}, which the settings name as "
                    f"{self.flow.name}.fingerprint_field. Create it in NetSuite (Free-Form Text, applied to "
                    f"{self.flow.record_type}; see README 'Configuration') or set fingerprint_field: null"
                ) from None
            raise

    def _load(self, plans: list[list[list[NeutralRecord]]], summary: SyncSummary) -> None:
        """Load stage by stage; a source whose record fails loads nothing of its later stages."""
        failed_sources: set[str] = set()
        for stage in range(max((len(plan) for plan in plans), default=0)):
            batch: list[NeutralRecord] = []
            current = [plan for plan in plans
                       if stage < len(plan) and plan[stage] and plan[0][0].source_id not in failed_sources]
            self.references.prefetch(record for plan in current for record in plan[stage])
            for plan in current:
                try:  # all of a source's records in this stage, or none
                    batch.extend([self.references.resolve(record) for record in plan[stage]])
                except UnresolvedReference as exc:
                    source_id = plan[stage][0].source_id
                    failed_sources.add(source_id)
                    summary.failed.append({"stripe_id": source_id, "code": "DEPENDENCY", "message": str(exc)})
            failed_before = len(summary.failed)
            self._load_batch(batch, summary)
            failed_sources.update(f["stripe_id"] for f in summary.failed[failed_before:])

    def _load_batch(self, records: list[NeutralRecord], summary: SyncSummary) -> None:
        fingerprint_field = self.flow.fingerprint_field(self.settings)
        update_existing = self.flow.update_existing(self.settings)
        batch_size = self.settings.sync.batch_size
        for batch in _batched(records, batch_size * WRITE_WINDOW_BATCHES):
            existing = self._existing(batch, fingerprint_field)
            to_write: list[NeutralRecord] = []
            for record in batch:
                row = existing.get(record.external_id)
                if row is None and record.only_if_present:  # e.g. zeroing a memo that was never written
                    continue
                fingerprint = record.fingerprint()
                if row is not None and (
                    not update_existing
                    or (not self.force_rewrite and fingerprint_field and row.get(fingerprint_field.lower()) == fingerprint)
                ):
                    summary.unchanged += 1
                    summary.id_map[record.external_id] = row["id"]
                    self.references.loaded(record.external_id, row["id"])
                    continue
                if fingerprint_field:
                    record.fields[fingerprint_field] = fingerprint
                to_write.append(record)
            result = self.netsuite.upsert_records(to_write, batch_size=batch_size)
            for record in to_write:
                internal_id = result.id_map.get(record.external_id)
                if internal_id is None:
                    continue
                summary.id_map[record.external_id] = internal_id
                self.references.loaded(record.external_id, internal_id)
                if record.external_id in existing:
                    summary.updated += 1
                else:
                    summary.created += 1
            for error in result.errors:
                summary.failed.append(
                    {"stripe_id": error.source_id or error.external_id, "code": error.code,
                     "message": error.message if error.external_id == (error.source_id or error.external_id)
                     else f"{error.external_id}: {error.message}"}
                )

    # -- the run ----------------------------------------------------------------------------

    def _process(self, sources: list[SourceObject], listed: bool, summary: SyncSummary) -> None:
        """Prepare, map and load one set of sources (a whole event run, or one chunk of a listing)."""
        prepared = self.flow.prepare(sources, stripe=self.stripe, netsuite=self.netsuite, settings=self.settings,
                                     listed=listed, run_cache=self.run_cache)
        for kind, count in prepared.dependencies_written.items():
            summary.dependencies_written[kind] = summary.dependencies_written.get(kind, 0) + count
        for stripe_id, (code, message) in prepared.failures.items():
            summary.failed.append({"stripe_id": stripe_id, "code": code, "message": message})
        ready = [s for s in prepared.sources if s.stripe_id not in prepared.failures]
        self._load(self._map(ready, prepared.context, summary), summary)

    def write_objects(self, stripe_ids: Iterable[str]) -> SyncSummary:
        """Write these objects' records as this flow does, and nothing else: no cursor, no retry queue (the
        caller, another flow that needs them, keeps its own objects for retry)."""
        summary = SyncSummary(flow=self.flow.name, mode="ids")
        sources = list(self._retrieved(stripe_ids, summary))
        summary.seen = len(sources)
        if sources:
            self._process(sources, False, summary)
        return summary

    def run(
        self,
        mode: str = "incremental",
        window: Window | None = None,
        *,
        stripe_ids: Iterable[str] = (),
        force_rewrite: bool = False,
        ids_chosen_by_user: bool = True,
    ) -> SyncSummary:
        """One run. ``mode``: incremental (events after the cursor), backfill (``window``) or ids (``stripe_ids``).

        ``force_rewrite`` writes records even when NetSuite holds what was last written (the fingerprint
        matches): a record edited by hand in NetSuite is then written back from Stripe. A flow whose
        settings say not to update existing records still leaves them alone."""
        summary = SyncSummary(flow=self.flow.name, mode=mode)
        self.force_rewrite = force_rewrite
        self.ids_chosen_by_user = ids_chosen_by_user
        if not self.flow.enabled(self.settings):
            log.info("The %s flow is switched off in the settings; nothing to do", self.flow.name)
            return summary
        if force_rewrite and not self.flow.update_existing(self.settings):
            log.warning("The settings say existing %s records are not updated (update_existing: false): records "
                        "NetSuite already has are left as they are, even with force_rewrite", self.flow.name)
        queue = self.retry_queue.load()
        sources = self._with_retry_queue(self._sources(mode, window, stripe_ids, summary), queue, summary)
        listed = summary.mode in ("initial", "backfill")
        seen: list[str] = []
        for chunk in _batched(sources, LISTING_CHUNK if listed else None):
            seen += [source.stripe_id for source in chunk]
            self._process(chunk, listed, summary)
            del chunk  # a chunk's objects and records are freed before the next is read
        summary.seen = len(seen)

        failed_ids = {f["stripe_id"] for f in summary.failed}
        loaded = [stripe_id for stripe_id in seen if stripe_id not in failed_ids]
        remaining = self.retry_queue.update(
            loaded=loaded,
            failed=[FailedRecord(f["stripe_id"], f["code"], f["message"]) for f in summary.failed],
            now=_utcnow(),
            run_id=self.run_id,
        )
        summary.retry_queue_size = len(remaining)
        log.info(
            "%s %s run: Stripe objects: %d read, %d failed, %d skipped (nothing to write, e.g. drafts). "
            "NetSuite records: %d created, %d updated, %d already up to date. Retry queue: %d Stripe object(s)",
            self.flow.name, summary.mode, summary.seen, len({f["stripe_id"] for f in summary.failed}),
            summary.skipped, summary.created, summary.updated, summary.unchanged, summary.retry_queue_size,
        )
        return summary
