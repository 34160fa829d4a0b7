"""What every resource shares: routing table, lookup with 404s, rendering with expansion, lists."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sandbox_kit import Request

from stripe_sandbox.errors import resource_missing
from stripe_sandbox.events import changed_attributes
from stripe_sandbox.expand import render_record
from stripe_sandbox.forms import as_list, as_str
from stripe_sandbox.listing import paginate, parse_list_query
from stripe_sandbox.state import SandboxState, WriteContext
from stripe_sandbox.store import Record

ID = r"(?P<id>[^/]+)"


@dataclass
class ApiCall:
    """One decoded API request as handlers see it."""

    params: dict
    path_params: dict
    ctx: WriteContext
    request: Request | None = None

    @property
    def id(self) -> str:
        return self.path_params["id"]


Handler = Callable[[ApiCall], dict]
Route = tuple[str, str, Handler]


class Resource:
    """Base for a Stripe resource. Subclasses set the class attributes and return ``routes``.

    Write operations (``create``/``update``/``delete`` on subclasses) take plain params and a
    ``WriteContext``, so the HTTP handlers and the scenario seeder share one write path.
    """

    object_name: str = ""
    prefix: str = ""
    url: str = ""
    expandable: frozenset[str] = frozenset()
    list_filters: frozenset[str] = frozenset({"created"})
    event_prefix: str | None = None  # defaults to object_name ("charge.dispute" for disputes)

    def __init__(self, state: SandboxState) -> None:
        self.state = state

    def routes(self) -> list[Route]:
        return []

    # -- helpers for subclasses -------------------------------------------------------------
    def new_id(self) -> str:
        return self.state.ids.new(self.prefix)

    def event_type(self, action: str) -> str:
        return f"{self.event_prefix or self.object_name}.{action}"

    def insert(self, obj: dict, ctx: WriteContext, *, action: str | None = "created") -> Record:
        """Store a new object and record ``<prefix>.created`` (``action=None``: no event)."""
        record = self.state.store.insert(self.object_name, obj)
        if action:
            self.state.events.record(self.event_type(action), record.data, ctx)
        return record

    def replace(self, record: Record, after: dict, ctx: WriteContext, *, action: str = "updated") -> bool:
        """Swap in ``after``; record ``<prefix>.updated`` with ``previous_attributes`` if anything changed."""
        previous = changed_attributes(record.data, after)
        if not previous:
            return False
        record.data = after
        self.state.events.record(self.event_type(action), after, ctx, previous_attributes=previous)
        return True

    def mark_deleted(self, record: Record, ctx: WriteContext, *, action: str = "deleted") -> dict:
        """Tombstone the record, record ``<prefix>.deleted`` and return the deleted stub."""
        record.deleted = True
        self.state.events.record(self.event_type(action), record.data, ctx)
        return {"id": record.id, "object": self.object_name, "deleted": True}

    def record(self, object_id: str, *, allow_deleted: bool = False, param: str = "id") -> Record:
        record = self.state.store.get(self.object_name, object_id)
        if record is None or (record.deleted and not allow_deleted):
            raise resource_missing(self.object_name, object_id, param=param)
        return record

    def render(self, record: Record, expand: list[str] | None = None) -> dict:
        obj = render_record(record)
        if expand and not record.deleted:
            return self.state.expander.apply(obj, expand)
        return obj

    @staticmethod
    def expand_param(params: dict) -> list[str]:
        return [as_str(p, "expand") for p in as_list(params.get("expand", []), "expand")]

    def list_page(self, params: dict, predicate: Callable[[Record], bool] = lambda r: True, *, extra_filters=()) -> dict:
        query = parse_list_query(params, filters=self.list_filters | set(extra_filters))
        return paginate(
            self.state.store,
            self.object_name,
            query,
            url=self.url,
            render=lambda record: self.render(record, query.expand),
            predicate=predicate,
        )
