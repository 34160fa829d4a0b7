"""The SuiteTalk SOAP endpoint: ``POST /services/NetSuitePort_<version>`` (2023_2 WSDL shapes).

Operations: ``add``, ``addList`` (<= 200 records), ``upsert``, ``upsertList`` (<= 100),
``update``, ``updateList`` (<= 100), ``get``, ``getList`` (<= 1000; by ``internalId`` or
``externalId`` plus ``type``), ``search`` and ``searchMoreWithId`` (``search.py``). Records go
through the same records engine as REST (``records.py`` maps the shapes), so the same data
loaded over REST or SOAP gives the same state. List operations process records in order; each
record gets its own ``writeResponse`` (partial success is normal); ``record_latency_ms``
applies per record.

Authentication: the ``tokenPassport`` header only (TBA, ``passport.py``); no passport, a bad
one, or an OAuth 2.0 bearer token -> ``InvalidCredentialsFault`` (code
``INVALID_LOGIN_CREDENTIALS``, "Invalid login attempt."). Governance: a slot from the account
pool REST uses; over the limit -> ``ExceededConcurrentRequestLimitFault`` (``WS_REQUEST_BLOCKED``,
"SuiteTalk concurrent request limit exceeded. Request blocked."). Other operations ->
``unexpectedErrorFault``. Faults are HTTP 500 ``text/xml``.
"""

from __future__ import annotations

import re
import sys
import time
import traceback

from lxml import etree

from sandbox_kit import Request, Response

from netsuite_sandbox import errors
from netsuite_sandbox.auth import AuthFailure, LoginAttempt
from netsuite_sandbox.soap import envelope, xml
from netsuite_sandbox.soap.passport import PassportVerifier
from netsuite_sandbox.soap.records import SOAP_TYPE, SoapRecordError, parse_record, replaced_lists, write_record
from netsuite_sandbox.soap.search import Searches

SOAP_PATH_RE = re.compile(r"^/services/NetSuitePort_(\d{4}_\d)$")
LIST_LIMITS = {"addList": 200, "upsertList": 100, "updateList": 100, "getList": 1000}
CONTENT_TYPE = "text/xml; charset=utf-8"


class SoapService:
    def __init__(self, app) -> None:
        self.app = app
        self.passports = PassportVerifier(app.account_id, app.credentials)
        self.searches = Searches()
        self.operations = {
            "add": self._add, "addList": self._add_list, "upsert": self._upsert, "upsertList": self._upsert_list,
            "update": self._update, "updateList": self._update_list, "get": self._get, "getList": self._get_list,
            "search": self._search, "searchMoreWithId": self._search_more,
        }

    @property
    def store(self):
        return self.app.store

    # --- the HTTP exchange -----------------------------------------------------------------
    def handle(self, request: Request) -> Response:
        version = SOAP_PATH_RE.match(request.path).group(1)
        names = xml.Names(version)
        if request.method != "POST":
            return self._fault(names, envelope.unexpected("SOAP requests are POSTed."))
        try:
            message = envelope.parse(request.body, version)
            if message.operation not in self.operations:
                raise envelope.unexpected(f"The sandbox does not support the operation {message.operation}.")
            self._authenticate(request, message)
            try:
                with self.app.governor.slot():
                    if self.app.latency_ms:
                        time.sleep(self.app.latency_ms / 1000)
                    payload = self.operations[message.operation](names, message)
            except errors.NetSuiteError as exc:
                if exc.status == 429:
                    raise envelope.concurrency_exceeded() from None
                raise envelope.unexpected(exc.detail) from None
            return Response(200, envelope.envelope(names, payload), {"Content-Type": CONTENT_TYPE})
        except envelope.SoapFault as fault:
            return self._fault(names, fault)
        except Exception as exc:  # a sandbox bug: an unexpected-error fault, trace on stderr
            traceback.print_exc(file=sys.stderr)
            return self._fault(names, envelope.unexpected(f"Sandbox internal error: {exc!r}"))

    def _fault(self, names: xml.Names, fault: envelope.SoapFault) -> Response:
        return Response(500, envelope.fault(names, fault), {"Content-Type": CONTENT_TYPE})

    def injected_fault(self, status: int, path: str = "/services/NetSuitePort_2023_2") -> Response:
        """The answer to an injected fault (``faults.py``) on the SOAP port."""
        match = SOAP_PATH_RE.match(path)
        names = xml.Names(match.group(1) if match else "2023_2")
        if status == 429:
            response = self._fault(names, envelope.concurrency_exceeded())
        else:
            response = self._fault(names, envelope.unexpected("An unexpected error occurred. (injected fault)"))
        response.status = status
        return response

    def _authenticate(self, request: Request, message: envelope.Request) -> None:
        try:
            if (request.header("authorization") or "").lower().startswith("bearer"):
                raise AuthFailure("OAuth 2.0 is not accepted by SOAP web services")
            principal = self.passports.verify(message.headers.get("tokenPassport"))
        except AuthFailure as failure:
            self.app.auth.record(LoginAttempt(time.time(), "soap-tba", failure.identity, False, failure.reason))
            raise envelope.invalid_credentials() from None
        self.app.auth.record(LoginAttempt(time.time(), "soap-tba", principal.consumer_key, True, "ok"))

    # --- writes ----------------------------------------------------------------------------
    def _records(self, message: envelope.Request, operation: str) -> list:
        records = [c for c in xml.children(message.body) if xml.local(c.tag) == "record"]
        limit = LIST_LIMITS.get(operation)
        if limit is not None and len(records) > limit:
            raise envelope.too_many_records(limit, operation)
        return records

    def _write(self, names: xml.Names, parent, element, how: str) -> None:
        if self.app.record_latency_ms:
            time.sleep(self.app.record_latency_ms / 1000)
        rest_type = external_id = internal_id = None
        try:
            rest_type, external_id, internal_id, body = parse_record(element)
            if how == "upsert":
                if not external_id:
                    raise errors.NetSuiteError(400, "USER_ERROR", "upsert needs the record's externalId attribute.")
                record, _ = self.store.upsert(rest_type, external_id, body, replace=replaced_lists(element))
            elif how == "add":
                if external_id:
                    body["externalId"] = external_id
                record = self.store.create(rest_type, body)
            else:
                key = internal_id or (f"eid:{external_id}" if external_id else None)
                if not key:
                    raise errors.NetSuiteError(400, "USER_ERROR", "update needs the record's internalId or externalId.")
                if external_id and internal_id:
                    body["externalId"] = external_id
                record = self.store.update(rest_type, key, body, replace=replaced_lists(element))
            envelope.write_response(parent, names, rest_type, str(record.id), record.external_id)
        except SoapRecordError as exc:
            envelope.write_response(parent, names, exc.rest_type, exc.internal_id, exc.external_id, exc.error)
        except errors.NetSuiteError as exc:
            envelope.write_response(parent, names, rest_type, internal_id, external_id, exc)

    def _single(self, names, message, how: str, response: str):
        records = self._records(message, how)
        payload = etree.Element(names.q("messages", response))
        if len(records) != 1:
            raise envelope.unexpected(f"{how} takes exactly one record.")
        self._write(names, payload, records[0], how)
        return payload

    def _list(self, names, message, operation: str, how: str, response: str):
        records = self._records(message, operation)
        payload = etree.Element(names.q("messages", response))
        holder = xml.sub(payload, names.q("messages", "writeResponseList"))
        for element in records:
            self._write(names, holder, element, how)
        return payload

    def _add(self, names, message):
        return self._single(names, message, "add", "addResponse")

    def _upsert(self, names, message):
        return self._single(names, message, "upsert", "upsertResponse")

    def _update(self, names, message):
        return self._single(names, message, "update", "updateResponse")

    def _add_list(self, names, message):
        return self._list(names, message, "addList", "add", "addListResponse")

    def _upsert_list(self, names, message):
        return self._list(names, message, "upsertList", "upsert", "upsertListResponse")

    def _update_list(self, names, message):
        return self._list(names, message, "updateList", "update", "updateListResponse")

    # --- reads -----------------------------------------------------------------------------
    def _read(self, names: xml.Names, parent, ref) -> None:
        holder = xml.sub(parent, names.q("messages", "readResponse"))
        rest_type = ref.get("type")
        try:
            if rest_type not in SOAP_TYPE:
                raise errors.NetSuiteError(400, "INVALID_RCRD_TYPE",
                                           f"The sandbox cannot get records of type {rest_type or '(none)'}.")
            if ref.get("internalId"):
                key = ref.get("internalId")
            elif ref.get("externalId"):
                key = f"eid:{ref.get('externalId')}"
            else:
                raise errors.NetSuiteError(400, "USER_ERROR", "A baseRef needs an internalId or an externalId.")
            record = self.store.find(rest_type, key)
            if record is None:
                raise errors.NetSuiteError(404, "RCRD_DSNT_EXIST", "That record does not exist.")
        except errors.NetSuiteError as exc:
            envelope.status(holder, names, exc)
            return
        envelope.status(holder, names)
        write_record(holder, names.q("messages", "record"), names, self.store, record)

    def _get(self, names, message):
        payload = etree.Element(names.q("messages", "getResponse"))
        ref = xml.child(message.body, "baseRef")
        if ref is None:
            raise envelope.unexpected("get needs a baseRef.")
        self._read(names, payload, ref)
        return payload

    def _get_list(self, names, message):
        refs = [c for c in xml.children(message.body) if xml.local(c.tag) == "baseRef"]
        if len(refs) > LIST_LIMITS["getList"]:
            raise envelope.too_many_records(LIST_LIMITS["getList"], "getList")
        payload = etree.Element(names.q("messages", "getListResponse"))
        holder = xml.sub(payload, names.q("messages", "readResponseList"))
        for ref in refs:
            if self.app.record_latency_ms:
                time.sleep(self.app.record_latency_ms / 1000)
            self._read(names, holder, ref)
        return payload

    # --- search ----------------------------------------------------------------------------
    def _preferences(self, message) -> tuple[int, bool]:
        prefs = message.headers.get("searchPreferences")
        size = xml.text(xml.child(prefs, "pageSize")) if prefs is not None else None
        body_only = xml.text(xml.child(prefs, "bodyFieldsOnly")) if prefs is not None else None
        return (int(size) if size and size.isdigit() else 0), body_only not in ("false", "0")

    def _search(self, names, message):
        payload = etree.Element(names.q("messages", "searchResponse"))
        record = xml.child(message.body, "searchRecord")
        page_size, body_only = self._preferences(message)
        try:
            search_id, found = self.searches.run(self.store, record, page_size, body_only)
        except errors.NetSuiteError as exc:
            result = xml.sub(payload, names.q("core", "searchResult"))
            envelope.status(result, names, exc)
            return payload
        self._page(names, payload, search_id, found, 1)
        return payload

    def _search_more(self, names, message):
        payload = etree.Element(names.q("messages", "searchMoreWithIdResponse"))
        search_id = xml.text(xml.child(message.body, "searchId")) or ""
        index = xml.text(xml.child(message.body, "pageIndex")) or ""
        try:
            found = self.searches.get(search_id)
            pages = max(1, -(-len(found.ids) // found.page_size))
            if not index.isdigit() or not 1 <= int(index) <= pages:
                raise errors.NetSuiteError(400, "INVALID_SEARCH_PAGE_INDEX",
                                           f"Page index {index} is out of range 1..{pages}.")
        except errors.NetSuiteError as exc:
            result = xml.sub(payload, names.q("core", "searchResult"))
            envelope.status(result, names, exc)
            return payload
        self._page(names, payload, search_id, found, int(index))
        return payload

    def _page(self, names, payload, search_id: str, found, index: int) -> None:
        result = xml.sub(payload, names.q("core", "searchResult"))
        envelope.status(result, names)
        total = len(found.ids)
        pages = -(-total // found.page_size)
        xml.sub(result, names.q("core", "totalRecords"), str(total))
        xml.sub(result, names.q("core", "pageSize"), str(found.page_size))
        xml.sub(result, names.q("core", "totalPages"), str(pages))
        xml.sub(result, names.q("core", "pageIndex"), str(index))
        xml.sub(result, names.q("core", "searchId"), search_id)
        holder = xml.sub(result, names.q("core", "recordList"))
        start = (index - 1) * found.page_size
        for rest_type, internal_id in found.ids[start:start + found.page_size]:
            record = self.store.find(rest_type, str(internal_id))
            if record is not None:
                write_record(holder, names.q("core", "record"), names, self.store, record,
                             body_fields_only=found.body_fields_only)

