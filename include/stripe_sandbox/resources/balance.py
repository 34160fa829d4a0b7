"""``GET /v1/balance``: the account balance (a singleton, no ID).

Placeholder until balance transactions exist: zero USD available and pending. Connectors use
it as a cheap authenticated call (e.g. an Airflow "test connection").
"""

from __future__ import annotations

from stripe_sandbox.errors import unknown_parameter
from stripe_sandbox.resources.base import ApiCall, Resource, Route

DEFAULT_CURRENCY = "usd"


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
        def funds() -> list[dict]:
            return [{"amount": 0, "currency": DEFAULT_CURRENCY, "source_types": {"card": 0}}]

        return {
            "object": "balance",
            "available": funds(),
            "connect_reserved": [{"amount": 0, "currency": DEFAULT_CURRENCY}],
            "livemode": False,
            "pending": funds(),
        }
