"""The list engine: ``limit``, cursors, ``created`` ranges, newest-first pages.

Order is newest first: ``created`` descending, then creation sequence descending (many objects
share a second). ``starting_after=X`` returns the ``limit`` objects just older than X;
``ending_before=X`` returns the ``limit`` objects just newer than X, still newest first, with
``has_more`` telling whether even newer ones exist — which is what stripe-python's
``auto_paging_iter`` needs to walk backwards (it reverses each page and continues with
``ending_before=<first id of the page>`` while ``has_more``).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass, field

from stripe_sandbox.errors import invalid_request, unknown_cursor, unknown_parameter
from stripe_sandbox.forms import as_int, as_list, as_str
from stripe_sandbox.store import ObjectStore, Record, SortedRecords, created_key

PAGING_PARAMS = frozenset({"limit", "starting_after", "ending_before", "expand"})
RANGE_OPS = ("gt", "gte", "lt", "lte")
DEFAULT_LIMIT = 10
MAX_LIMIT = 100


@dataclass
class ListQuery:
    limit: int = DEFAULT_LIMIT
    starting_after: str | None = None
    ending_before: str | None = None
    created: dict[str, int] | None = None
    expand: list[str] = field(default_factory=list)  # relative to each item ("data." stripped)


def check_known(params: dict, allowed: frozenset[str] | set[str]) -> None:
    for key in params:
        if key not in allowed:
            raise unknown_parameter(key)


def parse_range(value, param: str) -> dict[str, int]:
    """``created=5`` -> ``{"eq": 5}``; ``created[gte]=5`` -> ``{"gte": 5}``."""
    if isinstance(value, dict):
        result = {}
        for op, raw in value.items():
            if op not in RANGE_OPS:
                raise unknown_parameter(f"{param}[{op}]")
            result[op] = as_int(raw, f"{param}[{op}]")
        return result
    return {"eq": as_int(value, param)}


def in_range(value: int, bounds: dict[str, int] | None) -> bool:
    if not bounds:
        return True
    checks = {
        "eq": lambda b: value == b,
        "gt": lambda b: value > b,
        "gte": lambda b: value >= b,
        "lt": lambda b: value < b,
        "lte": lambda b: value <= b,
    }
    return all(checks[op](bound) for op, bound in bounds.items())


def parse_list_query(params: dict, *, filters: frozenset[str] | set[str] = frozenset()) -> ListQuery:
    """Validate paging params (and reject unknown ones); ``filters`` are the resource's extras."""
    check_known(params, PAGING_PARAMS | set(filters))
    query = ListQuery()
    if "limit" in params:
        limit = as_int(params["limit"], "limit")
        if not 1 <= limit <= MAX_LIMIT:
            raise invalid_request(
                f"Invalid limit: {limit}; must be between 1 and {MAX_LIMIT}.", param="limit", code="parameter_invalid_integer"
            )
        query.limit = limit
    for cursor in ("starting_after", "ending_before"):
        if params.get(cursor) not in (None, ""):
            setattr(query, cursor, as_str(params[cursor], cursor))
    if query.starting_after and query.ending_before:
        raise invalid_request("You may only specify one of these parameters: ending_before, starting_after.")
    if "created" in params and "created" in filters:
        query.created = parse_range(params["created"], "created")
    for path in as_list(params.get("expand", []), "expand"):
        path = as_str(path, "expand")
        if not path.startswith("data."):
            raise invalid_request(f"This property cannot be expanded ({path}).", param="expand")
        query.expand.append(path[len("data."):])
    return query


def paginate(
    store: ObjectStore,
    object_type: str,
    query: ListQuery,
    *,
    url: str,
    render: Callable[[Record], dict],
    predicate: Callable[[Record], bool] = lambda record: True,
    include_deleted: bool = False,
    source: SortedRecords | None = None,
) -> dict:
    """One page of a list object over the records of ``object_type`` (or of an index ``source``)."""
    records = store.ascending(object_type) if source is None else source.records
    keys = store.sort_keys(object_type) if source is None else source.keys
    low, high = _created_window(keys, query.created)

    def wanted(record: Record) -> bool:
        return (include_deleted or not record.deleted) and in_range(record.created, query.created) and predicate(record)

    if query.ending_before:
        cursor = _cursor(store, object_type, query.ending_before, "ending_before")
        start = max(low, bisect.bisect_right(keys, cursor.sort_key))
        found = _collect(records, range(start, high), wanted, query.limit + 1)
        page = list(reversed(found[: query.limit]))
    else:
        stop = high
        if query.starting_after:
            cursor = _cursor(store, object_type, query.starting_after, "starting_after")
            stop = min(high, bisect.bisect_left(keys, cursor.sort_key))
        found = _collect(records, range(stop - 1, low - 1, -1), wanted, query.limit + 1)
        page = found[: query.limit]
    return {
        "object": "list",
        "data": [render(record) for record in page],
        "has_more": len(found) > query.limit,
        "url": url,
    }


def _collect(records: list[Record], indexes: range, wanted, count: int) -> list[Record]:
    found = []
    for index in indexes:
        record = records[index]
        if wanted(record):
            found.append(record)
            if len(found) == count:
                break
    return found


def _cursor(store: ObjectStore, object_type: str, object_id: str, param: str) -> Record:
    record = store.get(object_type, object_id)
    if record is None:
        raise unknown_cursor(object_type, object_id, param)
    return record


def _created_window(keys: list[int], bounds: dict[str, int] | None) -> tuple[int, int]:
    """Index range ``[low, high)`` of records whose ``created`` may satisfy the bounds."""
    low, high = 0, len(keys)
    if not bounds:
        return low, high
    for op, bound in bounds.items():
        if op in ("gt", "gte", "eq"):
            edge = bound + 1 if op == "gt" else bound
            low = max(low, bisect.bisect_left(keys, created_key(edge)))
        if op in ("lt", "lte", "eq"):
            edge = bound if op == "lt" else bound + 1
            high = min(high, bisect.bisect_left(keys, created_key(edge)))
    return low, max(low, high)


def paginate_sequence(items: list[dict], query: ListQuery, *, url: str, render: Callable[[dict], dict],
                      object_type: str) -> dict:
    """One page over an ordered, in-object sequence (invoice lines, credit note lines), in its own order.

    ``starting_after=X`` continues after item X, ``ending_before=X`` returns the items just before X.
    """
    position = {item["id"]: index for index, item in enumerate(items)}

    def locate(cursor: str, param: str) -> int:
        if cursor not in position:
            raise unknown_cursor(object_type, cursor, param)
        return position[cursor]

    if query.ending_before:
        stop = locate(query.ending_before, "ending_before")
        start = max(0, stop - query.limit)
        page, has_more = items[start:stop], start > 0
    else:
        start = locate(query.starting_after, "starting_after") + 1 if query.starting_after else 0
        page = items[start:start + query.limit]
        has_more = start + query.limit < len(items)
    return {"object": "list", "data": [render(item) for item in page], "has_more": has_more, "url": url}
