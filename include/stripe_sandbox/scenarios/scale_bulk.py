"""Bulk construction of the ``scale`` scenario's paid invoices, straight into the store.

The per-object write path (``scale_slow``) parses params, looks objects up and diffs versions for
every write; here a paid invoice's whole history (items, draft, finalization, payment intent, charge,
balance transaction, invoice payment and their events) is one ``PaidInvoice`` (``paid_invoice.py``):
its records are ``RenderedRecord`` and its events one ``RenderedEventGroup`` (``rendered_record.py``)
that render their versions from it when read, so no version is stored as a dict. What the builder
still does per invoice:

* draws the IDs from the same streams and, per stream, in the same order as the write paths (each
  prefix has its own stream, so a stream's IDs of one invoice are drawn in one block);
* appends each record with one sort key (an int) shared by the store and its indexes;
* stores the events as one group (``ObjectStore.add_numbered_group``) in the write paths' order; their
  IDs are numbered (``ids.NumberedIds``: a keyed bijection of a counter, decoded on lookup), so they
  cost no draw and no dictionary entry; the group stands in the ``type`` index buckets for the members
  of each type; the request IDs the events show are numbered too (no store lookup ever needs them);
* renders the balance transaction from the history too, and hands it to its resource for the payouts
  (which switch it to its ``available`` version).

Declines, refunds, disputes and payouts still go through the write paths (a few % of the objects),
so they act on bulk-built objects exactly as on any other (a write stores a plain dict).
"""

from __future__ import annotations

from functools import cache

from stripe_sandbox.event_record import EVENT_TYPE
from stripe_sandbox.events import fingerprint
from stripe_sandbox.rendered_record import RenderedEventGroup, RenderedRecord
from stripe_sandbox.scenarios import paid_invoice as versions
from stripe_sandbox.scenarios.bulk_parts import BulkParts
from stripe_sandbox.scenarios.paid_invoice import PaidInvoice, item_part


@cache
def invoice_events(count: int) -> tuple:
    """The events of a paid invoice with ``count`` items, in the write paths' order:
    ``(type, part, previous part, request)``, ``request`` indexing (item requests..., draft, finalization)."""
    draft, finalization = count, count + 1
    return (
        *(("invoiceitem.created", item_part(index, False), None, index) for index in range(count)),
        ("invoice.created", versions.DRAFT, None, draft),
        *(("invoiceitem.updated", item_part(index, True), versions.ITEM_CHANGES, draft) for index in range(count)),
        ("payment_intent.created", versions.NEW_INTENT, None, finalization),
        ("invoice.finalized", versions.OPEN, None, finalization),
        ("charge.succeeded", versions.CHARGE, None, finalization),
        ("payment_intent.succeeded", versions.SUCCEEDED_INTENT, None, finalization),
        ("invoice_payment.paid", versions.PAID_PAYMENT, None, finalization),
        ("invoice.updated", versions.PAID, versions.PAID_CHANGES, finalization),
        ("invoice.paid", versions.PAID, None, finalization),
        ("invoice.payment_succeeded", versions.PAID, None, finalization),
    )


class BulkInvoices:
    """Builds paid invoices for one sandbox; ``paid_invoice`` writes one invoice's full history."""

    def __init__(self, state, refs: dict) -> None:
        self.state = state
        self.store = state.store
        self.ids = state.ids
        self.parts = BulkParts(state, refs)
        self._txn = state.resources["balance_transaction"]
        self._audit = state.events._audit
        self._event_ids = state.ids.numbered("evt")
        self._request_ids = state.ids.numbered("req")
        self._store_add = self.store.add
        self._type_buckets: dict[int, list] = {}  # item count -> [(``type`` index bucket, event offsets)]

    # -- records ---------------------------------------------------------------------------
    def _add(self, object_type: str, object_id: str, history: PaidInvoice, part: tuple, indexes=()) -> RenderedRecord:
        return self._store_add(RenderedRecord(object_type, object_id, history.at, history, part), indexes)

    def _type_buckets_of(self, count: int) -> list:
        buckets = self._type_buckets.get(count)
        if buckets is None:
            offsets: dict[str, list[int]] = {}
            for offset, (event_type, *_) in enumerate(invoice_events(count)):
                offsets.setdefault(event_type, []).append(offset)
            buckets = self._type_buckets[count] = [(self.store.bucket(EVENT_TYPE, "type", event_type), tuple(where))
                                                   for event_type, where in offsets.items()]
        return buckets

    def _events(self, history: PaidInvoice, requests: tuple) -> None:
        count = len(history.lines)
        members = invoice_events(count)
        group = RenderedEventGroup(history.at, requests, history, members)
        self.store.add_numbered_group(group, len(members), self._event_ids, self._type_buckets_of(count))
        if self._audit is not None:
            for offset in range(len(members)):
                record = group.member(offset)
                self._audit.append((record, fingerprint(record.data)))

    # -- one paid invoice ------------------------------------------------------------------
    def paid_invoice(self, at: int, customer: dict, lines: list, tax_key: str) -> str:
        """Write one invoice's history: items, draft, finalization, payment (the write paths' order)."""
        ids = self.ids
        customer_id = customer["id"]
        count = len(lines)
        item_ids = ids.many("ii", count)
        requests = self._request_ids.claim(count + 2)  # each item's, the draft's, the finalization's
        invoice_id = ids.new("in")
        line_ids = ids.many("il", count)
        history = PaidInvoice(self.parts, at, customer, tax_key, tuple(lines), item_ids, invoice_id,
                              line_ids)
        for index in range(count):
            self._add("invoiceitem", item_ids[index], history, item_part(index, True), (("customer", customer_id),))
        # the draft
        self._add("invoice", invoice_id, history, versions.PAID)
        # finalization (``auto_advance=true``) and the payment
        number = self.state.next_number("invoice")
        intent_id = ids.new("pi")
        payment_id = ids.new("inpay")
        charge_id = ids.new("ch")
        history.finalized(number, intent_id, payment_id, charge_id)
        self._add("payment_intent", intent_id, history, versions.SUCCEEDED_INTENT)
        self._add("invoice_payment", payment_id, history, versions.PAID_PAYMENT, (("invoice", invoice_id),))
        self._add("charge", charge_id, history, versions.CHARGE, (("payment_intent", intent_id),))
        history.txn_id = ids.new("txn")
        txn = self._add("balance_transaction", history.txn_id, history, versions.PENDING_TXN, (("source", charge_id),))
        self._txn.track(txn, history.available_on())
        self._events(history, requests)
        return invoice_id
