"""Generic ``expand[]``: replace ID strings with the objects they name, following dotted paths.

Each object type declares its expandable fields as dotted paths relative to the object
(``"customer"``, ``"invoice_settings.default_payment_method"``, ``"discounts"`` for a list of
IDs, ``"total_discount_amounts.discount"`` through a list of hashes). A requested path is matched
against the longest declared prefix; the rest of the path continues inside the expanded object,
according to that object's own type. Embedded objects, plain hashes and list objects
(``lines.data.pricing.price_details.price``) are walked through. At most 4 expansions per path,
as Stripe allows (walking into ``data`` or a hash is not an expansion). An ID the store does not
know (a test payment method such as ``pm_card_visa``) stays a string.

Includable fields (``register_includable``) are absent from an object unless a path names them:
``expand[]=payments`` on an invoice adds the field, built from the store when asked (one expansion),
and a longer path (``payments.data.payment.payment_intent``) adds it and goes on inside it. Stored
objects, and so event snapshots, never hold them: Stripe's API reference calls the invoice's
``payments`` an "includable" property ("When retrieving an invoice, there is an includable payments
property ..."), the 2026 ``fixtures3.json`` invoice has neither ``payments`` nor
``confirmation_secret`` among its keys, and SDK 16.1.0 types both ``Optional`` on ``Invoice``.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from stripe_sandbox.errors import invalid_request
from stripe_sandbox.store import ObjectStore, Record

MAX_DEPTH = 4
MAX_SEGMENTS = 12


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
        self.includable: dict[str, dict[str, Callable[[dict], Any]]] = {}
        self._render = render

    def register(self, object_type: str, fields: frozenset[str] | set[str]) -> None:
        self.expandable[object_type] = frozenset(fields)

    def register_includable(self, object_type: str, fields: dict[str, Callable[[dict], Any]]) -> None:
        """Fields absent unless expanded; ``fields[name](obj)`` builds the value for the object ``obj``."""
        if fields:
            self.includable[object_type] = dict(fields)

    def apply(self, obj: dict, paths: list[str]) -> dict:
        """A copy of ``obj`` with every path in ``paths`` expanded; 400 for a path that can't be."""
        result = copy.deepcopy(obj)
        for path in paths:
            segments = path.split(".")
            if not path or any(not s for s in segments) or len(segments) > MAX_SEGMENTS:
                raise not_expandable(path)
            self._expand(result, segments, path, 0)
        return result

    def _expand(self, node: dict, segments: list[str], path: str, depth: int) -> None:
        kind = node.get("object")  # an event's ``data`` holds the object itself under "object"
        declared = self.expandable.get(kind, frozenset()) if isinstance(kind, str) else frozenset()
        include = self.includable.get(kind, {}).get(segments[0]) if isinstance(kind, str) else None
        if include is not None:
            if depth + 1 > MAX_DEPTH:
                raise not_expandable(path)
            depth += 1
            if segments[0] not in node:  # another path may have included (and expanded inside) it already
                # a copy: the value holds stored objects, and expanding inside it must not change them
                node[segments[0]] = copy.deepcopy(include(node))
            if len(segments) == 1:
                return
        for cut in range(len(segments), 0, -1):
            if ".".join(segments[:cut]) in declared:
                if depth + 1 > MAX_DEPTH:
                    raise not_expandable(path)
                self._expand_field(node, segments[:cut], segments[cut:], path, depth + 1)
                return
        head, rest = segments[0], segments[1:]
        child = node.get(head)
        if not rest:
            raise not_expandable(path)
        if isinstance(child, dict) and child.get("object") == "list" and rest[0] == "data":
            if not rest[1:]:
                raise not_expandable(path)
            for item in child.get("data", []):
                if isinstance(item, dict):
                    self._expand(item, rest[1:], path, depth)
            return
        if isinstance(child, dict) and "object" in child:
            self._expand(child, rest, path, depth)
            return
        if isinstance(child, list) and all(isinstance(c, dict) and "object" in c for c in child):
            for item in child:
                self._expand(item, rest, path, depth)
            return
        raise not_expandable(path)

    def _expand_field(self, node: dict, field: list[str], rest: list[str], path: str, depth: int) -> None:
        for parent in self._parents(node, field[:-1]):
            key = field[-1]
            if key not in parent:
                continue
            value = parent[key]
            if isinstance(value, list):
                parent[key] = [self._resolve(v) for v in value]
                targets = parent[key]
            else:
                parent[key] = self._resolve(value)
                targets = [parent[key]]
            if rest:
                for target in targets:
                    if isinstance(target, dict):
                        self._expand(target, rest, path, depth)

    @staticmethod
    def _parents(node: dict, hops: list[str]) -> list[dict]:
        """The hashes reached by following ``hops`` (through nested hashes and lists of hashes)."""
        level = [node]
        for hop in hops:
            following = []
            for item in level:
                value = item.get(hop)
                if isinstance(value, dict):
                    following.append(value)
                elif isinstance(value, list):
                    following.extend(v for v in value if isinstance(v, dict))
            level = following  # a null hash on the way: nothing to expand
        return level

    def _resolve(self, value):
        if isinstance(value, str):
            record = self._store.find(value)
            if record is not None:
                return self._render(record)
        return value
