"""The address subrecord (customer addressBook today; invoice billing/shipping addresses later)."""

from __future__ import annotations

from typing import Any

from netsuite_sandbox.records.registry import COUNTRY, IGNORED, PHONE, STRING, Field

ADDRESS_FIELDS: dict[str, Field] = {
    "addressee": Field(STRING, "Addressee", max_length=150),
    "attention": Field(STRING, "Attention", max_length=150),
    "addr1": Field(STRING, "Address 1", max_length=150),
    "addr2": Field(STRING, "Address 2", max_length=150),
    "addr3": Field(STRING, "Address 3", max_length=150),
    "city": Field(STRING, "City", max_length=50),
    "state": Field(STRING, "State", max_length=30),
    "zip": Field(STRING, "Zip", max_length=36),
    "country": Field(COUNTRY, "Country"),
    "addrPhone": Field(PHONE, "Phone", max_length=32),
    "addrText": Field(IGNORED),  # computed on output; accepted and dropped when echoed back
}


def address_text(address: dict[str, Any] | None) -> str | None:
    """The ``addrText`` NetSuite renders for an address (one line per part)."""
    if not address:
        return None
    city_line = " ".join(p for p in (address.get("city"), address.get("state"), address.get("zip")) if p)
    parts = [address.get("addressee"), address.get("attention"), address.get("addr1"), address.get("addr2"),
             address.get("addr3"), city_line, address.get("country")]
    text = "\n".join(p for p in parts if p)
    return text or None
