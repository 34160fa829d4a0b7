"""What every resource shares: routing table, lookup with 404s, rendering with expansion, lists."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sandbox_kit import Request

from stripe_sandbox.errors import resource_missing, unknown_parameter
from stripe_sandbox.events import changed_attributes
from stripe_sandbox.expand import render_record
from stripe_sandbox.forms import as_list, as_str
from stripe_sandbox.listing import paginate, parse_list_query
from stripe_sandbox.state import SandboxState, WriteContext
from stripe_sandbox.store import Record, SortedRecords

ID = r"(?P<id>[^/]+)"

FilterBuilder = Callable[[dict], "Callable[[Record], bool] | None"]


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

    Write operations (``create``/``update``/``delete``/actions on subclasses) take plain params and
    a ``WriteContext``, so the HTTP handlers, scheduled tasks and the scenario seeder share one
    write path. Stored data is immutable: writers build a new dict and ``replace`` the record.
    """

    object_name: str = ""
    prefix: str = ""
    url: str = ""
    expandable: frozenset[str] = frozenset()
    nested_expandable: dict[str, frozenset[str]] = {}  # objects embedded in this one (invoice lines)
    list_filters: frozenset[str] = frozenset({"created"})
    filters: dict[str, FilterBuilder] = {}  # list filter param -> predicate builder
    indexes: dict[str, Callable[[dict], str | None]] = {}  # secondary index name -> key of a record
    event_prefix: str | None = None  # defaults to object_name ("charge.dispute" for disputes)

    def __init__(self, state: SandboxState) -> None:
        self.state = state

    def routes(self) -> list[Route]:
        return []

    def includable(self) -> dict[str, Callable[[dict], object]]:
        """Fields absent unless ``expand[]`` names them (field -> builds it for the rendered object)."""
        return {}

    def tasks(self) -> dict[str, Callable]:
        """Scheduled-task handlers this resource owns (kind -> handler(task, ctx))."""
        return {}

    # -- helpers for subclasses -------------------------------------------------------------
    def other(self, object_name: str) -> Resource:
        return self.state.resources[object_name]

    def new_id(self) -> str:
        return self.state.ids.new(self.prefix)

    def event_type(self, action: str) -> str:
        return f"{self.event_prefix or self.object_name}.{action}"

    def insert(self, obj: dict, ctx: WriteContext, *, action: str | None = "created") -> Record:
        """Store a new object and record ``<prefix>.created`` (``action=None``: no event)."""
        record = self.state.store.insert(self.object_name, obj, obj.get("created", ctx.now))
        for name, key_of in self.indexes.items():
            self.state.store.index_add(self.object_name, name, key_of(obj), record)
        if action:
            self.state.events.record(self.event_type(action), record.data, ctx)
        return record

    def replace(self, record: Record, after: dict, ctx: WriteContext, *, action: str | None = "updated") -> bool:
        """Swap in ``after``; record ``<prefix>.<action>`` with ``previous_attributes`` if anything changed.

        ``action=None`` swaps silently (a later event of the same object carries the new state).
        """
        if not action:
            record.data = after
            return True
        previous = changed_attributes(record.data, after)
        if not previous:
            return False
        record.data = after
        if action:
            self.state.events.record(self.event_type(action), after, ctx, previous_attributes=previous)
        return True

    def emit(self, record: Record, action: str, ctx: WriteContext, previous: dict | None = None) -> None:
        """Record ``<prefix>.<action>`` carrying the object as it is now."""
        self.state.events.record(self.event_type(action), record.data, ctx, previous_attributes=previous)

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

    def ref(self, object_id, param: str) -> Record:
        """A record named by a request param: an unknown ID is a 400 ``resource_missing`` on that param."""
        record = self.state.store.get(self.object_name, object_id) if isinstance(object_id, str) else None
        if record is None or record.deleted:
            err = resource_missing(self.object_name, str(object_id), param=param)
            err.status = 400
            raise err
        return record

    def data(self, object_id: str) -> dict:
        return self.record(object_id).data

    def render(self, record: Record, expand: list[str] | None = None) -> dict:
        obj = render_record(record)
        if expand and not record.deleted:
            return self.state.expander.apply(obj, expand)
        return obj

    def render_id(self, object_id: str, params: dict) -> dict:
        return self.render(self.record(object_id, allow_deleted=True), self.expand_param(params))

    @staticmethod
    def expand_param(params: dict) -> list[str]:
        return [as_str(p, "expand") for p in as_list(params.get("expand", []), "expand")]

    @staticmethod
    def only(params: dict, allowed: frozenset[str] | set[str] | tuple[str, ...]) -> None:
        for key in params:
            if key not in allowed and key != "expand":
                raise unknown_parameter(key)

    def list_page(self, params: dict, predicate: Callable[[Record], bool] = lambda r: True, *, extra_filters=(),
                  source: SortedRecords | None = None) -> dict:
        query = parse_list_query(params, filters=self.list_filters | set(self.filters) | set(extra_filters))
        checks = [check for name, build in self.filters.items() if (check := build(params)) is not None]

        def wanted(record: Record) -> bool:
            return predicate(record) and all(check(record) for check in checks)

        return paginate(
            self.state.store,
            self.object_name,
            query,
            url=self.url,
            render=lambda record: self.render(record, query.expand),
            predicate=wanted,
            source=source,
        )

    # -- standard handlers -----------------------------------------------------------------
    def crud_routes(self, *, deletable: bool = False) -> list[Route]:
        """Create, list, retrieve and update (and delete) at ``url``, as most Stripe resources have."""
        routes: list[Route] = [
            ("POST", self.url, lambda call: self.respond(self.create(call.params, call.ctx), call)),
            ("GET", self.url, self.list_handler),
            ("GET", f"{self.url}/{ID}", self.retrieve_handler),
            ("POST", f"{self.url}/{ID}", lambda call: self.respond(self.update(call.id, call.params, call.ctx), call)),
        ]
        if deletable:
            routes.append(("DELETE", f"{self.url}/{ID}", lambda call: self.delete(call.id, call.ctx)))
        return routes

    def respond(self, data: dict, call: ApiCall) -> dict:
        """The answer to a write: the object as stored now, expanded as the call asked."""
        return self.render(self.record(data["id"]), self.expand_param(call.params))

    def retrieve_handler(self, call: ApiCall) -> dict:
        self.only(call.params, ())
        return self.render_id(call.id, call.params)

    def list_handler(self, call: ApiCall) -> dict:
        return self.list_page(call.params)
