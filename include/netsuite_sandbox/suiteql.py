"""SuiteQL over the projection tables, answered the way NetSuite answers.

The query runs as real SQL (SQLite) on a read-only connection whose authorizer lets it read
only the SuiteQL tables (``customer``, ``currency``, ...): the sandbox's own tables, writes,
PRAGMAs and ATTACH are refused. A few Oracle-isms are translated or provided as functions:

* ``BUILTIN.DF(x)`` -> ``x`` (passthrough), ``SYSDATE`` -> now (UTC),
  ``FETCH FIRST n ROWS ONLY`` -> ``LIMIT n``;
* functions ``TO_CHAR(x[, fmt])``, ``TO_DATE(s[, fmt])``, ``TO_NUMBER``, ``TRUNC``, ``NVL``,
  ``NVL2``, ``CONCAT`` (Oracle format tokens YYYY YY MM MON DD HH24 HH MI SS AM, "quoted text");
* ``LIKE`` is case-sensitive, as in Oracle. ``ROWNUM`` is not supported: page with
  ``limit``/``offset`` instead.
* ``transaction`` (a table, and a column of ``transactionline``) is an SQLite keyword: it is
  quoted for you. ``BUILTIN.DF(status)`` on the ``transaction`` table gives NetSuite's text
  (``Invoice : Paid In Full``); on any other column ``BUILTIN.DF`` is a passthrough.
* ``SUM`` is exact (decimal arithmetic, never float accumulation); money columns are numbers.

Results follow NetSuite: every value is a string, NULLs are left out, column names are
lower-case (unnamed expressions are ``expr1``, ``expr2``, ...), booleans are ``'T'``/``'F'``
and date columns are formatted with the account's date format (default ``M/D/YYYY``, e.g.
``1/31/2024``); use ``TO_CHAR(lastmodifieddate, 'YYYY-MM-DD HH24:MI:SS')`` for full precision.
Errors carry NetSuite's wording: ``INVALID_PARAMETER`` "Invalid search query. Detailed
unprocessed description follows. ..." with ``o:errorQueryParam`` ``q``.
"""

from __future__ import annotations

import re
import sqlite3
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any

from netsuite_sandbox import errors
from netsuite_sandbox.db import Database

MAX_RESULTS = 100_000
_IDENT_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_$#]*$")
_SEGMENT_RE = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|--[^\n]*|/\*.*?\*/", re.S)
_REWRITES = (
    (re.compile(r"\btransaction\b", re.I), '"transaction"'),
    (re.compile(r'\bBUILTIN\s*\.\s*DF\s*\(\s*((?:"?\w+"?\s*\.\s*)?)status\s*\)', re.I), r"builtin_df_status(\1type, \1status)"),
    (re.compile(r"\bBUILTIN\s*\.\s*DF\s*\(", re.I), "builtin_df("),
    (re.compile(r"\bSYSDATE\b", re.I), "datetime('now')"),
    (re.compile(r"\bFETCH\s+(?:FIRST|NEXT)\s+(\d+)\s+ROWS?\s+ONLY\b", re.I), r"LIMIT \1"),
)
_ORACLE_TOKENS = re.compile(
    r'"[^"]*"|YYYY|YY|MONTH|MON|MM|DD|DY|HH24|HH12|HH|MI|SS|AM|PM|FF\d?|.', re.I | re.S
)


class SuiteQL:
    def __init__(self, db: Database, tables: set[str], *, date_format: str = "M/D/YYYY") -> None:
        self.db = db
        self.tables = {t.lower() for t in tables}
        self.date_format = date_format
        self._prepared: set[int] = set()

    # --- public ----------------------------------------------------------------------------
    def rows(self, q: str) -> list[dict[str, str]]:
        """Every result row, formatted as NetSuite returns items (without ``links``)."""
        columns, raw = self._execute(q)
        return [self._format(columns, row) for row in raw]

    def page(self, q: str, limit: int, offset: int) -> tuple[list[dict[str, str]], int]:
        columns, raw = self._execute(q)
        total = min(len(raw), MAX_RESULTS)
        return [self._format(columns, row) for row in raw[offset : min(offset + limit, total)]], total

    # --- translation -----------------------------------------------------------------------
    def translate(self, q: Any) -> str:
        if not isinstance(q, str) or not q.strip():
            raise errors.invalid_search("Search error occurred: the query is empty.")
        out: list[str] = []
        pos = 0
        for match in _SEGMENT_RE.finditer(q):
            out.append(self._rewrite(q[pos : match.start()]))
            token = match.group(0)
            if not token.startswith(("--", "/*")):
                out.append(token)
            else:
                out.append(" ")
            pos = match.end()
        out.append(self._rewrite(q[pos:]))
        sql = "".join(out).strip().rstrip(";").strip()
        first = re.match(r"\(*\s*([A-Za-z]+)", sql)
        if not first or first.group(1).upper() != "SELECT":
            raise errors.invalid_search("Search error occurred: only SELECT statements are supported.")
        return sql

    @staticmethod
    def _rewrite(text: str) -> str:
        if re.search(r"\bROWNUM\b", text, re.I):
            raise errors.invalid_search(
                "Search error occurred: ROWNUM is not supported by the sandbox; page with the limit and offset parameters."
            )
        for pattern, replacement in _REWRITES:
            text = pattern.sub(replacement, text)
        return text

    # --- execution -------------------------------------------------------------------------
    def _execute(self, q: str) -> tuple[list[str], list[tuple]]:
        sql = self.translate(q)
        denied: list[str] = []

        def authorizer(action, arg1, arg2, dbname, source):
            if action in (sqlite3.SQLITE_SELECT, sqlite3.SQLITE_FUNCTION, sqlite3.SQLITE_RECURSIVE):
                return sqlite3.SQLITE_OK
            if action == sqlite3.SQLITE_READ and arg1 and arg1.lower() in self.tables:
                return sqlite3.SQLITE_OK
            denied.append(arg1 or "")
            return sqlite3.SQLITE_DENY

        with self.db.reader() as conn:
            self._prepare(conn)
            conn.set_authorizer(authorizer)
            try:
                cursor = conn.execute(sql)
                raw = cursor.fetchmany(MAX_RESULTS + 1)
                description = cursor.description or ()
            except (sqlite3.Error, ValueError, OverflowError) as exc:
                raise self._error(exc, denied) from None
            finally:
                conn.set_authorizer(None)
        return self._column_names(description), raw

    def _error(self, exc: Exception, denied: list[str]) -> errors.NetSuiteError:
        message = str(exc)
        if "not authorized" in message or "prohibited" in message:
            table = next((name for name in denied if name and name.lower() not in self.tables), None)
            if table:
                return errors.invalid_search(f"Invalid search type: {table}.")
            return errors.invalid_search("Search error occurred: only SELECT statements on SuiteQL tables are supported.")
        if match := re.match(r"no such table: (?:\w+\.)?(\S+)", message):
            return errors.invalid_search(f"Invalid search type: {match.group(1)}.")
        if match := re.match(r"no such column: (\S+)", message):
            return errors.invalid_search(f"Search error occurred: Unknown identifier '{match.group(1)}'.")
        if match := re.match(r"no such function: (\S+)", message):
            return errors.invalid_search(f"Search error occurred: Unknown function '{match.group(1)}'.")
        return errors.invalid_search(f"Search error occurred: Invalid or unsupported search. ({message})")

    def _prepare(self, conn: sqlite3.Connection) -> None:
        if id(conn) in self._prepared:
            return
        conn.create_function("builtin_df", 1, lambda x: x, deterministic=True)
        conn.create_function("builtin_df_status", 2, _status_text, deterministic=True)
        conn.create_aggregate("sum", 1, _ExactSum)
        conn.create_function("nvl", 2, lambda a, b: b if a is None else a, deterministic=True)
        conn.create_function("nvl2", 3, lambda a, b, c: c if a is None else b, deterministic=True)
        conn.create_function("concat", -1, lambda *xs: "".join("" if x is None else str(x) for x in xs), deterministic=True)
        conn.create_function("to_char", 1, lambda x: None if x is None else _plain(x), deterministic=True)
        conn.create_function("to_char", 2, _to_char, deterministic=True)
        conn.create_function("to_date", 1, lambda s: _to_date(s, None), deterministic=True)
        conn.create_function("to_date", 2, _to_date, deterministic=True)
        conn.create_function("to_timestamp", 2, _to_date, deterministic=True)
        conn.create_function("to_number", 1, _to_number, deterministic=True)
        conn.create_function("trunc", 1, _trunc, deterministic=True)
        conn.create_function("trunc", 2, lambda x, _fmt: _trunc(x), deterministic=True)
        self._prepared.add(id(conn))

    # --- formatting ------------------------------------------------------------------------
    @staticmethod
    def _column_names(description) -> list[str]:
        names: list[str] = []
        expr = 0
        for column in description:
            name = column[0]
            if _IDENT_RE.match(name):
                names.append(name.lower())
            else:
                expr += 1
                names.append(f"expr{expr}")
        return names

    def _format(self, columns: list[str], row: tuple) -> dict[str, str]:
        out: dict[str, str] = {}
        for name, value in zip(columns, row):
            text = self.format_value(value)
            if text is not None:
                out[name] = text
        return out

    def format_value(self, value: Any) -> str | None:
        if value is None:
            return None
        if isinstance(value, datetime):
            return _account_date(value.date(), self.date_format)
        if isinstance(value, date):
            return _account_date(value, self.date_format)
        return _plain(value)


# Transaction type and status codes as NetSuite stores them, with the text BUILTIN.DF shows.
TYPE_TEXT = {"CustInvc": "Invoice", "CustCred": "Credit Memo", "CustPymt": "Payment",
             "CustRfnd": "Customer Refund", "Deposit": "Deposit", "Journal": "Journal"}
STATUS_TEXT = {
    ("CustInvc", "A"): "Open", ("CustInvc", "B"): "Paid In Full",
    ("CustCred", "A"): "Open", ("CustCred", "B"): "Fully Applied",
    ("CustPymt", "B"): "Not Deposited", ("CustPymt", "C"): "Deposited",
    ("Journal", "B"): "Approved for Posting",
}


def _status_text(tran_type: Any, status: Any) -> str | None:
    if status is None:
        return None
    text = STATUS_TEXT.get((tran_type, status))
    if text is None:
        return status
    return f"{TYPE_TEXT.get(tran_type, tran_type)} : {text}"


class _ExactSum:
    """SUM without float accumulation: every value is added as a Decimal."""

    def __init__(self) -> None:
        self.total = Decimal(0)
        self.seen = False

    def step(self, value: Any) -> None:
        if value is None:
            return
        try:
            self.total += Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value))
        except ArithmeticError:
            raise ValueError(f"SUM of a non-number: {value!r}") from None
        self.seen = True

    def finalize(self) -> Any:
        if not self.seen:
            return None
        if self.total == self.total.to_integral_value():
            return int(self.total)
        return float(self.total)


def _plain(value: Any) -> str:
    if isinstance(value, bool):
        return "T" if value else "F"
    if isinstance(value, float):
        text = format(Decimal(repr(value)), "f")
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        return text
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def _account_date(day: date, fmt: str) -> str:
    tokens = {"YYYY": f"{day.year:04d}", "MM": f"{day.month:02d}", "DD": f"{day.day:02d}",
              "M": str(day.month), "D": str(day.day)}
    return re.sub(r"YYYY|MM|DD|M|D", lambda m: tokens[m.group(0)], fmt)


def _parse_moment(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, (int, float)):
        return None
    text = str(value).strip().replace("Z", "")
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    for fmt in ("%m/%d/%Y %H:%M:%S", "%m/%d/%Y %I:%M %p", "%m/%d/%Y"):
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None


def _to_char(value: Any, fmt: Any) -> str | None:
    if value is None:
        return None
    moment = _parse_moment(value)
    if moment is None or fmt is None:
        return _plain(value)
    out: list[str] = []
    for token in _ORACLE_TOKENS.findall(str(fmt)):
        upper = token.upper()
        if token.startswith('"'):
            out.append(token[1:-1])
        elif upper == "YYYY":
            out.append(f"{moment.year:04d}")
        elif upper == "YY":
            out.append(f"{moment.year % 100:02d}")
        elif upper == "MONTH":
            out.append(moment.strftime("%B").upper() if token.isupper() else moment.strftime("%B"))
        elif upper == "MON":
            out.append(moment.strftime("%b").upper() if token.isupper() else moment.strftime("%b"))
        elif upper == "MM":
            out.append(f"{moment.month:02d}")
        elif upper == "DD":
            out.append(f"{moment.day:02d}")
        elif upper == "DY":
            out.append(moment.strftime("%a").upper())
        elif upper == "HH24":
            out.append(f"{moment.hour:02d}")
        elif upper in ("HH", "HH12"):
            out.append(f"{(moment.hour % 12) or 12:02d}")
        elif upper == "MI":
            out.append(f"{moment.minute:02d}")
        elif upper == "SS":
            out.append(f"{moment.second:02d}")
        elif upper in ("AM", "PM"):
            out.append("AM" if moment.hour < 12 else "PM")
        elif upper.startswith("FF"):
            digits = int(upper[2:] or 6)
            out.append(f"{moment.microsecond:06d}"[:digits].ljust(digits, "0"))
        else:
            out.append(token)
    return "".join(out)


def _to_date(value: Any, fmt: Any) -> str | None:
    """Parse with an Oracle format; return the sortable text the projection tables store."""
    if value is None:
        return None
    text = str(value).strip()
    if fmt is None:
        moment = _parse_moment(text)
        if moment is None:
            raise ValueError(f"cannot parse date {text!r}")
    else:
        pattern = []
        for token in _ORACLE_TOKENS.findall(str(fmt)):
            upper = token.upper()
            pattern.append({
                "YYYY": "%Y", "YY": "%y", "MM": "%m", "MON": "%b", "MONTH": "%B", "DD": "%d",
                "HH24": "%H", "HH": "%I", "HH12": "%I", "MI": "%M", "SS": "%S", "AM": "%p", "PM": "%p",
            }.get(upper, token[1:-1] if token.startswith('"') else token.replace("%", "%%")))
        moment = datetime.strptime(text, "".join(pattern))
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def _to_number(value: Any) -> Any:
    if value is None or isinstance(value, (int, float)):
        return value
    number = Decimal(str(value).strip())
    return int(number) if number == number.to_integral_value() else float(number)


def _trunc(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, (int, float)):
        return int(value)
    moment = _parse_moment(value)
    if moment is None:
        return _trunc(_to_number(value))
    return moment.strftime("%Y-%m-%d 00:00:00")
