"""Invoices: create, retrieve, update, delete (drafts), list, lines, finalize, pay, void, mark uncollectible, send.

The state machine itself is in ``flows.invoicing``; this module parses params and answers HTTP.
``GET /v1/invoices/{id}/lines`` pages all lines (the invoice embeds the first 10 with ``has_more``).
``POST /v1/invoices/{id}/pay``: ``payment_method`` (test IDs such as ``pm_card_chargeDeclined``
decline with a 402 ``card_error`` after recording the failed attempt), ``paid_out_of_band=true``;
paying a paid invoice again is Stripe's 400 ``invalid_request_error`` "Invoice is already paid".
A US bank account (``pm_usBankAccount_*``) leaves the invoice ``open`` while its payment is processing;
paying it again meanwhile is a 400. ``POST /v1/invoices/{id}/attach_payment`` (``payment_intent``)
adds a standalone payment intent to the invoice's payments (partial payments; ``flows.invoicing``).

``payments`` and ``confirmation_secret`` are includable, as on Stripe: absent from every invoice
(retrieve, lists, answers to writes, event snapshots, an invoice expanded from elsewhere) unless
``expand[]`` names them (see ``expand.py`` for what this relies on).
"""

from __future__ import annotations

from stripe_sandbox.billing import fx
from stripe_sandbox.errors import invalid_request, unsupported_parameter
from stripe_sandbox.flows import invoicing
from stripe_sandbox.flows import lines as line_flow
from stripe_sandbox.forms import as_list, as_str
from stripe_sandbox.listing import paginate_sequence, parse_list_query
from stripe_sandbox.resources import filters as f
from stripe_sandbox.resources import params as p
from stripe_sandbox.resources.base import ID, ApiCall, Resource, Route
from stripe_sandbox.state import WriteContext
from stripe_sandbox.store import Record

CREATE = frozenset({"customer", "auto_advance", "collection_method", "days_until_due", "due_date", "currency",
                    "default_tax_rates", "discounts", "description", "footer", "metadata", "default_payment_method",
                    "pending_invoice_items_behavior", "effective_at", "statement_descriptor", "custom_fields"})
DRAFT_UPDATE = frozenset({"auto_advance", "collection_method", "days_until_due", "due_date", "default_tax_rates",
                          "discounts", "description", "footer", "metadata", "default_payment_method", "effective_at",
                          "statement_descriptor", "custom_fields"})
OPEN_UPDATE = frozenset({"metadata", "description", "footer", "auto_advance", "custom_fields"})
IGNORED = frozenset({"automatic_tax", "payment_settings", "rendering", "issuer", "account_tax_ids"})
COLLECTION = ("charge_automatically", "send_invoice")
STATUSES = ("draft", "open", "paid", "uncollectible", "void")


def _status_filter(params: dict, status: str) -> bool:
    return status == p.enum(params["status"], "status", STATUSES)


class Invoices(Resource):
    object_name = "invoice"
    prefix = "in"
    url = "/v1/invoices"
    expandable = frozenset({
        "customer", "default_payment_method", "default_source", "discounts", "latest_revision", "test_clock",
        "on_behalf_of", "application", "account_tax_ids", "total_discount_amounts.discount",
        "total_pretax_credit_amounts.discount", "parent.subscription_details.subscription",
        "from_invoice.invoice",
    })
    nested_expandable = {"line_item": frozenset({
        "discounts", "discount_amounts.discount", "pretax_credit_amounts.discount", "pricing.price_details.price",
        "subscription"})}
    filters = {
        "customer": f.equals("customer"),
        "subscription": f.equals("subscription", "parent.subscription_details.subscription"),
        "status": f.field_predicate(_status_filter, "status", "status"),
        "collection_method": f.equals("collection_method"),
        "due_date": f.time_range("due_date"),
    }

    def routes(self) -> list[Route]:
        one = f"{self.url}/{ID}"
        return [
            ("POST", self.url, lambda call: self.respond(self.create(call.params, call.ctx), call)),
            ("GET", self.url, self.list_handler),
            ("GET", one, self.retrieve_handler),
            ("POST", one, lambda call: self.respond(self.update(call.id, call.params, call.ctx), call)),
            ("DELETE", one, lambda call: self.delete(call.id, call.ctx)),
            ("GET", f"{one}/lines", self._lines),
            ("POST", f"{one}/finalize",
             lambda call: self.respond(self.finalize(call.id, call.params, call.ctx), call)),
            ("POST", f"{one}/pay", lambda call: self.respond(self.pay(call.id, call.params, call.ctx), call)),
            ("POST", f"{one}/void", lambda call: self.respond(self.void(call.id, call.params, call.ctx), call)),
            ("POST", f"{one}/mark_uncollectible",
             lambda call: self.respond(self.mark_uncollectible(call.id, call.params, call.ctx), call)),
            ("POST", f"{one}/send", lambda call: self.respond(self.send(call.id, call.params, call.ctx), call)),
            ("POST", f"{one}/attach_payment",
             lambda call: self.respond(self.attach_payment(call.id, call.params, call.ctx), call)),
        ]

    def tasks(self) -> dict:
        return {kind: (lambda task, ctx, fn=fn: fn(self.state, task, ctx)) for kind, fn in invoicing.TASKS.items()}

    def includable(self) -> dict:
        return {"payments": self._payments, "confirmation_secret": self._confirmation_secret}

    def _payments(self, invoice: dict) -> dict:
        """The invoice's payments (SDK 16.1.0: ``Optional[ListObject[InvoicePayment]]``), as they are now."""
        return invoicing.payments_page(invoice["id"], invoicing.invoice_payments(self.state, invoice["id"]))

    def _confirmation_secret(self, invoice: dict) -> dict | None:
        """``{client_secret, type}`` of the payment intent Stripe made at finalization (API reference: "the
        client_secret of the payment that Stripe creates for the invoice after finalization"; ``type``
        "currently this is always payment_intent"); null while there is none (a draft, nothing due)."""
        record = self.state.store.get(self.object_name, invoice["id"])
        intent_id = record.extra.get("payment_intent") if record is not None else None
        intent = self.state.store.get("payment_intent", intent_id) if intent_id else None
        if intent is None:
            return None
        return {"client_secret": intent.data["client_secret"], "type": "payment_intent"}

    def _ctx(self, record: Record, ctx: WriteContext) -> WriteContext:
        return self.state.in_domain(record.extra.get("domain"), ctx)

    # -- create / update / delete ----------------------------------------------------------
    def create(self, params: dict, ctx: WriteContext) -> dict:
        for key in params:
            if key in ("subscription", "from_invoice", "shipping_cost", "shipping_details", "transfer_data",
                       "application_fee_amount", "on_behalf_of", "number", "automatically_finalizes_at"):
                raise unsupported_parameter(key)
        self.only(params, CREATE | IGNORED)
        customer = self.other("customer").ref(as_str(p.required(params, "customer"), "customer"), "customer").data
        domain = customer.get("test_clock")
        ctx = self.state.in_domain(domain, ctx)
        behavior = p.enum(params.get("pending_invoice_items_behavior", "exclude"), "pending_invoice_items_behavior",
                          ("include", "exclude"))
        pending = self.other("invoiceitem").pending_for(customer["id"]) if behavior == "include" else []
        if params.get("currency"):
            currency = fx.check_supported(as_str(params["currency"], "currency"))
        else:
            currency = customer.get("currency") or (pending[0].data["currency"] if pending else "usd")
        pending = [item for item in pending if item.data["currency"] == currency]
        record = self.draft(customer, currency, ctx, billing_reason="manual",
                            collection_method=p.enum(params.get("collection_method", "charge_automatically"),
                                                     "collection_method", COLLECTION),
                            auto_advance=p.boolean(params["auto_advance"], "auto_advance")
                            if "auto_advance" in params else False,
                            params=params, items=pending)
        return record.data

    def draft(self, customer: dict, currency: str, ctx: WriteContext, *, billing_reason: str, collection_method: str,
              auto_advance: bool, params: dict | None = None, items: list[Record] = (),
              sources: list[dict] = (), parent: dict | None = None, period: tuple[int, int] | None = None,
              discounts: list[str] = (), default_tax_rates: list[dict] = (), days_until_due: int | None = None,
              default_payment_method: str | None = None, description: str | None = None) -> Record:
        """A new draft invoice (``invoice.created``) billing ``items`` and ``sources``; used by the API and
        by subscriptions."""
        invoice_id = self.new_id()
        data = invoicing.blank_invoice(invoice_id, ctx.now, customer, currency, billing_reason=billing_reason,
                                       collection_method=collection_method, auto_advance=auto_advance)
        data.update(parent=parent, discounts=list(discounts), default_tax_rates=list(default_tax_rates),
                    default_payment_method=default_payment_method, description=description)
        if period is not None:
            data["period_start"], data["period_end"] = period
        if params:
            data = self._apply(data, params, ctx, creating=True)
            days_until_due = data.pop("_days_until_due", days_until_due)
            if data["collection_method"] == "send_invoice" and data["due_date"] is None and days_until_due is None:
                raise invalid_request("Invoices with collection_method=send_invoice need days_until_due or due_date.",
                                      param="days_until_due")
        record = self.insert(data, ctx, action=None)
        record.extra.update(domain=customer.get("test_clock"), sources=[], lines=[], payment_intent=None,
                            days_until_due=days_until_due if days_until_due is not None else 30)
        record.extra["sources"] = list(sources) + [
            line_flow.source_from_item(item.data, self.state.ids.new("il")) for item in items
        ]
        record.data = invoicing.recomputed(self.state, record)
        self.emit(record, "created", ctx)
        for item in items:
            self.other("invoiceitem").attach(item.id, invoice_id, ctx)
        if record.data["auto_advance"]:
            self.state.schedule(record.data["automatically_finalizes_at"], "invoice.finalize", invoice_id,
                                domain=record.extra["domain"])
        return record

    def update(self, invoice_id: str, params: dict, ctx: WriteContext) -> dict:
        record = self.record(invoice_id)
        ctx = self._ctx(record, ctx)
        status = record.data["status"]
        allowed = DRAFT_UPDATE if status == "draft" else OPEN_UPDATE
        for key in params:
            if key in DRAFT_UPDATE and key not in allowed:
                raise invalid_request(f"You can only update {key} on draft invoices.", param=key,
                                      code="invoice_not_editable")
        self.only(params, allowed | IGNORED)
        data = self._apply(dict(record.data), params, ctx, creating=False)
        if "_days_until_due" in data:
            record.extra["days_until_due"] = data.pop("_days_until_due")
        was_auto = record.data["auto_advance"]
        if status == "draft":
            data = invoicing.recomputed(self.state, record, data)
            if data["auto_advance"] and not was_auto:
                data["automatically_finalizes_at"] = ctx.now + invoicing.dunning.AUTO_FINALIZE_DELAY
                self.state.schedule(data["automatically_finalizes_at"], "invoice.finalize", invoice_id,
                                    domain=record.extra["domain"])
            elif not data["auto_advance"]:
                data["automatically_finalizes_at"] = None
        self.replace(record, data, ctx)
        return record.data

    def _apply(self, data: dict, params: dict, ctx: WriteContext, *, creating: bool) -> dict:
        for key in ("description", "footer", "statement_descriptor", "default_payment_method"):
            if key in params:
                data[key] = p.nullable_str(params[key], key)
        if "metadata" in params:
            data["metadata"] = p.metadata(data["metadata"], params["metadata"])
        if "auto_advance" in params and not creating:
            data["auto_advance"] = p.boolean(params["auto_advance"], "auto_advance")
        if "collection_method" in params and not creating:
            data["collection_method"] = p.enum(params["collection_method"], "collection_method", COLLECTION)
        if params.get("days_until_due") not in (None, ""):
            data["_days_until_due"] = p.integer(params["days_until_due"], "days_until_due", minimum=0)
        if "due_date" in params:
            data["due_date"] = p.nullable_int(params["due_date"], "due_date")
        if "effective_at" in params:
            data["effective_at"] = p.nullable_int(params["effective_at"], "effective_at")
        if "default_tax_rates" in params:
            ids = [] if params["default_tax_rates"] == "" else p.str_list(params["default_tax_rates"],
                                                                           "default_tax_rates")
            data["default_tax_rates"] = self.other("tax_rate").rates(ids, "default_tax_rates")
        if "custom_fields" in params:
            fields = [] if params["custom_fields"] == "" else as_list(params["custom_fields"], "custom_fields")
            parsed = [dict(p.hash_of(item, "custom_fields", ("name", "value"))) for item in fields]
            data["custom_fields"] = parsed or None
        if "discounts" in params:
            data["discounts"] = self.other("discount").apply_list(
                params["discounts"], param="discounts", customer=data["customer"], currency=data["currency"], ctx=ctx,
                scope={"invoice": data["id"]})
        return data

    def delete(self, invoice_id: str, ctx: WriteContext) -> dict:
        record = self.record(invoice_id)
        ctx = self._ctx(record, ctx)
        invoicing.require_status(record, "draft", action="delete")
        stub = self.mark_deleted(record, ctx)
        items = self.other("invoiceitem")
        for source in record.extra["sources"]:
            item = self.state.store.get("invoiceitem", source["key"])
            if item is not None and not item.deleted:
                items.attach(item.id, None, ctx)
        return stub

    # -- invoice items on drafts -----------------------------------------------------------
    def add_item(self, record: Record, item: Record, ctx: WriteContext) -> None:
        record.extra["sources"] = [*record.extra["sources"],
                                   line_flow.source_from_item(item.data, self.state.ids.new("il"))]
        self.other("invoiceitem").attach(item.id, record.id, ctx)
        self.replace(record, invoicing.recomputed(self.state, record), ctx)

    def refresh_item(self, record: Record, item: Record, ctx: WriteContext) -> None:
        record.extra["sources"] = [line_flow.source_from_item(item.data, s["line_id"]) if s["key"] == item.id else s
                                   for s in record.extra["sources"]]
        self.replace(record, invoicing.recomputed(self.state, record), ctx)

    def remove_item(self, record: Record, item: Record, ctx: WriteContext) -> None:
        record.extra["sources"] = [s for s in record.extra["sources"] if s["key"] != item.id]
        self.replace(record, invoicing.recomputed(self.state, record), ctx)

    # -- actions ---------------------------------------------------------------------------
    def finalize(self, invoice_id: str, params: dict, ctx: WriteContext) -> dict:
        self.only(params, ("auto_advance",))
        record = self.record(invoice_id)
        auto = p.boolean(params["auto_advance"], "auto_advance") if "auto_advance" in params else None
        invoicing.finalize(self.state, record, self._ctx(record, ctx), auto_advance=auto)
        return record.data

    def pay(self, invoice_id: str, params: dict, ctx: WriteContext) -> dict:
        for key in ("source", "mandate"):
            if key in params:
                raise unsupported_parameter(key)
        self.only(params, ("payment_method", "paid_out_of_band", "off_session", "forgive"))
        record = self.record(invoice_id)
        ctx = self._ctx(record, ctx)
        if record.data["status"] == "paid":
            # Stripe's answer (HTTP 400, invalid_request_error, message "Invoice is already paid", as the
            # SDKs raise it: InvalidRequestError / StripeInvalidRequestError). It carries no ``code``: the
            # list of API error codes (SDK 16.1.0's ``code`` literals) has none for this case.
            raise invalid_request("Invoice is already paid")
        invoicing.require_status(record, "open", "uncollectible", action="pay")
        invoicing.refuse_while_processing(self.state, record, "pay it again")
        if "paid_out_of_band" in params and p.boolean(params["paid_out_of_band"], "paid_out_of_band"):
            invoicing.mark_paid(self.state, record, ctx, how="out_of_band")
            return record.data
        if record.data["amount_remaining"] == 0:
            invoicing.mark_paid(self.state, record, ctx, how="nothing_due")
            return record.data
        method = p.nullable_str(params["payment_method"], "payment_method") if "payment_method" in params else None
        error = invoicing.attempt_payment(self.state, record, ctx, payment_method=method)
        if error is not None:
            raise error
        return record.data

    def attach_payment(self, invoice_id: str, params: dict, ctx: WriteContext) -> dict:
        if "payment_record" in params:
            raise unsupported_parameter("payment_record")
        self.only(params, ("payment_intent",))
        record = self.record(invoice_id)
        intent = self.other("payment_intent").ref(as_str(p.required(params, "payment_intent"), "payment_intent"),
                                                   "payment_intent")
        invoicing.attach_payment(self.state, record, intent, self._ctx(record, ctx))
        return record.data

    def void(self, invoice_id: str, params: dict, ctx: WriteContext) -> dict:
        self.only(params, ())
        record = self.record(invoice_id)
        invoicing.void(self.state, record, self._ctx(record, ctx))
        return record.data

    def mark_uncollectible(self, invoice_id: str, params: dict, ctx: WriteContext) -> dict:
        self.only(params, ())
        record = self.record(invoice_id)
        invoicing.mark_uncollectible(self.state, record, self._ctx(record, ctx))
        return record.data

    def send(self, invoice_id: str, params: dict, ctx: WriteContext) -> dict:
        self.only(params, ())
        record = self.record(invoice_id)
        invoicing.require_status(record, "open", action="send")
        self.emit(record, "sent", self._ctx(record, ctx))
        return record.data

    # -- lines -----------------------------------------------------------------------------
    def _lines(self, call: ApiCall) -> dict:
        record = self.record(call.id)
        query = parse_list_query(call.params)
        return paginate_sequence(
            record.extra["lines"], query, url=f"{self.url}/{call.id}/lines", object_type="line_item",
            render=lambda line: self.state.expander.apply(line, query.expand),
        )

    def lines_of(self, invoice_id: str) -> list[dict]:
        return self.record(invoice_id, allow_deleted=True).extra["lines"]

