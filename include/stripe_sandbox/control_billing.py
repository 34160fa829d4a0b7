"""Billing control endpoints under ``/_sandbox/`` (same API key as the API).

* ``POST /_sandbox/disputes`` ``{"charge": "ch_...", "amount": 500, "reason": "fraudulent", "inquiry": false}``
  opens a dispute through the disputes write path (as a cardholder's bank would): a chargeback, or with
  ``inquiry=true`` an inquiry (``warning_needs_response``, nothing withdrawn);
* ``POST /_sandbox/disputes/{id}/close`` ``{"status": "won" | "lost"}`` decides it (an inquiry also
  ``warning_closed``; an inquiry's outcome moves no money);
* ``POST /_sandbox/disputes/{id}/escalate`` turns an open inquiry into a chargeback (funds withdrawn);
* ``GET /_sandbox/scheduler`` lists the scheduled work (renewals, retries, payouts ...) with due
  times; ``POST /_sandbox/scheduler/run`` runs whatever is due now (requests do this anyway).
"""

from __future__ import annotations

from collections.abc import Callable

from sandbox_kit import Request

from stripe_sandbox.errors import unknown_parameter
from stripe_sandbox.forms import decode_json_or_form
from stripe_sandbox.state import SandboxState


class BillingControl:
    def __init__(self, state: SandboxState) -> None:
        self.state = state

    def routes(self) -> list[tuple[str, str, Callable[[Request], dict]]]:
        return [
            ("POST", "/_sandbox/disputes", self.open_dispute),
            ("POST", r"/_sandbox/disputes/(?P<id>[^/]+)/close", self.close_dispute),
            ("POST", r"/_sandbox/disputes/(?P<id>[^/]+)/escalate", self.escalate_dispute),
            ("GET", "/_sandbox/scheduler", self.scheduled),
            ("POST", "/_sandbox/scheduler/run", self.run),
        ]

    @property
    def disputes(self):
        return self.state.resources["dispute"]

    def open_dispute(self, request: Request) -> dict:
        body = decode_json_or_form(request.body, request.header("content-type"))
        dispute = self.disputes.open_from_params(body, self.state.context(request.header("request-id")))
        return self.disputes.render(self.disputes.record(dispute["id"]))

    def close_dispute(self, request: Request) -> dict:
        body = decode_json_or_form(request.body, request.header("content-type"))
        for key in body:
            if key != "status":
                raise unknown_parameter(key)
        dispute = self.disputes.close(request.path_params["id"], body.get("status", ""), self.state.context())
        return self.disputes.render(self.disputes.record(dispute["id"]))

    def escalate_dispute(self, request: Request) -> dict:
        body = decode_json_or_form(request.body, request.header("content-type"))
        for key in body:
            raise unknown_parameter(key)
        dispute = self.disputes.escalate(request.path_params["id"], self.state.context())
        return self.disputes.render(self.disputes.record(dispute["id"]))

    def scheduled(self, request: Request) -> dict:
        tasks = [task.describe() for domain in self.state.scheduler.domains()
                 for task in self.state.scheduler.pending(domain)]
        tasks.sort(key=lambda t: t["due"])
        return {"object": "list", "data": tasks, "has_more": False, "url": "/_sandbox/scheduler",
                "errors": list(self.state.task_errors)}

    def run(self, request: Request) -> dict:
        return {"object": "sandbox.scheduler_run", "ran": self.state.run_due(self.state.clock.now()),
                "now": self.state.clock.now()}
