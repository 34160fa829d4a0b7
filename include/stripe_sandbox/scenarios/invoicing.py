"""Scenario steps shared by ``demo`` and ``edge``: a one-off invoice, and the charge that paid one."""

from __future__ import annotations


def one_off_invoice(seeder, at, refs, customer, items, *, finalize=True, auto_advance="true", **params):
    """Invoice items + an invoice including them; finalized (and charged when ``auto_advance``)."""
    for item in items:
        seeder.create("invoiceitem", {"customer": customer, **item}, at=at)
    invoice = seeder.create("invoice", {"customer": customer, "pending_invoice_items_behavior": "include", **params},
                            at=at)
    if finalize:
        seeder.act("invoice", "finalize", invoice["id"], {"auto_advance": auto_advance}, at=at)
    return seeder.resources["invoice"].data(invoice["id"])


def charge_of(seeder, invoice_id):
    """The charge behind the paid invoice payment of ``invoice_id``."""
    for record in seeder.state.store.indexed("invoice_payment", "invoice", invoice_id).records:
        if record.data["status"] == "paid":
            return seeder.resources["payment_intent"].data(record.data["payment"]["payment_intent"])["latest_charge"]
    raise LookupError(invoice_id)
