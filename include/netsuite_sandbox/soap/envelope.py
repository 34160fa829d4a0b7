"""SOAP envelopes the sandbox reads and writes: requests, responses, statuses, faults.

Responses carry a ``platformMsgs:documentInfo`` header and the operation's response element,
shaped by ``platform.messages.xsd``. Faults are SOAP 1.1 ``soapenv:Fault`` (HTTP 500) with
``faultcode`` ``soapenv:Server.userException``, the message as ``faultstring`` and the
WSDL's fault element in ``detail`` (``platformFaults:invalidCredentialsFault`` ... with
``code`` from ``FaultCodeType`` and ``message``).
"""

from __future__ import annotations

import itertools
import secrets
from dataclasses import dataclass

from lxml import etree

from netsuite_sandbox import errors
from netsuite_sandbox.soap import xml

# REST error codes -> SOAP StatusDetailCodeType values where they differ (others are the same).
STATUS_CODE = {
    "INVALID_FIELD": "INVALID_FLD",
    "NONEXISTENT_ID": "RCRD_DSNT_EXIST",
    "METHOD_NOT_ALLOWED": "INSUFFICIENT_PERMISSION",
    "INVALID_CONTENT": "INVALID_FLD_VALUE",
    "INVALID_HEADER": "USER_ERROR",
    "INVALID_PARAMETER": "USER_ERROR",
    "CONCURRENCY_LIMIT_EXCEEDED": "WS_REQUEST_BLOCKED",
}
# Every code the sandbox puts in a statusDetail (checked against the XSD by the tests).
STATUS_CODES = frozenset({
    "DUP_ENTITY", "DUP_ITEM", "DUP_RCRD", "INSUFFICIENT_PERMISSION", "INVALID_FLD", "INVALID_FLD_VALUE",
    "INVALID_ID", "INVALID_KEY_OR_REF", "INVALID_RCRD_TYPE", "INVALID_SEARCH", "INVALID_SEARCH_MORE",
    "INVALID_SEARCH_PAGE_INDEX", "JE_AMOUNTS_MUST_BALANCE", "RCRD_DSNT_EXIST", "UNEXPECTED_ERROR", "USER_ERROR",
    "WS_REQUEST_BLOCKED",
})
_doc_ids = itertools.count(1)


class SoapFault(Exception):
    """A fault the whole request ends with (bad passport, concurrency, unsupported operation)."""

    def __init__(self, element: str, code: str, message: str, faultcode: str = "soapenv:Server.userException") -> None:
        super().__init__(message)
        self.element, self.code, self.message, self.faultcode = element, code, message, faultcode


def invalid_credentials() -> SoapFault:
    return SoapFault("invalidCredentialsFault", "INVALID_LOGIN_CREDENTIALS", "Invalid login attempt.")


def concurrency_exceeded() -> SoapFault:
    return SoapFault("exceededConcurrentRequestLimitFault", "WS_REQUEST_BLOCKED",
                     "SuiteTalk concurrent request limit exceeded. Request blocked.")


def unexpected(message: str) -> SoapFault:
    return SoapFault("unexpectedErrorFault", "UNEXPECTED_ERROR", message)


def too_many_records(limit: int, operation: str) -> SoapFault:
    return SoapFault("exceededRecordCountFault", "MAX_RCRDS_EXCEEDED",
                     f"{operation} accepts at most {limit} records per request.")


@dataclass
class Request:
    version: str
    operation: str
    body: etree._Element
    headers: dict[str, etree._Element]


def parse(raw: bytes, version: str) -> Request:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True, remove_blank_text=True)
    try:
        root = etree.fromstring(raw, parser)
    except etree.XMLSyntaxError as exc:
        raise SoapFault("unexpectedErrorFault", "UNEXPECTED_ERROR", f"The request is not well-formed XML: {exc}",
                        "soapenv:Client") from None
    if root.tag != f"{{{xml.SOAP_ENV}}}Envelope":
        raise SoapFault("unexpectedErrorFault", "UNEXPECTED_ERROR", "The request is not a SOAP 1.1 envelope.",
                        "soapenv:Client")
    header = root.find(f"{{{xml.SOAP_ENV}}}Header")
    body = root.find(f"{{{xml.SOAP_ENV}}}Body")
    operations = xml.children(body) if body is not None else []
    if len(operations) != 1:
        raise SoapFault("unexpectedErrorFault", "UNEXPECTED_ERROR", "The SOAP body must hold one operation.",
                        "soapenv:Client")
    operation = operations[0]
    names = xml.Names(version)
    if xml.namespace(operation.tag) != names.uri["messages"]:
        raise SoapFault("invalidVersionFault", "INVALID_WS_VERSION",
                        f"The operation's namespace {xml.namespace(operation.tag)} does not match the "
                        f"{version} endpoint.")
    headers = {xml.local(h.tag): h for h in (xml.children(header) if header is not None else [])}
    return Request(version, xml.local(operation.tag), operation, headers)


def envelope(names: xml.Names, payload: etree._Element) -> bytes:
    root = etree.Element(f"{{{xml.SOAP_ENV}}}Envelope", nsmap=names.nsmap)
    header = xml.sub(root, f"{{{xml.SOAP_ENV}}}Header")
    info = xml.sub(header, names.q("messages", "documentInfo"))
    xml.sub(info, names.q("messages", "nsId"), f"WEBSERVICES_SANDBOX_{next(_doc_ids)}_{secrets.token_hex(6)}")
    body = xml.sub(root, f"{{{xml.SOAP_ENV}}}Body")
    body.append(payload)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def fault(names: xml.Names, f: SoapFault) -> bytes:
    root = etree.Element(f"{{{xml.SOAP_ENV}}}Envelope", nsmap=names.nsmap)
    body = xml.sub(root, f"{{{xml.SOAP_ENV}}}Body")
    element = xml.sub(body, f"{{{xml.SOAP_ENV}}}Fault")
    xml.sub(element, "faultcode", f.faultcode)
    xml.sub(element, "faultstring", f.message)
    detail = xml.sub(element, "detail")
    inner = xml.sub(detail, names.q("faults", f.element))
    xml.sub(inner, names.q("faults", "code"), f.code)
    xml.sub(inner, names.q("faults", "message"), f.message)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def status(parent, names: xml.Names, error: errors.NetSuiteError | None = None):
    element = xml.sub(parent, names.q("core", "status"), isSuccess="false" if error else "true")
    if error is not None:
        detail = xml.sub(element, names.q("core", "statusDetail"), type="ERROR")
        code = STATUS_CODE.get(error.code, error.code)
        xml.sub(detail, names.q("core", "code"), code if code in STATUS_CODES else "UNEXPECTED_ERROR")
        xml.sub(detail, names.q("core", "message"), error.detail)
    return element


def base_ref(parent, names: xml.Names, tag: str, rest_type: str | None, internal_id: str | None,
             external_id: str | None):
    element = xml.sub(parent, tag, internalId=internal_id, externalId=external_id, type=rest_type)
    element.set(f"{{{xml.XSI}}}type", names.xsi_type("core", "RecordRef"))
    return element


def write_response(parent, names: xml.Names, rest_type: str | None, internal_id: str | None,
                   external_id: str | None, error: errors.NetSuiteError | None = None):
    element = xml.sub(parent, names.q("messages", "writeResponse"))
    status(element, names, error)
    if rest_type or internal_id or external_id:
        base_ref(element, names, names.q("messages", "baseRef"), rest_type, internal_id, external_id)
    return element
