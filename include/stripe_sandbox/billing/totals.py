"""Sums of an invoice or credit note from its computed lines.

``total = Σ line amounts − Σ discounts + Σ exclusive tax`` (inclusive tax is already in the line
amounts). ``subtotal`` is the sum of line amounts; the ``*_excluding_tax`` figures take all tax
out. Discounts and taxes are also summed per discount / per (tax rate, behaviour, reason).
"""

from __future__ import annotations


def pretax_credits(discount_amounts: list[dict]) -> list[dict]:
    """The basil ``pretax_credit_amounts`` view of discount amounts."""
    return [
        {"amount": d["amount"], "credit_balance_transaction": None, "discount": d["discount"], "type": "discount"}
        for d in discount_amounts
    ]


def summarize(lines: list[dict]) -> dict:
    subtotal = sum(line["amount"] for line in lines)
    discounts: dict[str, int] = {}
    taxes: dict[tuple, dict] = {}
    exclusive = inclusive = 0
    for line in lines:
        for item in line.get("discount_amounts") or []:
            discounts[item["discount"]] = discounts.get(item["discount"], 0) + item["amount"]
        for tax in line.get("taxes") or []:
            key = (tax["tax_rate_details"]["tax_rate"], tax["tax_behavior"], tax["taxability_reason"])
            bucket = taxes.setdefault(key, {**tax, "amount": 0, "taxable_amount": 0,
                                            "tax_rate_details": dict(tax["tax_rate_details"])})
            bucket["amount"] += tax["amount"]
            bucket["taxable_amount"] += tax["taxable_amount"] or 0
            if tax["tax_behavior"] == "inclusive":
                inclusive += tax["amount"]
            else:
                exclusive += tax["amount"]
    discount_total = sum(discounts.values())
    total = subtotal - discount_total + exclusive
    discount_list = [{"amount": amount, "discount": discount} for discount, amount in discounts.items()]
    return {
        "subtotal": subtotal,
        "subtotal_excluding_tax": subtotal - inclusive,
        "discount_total": discount_total,
        "total_discount_amounts": discount_list,
        "total_pretax_credit_amounts": pretax_credits(discount_list),
        "total_taxes": list(taxes.values()),
        "exclusive_tax": exclusive,
        "inclusive_tax": inclusive,
        "total": total,
        "total_excluding_tax": total - exclusive - inclusive,
    }
