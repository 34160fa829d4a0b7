"""Stripe customer -> NetSuite customer (pure).

Rules (reference: connector-behaviour.md §6.1, §7):
- externalId and entityId are the Stripe customer ID.
- Company by default; an individual when the customer carries ``netsuite_first_name`` /
  ``netsuite_last_name`` metadata, or when settings say individuals and the name splits at its
  first space. A one-word personal name stays a company rather than inventing a last name.
- companyName falls back name -> description -> email -> Stripe ID.
- ``address`` becomes the default billing address, ``shipping.address`` the default shipping
  address; country must be an ISO-2 code, anything else is left blank.
- The customer's Stripe currency is its primary NetSuite currency (resolved by ISO code); every
  active NetSuite currency is on its currency list unless the settings say otherwise.
- Text is cut to NetSuite's field lengths; a phone NetSuite would refuse (under 7 digits) is
  left out rather than blocking the customer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from stripe_netsuite.mapping import external_ids
from stripe_netsuite.mapping.countries import normalize_country
from stripe_netsuite.mapping.records import MappingError, NeutralRecord
from stripe_netsuite.settings import CustomerSettings

RECORD_TYPE = "customer"
_MAX_NAME = 83  # NetSuite companyName / name fields hold 83 characters
_MAX_COMMENTS = 999
_MIN_PHONE_DIGITS = 7  # NetSuite refuses shorter phone numbers


def map_customer(
    customer: Mapping[str, Any],
    *,
    settings: CustomerSettings,
    subsidiary_id: str,
    currency_ids: Mapping[str, str],
) -> NeutralRecord:
    """Map one Stripe customer. ``currency_ids`` maps ISO codes (upper case) to NetSuite IDs."""
    stripe_id = customer.get("id") or ""
    if not stripe_id.startswith("cus_"):
        raise MappingError(stripe_id or "<no id>", "is not a Stripe customer object (id must start with 'cus_')")
    if customer.get("deleted"):
        raise MappingError(stripe_id, "was deleted in Stripe; deleted customers are not created in NetSuite")

    fields: dict[str, Any] = {
        "entityId": stripe_id,
        "subsidiary": {"id": subsidiary_id},
        "comments": _comments(customer),
    }
    fields.update(_names(customer, settings.default_type))
    if customer.get("email"):
        fields["email"] = customer["email"].strip()
    phone = _phone(customer.get("phone"))
    if phone:
        fields["phone"] = phone
    fields.update(_currency(customer, currency_ids))
    if settings.add_all_currencies and currency_ids:
        fields["currencyList"] = currency_list(currency_ids.values())
    addresses = _address_book(customer)
    if addresses:
        fields["addressBook"] = {"items": addresses}
    return NeutralRecord(RECORD_TYPE, external_ids.customer(stripe_id), fields, source_id=stripe_id)


def currency_list(currency_ids: Iterable[str]) -> dict[str, Any]:
    """A customer's currencyList sublist of these NetSuite currency IDs, in numeric order."""
    ordered = sorted(set(currency_ids), key=lambda cid: (len(cid), cid))
    return {"items": [{"currency": {"id": cid}} for cid in ordered]}


def _comments(customer: Mapping[str, Any]) -> str:
    text = f"Stripe: {customer['id']}"
    if customer.get("description"):
        text += f"\nStripe description: {customer['description']}"
    return text[:_MAX_COMMENTS]


def _phone(value: str | None) -> str | None:
    """The phone as given, or None when NetSuite would refuse it (fewer than 7 digits)."""
    if not value or sum(ch.isdigit() for ch in value) < _MIN_PHONE_DIGITS:
        return None
    return value.strip()[:32]


def _names(customer: Mapping[str, Any], default_type: str) -> dict[str, Any]:
    metadata = customer.get("metadata") or {}
    first, last = (metadata.get("netsuite_first_name") or "").strip(), (metadata.get("netsuite_last_name") or "").strip()
    if first or last:
        if not (first and last):
            raise MappingError(
                customer["id"],
                "has only one of metadata netsuite_first_name / netsuite_last_name; set both in Stripe "
                "(or neither, to sync it as a company)",
            )
        return {"isPerson": True, "firstName": first[:32], "lastName": last[:32]}
    name = (customer.get("name") or "").strip()
    if default_type == "individual" and " " in name:
        first, last = name.split(" ", 1)
        return {"isPerson": True, "firstName": first[:32], "lastName": last.strip()[:32]}
    company = name or (customer.get("description") or "").strip() or (customer.get("email") or "").strip()
    return {"isPerson": False, "companyName": (company or customer["id"])[:_MAX_NAME]}


def _currency(customer: Mapping[str, Any], currency_ids: Mapping[str, str]) -> dict[str, Any]:
    code = (customer.get("currency") or "").upper()
    if not code:
        return {}
    if code not in currency_ids:
        raise MappingError(
            customer["id"],
            f"uses currency {code}, which is not set up in NetSuite; add it under Lists > Accounting > "
            "Currencies (and enable Multiple Currencies), then the next run retries this customer",
        )
    return {"currency": {"id": currency_ids[code]}}


def _address_book(customer: Mapping[str, Any]) -> list[dict[str, Any]]:
    billing = _address(customer.get("address"), customer.get("name"), customer.get("phone"))
    shipping_info = customer.get("shipping") or {}
    shipping = _address(shipping_info.get("address"), shipping_info.get("name"), shipping_info.get("phone"))
    if billing and billing == shipping:
        return [{"defaultBilling": True, "defaultShipping": True, "label": "Stripe", "addressBookAddress": billing}]
    entries = []
    if billing:
        entries.append({"defaultBilling": True, "defaultShipping": False, "label": "Stripe billing", "addressBookAddress": billing})
    if shipping:
        entries.append({"defaultBilling": False, "defaultShipping": True, "label": "Stripe shipping", "addressBookAddress": shipping})
    return entries


def _address(address: Mapping[str, Any] | None, addressee: str | None, phone: str | None) -> dict[str, Any] | None:
    if not address or not any(address.get(k) for k in ("line1", "line2", "city", "state", "postal_code", "country")):
        return None
    fields = {
        "addressee": addressee,
        "addr1": address.get("line1"),
        "addr2": address.get("line2"),
        "city": address.get("city"),
        "state": address.get("state"),
        "zip": address.get("postal_code"),
        "country": normalize_country(address.get("country")),
        "addrPhone": _phone(phone),
    }
    return {key: value.strip() for key, value in fields.items() if isinstance(value, str) and value.strip()}


GUEST_NAME = "Stripe Guest Customer"


def map_guest_customer(external_id: str, *, subsidiary_id: str, currency_ids: Mapping[str, str]) -> NeutralRecord:
    """The NetSuite customer of charges made without a Stripe customer (settings ``payments.guest_customer``),
    able to take payments in every NetSuite currency."""
    fields: dict[str, Any] = {
        "entityId": GUEST_NAME,
        "isPerson": False,
        "companyName": GUEST_NAME,
        "subsidiary": {"id": subsidiary_id},
        "comments": "Payments Stripe took without a Stripe customer (created by stripe-netsuite)",
        "currencyList": currency_list(currency_ids.values()),
    }
    return NeutralRecord(RECORD_TYPE, external_id, fields, source_id=external_id)
