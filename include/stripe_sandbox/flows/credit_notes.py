"""What a credit note credits, computed from its invoice (shared by create and preview).

Lines: ``invoice_line_item`` lines credit a share of an invoice line (``quantity`` of its
quantity, or an ``amount``; neither = the whole line): its discounts in proportion and its tax
rates recomputed on the credited base; ``custom_line_item`` lines credit ``unit_amount ×
quantity`` with optional ``tax_rates``. A credit note with only ``amount`` is one custom line of
that amount. Totals as for invoices (``billing.totals``).

Allocation: on an open invoice the credit first reduces what is still due (``pre_payment_amount``);
anything beyond, or any credit on a paid invoice, is ``post_payment_amount`` and must be given out
as ``refund_amount`` (a refund of the invoice's charge), existing ``refunds[]``, ``credit_amount``
(customer balance) or ``out_of_band_amount``; by default it goes to the customer balance.
"""

from __future__ import annotations

from decimal import Decimal, localcontext

from stripe_sandbox.billing import currency as money_currency
from stripe_sandbox.billing.money import round_minor
from stripe_sandbox.billing.tax import line_taxes
from stripe_sandbox.billing.totals import pretax_credits, summarize
from stripe_sandbox.errors import invalid_request
from stripe_sandbox.flows import invoicing
from stripe_sandbox.forms import as_dict, as_list, as_str
from stripe_sandbox.resources import params as p
from stripe_sandbox.resources.tax_rates import as_rate

LINE_KEYS = ("type", "invoice_line_item", "quantity", "amount", "description", "tax_rates", "unit_amount",
             "unit_amount_decimal", "metadata", "tax_amounts")
CREDITABLE = ("open", "paid", "uncollectible")


def _share(value: int, numerator: int, denominator: int, currency: str) -> int:
    with localcontext() as ctx:
        ctx.prec = 50
        return round_minor(Decimal(value) * numerator / denominator, currency)


class Computed:
    """The credit note's lines and sums before anything is stored."""

    def __init__(self, lines: list[dict], sums: dict, pre: int, post: int, refund_amount: int, credit_amount: int,
                 out_of_band: int, linked_refunds: list[dict]) -> None:
        self.lines = lines
        self.sums = sums
        self.pre = pre
        self.post = post
        self.refund_amount = refund_amount
        self.credit_amount = credit_amount
        self.out_of_band = out_of_band
        self.linked_refunds = linked_refunds


def compute(state, invoice_record, params: dict, new_line_id) -> Computed:
    invoice = invoice_record.data
    if invoice["status"] not in CREDITABLE:
        raise invalid_request(f"Credit notes can only be issued for open, paid or uncollectible invoices; this one is "
                              f"{invoice['status']}.", param="invoice", code="invoice_not_editable")
    invoicing.refuse_while_processing(state, invoice_record, "issue a credit note for it")
    currency = invoice["currency"]
    rates = state.resources["tax_rate"]
    by_id = {line["id"]: line for line in invoice_record.extra["lines"]}
    credited = dict(invoice_record.extra.get("credited", {}))
    lines = []
    given = as_list(params["lines"], "lines") if params.get("lines") not in (None, "") else []
    if not given:
        amount = p.integer(p.required(params, "amount", "lines"), "amount", minimum=1)
        given = [{"type": "custom_line_item", "unit_amount": amount, "quantity": 1, "description": "Credit"}]
    for index, raw in enumerate(given):
        param = f"lines[{index}]"
        fields = p.hash_of(as_dict(raw, param), param, LINE_KEYS)
        kind = p.enum(p.required(fields, "type", f"{param}[type]"), f"{param}[type]",
                      ("invoice_line_item", "custom_line_item"))
        if kind == "invoice_line_item":
            line_id = as_str(p.required(fields, "invoice_line_item", f"{param}[invoice_line_item]"),
                             f"{param}[invoice_line_item]")
            if line_id not in by_id:
                raise invalid_request(f"No such invoice line item: {line_id} on invoice {invoice['id']}",
                                      param=f"{param}[invoice_line_item]")
            source = by_id[line_id]
            quantity = source["quantity"] or 1
            if fields.get("amount") not in (None, ""):
                amount = p.integer(fields["amount"], f"{param}[amount]", minimum=0)
                numerator, denominator = amount, source["amount"] or 1
                quantity = p.integer(fields.get("quantity", quantity), f"{param}[quantity]", minimum=0)
            elif fields.get("quantity") not in (None, ""):
                quantity = p.integer(fields["quantity"], f"{param}[quantity]", minimum=1,
                                     maximum=source["quantity"] or 1)
                numerator, denominator = quantity, source["quantity"] or 1
                amount = _share(source["amount"], numerator, denominator, currency)
            else:
                numerator = denominator = 1
                amount = source["amount"]
            if source["amount"] >= 0 and amount + credited.get(line_id, 0) > source["amount"]:
                raise invalid_request(f"The credited amount for line {line_id} exceeds what is left to credit "
                                      f"({source['amount'] - credited.get(line_id, 0)}).", param=f"{param}[amount]")
            credited[line_id] = credited.get(line_id, 0) + amount
            discounts = [{"amount": _share(d["amount"], numerator, denominator, currency), "discount": d["discount"]}
                         for d in source["discount_amounts"]]
            rate_objects = [rates.record(t["tax_rate_details"]["tax_rate"]).data for t in source["taxes"]]
            description = p.nullable_str(fields["description"], f"{param}[description]") \
                if "description" in fields else source["description"]
            lines.append(_line(new_line_id(), amount, description, discounts, rate_objects, quantity, kind,
                               line_id, None, currency, invoice.get("customer_tax_exempt")))
        else:
            quantity = p.integer(fields.get("quantity", 1), f"{param}[quantity]", minimum=1)
            unit = p.integer(p.required(fields, "unit_amount", f"{param}[unit_amount]"), f"{param}[unit_amount]",
                             minimum=0)
            money_currency.check_amount(unit, currency, f"{param}[unit_amount]")
            rate_ids = p.str_list(fields["tax_rates"], f"{param}[tax_rates]") if fields.get("tax_rates") else []
            description = as_str(p.required(fields, "description", f"{param}[description]"),
                                 f"{param}[description]")
            lines.append(_line(new_line_id(), unit * quantity, description, [], rates.rates(rate_ids), quantity, kind,
                               None, unit, currency, invoice.get("customer_tax_exempt")))
    sums = summarize(lines)
    total = sums["total"]
    already = invoice["pre_payment_credit_notes_amount"] + invoice["post_payment_credit_notes_amount"]
    if total <= 0:
        raise invalid_request("A credit note must credit a positive amount.", param="lines")
    if total + already > max(invoice["total"], 0):
        raise invalid_request(f"The credit note total ({total}) exceeds what is left to credit on the invoice "
                              f"({max(invoice['total'], 0) - already}).", param="amount",
                              code="credit_note_amount_too_large")
    pre = min(total, invoice["amount_remaining"]) if invoice["status"] in ("open", "uncollectible") else 0
    post = total - pre
    refund_amount = p.integer(params["refund_amount"], "refund_amount", minimum=0) if params.get("refund_amount") else 0
    credit_amount = p.integer(params["credit_amount"], "credit_amount", minimum=0) if params.get("credit_amount") else 0
    out_of_band = p.integer(params["out_of_band_amount"], "out_of_band_amount", minimum=0) \
        if params.get("out_of_band_amount") else 0
    linked = _linked_refunds(state, invoice_record, params)
    given_out = refund_amount + credit_amount + out_of_band + sum(r["amount_refunded"] for r in linked)
    if given_out == 0 and post > 0:
        credit_amount = post
    elif given_out != post:
        raise invalid_request(
            f"refund_amount + credit_amount + out_of_band_amount + refunds ({given_out}) must equal the part of the "
            f"credit note beyond what is still due on the invoice ({post}).", param="refund_amount")
    if refund_amount and not charge_of(state, invoice_record):
        raise invalid_request("This invoice was not paid with a charge; use credit_amount or out_of_band_amount.",
                              param="refund_amount")
    invoice_record.extra["pending_credited"] = credited
    return Computed(lines, sums, pre, post, refund_amount, credit_amount, out_of_band, linked)


def _linked_refunds(state, invoice_record, params: dict) -> list[dict]:
    if not params.get("refunds"):
        return []
    charge_id = charge_of(state, invoice_record)
    linked = []
    for index, raw in enumerate(as_list(params["refunds"], "refunds")):
        fields = p.hash_of(raw, f"refunds[{index}]", ("refund", "amount_refunded", "type", "payment_record_refund"))
        refund = state.resources["refund"].ref(as_str(p.required(fields, "refund", f"refunds[{index}][refund]"),
                                                      f"refunds[{index}][refund]"), f"refunds[{index}][refund]").data
        if refund["charge"] != charge_id:
            raise invalid_request("The refund does not belong to this invoice's charge.",
                                  param=f"refunds[{index}][refund]")
        amount = p.integer(fields.get("amount_refunded", refund["amount"]), f"refunds[{index}][amount_refunded]",
                           minimum=1, maximum=refund["amount"])
        linked.append({"amount_refunded": amount, "payment_record_refund": None, "refund": refund["id"],
                       "type": "refund"})
    return linked


def charge_of(state, invoice_record) -> str | None:
    """The successful charge that paid the invoice (None when paid otherwise)."""
    for record in state.store.indexed("invoice_payment", "invoice", invoice_record.id).records:
        if record.data["status"] == "paid":
            intent = state.store.get("payment_intent", record.data["payment"]["payment_intent"]).data
            return intent["latest_charge"]
    return None


def _line(line_id: str, amount: int, description, discounts: list[dict], rate_objects: list[dict], quantity: int,
          kind: str, invoice_line_item: str | None, unit_amount: int | None, currency: str, tax_exempt) -> dict:
    base = amount - sum(d["amount"] for d in discounts)
    taxes = line_taxes(base, [as_rate(r) for r in rate_objects], currency, tax_exempt)
    return {
        "id": line_id,
        "object": "credit_note_line_item",
        "amount": amount,
        "description": description,
        "discount_amount": sum(d["amount"] for d in discounts),
        "discount_amounts": discounts,
        "invoice_line_item": invoice_line_item,
        "livemode": False,
        "metadata": {},
        "pretax_credit_amounts": pretax_credits(discounts),
        "quantity": quantity,
        "tax_rates": rate_objects,
        "taxes": taxes,
        "type": kind,
        "unit_amount": unit_amount,
        "unit_amount_decimal": str(unit_amount) if unit_amount is not None else None,
    }
