"""List filter builders: ``params -> predicate(record)`` (or ``None`` when the param is absent)."""

from __future__ import annotations

from collections.abc import Callable

from stripe_sandbox.forms import as_bool, as_list, as_str
from stripe_sandbox.listing import in_range, parse_range
from stripe_sandbox.store import Record

Getter = Callable[[Record], object]


def _field(path: str) -> Getter:
    """The value at a dotted path of a record's data (``None`` when missing); the top-level key is read
    with ``Record.field`` (a rendered record answers it without rendering the whole object)."""
    first, *rest = path.split(".")

    def get(record: Record):
        value = record.field(first)
        for key in rest:
            if not isinstance(value, dict):
                return None
            value = value.get(key)
        return value

    return get


def equals(param: str, path: str | None = None):
    """``param=value`` matches records whose field (dotted ``path``, default ``param``) equals value."""
    get = _field(path or param)

    def build(params: dict):
        if param not in params:
            return None
        value = as_str(params[param], param)
        return lambda record: get(record) == value

    return build


def boolean(param: str, path: str | None = None):
    get = _field(path or param)

    def build(params: dict):
        if param not in params:
            return None
        value = as_bool(params[param], param)
        return lambda record: bool(get(record)) == value

    return build


def time_range(param: str, path: str | None = None):
    """``param=ts`` or ``param[gte]=ts`` on an integer field."""
    get = _field(path or param)

    def build(params: dict):
        if param not in params:
            return None
        bounds = parse_range(params[param], param)
        return lambda record: isinstance(get(record), int) and in_range(get(record), bounds)

    return build


def one_of(param: str, path: str | None = None):
    """``param[]=a&param[]=b``: the field is one of the values."""
    get = _field(path or param)

    def build(params: dict):
        if param not in params:
            return None
        values = {as_str(v, param) for v in as_list(params[param], param)}
        return lambda record: get(record) in values

    return build


def extra(param: str, key: str):
    """Match on resource-private state (``Record.extra``), e.g. the payout a transaction went out in."""

    def build(params: dict):
        if param not in params:
            return None
        value = as_str(params[param], param)
        return lambda record: record.extra.get(key) == value

    return build


def field_predicate(check: Callable[[dict, object], bool], param: str, key: str):
    """A custom filter on one top-level field: ``check(params, value)`` once ``param`` is given."""

    def build(params: dict):
        if param not in params:
            return None
        return lambda record: check(params, record.field(key))

    return build


def predicate(check: Callable[[dict, dict], bool], param: str):
    """A custom filter: ``check(params, data)`` once ``param`` is given."""

    def build(params: dict):
        if param not in params:
            return None
        return lambda record: check(params, record.data)

    return build


__all__ = ["equals", "boolean", "time_range", "one_of", "extra", "predicate", "Record"]
