"""Balance transactions: every movement of the USD balance (charges, refunds, disputes, payouts).

Sign convention (Stripe's): ``amount`` is positive when money comes in (a charge, a won dispute)
and negative when it goes out (a refund, a dispute withdrawal, a payout); ``net = amount - fee``.
Amounts are in the settlement currency (USD) with ``exchange_rate`` set when the charge was in
another currency: charges and refunds at the fixed rate (``billing/fx.py``), dispute withdrawals and
reinstatements at the rate of their own day (``fx.convert_on``; Stripe converts disputes "at the
current exchange rate", docs.stripe.com/currencies/disputes-refunds). Types / reporting categories: ``charge``/``charge``, ``refund``/``refund``,
``adjustment``/``dispute`` (withdrawal), ``adjustment``/``dispute_reversal`` (won dispute),
``payout``/``payout``; ACH Direct Debit: ``payment``/``charge`` (created pending when the payment is
confirmed, so ``expand[]=balance_transaction`` works on a pending charge), ``payment_failure_refund``/
``charge_failure`` (reverses amount and fee when it fails; the charge's ``failure_balance_transaction``),
``payment_refund``/``refund``; a failed card refund: ``refund_failure``/``refund_failure`` (the refund's
``failure_balance_transaction``, giving its amount back; Stripe lists both the type and the category, and its
reporting-categories page says failed refunds can also come as ``type=adjustment``, so classify them by
``reporting_category``). Those three ACH ones are the types Stripe's API reference lists for
"payments" (delayed-notification methods such as ACH) next to ``charge``/``refund``; ``charge_failure``
is the reporting category of such failures (docs.stripe.com/reports/reporting-categories; the
category is also in stripe-java's ``ReportRunCreateParams.Parameters.ReportingCategory``). A pending
ACH payment joins the payouts only once it has settled: its transaction (and, when it failed, the
reversal, available at the same instant) is then paid out in the same run, netting to zero when it
failed. ``GET /v1/balance_transactions?payout=po_...`` lists the transactions
paid out in that automatic payout plus the payout's own row; the others' ``net`` sums to the
payout ``amount``. Filters: ``payout``, ``type``, ``source``, ``currency``, ``created``.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

from stripe_sandbox.billing import fees, fx
from stripe_sandbox.billing import settlement
from stripe_sandbox.billing.money import as_json_number
from stripe_sandbox.resources import filters as f
from stripe_sandbox.resources.base import ID, ApiCall, Resource, Route
from stripe_sandbox.state import WriteContext
from stripe_sandbox.store import Record


class BalanceTransactions(Resource):
    object_name = "balance_transaction"
    prefix = "txn"
    url = "/v1/balance_transactions"
    expandable = frozenset({"source"})
    filters = {"type": f.equals("type"), "source": f.equals("source"), "currency": f.equals("currency")}
    list_filters = frozenset({"created", "payout"})
    indexes = {"source": lambda data: data["source"]}

    def __init__(self, state) -> None:
        super().__init__(state)
        self._unpaid: dict[int, list[Record]] = {}  # available_on -> transactions not yet in a payout

    def routes(self) -> list[Route]:
        return [("GET", self.url, self._list), ("GET", f"{self.url}/{ID}", self.retrieve_handler)]

    def _list(self, call: ApiCall) -> dict:
        payout = call.params.get("payout")
        if payout is not None:
            source = self.state.store.indexed(self.object_name, "payout", str(payout))
            return self.list_page(call.params, source=source)
        return self.list_page(call.params)

    # -- creation --------------------------------------------------------------------------
    def _create(self, ctx: WriteContext, **fields) -> dict:
        record = self.insert(txn_object(self.new_id(), ctx.now, **fields), ctx, action=None)
        if fields["type_"] != "payout":
            self.track(record, fields["available_on"])
        return record.data

    def track(self, record: Record, available_on: int) -> None:
        """Hold a stored transaction for the payout run after ``available_on`` (bulk builders store their own)."""
        self._unpaid.setdefault(available_on, []).append(record)
        self.state.schedule(settlement.next_payout_run(available_on), "payout.run", "account", unique=True)

    def for_charge(self, charge: dict, ctx: WriteContext) -> dict:
        record = self.insert(charge_txn(self.new_id(), charge, ctx.now), ctx, action=None)
        self.track(record, record.data["available_on"])
        return record.data

    def for_payment(self, charge: dict, ctx: WriteContext) -> dict:
        """The pending ``payment`` transaction of an ACH charge; it joins the payouts once settled (``release``)."""
        fee = fees.ach_fee(charge["amount"])
        details = [fees.fee_detail(fee, fx.SETTLEMENT_CURRENCY, "Stripe processing fees")] if fee else []
        data = txn_object(self.new_id(), ctx.now, amount=charge["amount"], fee=fee, fee_details=details,
                          exchange_rate=None, type_="payment", category="charge", source=charge["id"],
                          description=charge["description"], available_on=settlement.ach_available_on(ctx.now))
        return self.insert(data, ctx, action=None).data

    def release(self, txn_id: str) -> None:
        """A settled ACH payment: its transaction waits for the payout run after its ``available_on``."""
        record = self.record(txn_id)
        self.track(record, record.data["available_on"])

    def for_payment_failure(self, charge: dict, ctx: WriteContext) -> dict:
        """The ``payment_failure_refund`` reversing a failed ACH payment (amount and fee), available with it."""
        original = self.record(charge["balance_transaction"]).data
        details = [{**detail, "amount": -detail["amount"]} for detail in original["fee_details"]]
        data = txn_object(self.new_id(), ctx.now, amount=-original["amount"], fee=-original["fee"],
                          fee_details=details, exchange_rate=None, type_="payment_failure_refund",
                          category="charge_failure", source=charge["id"],
                          description=f"Payment failure refund for {charge['id']}",
                          available_on=max(ctx.now, original["available_on"]))
        record = self.insert(data, ctx, action=None)
        self.release(original["id"])
        self.track(record, record.data["available_on"])
        return record.data

    def for_refund(self, refund: dict, ctx: WriteContext) -> dict:
        settled, rate = fx.convert(refund["amount"], refund["currency"])
        bank = refund["charge"] is not None and refund["charge"].startswith("py_")
        return self._create(ctx, amount=-settled, fee=0, fee_details=[], exchange_rate=rate,
                            type_="payment_refund" if bank else "refund",
                            category="refund", source=refund["id"], description="REFUND FOR CHARGE",
                            available_on=ctx.now)

    def for_refund_failure(self, refund: dict, ctx: WriteContext) -> dict:
        """A failed refund's money back in the balance: the refund's transaction reversed (same rate, no fee),
        ``type`` and ``reporting_category`` ``refund_failure``, available at once."""
        original = self.record(refund["balance_transaction"]).data
        rate = fx.convert(refund["amount"], refund["currency"])[1]  # the refund's own (fixed) rate
        return self._create(ctx, amount=-original["amount"], fee=0, fee_details=[],
                            exchange_rate=rate, type_="refund_failure",
                            category="refund_failure", source=refund["id"], description="REFUND FAILURE FOR CHARGE",
                            available_on=ctx.now)

    def for_dispute(self, dispute: dict, ctx: WriteContext, *, reversal: bool) -> dict:
        """The withdrawal (or, ``reversal``, the reinstatement) of a dispute, converted at the rate of the
        day it happens (``fx.convert_on``), not the charge's: each of a dispute's balance transactions
        carries its own ``exchange_rate``, so a won dispute on a converted charge can leave a difference."""
        settled, rate = fx.convert_on(dispute["amount"], dispute["currency"], ctx.now)
        fee = -fees.DISPUTE_FEE if reversal else fees.DISPUTE_FEE
        label = "Chargeback reversal" if reversal else "Chargeback withdrawal"
        details = [fees.fee_detail(fee, fx.SETTLEMENT_CURRENCY, "Dispute fee")]
        return self._create(ctx, amount=settled if reversal else -settled, fee=fee, fee_details=details,
                            exchange_rate=rate, type_="adjustment",
                            category="dispute_reversal" if reversal else "dispute", source=dispute["id"],
                            description=f"{label} for {dispute['charge']}", available_on=ctx.now)

    def for_payout(self, payout: dict, ctx: WriteContext) -> dict:
        txn = self._create(ctx, amount=-payout["amount"], fee=0, fee_details=[], exchange_rate=None, type_="payout",
                           category="payout", source=payout["id"], description="STRIPE PAYOUT",
                           available_on=ctx.now)
        record = self.record(txn["id"])
        record.extra["payout"] = payout["id"]
        self.state.store.index_add(self.object_name, "payout", payout["id"], record)
        return txn

    # -- payouts ---------------------------------------------------------------------------
    def take_available(self, moment: int, ctx: WriteContext) -> list[Record]:
        """Mark everything available at ``moment`` as such and return what is not paid out yet."""
        days = sorted(day for day in self._unpaid if day <= moment)  # a payout run only reads what it takes
        due = [record for day in days for record in self._unpaid.pop(day)]
        for record in due:
            if record.field("status") != "available":
                record.update({"status": "available"})  # no event: a later one carries the new state
        return due

    def hold(self, records: list[Record]) -> None:
        """Put transactions back (the day's sum was not positive: no payout)."""
        for record in records:
            self._unpaid.setdefault(record.field("available_on"), []).append(record)

    def paid_out(self, records: list[Record], payout_id: str) -> None:
        for record in records:
            record.extra["payout"] = payout_id
            self.state.store.index_add(self.object_name, "payout", payout_id, record)

    def balances(self) -> tuple[dict[str, dict[str, int]], dict[str, dict[str, int]]]:
        """``(available, pending)`` sums of ``net`` per currency and source type (``card``; ACH payments,
        their failures and refunds: ``bank_account``)."""
        available: dict[str, dict[str, int]] = {}
        pending: dict[str, dict[str, int]] = {}
        for record in self.state.store.ascending(self.object_name):
            data = record.data
            bucket = available if data["status"] == "available" else pending
            sums = bucket.setdefault(data["currency"], {})
            kind = "bank_account" if data["type"] in BANK_TYPES else "card"
            sums[kind] = sums.get(kind, 0) + data["net"]
        return available, pending


BANK_TYPES = frozenset({"payment", "payment_failure_refund", "payment_refund"})


def txn_object(txn_id: str, created: int, *, amount: int, fee: int, fee_details: list[dict], exchange_rate,
               type_: str, category: str, source: str, description: str | None, available_on: int) -> dict:
    return {
        "id": txn_id,
        "object": "balance_transaction",
        "amount": amount,
        "available_on": available_on,
        "balance_type": "payments",
        "created": created,
        "currency": fx.SETTLEMENT_CURRENCY,
        "description": description,
        "exchange_rate": as_json_number(exchange_rate) if exchange_rate is not None else None,
        "fee": fee,
        "fee_details": fee_details,
        "net": amount - fee,
        "reporting_category": category,
        "source": source,
        "status": "available" if available_on <= created else "pending",
        "type": type_,
    }


def charge_txn(txn_id: str, charge: dict, created: int) -> dict:
    """The balance transaction of a charge (``id``, ``amount``, ``currency``, ``description``) made at ``created``."""
    settled, rate, fee, details = charge_settlement(charge["amount"], charge["currency"])
    return txn_object(txn_id, created, amount=settled, fee=fee, fee_details=details, exchange_rate=rate,
                      type_="charge", category="charge", source=charge["id"], description=charge["description"],
                      available_on=settlement.charge_available_on(created))


@lru_cache(maxsize=4096)
def charge_settlement(amount: int, currency: str) -> tuple[int, Decimal | None, int, list[dict]]:
    """``(settled amount, exchange rate, fee, fee details)`` of a charge; charges of the same amount and
    currency share them (the Decimal arithmetic dominated building many charges; stored objects are
    never changed in place, so sharing the details list is safe)."""
    settled, rate = fx.convert(amount, currency)
    fee = fees.card_fee(settled, rate is not None)
    details = [fees.fee_detail(fee, fx.SETTLEMENT_CURRENCY, "Stripe processing fees")] if fee else []
    return settled, rate, fee, details
