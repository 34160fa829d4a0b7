"""Charges: made by confirming a payment intent (succeeded or failed); retrieve, update, list.

A successful card charge gets a ``charge`` balance transaction (converted to USD, with fees); refunds
update ``amount_refunded`` / ``refunded`` / ``refunds`` (``charge.refunded``); a refund that fails later gives
its amount back to ``amount_refunded`` (``refunded`` false again) and a refund that changes refreshes the
embedded ``refunds`` (``charge.updated``); a dispute sets ``disputed`` (``charge.updated``).

ACH Direct Debit (``us_bank_account``) charges are made ``pending`` (``charge.pending``) and settle
later (``settle``): ``succeeded`` (``charge.succeeded``) or ``failed`` (``charge.failed``, with
``failure_code`` / ``failure_message`` and ``failure_balance_transaction``, the reversal). What this
relies on: charges of payments through PaymentIntents with a bank debit have ``py_`` IDs (Stripe's
``latest_charge`` on us_bank_account PaymentIntents, e.g. ``py_3OqKaj...`` in webhook payloads
captured from test mode); ``status`` is "either succeeded, pending, or failed" and ``paid`` is "true
if the charge succeeded" (API reference, Charge object), so a pending charge has ``paid=false``;
the ``payment_method_details.us_bank_account`` keys are SDK 16.1.0's (bank_name, last4,
routing_number, account_type, account_holder_type, fingerprint, expected_debit_date, mandate,
payment_reference; a test-mode payload shows ``bank_name`` "STRIPE TEST BANK", routing number
110000000, ``individual`` / ``checking`` and ``outcome.risk_level`` "not_assessed"); the balance
transaction exists while pending ("a pending balance transaction will immediately be created
reflecting the payment amount, less our fee", Stripe's ACH guide as quoted by its users). Unverified
and chosen here: a pending charge is ``captured`` (automatic capture) and stays so when it fails;
the failed outcome is ``issuer_declined`` / ``declined_by_network``; ``mandate`` is null (the
sandbox has no Mandate objects).
"""

from __future__ import annotations

import hashlib

from datetime import datetime, timezone

from stripe_sandbox.billing.payment_methods import (
    ACH,
    ACH_FAILURE_MESSAGES,
    DECLINE_MESSAGES,
    TEST_BANK_NAME,
    TEST_ROUTING_NUMBER,
    TestBankAccount,
    TestCard,
)
from stripe_sandbox.resources import filters as f
from stripe_sandbox.resources import params as p
from stripe_sandbox.resources.base import ID, Resource, Route
from stripe_sandbox.state import WriteContext

UPDATE = frozenset({"description", "metadata", "receipt_email"})
EMPTY: dict = {}
NULL_ADDRESS = {"city": None, "country": None, "line1": None, "line2": None, "postal_code": None, "state": None}
REFUNDS_PAGE = 10


# Stored objects are never changed in place, so charges share these constant sub-objects.
CHECKS = {"address_line1_check": None, "address_postal_code_check": None, "cvc_check": "pass"}
DISABLED = {"status": "disabled"}
UNAVAILABLE = {"status": "unavailable"}
NOT_TOKENIZED = {"used": False}
_OUTCOMES: dict[tuple, dict] = {}


def card_details(card: TestCard, payment_method: str, amount: int) -> dict:
    fingerprint = hashlib.sha1(payment_method.encode()).hexdigest()[:16]
    return {
        "card": {
            "amount_authorized": amount if card.decline_code is None else None,
            "authorization_code": None,
            "brand": card.brand,
            "checks": CHECKS,
            "country": card.country,
            "exp_month": 12,
            "exp_year": 2034,
            "extended_authorization": DISABLED,
            "fingerprint": fingerprint,
            "funding": card.funding,
            "incremental_authorization": UNAVAILABLE,
            "installments": None,
            "last4": card.last4,
            "mandate": None,
            "multicapture": UNAVAILABLE,
            "network": card.brand,
            "network_token": NOT_TOKENIZED,
            "network_transaction_id": None,
            "overcapture": {"maximum_amount_capturable": amount, "status": "unavailable"},
            "regulated_status": "unregulated",
            "three_d_secure": None,
            "transaction_link_id": None,
            "wallet": None,
        },
        "type": "card",
    }


def bank_details(account: TestBankAccount, payment_method: str, confirmed: int) -> dict:
    fingerprint = hashlib.sha1(account.account_number.encode()).hexdigest()[:16]
    return {
        "type": ACH,
        ACH: {
            "account_holder_type": "individual",
            "account_type": "checking",
            "bank_name": TEST_BANK_NAME,
            "expected_debit_date": datetime.fromtimestamp(confirmed, timezone.utc).strftime("%Y-%m-%d"),
            "fingerprint": fingerprint,
            "last4": account.last4,
            "mandate": None,
            "payment_reference": None,
            "routing_number": TEST_ROUTING_NUMBER,
        },
    }


ACH_PENDING_OUTCOME = {"advice_code": None, "network_advice_code": None, "network_decline_code": None,
                       "network_status": "approved_by_network", "reason": None, "risk_level": "not_assessed",
                       "seller_message": "Payment complete.", "type": "authorized"}
ACH_FAILED_OUTCOME = {"advice_code": None, "network_advice_code": None, "network_decline_code": None,
                      "network_status": "declined_by_network", "reason": None, "risk_level": "not_assessed",
                      "seller_message": "The bank returned this payment.", "type": "issuer_declined"}


def outcome(card: TestCard, risk_score: int) -> dict:
    key = (card.decline_code, risk_score)
    if key not in _OUTCOMES:
        _OUTCOMES[key] = _outcome(card, risk_score)
    return _OUTCOMES[key]


def _outcome(card: TestCard, risk_score: int) -> dict:
    if card.decline_code is None:
        return {"advice_code": None, "network_advice_code": None, "network_decline_code": None,
                "network_status": "approved_by_network", "reason": None, "risk_level": "normal",
                "risk_score": risk_score, "seller_message": "Payment complete.", "type": "authorized"}
    return {"advice_code": "try_again_later", "network_advice_code": None, "network_decline_code": None,
            "network_status": "declined_by_network", "reason": card.decline_code, "risk_level": "normal",
            "risk_score": risk_score,
            "seller_message": "The bank did not return any further details with this decline.",
            "type": "issuer_declined"}


class Charges(Resource):
    object_name = "charge"
    prefix = "ch"
    url = "/v1/charges"
    expandable = frozenset({"customer", "balance_transaction", "payment_intent", "failure_balance_transaction",
                            "application", "application_fee", "on_behalf_of", "review", "source_transfer",
                            "transfer"})
    filters = {"customer": f.equals("customer"), "payment_intent": f.equals("payment_intent"),
               "transfer_group": f.equals("transfer_group")}
    indexes = {"payment_intent": lambda data: data["payment_intent"]}

    def routes(self) -> list[Route]:
        one = f"{self.url}/{ID}"
        return [
            ("GET", self.url, self.list_handler),
            ("GET", one, self.retrieve_handler),
            ("POST", one, lambda call: self.respond(self.update(call.id, call.params, call.ctx), call)),
        ]

    def _base(self, charge_id: str, intent: dict, payment_method: str, ctx: WriteContext) -> dict:
        customer = self.state.store.get("customer", intent["customer"]) if intent["customer"] else None
        person = customer.data if customer is not None else {}
        receipt = self.state.ids.derived(charge_id, 32)
        return {
            "id": charge_id,
            "object": "charge",
            "amount": intent["amount"],
            "amount_captured": 0,
            "amount_refunded": 0,
            "application": None,
            "application_fee": None,
            "application_fee_amount": None,
            "balance_transaction": None,
            "billing_details": {"address": person.get("address") or NULL_ADDRESS, "email": person.get("email"),
                                "name": person.get("name"), "phone": person.get("phone"), "tax_id": None},
            "calculated_statement_descriptor": "STRIPE SANDBOX",
            "captured": False,
            "created": ctx.now,
            "currency": intent["currency"],
            "customer": intent["customer"],
            "description": intent["description"],
            "disputed": False,
            "failure_balance_transaction": None,
            "failure_code": None,
            "failure_message": None,
            "fraud_details": EMPTY,
            "livemode": False,
            "metadata": intent["metadata"],
            "on_behalf_of": None,
            "outcome": None,
            "paid": False,
            "payment_intent": intent["id"],
            "payment_method": payment_method,
            "payment_method_details": None,
            "receipt_email": intent.get("receipt_email"),
            "receipt_number": None,
            "receipt_url": f"https://pay.stripe.com/receipts/payment/{receipt}",
            "refunded": False,
            "refunds": {"object": "list", "data": [], "has_more": False, "url": f"/v1/charges/{charge_id}/refunds"},
            "review": None,
            "shipping": None,
            "source": None,
            "source_transfer": None,
            "statement_descriptor": None,
            "statement_descriptor_suffix": None,
            "status": "pending",
            "transfer_data": None,
            "transfer_group": None,
        }

    def create_for(self, intent: dict, payment_method: str, card: TestCard, ctx: WriteContext) -> dict:
        charge_id = self.new_id()
        succeeded = card.decline_code is None
        code, message = DECLINE_MESSAGES.get(card.decline_code or "", (None, None))
        charge = self._base(charge_id, intent, payment_method, ctx)
        charge.update(
            amount_captured=intent["amount"] if succeeded else 0,
            captured=succeeded,
            failure_code=code,
            failure_message=message,
            outcome=outcome(card, int(self.state.ids.derived(charge_id, 2, digits=True)) % 65),
            paid=succeeded,
            payment_method_details=card_details(card, payment_method, intent["amount"]),
            status="succeeded" if succeeded else "failed",
        )
        record = self.insert(charge, ctx, action=None)
        if succeeded:
            txn = self.other("balance_transaction").for_charge(record.data, ctx)
            record.data = {**record.data, "balance_transaction": txn["id"]}
        self.emit(record, "succeeded" if succeeded else "failed", ctx)
        return record.data

    # -- ACH Direct Debit --------------------------------------------------------------------
    def create_pending(self, intent: dict, payment_method: str, account: TestBankAccount, ctx: WriteContext) -> dict:
        """A ``py_`` charge, ``pending``, with its pending ``payment`` balance transaction (``charge.pending``)."""
        charge = self._base(self.state.ids.new("py"), intent, payment_method, ctx)
        charge.update(amount_captured=intent["amount"], captured=True, outcome=ACH_PENDING_OUTCOME,
                      payment_method_details=bank_details(account, payment_method, ctx.now))
        record = self.insert(charge, ctx, action=None)
        txn = self.other("balance_transaction").for_payment(record.data, ctx)
        record.data = {**record.data, "balance_transaction": txn["id"]}
        self.emit(record, "pending", ctx)
        return record.data

    def settle(self, charge_id: str, failure_code: str | None, ctx: WriteContext) -> dict:
        """The pending ACH charge's outcome: ``succeeded`` or ``failed`` with ``failure_code``."""
        record = self.record(charge_id)
        txns = self.other("balance_transaction")
        if failure_code is None:
            txns.release(record.data["balance_transaction"])
            self.replace(record, {**record.data, "status": "succeeded", "paid": True}, ctx, action=None)
            self.emit(record, "succeeded", ctx)
            return record.data
        reversal = txns.for_payment_failure(record.data, ctx)
        self.replace(record, {**record.data, "status": "failed", "paid": False, "failure_code": failure_code,
                              "failure_message": ACH_FAILURE_MESSAGES[failure_code],
                              "failure_balance_transaction": reversal["id"], "outcome": ACH_FAILED_OUTCOME},
                     ctx, action=None)
        self.emit(record, "failed", ctx)
        return record.data

    def record_refund(self, charge_id: str, refund: dict, ctx: WriteContext) -> None:
        record = self.record(charge_id)
        refunded = record.data["amount_refunded"] + refund["amount"]
        refunds = [r.data for r in reversed(self.state.store.indexed("refund", "charge", charge_id).records)]
        data = {
            **record.data,
            "amount_refunded": refunded,
            "refunded": refunded == record.data["amount"],
            "refunds": {**record.data["refunds"], "data": refunds[:REFUNDS_PAGE],
                        "has_more": len(refunds) > REFUNDS_PAGE},
        }
        self.replace(record, data, ctx, action=None)
        self.emit(record, "refunded", ctx)

    def refund_changed(self, charge_id: str, ctx: WriteContext, *, unrefunded: int = 0) -> None:
        """A refund of the charge changed (settled, failed, metadata): the embedded ``refunds`` follow, and a failed
        refund's ``unrefunded`` amount no longer counts in ``amount_refunded`` (``charge.updated``)."""
        record = self.record(charge_id)
        refunded = record.data["amount_refunded"] - unrefunded
        refunds = [r.data for r in reversed(self.state.store.indexed("refund", "charge", charge_id).records)]
        data = {
            **record.data,
            "amount_refunded": refunded,
            "refunded": refunded == record.data["amount"],
            "refunds": {**record.data["refunds"], "data": refunds[:REFUNDS_PAGE],
                        "has_more": len(refunds) > REFUNDS_PAGE},
        }
        self.replace(record, data, ctx)

    def mark_disputed(self, charge_id: str, ctx: WriteContext) -> None:
        record = self.record(charge_id)
        self.replace(record, {**record.data, "disputed": True}, ctx)

    def update(self, charge_id: str, params: dict, ctx: WriteContext) -> dict:
        self.only(params, UPDATE)
        record = self.record(charge_id)
        data = dict(record.data)
        if "metadata" in params:
            data["metadata"] = p.metadata(data["metadata"], params["metadata"])
        for key in ("description", "receipt_email"):
            if key in params:
                data[key] = p.nullable_str(params[key], key)
        self.replace(record, data, ctx)
        return record.data
