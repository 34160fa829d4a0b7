"""JSON with exact decimals both ways: ``Decimal`` goes out as a JSON number, numbers come back as ``Decimal``.

The standard encoder only writes floats as numbers; money must never pass through float.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

_MARK = "\u0000dec:"
_MARKED = re.compile(r'"\\u0000dec:(-?[0-9]+(?:\.[0-9]+)?)"')


def _mark(value: Any) -> Any:
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"cannot send non-finite amount {value}")
        return f"{_MARK}{value:f}"
    if isinstance(value, float):
        raise TypeError(f"refusing to send float {value!r} as money; use Decimal")
    if isinstance(value, dict):
        return {k: _mark(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_mark(v) for v in value]
    return value


def dumps(payload: Any) -> str:
    return _MARKED.sub(r"\1", json.dumps(_mark(payload), separators=(",", ":")))


def loads(text: str | bytes) -> Any:
    return json.loads(text, parse_float=Decimal)
