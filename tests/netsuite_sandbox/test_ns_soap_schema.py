"""The sandbox's embedded SOAP tables agree with the 2023_2 XSDs."""

from __future__ import annotations

import re

from soap_schema_tool import build, render

from netsuite_sandbox.records import default_registry
from netsuite_sandbox.soap import countries, envelope, schema


def test_the_embedded_element_table_is_what_the_xsds_give(wsdl_path):
    built = build(wsdl_path.parent / "xsd", default_registry())
    assert built == schema.TYPES, "regenerate: see tests/netsuite_sandbox/soap_schema_tool.py"
    assert render(built).startswith('"""SOAP element table')


def test_country_table_covers_the_enumeration(wsdl_path):
    text = (wsdl_path.parent / "xsd" / "platform.commonTypes.xsd").read_text()
    block = text[text.index('simpleType name="Country"'):]
    values = set(re.findall(r'value="([^"]+)"', block[:block.index("</simpleType>")]))
    assert set(countries.SOAP_TO_ISO) == values
    assert len(countries.ISO_TO_SOAP) == len(values) and countries.ISO_TO_SOAP["US"] == "_unitedStates"


def test_every_status_and_fault_code_is_in_the_xsd(wsdl_path):
    text = (wsdl_path.parent / "xsd" / "platform.faultTypes.xsd").read_text()
    status_block = text[text.index('simpleType name="StatusDetailCodeType"'):text.index('simpleType name="FaultCodeType"')]
    fault_block = text[text.index('simpleType name="FaultCodeType"'):]
    status_codes = set(re.findall(r'value="([^"]+)"', status_block))
    fault_codes = set(re.findall(r'value="([^"]+)"', fault_block))
    assert envelope.STATUS_CODES <= status_codes
    assert set(envelope.STATUS_CODE.values()) <= status_codes
    for fault in (envelope.invalid_credentials(), envelope.concurrency_exceeded(), envelope.unexpected("x"),
                  envelope.too_many_records(1, "x")):
        assert fault.code in fault_codes
