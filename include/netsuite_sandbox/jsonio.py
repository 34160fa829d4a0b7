"""JSON in and out without floats: numbers are read as ``Decimal`` and written digit for digit."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

from sandbox_kit import Response

from netsuite_sandbox import errors

_MARK = "\u0000num:"
_MARK_RE = re.compile(r'"\\u0000num:([-0-9.Ee+]+)"')


def loads(raw: bytes) -> Any:
    if not raw or not raw.strip():
        return None
    try:
        return json.loads(raw.decode("utf-8"), parse_float=Decimal)
    except (UnicodeDecodeError, ValueError) as exc:
        raise errors.invalid_content(f"The request body is not valid JSON: {exc}.") from None


def _mark(value: Any) -> Any:
    if isinstance(value, Decimal):
        return _MARK + (format(value, "f") if value.is_finite() else "0")
    if isinstance(value, dict):
        return {k: _mark(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_mark(v) for v in value]
    return value


def dumps(payload: Any) -> bytes:
    text = json.dumps(_mark(payload), separators=(",", ":"))
    return _MARK_RE.sub(lambda m: m.group(1), text).encode("utf-8")


def response(payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(status, dumps(payload), {"Content-Type": "application/json; charset=UTF-8", **(headers or {})})
