"""The REST endpoints: record API (``/services/rest/record/v1``) and SuiteQL (``/query/v1``).

Handlers only translate HTTP to store calls and back; rules live in the records package.

* ``GET    /record/v1/{type}?limit&offset``        ids and links, paged
* ``POST   /record/v1/{type}``                      create -> 204 + Location
  (with ``Content-Type: ...; type=collection``: batch add, see ``batch.py``)
* ``PUT    /record/v1/{type}``                      batch upsert (``batch.py``) -> 202 + job Location
* ``GET    /record/v1/{type}/{id|eid:X}``           the record (``expandSubResources=true``)
* ``PUT    /record/v1/{type}/eid:X``                upsert -> 204 + Location
* ``PATCH  /record/v1/{type}/{id|eid:X}``           update -> 204 + Location
  (upsert and update of an existing record: sent sublists merge into the stored lines, those
  named in ``?replace=a,b`` replace them; ``records.engine.merge_sublist``)
* ``DELETE /record/v1/{type}/{id|eid:X}``           204
* ``GET    /record/v1/{type}/{id|eid:X}/{sublist}`` one sublist, expanded
* ``POST   /query/v1/suiteql?limit&offset``         SuiteQL, header ``Prefer: transient``
"""

from __future__ import annotations

from urllib.parse import unquote, urlencode, urlsplit

from sandbox_kit import Request, Response

from netsuite_sandbox import errors, jsonio
from netsuite_sandbox.records import RecordStore
from netsuite_sandbox.records.registry import SUBLIST
from netsuite_sandbox.records.serialize import record_href, record_json, sublist_json
from netsuite_sandbox.suiteql import SuiteQL

REST = "/services/rest"
_TYPE = r"(?P<type>[A-Za-z][A-Za-z0-9_]*)"
_KEY = r"(?P<key>[^/]+)"
MAX_PAGE = 1000


def base_url(request: Request) -> str:
    parts = urlsplit(request.url)
    return f"{parts.scheme}://{parts.netloc}"


def _param(request: Request, name: str) -> str | None:
    for key, value in request.query:
        if key == name:
            return value
    return None


def _true(request: Request, name: str) -> bool:
    return (_param(request, name) or "").lower() == "true"


def _lenient(request: Request) -> bool:
    """``X-NetSuite-PropertyNameValidation: Warning|Ignore`` drops unknown fields instead of failing."""
    return (request.header("x-netsuite-propertynamevalidation") or "error").lower() in ("warning", "ignore")


def replace_param(request: Request, store: RecordStore, type_name: str) -> frozenset[str]:
    """``replace=item,apply``: the sublists an update replaces instead of merging (Oracle,
    "Working with Sublists"). Unknown names -> 400 ``INVALID_PARAMETER``."""
    names = [name.strip() for name in (_param(request, "replace") or "").split(",")]
    return store.check_replace(type_name, [name for name in names if name])


def paging(request: Request) -> tuple[int, int]:
    """``limit`` 1..1000 (default 1000) and ``offset`` >= 0, a multiple of ``limit``."""
    raw_limit, raw_offset = _param(request, "limit"), _param(request, "offset")
    try:
        limit = MAX_PAGE if raw_limit in (None, "") else int(raw_limit)
    except ValueError:
        limit = -1
    if not 1 <= limit <= MAX_PAGE:
        raise errors.invalid_parameter("limit", f"Invalid value for the limit query parameter: {raw_limit}. Use a number from 1 to {MAX_PAGE}.")
    try:
        offset = 0 if raw_offset in (None, "") else int(raw_offset)
    except ValueError:
        offset = -1
    if offset < 0:
        raise errors.invalid_parameter("offset", f"Invalid value for the offset query parameter: {raw_offset}.")
    if offset % limit:
        raise errors.invalid_parameter(
            "offset", f"Invalid value for the offset query parameter: {offset}. The offset must be a multiple of the limit ({limit})."
        )
    return limit, offset


def page_links(url: str, limit: int, offset: int, total: int) -> list[dict[str, str]]:
    def href(at: int) -> str:
        return f"{url}?{urlencode({'limit': limit, 'offset': at})}"

    last = max(0, (total - 1) // limit * limit) if total else 0
    links = []
    if offset > 0:
        links.append({"rel": "first", "href": href(0)})
        links.append({"rel": "previous", "href": href(max(0, offset - limit))})
    if offset + limit < total:
        links.append({"rel": "next", "href": href(offset + limit)})
    links.append({"rel": "last", "href": href(last)})
    links.append({"rel": "self", "href": href(offset)})
    return links


class RestApi:
    def __init__(self, store: RecordStore, suiteql: SuiteQL, batch=None) -> None:
        self.store = store
        self.suiteql = suiteql
        self.batch = batch

    def routes(self) -> list[tuple[str, str, object]]:
        record = f"{REST}/record/v1/{_TYPE}"
        return [
            ("POST", f"{REST}/query/v1/suiteql", self.query),
            ("GET", record, self.list),
            ("POST", record, self.create),
            ("PUT", record, self.batch_upsert),
            ("GET", f"{record}/{_KEY}", self.get),
            ("PUT", f"{record}/{_KEY}", self.upsert),
            ("PATCH", f"{record}/{_KEY}", self.update),
            ("DELETE", f"{record}/{_KEY}", self.delete),
            ("GET", f"{record}/{_KEY}/(?P<sublist>[A-Za-z][A-Za-z0-9_]*)", self.get_sublist),
        ]

    # --- records ---------------------------------------------------------------------------
    def _written(self, request: Request, type_name: str, internal_id: int) -> Response:
        return Response(204, b"", {"Location": record_href(base_url(request), type_name, internal_id)})

    def list(self, request: Request) -> Response:
        rtype = self.store.record_type(request.path_params["type"])
        limit, offset = paging(request)
        ids, total = self.store.list_ids(rtype.name, limit, offset)
        base = base_url(request)
        items = [{"links": [{"rel": "self", "href": record_href(base, rtype.name, i)}], "id": str(i)} for i in ids]
        return jsonio.response({
            "links": page_links(f"{base}{REST}/record/v1/{rtype.name}", limit, offset, total),
            "count": len(items), "hasMore": offset + len(items) < total, "items": items,
            "offset": offset, "totalResults": total,
        })

    def get(self, request: Request) -> Response:
        rtype = self.store.record_type(request.path_params["type"])
        record = self.store.get(rtype.name, unquote(request.path_params["key"]))
        return jsonio.response(
            record_json(self.store, rtype, record, base_url(request), expand=_true(request, "expandSubResources"))
        )

    def get_sublist(self, request: Request) -> Response:
        rtype = self.store.record_type(request.path_params["type"])
        record = self.store.get(rtype.name, unquote(request.path_params["key"]))
        name = request.path_params["sublist"]
        spec = rtype.fields.get(name)
        if spec is None or spec.kind != SUBLIST:
            raise errors.no_route(request.method, request.path)
        href = f"{record_href(base_url(request), rtype.name, record.id)}/{name}"
        value = record.body.get(name, {"items": []})
        return jsonio.response(sublist_json(self.store, spec, value, href, base_url(request), expand=True))

    def batch_upsert(self, request: Request) -> Response:
        rtype = self.store.record_type(request.path_params["type"])
        if self.batch is None:
            raise errors.operation_not_allowed("Batch operations are not enabled.")
        return self.batch.submit(
            request, rtype.name, "upsert", _lenient(request), replace=replace_param(request, self.store, rtype.name)
        )

    def create(self, request: Request) -> Response:
        rtype = self.store.record_type(request.path_params["type"])
        if self.batch is not None and self.batch.is_batch(request):
            return self.batch.submit(request, rtype.name, "add", _lenient(request))
        record = self.store.create(rtype.name, jsonio.loads(request.body), lenient_names=_lenient(request))
        return self._written(request, rtype.name, record.id)

    def upsert(self, request: Request) -> Response:
        rtype = self.store.record_type(request.path_params["type"])
        key = unquote(request.path_params["key"])
        if not key.startswith("eid:"):
            raise errors.operation_not_allowed(
                "The upsert operation (PUT) is supported only with an external ID in the request URL: "
                f"PUT {REST}/record/v1/{rtype.name}/eid:<externalId>. Use PATCH to update by internal ID."
            )
        _, external_id = self.store.parse_key(key)
        record, _created = self.store.upsert(
            rtype.name, str(external_id), jsonio.loads(request.body), lenient_names=_lenient(request),
            replace=replace_param(request, self.store, rtype.name),
        )
        return self._written(request, rtype.name, record.id)

    def update(self, request: Request) -> Response:
        rtype = self.store.record_type(request.path_params["type"])
        record = self.store.update(
            rtype.name, unquote(request.path_params["key"]), jsonio.loads(request.body), lenient_names=_lenient(request),
            replace=replace_param(request, self.store, rtype.name),
        )
        return self._written(request, rtype.name, record.id)

    def delete(self, request: Request) -> Response:
        rtype = self.store.record_type(request.path_params["type"])
        self.store.delete(rtype.name, unquote(request.path_params["key"]))
        return Response(204, b"", {})

    # --- SuiteQL ---------------------------------------------------------------------------
    def query(self, request: Request) -> Response:
        prefer = [p.strip().lower() for p in (request.header("prefer") or "").split(",")]
        if "transient" not in prefer:
            raise errors.invalid_header(
                "Prefer", "SuiteQL queries require the request header 'Prefer: transient'."
            )
        limit, offset = paging(request)
        body = jsonio.loads(request.body)
        if not isinstance(body, dict) or not isinstance(body.get("q"), str):
            raise errors.invalid_content('The request body must be a JSON object {"q": "SELECT ..."}.')
        items, total = self.suiteql.page(body["q"], limit, offset)
        url = f"{base_url(request)}{REST}/query/v1/suiteql"
        return jsonio.response({
            "links": page_links(url, limit, offset, total),
            "count": len(items),
            "hasMore": offset + len(items) < total,
            "items": [{"links": [], **item} for item in items],
            "offset": offset,
            "totalResults": total,
        })
