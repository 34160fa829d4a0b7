"""Validating and applying the param shapes many resources share (metadata, addresses, strings)."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from stripe_sandbox.errors import StripeApiError, invalid_request, missing_parameter, unknown_parameter
from stripe_sandbox.forms import as_bool, as_dict, as_int, as_list, as_str

ADDRESS_KEYS = ("city", "country", "line1", "line2", "postal_code", "state")
METADATA_MAX_KEYS = 50
METADATA_KEY_MAX = 40
METADATA_VALUE_MAX = 500
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def nullable_str(value, param: str, *, max_length: int = 5000) -> str | None:
    """Stripe semantics: posting an empty string unsets the field (null)."""
    text = as_str(value, param, max_length=max_length)
    return text if text != "" else None


def email(value, param: str = "email") -> str | None:
    text = nullable_str(value, param, max_length=512)
    if text is not None and not _EMAIL.match(text):
        raise StripeApiError(400, f"Invalid email address: {text}", param=param, code="email_invalid")
    return text


def metadata(current: dict | None, value, param: str = "metadata") -> dict:
    """Merge ``metadata[...]`` into ``current``: ``key=`` deletes a key, ``metadata=`` clears all."""
    if value == "":
        return {}
    updates = as_dict(value, param)
    merged = dict(current or {})
    for key, item in updates.items():
        if len(key) > METADATA_KEY_MAX:
            raise invalid_request(
                f"Metadata keys must be at most {METADATA_KEY_MAX} characters long.", param=f"{param}[{key}]"
            )
        if isinstance(item, dict):
            raise invalid_request("Metadata values must be strings.", param=f"{param}[{key}]")
        text = str(item) if isinstance(item, int) and not isinstance(item, bool) else item
        text = as_str(text, f"{param}[{key}]", max_length=METADATA_VALUE_MAX)
        if text == "":
            merged.pop(key, None)
        else:
            merged[key] = text
    if len(merged) > METADATA_MAX_KEYS:
        raise invalid_request(f"Metadata can have at most {METADATA_MAX_KEYS} keys.", param=param)
    return merged


def address(current: dict | None, value, param: str = "address") -> dict | None:
    """An address hash; ``address=`` unsets it, given keys merge onto the current address."""
    if value == "":
        return None
    fields = as_dict(value, param)
    for key in fields:
        if key not in ADDRESS_KEYS:
            raise unknown_parameter(f"{param}[{key}]")
    result = dict(current) if current else dict.fromkeys(ADDRESS_KEYS)
    for key, item in fields.items():
        result[key] = nullable_str(item, f"{param}[{key}]")
    if result.get("country"):
        result["country"] = result["country"].upper()
    return result


def shipping(value, param: str = "shipping") -> dict | None:
    """``{address, name, phone}``; ``name`` and ``address`` are required, ``shipping=`` unsets."""
    if value == "":
        return None
    fields = as_dict(value, param)
    for key in fields:
        if key not in ("address", "name", "phone"):
            raise unknown_parameter(f"{param}[{key}]")
    for required in ("address", "name"):
        if required not in fields:
            raise missing_parameter(f"{param}[{required}]")
    return {
        "address": address(None, fields["address"], f"{param}[address]") or dict.fromkeys(ADDRESS_KEYS),
        "name": as_str(fields["name"], f"{param}[name]", max_length=5000),
        "phone": nullable_str(fields.get("phone", ""), f"{param}[phone]", max_length=20),
    }


def enum(value, param: str, allowed: tuple[str, ...]) -> str:
    text = as_str(value, param)
    if text not in allowed:
        raise invalid_request(
            f"Invalid {param}: must be one of {', '.join(allowed)}", param=param, code="parameter_invalid_string"
        )
    return text


def currency(value, param: str = "currency") -> str | None:
    text = nullable_str(value, param)
    if text is None:
        return None
    if not re.fullmatch(r"[A-Za-z]{3}", text):
        raise invalid_request(f"Invalid currency: {text}", param=param)
    return text.lower()


# -- shared by the billing resources ---------------------------------------------------------
def required(params: dict, key: str, param: str | None = None):
    if key not in params or params[key] in (None, ""):
        raise missing_parameter(param or key)
    return params[key]


def hash_of(value, param: str, allowed: tuple[str, ...] | frozenset[str]) -> dict:
    """A nested hash param whose keys must be among ``allowed``."""
    fields = as_dict(value, param)
    for key in fields:
        if key not in allowed:
            raise unknown_parameter(f"{param}[{key}]")
    return fields


def integer(value, param: str, *, minimum: int | None = None, maximum: int | None = None) -> int:
    number = as_int(value, param)
    if minimum is not None and number < minimum:
        raise invalid_request(f"Invalid {param}: must be at least {minimum}", param=param,
                              code="parameter_invalid_integer")
    if maximum is not None and number > maximum:
        raise invalid_request(f"Invalid {param}: must be at most {maximum}", param=param,
                              code="parameter_invalid_integer")
    return number


def nullable_int(value, param: str, **bounds) -> int | None:
    return None if value == "" else integer(value, param, **bounds)


def decimal(value, param: str, *, minimum=None, maximum=None):
    """A decimal param ("12.5", "19", 7) as ``Decimal``; floats are refused by the form decoder anyway."""
    text = str(value).strip() if isinstance(value, (str, int)) and not isinstance(value, bool) else None
    try:
        number = Decimal(text) if text is not None and re.fullmatch(r"-?\d+(\.\d+)?", text) else None
    except InvalidOperation:
        number = None
    if number is None:
        raise invalid_request(f"Invalid decimal: {value}", param=param, code="parameter_invalid_decimal")
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        raise invalid_request(f"Invalid {param}: must be between {minimum} and {maximum}", param=param)
    return number


def boolean(value, param: str) -> bool:
    return as_bool(value, param)


def str_list(value, param: str) -> list[str]:
    return [as_str(item, f"{param}[{i}]") for i, item in enumerate(as_list(value, param))]


def decimal_string(number) -> str:
    """Stripe's ``*_decimal`` fields: "4900", "12.5" (no exponent, no trailing zeros after the point)."""
    text = format(number, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"
