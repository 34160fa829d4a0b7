"""NetSuite SOAP web services through zeep: upsertList (100 a request), getList, search by external ID.

Records come in neutral form (REST field names, which SOAP shares but for sublists) and are
converted by walking the WSDL's own types, so one converter serves every record type: a
``{"id"|"externalId": ...}`` becomes a ``RecordRef`` (or the internal ID where the schema wants a
``long``, as in ``applyList.apply.doc``), a REST sublist ``{"items": [...]}`` its SOAP list,
``custentity*``/``custbody*``/``custcol*`` fields a ``customFieldList``, Decimals exact strings.
Authentication is TBA (``tokenPassport`` on every request); NetSuite has no OAuth 2.0 for SOAP.

Sublists and ``replaceAll`` (Oracle, "Updating Sublists in SOAP Web Services",
https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_N3441570.html): on a keyed
sublist (``applyList``, key ``doc``) "replaceAll = TRUE: The existing sublist is replaced with the
sublist submitted ... Lines that do not match the newly submitted lines are removed", and "The
default value for the replaceAll attribute is TRUE"; "replaceAll = FALSE: Lines in the existing
sublist are selectively updated ... Lines that do not match the newly submitted lines are
preserved." The connector sends a credit memo's or payment's own line only, so its keyed lists
(``netsuite_rest.KEYED_SUBLISTS``: ``apply``) go ``replaceAll="false"``, as REST leaves them out of
``?replace=``: a re-write never drops an application it did not name, and a line with ``apply``
false still unapplies its document. Every other list (``itemList``...) goes ``replaceAll="true"``:
a re-written invoice has exactly the lines sent.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

import requests
from zeep import Client, Settings
from zeep.cache import InMemoryCache
from zeep.exceptions import Fault, TransportError
from zeep.transports import Transport
from zeep.xsd import ComplexType

from stripe_netsuite.hooks.netsuite_auth import TbaCredentials
from stripe_netsuite.hooks.netsuite_errors import (
    NetSuiteAuthError,
    NetSuiteError,
    NetSuiteTransientError,
    RecordError,
    unreachable,
)
from stripe_netsuite.hooks.netsuite_rest import KEYED_SUBLISTS
from stripe_netsuite.hooks.netsuite_retry import call_with_retries
from stripe_netsuite.hooks.netsuite_soap_countries import SOAP_COUNTRY
from stripe_netsuite.mapping.records import NeutralRecord

UPSERT_LIST_MAX = 100
GET_LIST_MAX = 1000
_PLATFORM_NS = re.compile(r"urn:platform_(\d{4}_\d)\.webservices\.netsuite\.com")

# REST record type -> (namespace template, SOAP type, RecordType enum value)
RECORD_TYPES = {
    "customer": ("urn:relationships_{v}.lists.webservices.netsuite.com", "Customer", "customer"),
    "invoice": ("urn:sales_{v}.transactions.webservices.netsuite.com", "Invoice", "invoice"),
    "creditMemo": ("urn:customers_{v}.transactions.webservices.netsuite.com", "CreditMemo", "creditMemo"),
    "customerPayment": ("urn:customers_{v}.transactions.webservices.netsuite.com", "CustomerPayment", "customerPayment"),
    "customerRefund": ("urn:customers_{v}.transactions.webservices.netsuite.com", "CustomerRefund", "customerRefund"),
    "deposit": ("urn:bank_{v}.transactions.webservices.netsuite.com", "Deposit", "deposit"),
    "journalEntry": ("urn:general_{v}.transactions.webservices.netsuite.com", "JournalEntry", "journalEntry"),
    "serviceSaleItem": ("urn:accounting_{v}.lists.webservices.netsuite.com", "ServiceSaleItem", "serviceSaleItem"),
    "discountItem": ("urn:accounting_{v}.lists.webservices.netsuite.com", "DiscountItem", "discountItem"),
}
# Search record and transaction-type filter per record type (TransactionSearchBasic.type values).
_SEARCH = {
    "customer": ("CustomerSearchBasic", None),
    "invoice": ("TransactionSearchBasic", "_invoice"),
    "creditMemo": ("TransactionSearchBasic", "_creditMemo"),
    "customerPayment": ("TransactionSearchBasic", "_customerPayment"),
    "customerRefund": ("TransactionSearchBasic", "_customerRefund"),
    "deposit": ("TransactionSearchBasic", "_deposit"),
    "journalEntry": ("TransactionSearchBasic", "_journal"),
    "serviceSaleItem": ("ItemSearchBasic", "_serviceItem"),
    "discountItem": ("ItemSearchBasic", "_discount"),
}
SEARCH_PAGE_SIZE = 1000

# REST sublist / subrecord names whose SOAP element is named differently.
SOAP_NAMES = {
    "item": "itemList", "apply": "applyList", "payment": "paymentList", "other": "otherList",
    "cashback": "cashBackList", "line": "lineList", "addressBook": "addressbookList",
    "addressBookAddress": "addressbookAddress",
}
# SOAP lists sent replaceAll="false" (merged by their key), the same sublists REST leaves out of ?replace=.
KEYED_LISTS = frozenset(SOAP_NAMES.get(name, name) for name in KEYED_SUBLISTS)
_CUSTOM_PREFIXES = ("custentity", "custbody", "custcol", "custitem")
# Faults worth retrying: the concurrency limit, and NetSuite's catch-all server error (as REST 5xx).
_TRANSIENT_MARKERS = ("WS_REQUEST_BLOCKED", "WS_CONCUR_SESSION_DISALLWD", "ExceededConcurrentRequestLimit",
                      "ExceededRequestLimit", "concurrent request limit", "UNEXPECTED_ERROR")
_AUTH_MARKERS = ("INVALID_LOGIN", "InvalidCredentialsFault", "Invalid login attempt")


def soap_endpoint(base_url: str, version: str) -> str:
    return f"{base_url.rstrip('/')}/services/NetSuitePort_{version}"


class SoapTransport:
    def __init__(
        self,
        wsdl: str,
        base_url: str,
        credentials: TbaCredentials,
        *,
        timeout: float = 120,
        max_attempts: int | None = None,
        max_backoff: float | None = None,
        session: requests.Session | None = None,
    ) -> None:
        self.credentials = credentials
        self.timeout = timeout
        self.max_attempts = max_attempts
        self.max_backoff = max_backoff
        transport = Transport(session=session or requests.Session(), timeout=timeout, operation_timeout=timeout,
                              cache=InMemoryCache())
        self.client = Client(wsdl, transport=transport, settings=Settings(strict=False, xml_huge_tree=True))
        binding = next(str(b) for b in self.client.wsdl.bindings if "NetSuiteBinding" in str(b))
        platform = _PLATFORM_NS.search(binding)
        if platform is None:
            raise NetSuiteError(f"the WSDL's NetSuite binding {binding} names no platform version "
                                "(urn:platform_YYYY_N.webservices.netsuite.com)")
        self.version = platform.group(1)
        self.endpoint = soap_endpoint(base_url, self.version)
        self.service = self.client.create_service(binding, self.endpoint)
        self._core = f"urn:core_{self.version}.platform.webservices.netsuite.com"
        self._messages = f"urn:messages_{self.version}.platform.webservices.netsuite.com"

    # -- types ------------------------------------------------------------------------------

    def _type(self, namespace: str, name: str):
        return self.client.get_type(f"{{{namespace}}}{name}")

    def record_ref(self, ref: dict[str, Any], record_type: str | None = None):
        kwargs = {}
        if ref.get("id") is not None:
            kwargs["internalId"] = str(ref["id"])
        if ref.get("externalId") is not None:
            kwargs["externalId"] = str(ref["externalId"])
        if record_type:
            kwargs["type"] = record_type
        return self._type(self._core, "RecordRef")(**kwargs)

    def to_soap(self, record: NeutralRecord):
        if record.record_type not in RECORD_TYPES:
            raise NetSuiteError(f"the SOAP transport does not know record type {record.record_type!r}")
        namespace, soap_type, _ = RECORD_TYPES[record.record_type]
        xsd_type = self._type(namespace.format(v=self.version), soap_type)
        values = self._complex(xsd_type, record.fields, where=record.external_id)
        return xsd_type(externalId=record.external_id, **values)

    def _complex(self, xsd_type, fields: dict[str, Any], where: str) -> dict[str, Any]:
        elements = dict(xsd_type.elements)
        values: dict[str, Any] = {}
        custom: list[Any] = []
        for name, value in fields.items():
            if value is None:
                continue
            if name.startswith(_CUSTOM_PREFIXES):
                custom.append(self._custom_field(name, value))
                continue
            soap_name = name if name in elements else SOAP_NAMES.get(name, name)
            element = elements.get(soap_name)
            if element is None:
                raise NetSuiteError(f"{where}: field {name!r} has no SOAP counterpart on {xsd_type.name}")
            values[soap_name] = self._value(element.type, value, f"{where}.{name}",
                                            replace_all=soap_name not in KEYED_LISTS)
        if custom:
            values["customFieldList"] = self._type(self._core, "CustomFieldList")(customField=custom)
        return values

    def _value(self, xsd_type, value: Any, where: str, *, replace_all: bool = True) -> Any:
        type_name = getattr(xsd_type, "name", "") or ""
        if type_name == "RecordRef" and isinstance(value, dict):
            return self.record_ref(value)
        if isinstance(value, dict) and "items" in value and isinstance(xsd_type, ComplexType):
            ((item_name, item_element),) = [(n, e) for n, e in xsd_type.elements]
            items = [self._complex(item_element.type, item, where) for item in value["items"]]
            return xsd_type(**{item_name: [item_element.type(**i) for i in items]}, replaceAll=replace_all)
        if isinstance(value, dict) and isinstance(xsd_type, ComplexType):
            return xsd_type(**self._complex(xsd_type, value, where))
        if isinstance(value, dict) and "id" in value:  # a long internal ID, e.g. applyList.apply.doc
            return int(value["id"])
        if type_name == "Country":
            return SOAP_COUNTRY.get(str(value).upper(), value)
        if isinstance(value, Decimal):
            return f"{value:f}"
        if type_name == "dateTime" and isinstance(value, str) and len(value) == 10:
            return dt.datetime.fromisoformat(value)
        return value

    def _custom_field(self, script_id: str, value: Any):
        if isinstance(value, bool):
            return self._type(self._core, "BooleanCustomFieldRef")(scriptId=script_id, value=value)
        if isinstance(value, dict):
            return self._type(self._core, "SelectCustomFieldRef")(scriptId=script_id, value=self._list_or_record_ref(value))
        return self._type(self._core, "StringCustomFieldRef")(scriptId=script_id, value=str(value))

    def _list_or_record_ref(self, value: dict[str, Any]):
        return self._type(self._core, "ListOrRecordRef")(internalId=value.get("id"), externalId=value.get("externalId"))

    # -- calls ------------------------------------------------------------------------------

    def _passport(self):
        fields = self.credentials.token_passport()
        signature = self._type(self._core, "TokenPassportSignature")(fields.pop("signature"), algorithm="HMAC-SHA256")
        return self._type(self._core, "TokenPassport")(signature=signature, **fields)

    def _call_once(self, operation: str, headers: dict | None = None, **kwargs):
        try:
            return getattr(self.service, operation)(
                _soapheaders={"tokenPassport": self._passport(), **(headers or {})}, **kwargs
            )
        except Fault as fault:
            text = f"{fault.message} {fault.code} {_detail_text(fault)}"
            if any(marker in text for marker in _TRANSIENT_MARKERS):
                raise NetSuiteTransientError(f"NetSuite SOAP {operation} failed: {fault.message}") from None
            if any(marker in text for marker in _AUTH_MARKERS):
                raise NetSuiteAuthError(
                    f"NetSuite refused the SOAP token passport ({fault.message}); check the token, consumer and "
                    "account ID in the Airflow connection and the Login Audit Trail in NetSuite"
                ) from None
            raise NetSuiteError(f"NetSuite SOAP {operation} failed: {fault.message}") from None
        except TransportError as exc:
            if exc.status_code >= 500 or exc.status_code == 429:
                raise NetSuiteTransientError(f"NetSuite SOAP {operation} answered HTTP {exc.status_code}") from None
            raise NetSuiteError(f"NetSuite SOAP {operation} answered HTTP {exc.status_code}") from None
        except (requests.Timeout, requests.ConnectionError) as exc:
            raise unreachable(exc, f"SOAP {operation}", self.timeout) from None

    def call(self, operation: str, headers: dict | None = None, **kwargs):
        """The operation, retried on transient faults (each retry a WARNING; see ``netsuite_retry``)."""
        return call_with_retries(lambda: self._call_once(operation, headers, **kwargs),
                                 max_attempts=self.max_attempts, max_backoff=self.max_backoff)

    def upsert_list(self, records: Sequence[NeutralRecord]) -> tuple[dict[str, str], list[RecordError]]:
        id_map: dict[str, str] = {}
        errors: list[RecordError] = []
        for start in range(0, len(records), UPSERT_LIST_MAX):
            chunk = list(records[start : start + UPSERT_LIST_MAX])
            converted, sendable = [], []
            for record in chunk:
                try:
                    converted.append(self.to_soap(record))
                    sendable.append(record)
                except NetSuiteError as exc:
                    errors.append(RecordError(record.record_type, record.external_id, "UNMAPPABLE", str(exc), record.source_id))
            if not converted:
                continue
            response = self.call("upsertList", record=converted)
            for record, write in zip(sendable, _write_responses(response)):
                status = write["status"]
                if status["isSuccess"]:
                    id_map[record.external_id] = str(write["baseRef"]["internalId"])
                else:
                    details = status["statusDetail"] or []
                    code = details[0]["code"] if details else "UNKNOWN"
                    message = "; ".join(str(d["message"]) for d in details) or "rejected without details"
                    errors.append(RecordError(record.record_type, record.external_id, str(code), message, record.source_id))
        return id_map, errors

    def get_list(self, record_type: str, external_ids: Iterable[str]) -> dict[str, str]:
        """External ID -> internal ID for those that exist."""
        _, _, enum = RECORD_TYPES[record_type]
        wanted = sorted(set(external_ids))
        found: dict[str, str] = {}
        for start in range(0, len(wanted), GET_LIST_MAX):
            refs = [self.record_ref({"externalId": x}, enum) for x in wanted[start : start + GET_LIST_MAX]]
            response = self.call("getList", baseRef=refs)
            for read in _read_responses(response):
                if read["status"]["isSuccess"] and read["record"] is not None:
                    found[str(read["record"]["externalId"])] = str(read["record"]["internalId"])
        return found


    def search_record(self, record_type: str, external_id_prefix: str):
        """The SearchRecord for ``record_type`` whose external ID starts with the prefix."""
        search_type, type_filter = _SEARCH[record_type]
        common = f"urn:common_{self.version}.platform.webservices.netsuite.com"
        fields: dict[str, Any] = {
            "externalIdString": self._type(self._core, "SearchStringField")(
                searchValue=external_id_prefix, operator="startsWith"
            )
        }
        if type_filter:
            fields["type"] = self._type(self._core, "SearchEnumMultiSelectField")(searchValue=[type_filter], operator="anyOf")
        return self._type(common, search_type)(**fields)

    def search_external_ids(self, record_type: str, external_id_prefix: str) -> dict[str, str]:
        """External ID -> internal ID of every ``record_type`` whose external ID starts with the prefix."""
        preferences = {"searchPreferences": {"bodyFieldsOnly": True, "pageSize": SEARCH_PAGE_SIZE}}
        result = _body(self.call("search", preferences, searchRecord=self.search_record(record_type, external_id_prefix)))
        result = result["searchResult"]
        found: dict[str, str] = {}
        page = 1
        while True:
            if not result["status"]["isSuccess"]:
                details = result["status"]["statusDetail"] or []
                raise NetSuiteError(f"NetSuite SOAP search failed: {'; '.join(str(d['message']) for d in details)}")
            records = result["recordList"]["record"] if result["recordList"] is not None else []
            for record in records or []:
                found[str(record["externalId"])] = str(record["internalId"])
            if page >= int(result["totalPages"] or 1):
                return found
            page += 1
            result = _body(self.call("searchMoreWithId", preferences, searchId=result["searchId"], pageIndex=page))["searchResult"]


def _body(response):
    return getattr(response, "body", response)


def _write_responses(response) -> list:
    body = _body(response)
    write_list = body["writeResponseList"]
    return list(write_list["writeResponse"])


def _read_responses(response) -> list:
    body = _body(response)
    return list(body["readResponseList"]["readResponse"])


def _detail_text(fault: Fault) -> str:
    detail = getattr(fault, "detail", None)
    if detail is None:
        return ""
    from lxml import etree

    try:
        return etree.tostring(detail, encoding="unicode")
    except TypeError:
        return str(detail)
