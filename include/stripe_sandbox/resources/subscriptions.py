"""Subscriptions: create, retrieve, update (items, prorations, cancel at period end), cancel, list.

The cycle logic is in ``flows.subscriptions``. Events: ``customer.subscription.created`` /
``updated`` / ``deleted``. Periods live on the items (``current_period_start/end``), as in the
basil API. List ``status`` defaults to every status but ``canceled`` and ``incomplete_expired``
(``all`` includes them, ``ended`` is just those two). Not modelled (400): schedules, pausing,
usage-based prices, ``billing_cycle_anchor=now`` on update, ``billing_mode=flexible``.
"""

from __future__ import annotations

from stripe_sandbox.billing import dunning
from stripe_sandbox.billing.periods import DAY, boundary
from stripe_sandbox.errors import invalid_request, unsupported_parameter
from stripe_sandbox.flows import subscriptions as flow
from stripe_sandbox.forms import as_dict, as_list, as_str
from stripe_sandbox.resources import filters as f
from stripe_sandbox.resources import params as p
from stripe_sandbox.resources.base import ID, ApiCall, Resource, Route
from stripe_sandbox.state import WriteContext
from stripe_sandbox.store import Record

CREATE = frozenset({"customer", "items", "collection_method", "days_until_due", "default_payment_method",
                    "default_tax_rates", "discounts", "billing_cycle_anchor", "proration_behavior",
                    "trial_period_days", "trial_end", "cancel_at_period_end", "cancel_at", "metadata", "description",
                    "payment_behavior", "add_invoice_items", "currency", "off_session", "trial_from_plan"})
UPDATE = frozenset({"items", "proration_behavior", "proration_date", "cancel_at_period_end", "cancel_at", "metadata",
                    "description", "default_payment_method", "default_tax_rates", "discounts", "collection_method",
                    "days_until_due", "payment_behavior", "billing_cycle_anchor", "cancellation_details",
                    "off_session", "add_invoice_items"})
UNSUPPORTED = frozenset({"pause_collection", "billing_thresholds", "schedule", "backdate_start_date",
                         "billing_cycle_anchor_config", "pending_invoice_item_interval", "transfer_data",
                         "application_fee_percent", "on_behalf_of", "billing_mode", "billing_schedules"})
IGNORED = frozenset({"automatic_tax", "payment_settings", "invoice_settings", "trial_settings", "expand"})
ITEM_KEYS = ("id", "price", "quantity", "tax_rates", "metadata", "discounts", "deleted", "plan", "clear_usage")
PRORATION = ("create_prorations", "none", "always_invoice")
ENDED = ("canceled", "incomplete_expired")


def _status_filter(params: dict, data: dict) -> bool:
    wanted = as_str(params["status"], "status")
    if wanted == "all":
        return True
    if wanted == "ended":
        return data["status"] in ENDED
    return data["status"] == wanted


def _price_filter(params: dict, data: dict) -> bool:
    price = as_str(params["price"], "price")
    return any(item["price"]["id"] == price for item in data["items"]["data"])


def _period_filter(name: str):
    from stripe_sandbox.listing import in_range, parse_range

    def check(params: dict, data: dict) -> bool:
        bounds = parse_range(params[name], name)
        return any(in_range(item[name], bounds) for item in data["items"]["data"])

    return check


def plan_of(price: dict) -> dict:
    recurring = price["recurring"] or {}
    return {
        "id": price["id"],
        "object": "plan",
        "active": price["active"],
        "amount": price["unit_amount"],
        "amount_decimal": price["unit_amount_decimal"],
        "billing_scheme": price["billing_scheme"],
        "created": price["created"],
        "currency": price["currency"],
        "interval": recurring.get("interval"),
        "interval_count": recurring.get("interval_count"),
        "livemode": False,
        "metadata": dict(price["metadata"]),
        "meter": None,
        "nickname": price["nickname"],
        "product": price["product"],
        "tiers_mode": None,
        "transform_usage": None,
        "trial_period_days": recurring.get("trial_period_days"),
        "usage_type": recurring.get("usage_type", "licensed"),
    }


class Subscriptions(Resource):
    object_name = "subscription"
    prefix = "sub"
    url = "/v1/subscriptions"
    event_prefix = "customer.subscription"
    expandable = frozenset({"customer", "default_payment_method", "default_source", "discounts", "latest_invoice",
                            "test_clock", "schedule", "pending_setup_intent", "on_behalf_of", "application"})
    filters = {
        "customer": f.equals("customer"),
        "collection_method": f.equals("collection_method"),
        "test_clock": f.equals("test_clock"),
        "price": f.predicate(_price_filter, "price"),
        "current_period_start": f.predicate(_period_filter("current_period_start"), "current_period_start"),
        "current_period_end": f.predicate(_period_filter("current_period_end"), "current_period_end"),
    }
    list_filters = frozenset({"created", "status", "automatic_tax", "plan"})
    indexes = {"customer": lambda data: data["customer"]}

    def routes(self) -> list[Route]:
        one = f"{self.url}/{ID}"
        return [
            ("POST", self.url, lambda call: self.respond(self.create(call.params, call.ctx), call)),
            ("GET", self.url, self._list),
            ("GET", one, self.retrieve_handler),
            ("POST", one, lambda call: self.respond(self.update(call.id, call.params, call.ctx), call)),
            ("DELETE", one, lambda call: self.respond(self.cancel(call.id, call.params, call.ctx), call)),
        ]

    def tasks(self) -> dict:
        handlers = {kind: (lambda task, ctx, fn=fn: fn(self.state, task, ctx)) for kind, fn in flow.TASKS.items()}
        return {**handlers, "subscription.cancel_at": self.cancel_at_task}

    def _list(self, call: ApiCall) -> dict:
        if "status" in call.params:
            return self.list_page(call.params, lambda r: _status_filter(call.params, r.data))
        return self.list_page(call.params, lambda r: r.data["status"] not in ENDED)

    # -- create ----------------------------------------------------------------------------
    def create(self, params: dict, ctx: WriteContext) -> dict:
        self._refuse(params)
        self.only(params, CREATE | IGNORED)
        customer = self.other("customer").ref(as_str(p.required(params, "customer"), "customer"), "customer").data
        domain = customer.get("test_clock")
        ctx = self.state.in_domain(domain, ctx)
        specs = [self._item_spec(raw, f"items[{i}]", None)
                 for i, raw in enumerate(as_list(p.required(params, "items"), "items"))]
        if not specs:
            raise invalid_request("A subscription needs at least one item.", param="items")
        prices = [spec["price"] for spec in specs]
        currency = prices[0]["currency"]
        interval = (prices[0]["recurring"]["interval"], prices[0]["recurring"]["interval_count"])
        for index, price in enumerate(prices):
            if price["currency"] != currency:
                raise invalid_request("All prices on a subscription must have the same currency.",
                                      param=f"items[{index}][price]")
            if (price["recurring"]["interval"], price["recurring"]["interval_count"]) != interval:
                raise invalid_request("All prices on a subscription must have the same recurring interval.",
                                      param=f"items[{index}][price]")
        if params.get("currency") and as_str(params["currency"], "currency") != currency:
            raise invalid_request("currency must match the prices' currency.", param="currency")
        if customer.get("currency") and customer["currency"] != currency:
            raise invalid_request(f"The customer's currency is {customer['currency']}; this subscription's prices are "
                                  f"in {currency}.", param="items")
        now = ctx.now
        trial_end = self._trial_end(params, prices, now)
        anchor = p.integer(params["billing_cycle_anchor"], "billing_cycle_anchor") \
            if params.get("billing_cycle_anchor") else None
        if anchor is not None and anchor <= now:
            raise invalid_request("billing_cycle_anchor must be in the future.", param="billing_cycle_anchor")
        proration = p.enum(params.get("proration_behavior", "create_prorations"), "proration_behavior",
                           ("create_prorations", "none"))
        behavior = p.enum(params.get("payment_behavior", "allow_incomplete"), "payment_behavior",
                          ("allow_incomplete", "default_incomplete", "error_if_incomplete"))
        collection = p.enum(params.get("collection_method", "charge_automatically"), "collection_method",
                            ("charge_automatically", "send_invoice"))
        days_until_due = p.integer(params["days_until_due"], "days_until_due", minimum=0) \
            if params.get("days_until_due") not in (None, "") else None
        if collection == "send_invoice" and days_until_due is None:
            raise invalid_request("days_until_due is required with collection_method=send_invoice.",
                                  param="days_until_due")
        # the cycle: anchor + k intervals; the first period ends at the trial end, the anchor, or one interval
        if trial_end is not None and anchor is not None:
            raise unsupported_parameter("billing_cycle_anchor")  # a trial sets the anchor to its end
        if trial_end is not None:
            base, first_end = trial_end, trial_end
        elif anchor is not None:
            base, first_end = anchor, anchor
        else:
            base = now
            first_end = boundary(now, interval[0], interval[1], 1)
        sub_id = self.new_id()
        sub = self._blank(sub_id, customer, currency, collection, days_until_due, now, base, trial_end)
        sub = self._apply(sub, params, ctx, creating=True)
        record = self.insert(sub, ctx, action=None)
        record.extra.update(domain=domain, anchor=base, interval=interval[0], interval_count=interval[1],
                            k=1 if trial_end is None and anchor is None else 0, period_start=now,
                            period_end=first_end)
        items = [self._create_item(sub_id, spec, now, first_end, ctx) for spec in specs]
        period = {"start": now, "end": first_end}
        partial = None
        if trial_end is None and anchor is not None and proration == "create_prorations":
            partial = (boundary(anchor, interval[0], interval[1], -1), anchor)
        sources = flow.period_sources(self.state, record.data, items, period, trial=trial_end is not None,
                                      partial_of=partial)
        if trial_end is None and anchor is not None and proration == "none":
            sources = [{**s, "amount": 0} for s in sources]
        self._add_invoice_items(params, record, ctx)
        invoice, discounts = flow.open_invoice(self.state, record, ctx, billing_reason="subscription_create",
                                               sources=sources, period=(now, now))
        record.data = {**record.data, "items": flow.items_page(sub_id, items), "latest_invoice": invoice.id,
                       "discounts": discounts}
        self.emit(record, "created", ctx)
        if behavior == "error_if_incomplete":
            raise unsupported_parameter("payment_behavior")
        flow.finalize_now(self.state, invoice, ctx, attempt=behavior == "allow_incomplete")
        if record.data["status"] == "incomplete":
            self.state.schedule(now + dunning.INCOMPLETE_EXPIRY, "subscription.expire_incomplete", sub_id,
                                domain=domain)
        self.state.schedule(first_end, "subscription.cycle", sub_id, domain=domain)
        if record.data["cancel_at"] is not None:
            self.state.schedule(record.data["cancel_at"], "subscription.cancel_at", sub_id, domain=domain)
        return record.data

    @staticmethod
    def _refuse(params: dict) -> None:
        for key in params:
            if key in UNSUPPORTED:
                raise unsupported_parameter(key)

    def _trial_end(self, params: dict, prices: list[dict], now: int) -> int | None:
        if params.get("trial_end") not in (None, ""):
            if params["trial_end"] == "now":
                return None
            end = p.integer(params["trial_end"], "trial_end")
            if end <= now:
                raise invalid_request("trial_end must be in the future.", param="trial_end")
            return end
        if params.get("trial_period_days") not in (None, ""):
            return now + p.integer(params["trial_period_days"], "trial_period_days", minimum=1, maximum=730) * DAY
        if params.get("trial_from_plan") and p.boolean(params["trial_from_plan"], "trial_from_plan"):
            days = prices[0]["recurring"].get("trial_period_days")
            return now + days * DAY if days else None
        return None

    def _blank(self, sub_id: str, customer: dict, currency: str, collection: str, days_until_due, now: int,
               anchor: int, trial_end: int | None) -> dict:
        return {
            "id": sub_id,
            "object": "subscription",
            "application": None,
            "application_fee_percent": None,
            "automatic_tax": {"disabled_reason": None, "enabled": False, "liability": None},
            "billing_cycle_anchor": anchor,
            "billing_cycle_anchor_config": None,
            "billing_mode": {"flexible": None, "type": "classic"},
            "billing_schedules": [],
            "billing_thresholds": None,
            "cancel_at": None,
            "cancel_at_period_end": False,
            "canceled_at": None,
            "cancellation_details": {"comment": None, "feedback": None, "reason": None},
            "collection_method": collection,
            "created": now,
            "currency": currency,
            "customer": customer["id"],
            "customer_account": None,
            "days_until_due": days_until_due,
            "default_payment_method": None,
            "default_source": None,
            "default_tax_rates": [],
            "description": None,
            "discounts": [],
            "ended_at": None,
            "invoice_settings": {"account_tax_ids": None, "custom_fields": None, "description": None, "footer": None,
                                 "issuer": {"type": "self"}},
            "items": flow.items_page(sub_id, []),
            "latest_invoice": None,
            "livemode": False,
            "managed_payments": None,
            "metadata": {},
            "next_pending_invoice_item_invoice": None,
            "on_behalf_of": None,
            "pause_collection": None,
            "payment_settings": {"payment_method_options": None, "payment_method_types": None,
                                 "save_default_payment_method": "off"},
            "pending_invoice_item_interval": None,
            "pending_setup_intent": None,
            "pending_update": None,
            "schedule": None,
            "start_date": now,
            # send_invoice subscriptions are active at once; charged ones once the first invoice is paid
            "status": "trialing" if trial_end is not None else
            "active" if collection == "send_invoice" else "incomplete",
            "test_clock": customer.get("test_clock"),
            "transfer_data": None,
            "trial_end": trial_end,
            "trial_settings": {"end_behavior": {"missing_payment_method": "create_invoice"}},
            "trial_start": now if trial_end is not None else None,
        }

    def _apply(self, sub: dict, params: dict, ctx: WriteContext, *, creating: bool) -> dict:
        if "metadata" in params:
            sub["metadata"] = p.metadata(sub["metadata"], params["metadata"])
        if "description" in params:
            sub["description"] = p.nullable_str(params["description"], "description")
        if "default_payment_method" in params:
            sub["default_payment_method"] = p.nullable_str(params["default_payment_method"], "default_payment_method")
        if "default_tax_rates" in params:
            ids = [] if params["default_tax_rates"] == "" else p.str_list(params["default_tax_rates"],
                                                                           "default_tax_rates")
            sub["default_tax_rates"] = self.other("tax_rate").rates(ids, "default_tax_rates")
        if "cancel_at_period_end" in params:
            sub["cancel_at_period_end"] = p.boolean(params["cancel_at_period_end"], "cancel_at_period_end")
            sub["canceled_at"] = ctx.now if sub["cancel_at_period_end"] else None
        if "cancel_at" in params:
            sub["cancel_at"] = p.nullable_int(params["cancel_at"], "cancel_at")
        if not creating and "collection_method" in params:
            sub["collection_method"] = p.enum(params["collection_method"], "collection_method",
                                              ("charge_automatically", "send_invoice"))
        if not creating and "days_until_due" in params:
            sub["days_until_due"] = p.nullable_int(params["days_until_due"], "days_until_due", minimum=0)
        if "discounts" in params:
            sub["discounts"] = self.other("discount").apply_list(
                params["discounts"], param="discounts", customer=sub["customer"], currency=sub["currency"], ctx=ctx,
                scope={"subscription": sub["id"]})
        return sub

    # -- items -----------------------------------------------------------------------------
    def _item_spec(self, raw, param: str, current: Record | None) -> dict:
        fields = p.hash_of(as_dict(raw, param), param, ITEM_KEYS + ("price_data",))
        if "price_data" in fields:
            raise unsupported_parameter(f"{param}[price_data]")
        spec: dict = {"raw": fields}
        price_id = fields.get("price") or fields.get("plan")
        if price_id:
            price = self.other("price").ref(as_str(price_id, f"{param}[price]"), f"{param}[price]").data
            if price["type"] != "recurring":
                raise invalid_request("Subscription items need a recurring price.", param=f"{param}[price]")
            spec["price"] = price
        elif current is None:
            raise invalid_request("Each new item needs a price.", param=f"{param}[price]")
        if "quantity" in fields:
            spec["quantity"] = p.integer(fields["quantity"], f"{param}[quantity]", minimum=0)
        if "tax_rates" in fields:
            ids = [] if fields["tax_rates"] == "" else p.str_list(fields["tax_rates"], f"{param}[tax_rates]")
            spec["tax_rates"] = self.other("tax_rate").rates(ids, f"{param}[tax_rates]")
        if "metadata" in fields:
            spec["metadata"] = fields["metadata"]
        if "discounts" in fields:
            spec["discounts"] = fields["discounts"]
        return spec

    def _create_item(self, sub_id: str, spec: dict, start: int, end: int, ctx: WriteContext) -> Record:
        items = self.other("subscription_item")
        item_id = items.new_id()
        price = spec["price"]
        item = {
            "id": item_id,
            "object": "subscription_item",
            "billing_thresholds": None,
            "created": ctx.now,
            "current_period_end": end,
            "current_period_start": start,
            "discounts": [],
            "metadata": p.metadata({}, spec["metadata"]) if "metadata" in spec else {},
            "plan": plan_of(price),
            "price": price,
            "quantity": spec.get("quantity", 1),
            "subscription": sub_id,
            "tax_rates": spec.get("tax_rates", []),
        }
        if "discounts" in spec:
            customer = self.state.store.get("subscription", sub_id)
            owner = customer.data["customer"] if customer is not None else None
            item["discounts"] = self.other("discount").apply_list(
                spec["discounts"], param="items[discounts]", customer=owner, currency=price["currency"], ctx=ctx,
                scope={"subscription": sub_id, "subscription_item": item_id})
        return items.insert(item, ctx, action=None)

    def _add_invoice_items(self, params: dict, record: Record, ctx: WriteContext) -> None:
        if not params.get("add_invoice_items"):
            return
        for index, raw in enumerate(as_list(params["add_invoice_items"], "add_invoice_items")):
            fields = p.hash_of(raw, f"add_invoice_items[{index}]", ("price", "quantity", "tax_rates", "metadata",
                                                                   "discounts", "period", "price_data",
                                                                   "discountable"))
            item_params = {"customer": record.data["customer"], "subscription": record.id,
                           "pricing": {"price": p.required(fields, "price", f"add_invoice_items[{index}][price]")}}
            for key in ("quantity", "tax_rates", "metadata"):
                if key in fields:
                    item_params[key] = fields[key]
            self.other("invoiceitem").create(item_params, ctx)

    # -- update ----------------------------------------------------------------------------
    def update(self, sub_id: str, params: dict, ctx: WriteContext) -> dict:
        self._refuse(params)
        self.only(params, UPDATE | IGNORED)
        record = self.record(sub_id)
        ctx = self.state.in_domain(record.extra.get("domain"), ctx)
        if record.data["status"] in ENDED:
            raise invalid_request("A canceled subscription can no longer be updated.")
        if params.get("billing_cycle_anchor") not in (None, "", "unchanged"):
            raise unsupported_parameter("billing_cycle_anchor")
        proration = p.enum(params.get("proration_behavior", "create_prorations"), "proration_behavior", PRORATION)
        moment = p.integer(params["proration_date"], "proration_date") if params.get("proration_date") else ctx.now
        period = (record.extra["period_start"], record.extra["period_end"])
        if not period[0] <= moment <= period[1]:
            raise invalid_request("proration_date must be within the current period.", param="proration_date")
        after = self._apply(dict(record.data), params, ctx, creating=False)
        changes = self._change_items(record, params.get("items"), ctx) if "items" in params else []
        items = flow.item_records(self.state, sub_id)
        after["items"] = flow.items_page(sub_id, items)
        if changes and proration != "none" and record.data["status"] != "trialing":
            flow.proration_items(self.state, record.data, changes, moment, period, ctx)
        self._add_invoice_items(params, record, ctx)
        invoice = None
        if changes and proration == "always_invoice" and record.data["status"] != "trialing":
            invoice, _ = flow.open_invoice(self.state, record, ctx, billing_reason="subscription_update", sources=[],
                                           period=(moment, moment), proration_date=moment)
            after["latest_invoice"] = invoice.id
        self.replace(record, after, ctx)
        if invoice is not None:
            flow.finalize_now(self.state, invoice, ctx)
        if "cancel_at" in params and record.data["cancel_at"] is not None:
            self.state.schedule(record.data["cancel_at"], "subscription.cancel_at", sub_id,
                                domain=record.extra.get("domain"))
        return record.data

    def _change_items(self, record: Record, value, ctx: WriteContext) -> list[tuple]:
        """Apply ``items[]``; returns ``(old item or None, new item or None, item record)`` per change."""
        items = self.other("subscription_item")
        changes = []
        existing = {r.id: r for r in flow.item_records(self.state, record.id)}
        for index, raw in enumerate(as_list(value, "items")):
            param = f"items[{index}]"
            fields = as_dict(raw, param)
            current = existing.get(as_str(fields["id"], f"{param}[id]")) if fields.get("id") else None
            if fields.get("id") and current is None:
                raise invalid_request(f"No such subscription item: {fields['id']}", param=f"{param}[id]")
            spec = self._item_spec(raw, param, current)
            if current is not None and fields.get("deleted") and p.boolean(fields["deleted"], f"{param}[deleted]"):
                current.deleted = True
                changes.append((current.data, None, current))
                continue
            if current is None:
                self._same_cycle(record, spec["price"], f"{param}[price]")
                new = self._create_item(record.id, spec, record.extra["period_start"], record.extra["period_end"], ctx)
                changes.append((None, new.data, new))
                continue
            old = current.data
            after = dict(old)
            if "price" in spec:
                self._same_cycle(record, spec["price"], f"{param}[price]")
                after.update(price=spec["price"], plan=plan_of(spec["price"]))
            for key in ("quantity", "tax_rates"):
                if key in spec:
                    after[key] = spec[key]
            if "metadata" in spec:
                after["metadata"] = p.metadata(old["metadata"], spec["metadata"])
            items.replace(current, after, ctx, action=None)
            if (old["price"]["id"], old["quantity"]) != (after["price"]["id"], after["quantity"]):
                changes.append((old, after, current))
        if not flow.item_records(self.state, record.id):
            raise invalid_request("A subscription must keep at least one item; cancel it instead.", param="items")
        return changes

    @staticmethod
    def _same_cycle(record: Record, price: dict, param: str) -> None:
        if price["currency"] != record.data["currency"]:
            raise invalid_request("All prices on a subscription must have the same currency.", param=param)
        recurring = price["recurring"]
        if (recurring["interval"], recurring["interval_count"]) != (record.extra["interval"],
                                                                    record.extra["interval_count"]):
            raise invalid_request("The sandbox keeps a subscription's billing interval: use a price with the same "
                                  "recurring interval.", param=param)

    # -- cancel ----------------------------------------------------------------------------
    def cancel(self, sub_id: str, params: dict, ctx: WriteContext) -> dict:
        self.only(params, ("invoice_now", "prorate", "cancellation_details"))
        record = self.record(sub_id)
        ctx = self.state.in_domain(record.extra.get("domain"), ctx)
        if record.data["status"] in ENDED:
            raise invalid_request("This subscription is already canceled.")
        details = p.hash_of(params.get("cancellation_details") or {}, "cancellation_details",
                            ("comment", "feedback", "feedback_option"))
        if p.boolean(params.get("prorate", "false"), "prorate") and record.data["status"] != "trialing":
            changes = [(r.data, None, r) for r in flow.item_records(self.state, sub_id)]
            flow.proration_items(self.state, record.data, changes, ctx.now,
                                 (record.extra["period_start"], record.extra["period_end"]), ctx)
        flow.cancel(self.state, record, ctx, reason="cancellation_requested",
                    comment=p.nullable_str(details.get("comment", ""), "cancellation_details[comment]"),
                    feedback=details.get("feedback") or None)
        if p.boolean(params.get("invoice_now", "false"), "invoice_now"):
            pending = self.other("invoiceitem").pending_for(record.data["customer"], subscription=sub_id)
            if pending:
                invoice, _ = flow.open_invoice(self.state, record, ctx, billing_reason="subscription_update",
                                               sources=[], period=(ctx.now, ctx.now))
                flow.finalize_now(self.state, invoice, ctx)
        return record.data

    # -- hooks from the invoice state machine ----------------------------------------------
    def _of(self, invoice: dict) -> Record | None:
        sub_id = ((invoice.get("parent") or {}).get("subscription_details") or {}).get("subscription")
        return self.state.store.get(self.object_name, sub_id) if sub_id else None

    def invoice_paid(self, invoice: dict, ctx: WriteContext) -> None:
        record = self._of(invoice)
        if record is not None and record.data["status"] in ("incomplete", "past_due", "unpaid"):
            flow.set_status(self.state, record, "active", ctx)

    def invoice_payment_failed(self, invoice: dict, ctx: WriteContext) -> None:
        record = self._of(invoice)
        if record is not None and record.data["status"] == "active" and invoice["billing_reason"] != \
                "subscription_create":
            flow.set_status(self.state, record, "past_due", ctx)

    def dunning_exhausted(self, invoice: dict, ctx: WriteContext) -> None:
        record = self._of(invoice)
        if record is not None and record.data["status"] not in ENDED:
            flow.cancel(self.state, record, ctx, reason="payment_failed")

    def invoice_voided(self, invoice: dict, ctx: WriteContext) -> None:
        """Nothing to do: an incomplete subscription expires on its own schedule."""

    def customer_deleted(self, customer_id: str, ctx: WriteContext) -> None:
        """Deleting a customer cancels its subscriptions at once, as Stripe does."""
        for record in self.state.store.indexed(self.object_name, "customer", customer_id).records:
            if record.data["status"] not in ENDED:
                flow.cancel(self.state, record, ctx, reason="cancellation_requested")

    def cancel_at_task(self, task, ctx: WriteContext) -> None:
        record = self.state.store.get(self.object_name, task.key)
        if record is not None and record.data["status"] not in ENDED and record.data["cancel_at"] == task.due:
            flow.cancel(self.state, record, ctx, reason="cancellation_requested")
