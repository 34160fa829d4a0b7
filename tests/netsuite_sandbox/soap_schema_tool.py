"""Build the sandbox's embedded SOAP element table (``netsuite_sandbox/soap/schema.py``) from the
2023_2 XSDs: for each SOAP record type the sandbox serves, the elements that have a REST field,
in XSD sequence order, with their kind. ``test_ns_soap_schema.py`` checks the embedded table is
exactly what this builds; to regenerate after changing record fields::

    .venv/bin/python tests/netsuite_sandbox/soap_schema_tool.py > include/netsuite_sandbox/soap/schema.py
"""

from __future__ import annotations

import pathlib
import pprint
import sys

from lxml import etree

XS = "{http://www.w3.org/2001/XMLSchema}"
V = "2023_2"
NS = {
    "core": f"urn:core_{V}.platform.webservices.netsuite.com",
    "common": f"urn:common_{V}.platform.webservices.netsuite.com",
    "relationships": f"urn:relationships_{V}.lists.webservices.netsuite.com",
    "accounting": f"urn:accounting_{V}.lists.webservices.netsuite.com",
    "sales": f"urn:sales_{V}.transactions.webservices.netsuite.com",
    "customers": f"urn:customers_{V}.transactions.webservices.netsuite.com",
    "bank": f"urn:bank_{V}.transactions.webservices.netsuite.com",
    "general": f"urn:general_{V}.transactions.webservices.netsuite.com",
}
KEY_OF_NS = {v: k for k, v in NS.items()}
SIMPLE = {
    ("urn:core", "RecordRef"): "ref",
    ("xsd", "string"): "string", ("xsd", "boolean"): "boolean", ("xsd", "double"): "double",
    ("xsd", "long"): "long", ("xsd", "int"): "int", ("xsd", "dateTime"): "dateTime",
    ("urn:types.common", "Country"): "country", ("urn:core", "CustomFieldList"): "custom",
}
# REST record type -> SOAP (namespace key, type)
RECORDS = {
    "customer": ("relationships", "Customer"),
    "invoice": ("sales", "Invoice"),
    "creditMemo": ("customers", "CreditMemo"),
    "customerPayment": ("customers", "CustomerPayment"),
    "customerRefund": ("customers", "CustomerRefund"),
    "deposit": ("bank", "Deposit"),
    "journalEntry": ("general", "JournalEntry"),
    "serviceSaleItem": ("accounting", "ServiceSaleItem"),
    "otherChargeSaleItem": ("accounting", "OtherChargeSaleItem"),
    "discountItem": ("accounting", "DiscountItem"),
    "salesTaxItem": ("accounting", "SalesTaxItem"),
}
# SOAP element -> REST field, where the names differ
REST_NAME = {"itemList": "item", "applyList": "apply", "paymentList": "payment", "otherList": "other",
             "cashBackList": "cashback", "lineList": "line", "addressbookList": "addressBook",
             "addressbookAddress": "addressBookAddress"}
META = ("createdDate", "lastModifiedDate", "dateCreated")


def load(xsd_dir: pathlib.Path) -> dict[tuple[str, str], etree._Element]:
    types = {}
    for path in sorted(xsd_dir.glob("*.xsd")):
        root = etree.parse(str(path)).getroot()
        for ct in root.findall(XS + "complexType"):
            types[(root.get("targetNamespace"), ct.get("name"))] = ct
    return types


def _qname(element, value: str) -> tuple[str, str]:
    prefix, _, local = value.rpartition(":")
    return element.nsmap.get(prefix or None), local


def elements(types, key: tuple[str, str]) -> list[tuple[str, tuple[str, str]]]:
    ct = types[key]
    out = []
    parent = ct
    ext = ct.find(f"{XS}complexContent/{XS}extension")
    if ext is not None:
        base = _qname(ext, ext.get("base"))
        if base in types:
            out += elements(types, base)
        parent = ext
    seq = parent.find(XS + "sequence")
    for el in seq.findall(XS + "element") if seq is not None else []:
        out.append((el.get("name"), _qname(el, el.get("type"))))
    return out


def _kind(types, qname: tuple[str, str]) -> str | tuple | None:
    ns, local = qname
    for (prefix, name), kind in SIMPLE.items():
        if name == local and (ns or "").startswith(prefix if prefix != "xsd" else "http://www.w3.org/2001/XMLSchema"):
            return kind
    if (ns, local) in types and ns in KEY_OF_NS:
        inner = elements(types, (ns, local))
        if local.endswith("List") and len(inner) == 1:
            return ("list", inner[0][0], inner[0][1][1])
        return ("complex", local)
    return None


def build(xsd_dir: pathlib.Path, registry) -> dict[str, tuple[str, tuple]]:
    types = load(xsd_dir)
    table: dict[str, tuple[str, tuple]] = {}

    def walk(ns_key: str, type_name: str, rest_fields: dict) -> None:
        if type_name in table:
            return
        chosen = []
        for name, qname in elements(types, (NS[ns_key], type_name)):
            rest = REST_NAME.get(name, name)
            if name not in META and (rest not in rest_fields or name == "nullFieldList"):
                if name != "customFieldList":
                    continue
            kind = _kind(types, qname)
            if kind is None:
                continue
            if isinstance(kind, tuple):
                item_ns = KEY_OF_NS[qname[0]]
                spec = rest_fields.get(rest)
                sub_fields = (spec.fields or {}) if spec is not None else {}
                if kind[0] == "list":
                    item_q = dict(elements(types, (qname[0], qname[1])))[kind[1]]
                    walk(KEY_OF_NS[item_q[0]], item_q[1], sub_fields)
                    kind = f"list:{kind[1]}:{item_q[1]}"
                else:
                    walk(item_ns, kind[1], sub_fields)
                    kind = f"complex:{kind[1]}"
            chosen.append((name, kind))
        table[type_name] = (ns_key, tuple(chosen))

    for rest_type, (ns_key, soap_type) in RECORDS.items():
        walk(ns_key, soap_type, registry.get(rest_type).fields)
    return dict(sorted(table.items()))


def render(table) -> str:
    head = ('"""SOAP element table, generated from the 2023_2 XSDs by tests/netsuite_sandbox/soap_schema_tool.py.\n\n'
            "For each SOAP type the sandbox reads and writes: (namespace key, elements in XSD sequence order),\n"
            "only the elements that have a REST field. Kinds: ref, string, boolean, double, long, int,\n"
            "dateTime, country, custom (customFieldList), list:<item element>:<item type>, complex:<type>.\n"
            'Do not edit by hand; test_ns_soap_schema.py checks it against the XSDs.\n"""\n\n')
    return head + "TYPES = " + pprint.pformat(table, width=110, sort_dicts=True) + "\n"


if __name__ == "__main__":
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "include"))
    from netsuite_sandbox.records import default_registry

    xsd = pathlib.Path(__file__).resolve().parents[3] / "shared" / "netsuite-wsdl" / V / "xsd"
    registry = default_registry()
    sys.stdout.write(render(build(xsd, registry)))
