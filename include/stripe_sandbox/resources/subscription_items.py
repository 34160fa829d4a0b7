"""Subscription items: list (``subscription`` required), retrieve, and create/update/delete, which
change the subscription through its own update path (same prorations and events)."""

from __future__ import annotations

from stripe_sandbox.errors import missing_parameter
from stripe_sandbox.forms import as_str
from stripe_sandbox.resources import params as p
from stripe_sandbox.resources.base import ID, ApiCall, Resource, Route
from stripe_sandbox.state import WriteContext

ITEM_FIELDS = ("price", "quantity", "tax_rates", "metadata", "discounts")
CHANGE_FIELDS = ("proration_behavior", "proration_date", "payment_behavior", "off_session")


class SubscriptionItems(Resource):
    object_name = "subscription_item"
    prefix = "si"
    url = "/v1/subscription_items"
    expandable = frozenset({"discounts"})
    list_filters = frozenset({"subscription"})
    indexes = {"subscription": lambda data: data["subscription"]}

    def routes(self) -> list[Route]:
        one = f"{self.url}/{ID}"
        return [
            ("POST", self.url, lambda call: self.respond(self.create(call.params, call.ctx), call)),
            ("GET", self.url, self._list),
            ("GET", one, self.retrieve_handler),
            ("POST", one, lambda call: self.respond(self.update(call.id, call.params, call.ctx), call)),
            ("DELETE", one, lambda call: self.delete(call.id, call.params, call.ctx)),
        ]

    def _list(self, call: ApiCall) -> dict:
        if not call.params.get("subscription"):
            raise missing_parameter("subscription")
        sub_id = as_str(call.params["subscription"], "subscription")
        page = self.list_page(call.params, lambda r: not r.deleted,
                              source=self.state.store.indexed(self.object_name, "subscription", sub_id))
        page["url"] = f"{self.url}?subscription={sub_id}"
        return page

    def _split(self, params: dict) -> tuple[dict, dict]:
        self.only(params, (*ITEM_FIELDS, *CHANGE_FIELDS, "subscription"))
        item = {k: v for k, v in params.items() if k in ITEM_FIELDS}
        change = {k: v for k, v in params.items() if k in CHANGE_FIELDS and k not in ("payment_behavior",
                                                                                    "off_session")}
        return item, change

    def create(self, params: dict, ctx: WriteContext) -> dict:
        item, change = self._split(params)
        sub_id = as_str(p.required(params, "subscription"), "subscription")
        subs = self.other("subscription")
        before = {r.id for r in self.state.store.indexed(self.object_name, "subscription", sub_id).records}
        subs.update(sub_id, {**change, "items": [item]}, ctx)
        created = [r for r in self.state.store.indexed(self.object_name, "subscription", sub_id).records
                   if r.id not in before]
        return created[-1].data

    def update(self, item_id: str, params: dict, ctx: WriteContext) -> dict:
        record = self.record(item_id)
        item, change = self._split(params)
        self.other("subscription").update(record.data["subscription"], {**change, "items": [{"id": item_id, **item}]},
                                          ctx)
        return record.data

    def delete(self, item_id: str, params: dict, ctx: WriteContext) -> dict:
        record = self.record(item_id)
        _, change = self._split(params)
        self.other("subscription").update(record.data["subscription"],
                                          {**change, "items": [{"id": item_id, "deleted": "true"}]}, ctx)
        return {"id": item_id, "object": "subscription_item", "deleted": True}
