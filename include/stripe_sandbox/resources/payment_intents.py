"""Payment intents: the invoice's payment (created at finalization) or a standalone payment.

Confirming charges the test payment method (``billing.payment_methods``): success ->
``charge.succeeded`` + ``payment_intent.succeeded``; decline -> ``charge.failed`` +
``payment_intent.payment_failed`` with ``last_payment_error`` and status
``requires_payment_method`` (confirm again with another method). API: create (``confirm=true``
charges at once), confirm, cancel, retrieve, update, list.

A US bank account (``pm_usBankAccount_*``, ACH Direct Debit, USD only) does not settle at once: the
intent goes to ``processing`` with a ``pending`` charge (``charge.pending`` +
``payment_intent.processing``), and a scheduled ``payment_intent.settle`` task decides it when it
settles (``billing.settlement.ach_settles_at``): ``charge.succeeded`` + ``payment_intent.succeeded``,
or ``charge.failed`` + ``payment_intent.payment_failed`` (back to ``requires_payment_method`` with
``last_payment_error`` carrying the bank's reason). Relied on: "the PaymentIntent moves to processing
for asynchronous payment methods, such as bank debits. These types of payment methods can take up to
a few days to process" (docs.stripe.com/payments/paymentintents/lifecycle); a failed payment's error
has ``type`` ``card_error``, which Stripe uses for payment errors of every method ("payment errors,
sometimes called card errors for historical reasons", docs.stripe.com/error-handling). A standalone
intent attached to an invoice (``POST /v1/invoices/{id}/attach_payment``) credits the invoice when it
succeeds; canceling it cancels its invoice payment ("You can change a payment's status from open to
canceled by canceling its associated PaymentIntent", docs.stripe.com/invoicing/partial-payments).
A processing intent cannot be canceled in the sandbox (Stripe allows it for some ACH payments).
"""

from __future__ import annotations

from dataclasses import dataclass

from stripe_sandbox.billing import currency as money_currency
from stripe_sandbox.billing import fx
from stripe_sandbox.billing import settlement
from stripe_sandbox.billing.payment_methods import (
    ACH,
    ACH_FAILURE_MESSAGES,
    DECLINE_MESSAGES,
    bank_account_for,
    card_for,
    is_bank_account,
)
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
    processing: bool = False  # an ACH payment: decided when it settles


PAYMENT_METHOD_TYPES = ("card", ACH)


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

    def tasks(self) -> dict:
        return {"payment_intent.settle": self._settle}

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
        if is_bank_account(method):
            return self._confirm_bank_debit(record, method, ctx)
        card = card_for(method)
        charge = self.other("charge").create_for(record.data, method, card, ctx)
        data = dict(record.data, latest_charge=charge["id"])
        if card.decline_code is None:
            data.update(status="succeeded", amount_received=data["amount"], payment_method=method,
                        last_payment_error=None)
            self.replace(record, data, ctx, action=None)
            self.emit(record, "succeeded", ctx)
            if card.dispute:
                self.other("dispute").open(charge["id"], ctx, reason="fraudulent", inquiry=card.dispute == "inquiry")
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

    def _confirm_bank_debit(self, record, method: str, ctx: WriteContext) -> Outcome:
        account = bank_account_for(method)
        if record.data["currency"] != "usd":
            raise invalid_request(f"The currency provided ({record.data['currency']}) is invalid. Payments with "
                                  f"us_bank_account support the following currencies: usd.", param="currency",
                                  code="payment_intent_incompatible_payment_method")
        types = record.data["payment_method_types"]
        if ACH not in types:
            if record.extra.get("explicit_types"):
                raise invalid_request(f"The PaymentMethod provided ({ACH}) is not allowed for this PaymentIntent. "
                                      f"Please attach a PaymentMethod of one of the following types: "
                                      f"{', '.join(types)}.", param="payment_method",
                                      code="payment_intent_incompatible_payment_method")
            types = [*types, ACH]  # automatic payment methods: every enabled type is listed
        charge = self.other("charge").create_pending(record.data, method, account, ctx)
        data = dict(record.data, latest_charge=charge["id"], status="processing", payment_method=method,
                    payment_method_types=types, last_payment_error=None)
        self.replace(record, data, ctx, action=None)
        self.emit(record, "processing", ctx)
        if account.settles:
            self.state.schedule(settlement.ach_settles_at(ctx.now), "payment_intent.settle", record.id,
                                {"charge": charge["id"]}, domain=self.state.domain_of_customer(data["customer"]))
        return Outcome(False, charge["id"], processing=True)

    def _settle(self, task, ctx: WriteContext) -> None:
        """An ACH payment's outcome, 4 business days after it was confirmed."""
        record = self.state.store.get(self.object_name, task.key)
        if record is None or record.data["status"] != "processing" or record.data["latest_charge"] != \
                task.data["charge"]:
            return
        failure = bank_account_for(record.data["payment_method"]).failure_code
        charge = self.other("charge").settle(task.data["charge"], failure, ctx)
        if failure is None:
            data = dict(record.data, status="succeeded", amount_received=record.data["amount"])
            self.replace(record, data, ctx, action=None)
            self.emit(record, "succeeded", ctx)
        else:
            message = ACH_FAILURE_MESSAGES[failure]
            error = {
                "advice_code": None,
                "charge": charge["id"],
                "code": failure,
                "decline_code": None,
                "doc_url": f"https://stripe.com/docs/error-codes/{failure.replace('_', '-')}",
                "message": message,
                "network_advice_code": None,
                "network_decline_code": None,
                "param": None,
                "payment_method": None,
                "payment_method_type": ACH,
                "type": "card_error",
            }
            data = dict(record.data, status="requires_payment_method", payment_method=None, last_payment_error=error)
            self.replace(record, data, ctx, action=None)
            self.emit(record, "payment_failed", ctx)
        from stripe_sandbox.flows import invoicing

        invoicing.intent_settled(self.state, record, ctx, succeeded=failure is None)

    def set_amount(self, pi_id: str, amount: int, ctx: WriteContext) -> None:
        """An invoice's default payment follows the amount remaining after a partial payment (no event)."""
        record = self.record(pi_id)
        if record.data["status"] in OPEN and record.data["amount"] != amount:
            self.replace(record, dict(record.data, amount=amount), ctx, action=None)

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
        explicit = "payment_method_types" in params
        if explicit:
            types = [p.enum(t, "payment_method_types", PAYMENT_METHOD_TYPES)
                     for t in p.str_list(params["payment_method_types"], "payment_method_types")]
            if not types:
                raise invalid_request("payment_method_types must not be empty.", param="payment_method_types")
            data["payment_method_types"] = types
        record = self.insert(data, ctx)
        if explicit:
            record.extra["explicit_types"] = True
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
        if outcome.succeeded and record.extra.get("attached_to"):
            from stripe_sandbox.flows import invoicing

            invoicing.intent_settled(self.state, record, ctx, succeeded=True)
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
        ctx = self.state.in_domain(self.state.domain_of_customer(record.data["customer"]), ctx)
        self._cancel(record, reason, ctx)
        if record.extra.get("attached_to"):
            self.other("invoice_payment").cancel_open(record.extra["attached_to"], ctx, payment_intent=record.id)
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
