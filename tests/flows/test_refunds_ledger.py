"""The refunds and disputes flow read back from the NetSuite sandbox's general ledger.

After invoices, payments, refunds and disputes: Undeposited Funds holds the payments less the refunds and
the withdrawn disputes (nothing deposited yet), per currency; per customer and currency, A/R equals what
Stripe says is owed (a refund's memo and customer refund cancel out on A/R, so a customer credited twice for
one refund would show here as a credit balance).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import pytest

from stripe_netsuite.mapping.money import to_decimal
from stripe_netsuite.mapping.payments import moves_money, paid_amount
from stripe_netsuite.mapping.refunds import refund_booked, refund_reversed, withdrawal
from tests.flows.helpers import stripe_client
from tests.flows.test_payments_flow import netsuite_payments, stripe_charges, stripe_invoices
from tests.flows.test_payments_ledger import ledger
from tests.flows.test_payments_scenario import payments  # noqa: F401 (fixture)
from tests.flows.test_refunds_flow import a_customer, paid_invoice, stripe_refunds_and_disputes, sync_everything

pytestmark = pytest.mark.usefixtures("airflow_db", "clean_variables")


def test_undeposited_funds_and_receivables_after_refunds_and_disputes(dagbag, payments):  # noqa: F811
    client = stripe_client(payments.url)
    customer = a_customer(client)
    _, full_charge = paid_invoice(client, customer, 4000, 1000)
    client.v1.refunds.create(params={"charge": full_charge})
    _, part_charge = paid_invoice(client, customer, 9000)
    client.v1.refunds.create(params={"charge": part_charge, "amount": 1234})
    noted, _ = paid_invoice(client, customer, 3000)
    client.v1.credit_notes.create(params={"invoice": noted, "amount": 3000, "refund_amount": 3000})
    client.v1.invoices.pay(paid_invoice_open(client, customer, 2200), params={"payment_method": "pm_card_createDispute"})
    direct = client.v1.payment_intents.create(params={"amount": 800, "currency": "usd", "customer": customer,
                                                      "payment_method": "pm_card_visa", "confirm": True})
    client.v1.refunds.create(params={"payment_intent": direct.id, "amount": 300})
    assert sync_everything(dagbag)["failed"] == []

    charges = [c for c in stripe_charges(payments.url) if moves_money(c)]
    refunds, disputes = stripe_refunds_and_disputes(payments.url)
    ns = netsuite_payments()
    undeposited: dict[str, Decimal] = defaultdict(Decimal)
    owed: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    charge_of = {c["id"]: c for c in charges}
    for charge in charges:
        if charge["status"] != "failed":
            undeposited[charge["currency"].upper()] += to_decimal(paid_amount(charge), charge["currency"])
        key = (charge["customer"] or "stripe-guest-customer", charge["currency"].upper())
        applied = ns[charge["id"]][4]
        if charge["status"] == "pending" and applied:
            owed[key] -= applied[1]
        if applied is None and charge["status"] != "failed":
            owed[key] -= to_decimal(paid_amount(charge), charge["currency"])
    for obj in [r for r in refunds if refund_booked(r) and not refund_reversed(r)] + \
               [d for d in disputes if withdrawal(d) is not None]:
        amount = to_decimal(obj["amount"], obj["currency"])
        undeposited[obj["currency"].upper()] -= amount
        charge = charge_of[obj["charge"]]
        if ns[charge["id"]][4] is None:  # refunded a customer credit: the credit is used up
            owed[(charge["customer"], obj["currency"].upper())] += amount
    for invoice in stripe_invoices(payments.url):
        key = (invoice["customer"], invoice["currency"].upper())
        if invoice["status"] == "open":
            owed[key] += to_decimal(invoice["amount_remaining"], invoice["currency"])
        owed[key] += to_decimal(invoice.get("amount_paid_off_stripe") or 0, invoice["currency"])

    gl = ledger()
    funds: dict[str, Decimal] = defaultdict(Decimal)
    for (special, _customer, currency), (foreign, _base) in gl.items():
        if special == "UndepFunds":
            funds[currency] += foreign
    assert {k: v for k, v in funds.items() if v} == {k: v for k, v in undeposited.items() if v}
    receivables = {(c, cur): f for (special, c, cur), (f, _b) in gl.items() if special == "AcctRec" and f}
    assert receivables == {k: v for k, v in owed.items() if v}
    # every refund credited once: all this customer keeps is the 5.00 not refunded of the 8.00 paid without an invoice
    assert receivables[(customer, "USD")] == Decimal("-5.00")


def paid_invoice_open(client, customer: str, amount: int) -> str:
    from tests.flows.helpers import open_invoice

    return open_invoice(client, customer, "usd", amount)
