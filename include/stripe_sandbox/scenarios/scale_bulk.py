"""Bulk construction of the ``scale`` scenario's paid invoices, straight into the store.

The per-object write path (``scale_slow``) parses params, looks objects up and diffs versions for
every write; here a paid invoice's whole history (items, draft, finalization, payment intent, charge,
balance transaction, invoice payment and their events) is one ``PaidInvoice`` (``paid_invoice.py``):
its records and events are ``RenderedRecord`` / ``RenderedEventRecord`` (``rendered_record.py``)
that render their versions from it when read, so no version is stored as a dict. What the builder
still does per invoice:

* draws the IDs from the same streams and in the same order as the write paths;
* appends each record with one sort key (an int) shared by the store and its indexes; events go
  straight into their ``type`` index bucket; an invoice's event IDs are drawn in one block
  (``IdFactory.many``), from the same ``evt`` stream;
* creates the balance transaction through its resource (payouts change it later).

Declines, refunds, disputes and payouts still go through the write paths (a few % of the objects),
so they act on bulk-built objects exactly as on any other (a write stores a plain dict).
"""

from __future__ import annotations

from stripe_sandbox.event_record import EVENT_TYPE
from stripe_sandbox.events import fingerprint
from stripe_sandbox.rendered_record import RenderedEventRecord, RenderedRecord
from stripe_sandbox.scenarios import paid_invoice as versions
from stripe_sandbox.scenarios.bulk_parts import BulkParts
from stripe_sandbox.scenarios.paid_invoice import PaidInvoice, item_part
from stripe_sandbox.state import WriteContext

EVENTS_PER_INVOICE = 9  # besides two per item (``invoiceitem.created`` and ``.updated``)


class BulkInvoices:
    """Builds paid invoices for one sandbox; ``paid_invoice`` writes one invoice's full history."""

    def __init__(self, state, refs: dict) -> None:
        self.state = state
        self.store = state.store
        self.ids = state.ids
        self.parts = BulkParts(state, refs)
        self._txn = state.resources["balance_transaction"]
        self._audit = state.events._audit
        self._store_add = self.store.add
        self._event_ids: list[str] = []  # this invoice's event IDs, drawn in one block, next last
        self._event_buckets: dict[str, tuple] = {}  # event type -> its ``type`` index bucket (in a 1-tuple)

    # -- records ---------------------------------------------------------------------------
    def _add(self, object_type: str, object_id: str, history: PaidInvoice, part: tuple, indexes=()) -> RenderedRecord:
        return self._store_add(RenderedRecord(object_type, object_id, history.at, history, part), indexes)

    def _event(self, event_type: str, history: PaidInvoice, part: tuple, request_id: str, previous=None) -> None:
        record = RenderedEventRecord(self._event_ids.pop(), event_type, history.at, request_id, history, part,
                                     previous)
        bucket = self._event_buckets.get(event_type)
        if bucket is None:
            bucket = self._event_buckets[event_type] = (self.store.bucket(EVENT_TYPE, "type", event_type),)
        self._store_add(record, (), bucket)
        if self._audit is not None:
            self._audit.append((record, fingerprint(record.data)))

    # -- one paid invoice ------------------------------------------------------------------
    def paid_invoice(self, at: int, customer: dict, lines: list, tax_key: str) -> str:
        """Write one invoice's history: items, draft, finalization, payment (the write paths' order)."""
        ids = self.ids
        customer_id = customer["id"]
        count = len(lines)
        events = self._event_ids = ids.many("evt", 2 * count + EVENTS_PER_INVOICE)
        events.reverse()
        item_ids, item_requests = [], []
        for _ in range(count):
            item_ids.append(ids.new("ii"))
            item_requests.append(ids.new("req"))
        request = ids.new("req")
        invoice_id = ids.new("in")
        line_ids = [ids.new("il") for _ in range(count)]
        history = PaidInvoice(self.parts, at, customer, tax_key, tuple(lines), item_ids, invoice_id,
                              line_ids)
        for index in range(count):
            self._add("invoiceitem", item_ids[index], history, item_part(index, True), (("customer", customer_id),))
            self._event("invoiceitem.created", history, item_part(index, False), item_requests[index])
        # the draft
        self._add("invoice", invoice_id, history, versions.PAID)
        self._event("invoice.created", history, versions.DRAFT, request)
        for index in range(count):
            self._event("invoiceitem.updated", history, item_part(index, True), request, versions.ITEM_CHANGES)
        # finalization (``auto_advance=true``) and the payment
        request = ids.new("req")
        number = self.state.next_number("invoice")
        intent_id = ids.new("pi")
        payment_id = ids.new("inpay")
        charge_id = ids.new("ch")
        history.finalized(number, intent_id, payment_id, charge_id)
        self._add("payment_intent", intent_id, history, versions.SUCCEEDED_INTENT)
        self._event("payment_intent.created", history, versions.NEW_INTENT, request)
        self._add("invoice_payment", payment_id, history, versions.PAID_PAYMENT, (("invoice", invoice_id),))
        self._event("invoice.finalized", history, versions.OPEN, request)
        self._add("charge", charge_id, history, versions.CHARGE, (("payment_intent", intent_id),))
        ctx = WriteContext(now=at, request_id=request, idempotency_key=None)
        history.txn_id = self._txn.for_charge(history.charge_basics(), ctx)["id"]
        self._event("charge.succeeded", history, versions.CHARGE, request)
        self._event("payment_intent.succeeded", history, versions.SUCCEEDED_INTENT, request)
        self._event("invoice_payment.paid", history, versions.PAID_PAYMENT, request)
        self._event("invoice.updated", history, versions.PAID, request, versions.PAID_CHANGES)
        self._event("invoice.paid", history, versions.PAID, request)
        self._event("invoice.payment_succeeded", history, versions.PAID, request)
        assert not events, "EVENTS_PER_INVOICE is out of date"
        return invoice_id
