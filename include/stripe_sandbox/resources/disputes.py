"""Disputes (chargebacks and inquiries) on a charge: retrieve, list, update (evidence, ``submit``), close (accept).

Chargebacks. Opening one (``POST /_sandbox/disputes`` with ``charge``, optional ``amount`` and ``reason``;
or paying with ``pm_card_createDispute``) withdraws the amount plus a 15.00 USD fee
(``charge.dispute.created``, ``charge.dispute.funds_withdrawn``, ``charge.updated``). Outcomes:
* ``POST /_sandbox/disputes/{id}/close`` with ``status=won|lost`` decides at once;
* submitted evidence whose ``uncategorized_text`` contains ``winning_evidence`` / ``losing_evidence``
  (Stripe's test-mode convention) is decided one day after submission;
* ``POST /v1/disputes/{id}/close`` accepts the dispute: lost;
* no evidence submitted by ``evidence_details.due_by`` (7 days): lost.
Won: funds and fee come back (``charge.dispute.funds_reinstated``), then ``charge.dispute.closed``.
Lost: ``charge.dispute.closed`` only. The withdrawal and the reinstatement are converted to USD at the rate of
their own day (``fx.convert_on``), not the charge's.

Inquiries. "Some card issuers may begin to investigate a payment before creating a formal dispute, and
request further information about it. This is known as either an 'inquiry' or 'retrieval' [...] Unlike a
formal dispute, no funds have been withdrawn and the payment it relates to can still be refunded [...] To
avoid it becoming a formal dispute, you should submit any required evidence or refund the payment in full.
This marks the inquiry or retrieval as resolved and no dispute fee is incurred" (stripe.com/docs/disputes,
"Inquiries and retrievals"); "if the cardholder refutes your evidence, or the card issuer considers it
insufficient, the card issuer might escalate the inquiry or retrieval into a chargeback and reclaim the
cardholder's funds" (same page). The statuses are the API's ``warning_needs_response``,
``warning_under_review`` and ``warning_closed`` (docs.stripe.com/api/disputes/object, ``status``); Stripe's
example dispute object (fixtures3.json) is such an inquiry: ``balance_transactions: []``,
``is_charge_refundable: true``, ``payment_method_details.card.case_type: "inquiry"``. An inquiry is opened by
``POST /_sandbox/disputes`` with ``inquiry=true``, or by paying with ``pm_card_createDisputeInquiry`` (Stripe's
test card 4000000000001976, "with a dispute inquiry", docs.stripe.com/testing#disputes; reason
``fraudulent``). It records ``charge.dispute.created`` (and ``charge.updated``: ``disputed``) and never
``funds_withdrawn`` while it stays an inquiry. Outcomes, none of which moves money (``balance_transactions``
stays empty):
* evidence with ``winning_evidence``: ``warning_closed`` one day after submission;
* a refund that leaves nothing of the charge to refund: ``warning_closed`` at once (the refund is the
  resolution Stripe names);
* ``POST /_sandbox/disputes/{id}/close`` with ``status`` ``warning_closed``, ``won`` or ``lost`` (the issuer's
  decision; the sandbox's choice is that an inquiry decided ``won``/``lost`` still has no balance transaction,
  since nothing was withdrawn); ``POST /v1/disputes/{id}/close`` (accepting it): ``lost``, no money moves;
Escalation to a chargeback, on the same dispute object (chosen: Stripe does not say whether an escalated
inquiry keeps its ID): evidence with ``losing_evidence`` (one day after submission), no evidence by ``due_by``
(7 days), or ``POST /_sandbox/disputes/{id}/escalate``: status ``needs_response``, ``case_type`` ``chargeback``,
``is_charge_refundable`` false, a new ``due_by`` 7 days later, and the withdrawal as for any chargeback
(``charge.dispute.updated`` then ``charge.dispute.funds_withdrawn``).
"""

from __future__ import annotations

from stripe_sandbox.billing import currency as money_currency
from stripe_sandbox.billing.periods import DAY
from stripe_sandbox.errors import invalid_request, unknown_parameter
from stripe_sandbox.forms import as_str
from stripe_sandbox.resources import filters as f
from stripe_sandbox.resources import params as p
from stripe_sandbox.resources.base import ID, Resource, Route
from stripe_sandbox.state import WriteContext

EVIDENCE_FIELDS = (
    "access_activity_log", "billing_address", "cancellation_policy", "cancellation_policy_disclosure",
    "cancellation_rebuttal", "customer_communication", "customer_email_address", "customer_name",
    "customer_purchase_ip", "customer_signature", "duplicate_charge_documentation", "duplicate_charge_explanation",
    "duplicate_charge_id", "product_description", "receipt", "refund_policy", "refund_policy_disclosure",
    "refund_refusal_explanation", "service_date", "service_documentation", "shipping_address", "shipping_carrier",
    "shipping_date", "shipping_documentation", "shipping_tracking_number", "uncategorized_file",
    "uncategorized_text",
)
REASON_CODES = {"fraudulent": "10.4", "product_not_received": "13.1", "duplicate": "12.6.1",
                "subscription_canceled": "13.2", "credit_not_processed": "13.7", "general": "13.3",
                "product_unacceptable": "13.3", "unrecognized": "10.4"}
RESPONSE_WINDOW = 7 * DAY
DECISION_DELAY = DAY
CHARGEBACK_OPEN = ("needs_response", "under_review")
INQUIRY_OPEN = ("warning_needs_response", "warning_under_review")
OPEN = CHARGEBACK_OPEN + INQUIRY_OPEN
CHARGEBACK_OUTCOMES = ("won", "lost")
INQUIRY_OUTCOMES = ("warning_closed", "won", "lost")


class Disputes(Resource):
    object_name = "dispute"
    prefix = "dp"
    url = "/v1/disputes"
    event_prefix = "charge.dispute"
    expandable = frozenset({"charge", "payment_intent"})
    filters = {"charge": f.equals("charge"), "payment_intent": f.equals("payment_intent")}
    indexes = {"charge": lambda data: data["charge"]}

    def routes(self) -> list[Route]:
        one = f"{self.url}/{ID}"
        return [
            ("GET", self.url, self.list_handler),
            ("GET", one, self.retrieve_handler),
            ("POST", one, lambda call: self.respond(self.update(call.id, call.params, call.ctx), call)),
            ("POST", f"{one}/close", lambda call: self.respond(self.accept(call.id, call.params, call.ctx), call)),
        ]

    def tasks(self) -> dict:
        return {"dispute.decide": self._decide, "dispute.expire": self._expire}

    def _domain_ctx(self, data: dict, ctx: WriteContext) -> WriteContext:
        charge = self.state.store.get("charge", data["charge"]).data
        return self.state.in_domain(self.state.domain_of_customer(charge["customer"]), ctx)

    # -- opening ---------------------------------------------------------------------------
    def open_from_params(self, body: dict, ctx: WriteContext) -> dict:
        """``POST /_sandbox/disputes``: ``charge`` (required), ``amount``, ``reason``, ``inquiry``."""
        for key in body:
            if key not in ("charge", "amount", "reason", "inquiry"):
                raise unknown_parameter(key)
        charge = self.other("charge").ref(as_str(p.required(body, "charge"), "charge"), "charge").data
        amount = p.integer(body["amount"], "amount", minimum=1) if body.get("amount") not in (None, "") else None
        reason = p.enum(body.get("reason", "fraudulent"), "reason", tuple(REASON_CODES))
        inquiry = p.boolean(body["inquiry"], "inquiry") if body.get("inquiry") not in (None, "") else False
        ctx = self.state.in_domain(self.state.domain_of_customer(charge["customer"]), ctx)
        return self.open(charge["id"], ctx, reason=reason, amount=amount, inquiry=inquiry)

    def open(self, charge_id: str, ctx: WriteContext, *, reason: str = "fraudulent", amount: int | None = None,
             inquiry: bool = False) -> dict:
        """A chargeback (funds and fee withdrawn at once) or, ``inquiry``, an inquiry (nothing withdrawn)."""
        charge = self.state.store.get("charge", charge_id).data
        if charge["status"] != "succeeded":
            raise invalid_request("Only successful charges can be disputed.", param="charge")
        if (charge["payment_method_details"] or {}).get("type") != "card":
            raise invalid_request("The Stripe sandbox models disputes of card payments only.", param="charge")
        earlier = self.state.store.indexed(self.object_name, "charge", charge_id).records
        if any(r.data["status"] in OPEN for r in earlier):
            raise invalid_request(f"Charge {charge_id} already has an open dispute.", param="charge")
        self.other("refund").fail_pending_for_dispute(charge_id, ctx)
        charge = self.state.store.get("charge", charge_id).data
        left = charge["amount"] - charge["amount_refunded"]
        amount = left if amount is None else amount
        if not 0 < amount <= left:
            raise invalid_request(f"The disputed amount must be between 1 and {left}.", param="amount")
        money_currency.check_amount(amount, charge["currency"])
        card = charge["payment_method_details"]["card"]
        dispute = {
            "id": self.new_id(),
            "object": "dispute",
            "amount": amount,
            "balance_transactions": [],
            "charge": charge_id,
            "created": ctx.now,
            "currency": charge["currency"],
            "enhanced_eligibility_types": [],
            "evidence": {**dict.fromkeys(EVIDENCE_FIELDS), "enhanced_evidence": {}},
            "evidence_details": {"due_by": ctx.now + RESPONSE_WINDOW, "enhanced_eligibility": {},
                                 "has_evidence": False, "past_due": False, "submission_count": 0,
                                 "submission_method": "not_submitted"},
            "is_charge_refundable": inquiry,
            "livemode": False,
            "metadata": {},
            "network_reason_code": REASON_CODES[reason],
            "payment_intent": charge["payment_intent"],
            "payment_method_details": {"card": {"brand": card["brand"],
                                                "case_type": "inquiry" if inquiry else "chargeback",
                                                "network_reason_code": REASON_CODES[reason],
                                                "network": card["network"]},
                                       "type": "card"},
            "reason": reason,
            "status": "warning_needs_response" if inquiry else "needs_response",
        }
        if not inquiry:
            dispute["balance_transactions"] = [self.other("balance_transaction").for_dispute(dispute, ctx,
                                                                                             reversal=False)]
        record = self.insert(dispute, ctx)  # charge.dispute.created already shows the withdrawal, as Stripe's does
        if not inquiry:
            self.emit(record, "funds_withdrawn", ctx)
        self.other("charge").mark_disputed(charge_id, ctx)
        self._schedule_expiry(record, charge)
        return record.data

    def _schedule_expiry(self, record, charge: dict) -> None:
        self.state.schedule(record.data["evidence_details"]["due_by"], "dispute.expire", record.id,
                            domain=self.state.domain_of_customer(charge["customer"]))

    def escalate(self, dispute_id: str, ctx: WriteContext) -> dict:
        """An open inquiry becomes a chargeback: funds and fee withdrawn, a new response window."""
        record = self.record(dispute_id)
        ctx = self._domain_ctx(record.data, ctx)
        if record.data["status"] not in INQUIRY_OPEN:
            raise invalid_request(f"Only an open inquiry can be escalated; this dispute is {record.data['status']}.",
                                  code="dispute_not_inquiry")
        data = dict(record.data)
        card = data["payment_method_details"]["card"]
        data.update(status="needs_response", is_charge_refundable=False,
                    payment_method_details={**data["payment_method_details"],
                                            "card": {**card, "case_type": "chargeback"}},
                    evidence_details={**data["evidence_details"], "due_by": ctx.now + RESPONSE_WINDOW,
                                      "past_due": False})
        data["balance_transactions"] = [self.other("balance_transaction").for_dispute(data, ctx, reversal=False)]
        self.replace(record, data, ctx)
        self.emit(record, "funds_withdrawn", ctx)
        self._schedule_expiry(record, self.state.store.get("charge", data["charge"]).data)
        return record.data

    def charge_refunded(self, charge_id: str, ctx: WriteContext) -> None:
        """A refund that leaves nothing of the charge to refund resolves its open inquiry (``warning_closed``)."""
        charge = self.state.store.get("charge", charge_id).data
        if charge["amount_refunded"] < charge["amount"]:
            return
        for record in self.state.store.indexed(self.object_name, "charge", charge_id).records:
            if record.data["status"] in INQUIRY_OPEN:
                self.close(record.id, "warning_closed", ctx)

    def list_for_charge(self, charge_id: str) -> list[str]:
        return [r.id for r in self.state.store.indexed(self.object_name, "charge", charge_id).records]

    # -- responding ------------------------------------------------------------------------
    def update(self, dispute_id: str, params: dict, ctx: WriteContext) -> dict:
        self.only(params, ("evidence", "metadata", "submit", "intended_submission_method"))
        record = self.record(dispute_id)
        ctx = self._domain_ctx(record.data, ctx)
        data = dict(record.data)
        if "metadata" in params:
            data["metadata"] = p.metadata(data["metadata"], params["metadata"])
        if "evidence" in params:
            if data["status"] not in OPEN:
                raise invalid_request("This dispute is closed; its evidence cannot change.", code="dispute_closed")
            given = p.hash_of(params["evidence"], "evidence", (*EVIDENCE_FIELDS, "enhanced_evidence", "appeal"))
            evidence = dict(data["evidence"])
            for key, value in given.items():
                if key not in ("enhanced_evidence", "appeal"):
                    evidence[key] = p.nullable_str(value, f"evidence[{key}]", max_length=150000)
            data["evidence"] = evidence
            data["evidence_details"] = {**data["evidence_details"], "has_evidence": True}
        submit = p.boolean(params["submit"], "submit") if "submit" in params else True
        if submit and "evidence" in params and data["status"] in ("needs_response", "warning_needs_response"):
            data["status"] = "under_review" if data["status"] == "needs_response" else "warning_under_review"
            data["evidence_details"] = {**data["evidence_details"],
                                        "submission_count": data["evidence_details"]["submission_count"] + 1,
                                        "submission_method": "manual"}
            text = (data["evidence"].get("uncategorized_text") or "").lower()
            outcome = "won" if "winning_evidence" in text else "lost" if "losing_evidence" in text else None
            if outcome:
                self.state.schedule(ctx.now + DECISION_DELAY, "dispute.decide", record.id, {"status": outcome},
                                    domain=self.state.domain_of_customer(
                                        self.state.store.get("charge", data["charge"]).data["customer"]))
        self.replace(record, data, ctx)
        return record.data

    def accept(self, dispute_id: str, params: dict, ctx: WriteContext) -> dict:
        """``POST /v1/disputes/{id}/close``: "acknowledging it as lost" (an inquiry too, with nothing withdrawn)."""
        self.only(params, ())
        return self.close(dispute_id, "lost", ctx)

    def close(self, dispute_id: str, status: str, ctx: WriteContext) -> dict:
        """Decide a dispute. A chargeback: ``won`` gives the funds and fee back, ``lost`` keeps them withdrawn.
        An inquiry: ``warning_closed``, ``won`` or ``lost``, none of which moves money."""
        record = self.record(dispute_id)
        ctx = self._domain_ctx(record.data, ctx)
        if record.data["status"] not in OPEN:
            raise invalid_request(f"This dispute is already {record.data['status']}.", code="dispute_already_closed")
        inquiry = record.data["status"] in INQUIRY_OPEN
        status = p.enum(status, "status", INQUIRY_OUTCOMES if inquiry else CHARGEBACK_OUTCOMES)
        data = {**record.data, "status": status, "is_charge_refundable": False,
                "evidence_details": {**record.data["evidence_details"],
                                     "past_due": ctx.now > record.data["evidence_details"]["due_by"]}}
        if status == "won" and not inquiry:
            txn = self.other("balance_transaction").for_dispute(record.data, ctx, reversal=True)
            data["balance_transactions"] = [*record.data["balance_transactions"], txn]
            self.replace(record, data, ctx, action="funds_reinstated")
        else:
            self.replace(record, data, ctx, action=None)
        self.emit(record, "closed", ctx)
        return record.data

    def _decide(self, task, ctx: WriteContext) -> None:
        record = self.record(task.key)
        if record.data["status"] == "under_review":
            self.close(record.id, task.data["status"], ctx)
        elif record.data["status"] == "warning_under_review":
            if task.data["status"] == "won":
                self.close(record.id, "warning_closed", ctx)
            else:
                self.escalate(record.id, ctx)

    def _expire(self, task, ctx: WriteContext) -> None:
        record = self.record(task.key)
        if record.data["evidence_details"]["due_by"] != task.due:
            return  # an escalated inquiry has a new deadline (and its own task)
        if record.data["status"] == "needs_response":
            self.close(record.id, "lost", ctx)
        elif record.data["status"] == "warning_needs_response":
            self.escalate(record.id, ctx)
