"""A SOAP client for the sandbox tests: zeep on the 2023_2 WSDL, every message XSD-validated.

``ValidatingTransport`` checks each request zeep sends and each response the sandbox answers
against the XSDs (the WSDL's own ``<types>`` schema, netsuite.md §9) and keeps the exchanges.
The tokenPassport is signed here from netsuite.md §7.3, independently of the sandbox.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets
import time
from decimal import Decimal

from lxml import etree
from zeep import Client, Settings
from zeep.cache import InMemoryCache
from zeep.transports import Transport
from zeep.xsd import ComplexType

from netsuite_sandbox import TbaCredentials

V = "2023_2"
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
BINDING = f"{{urn:platform_{V}.webservices.netsuite.com}}NetSuiteBinding"
NS = {
    "core": f"urn:core_{V}.platform.webservices.netsuite.com",
    "common": f"urn:common_{V}.platform.webservices.netsuite.com",
    "messages": f"urn:messages_{V}.platform.webservices.netsuite.com",
    "faults": f"urn:faults_{V}.platform.webservices.netsuite.com",
    "rel": f"urn:relationships_{V}.lists.webservices.netsuite.com",
    "acct": f"urn:accounting_{V}.lists.webservices.netsuite.com",
    "sales": f"urn:sales_{V}.transactions.webservices.netsuite.com",
    "cust": f"urn:customers_{V}.transactions.webservices.netsuite.com",
    "bank": f"urn:bank_{V}.transactions.webservices.netsuite.com",
    "general": f"urn:general_{V}.transactions.webservices.netsuite.com",
}
RECORDS = {
    "customer": ("rel", "Customer"), "invoice": ("sales", "Invoice"), "creditMemo": ("cust", "CreditMemo"),
    "customerPayment": ("cust", "CustomerPayment"), "customerRefund": ("cust", "CustomerRefund"),
    "deposit": ("bank", "Deposit"), "journalEntry": ("general", "JournalEntry"),
    "serviceSaleItem": ("acct", "ServiceSaleItem"), "discountItem": ("acct", "DiscountItem"),
    "otherChargeSaleItem": ("acct", "OtherChargeSaleItem"),
}
SUBLISTS = {"item": "itemList", "apply": "applyList", "payment": "paymentList", "other": "otherList",
            "cashback": "cashBackList", "line": "lineList", "addressBook": "addressbookList",
            "addressBookAddress": "addressbookAddress"}
COUNTRIES = {"US": "_unitedStates", "GB": "_unitedKingdom", "DE": "_germany", "FR": "_france"}


def load_schema(wsdl_path):
    import xmlschema

    types = etree.parse(str(wsdl_path)).find(
        "{http://schemas.xmlsoap.org/wsdl/}types/{http://www.w3.org/2001/XMLSchema}schema")
    return xmlschema.XMLSchema(etree.tostring(types).decode(), base_url=str(wsdl_path.parent), allow="local")


def _validate(schema, element) -> None:
    # Prefixes declared on the envelope are in scope for xsi:type values inside the element.
    schema.validate(element, namespaces={k: v for k, v in element.nsmap.items() if k})


def validate_envelope(schema, raw: bytes) -> etree._Element:
    """Validate the body payload (or a fault's detail) and every header element; return the root."""
    root = etree.fromstring(raw)
    body = root.find(f"{{{SOAP_ENV}}}Body")
    payload = body[0]
    if payload.tag == f"{{{SOAP_ENV}}}Fault":
        detail = payload.find("detail")
        assert detail is not None and len(detail) == 1, etree.tostring(payload)
        _validate(schema, detail[0])
    else:
        _validate(schema, payload)
    header = root.find(f"{{{SOAP_ENV}}}Header")
    for element in header if header is not None else []:
        _validate(schema, element)
    return root


class ValidatingTransport(Transport):
    def __init__(self, schema, **kwargs) -> None:
        super().__init__(**kwargs)
        self.schema = schema
        self.exchanges: list[tuple[bytes, bytes]] = []

    def load(self, url):
        if url.startswith(("http://", "https://")):
            raise RuntimeError(f"network access attempted: {url}")
        return super().load(url)

    def post(self, address, message, headers):
        validate_envelope(self.schema, message)
        response = super().post(address, message, headers)
        validate_envelope(self.schema, response.content)
        self.exchanges.append((message, response.content))
        return response


def passport_fields(creds: TbaCredentials, account: str = "SANDBOX", *, nonce=None, timestamp=None, secret=None):
    nonce = nonce or secrets.token_hex(10)
    timestamp = timestamp or int(time.time())
    message = "&".join([account, creds.consumer_key, creds.token_id, nonce, str(timestamp)])
    key = f"{secret or creds.consumer_secret}&{creds.token_secret}"
    signature = base64.b64encode(hmac.new(key.encode(), message.encode(), hashlib.sha256).digest()).decode()
    return {"account": account, "consumerKey": creds.consumer_key, "token": creds.token_id, "nonce": nonce,
            "timestamp": timestamp, "signature": signature}


class Soap:
    """zeep bound to one sandbox; ``call`` signs a fresh tokenPassport for each request."""

    def __init__(self, client: Client, base_url: str, creds: TbaCredentials = TbaCredentials()) -> None:
        self.client = client
        self.url = f"{base_url}/services/NetSuitePort_{V}"
        self.service = client.create_service(BINDING, self.url)
        self.creds = creds

    def T(self, ns: str, name: str):
        return self.client.get_type(f"{{{NS[ns]}}}{name}")

    def passport(self, **overrides):
        fields = passport_fields(self.creds, **overrides)
        signature = self.T("core", "TokenPassportSignature")(fields.pop("signature"), algorithm="HMAC-SHA256")
        return self.T("core", "TokenPassport")(signature=signature, **fields)

    def call(self, operation: str, headers: dict | None = None, passport=None, **kwargs):
        headers = {"tokenPassport": passport if passport is not None else self.passport(), **(headers or {})}
        return getattr(self.service, operation)(_soapheaders=headers, **kwargs)

    def message(self, operation: str, passport=None, **kwargs) -> bytes:
        """The raw envelope zeep would send (for requests sent by hand)."""
        envelope = self.client.create_message(
            self.service, operation, _soapheaders={"tokenPassport": passport or self.passport()}, **kwargs)
        return etree.tostring(envelope)

    def ref(self, internal_id=None, external_id=None, record_type=None):
        kwargs = {"internalId": internal_id, "externalId": external_id, "type": record_type}
        return self.T("core", "RecordRef")(**{k: v for k, v in kwargs.items() if v is not None})

    # --- REST-shaped dict -> zeep record (written for the tests, independent of the sandbox) ---
    def record(self, record_type: str, external_id: str, fields: dict):
        ns, name = RECORDS[record_type]
        xsd_type = self.T(ns, name)
        return xsd_type(externalId=external_id, **self._complex(xsd_type, fields))

    def _complex(self, xsd_type, fields: dict) -> dict:
        elements = dict(xsd_type.elements)
        values, custom = {}, []
        for name, value in fields.items():
            if name.startswith(("custentity", "custbody", "custcol", "custitem")):
                custom.append(self.T("core", "StringCustomFieldRef")(scriptId=name, value=str(value)))
                continue
            soap_name = name if name in elements else SUBLISTS[name]
            values[soap_name] = self._value(elements[soap_name].type, value)
        if custom:
            values["customFieldList"] = self.T("core", "CustomFieldList")(customField=custom)
        return values

    def _value(self, xsd_type, value):
        type_name = getattr(xsd_type, "name", "") or ""
        if type_name == "RecordRef":
            return self.ref(value.get("id"), value.get("externalId"))
        if isinstance(value, dict) and "items" in value:
            ((item_name, item_element),) = list(xsd_type.elements)
            items = [item_element.type(**self._complex(item_element.type, item)) for item in value["items"]]
            return xsd_type(replaceAll=True, **{item_name: items})
        if isinstance(value, dict) and isinstance(xsd_type, ComplexType):
            return xsd_type(**self._complex(xsd_type, value))
        if isinstance(value, dict):  # an xsd:long internal id (apply.doc, depositPayment.id)
            return int(value["id"])
        if type_name == "Country":
            return COUNTRIES[value]
        if isinstance(value, Decimal):
            return format(value, "f")
        if type_name == "dateTime":
            return dt.datetime.fromisoformat(value)
        return value


def make_client(wsdl_path, schema) -> tuple[Client, ValidatingTransport]:
    transport = ValidatingTransport(schema, cache=InMemoryCache(), timeout=30, operation_timeout=30)
    client = Client(str(wsdl_path), transport=transport, settings=Settings(strict=True, xml_huge_tree=True))
    return client, transport
