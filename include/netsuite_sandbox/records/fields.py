"""Checking and normalising an incoming REST body against a record type's field list.

Generic rules, the same for every record type (type-specific rules live in the type's
``validate``): unknown field names, including custom fields nobody created, are refused
(``INVALID_FIELD``), each value must have its
field's JSON type and format (``INVALID_FLD_VALUE``), and references are resolved to
``{"id": "<internal id>"}`` and must point at an existing, active record (``INVALID_KEY_OR_REF``).
A ``null`` value clears the field.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from netsuite_sandbox import errors
from netsuite_sandbox.records.registry import (
    BOOL, COUNTRY, DATE, DECIMAL, EMAIL, IGNORED, INTEGER, OPAQUE_REF, PHONE, RATE, REF, STRING,
    SUBLIST, SUBRECORD, Field,
)

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
# ISO 3166-1 alpha-2, plus XK (Kosovo), which Stripe and NetSuite both accept.
COUNTRIES = frozenset(
    """AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ
    BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO
    DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU
    GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW
    KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU
    MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW
    PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF
    TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS XK YE YT
    ZA ZM ZW""".split()
)

# Keys every body or sublist line may carry and that are dropped: output echoed back by clients.
ALWAYS_IGNORED = frozenset({"links"})

Resolver = Callable[[Field, Any, str], dict[str, str]]  # (field, value, path) -> {"id": "..."}


def normalize(
    fields: dict[str, Field],
    body: Any,
    resolve: Resolver,
    *,
    custom_prefixes: tuple[str, ...] = (),
    path: str = "",
    lenient_names: bool = False,
) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise errors.invalid_content(f"Expected a JSON object{' at ' + path if path else ''}.")
    out: dict[str, Any] = {}
    for name, value in body.items():
        where = f"{path}.{name}" if path else name
        if name in ALWAYS_IGNORED:
            continue
        spec = fields.get(name)
        if spec is None:
            if lenient_names:
                continue
            if custom_prefixes and name.startswith(custom_prefixes):
                raise errors.invalid_field(
                    where, f"Custom field '{name}' does not exist on this record type; create it in the account first."
                )
            raise errors.invalid_field(where)
        if spec.kind == IGNORED or spec.computed:
            continue
        if spec.read_only:
            raise errors.invalid_field(where, f"Field '{where}' is read-only.")
        out[name] = None if value is None else _value(spec, value, where, resolve, lenient_names)
    return out


def _value(spec: Field, value: Any, where: str, resolve: Resolver, lenient: bool) -> Any:
    kind = spec.kind
    if kind in (STRING, EMAIL, PHONE, COUNTRY):
        if not isinstance(value, str):
            raise errors.invalid_value(where, f"Invalid value for field '{where}': expected a string.")
        if spec.max_length is not None and len(value) > spec.max_length:
            raise errors.invalid_value(
                where, f"The field {where} contained more than the maximum number ( {spec.max_length} ) of characters allowed."
            )
        if kind == EMAIL and value and not EMAIL_RE.match(value):
            raise errors.invalid_value(where, f"Invalid Field Value {value} for the following field: {where}. Enter a valid email address.")
        if kind == PHONE and value and sum(ch.isdigit() for ch in value) < 7:
            raise errors.invalid_value(where, "Phone number should have seven digits or more.")
        if kind == COUNTRY and value not in COUNTRIES:
            raise errors.invalid_value(where, f"Invalid Field Value {value} for the following field: {where}. Use an ISO 3166-1 alpha-2 country code such as \"US\".")
        return value
    if kind == BOOL:
        if not isinstance(value, bool):
            raise errors.invalid_value(where, f"Invalid value for field '{where}': expected true or false.")
        return value
    if kind == INTEGER:
        if isinstance(value, bool) or not isinstance(value, int):
            raise errors.invalid_value(where, f"Invalid value for field '{where}': expected an integer.")
        return value
    if kind == DECIMAL:
        return _decimal(value, where)
    if kind == RATE:
        if isinstance(value, str) and value.strip().endswith("%"):
            _decimal(value.strip()[:-1].strip(), where)
            return value.strip()
        return _decimal(value, where)
    if kind == DATE:
        if not isinstance(value, str):
            raise errors.invalid_value(where, f"Invalid value for field '{where}': expected a date YYYY-MM-DD.")
        try:
            return date.fromisoformat(value[:10]).isoformat()
        except ValueError:
            raise errors.invalid_value(where, f"Invalid date value {value} for field '{where}'.") from None
    if kind == REF:
        if spec.scalar_ref and (isinstance(value, int) and not isinstance(value, bool) or isinstance(value, str)):
            value = {"id": str(value)}
        return resolve(spec, value, where)
    if kind == OPAQUE_REF:
        if not isinstance(value, dict) or "id" not in value:
            raise errors.invalid_value(where, f"Invalid value for field '{where}': expected an object with an id.")
        return {"id": str(value["id"])}
    if kind == SUBRECORD:
        return normalize(spec.fields or {}, value, resolve, path=where, lenient_names=lenient)
    if kind == SUBLIST:
        if not isinstance(value, dict) or not isinstance(value.get("items", []), list):
            raise errors.invalid_value(where, f"Invalid value for sublist '{where}': expected {{\"items\": [...]}}.")
        items = value.get("items", [])
        return {
            "items": [
                normalize(spec.fields or {}, item, resolve, path=f"{where}.items[{i}]", lenient_names=lenient)
                for i, item in enumerate(items)
            ]
        }
    raise AssertionError(f"unknown field kind {kind!r}")


def _decimal(value: Any, where: str) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, Decimal, str)):
        raise errors.invalid_value(where, f"Invalid value for field '{where}': expected a number.")
    try:
        number = Decimal(value) if not isinstance(value, Decimal) else value
    except InvalidOperation:
        raise errors.invalid_value(where, f"Invalid number {value!r} for field '{where}'.") from None
    if not number.is_finite():
        raise errors.invalid_value(where, f"Invalid number {value!r} for field '{where}'.")
    return str(number)
