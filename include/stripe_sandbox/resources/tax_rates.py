"""Tax rates: exclusive or inclusive percentages; create, retrieve, update, list (no deletion, as Stripe)."""

from __future__ import annotations

from decimal import Decimal

from stripe_sandbox.billing.money import as_json_number
from stripe_sandbox.billing.tax import Rate
from stripe_sandbox.forms import as_str
from stripe_sandbox.resources import filters as f
from stripe_sandbox.resources import params as p
from stripe_sandbox.resources.base import Resource, Route
from stripe_sandbox.state import WriteContext

STRINGS = ("country", "description", "jurisdiction", "state", "tax_type")
CREATE = frozenset({"display_name", "percentage", "inclusive", "active", "metadata", *STRINGS})
UPDATE = frozenset({"display_name", "active", "metadata", *STRINGS})


class TaxRates(Resource):
    object_name = "tax_rate"
    prefix = "txr"
    url = "/v1/tax_rates"
    expandable = frozenset()
    filters = {"active": f.boolean("active"), "inclusive": f.boolean("inclusive")}

    def routes(self) -> list[Route]:
        return self.crud_routes()

    def create(self, params: dict, ctx: WriteContext) -> dict:
        self.only(params, CREATE)
        percentage = p.decimal(p.required(params, "percentage"), "percentage", minimum=0, maximum=100)
        rate = {
            "id": self.new_id(),
            "object": "tax_rate",
            "active": True,
            "country": None,
            "created": ctx.now,
            "description": None,
            "display_name": as_str(p.required(params, "display_name"), "display_name", max_length=50),
            "effective_percentage": as_json_number(percentage),
            "flat_amount": None,
            "inclusive": p.boolean(p.required(params, "inclusive"), "inclusive"),
            "jurisdiction": None,
            "jurisdiction_level": None,
            "livemode": False,
            "metadata": {},
            "percentage": as_json_number(percentage),
            "rate_type": "percentage",
            "state": None,
            "tax_type": None,
        }
        return self.insert(_apply(rate, params), ctx).data

    def update(self, rate_id: str, params: dict, ctx: WriteContext) -> dict:
        record = self.record(rate_id)
        self.only(params, UPDATE)
        self.replace(record, _apply(dict(record.data), params), ctx)
        return record.data

    def rates(self, rate_ids: list[str], param: str = "tax_rates") -> list[dict]:
        """The tax rate objects for IDs (400 for an unknown one)."""
        return [self.ref(rate_id, param).data for rate_id in rate_ids]


def as_rate(tax_rate: dict) -> Rate:
    return Rate(tax_rate["id"], Decimal(str(tax_rate["percentage"])), bool(tax_rate["inclusive"]))


def _apply(rate: dict, params: dict) -> dict:
    if "display_name" in params:
        rate["display_name"] = as_str(params["display_name"], "display_name", max_length=50)
    for key in STRINGS:
        if key in params:
            rate[key] = p.nullable_str(params[key], key)
    if rate.get("country"):
        rate["country"] = rate["country"].upper()
    if "active" in params:
        rate["active"] = p.boolean(params["active"], "active")
    if "metadata" in params:
        rate["metadata"] = p.metadata(rate["metadata"], params["metadata"])
    return rate
