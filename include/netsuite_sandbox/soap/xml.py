"""Namespaces of the SuiteTalk SOAP messages and small lxml helpers.

Every namespace carries the endpoint version (``urn:core_2023_2.platform.webservices.netsuite.com``);
the sandbox answers in the version of the port the client called (``NetSuitePort_2023_2``).
"""

from __future__ import annotations

from typing import Any

from lxml import etree

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
XSD = "http://www.w3.org/2001/XMLSchema"

URNS = {
    "core": "urn:core_{v}.platform.webservices.netsuite.com",
    "coreTypes": "urn:types.core_{v}.platform.webservices.netsuite.com",
    "common": "urn:common_{v}.platform.webservices.netsuite.com",
    "commonTypes": "urn:types.common_{v}.platform.webservices.netsuite.com",
    "messages": "urn:messages_{v}.platform.webservices.netsuite.com",
    "faults": "urn:faults_{v}.platform.webservices.netsuite.com",
    "relationships": "urn:relationships_{v}.lists.webservices.netsuite.com",
    "accounting": "urn:accounting_{v}.lists.webservices.netsuite.com",
    "sales": "urn:sales_{v}.transactions.webservices.netsuite.com",
    "customers": "urn:customers_{v}.transactions.webservices.netsuite.com",
    "bank": "urn:bank_{v}.transactions.webservices.netsuite.com",
    "general": "urn:general_{v}.transactions.webservices.netsuite.com",
}
PREFIX = {
    "core": "platformCore", "coreTypes": "platformCoreTyp", "common": "platformCommon",
    "commonTypes": "platformCommonTyp", "messages": "platformMsgs", "faults": "platformFaults",
    "relationships": "listRel", "accounting": "listAcct", "sales": "tranSales", "customers": "tranCust",
    "bank": "tranBank", "general": "tranGeneral",
}


class Names:
    """Qualified names for one endpoint version."""

    def __init__(self, version: str) -> None:
        self.version = version
        self.uri = {key: template.format(v=version) for key, template in URNS.items()}
        self.key_of = {uri: key for key, uri in self.uri.items()}
        self.nsmap = {"soapenv": SOAP_ENV, "xsi": XSI, "xsd": XSD,
                      **{PREFIX[key]: uri for key, uri in self.uri.items()}}

    def q(self, key: str, local: str) -> str:
        return f"{{{self.uri[key]}}}{local}"

    def xsi_type(self, key: str, local: str) -> str:
        return f"{PREFIX[key]}:{local}"


def local(tag: Any) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def namespace(tag: Any) -> str | None:
    return etree.QName(tag).namespace if isinstance(tag, str) else None


def children(element) -> list:
    return [child for child in element if isinstance(child.tag, str)]


def child(element, name: str):
    for c in children(element):
        if local(c.tag) == name:
            return c
    return None


def text(element) -> str | None:
    return None if element is None else (element.text or "").strip()


def xsi_type(element) -> str | None:
    """The local name of an element's ``xsi:type`` (``tranSales:Invoice`` -> ``Invoice``)."""
    value = element.get(f"{{{XSI}}}type")
    if not value:
        return None
    return value.rpartition(":")[2]


def sub(parent, tag: str, value: str | None = None, **attrs: str):
    element = etree.SubElement(parent, tag, {k: v for k, v in attrs.items() if v is not None})
    if value is not None:
        element.text = value
    return element
