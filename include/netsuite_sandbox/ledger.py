"""The general ledger: every posting transaction writes balanced lines.

A transaction type describes its effect as ``Line``s with signed amounts in the transaction
currency (debit positive, credit negative) that sum to zero. ``post`` converts each line to the
base (subsidiary) currency at the transaction's exchange rate, rounded half up to the base
precision, and makes the base amounts balance too:

* lines with a preset base amount keep it (a deposit credits Undeposited Funds with exactly the
  base amount each payment debited there); the difference, if any, goes to the exchange
  gain/loss account the transaction names (a deposit: Unrealized Matching Gain/Loss, see
  ``records/deposit.py``);
* otherwise a rounding difference (a cent from converting several lines) is put on the main
  line (AR, bank, ...) or, for journals, on the largest line.

A line may hold money of another currency than its transaction's (``currency`` and ``foreign``):
a deposit's line for a payment in another currency states the amount in the deposit's currency
(``amount``, what the lines balance on) and clears the payment's own amount in the payment's
currency (``foreign``). Such a line is stored with ``"currency"`` and ``"foreign"`` besides
``"amount"`` and ``"base"``.

The result is stored with the transaction (``_lines`` in its body) and projected into the
SuiteQL tables ``transactionline`` (foreign amounts, in the transaction's currency) and
``transactionaccountingline`` (base amounts, one row per line, accounting book 1; the
sandbox-only ``currency`` and ``foreign*`` columns give each line's money in the currency it
is held in, so a per-currency balance of an account is exact even across a cross-currency
deposit). ``trial_balance`` and ``account_balance`` read those rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from netsuite_sandbox.money import ZERO, dec, round_money, text


@dataclass
class Line:
    account: str | None  # internal id of the GL account; None for lines that do not post
    amount: Decimal  # signed, transaction currency: debit > 0, credit < 0
    mainline: bool = False
    taxline: bool = False
    item: str | None = None
    quantity: Decimal | None = None
    rate: str | None = None
    memo: str | None = None
    entity: str | None = None
    custom: dict[str, Any] = field(default_factory=dict)  # custcol values of the source line
    base: Decimal | None = None  # preset base amount (see module doc)
    currency: str | None = None  # the currency of ``foreign`` when not the transaction's
    foreign: Decimal | None = None  # signed amount in ``currency`` (see module doc)


class Unbalanced(ValueError):
    pass


def post(lines: list[Line], rate: Decimal, base_precision: int, fx_account: str | None = None,
         *, residual_to_largest: bool = False, fx_memo: str = "Exchange gain/loss") -> list[dict[str, Any]]:
    """Balanced lines, as stored in ``_lines``: mainline first (line 0), then 1, 2, ..."""
    foreign_sum = sum((line.amount for line in lines), ZERO)
    if foreign_sum != ZERO:
        raise Unbalanced(f"debits and credits differ by {foreign_sum}")
    bases: list[Decimal] = []
    for line in lines:
        bases.append(line.base if line.base is not None else round_money(line.amount * rate, base_precision))
    residual = sum(bases, ZERO)
    lines = list(lines)
    if residual != ZERO:
        if fx_account and any(line.base is not None for line in lines):
            lines.append(Line(fx_account, ZERO, memo=fx_memo))
            bases.append(-residual)
        else:
            candidates = [i for i, line in enumerate(lines) if line.mainline and line.account]
            if residual_to_largest or not candidates:
                candidates = sorted(range(len(lines)), key=lambda i: abs(bases[i]), reverse=True)[:1]
            bases[candidates[0]] -= residual
    ordered = sorted(range(len(lines)), key=lambda i: 0 if lines[i].mainline else 1)
    out = []
    for number, i in enumerate(ordered):
        line = lines[i]
        out.append({
            "line": number,
            "mainline": line.mainline,
            "taxline": line.taxline,
            "account": line.account,
            "amount": text(line.amount),
            "base": text(bases[i]),
            "item": line.item,
            "quantity": text(line.quantity),
            "rate": line.rate,
            "memo": line.memo,
            "entity": line.entity,
            **({"custom": line.custom} if line.custom else {}),
            **({"currency": line.currency, "foreign": text(line.foreign)} if line.currency else {}),
        })
    return out


def line_rows(record_id: int, lines: list[dict[str, Any]], subsidiary: int | None) -> list[dict[str, Any]]:
    """``transactionline`` rows of one transaction."""
    rows = []
    for line in lines:
        amount = dec(line["amount"], ZERO)
        rows.append({
            "transaction": record_id,
            "id": line["line"],
            "linesequencenumber": line["line"],
            "mainline": "T" if line["mainline"] else "F",
            "taxline": "T" if line["taxline"] else "F",
            "item": _int(line.get("item")),
            "quantity": line.get("quantity"),
            "rate": line.get("rate"),
            "foreignamount": text(amount),
            "debitforeignamount": text(amount) if amount > 0 else None,
            "creditforeignamount": text(-amount) if amount < 0 else None,
            "netamount": line["base"],
            "memo": line.get("memo"),
            "entity": _int(line.get("entity")),
            "account": _int(line.get("account")),
            "subsidiary": subsidiary,
            **(line.get("custom") or {}),
        })
    return rows


def accounting_rows(record_id: int, lines: list[dict[str, Any]], modified: str,
                    currency: int | None = None) -> list[dict[str, Any]]:
    """``transactionaccountingline`` rows: base-currency debit/credit per posting line, and
    (sandbox-only) the line's money in the currency it is held in: the transaction's
    (``currency``) unless the line names its own."""
    rows = []
    for line in lines:
        if not line.get("account"):
            continue
        base = dec(line["base"], ZERO)
        own = line.get("currency") is not None
        amount = dec(line["foreign"] if own else line["amount"], ZERO)
        rows.append({
            "transaction": record_id,
            "transactionline": line["line"],
            "accountingbook": 1,
            "account": int(line["account"]),
            "debit": text(base) if base > 0 else None,
            "credit": text(-base) if base < 0 else None,
            "amount": text(base),
            "netamount": text(base),
            "posting": "T",
            "foreigndebit": text(amount) if amount > 0 else None,
            "foreigncredit": text(-amount) if amount < 0 else None,
            "foreignamount": text(amount),
            "currency": _int(line["currency"]) if own else currency,
            "lastmodifieddate": modified,
        })
    return rows


def _int(value: Any) -> int | None:
    return int(value) if value not in (None, "") and str(value).lstrip("-").isdigit() else None


# --- reading the ledger ------------------------------------------------------------------


def trial_balance(conn) -> list[dict[str, Any]]:
    """Per account: base-currency debits, credits and balance (debit positive), exact."""
    accounts = {row["id"]: row for row in conn.execute("SELECT id, acctnumber, acctname, accttype FROM account")}
    totals: dict[int, list[Decimal]] = {}
    for row in conn.execute('SELECT account, debit, credit FROM "transactionaccountingline"'):
        entry = totals.setdefault(row["account"], [ZERO, ZERO])
        entry[0] += dec(row["debit"], ZERO)
        entry[1] += dec(row["credit"], ZERO)
    out = []
    for account_id in sorted(totals):
        debit, credit = totals[account_id]
        info = accounts.get(account_id)
        out.append({
            "account": account_id,
            "acctnumber": info["acctnumber"] if info else None,
            "acctname": info["acctname"] if info else None,
            "accttype": info["accttype"] if info else None,
            "debit": debit, "credit": credit, "balance": debit - credit,
        })
    return out


def account_balance(conn, account_id: int, currency_id: int | None = None) -> Decimal:
    """Base-currency balance (debit positive); with ``currency_id``, the balance of the money held
    in that currency: the lines' amounts in the currency each line is held in (its transaction's,
    or its own for a deposit line clearing a payment in another currency), so Undeposited Funds
    nets to zero per currency once a deposit in another currency takes a payment."""
    if currency_id is None:
        rows = conn.execute('SELECT amount FROM "transactionaccountingline" WHERE account = ?', (account_id,))
        return sum((dec(row["amount"], ZERO) for row in rows), ZERO)
    rows = conn.execute(
        'SELECT foreignamount AS amount FROM "transactionaccountingline" WHERE account = ? AND currency = ?',
        (account_id, currency_id),
    )
    return sum((dec(row["amount"], ZERO) for row in rows), ZERO)
