"""The journal entry (``Journal``): lines as given; debits must equal credits.

REST body: ``tranDate``, ``tranId``, ``currency`` (default the subsidiary's), ``exchangeRate``,
``subsidiary``, ``memo``, ``approved`` and the ``line`` sublist: ``{"account", "debit" | "credit",
"memo", "entity", "custcol_...": ...}``. Each line needs an account and exactly one of debit or
credit, not negative; at least two lines; the rounded debits must equal the credits
(``JE_AMOUNTS_MUST_BALANCE``). ``total`` (computed) = the debits; status ``B`` (Approved).
"""

from __future__ import annotations

from typing import Any

from netsuite_sandbox import errors, ledger
from netsuite_sandbox.money import ZERO, dec, text
from netsuite_sandbox.records import transactions_common as tc
from netsuite_sandbox.records.registry import BOOL, DECIMAL, INTEGER, REF, STRING, SUBLIST, Field

LINE = {
    "account": Field(REF, "Account", ref_type="account"),
    "debit": Field(DECIMAL, "Debit"),
    "credit": Field(DECIMAL, "Credit"),
    "memo": Field(STRING, "Memo", max_length=999),
    "entity": Field(REF, "Name", ref_type="customer"),
    "line": tc.computed(INTEGER, "Line"),
}

FIELDS = {
    "approved": Field(BOOL, "Approved"),
    "line": Field(SUBLIST, "Lines", fields=dict(LINE)),
}


def validate(ctx, body: dict[str, Any], existing) -> dict[str, Any]:
    header = tc.resolve_header(ctx, "journalEntry", body, existing, entity_field=None)
    lines = body.get("line", {}).get("items", [])
    if len(lines) < 2:
        raise tc.business_error("A journal entry needs at least two lines.", "line")
    gl: list[ledger.Line] = []
    debits = credits = ZERO
    for i, line in enumerate(lines):
        where = f"line.items[{i}]"
        if not line.get("account"):
            raise errors.missing_value(f"{where}.account", "Account")
        debit, credit = dec(line.get("debit")), dec(line.get("credit"))
        if (debit is None) == (credit is None) or (debit is not None and debit < 0) or (credit is not None and credit < 0):
            raise errors.invalid_value(where, "Each journal line needs either a debit or a credit (not both), not negative.")
        amount = header.round(debit) if debit is not None else -header.round(credit)
        if debit is not None:
            line["debit"] = text(amount)
            debits += amount
        else:
            line["credit"] = text(-amount)
            credits -= amount
        line["line"] = i
        gl.append(ledger.Line(line["account"]["id"], amount, memo=line.get("memo"),
                              entity=(line.get("entity") or {}).get("id"), custom=tc.custom_line_values(line)))
    if debits != credits:
        raise errors.NetSuiteError(
            400, "JE_AMOUNTS_MUST_BALANCE",
            f"Error while accessing a resource. The debits ({text(debits)}) and credits ({text(credits)}) of a "
            "journal entry must be equal.", path="line")
    body["total"] = text(debits)
    body["status"] = tc.status("journalEntry", "B")
    tc.post(header, body, gl, residual_to_largest=True)
    body["_links"] = []
    return body


JOURNAL_ENTRY = tc.transaction_type("journalEntry", FIELDS, validate, line_sublists=("line",))
