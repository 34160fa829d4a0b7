"""Decoding Stripe-style form bodies and query strings into nested params.

Stripe encodes nested values in key brackets: ``metadata[plan]=pro``,
``shipping[address][city]=Berlin``, ``expand[]=a`` or ``expand[0]=a``. One decoder serves
query strings and form bodies. Every container comes out as a ``dict`` with string keys
(``[]`` appends take the next free numeric key), because a bracketed number is ambiguous:
``expand[0]`` is a list index while ``metadata[0]`` is a metadata key. The resource code
knows which is which and asks for ``as_list`` or ``as_dict``.
"""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qsl

from stripe_sandbox.errors import invalid_request

_KEY = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")
_SEGMENT = re.compile(r"\[([^\[\]]*)\]")


def split_key(key: str) -> list[str]:
    """``a[b][]`` -> ``["a", "b", ""]``; raises a 400 for malformed keys."""
    match = _KEY.match(key)
    if not match:
        raise invalid_request(f"Invalid parameter name: {key}", param=key)
    return [match.group(1), *_SEGMENT.findall(match.group(2))]


def decode_pairs(pairs: list[tuple[str, str]]) -> dict:
    """Turn ``[("metadata[plan]", "pro"), ...]`` into ``{"metadata": {"plan": "pro"}}``."""
    root: dict = {}
    for key, value in pairs:
        segments = split_key(key)
        node = root
        for depth, segment in enumerate(segments):
            last = depth == len(segments) - 1
            if segment == "":
                segment = _next_index(node)
            if last:
                if isinstance(node.get(segment), dict):
                    raise invalid_request(f"Invalid parameter: {key} is both a value and a hash", param=key)
                node[segment] = value
            else:
                child = node.setdefault(segment, {})
                if not isinstance(child, dict):
                    raise invalid_request(f"Invalid parameter: {key} is both a value and a hash", param=key)
                node = child
    return root


def _next_index(node: dict) -> str:
    numeric = [int(k) for k in node if k.isdigit()]
    return str(max(numeric) + 1 if numeric else 0)


def decode_query(query: list[tuple[str, str]]) -> dict:
    return decode_pairs(query)


def decode_form(body: bytes) -> dict:
    if not body:
        return {}
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise invalid_request("Request body is not valid UTF-8") from exc
    return decode_pairs(parse_qsl(text, keep_blank_values=True))


def decode_json_or_form(body: bytes, content_type: str | None) -> dict:
    """Control endpoints accept JSON or a form; JSON wins when it looks like JSON."""
    stripped = body.strip()
    if (content_type or "").startswith("application/json") or stripped.startswith(b"{"):
        if not stripped:
            return {}
        try:
            payload = json.loads(stripped.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise invalid_request(f"Invalid JSON body: {exc}") from exc
        if not isinstance(payload, dict):
            raise invalid_request("The JSON body must be an object")
        return payload
    return decode_form(body)


def as_list(value, param: str) -> list:
    """A decoded list param: ``{"0": a, "1": b}`` (form) or a real list (JSON) -> ``[a, b]``."""
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        if not all(k.isdigit() for k in value):
            raise invalid_request(f"Invalid array: {param} must be an array", param=param)
        return [value[k] for k in sorted(value, key=int)]
    if value == "":
        return []
    raise invalid_request(f"Invalid array: {param} must be an array", param=param)


def as_dict(value, param: str) -> dict:
    if isinstance(value, dict):
        return value
    raise invalid_request(f"Invalid object: {param} must be a hash", param=param)


def as_int(value, param: str) -> int:
    if isinstance(value, bool):
        raise invalid_request(f"Invalid integer: {value}", param=param)
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
        return int(value.strip())
    raise invalid_request(f"Invalid integer: {value}", param=param)


def as_bool(value, param: str) -> bool:
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return value == "true"
    raise invalid_request(f"Invalid boolean: {value}", param=param)


def as_str(value, param: str, *, max_length: int = 5000) -> str:
    if not isinstance(value, str):
        raise invalid_request(f"Invalid string: {param} must be a string", param=param)
    if len(value) > max_length:
        raise invalid_request(
            f"Invalid string: {value[:20]}...; must be at most {max_length} characters", param=param
        )
    return value
