"""Credit notes on open and paid invoices: create, preview, retrieve, update, void, list, lines.

See ``flows.credit_notes`` for what is credited and how it is given out. Creating one records
``credit_note.created``, updates the invoice (``invoice.updated``; an open invoice whose amount
due reaches zero is paid), refunds the charge (``refund.created``, ``charge.refunded``) and/or
credits the customer balance (``customer.updated``). ``POST /v1/credit_notes/{id}/void`` reverses
a credit note without refunds. Filters: ``customer``, ``invoice``, ``created``.
"""

from __future__ import annotations

from stripe_sandbox.errors import invalid_request
from stripe_sandbox.flows import credit_notes as flow
from stripe_sandbox.flows import invoicing
from stripe_sandbox.forms import as_str
from stripe_sandbox.listing import paginate_sequence, parse_list_query
from stripe_sandbox.resources import filters as f
from stripe_sandbox.resources import params as p
from stripe_sandbox.resources.base import ID, ApiCall, Resource, Route
from stripe_sandbox.state import WriteContext

CREATE = frozenset({"invoice", "lines", "amount", "credit_amount", "refund_amount", "out_of_band_amount", "refunds",
                    "reason", "memo", "metadata", "effective_at", "email_type"})
REASONS = ("duplicate", "fraudulent", "order_change", "product_unsatisfactory")
REFUND_REASONS = {"duplicate": "duplicate", "fraudulent": "fraudulent"}
PAGE = 10


class CreditNotes(Resource):
    object_name = "credit_note"
    prefix = "cn"
    url = "/v1/credit_notes"
    expandable = frozenset({"customer", "invoice", "customer_balance_transaction", "discount_amounts.discount",
                            "refunds.refund", "pretax_credit_amounts.discount", "shipping_cost.shipping_rate"})
    nested_expandable = {"credit_note_line_item": frozenset({"discount_amounts.discount",
                                                             "pretax_credit_amounts.discount"})}
    filters = {"customer": f.equals("customer"), "invoice": f.equals("invoice")}
    indexes = {"invoice": lambda data: data["invoice"]}

    def routes(self) -> list[Route]:
        one = f"{self.url}/{ID}"
        return [
            ("GET", f"{self.url}/preview", self._preview),
            ("POST", self.url, lambda call: self.respond(self.create(call.params, call.ctx), call)),
            ("GET", self.url, self.list_handler),
            ("GET", one, self.retrieve_handler),
            ("POST", one, lambda call: self.respond(self.update(call.id, call.params, call.ctx), call)),
            ("POST", f"{one}/void", lambda call: self.respond(self.void(call.id, call.params, call.ctx), call)),
            ("GET", f"{one}/lines", self._lines),
        ]

    # -- create / preview ------------------------------------------------------------------
    def _build(self, params: dict, ctx: WriteContext, *, preview: bool):
        self.only(params, CREATE)
        invoice_record = self.other("invoice").ref(as_str(p.required(params, "invoice"), "invoice"), "invoice")
        ctx = self.state.in_domain(invoice_record.extra.get("domain"), ctx)
        if preview:
            new_line_id = lambda: "cnli_preview"  # noqa: E731
        else:
            new_line_id = lambda: self.state.ids.new("cnli")  # noqa: E731
        computed = flow.compute(self.state, invoice_record, params, new_line_id)
        invoice = invoice_record.data
        cn_id = "cn_preview" if preview else self.new_id()
        sequence = len(self.state.store.indexed(self.object_name, "invoice", invoice["id"]).records) + 1
        sums = computed.sums
        note = {
            "id": cn_id,
            "object": "credit_note",
            "amount": sums["total"],
            "amount_shipping": 0,
            "created": ctx.now,
            "currency": invoice["currency"],
            "customer": invoice["customer"],
            "customer_account": None,
            "customer_balance_transaction": None,
            "discount_amount": sums["discount_total"],
            "discount_amounts": sums["total_discount_amounts"],
            "effective_at": p.integer(params["effective_at"], "effective_at") if params.get("effective_at")
            else ctx.now,
            "invoice": invoice["id"],
            "lines": {"object": "list", "data": computed.lines[:PAGE], "has_more": len(computed.lines) > PAGE,
                      "url": f"/v1/credit_notes/{cn_id}/lines"},
            "livemode": False,
            "memo": p.nullable_str(params["memo"], "memo") if "memo" in params else None,
            "metadata": p.metadata({}, params["metadata"]) if "metadata" in params else {},
            "number": f"{invoice['number']}-CN-{sequence:02d}",
            "out_of_band_amount": computed.out_of_band or None,
            "pdf": f"https://pay.stripe.com/credit_notes/acct_sandbox/{cn_id}/pdf",
            "post_payment_amount": computed.post,
            "pre_payment_amount": computed.pre,
            "pretax_credit_amounts": sums["total_pretax_credit_amounts"],
            "reason": p.enum(params["reason"], "reason", REASONS) if params.get("reason") else None,
            "refunds": list(computed.linked_refunds),
            "shipping_cost": None,
            "status": "issued",
            "subtotal": sums["subtotal"],
            "subtotal_excluding_tax": sums["subtotal_excluding_tax"],
            "total": sums["total"],
            "total_excluding_tax": sums["total_excluding_tax"],
            "total_taxes": sums["total_taxes"],
            "type": "post_payment" if not computed.pre else "pre_payment" if not computed.post else "mixed",
            "voided_at": None,
        }
        return invoice_record, computed, note, ctx

    def _preview(self, call: ApiCall) -> dict:
        _, _, note, _ = self._build(dict(call.params), call.ctx, preview=True)
        note["object"] = "credit_note"
        return self.state.expander.apply(note, self.expand_param(call.params))

    def create(self, params: dict, ctx: WriteContext) -> dict:
        invoice_record, computed, note, ctx = self._build(params, ctx, preview=False)
        invoice_record.extra["credited"] = invoice_record.extra.pop("pending_credited")
        if computed.refund_amount:
            refund = self.other("refund").refund(flow.charge_of(self.state, invoice_record), computed.refund_amount,
                                                 ctx, reason=REFUND_REASONS.get(note["reason"] or "",
                                                                                "requested_by_customer"))
            note["refunds"].append({"amount_refunded": refund["amount"], "payment_record_refund": None,
                                    "refund": refund["id"], "type": "refund"})
        if computed.credit_amount:
            cbtxn = self.other("customer_balance_transaction").adjust(
                note["customer"], -computed.credit_amount, note["currency"], ctx, type_="credit_note",
                credit_note=note["id"], invoice=note["invoice"])
            note["customer_balance_transaction"] = cbtxn["id"]
        record = self.insert(note, ctx)
        record.extra["lines"] = computed.lines
        record.extra["effects"] = {"pre": computed.pre, "post": computed.post, "credit": computed.credit_amount}
        invoicing.apply_credit_note(self.state, invoice_record, ctx, pre=computed.pre, post=computed.post)
        return record.data

    # -- update / void ---------------------------------------------------------------------
    def update(self, note_id: str, params: dict, ctx: WriteContext) -> dict:
        self.only(params, ("memo", "metadata"))
        record = self.record(note_id)
        data = dict(record.data)
        if "memo" in params:
            data["memo"] = p.nullable_str(params["memo"], "memo")
        if "metadata" in params:
            data["metadata"] = p.metadata(data["metadata"], params["metadata"])
        self.replace(record, data, ctx)
        return record.data

    def void(self, note_id: str, params: dict, ctx: WriteContext) -> dict:
        self.only(params, ())
        record = self.record(note_id)
        invoice_record = self.other("invoice").record(record.data["invoice"])
        ctx = self.state.in_domain(invoice_record.extra.get("domain"), ctx)
        effects = record.extra["effects"]
        if record.data["status"] == "void":
            raise invalid_request("This credit note is already void.", code="credit_note_already_voided")
        if record.data["refunds"]:
            raise invalid_request("A credit note with refunds cannot be voided.", code="credit_note_has_refunds")
        if effects["pre"] and invoice_record.data["status"] != "open":
            raise invalid_request("The invoice is no longer open; this credit note cannot be voided.",
                                  code="invoice_unexpected_state")
        if effects["credit"]:
            self.other("customer_balance_transaction").adjust(
                record.data["customer"], effects["credit"], record.data["currency"], ctx, type_="credit_note",
                credit_note=record.id, invoice=record.data["invoice"])
        credited = dict(invoice_record.extra.get("credited", {}))
        for line in record.extra["lines"]:
            if line["invoice_line_item"]:
                credited[line["invoice_line_item"]] -= line["amount"]
        invoice_record.extra["credited"] = credited
        invoicing.apply_credit_note(self.state, invoice_record, ctx, pre=-effects["pre"], post=-effects["post"])
        self.replace(record, {**record.data, "status": "void", "voided_at": ctx.now}, ctx, action="voided")
        return record.data

    def _lines(self, call: ApiCall) -> dict:
        record = self.record(call.id)
        query = parse_list_query(call.params)
        return paginate_sequence(record.extra["lines"], query, url=f"{self.url}/{call.id}/lines",
                                 object_type="credit_note_line_item",
                                 render=lambda line: self.state.expander.apply(line, query.expand))
