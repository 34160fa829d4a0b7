"""SOAP records <-> the REST field dictionaries the records engine takes and stores.

One engine serves both APIs: a SOAP ``<record xsi:type="tranSales:Invoice">`` becomes the same
REST body a client would PUT, and a stored record is written back as the XSD type, elements
in the XSD's sequence order (``schema.TYPES``). Names differ only for sublists (``itemList/item``
= REST ``item``, ``applyList/apply``, ``paymentList/depositPayment`` = ``payment``,
``otherList/depositOther``, ``cashBackList/depositCashBack``, ``lineList/line``,
``addressbookList/addressbook`` = ``addressBook``, ``addressbookAddress``); ``RecordRef``
attributes ``internalId``/``externalId`` = REST ``{"id"}``/``{"externalId"}``; ``xsd:long`` ids
(``apply.doc``, ``depositPayment.id``) = internal ids; ``customFieldList`` = the ``cust*``
fields; ``Country`` enumeration values = ISO codes; ``xsd:dateTime`` = the date part;
``xsd:double`` = exact decimals. ``nullFieldList/name`` clears fields. A sent list replaces the
stored lines (``replaceAll`` defaults to true, Oracle "Updating Sublists in SOAP Web
Services"); ``replaceAll="false"`` merges it as a REST sublist not named in ``replace`` does,
but on a non-keyed list (``cashBackList``), where NetSuite ignores it (``replaced_lists``;
``records.engine.merge_sublist``).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from netsuite_sandbox import errors
from netsuite_sandbox.records.registry import BOOL, DATE, DECIMAL, INTEGER, REF
from netsuite_sandbox.soap import xml
from netsuite_sandbox.soap.countries import ISO_TO_SOAP, SOAP_TO_ISO
from netsuite_sandbox.soap.schema import TYPES

# REST record type -> SOAP type; the RecordType enumeration value is the REST name.
SOAP_TYPE = {
    "customer": "Customer", "invoice": "Invoice", "creditMemo": "CreditMemo",
    "customerPayment": "CustomerPayment", "customerRefund": "CustomerRefund", "deposit": "Deposit",
    "journalEntry": "JournalEntry", "serviceSaleItem": "ServiceSaleItem",
    "otherChargeSaleItem": "OtherChargeSaleItem", "discountItem": "DiscountItem", "salesTaxItem": "SalesTaxItem",
}
REST_TYPE = {soap: rest for rest, soap in SOAP_TYPE.items()}
REST_NAME = {"itemList": "item", "applyList": "apply", "paymentList": "payment", "otherList": "other",
             "cashBackList": "cashback", "lineList": "line", "addressbookList": "addressBook",
             "addressbookAddress": "addressBookAddress"}
META = {"createdDate", "lastModifiedDate", "dateCreated"}
CUSTOM_PREFIXES = ("custentity", "custbody", "custcol", "custitem")
CUSTOM_REF = {BOOL: "BooleanCustomFieldRef", DECIMAL: "DoubleCustomFieldRef", INTEGER: "LongCustomFieldRef",
              DATE: "DateCustomFieldRef"}


class SoapRecordError(Exception):
    def __init__(self, error: errors.NetSuiteError, rest_type: str | None = None,
                 external_id: str | None = None, internal_id: str | None = None) -> None:
        super().__init__(error.detail)
        self.error, self.rest_type, self.external_id, self.internal_id = error, rest_type, external_id, internal_id


# --- SOAP -> REST --------------------------------------------------------------------------


def parse_record(element) -> tuple[str, str | None, str | None, dict[str, Any]]:
    """``(rest type, externalId, internalId, REST body)`` of a ``record`` element."""
    soap_type = xml.xsi_type(element)
    external_id, internal_id = element.get("externalId"), element.get("internalId")
    rest_type = REST_TYPE.get(soap_type or "")
    if rest_type is None:
        raise SoapRecordError(errors.NetSuiteError(
            400, "INVALID_RCRD_TYPE", f"The sandbox does not support the record type {soap_type or '(no xsi:type)'}."),
            None, external_id, internal_id)
    try:
        body = _complex(element, soap_type, "")
    except errors.NetSuiteError as exc:
        raise SoapRecordError(exc, rest_type, external_id, internal_id) from None
    return rest_type, external_id, internal_id, body


# Lists Oracle documents as not keyed: ``replaceAll`` is ignored, the sent lines always replace the
# stored ones. "The Cash Back sublist is not keyed, so overwriting it is the only way to update it"
# (Oracle, "Updating the Deposit Record",
# https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_3948125053.html).
NON_KEYED_LISTS = {("Deposit", "cashBackList")}


def replaced_lists(element) -> list[str]:
    """The REST names of the lists an update replaces: those a ``record`` element sends with
    ``replaceAll`` true (the default), and every non-keyed list; the others merge by key.

    Oracle, "Updating Sublists in SOAP Web Services"
    (https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_N3441570.html), on keyed
    sublists (``applyList`` is keyed by ``doc`` on Customer Payment, Credit Memo, Customer Refund,
    Customer Deposit, Deposit Application, Vendor Credit, Vendor Payment):

        "replaceAll = TRUE: The existing sublist is replaced with the sublist submitted in the SOAP
        web services request. [...] Lines that do not match the newly submitted lines are removed.
        Currently existing lines that match lines in the new sublist submission are updated. Newly
        submitted lines with no matches are added. The default value for the replaceAll attribute
        is TRUE."
        "replaceAll = FALSE: Lines in the existing sublist are selectively updated with lines in the
        sublist submitted in the SOAP web services request. [...] Lines that do not match the newly
        submitted lines are preserved. Currently existing lines that match lines in the new sublist
        submission are updated. Newly submitted lines with no matches are added."

    So ``replaceAll`` true is REST's ``?replace=<sublist>`` and false REST without it
    (``records.engine.merge_sublist``): ``replaceAll`` is **not** ignored on keyed lists. On
    non-keyed ones it is ("the replaceAll attribute is ignored and behaves as if it were set to
    TRUE", the same page's "Non-Keyed Sublists", as quoted by third parties): ``NON_KEYED_LISTS``.
    """
    soap_type = xml.xsi_type(element) or ""
    kinds = dict(TYPES.get(soap_type, ((), ()))[1])
    return [
        REST_NAME.get(xml.local(node.tag), xml.local(node.tag))
        for node in xml.children(element)
        if str(kinds.get(xml.local(node.tag), "")).startswith("list:")
        and ((node.get("replaceAll") or "true").strip().lower() not in ("false", "0")
             or (soap_type, xml.local(node.tag)) in NON_KEYED_LISTS)
    ]


def _complex(element, type_name: str, path: str) -> dict[str, Any]:
    kinds = dict(TYPES[type_name][1])
    out: dict[str, Any] = {}
    for node in xml.children(element):
        name = xml.local(node.tag)
        where = f"{path}{name}"
        if name == "nullFieldList":
            for field in xml.children(node):
                out[REST_NAME.get(xml.text(field), xml.text(field))] = None
            continue
        if name in META:
            continue
        kind = kinds.get(name)
        if kind is None:
            raise errors.invalid_field(where, f"The sandbox does not support the field {name} on {type_name}.")
        if kind == "custom":
            out.update(_custom_fields(node, where))
            continue
        out[REST_NAME.get(name, name)] = _value(node, kind, where)
    return out


def _value(node, kind: str, where: str) -> Any:
    if kind == "ref":
        if node.get("internalId"):
            return {"id": node.get("internalId")}
        if node.get("externalId"):
            return {"externalId": node.get("externalId")}
        name = xml.text(xml.child(node, "name"))
        return {"refName": name} if name else {}
    if kind.startswith("list:"):
        _, item_name, item_type = kind.split(":")
        return {"items": [_complex(item, item_type, f"{where}.{item_name}[{i}].")
                          for i, item in enumerate(c for c in xml.children(node) if xml.local(c.tag) == item_name)]}
    if kind.startswith("complex:"):
        return _complex(node, kind.split(":", 1)[1], f"{where}.")
    raw = xml.text(node)
    if kind == "boolean":
        if raw not in ("true", "false", "1", "0"):
            raise errors.invalid_value(where, f"Invalid boolean {raw!r}.")
        return raw in ("true", "1")
    if kind == "double":
        try:
            return Decimal(raw)
        except (InvalidOperation, TypeError):
            raise errors.invalid_value(where, f"Invalid number {raw!r}.") from None
    if kind in ("long", "int"):
        if not raw or not raw.lstrip("-").isdigit():
            raise errors.invalid_value(where, f"Invalid integer {raw!r}.")
        return int(raw)
    if kind == "dateTime":
        return (raw or "")[:10]
    if kind == "country":
        return SOAP_TO_ISO.get(raw, raw)
    return raw


def _custom_fields(node, where: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for field in xml.children(node):
        script_id = field.get("scriptId")
        if not script_id:
            raise errors.invalid_value(where, "A custom field needs its scriptId.")
        ref_type = xml.xsi_type(field) or "StringCustomFieldRef"
        value = xml.child(field, "value")
        raw = xml.text(value)
        if ref_type == "BooleanCustomFieldRef":
            out[script_id] = raw in ("true", "1")
        elif ref_type == "DoubleCustomFieldRef":
            out[script_id] = Decimal(raw)
        elif ref_type == "LongCustomFieldRef":
            out[script_id] = int(raw)
        elif ref_type == "DateCustomFieldRef":
            out[script_id] = (raw or "")[:10]
        elif ref_type == "SelectCustomFieldRef":
            out[script_id] = {"id": value.get("internalId")} if value.get("internalId") else {"externalId": value.get("externalId")}
        else:
            out[script_id] = raw
    return out


# --- REST (stored) -> SOAP -----------------------------------------------------------------


def write_record(parent, tag: str, names: xml.Names, store, record, *, body_fields_only: bool = False):
    """Append the stored record as ``<tag xsi:type="...">`` with its fields in XSD order."""
    rtype = store.record_type(record.record_type)
    soap_type = SOAP_TYPE[rtype.name]
    ns_key = TYPES[soap_type][0]
    element = xml.sub(parent, tag, internalId=str(record.id), externalId=record.external_id)
    element.set(f"{{{xml.XSI}}}type", names.xsi_type(ns_key, soap_type))
    body = dict(record.body)
    meta = {"createdDate": record.date_created, "lastModifiedDate": record.last_modified,
            "dateCreated": record.date_created}
    _fill(element, soap_type, body, rtype.fields, names, store, meta, body_fields_only)
    return element


def _fill(element, type_name: str, body: dict[str, Any], fields: dict, names: xml.Names, store,
          meta: dict[str, str] | None, body_fields_only: bool) -> None:
    ns_key, kinds = TYPES[type_name]
    for name, kind in kinds:
        if kind == "custom":
            custom = {k: v for k, v in body.items() if k.startswith(CUSTOM_PREFIXES) and v is not None}
            if custom:
                holder = xml.sub(element, names.q(ns_key, name))
                for script_id, value in sorted(custom.items()):
                    _custom_field(holder, names, script_id, value, fields.get(script_id))
            continue
        if meta is not None and name in META:
            xml.sub(element, names.q(ns_key, name), meta[name])
            continue
        rest = REST_NAME.get(name, name)
        value = body.get(rest)
        if value is None or rest.startswith("_"):
            continue
        spec = fields.get(rest)
        if kind.startswith("list:"):
            if body_fields_only:
                continue
            _, item_name, item_type = kind.split(":")
            holder = xml.sub(element, names.q(ns_key, name), replaceAll="true")
            for line in value.get("items", []):
                item = xml.sub(holder, names.q(TYPES[item_type][0], item_name))
                _fill(item, item_type, line, (spec.fields or {}) if spec else {}, names, store, None, False)
            continue
        if kind.startswith("complex:"):
            item_type = kind.split(":", 1)[1]
            item = xml.sub(element, names.q(ns_key, name))
            _fill(item, item_type, value, (spec.fields or {}) if spec else {}, names, store, None, False)
            continue
        target = names.q(ns_key, name)
        if kind == "ref":
            _record_ref(element, target, names, store, spec, value)
        elif kind in ("long", "int"):
            xml.sub(element, target, str(value["id"] if isinstance(value, dict) else value))
        elif kind == "boolean":
            xml.sub(element, target, "true" if value else "false")
        elif kind == "dateTime":
            xml.sub(element, target, value if "T" in str(value) else f"{value}T00:00:00")
        elif kind == "country":
            xml.sub(element, target, ISO_TO_SOAP.get(value, value))
        elif isinstance(value, dict):  # status {"id", "refName"}
            xml.sub(element, target, str(value.get("refName") or value.get("id")))
        else:
            xml.sub(element, target, str(value))


def _record_ref(parent, tag: str, names: xml.Names, store, spec, value: dict[str, Any]) -> None:
    if not isinstance(value, dict) or "id" not in value:
        return
    element = xml.sub(parent, tag, internalId=str(value["id"]))
    if spec is not None and spec.kind == REF:
        ref_type = spec.ref_type
        if spec.ref_group:
            target = store.find_in_group(spec.ref_group, value["id"])
            ref_type = target.record_type if target else None
        shown = store.display_name(ref_type, value["id"]) if ref_type else None
        if shown:
            xml.sub(element, names.q("core", "name"), shown)


def _custom_field(parent, names: xml.Names, script_id: str, value: Any, spec) -> None:
    kind = spec.kind if spec is not None else None
    ref_type = CUSTOM_REF.get(kind, "StringCustomFieldRef")
    if isinstance(value, dict):
        ref_type = "SelectCustomFieldRef"
    element = xml.sub(parent, names.q("core", "customField"), scriptId=script_id)
    element.set(f"{{{xml.XSI}}}type", names.xsi_type("core", ref_type))
    if ref_type == "SelectCustomFieldRef":
        xml.sub(element, names.q("core", "value"), internalId=str(value.get("id")))
    elif ref_type == "BooleanCustomFieldRef":
        xml.sub(element, names.q("core", "value"), "true" if value else "false")
    elif ref_type == "DateCustomFieldRef":
        xml.sub(element, names.q("core", "value"), f"{value}T00:00:00")
    else:
        xml.sub(element, names.q("core", "value"), str(value))
