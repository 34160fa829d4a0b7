"""Customers: create, retrieve, update, delete, list; every write records an event."""

from __future__ import annotations

import copy
import re
import string

from stripe_sandbox.errors import invalid_request, unknown_parameter, unsupported_parameter
from stripe_sandbox.forms import as_dict, as_int, as_list, as_str
from stripe_sandbox.resources import params as p
from stripe_sandbox.resources.base import ID, ApiCall, Resource, Route
from stripe_sandbox.state import WriteContext

STRINGS = {  # param -> max length; "" unsets
    "name": 256,
    "phone": 20,
    "description": 5000,
    "business_name": 150,
    "individual_name": 150,
}
WRITABLE = frozenset(
    {*STRINGS, "email", "address", "shipping", "metadata", "preferred_locales", "tax_exempt", "currency",
     "balance", "next_invoice_sequence", "invoice_prefix", "invoice_settings", "expand"}
)
IGNORED = frozenset({"validate", "tax", "cash_balance"})  # accepted, no effect in the sandbox
UNSUPPORTED = frozenset({"payment_method", "source", "default_source", "tax_id_data", "coupon", "promotion_code"})
TAX_EXEMPT = ("exempt", "none", "reverse")
INVOICE_SETTINGS_KEYS = ("custom_fields", "default_payment_method", "footer", "rendering_options")


def blank_customer(customer_id: str, created: int, invoice_prefix: str) -> dict:
    """A new customer with Stripe's defaults (keys as in the 2026 fixture + SDK 16.1.0)."""
    return {
        "id": customer_id,
        "object": "customer",
        "address": None,
        "balance": 0,
        "business_name": None,
        "created": created,
        "currency": None,
        "customer_account": None,
        "default_source": None,
        "delinquent": False,
        "description": None,
        "discount": None,
        "email": None,
        "individual_name": None,
        "invoice_prefix": invoice_prefix,
        "invoice_settings": {
            "custom_fields": None,
            "default_payment_method": None,
            "footer": None,
            "rendering_options": None,
        },
        "livemode": False,
        "metadata": {},
        "name": None,
        "next_invoice_sequence": 1,
        "phone": None,
        "preferred_locales": [],
        "shipping": None,
        "tax_exempt": "none",
        "test_clock": None,
    }


class Customers(Resource):
    object_name = "customer"
    prefix = "cus"
    url = "/v1/customers"
    expandable = frozenset({"default_source", "test_clock", "invoice_settings.default_payment_method"})
    list_filters = frozenset({"created", "email", "test_clock"})

    def routes(self) -> list[Route]:
        return [
            ("POST", self.url, self._create),
            ("GET", self.url, self._list),
            ("GET", f"{self.url}/{ID}", self._retrieve),
            ("POST", f"{self.url}/{ID}", self._update),
            ("DELETE", f"{self.url}/{ID}", self._delete),
        ]

    # -- the write path (HTTP handlers and scenario seeding) ---------------------------------
    def create(self, params: dict, ctx: WriteContext) -> dict:
        params = dict(params)
        clock = params.pop("test_clock", None)
        self._check_params(params)
        if clock:  # the customer lives on the test clock's time (see resources/test_clocks.py)
            clock = self.other("test_helpers.test_clock").ref(as_str(clock, "test_clock"), "test_clock").id
            ctx = self.state.in_domain(clock, ctx)
        prefix = self.state.ids.token("invoice_prefix", string.ascii_uppercase + string.digits, 8)
        customer = apply_params(blank_customer(self.new_id(), ctx.now, prefix), params)
        customer["test_clock"] = clock or None
        return self.insert(customer, ctx).data

    def update(self, customer_id: str, params: dict, ctx: WriteContext) -> dict:
        record = self.record(customer_id)
        if "test_clock" in params:
            raise unsupported_parameter("test_clock")  # set at creation only, as in Stripe
        self._check_params(params)
        ctx = self.state.in_domain(record.data.get("test_clock"), ctx)
        self.replace(record, apply_params(copy.deepcopy(record.data), params), ctx)
        return record.data

    def delete(self, customer_id: str, ctx: WriteContext) -> dict:
        record = self.record(customer_id)
        ctx = self.state.in_domain(record.data.get("test_clock"), ctx)
        if "subscription" in self.state.resources:
            self.other("subscription").customer_deleted(customer_id, ctx)
        return self.mark_deleted(record, ctx)

    @staticmethod
    def _check_params(params: dict) -> None:
        for key in params:
            if key in UNSUPPORTED:
                raise unsupported_parameter(key)
            if key not in WRITABLE and key not in IGNORED:
                raise unknown_parameter(key)

    # -- HTTP handlers ---------------------------------------------------------------------
    def _create(self, call: ApiCall) -> dict:
        created = self.create(call.params, call.ctx)
        return self.render(self.state.store.get(self.object_name, created["id"]), self.expand_param(call.params))

    def _retrieve(self, call: ApiCall) -> dict:
        for key in call.params:
            if key != "expand":
                raise unknown_parameter(key)
        return self.render(self.record(call.id, allow_deleted=True), self.expand_param(call.params))

    def _update(self, call: ApiCall) -> dict:
        self.update(call.id, call.params, call.ctx)
        return self.render(self.record(call.id), self.expand_param(call.params))

    def _delete(self, call: ApiCall) -> dict:
        for key in call.params:
            raise unknown_parameter(key)
        return self.delete(call.id, call.ctx)

    def _list(self, call: ApiCall) -> dict:
        email = call.params.get("email")
        if email is not None:
            email = as_str(email, "email", max_length=512)
        test_clock = call.params.get("test_clock")

        def predicate(record) -> bool:
            if email is not None and record.data.get("email") != email:
                return False
            return test_clock is None or record.data.get("test_clock") == test_clock

        return self.list_page(call.params, predicate)


def apply_params(customer: dict, params: dict) -> dict:
    """Apply create/update params onto ``customer`` (mutated and returned)."""
    for key, limit in STRINGS.items():
        if key in params:
            customer[key] = p.nullable_str(params[key], key, max_length=limit)
    if "email" in params:
        customer["email"] = p.email(params["email"])
    if "address" in params:
        customer["address"] = p.address(customer["address"], params["address"])
    if "shipping" in params:
        customer["shipping"] = p.shipping(params["shipping"])
    if "metadata" in params:
        customer["metadata"] = p.metadata(customer["metadata"], params["metadata"])
    if "preferred_locales" in params:
        locales = as_list(params["preferred_locales"], "preferred_locales")
        customer["preferred_locales"] = [as_str(x, f"preferred_locales[{i}]") for i, x in enumerate(locales)]
    if "tax_exempt" in params:
        value = params["tax_exempt"]
        customer["tax_exempt"] = "none" if value == "" else p.enum(value, "tax_exempt", TAX_EXEMPT)
    if "currency" in params:
        customer["currency"] = p.currency(params["currency"])
    if "balance" in params:
        customer["balance"] = as_int(params["balance"], "balance")
    if "next_invoice_sequence" in params:
        sequence = as_int(params["next_invoice_sequence"], "next_invoice_sequence")
        if sequence < 1:
            raise invalid_request("next_invoice_sequence must be at least 1", param="next_invoice_sequence")
        customer["next_invoice_sequence"] = sequence
    if "invoice_prefix" in params:
        prefix = as_str(params["invoice_prefix"], "invoice_prefix")
        if not re.fullmatch(r"[A-Z0-9]{3,12}", prefix):
            raise invalid_request(
                "Invoice prefix must be 3-12 uppercase letters or numbers.", param="invoice_prefix"
            )
        customer["invoice_prefix"] = prefix
    if "invoice_settings" in params:
        customer["invoice_settings"] = _invoice_settings(customer["invoice_settings"], params["invoice_settings"])
    return customer


def _invoice_settings(current: dict, value) -> dict:
    fields = as_dict(value, "invoice_settings")
    result = dict(current)
    for key, item in fields.items():
        param = f"invoice_settings[{key}]"
        if key not in INVOICE_SETTINGS_KEYS:
            raise unknown_parameter(param)
        if key == "custom_fields":
            result[key] = None if item == "" else [_custom_field(f, f"{param}[{i}]") for i, f in enumerate(as_list(item, param))]
        elif key == "rendering_options":
            result[key] = None if item == "" else _rendering_options(item, param)
        else:
            result[key] = p.nullable_str(item, param)
    return result


def _custom_field(value, param: str) -> dict:
    fields = as_dict(value, param)
    for key in fields:
        if key not in ("name", "value"):
            raise unknown_parameter(f"{param}[{key}]")
    return {k: as_str(fields.get(k, ""), f"{param}[{k}]", max_length=30) for k in ("name", "value")}


def _rendering_options(value, param: str) -> dict:
    fields = as_dict(value, param)
    for key in fields:
        if key not in ("amount_tax_display", "template"):
            raise unknown_parameter(f"{param}[{key}]")
    return {
        "amount_tax_display": p.nullable_str(fields.get("amount_tax_display", ""), f"{param}[amount_tax_display]"),
        "template": p.nullable_str(fields.get("template", ""), f"{param}[template]"),
    }
