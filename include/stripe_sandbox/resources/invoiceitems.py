"""Invoice items: one-off charges or credits (and a subscription's prorations), pending until invoiced.

Create with ``amount`` + ``currency``, ``pricing[price]`` (or ``price_data``) and ``quantity``.
``invoice=in_...`` adds the item to that draft invoice; otherwise it stays pending for the
customer's next invoice (``pending_invoice_items_behavior=include``) or subscription cycle.
Pending items and items of draft invoices can be updated and deleted; adding, changing or
removing an item recomputes its draft invoice (``invoice.updated``).
"""

from __future__ import annotations

from decimal import Decimal

from stripe_sandbox.billing import currency as money_currency
from stripe_sandbox.billing import fx
from stripe_sandbox.billing.money import round_minor
from stripe_sandbox.errors import invalid_request, unsupported_parameter
from stripe_sandbox.forms import as_str
from stripe_sandbox.resources import filters as f
from stripe_sandbox.resources import params as p
from stripe_sandbox.resources.base import Resource, Route
from stripe_sandbox.state import WriteContext

CREATE = frozenset({"customer", "amount", "currency", "pricing", "price_data", "quantity", "description",
                    "discountable", "discounts", "invoice", "metadata", "period", "tax_rates", "subscription",
                    "unit_amount_decimal"})
UPDATE = frozenset({"amount", "pricing", "price_data", "quantity", "description", "discountable", "discounts",
                    "metadata", "period", "tax_rates", "unit_amount_decimal"})
IGNORED = frozenset({"tax_behavior", "tax_code"})


def _pending(params: dict, data: dict) -> bool:
    return (data["invoice"] is None) == p.boolean(params["pending"], "pending")


class InvoiceItems(Resource):
    object_name = "invoiceitem"
    prefix = "ii"
    url = "/v1/invoiceitems"
    expandable = frozenset({"customer", "discounts", "invoice", "test_clock", "pricing.price_details.price",
                            "proration_details.discount_amounts.discount"})
    filters = {
        "customer": f.equals("customer"),
        "invoice": f.equals("invoice"),
        "pending": f.predicate(_pending, "pending"),
    }
    indexes = {"customer": lambda data: data["customer"]}

    def __init__(self, state) -> None:
        super().__init__(state)
        self._invoiced_prefix: dict[str, int] = {}

    def routes(self) -> list[Route]:
        return self.crud_routes(deletable=True)

    # -- write paths -----------------------------------------------------------------------
    def create(self, params: dict, ctx: WriteContext) -> dict:
        self.only(params, CREATE | IGNORED)
        customer_id = as_str(p.required(params, "customer"), "customer")
        customer = self.other("customer").ref(customer_id, "customer").data
        domain = customer.get("test_clock")
        ctx = self.state.in_domain(domain, ctx)
        invoice_record = None
        if params.get("invoice"):
            invoice_record = self.other("invoice").ref(as_str(params["invoice"], "invoice"), "invoice")
            if invoice_record.data["status"] != "draft":
                raise invalid_request("Invoice items can only be added to draft invoices.", param="invoice",
                                      code="invoice_not_editable")
            if invoice_record.data["customer"] != customer_id:
                raise invalid_request("The invoice belongs to another customer.", param="invoice")
        pricing, amount, quantity, currency = self._pricing(params, None, customer, invoice_record, ctx)
        item_id = self.new_id()
        item = {
            "id": item_id,
            "object": "invoiceitem",
            "amount": amount,
            "currency": currency,
            "customer": customer_id,
            "customer_account": None,
            "date": ctx.now,
            "description": None,
            "discountable": amount >= 0,
            "discounts": [],
            "invoice": None,
            "livemode": False,
            "metadata": {},
            "net_amount": amount,
            "parent": None,
            "period": {"end": ctx.now, "start": ctx.now},
            "pricing": pricing,
            "proration": False,
            "proration_details": {"credited_items": None, "discount_amounts": []},
            "quantity": quantity,
            "quantity_decimal": str(quantity),
            "tax_rates": [],
            "test_clock": domain,
        }
        if params.get("subscription"):
            sub = self.other("subscription").ref(as_str(params["subscription"], "subscription"), "subscription")
            item["parent"] = {"subscription_details": {"subscription": sub.id, "subscription_item": None},
                              "type": "subscription_details"}
        item = self._apply(item, params, ctx)
        if item["description"] is None:
            item["description"] = self._default_description(pricing)
        record = self.insert(item, ctx)
        if invoice_record is not None:
            self.other("invoice").add_item(invoice_record, record, ctx)
        return record.data

    def create_proration(self, fields: dict, ctx: WriteContext) -> dict:
        """A proration item from a subscription change (its amount and period are already computed)."""
        item = {
            "id": self.new_id(),
            "object": "invoiceitem",
            "customer_account": None,
            "date": ctx.now,
            "discountable": True,
            "discounts": [],
            "invoice": None,
            "livemode": False,
            "metadata": {},
            "proration": True,
            "quantity_decimal": str(fields["quantity"]),
            "tax_rates": [],
            **fields,
        }
        item["net_amount"] = item["amount"]
        return self.insert(item, ctx).data

    def update(self, item_id: str, params: dict, ctx: WriteContext) -> dict:
        record = self.record(item_id)
        self.only(params, UPDATE | IGNORED)
        invoice_record = self._editable_invoice(record)
        customer = self.state.store.get("customer", record.data["customer"]).data
        ctx = self.state.in_domain(record.data["test_clock"], ctx)
        after = dict(record.data)
        if {"amount", "pricing", "price_data", "quantity", "unit_amount_decimal"} & set(params):
            pricing, amount, quantity, _ = self._pricing(params, record.data, customer, invoice_record, ctx)
            after.update(pricing=pricing, amount=amount, net_amount=amount, quantity=quantity,
                         quantity_decimal=str(quantity))
        after = self._apply(after, params, ctx)
        if self.replace(record, after, ctx) and invoice_record is not None:
            self.other("invoice").refresh_item(invoice_record, record, ctx)
        return record.data

    def delete(self, item_id: str, ctx: WriteContext) -> dict:
        record = self.record(item_id)
        invoice_record = self._editable_invoice(record)
        ctx = self.state.in_domain(record.data["test_clock"], ctx)
        stub = self.mark_deleted(record, ctx)
        if invoice_record is not None:
            self.other("invoice").remove_item(invoice_record, record, ctx)
        return stub

    def attach(self, item_id: str, invoice_id: str | None, ctx: WriteContext) -> None:
        record = self.record(item_id)
        if invoice_id is None:
            self._invoiced_prefix[record.data["customer"]] = 0  # pending again (its draft was deleted)
        self.replace(record, {**record.data, "invoice": invoice_id}, ctx)

    def pending_for(self, customer_id: str, *, subscription: str | None = None, currency: str | None = None):
        """Pending (uninvoiced) items of a customer, oldest first; optionally of one subscription."""
        found = []
        records = self.state.store.indexed(self.object_name, "customer", customer_id).records
        start = self._invoiced_prefix.get(customer_id, 0)
        while start < len(records) and (records[start].deleted or records[start].field("invoice") is not None):
            start += 1  # items are invoiced roughly in order: skip the invoiced head once and for all
        self._invoiced_prefix[customer_id] = start
        for record in records[start:]:
            data = record.data
            if record.deleted or data["invoice"] is not None:
                continue
            item_sub = ((data.get("parent") or {}).get("subscription_details") or {}).get("subscription")
            if subscription is not None and item_sub != subscription:
                continue
            if currency is not None and data["currency"] != currency:
                continue
            found.append(record)
        return found

    # -- helpers ---------------------------------------------------------------------------
    def _editable_invoice(self, record):
        invoice_id = record.data["invoice"]
        if invoice_id is None:
            return None
        invoice_record = self.state.store.get("invoice", invoice_id)
        if invoice_record is not None and invoice_record.data["status"] != "draft":
            raise invalid_request("This invoice item is on a finalized invoice and cannot be changed.",
                                  code="invoice_not_editable")
        return invoice_record

    def _pricing(self, params: dict, current: dict | None, customer: dict, invoice_record, ctx: WriteContext):
        quantity = p.integer(params.get("quantity", current["quantity"] if current else 1), "quantity", minimum=0)
        if params.get("pricing") or params.get("price_data"):
            if params.get("pricing"):
                fields = p.hash_of(params["pricing"], "pricing", ("price",))
                price = self.other("price").ref(as_str(p.required(fields, "price", "pricing[price]"),
                                                       "pricing[price]"), "pricing[price]").data
            else:
                data = p.hash_of(params["price_data"], "price_data",
                                 ("currency", "product", "unit_amount", "unit_amount_decimal", "tax_behavior"))
                price = self.other("price").create({**data, "active": "false"}, ctx)  # an archived one-off price
            unit = Decimal(price["unit_amount_decimal"])
            currency = price["currency"]
            amount = round_minor(unit * quantity, currency)
            pricing = {"price_details": {"price": price["id"], "product": price["product"]}, "type": "price_details",
                       "unit_amount_decimal": price["unit_amount_decimal"]}
        elif "unit_amount_decimal" in params:
            currency = fx.check_supported(as_str(p.required(params, "currency"), "currency"))
            unit = p.decimal(params["unit_amount_decimal"], "unit_amount_decimal")
            amount = round_minor(unit * quantity, currency)
            pricing = {"price_details": None, "type": "price_details", "unit_amount_decimal": p.decimal_string(unit)}
        elif "amount" in params or current is None:
            currency = fx.check_supported(as_str(params.get("currency") or (current or {}).get("currency")
                                                 or p.required(params, "currency"), "currency"))
            amount = p.integer(p.required(params, "amount"), "amount")
            if quantity != 1:
                raise invalid_request("quantity must be 1 when amount is given; use unit_amount_decimal instead.",
                                      param="quantity")
            money_currency.check_amount(amount, currency, "amount")
            pricing = {"price_details": None, "type": "price_details", "unit_amount_decimal": str(amount)}
        else:
            currency = current["currency"]
            unit = Decimal(current["pricing"]["unit_amount_decimal"])
            amount = round_minor(unit * quantity, currency)
            pricing = current["pricing"]
        expected = (invoice_record.data["currency"] if invoice_record is not None else customer.get("currency"))
        if expected and expected != currency:
            raise invalid_request(f"The currency {currency} does not match the customer's or invoice's currency "
                                  f"{expected}.", param="currency")
        return pricing, amount, quantity, currency

    def _apply(self, item: dict, params: dict, ctx: WriteContext) -> dict:
        if "description" in params:
            item["description"] = p.nullable_str(params["description"], "description")
        if "discountable" in params:
            item["discountable"] = p.boolean(params["discountable"], "discountable")
        if "metadata" in params:
            item["metadata"] = p.metadata(item["metadata"], params["metadata"])
        if "period" in params:
            period = p.hash_of(params["period"], "period", ("start", "end"))
            start = p.integer(p.required(period, "start", "period[start]"), "period[start]")
            end = p.integer(p.required(period, "end", "period[end]"), "period[end]")
            if end < start:
                raise invalid_request("period[end] must be after period[start].", param="period[end]")
            item["period"] = {"end": end, "start": start}
        if "tax_rates" in params:
            item["tax_rates"] = self.other("tax_rate").rates(
                [] if params["tax_rates"] == "" else p.str_list(params["tax_rates"], "tax_rates"))
        if "discounts" in params:
            if item["discounts"] and params["discounts"] != "":
                raise unsupported_parameter("discounts")  # replacing applied discounts is not modelled
            item["discounts"] = self.other("discount").apply_list(
                params["discounts"], param="discounts", customer=item["customer"], currency=item["currency"],
                ctx=ctx, scope={"invoice_item": item["id"]})
        return item

    def _default_description(self, pricing: dict) -> str | None:
        details = pricing.get("price_details") if pricing else None
        if not details:
            return None
        product = self.state.store.get("product", details["product"])
        return product.data["name"] if product is not None else None
