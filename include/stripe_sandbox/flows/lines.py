"""Invoice lines: what an invoice bills (its *sources*) and the line objects computed from them.

A source is an invoice item or one subscription item's period. A draft invoice recomputes its
lines from its sources whenever something changes (discounts per line, then tax per line, see
``billing``); finalizing freezes them. Line IDs stay stable across recomputations.
"""

from __future__ import annotations

from stripe_sandbox.billing.discounts import DiscountLine, line_discounts
from stripe_sandbox.billing.tax import line_taxes
from stripe_sandbox.billing.totals import pretax_credits
from stripe_sandbox.resources.tax_rates import as_rate

PAGE = 10  # lines embedded in the invoice object; the rest via GET /v1/invoices/{id}/lines


def parent_for_item(item: dict) -> dict:
    """The line ``parent`` for an invoice item (prorations of a subscription point at its item)."""
    sub_details = (item.get("parent") or {}).get("subscription_details") or {}
    credited = ((item.get("proration_details") or {}).get("credited_items") or {}).get("invoice_line_item_details")
    proration = {"credited_items": dict(credited) if credited else None}
    if sub_details.get("subscription_item"):
        return {
            "invoice_item_details": None,
            "subscription_item_details": {
                "invoice_item": item["id"],
                "proration": item["proration"],
                "proration_details": proration,
                "subscription": sub_details.get("subscription"),
                "subscription_item": sub_details["subscription_item"],
            },
            "type": "subscription_item_details",
        }
    return {
        "invoice_item_details": {
            "invoice_item": item["id"],
            "proration": item["proration"],
            "proration_details": proration,
            "subscription": sub_details.get("subscription"),
        },
        "subscription_item_details": None,
        "type": "invoice_item_details",
    }


def source_from_item(item: dict, line_id: str) -> dict:
    price_details = item["pricing"]["price_details"] if item.get("pricing") else None
    return {
        "key": item["id"],
        "line_id": line_id,
        "amount": item["amount"],
        "description": item["description"],
        "discountable": item["discountable"],
        "discounts": list(item.get("discounts") or []),
        "tax_rates": [rate["id"] for rate in item.get("tax_rates") or []],
        "period": dict(item["period"]),
        "price": price_details["price"] if price_details else None,
        "product": price_details["product"] if price_details else None,
        "unit_amount_decimal": item["pricing"]["unit_amount_decimal"] if item.get("pricing") else None,
        "quantity": item["quantity"],
        "parent": parent_for_item(item),
        "metadata": dict(item.get("metadata") or {}),
        "subscription": ((item.get("parent") or {}).get("subscription_details") or {}).get("subscription"),
    }


def source_from_subscription_item(sub_item: dict, subscription: dict, line_id: str, amount: int, period: dict,
                                  description: str) -> dict:
    price = sub_item["price"]
    return {
        "key": f"{sub_item['id']}:{period['start']}",
        "line_id": line_id,
        "amount": amount,
        "description": description,
        "discountable": True,
        "discounts": list(sub_item.get("discounts") or []),
        "tax_rates": [rate["id"] for rate in sub_item.get("tax_rates") or []],
        "period": dict(period),
        "price": price["id"],
        "product": price["product"],
        "unit_amount_decimal": price["unit_amount_decimal"],
        "quantity": sub_item["quantity"],
        "parent": {
            "invoice_item_details": None,
            "subscription_item_details": {
                "invoice_item": None,
                "proration": False,
                "proration_details": {"credited_items": None},
                "subscription": subscription["id"],
                "subscription_item": sub_item["id"],
            },
            "type": "subscription_item_details",
        },
        "metadata": dict(sub_item.get("metadata") or {}),
        "subscription": subscription["id"],
    }


def build_lines(invoice: dict, sources: list[dict], state) -> list[dict]:
    """Line objects for ``sources``: discounts per line (line then invoice discounts), then taxes."""
    currency = invoice["currency"]
    discounts = state.resources["discount"]
    rates = state.resources["tax_rate"]
    tax_exempt = invoice.get("customer_tax_exempt") or "none"
    applied = line_discounts(
        [DiscountLine(s["line_id"], s["amount"], s["discountable"], s["product"], s["discounts"]) for s in sources],
        list(invoice.get("discounts") or []),
        discounts.coupon_of,
        currency,
    )
    default_rates = [rate["id"] for rate in invoice.get("default_tax_rates") or []]
    lines = []
    for source in sources:
        discount_amounts = applied[source["line_id"]]
        base = source["amount"] - sum(d["amount"] for d in discount_amounts)
        rate_ids = source["tax_rates"] or default_rates
        taxes = line_taxes(base, [as_rate(rates.record(r).data) for r in rate_ids], currency, tax_exempt)
        lines.append(line_object(invoice["id"], currency, source, discount_amounts, taxes))
    return lines


def line_object(invoice_id: str, currency: str, source: dict, discount_amounts: list[dict], taxes: list[dict]) -> dict:
    price_details = {"price": source["price"], "product": source["product"]} if source["price"] else None
    return {
        "id": source["line_id"],
        "object": "line_item",
        "amount": source["amount"],
        "currency": currency,
        "description": source["description"],
        "discount_amounts": discount_amounts,
        "discountable": source["discountable"],
        "discounts": list(source["discounts"]),
        "invoice": invoice_id,
        "livemode": False,
        "metadata": dict(source["metadata"]),
        "parent": source["parent"],
        "period": dict(source["period"]),
        "pretax_credit_amounts": pretax_credits(discount_amounts),
        "pricing": {
            "price_details": price_details,
            "type": "price_details",
            "unit_amount_decimal": source["unit_amount_decimal"],
        },
        "quantity": source["quantity"],
        "quantity_decimal": str(source["quantity"]),
        "subscription": source["subscription"],
        "subtotal": source["amount"],
        "taxes": taxes,
    }


def embedded_page(invoice_id: str, lines: list[dict]) -> dict:
    return {"object": "list", "data": lines[:PAGE], "has_more": len(lines) > PAGE,
            "url": f"/v1/invoices/{invoice_id}/lines"}
