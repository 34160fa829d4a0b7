"""Events: list (``type`` with ``*`` wildcards, ``types[]``, ``created``) and retrieve, 30 days back."""

from __future__ import annotations

import fnmatch

from stripe_sandbox.constants import EVENT_RETENTION_SECONDS
from stripe_sandbox.errors import invalid_request, resource_missing, unknown_parameter
from stripe_sandbox.events import EVENT_TYPE
from stripe_sandbox.forms import as_bool, as_list, as_str
from stripe_sandbox.resources.base import ID, ApiCall, Resource, Route
from stripe_sandbox.store import SortedRecords

MAX_TYPES = 20


class Events(Resource):
    object_name = EVENT_TYPE
    prefix = "evt"
    url = "/v1/events"
    list_filters = frozenset({"created", "type", "types", "delivery_success"})

    def routes(self) -> list[Route]:
        return [
            ("GET", self.url, self._list),
            ("GET", f"{self.url}/{ID}", self._retrieve),
        ]

    def _oldest_visible(self) -> int:
        return self.state.clock.now() - EVENT_RETENTION_SECONDS

    def _retrieve(self, call: ApiCall) -> dict:
        for key in call.params:
            if key != "expand":
                raise unknown_parameter(key)
        record = self.record(call.id)
        if record.created < self._oldest_visible():
            raise resource_missing(self.object_name, call.id)
        return self.render(record, self.expand_param(call.params))

    def _list(self, call: ApiCall) -> dict:
        params = call.params
        if "type" in params and "types" in params:
            raise invalid_request("You may only specify one of these parameters: type, types.", param="types")
        matches = _type_matcher(params)
        delivered = as_bool(params["delivery_success"], "delivery_success") if "delivery_success" in params else None
        oldest = self._oldest_visible()

        def predicate(record) -> bool:
            if record.created < oldest or not matches(record.type):
                return False
            # No webhook endpoints exist, so every event counts as delivered (pending_webhooks == 0).
            return delivered is None or delivered

        return self.list_page(params, predicate, source=self._by_type(params))

    def _by_type(self, params: dict) -> SortedRecords | None:
        """The events of the exact type(s) asked for, from the type index (no scan of every event)."""
        if "type" in params and isinstance(params["type"], str) and "*" not in params["type"]:
            wanted = [params["type"]]
        elif "types" in params and not isinstance(params["types"], str):
            wanted = [t for t in as_list(params["types"], "types") if isinstance(t, str)]
            if not wanted or len(wanted) > MAX_TYPES:
                return None
        else:
            return None
        buckets = [self.state.store.indexed(EVENT_TYPE, "type", t) for t in dict.fromkeys(wanted)]
        return buckets[0] if len(buckets) == 1 else SortedRecords.merged(buckets)


def _type_matcher(params: dict):
    if "type" in params:
        pattern = as_str(params["type"], "type")
        if "*" in pattern:
            escaped = pattern.replace("[", "[[]").replace("?", "[?]")
            return lambda event_type: fnmatch.fnmatchcase(event_type, escaped)
        return lambda event_type: event_type == pattern
    if "types" in params:
        types = [as_str(t, "types") for t in as_list(params["types"], "types")]
        if len(types) > MAX_TYPES:
            raise invalid_request(f"You may pass at most {MAX_TYPES} values in types.", param="types")
        wanted = set(types)
        return lambda event_type: event_type in wanted
    return lambda event_type: True
