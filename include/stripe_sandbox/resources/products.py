"""Products: create (with ``default_price_data``), retrieve, update, delete (without prices), list."""

from __future__ import annotations

from stripe_sandbox.errors import invalid_request
from stripe_sandbox.forms import as_str
from stripe_sandbox.resources import filters as f
from stripe_sandbox.resources import params as p
from stripe_sandbox.resources.base import Resource, Route
from stripe_sandbox.state import WriteContext

STRINGS = ("description", "statement_descriptor", "tax_code", "unit_label", "url")
WRITABLE = frozenset({"name", "active", "metadata", "images", "shippable", *STRINGS})
CREATE_ONLY = frozenset({"id", "type", "default_price_data"})
UPDATE_ONLY = frozenset({"default_price"})
IGNORED = frozenset({"marketing_features", "package_dimensions", "tax_details"})


def blank_product(product_id: str, created: int, name: str) -> dict:
    return {
        "id": product_id,
        "object": "product",
        "active": True,
        "created": created,
        "default_price": None,
        "description": None,
        "images": [],
        "livemode": False,
        "marketing_features": [],
        "metadata": {},
        "name": name,
        "package_dimensions": None,
        "shippable": None,
        "statement_descriptor": None,
        "tax_code": None,
        "type": "service",
        "unit_label": None,
        "updated": created,
        "url": None,
    }


class Products(Resource):
    object_name = "product"
    prefix = "prod"
    url = "/v1/products"
    expandable = frozenset({"default_price", "tax_code"})
    filters = {
        "active": f.boolean("active"),
        "shippable": f.boolean("shippable"),
        "url": f.equals("url"),
        "ids": f.one_of("ids", "id"),
    }

    def routes(self) -> list[Route]:
        return self.crud_routes(deletable=True)

    def create(self, params: dict, ctx: WriteContext) -> dict:
        self.only(params, WRITABLE | CREATE_ONLY | IGNORED)
        name = as_str(p.required(params, "name"), "name", max_length=5000)
        product_id = as_str(params["id"], "id") if params.get("id") else self.new_id()
        if self.state.store.find(product_id) is not None:
            raise invalid_request(f"Product already exists: {product_id}", param="id", code="resource_already_exists")
        product = blank_product(product_id, ctx.now, name)
        if "type" in params:
            product["type"] = p.enum(params["type"], "type", ("good", "service"))
        product = _apply(product, params)
        record = self.insert(product, ctx)
        if "default_price_data" in params:
            data = p.hash_of(params["default_price_data"], "default_price_data",
                             ("currency", "unit_amount", "unit_amount_decimal", "recurring", "tax_behavior",
                              "metadata", "currency_options", "custom_unit_amount"))
            price = self.other("price").create({**data, "product": product_id}, ctx)
            self.replace(record, {**record.data, "default_price": price["id"], "updated": ctx.now}, ctx)
        return record.data

    def update(self, product_id: str, params: dict, ctx: WriteContext) -> dict:
        record = self.record(product_id)
        self.only(params, WRITABLE | UPDATE_ONLY | IGNORED)
        after = _apply(dict(record.data), params)
        if "default_price" in params:
            price_id = p.nullable_str(params["default_price"], "default_price")
            if price_id is not None:
                price = self.other("price").ref(price_id, "default_price").data
                if price["product"] != product_id:
                    raise invalid_request("The default price must belong to this product.", param="default_price")
            after["default_price"] = price_id
        if after != record.data:
            after["updated"] = ctx.now
        self.replace(record, after, ctx)
        return record.data

    def delete(self, product_id: str, ctx: WriteContext) -> dict:
        record = self.record(product_id)
        if any(price.data["product"] == product_id for price in self.state.store.ascending("price")):
            raise invalid_request("This product cannot be deleted, because it has one or more user-created prices.",
                                  code="product_has_prices")
        return self.mark_deleted(record, ctx)


def _apply(product: dict, params: dict) -> dict:
    if "name" in params:
        product["name"] = as_str(params["name"], "name", max_length=5000)
    for key in STRINGS:
        if key in params:
            product[key] = p.nullable_str(params[key], key)
    if "active" in params:
        product["active"] = p.boolean(params["active"], "active")
    if "shippable" in params:
        product["shippable"] = p.boolean(params["shippable"], "shippable")
    if "metadata" in params:
        product["metadata"] = p.metadata(product["metadata"], params["metadata"])
    if "images" in params:
        product["images"] = p.str_list(params["images"], "images")
    return product
