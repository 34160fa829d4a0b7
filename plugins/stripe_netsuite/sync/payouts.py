"""The payouts flow: each paid Stripe payout -> one NetSuite bank deposit equal to it (``mapping/deposits.py``).

``prepare`` reads each paid payout's balance transactions in pages with their sources expanded (one list per
payout, never a request per transaction), then validates before anything is written, so a deposit is never
partial (reference §6.12, §10): every payment, refund and dispute the payout carries must be in NetSuite (one
that is not is written first through its own flow's code, ``sync/dependencies.py``; if that fails the payout
waits with ``NOT_YET_SYNCED``), must hold the amount Stripe has (``UNEQUAL_AMOUNTS``) and must not sit on another
deposit (``ALREADY_DEPOSITED``). NetSuite's internal IDs are then looked up in bulk (SuiteQL) by the engine.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from stripe_netsuite.hooks.netsuite import suiteql_quote
from stripe_netsuite.hooks.stripe import StripeHookError
from stripe_netsuite.mapping import external_ids
from stripe_netsuite.mapping.deposits import carried, document_of, map_payout, writes_deposit
from stripe_netsuite.mapping.money import to_decimal
from stripe_netsuite.mapping.records import MappingError, expandable_id
from stripe_netsuite.settings import Settings
from stripe_netsuite.sync.dependencies import Dependencies
from stripe_netsuite.sync.flow import FlowSpec, Prepared, SourceObject, StripeResource
from stripe_netsuite.sync.payments import PaymentsFlow
from stripe_netsuite.sync.refunds import RefundsDisputesFlow

# The flow whose code writes a document of a reporting category, and how it names it from the source's ID.
WRITTEN_BY: dict[str, tuple[str, Callable[[str], str]]] = {
    "charge": ("payments", external_ids.payment),
    "charge_failure": ("payments", external_ids.failed_payment_refund),
    "refund": ("refunds_disputes", external_ids.customer_refund),
    "refund_failure": ("refunds_disputes", external_ids.returned_refund),
    "dispute": ("refunds_disputes", external_ids.dispute_refund),
}


@dataclass(frozen=True)
class PayoutsRunContext:
    transactions: Mapping[str, list[Mapping[str, Any]]] = field(default_factory=dict)  # payout ID -> its transactions


class PayoutsFlow:
    name = "payouts"
    resources: tuple[StripeResource, ...] = (StripeResource("payouts", ("po_",), (), singular="payout"),)
    event_types: tuple[str, ...] = ("payout.paid", "payout.updated", "payout.reconciliation_completed",
                                    "payout.failed", "payout.canceled")
    record_type = "deposit"
    suiteql_table = "transaction"

    def enabled(self, settings: Settings) -> bool:
        return settings.payouts.enabled

    def source_from_event(self, event: Mapping[str, Any]) -> SourceObject | None:
        obj = (event.get("data") or {}).get("object") or {}
        return SourceObject(dict(obj)) if obj.get("object") == "payout" else None

    def fingerprint_field(self, settings: Settings) -> str | None:
        return settings.payouts.fingerprint_field

    def update_existing(self, settings: Settings) -> bool:
        return True

    def map(self, source: SourceObject, context: PayoutsRunContext, settings: Settings):
        return map_payout(source.data, context.transactions.get(source.stripe_id, []), settings)

    # -- prepare ----------------------------------------------------------------------------

    def prepare(self, sources: list[SourceObject], *, stripe, netsuite, settings: Settings, listed: bool,
                run_cache: dict[str, Any]) -> Prepared:
        dependencies = Dependencies(stripe=stripe, netsuite=netsuite, settings=settings)
        transactions: dict[str, list[Mapping[str, Any]]] = {}
        for source in sources:
            try:
                if not writes_deposit(source.data):
                    continue
            except MappingError:
                continue  # map() raises it again, and the engine queues the payout with its message
            try:
                transactions[source.stripe_id] = carried(stripe.payout_balance_transactions(source.stripe_id))
            except StripeHookError as exc:
                dependencies.fail([source.stripe_id], "STRIPE_READ", f"the transactions of payout {source.stripe_id} "
                                                                     f"could not be read from Stripe: {exc}")
        documents = self._ensure_documents(transactions, dependencies)
        self._validate(transactions, documents, netsuite, dependencies)
        return Prepared(sources, PayoutsRunContext(transactions), dependencies.failed, dict(dependencies.written))

    @staticmethod
    def _ensure_documents(transactions: Mapping[str, list[Mapping[str, Any]]],
                          dependencies: Dependencies) -> dict[str, tuple[str, Mapping[str, Any]]]:
        """Write, through their own flows, the documents the payouts carry that NetSuite lacks; return document
        external ID -> (payout ID, balance transaction)."""
        flows: dict[str, FlowSpec] = {"payments": PaymentsFlow(), "refunds_disputes": RefundsDisputesFlow()}
        needed: dict[tuple[str, Callable[[str], str]], dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        documents: dict[str, tuple[str, Mapping[str, Any]]] = {}
        for payout_id, txns in transactions.items():
            for txn in txns:
                try:
                    document = document_of(txn)
                except MappingError:
                    continue  # map() reports the unknown category
                if document is None:
                    continue
                documents[document] = (payout_id, txn)
                needed[WRITTEN_BY[txn["reporting_category"]]][expandable_id(txn["source"])].append(payout_id)
        for (flow_name, external_id), users in needed.items():
            before = set(dependencies.failed)
            dependencies.ensure_through_flow(flows[flow_name], users, external_id)
            for payout_id in set(dependencies.failed) - before:
                code, message = dependencies.failed[payout_id]
                if code == "DEPENDENCY":
                    dependencies.failed[payout_id] = ("NOT_YET_SYNCED", message)
        return documents

    @staticmethod
    def _validate(transactions: Mapping[str, list[Mapping[str, Any]]], documents: Mapping[str, tuple[str, Mapping[str, Any]]],
                  netsuite, dependencies: Dependencies) -> None:
        """Every document holds Stripe's amount and sits on no other deposit; else its payout waits, saying why."""
        names = sorted(d for d, (payout_id, _) in documents.items() if payout_id not in dependencies.failed)
        for start in range(0, len(names), 500):
            chunk = ", ".join(suiteql_quote(x) for x in names[start:start + 500])
            rows = netsuite.suiteql(
                "SELECT t.externalid, t.foreigntotal, l.nextdoc AS deposit_id, d.externalid AS deposit FROM transaction t "
                "LEFT JOIN nexttransactionlinelink l ON l.previousdoc = t.id AND l.linktype = 'Deposit' "
                f"LEFT JOIN transaction d ON d.id = l.nextdoc WHERE t.externalid IN ({chunk})")
            for row in rows:
                payout_id, txn = documents[row["externalid"]]
                deposit = row.get("deposit")
                if row.get("deposit_id") and str(deposit or "").split("-")[0] != payout_id:
                    named = f"{deposit} (internal ID {row['deposit_id']})" if deposit else \
                        f"internal ID {row['deposit_id']}, made by hand"
                    dependencies.fail([payout_id], "ALREADY_DEPOSITED", (
                        f"{row['externalid']} (Stripe {txn['id']}) is already on NetSuite deposit {named}, not this "
                        f"payout's; nothing was written for {payout_id}"))
                    continue
                source = txn.get("source")
                expected = _source_amount(txn, source if isinstance(source, Mapping) else {})
                if expected is not None and abs(Decimal(str(row.get("foreigntotal") or 0))) != expected[0]:
                    dependencies.fail([payout_id], "UNEQUAL_AMOUNTS", (
                        f"NetSuite holds {row['externalid']} for {abs(Decimal(str(row.get('foreigntotal') or 0)))}, "
                        f"Stripe's {expandable_id(txn.get('source'))} is {expected[0]} {expected[1]}; nothing was "
                        f"written for {payout_id}"))


def _source_amount(txn: Mapping[str, Any], source: Mapping[str, Any]) -> tuple[Decimal, str] | None:
    """The amount the document of a balance transaction must hold, in its own currency (from the expanded source)."""
    if not source or not source.get("currency"):
        return None
    if txn.get("reporting_category") in ("charge", "charge_failure"):
        amount = source.get("amount_captured") if source.get("status") == "succeeded" else source.get("amount")
    else:
        amount = source.get("amount")
    if amount is None:
        return None
    return to_decimal(int(amount), source["currency"]), str(source["currency"]).upper()
