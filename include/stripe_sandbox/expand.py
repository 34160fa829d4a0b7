"""Generic ``expand[]``: replace ID strings with the objects they name, following dotted paths.

Each object type declares its expandable fields as dotted paths relative to the object
(``"customer"``, ``"invoice_settings.default_payment_method"``, ``"discounts"`` for a list of
IDs). A requested path is matched against the longest declared prefix; the rest of the path
continues inside the expanded object, according to that object's own type. Embedded objects
and list objects (``lines.data.price``) are walked through. Up to 4 levels, as Stripe allows.
"""

from __future__ import annotations

import copy
from collections.abc import Callable

from stripe_sandbox.errors import invalid_request
from stripe_sandbox.store import ObjectStore, Record

MAX_DEPTH = 4


def render_record(record: Record) -> dict:
    """The public view of a stored object: a deleted stub once deleted, else a copy."""
    if record.deleted:
        return {"id": record.id, "object": record.object_type, "deleted": True}
    return copy.deepcopy(record.data)


def not_expandable(path: str):
    return invalid_request(f"This property cannot be expanded ({path}).", param="expand")


class Expander:
    def __init__(
        self,
        store: ObjectStore,
        expandable: dict[str, frozenset[str]],
        render: Callable[[Record], dict] = render_record,
    ) -> None:
        self._store = store
        self.expandable = dict(expandable)
        self._render = render

    def register(self, object_type: str, fields: frozenset[str] | set[str]) -> None:
        self.expandable[object_type] = frozenset(fields)

    def apply(self, obj: dict, paths: list[str]) -> dict:
        """A copy of ``obj`` with every path in ``paths`` expanded; 400 for a path that can't be."""
        result = copy.deepcopy(obj)
        for path in paths:
            segments = path.split(".")
            if not path or any(not s for s in segments) or len(segments) > MAX_DEPTH:
                raise not_expandable(path)
            self._expand(result, segments, path)
        return result

    def _expand(self, node: dict, segments: list[str], path: str) -> None:
        declared = self.expandable.get(node.get("object", ""), frozenset())
        for cut in range(len(segments), 0, -1):
            if ".".join(segments[:cut]) in declared:
                self._expand_field(node, segments[:cut], segments[cut:], path)
                return
        head, rest = segments[0], segments[1:]
        child = node.get(head)
        if rest and isinstance(child, dict) and child.get("object") == "list" and rest[0] == "data":
            for item in child.get("data", []):
                if isinstance(item, dict) and rest[1:]:
                    self._expand(item, rest[1:], path)
            if not rest[1:]:
                raise not_expandable(path)
            return
        if rest and isinstance(child, dict) and "object" in child:
            self._expand(child, rest, path)
            return
        if rest and isinstance(child, list) and all(isinstance(c, dict) and "object" in c for c in child):
            for item in child:
                self._expand(item, rest, path)
            return
        raise not_expandable(path)

    def _expand_field(self, node: dict, field: list[str], rest: list[str], path: str) -> None:
        parent = node
        for segment in field[:-1]:
            parent = parent.get(segment)
            if not isinstance(parent, dict):
                return  # the enclosing hash is null: nothing to expand
        key = field[-1]
        value = parent.get(key)
        if isinstance(value, list):
            parent[key] = [self._resolve(v) for v in value]
            targets = parent[key]
        else:
            parent[key] = self._resolve(value)
            targets = [parent[key]]
        if rest:
            for target in targets:
                if isinstance(target, dict):
                    self._expand(target, rest, path)

    def _resolve(self, value):
        if isinstance(value, str):
            record = self._store.find(value)
            if record is not None:
                return self._render(record)
        return value
