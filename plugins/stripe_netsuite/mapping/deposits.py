"""Stripe payouts -> NetSuite bank deposits (pure; reference connector-behaviour.md §6.12, §6.13, §10; stripe.md §13,
§14).

One deposit per paid automatic payout (external ID the payout ID), dated the payout's arrival day, into the
bank account the settings name for the payout currency. Its lines are the payout's balance transactions
(``balance_transactions?payout=po_…``), classified by ``reporting_category`` as Stripe advises:

=================  ==============================================================  ===========================
category           deposit line                                                    NetSuite record it takes
=================  ==============================================================  ===========================
charge             payment line, the transaction's amount in the payout currency   customer payment ``ch_``/``py_``
refund             payment line (subtracts)                                        customer refund ``re_``
refund_failure     payment line (adds back)                                        payment ``ret-re_``
charge_failure     payment line (subtracts)                                        customer refund ``rf-py_``
dispute            payment line (subtracts)                                        customer refund ``dp_``
dispute_reversal   other-deposit line to ``refunds.dispute_reversals_account``     (the invoice is not re-applied)
fee                cash-back line (an other-deposit line when Stripe gives it back)
=================  ==============================================================  ===========================

and each transaction's fee as a cash-back line to the account of its type (processing, dispute, FX, other:
``payouts.fee_accounts``; a fee given back, e.g. a won dispute's, as an other-deposit line). Every line's memo
names its balance transaction and what it belongs to. The lines add up to the payout amount to the unit (Stripe:
the payout is the sum of the transactions' ``net``), or the payout is not written (``UNEQUAL_AMOUNTS``). A payment
in another currency is deposited at what it brought in the payout currency (``paymentAmount``); NetSuite posts the
exchange difference (sandbox README: Unrealized Matching Gain/Loss, as Oracle documents for deposits).

A payout carrying more than ``payouts.max_transactions_per_deposit`` transactions becomes several deposits
(``po_X``, ``po_X-2``, ...), each with its transactions and their fees, adding up to the payout (NetSuite deposits
stop at about 10,000 lines, reference §11). A payout not yet paid, failed or canceled writes nothing (its
transactions stay in Undeposited Funds, as Stripe returns them to the balance); a manual payout cannot say which
transactions it carries (reference §6.12) and writes nothing either.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from stripe_netsuite.mapping import external_ids
from stripe_netsuite.mapping.money import to_decimal
from stripe_netsuite.mapping.records import InternalIdRef, MappingError, NeutralRecord, UnknownValueError, expandable_id
from stripe_netsuite.settings import RecordName, Settings, record_ref

DEPOSIT = "deposit"
PAYOUT_STATUSES = ("paid", "pending", "in_transit", "canceled", "failed")
# reporting_category -> (the document a payment line deposits, from the source ID; +1 money in / -1 money out)
DOCUMENT_LINES = {
    "charge": (external_ids.payment, 1),
    "refund": (external_ids.customer_refund, -1),
    "refund_failure": (external_ids.returned_refund, 1),
    "charge_failure": (external_ids.failed_payment_refund, -1),
    "dispute": (external_ids.dispute_refund, -1),
}
OTHER_CATEGORIES = ("dispute_reversal", "fee", "other_adjustment")
_MAX_MEMO = 999


class UnequalAmountsError(MappingError):
    code = "UNEQUAL_AMOUNTS"


class MissingAccountMappingError(MappingError):
    code = "MISSING_ACCOUNT_MAPPING"


def writes_deposit(payout: Mapping[str, Any]) -> bool:
    """Whether a payout is one the payouts flow deposits; raises on an unknown status."""
    if payout.get("status") not in PAYOUT_STATUSES:
        raise UnknownValueError(payout["id"], f"payout {payout['id']}", "status", payout.get("status"))
    # Stripe lists a payout's transactions completely once its reconciliation completes (stripe.md §14; the
    # ``payout.reconciliation_completed`` event): a paid payout still ``in_progress`` waits for that event.
    return (payout["status"] == "paid" and bool(payout.get("automatic", True))
            and payout.get("reconciliation_status") != "in_progress")


def carried(txns: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The transactions a payout carries: its listing less its own ``payout`` row."""
    return [t for t in txns if t.get("reporting_category") != "payout" and t.get("type") != "payout"]


def document_of(txn: Mapping[str, Any]) -> str | None:
    """The external ID of the NetSuite transaction a balance transaction's payment line deposits (None: a line of its
    own, e.g. a won dispute's funds)."""
    category = txn.get("reporting_category")
    if category in DOCUMENT_LINES:
        source = expandable_id(txn.get("source"))
        return DOCUMENT_LINES[category][0](source)
    if category in OTHER_CATEGORIES:
        return None
    raise UnknownValueError(str(txn.get("id")), f"balance transaction {txn.get('id')}", "reporting_category", category)


def fee_account(txn: Mapping[str, Any], detail: Mapping[str, Any], settings: Settings) -> RecordName:
    fees = settings.payouts.fee_accounts
    if txn.get("reporting_category") in ("dispute", "dispute_reversal"):
        return fees.dispute
    description = str(detail.get("description") or "").lower()
    if "currency conversion" in description or "fx" in description.split():
        return fees.fx
    if detail.get("type") == "stripe_fee":
        return fees.processing
    return fees.other


class _Mapper:
    def __init__(self, payout: Mapping[str, Any], settings: Settings) -> None:
        self.payout, self.settings = payout, settings
        self.id = payout["id"]
        self.currency = str(payout.get("currency") or "").upper()

    def money(self, minor: int) -> Decimal:
        return to_decimal(int(minor), self.currency)

    def source_text(self, txn: Mapping[str, Any]) -> str:
        source = expandable_id(txn.get("source"))
        return f"{txn['id']}" + (f" ({source})" if source else "")

    def lines(self, txn: Mapping[str, Any]) -> tuple[list[dict], list[dict], list[dict], int]:
        """(payment lines, other-deposit lines, cash-back lines, what they add to the deposit in minor units)."""
        payments: list[dict] = []
        others: list[dict] = []
        cash_back: list[dict] = []
        amount, total = int(txn.get("amount") or 0), 0
        document = document_of(txn)
        category = txn.get("reporting_category")
        if document is not None:
            sign = DOCUMENT_LINES[str(category)][1]
            if amount * sign < 0:
                raise UnequalAmountsError(self.id, f"balance transaction {txn['id']} ({category}) moves money the "
                                                   "other way than its kind does; nothing was written")
            payments.append({"id": InternalIdRef(document), "deposit": True, "paymentAmount": self.money(abs(amount)),
                             "memo": f"Stripe {category} {self.source_text(txn)}"[:_MAX_MEMO]})
        elif amount:
            account = (self.settings.refunds.dispute_reversals_account if category == "dispute_reversal"
                       else self.settings.payouts.fee_accounts.other)
            line = {"account": record_ref(account), "amount": self.money(abs(amount)),
                    "memo": f"Stripe {category} {self.source_text(txn)}"[:_MAX_MEMO]}
            (others if amount > 0 else cash_back).append(line)
        total += amount
        for detail in txn.get("fee_details") or []:
            fee = int(detail.get("amount") or 0)
            if not fee:
                continue
            line = {"account": record_ref(fee_account(txn, detail, self.settings)), "amount": self.money(abs(fee)),
                    "memo": f"Stripe {detail.get('description') or detail.get('type')} {self.source_text(txn)}"[:_MAX_MEMO]}
            (cash_back if fee > 0 else others).append(line)
            total -= fee
        fee_listed = sum(int(d.get("amount") or 0) for d in txn.get("fee_details") or [])
        if fee_listed != int(txn.get("fee") or 0):  # the fee not itemized: one line of the rest
            rest = int(txn.get("fee") or 0) - fee_listed
            line = {"account": record_ref(self.settings.payouts.fee_accounts.other), "amount": self.money(abs(rest)),
                    "memo": f"Stripe fee {self.source_text(txn)}"[:_MAX_MEMO]}
            (cash_back if rest > 0 else others).append(line)
            total -= rest
        return payments, others, cash_back, total

    def deposit(self, external_id: str, txns: Sequence[Mapping[str, Any]], part: int, parts: int) -> tuple[NeutralRecord, int]:
        bank = self.settings.payouts.bank_accounts.get(self.currency.lower())
        if bank is None:
            raise MissingAccountMappingError(self.id, (
                f"is in {self.currency}, and the settings name no NetSuite bank account for it: add "
                f"payouts.bank_accounts.{self.currency.lower()} to the settings file"))
        payments: list[dict] = []
        others: list[dict] = []
        cash_back: list[dict] = []
        total = 0
        for txn in txns:
            p, o, c, t = self.lines(txn)
            payments += p
            others += o
            cash_back += c
            total += t
        arrival = int(self.payout.get("arrival_date") or self.payout["created"])
        zone = zoneinfo.ZoneInfo(self.settings.invoices.timezone)
        memo = f"Stripe: payout {self.id}" + (f", part {part} of {parts}" if parts > 1 else "") + \
            f": {len(txns)} transaction(s), {self.money(total)} {self.currency}"
        fields: dict[str, Any] = {
            "account": record_ref(bank),
            "tranDate": dt.datetime.fromtimestamp(arrival, zone).date().isoformat(),
            "memo": memo[:_MAX_MEMO],
            "payment": {"items": payments},
            "other": {"items": others},
            # REST names the sublist after its SuiteScript ID, all lower case (Oracle's REST "Deposit" page:
            # "cashback": {"items": [...]}); a camelCase "cashBack" is an unknown field NetSuite drops.
            "cashback": {"items": cash_back},
        }
        return NeutralRecord(DEPOSIT, external_id, fields, source_id=self.id), total

    def records(self, txns: Sequence[Mapping[str, Any]]) -> list[list[NeutralRecord]] | None:
        if not writes_deposit(self.payout):
            return None
        rows = carried(txns)
        if not rows:
            raise UnequalAmountsError(self.id, "Stripe lists no transaction for this paid payout yet; it is tried "
                                               "again until its reconciliation completes")
        size = self.settings.payouts.max_transactions_per_deposit
        chunks = [rows[i:i + size] for i in range(0, len(rows), size)]
        deposits, total = [], 0
        for number, chunk in enumerate(chunks, 1):
            record, part_total = self.deposit(external_ids.deposit_part(self.id, number), chunk, number, len(chunks))
            deposits.append(record)
            total += part_total
        if total != int(self.payout["amount"]):
            raise UnequalAmountsError(self.id, (
                f"its transactions add up to {self.money(total)} {self.currency}, the payout is "
                f"{self.money(int(self.payout['amount']))} {self.currency}; nothing was written. Report this payout to "
                "the connector's maintainers"))
        return [deposits]


def map_payout(payout: Mapping[str, Any], txns: Sequence[Mapping[str, Any]], settings: Settings) -> list[list[NeutralRecord]] | None:
    """The deposit (or deposits, for a large payout) of a paid payout; None for one that writes nothing."""
    return _Mapper(payout, settings).records(txns)
