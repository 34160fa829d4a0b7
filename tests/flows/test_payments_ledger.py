"""The payments flow read back from the NetSuite sandbox's general ledger (``transactionaccountingline``).

After the invoices and payments flows: per customer and currency, Accounts Receivable equals what
Stripe says the customer still owes (open invoices' ``amount_remaining``, and what was paid outside Stripe
until finance records it), less a bank debit NetSuite
has applied while Stripe waits for it to settle, less payments without an invoice (a customer credit,
as the reference says: "a CustomerPayment crediting AR with no matching debit"); Undeposited Funds
holds exactly the synced payments, net of the refunds of failed debits (nothing is deposited yet),
per currency and in the subsidiary's currency at Stripe's rate.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

import pytest

from stripe_netsuite.mapping.money import to_decimal
from stripe_netsuite.mapping.payments import moves_money, paid_amount
from tests.flows.test_payments_flow import netsuite_payments, stripe_charges, stripe_invoices
from tests.flows.test_payments_scenario import payments, sync_all  # noqa: F401 (fixture)

pytestmark = pytest.mark.usefixtures("airflow_db", "clean_variables")
GL_QUERY = (
    "SELECT a.sspecacct AS special, c.externalid AS customer, cur.symbol AS currency, SUM(l.foreignamount) AS fx_amount, "
    "SUM(l.amount) AS base FROM transactionaccountingline l JOIN account a ON a.id = l.account "
    "JOIN transaction t ON t.id = l.transaction JOIN customer c ON c.id = t.entity "
    "JOIN currency cur ON cur.id = t.currency WHERE a.sspecacct IN ('AcctRec', 'UndepFunds') "
    "GROUP BY a.sspecacct, c.externalid, cur.symbol"
)


def ledger() -> dict[tuple[str, str, str], tuple[Decimal, Decimal]]:
    """(account, customer external ID, currency) -> (foreign amount, base amount), debits positive."""
    from stripe_netsuite.hooks.netsuite import NetSuiteHook

    return {(row["special"], row["customer"], row["currency"]): (Decimal(str(row["fx_amount"])), Decimal(str(row["base"])))
            for row in NetSuiteHook().suiteql(GL_QUERY)}


def test_receivables_per_customer_and_undeposited_funds_match_stripe(dagbag, payments):  # noqa: F811
    sync_all(dagbag)
    gl = ledger()
    charges = [c for c in stripe_charges(payments.url) if moves_money(c)]
    netsuite = netsuite_payments()

    owed: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for invoice in stripe_invoices(payments.url):
        key = (invoice["customer"], invoice["currency"].upper())
        if invoice["status"] == "open":
            owed[key] += to_decimal(invoice["amount_remaining"], invoice["currency"])
        # paid outside Stripe: open in NetSuite until finance records it (payments.out_of_band: report)
        owed[key] += to_decimal(invoice.get("amount_paid_off_stripe") or 0, invoice["currency"])
    undeposited: dict[str, Decimal] = defaultdict(Decimal)
    undeposited_base = Decimal(0)
    for charge in charges:
        key = (charge["customer"] or "stripe-guest-customer", charge["currency"].upper())
        amount = to_decimal(paid_amount(charge), charge["currency"])
        applied = netsuite[charge["id"]][4]
        if charge["status"] == "pending" and applied:
            owed[key] -= applied[1]  # NetSuite counts it paid; Stripe waits for the bank
        if applied is None and charge["status"] != "failed":
            owed[key] -= amount  # no invoice to pay: the customer's credit
        if charge["status"] != "failed":  # a failed debit's payment and refund cancel out
            undeposited[key[1]] += amount
            rate = Decimal(str(charge["balance_transaction"]["exchange_rate"] or 1))
            undeposited_base += (amount * rate).quantize(Decimal("0.01"), ROUND_HALF_UP)

    receivables = {(customer, currency): foreign for (special, customer, currency), (foreign, _base) in gl.items()
                   if special == "AcctRec" and foreign}
    assert receivables == {key: value for key, value in owed.items() if value}
    funds: dict[str, Decimal] = defaultdict(Decimal)
    funds_base = Decimal(0)
    for (special, _customer, currency), (foreign, base) in gl.items():
        if special == "UndepFunds":
            funds[currency] += foreign
            funds_base += base
    assert {k: v for k, v in funds.items() if v} == {k: v for k, v in undeposited.items() if v}
    assert funds_base == undeposited_base  # Stripe's rate: no FX difference waits for the deposit
    assert set(undeposited) >= {"USD", "EUR", "JPY"}
