"""``GET /v1/balance``: the account balance (a singleton, no ID), summed from balance transactions.

``available`` / ``pending`` are the ``net`` of available / pending balance transactions per
currency (USD, the settlement currency; zero USD when there are none), split in ``source_types``
into ``card`` and ``bank_account`` (ACH Direct Debit payments, their failures and refunds). Connectors also use it as a
cheap authenticated call (an Airflow "test connection").
"""

from __future__ import annotations

from stripe_sandbox.billing.fx import SETTLEMENT_CURRENCY
from stripe_sandbox.errors import unknown_parameter
from stripe_sandbox.resources.base import ApiCall, Resource, Route

DEFAULT_CURRENCY = SETTLEMENT_CURRENCY


class Balance(Resource):
    object_name = "balance"
    url = "/v1/balance"
    list_filters = frozenset()

    def routes(self) -> list[Route]:
        return [("GET", self.url, self._retrieve)]

    def _retrieve(self, call: ApiCall) -> dict:
        for key in call.params:
            if key != "expand":
                raise unknown_parameter(key)
        return self.state.expander.apply(self.current(), self.expand_param(call.params))

    def current(self) -> dict:
        txns = self.state.resources.get("balance_transaction")
        available, pending = txns.balances() if txns is not None else ({}, {})
        currencies = sorted(set(available) | set(pending) | {DEFAULT_CURRENCY})

        def funds(sums: dict[str, dict[str, int]]) -> list[dict]:
            out = []
            for c in currencies:
                kinds = sums.get(c, {})
                types = {"card": kinds.get("card", 0)}
                if "bank_account" in kinds:
                    types["bank_account"] = kinds["bank_account"]
                out.append({"amount": sum(kinds.values()), "currency": c, "source_types": types})
            return out

        return {
            "object": "balance",
            "available": funds(available),
            "connect_reserved": [{"amount": 0, "currency": c} for c in currencies],
            "livemode": False,
            "pending": funds(pending),
        }
