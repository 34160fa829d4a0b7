"""Payment intents: the invoice's payment (created at finalization) or a standalone card payment.

Confirming charges the test payment method (``billing.payment_methods``): success ->
``charge.succeeded`` + ``payment_intent.succeeded``; decline -> ``charge.failed`` +
``payment_intent.payment_failed`` with ``last_payment_error`` and status
``requires_payment_method`` (confirm again with another method). API: create (``confirm=true``
charges at once), confirm, cancel, retrieve, update, list.
"""

from __future__ import annotations

from dataclasses import dataclass

from stripe_sandbox.billing import currency as money_currency
from stripe_sandbox.billing import fx
from stripe_sandbox.billing.payment_methods import DECLINE_MESSAGES, card_for
from stripe_sandbox.errors import StripeApiError, invalid_request, unsupported_parameter
from stripe_sandbox.forms import as_str
from stripe_sandbox.ids import IdFactory
from stripe_sandbox.resources import filters as f
from stripe_sandbox.resources import params as p
from stripe_sandbox.resources.base import ID, Resource, Route
from stripe_sandbox.state import WriteContext

CREATE = frozenset({"amount", "currency", "customer", "payment_method", "confirm", "description", "metadata",
                    "receipt_email", "statement_descriptor", "statement_descriptor_suffix", "payment_method_types",
                    "capture_method", "off_session", "setup_future_usage", "automatic_payment_methods"})
UPDATE = frozenset({"description", "metadata", "payment_method", "receipt_email"})
DESCRIPTIONS = {"subscription_create": "Subscription creation", "subscription_update": "Subscription update",
                "subscription_cycle": "Subscription update"}
OPEN = ("requires_payment_method", "requires_confirmation")
AMOUNT_DETAILS = {"tip": {}}  # shared: stored objects are never changed in place
CARD_ONLY = ["card"]
EMPTY: dict = {}


@dataclass
class Outcome:
    succeeded: bool
    charge_id: str
    error: StripeApiError | None = None


class PaymentIntents(Resource):
    object_name = "payment_intent"
    prefix = "pi"
    url = "/v1/payment_intents"
    expandable = frozenset({"customer", "latest_charge", "payment_method", "application", "on_behalf_of", "review",
                            "source", "payment_record"})
    filters = {"customer": f.equals("customer")}

    def routes(self) -> list[Route]:
        one = f"{self.url}/{ID}"
        return [
            ("POST", self.url, lambda call: self.respond(self.create(call.params, call.ctx), call)),
            ("GET", self.url, self.list_handler),
            ("GET", one, self.retrieve_handler),
            ("POST", one, lambda call: self.respond(self.update(call.id, call.params, call.ctx), call)),
            ("POST", f"{one}/confirm", lambda call: self.respond(self.confirm(call.id, call.params, call.ctx), call)),
            ("POST", f"{one}/cancel", lambda call: self.respond(self.cancel(call.id, call.params, call.ctx), call)),
        ]

    def blank(self, amount: int, currency: str, customer: str | None, description: str | None,
              ctx: WriteContext) -> dict:
        return blank_intent(self.new_id(), amount, currency, customer, description, ctx.now)

    # -- invoices --------------------------------------------------------------------------
    def create_for_invoice(self, invoice: dict, ctx: WriteContext) -> dict:
        description = DESCRIPTIONS.get(invoice["billing_reason"], "Payment for Invoice")
        data = self.blank(invoice["amount_remaining"], invoice["currency"], invoice["customer"], description, ctx)
        record = self.insert(data, ctx)
        record.extra["invoice"] = invoice["id"]
        return record.data

    def cancel_for_invoice(self, pi_id: str, ctx: WriteContext, reason: str = "void_invoice") -> None:
        record = self.record(pi_id)
        if record.data["status"] in OPEN:
            self._cancel(record, reason, ctx)

    # -- charging --------------------------------------------------------------------------
    def confirm_payment(self, pi_id: str, payment_method: str | None, ctx: WriteContext) -> Outcome:
        """Charge ``payment_method`` for the intent; records the charge and the intent's new state."""
        record = self.record(pi_id)
        if record.data["status"] not in OPEN:
            raise invalid_request(f"This PaymentIntent's status is {record.data['status']}; it cannot be confirmed.",
                                  code="payment_intent_unexpected_state")
        method = payment_method or "pm_card_visa"
        card = card_for(method)
        charge = self.other("charge").create_for(record.data, method, card, ctx)
        data = dict(record.data, latest_charge=charge["id"])
        if card.decline_code is None:
            data.update(status="succeeded", amount_received=data["amount"], payment_method=method,
                        last_payment_error=None)
            self.replace(record, data, ctx, action=None)
            self.emit(record, "succeeded", ctx)
            if card.dispute:
                self.other("dispute").open(charge["id"], ctx, reason="fraudulent")
            return Outcome(True, charge["id"])
        code, message = DECLINE_MESSAGES.get(card.decline_code, DECLINE_MESSAGES["generic_decline"])
        error = {
            "advice_code": None,
            "charge": charge["id"],
            "code": code,
            "decline_code": card.decline_code,
            "doc_url": f"https://stripe.com/docs/error-codes/{code.replace('_', '-')}",
            "message": message,
            "network_advice_code": None,
            "network_decline_code": None,
            "param": None,
            "payment_method": None,
            "payment_method_type": "card",
            "type": "card_error",
        }
        data.update(status="requires_payment_method", payment_method=None, last_payment_error=error)
        self.replace(record, data, ctx, action=None)
        self.emit(record, "payment_failed", ctx)
        # a stored version is never changed in place, so the error holds it without a copy (scenarios
        # decline thousands of payments and drop the error)
        api_error = StripeApiError(402, message, type="card_error", code=code,
                                   extra={"decline_code": card.decline_code, "charge": charge["id"],
                                          "payment_intent": record.data})
        return Outcome(False, charge["id"], api_error)

    def _cancel(self, record, reason: str, ctx: WriteContext) -> None:
        data = dict(record.data, status="canceled", canceled_at=ctx.now, cancellation_reason=reason)
        self.replace(record, data, ctx, action=None)
        self.emit(record, "canceled", ctx)

    # -- the standalone API ----------------------------------------------------------------
    def create(self, params: dict, ctx: WriteContext) -> dict:
        for key in ("transfer_data", "application_fee_amount", "on_behalf_of", "mandate", "payment_method_data"):
            if key in params:
                raise unsupported_parameter(key)
        self.only(params, CREATE)
        currency = fx.check_supported(as_str(p.required(params, "currency"), "currency"))
        amount = p.integer(p.required(params, "amount"), "amount", minimum=1)
        money_currency.check_amount(amount, currency)
        customer = None
        if params.get("customer"):
            customer = self.other("customer").ref(as_str(params["customer"], "customer"), "customer").data
            ctx = self.state.in_domain(customer.get("test_clock"), ctx)
        data = self.blank(amount, currency, customer["id"] if customer else None,
                          p.nullable_str(params.get("description", ""), "description"), ctx)
        if "metadata" in params:
            data["metadata"] = p.metadata({}, params["metadata"])
        for key in ("receipt_email", "statement_descriptor", "statement_descriptor_suffix"):
            if key in params:
                data[key] = p.nullable_str(params[key], key)
        if params.get("payment_method"):
            data["payment_method"] = as_str(params["payment_method"], "payment_method")
            data["status"] = "requires_confirmation"
        record = self.insert(data, ctx)
        if params.get("confirm") and p.boolean(params["confirm"], "confirm"):
            outcome = self.confirm_payment(record.id, data["payment_method"], ctx)
            if outcome.error is not None:
                raise outcome.error
        return record.data

    def confirm(self, pi_id: str, params: dict, ctx: WriteContext) -> dict:
        self.only(params, ("payment_method", "off_session", "return_url"))
        record = self.record(pi_id)
        ctx = self.state.in_domain(self.state.domain_of_customer(record.data["customer"]), ctx)
        method = as_str(params["payment_method"], "payment_method") if params.get("payment_method") else \
            record.data["payment_method"]
        if record.extra.get("invoice"):
            raise invalid_request("This PaymentIntent belongs to an invoice: pay it with POST /v1/invoices/{id}/pay.",
                                  code="payment_intent_invoice_not_payable")
        outcome = self.confirm_payment(pi_id, method, ctx)
        if outcome.error is not None:
            raise outcome.error
        return record.data

    def cancel(self, pi_id: str, params: dict, ctx: WriteContext) -> dict:
        self.only(params, ("cancellation_reason",))
        record = self.record(pi_id)
        if record.extra.get("invoice"):
            raise invalid_request("This PaymentIntent belongs to an invoice: void the invoice instead.",
                                  code="payment_intent_unexpected_state")
        if record.data["status"] not in OPEN:
            raise invalid_request(f"You cannot cancel this PaymentIntent because it has a status of "
                                  f"{record.data['status']}.", code="payment_intent_unexpected_state")
        reason = p.enum(params.get("cancellation_reason", "requested_by_customer"), "cancellation_reason",
                        ("duplicate", "fraudulent", "requested_by_customer", "abandoned"))
        self._cancel(record, reason, self.state.in_domain(self.state.domain_of_customer(record.data["customer"]), ctx))
        return record.data

    def update(self, pi_id: str, params: dict, ctx: WriteContext) -> dict:
        self.only(params, UPDATE)
        record = self.record(pi_id)
        data = dict(record.data)
        if "metadata" in params:
            data["metadata"] = p.metadata(data["metadata"], params["metadata"])
        for key in ("description", "receipt_email"):
            if key in params:
                data[key] = p.nullable_str(params[key], key)
        if "payment_method" in params and data["status"] in OPEN:
            data["payment_method"] = p.nullable_str(params["payment_method"], "payment_method")
            data["status"] = "requires_confirmation" if data["payment_method"] else "requires_payment_method"
        # Stripe has no payment_intent.updated event; the change shows in the next event of the intent.
        self.replace(record, data, ctx, action=None)
        return record.data


def blank_intent(pi_id: str, amount: int, currency: str, customer: str | None, description: str | None,
                 created: int) -> dict:
    """A new payment intent (``requires_payment_method``)."""
    return {
        "id": pi_id,
        "object": "payment_intent",
        "amount": amount,
        "amount_capturable": 0,
        "amount_details": AMOUNT_DETAILS,
        "amount_received": 0,
        "application": None,
        "application_fee_amount": None,
        "automatic_payment_methods": None,
        "canceled_at": None,
        "cancellation_reason": None,
        "capture_method": "automatic",
        "client_secret": f"{pi_id}_secret_{IdFactory.derived(pi_id, 25)}",
        "confirmation_method": "automatic",
        "created": created,
        "currency": currency,
        "customer": customer,
        "customer_account": None,
        "description": description,
        "excluded_payment_method_types": None,
        "last_payment_error": None,
        "latest_charge": None,
        "livemode": False,
        "managed_payments": None,
        "metadata": EMPTY,
        "next_action": None,
        "on_behalf_of": None,
        "payment_method": None,
        "payment_method_configuration_details": None,
        "payment_method_options": EMPTY,
        "payment_method_types": CARD_ONLY,
        "processing": None,
        "receipt_email": None,
        "review": None,
        "setup_future_usage": None,
        "shipping": None,
        "source": None,
        "statement_descriptor": None,
        "statement_descriptor_suffix": None,
        "status": "requires_payment_method",
        "transfer_data": None,
        "transfer_group": None,
    }
