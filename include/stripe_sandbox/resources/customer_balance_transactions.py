"""Customer balance transactions: every change of a customer's credit balance by billing.

Finalizing an invoice applies the balance (``applied_to_invoice``; a negative invoice total adds
credit: ``unapplied_from_invoice``), voiding it gives the applied balance back
(``unapplied_from_invoice``), a credit note's ``credit_amount`` adds credit
(``credit_note``). Each change also updates ``customer.balance`` through the customers write path
(``customer.updated``). ``GET /v1/customers/{id}/balance_transactions`` lists them, newest first.
"""

from __future__ import annotations

from stripe_sandbox.errors import resource_missing
from stripe_sandbox.resources.base import ApiCall, Resource, Route
from stripe_sandbox.state import WriteContext


class CustomerBalanceTransactions(Resource):
    object_name = "customer_balance_transaction"
    prefix = "cbtxn"
    url = "/v1/customers"
    expandable = frozenset({"customer", "credit_note", "invoice", "checkout_session"})
    indexes = {"customer": lambda data: data["customer"]}

    def routes(self) -> list[Route]:
        base = r"/v1/customers/(?P<customer>[^/]+)/balance_transactions"
        return [("GET", base, self._list), ("GET", base + r"/(?P<id>[^/]+)", self._retrieve)]

    def _list(self, call: ApiCall) -> dict:
        customer = call.path_params["customer"]
        self.other("customer").record(customer, allow_deleted=True)
        page = self.list_page(call.params, source=self.state.store.indexed(self.object_name, "customer", customer))
        page["url"] = f"/v1/customers/{customer}/balance_transactions"
        return page

    def _retrieve(self, call: ApiCall) -> dict:
        self.only(call.params, ())
        record = self.record(call.id)
        if record.data["customer"] != call.path_params["customer"]:
            raise resource_missing(self.object_name, call.id)
        return self.render(record, self.expand_param(call.params))

    def adjust(self, customer_id: str, delta: int, currency: str, ctx: WriteContext, *, type_: str,
               invoice: str | None = None, credit_note: str | None = None) -> dict:
        """Move the customer's balance by ``delta`` (negative = credit) and record why."""
        customer = self.other("customer").record(customer_id).data
        ending = (customer.get("balance") or 0) + delta
        self.other("customer").update(customer_id, {"balance": ending}, ctx)
        txn = {
            "id": self.new_id(),
            "object": "customer_balance_transaction",
            "amount": delta,
            "checkout_session": None,
            "created": ctx.now,
            "credit_note": credit_note,
            "currency": currency,
            "customer": customer_id,
            "customer_account": None,
            "description": None,
            "ending_balance": ending,
            "invoice": invoice,
            "livemode": False,
            "metadata": None,
            "type": type_,
        }
        return self.insert(txn, ctx, action=None).data
