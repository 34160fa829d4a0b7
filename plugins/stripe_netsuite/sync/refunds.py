"""The refunds and disputes flow: Stripe refunds and disputes -> NetSuite credit memos and customer refunds.

``prepare`` completes each refund and dispute (its charge and balance transactions expanded), makes sure the
charge's customer payment is in NetSuite (written on the way by the payments flow's own code, which writes its
invoice and customer too: ``sync/dependencies.py``), finds the invoice the charge paid (``invoices_paid_by``,
the payments flow's rule), reads that invoice's lines as the invoices flow maps them (a refund of all of it
credits exactly those) and its credit notes (a refund made through one applies that note's memo). The pure
mapping is ``mapping/refunds.py``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from stripe_netsuite.hooks.stripe import StripeHookError
from stripe_netsuite.mapping import external_ids
from stripe_netsuite.mapping.invoices import InvoiceBundle, invoice_lines
from stripe_netsuite.mapping.payments import own_invoice_line, paid_amount
from stripe_netsuite.mapping.records import MappingError, expandable_id
from stripe_netsuite.mapping.refunds import RefundContext, map_dispute, map_refund, refund_booked, withdrawal
from stripe_netsuite.settings import Settings
from stripe_netsuite.sync.dependencies import Dependencies
from stripe_netsuite.sync.flow import Prepared, SourceObject, StripeResource
from stripe_netsuite.sync.invoices import InvoicesFlow
from stripe_netsuite.sync.payments import InvoicePaymentIndex, PaymentsFlow, invoices_paid_by, subsidiary_currency

REFUND_EXPAND = ("balance_transaction", "failure_balance_transaction", "charge")
DISPUTE_EXPAND = ("charge",)


@dataclass(frozen=True)
class RefundsRunContext:
    mapping: RefundContext


class RefundsDisputesFlow:
    name = "refunds_disputes"
    resources: tuple[StripeResource, ...] = (
        StripeResource("refunds", ("re_", "pyr_"), REFUND_EXPAND, singular="refund"),
        StripeResource("disputes", ("dp_", "du_"), DISPUTE_EXPAND, singular="dispute"),
    )
    event_types: tuple[str, ...] = (
        "refund.created", "refund.updated", "refund.failed", "charge.refund.updated",
        "charge.dispute.created", "charge.dispute.updated", "charge.dispute.funds_withdrawn",
        "charge.dispute.funds_reinstated", "charge.dispute.closed", "credit_note.created", "credit_note.updated",
    )
    record_type = "customerRefund"
    suiteql_table = "transaction"

    def enabled(self, settings: Settings) -> bool:
        return settings.refunds.enabled

    def source_from_event(self, event: Mapping[str, Any]) -> SourceObject | list[SourceObject] | None:
        obj = (event.get("data") or {}).get("object") or {}
        if obj.get("object") in ("refund", "dispute"):
            return SourceObject(dict(obj))
        if obj.get("object") == "credit_note":  # a refund it names now credits the customer through its memo
            return [SourceObject({"id": expandable_id(entry["refund"]), "object": "refund"})
                    for entry in obj.get("refunds") or [] if entry.get("refund")]
        return None

    def fingerprint_field(self, settings: Settings) -> str | None:
        return settings.refunds.fingerprint_field

    def update_existing(self, settings: Settings) -> bool:
        return True

    def map(self, source: SourceObject, context: RefundsRunContext, settings: Settings):
        if source.data.get("object") == "dispute":
            return map_dispute(source.data, context.mapping, settings)
        return map_refund(source.data, context.mapping, settings)

    # -- prepare ----------------------------------------------------------------------------

    def prepare(self, sources: list[SourceObject], *, stripe, netsuite, settings: Settings, listed: bool,
                run_cache: dict[str, Any]) -> Prepared:
        dependencies = Dependencies(stripe=stripe, netsuite=netsuite, settings=settings)
        objects = self._complete([s.data for s in sources], stripe, dependencies)
        writing = [obj for obj in objects.values() if obj["id"] not in dependencies.failed and _writes(obj)]
        charges = {expandable_id(obj["charge"]): obj["charge"] for obj in writing if isinstance(obj.get("charge"), Mapping)}
        users: dict[str, list[str]] = defaultdict(list)
        for obj in writing:
            users[expandable_id(obj["charge"])].append(obj["id"])
        dependencies.ensure_through_flow(PaymentsFlow(), users, external_ids.payment)
        invoice_of = invoices_paid_by(list(charges.values()), stripe, settings, listed,
                                      run_cache.setdefault("invoice_payments", InvoicePaymentIndex()))
        invoice_users: dict[str, list[str]] = defaultdict(list)
        for obj in writing:
            charge_id = expandable_id(obj["charge"])
            if charge_id in invoice_of:
                invoice_users[invoice_of[charge_id]].extend(users[charge_id])
        currency_ids = netsuite.currency_ids()
        lines = self._invoice_lines(invoice_users, stripe, settings, dependencies, currency_ids)
        if settings.payments.standalone_charges == "invoice":
            for charge_id, charge in charges.items():
                if charge_id not in invoice_of:
                    lines[external_ids.payment_invoice(charge_id)] = _own_invoice_lines(charge, settings)
        credit_note_of = self._credit_notes(invoice_users, writing, stripe)
        self._ensure_credit_note_memos(credit_note_of, writing, invoice_of, dependencies)
        context = RefundContext(
            currency_ids=currency_ids,
            base_currency=subsidiary_currency(netsuite, settings),
            charges=charges,
            invoice_of_charge=invoice_of,
            lines_of_invoice=lines,
            credit_note_of_refund=credit_note_of,
        )
        ordered = [SourceObject(objects.get(s.stripe_id, s.data)) for s in sources]
        return Prepared(ordered, RefundsRunContext(context), dependencies.failed, dict(dependencies.written))

    @staticmethod
    def _complete(objects: list[dict[str, Any]], stripe, dependencies: Dependencies) -> dict[str, dict[str, Any]]:
        """Each refund and dispute with its charge (and a refund's balance transactions) expanded."""
        complete = {obj["id"]: obj for obj in objects}
        for resource, expand, kind in (("refunds", REFUND_EXPAND, "refund"), ("disputes", DISPUTE_EXPAND, "dispute")):
            stale = [obj["id"] for obj in objects if obj.get("object") == kind
                     and ("status" not in obj or any(isinstance(obj.get(key), str) for key in expand))]
            for object_id, fresh in stripe.retrieve_many(resource, stale, expand=expand).items():
                if isinstance(fresh, StripeHookError):
                    dependencies.fail([object_id], "STRIPE_READ", f"{kind} {object_id} could not be read from Stripe: "
                                                                  f"{fresh}. Nothing was written for it; the next run "
                                                                  "tries it again")
                else:
                    complete[object_id] = fresh
        return complete

    @staticmethod
    def _invoice_lines(invoice_users: Mapping[str, list[str]], stripe, settings: Settings, dependencies: Dependencies,
                       currency_ids: dict[str, str]) -> dict[str, list[tuple[int, dict[str, Any]]]]:
        """Invoice external ID -> the lines the invoices flow writes it with (a refund of all of it credits them)."""
        if not invoice_users:
            return {}
        invoices_flow = InvoicesFlow()
        before = set(dependencies.failed)
        invoices = invoices_flow.complete(sorted(invoice_users), stripe, settings, dependencies)
        unreadable = set(dependencies.failed) - before
        for invoice_id in unreadable:  # an invoice that could not be read fails its users
            code, message = dependencies.failed.pop(invoice_id)
            dependencies.fail(invoice_users.get(invoice_id, []), code, f"invoice {invoice_id}: {message}")
        readable = [inv for inv in invoices if inv["id"] not in unreadable and inv["id"] in invoice_users]
        context = invoices_flow.mapping_context(readable, dependencies, currency_ids)
        out: dict[str, list[tuple[int, dict[str, Any]]]] = {}
        for invoice in readable:
            try:
                out[external_ids.invoice(invoice["id"])] = invoice_lines(InvoiceBundle(invoice, ()), context,
                                                                         settings.invoices)
            except MappingError as exc:
                dependencies.fail(invoice_users[invoice["id"]], getattr(exc, "code", "MAPPING"),
                                  f"invoice {invoice['id']}: {exc}")
        return out

    @staticmethod
    def _ensure_credit_note_memos(credit_note_of: Mapping[str, str], writing: list[dict[str, Any]],
                                  invoice_of: Mapping[str, str], dependencies: Dependencies) -> None:
        """The memo of each credit note a refund is made through, written by the invoices flow if NetSuite lacks it
        (the refund applies it)."""
        memo_of_invoice: dict[str, str] = {}
        users: dict[str, list[str]] = defaultdict(list)
        for obj in writing:
            note = credit_note_of.get(obj["id"])
            invoice = invoice_of.get(expandable_id(obj["charge"]))
            if note and invoice:
                memo_of_invoice[invoice] = external_ids.credit_note_memo(note)
                users[invoice].append(obj["id"])
        if users:
            dependencies.ensure_through_flow(InvoicesFlow(), users, lambda invoice: memo_of_invoice[invoice])

    @staticmethod
    def _credit_notes(invoice_users: Mapping[str, list[str]], writing: list[dict[str, Any]], stripe) -> dict[str, str]:
        """Refund ID -> the credit note it refunds (made with ``refund_amount`` or ``refunds`` on a credit note)."""
        refund_ids = {obj["id"] for obj in writing if obj.get("object") == "refund"}
        if not refund_ids or not invoice_users:
            return {}
        found: dict[str, str] = {}
        for notes in stripe.credit_notes_of(sorted(invoice_users)).values():
            for note in notes:
                for entry in note.get("refunds") or []:
                    refund_id = expandable_id(entry.get("refund"))
                    if refund_id in refund_ids:
                        found[refund_id] = note["id"]
        return found


def _writes(obj: Mapping[str, Any]) -> bool:
    """Whether a refund or dispute may write anything (an unknown status is left for map() to report)."""
    try:
        return refund_booked(obj) if obj.get("object") == "refund" else withdrawal(obj) is not None
    except MappingError:
        return False


def _own_invoice_lines(charge: Mapping[str, Any], settings: Settings) -> list[tuple[int, dict[str, Any]]]:
    """The one line of a payment's own invoice (payments.standalone_charges: invoice), as the payments flow writes it."""
    return [(paid_amount(charge), own_invoice_line(charge, settings))]
