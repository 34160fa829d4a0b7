"""Account setup an administrator changes in the UI: enabling or disabling a currency or account.

Control endpoint (sandbox only, no authentication, never under ``/services/``):
``POST /_sandbox/reference/{currency|account}/{id}`` with a JSON object of the fields to change
(``{"isInactive": false}``) -> ``200`` and the record as ``GET .../record/v1/{type}/{id}`` shows
it. Other fields, types or bodies -> 400 in NetSuite's error shape; an unknown id -> 404. The
same records stay read-only over the REST record API, as the connector's role sees them.
"""

from __future__ import annotations

from typing import Any

from sandbox_kit import Request, Response

from netsuite_sandbox import errors, jsonio
from netsuite_sandbox.records import RecordStore
from netsuite_sandbox.records.serialize import record_json
from netsuite_sandbox.rest import base_url

# record type -> the fields an administrator may change through the control endpoint
SETTABLE_FIELDS = {
    "currency": ("isInactive",),
    "account": ("isInactive",),
}


class ReferenceSettings:
    def __init__(self, store: RecordStore) -> None:
        self.store = store

    def routes(self) -> list[tuple[str, str, Any]]:
        return [("POST", r"/_sandbox/reference/(?P<type>[^/]+)/(?P<id>[^/]+)", self.change)]

    def change(self, request: Request) -> Response:
        type_name, internal_id = request.path_params["type"], request.path_params["id"]
        settable = SETTABLE_FIELDS.get(type_name)
        if settable is None:
            raise errors.invalid_content(
                f"Only {', '.join(SETTABLE_FIELDS)} can be changed here, not '{type_name}'.")
        body = jsonio.loads(request.body)
        if not isinstance(body, dict) or not body:
            raise errors.invalid_content('Send a JSON object of the fields to change, such as {"isInactive": false}.')
        for name in body:
            if name not in settable:
                raise errors.invalid_field(name, f"'{name}' cannot be changed on {type_name}; only {', '.join(settable)}.")
        if not internal_id.isdigit():
            raise errors.nonexistent_id()
        record = self.store.administer(type_name, internal_id, body)
        rtype = self.store.record_type(type_name)
        return jsonio.response(record_json(self.store, rtype, record, base_url(request), expand=True))
