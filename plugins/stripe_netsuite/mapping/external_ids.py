"""Every NetSuite external ID the connector writes, derived from the Stripe object it comes from (pure).

The one owner of the schemes (reference: connector-behaviour.md §3.2, §3.3; DESIGN.md "The cash side"):
flows, reconcilers and tests call these functions, never spell a prefix. NetSuite keeps external IDs
unique per record *group*, not per record type, so one Stripe object that yields several transactions
needs distinct keys:

Record                                   Stripe object    externalId       Group
Customer                                 cus_X            cus_X            Entity
Service sale item                        price_X          price_X          Item
Discount item                            coupon X         coupon-X         Item
Invoice                                  in_X             in_X             Transactions
Credit memo for a credit note            cn_X             cn_X             Transactions
Credit memo for customer-balance use     in_X             cm-bal-in_X      Transactions
Credit memo writing off (uncollectible)  in_X             cm-unc-in_X      Transactions
Credit memo closing a voided invoice     in_X             cm-void-in_X     Transactions
Customer payment                         ch_X / py_X      ch_X / py_X      Transactions
Customer refund of a payment that failed py_X / ch_X      rf-py_X          Transactions
Customer payment made outside Stripe     in_X             pay-oob-in_X     Transactions
Invoice for a payment without one        ch_X / py_X      in-ch_X          Transactions
Credit memo for a refund                 re_X             cm-re_X          Transactions
Customer refund                          re_X             re_X             Transactions
Customer payment of a failed refund      re_X             ret-re_X         Transactions
Credit memo for a dispute                dp_X             cm-dp_X          Transactions
Customer refund for a dispute            dp_X             dp_X             Transactions
Deposit                                  po_X             po_X             Transactions
Deposit, part n of a large payout        po_X             po_X-n (n >= 2)  Transactions
Journal entry for a balance transaction  txn_X            je-txn_X         Transactions
Journal entry for a transfer             tr_X             tr_X             Transactions

Each function takes the Stripe ID and checks its Stripe prefix (``ValueError`` otherwise: a wrong
object passed in is a programming error, and without the prefix two kinds could collide). Stripe IDs
are letters, digits and ``_``, and no scheme adds anything but letters and ``-``, so every ID fits a
REST ``eid:`` path (``is_rest_safe``); coupon IDs are chosen by the Stripe user and are passed through
as they are (NetSuite's hook refuses one that does not fit, naming it).
"""

from __future__ import annotations

import re

REST_SAFE = re.compile(r"^[A-Za-z0-9_-]+$")  # what a REST ``eid:`` path takes (o-eid)

_BALANCE, _UNCOLLECTIBLE, _VOID = "cm-bal-", "cm-unc-", "cm-void-"
_INVOICE_MEMOS = (_BALANCE, _UNCOLLECTIBLE, _VOID)  # memos whose external ID names their invoice


def _stripe_id(value: str, *prefixes: str) -> str:
    if not any(value.startswith(prefix) and len(value) > len(prefix) for prefix in prefixes):
        raise ValueError(f"{value!r} is not a Stripe ID starting with {' or '.join(prefixes)}")
    return value


def is_rest_safe(external_id: str) -> bool:
    """Whether ``external_id`` fits a NetSuite REST ``eid:`` path (letters, digits, ``_`` and ``-``)."""
    return bool(REST_SAFE.match(external_id))


# -- Entity group --

def customer(customer_id: str) -> str:
    return _stripe_id(customer_id, "cus_")


def is_customer(external_id: str) -> bool:
    """Whether a NetSuite customer's external ID is one the connector writes (made by hand otherwise)."""
    return external_id.startswith("cus_")


# -- Item group --

def price_item(price_id: str) -> str:
    return _stripe_id(price_id, "price_")


def coupon_item(coupon_id: str) -> str:
    """Coupon IDs are bare (``LAUNCH20``), so they take a prefix not to collide with other items."""
    if not coupon_id:
        raise ValueError("a coupon ID cannot be empty")
    return f"coupon-{coupon_id}"


# -- Transactions group --

def invoice(invoice_id: str) -> str:
    return _stripe_id(invoice_id, "in_")


def is_invoice(external_id: str) -> bool:
    return external_id.startswith("in_")


def credit_note_memo(credit_note_id: str) -> str:
    return _stripe_id(credit_note_id, "cn_")


def balance_memo(invoice_id: str) -> str:
    """The credit memo for the Stripe customer balance an invoice used."""
    return _BALANCE + invoice(invoice_id)


def uncollectible_memo(invoice_id: str) -> str:
    """The credit memo writing off an invoice Stripe marked uncollectible (zeroed when that no longer stands)."""
    return _UNCOLLECTIBLE + invoice(invoice_id)


def void_memo(invoice_id: str) -> str:
    """The credit memo closing what remained on an invoice Stripe voided."""
    return _VOID + invoice(invoice_id)


def payment(charge_id: str) -> str:
    """The customer payment for a charge (``ch_``) or a non-card payment (``py_``)."""
    return _stripe_id(charge_id, "ch_", "py_")


def failed_payment_refund(charge_id: str) -> str:
    """The customer refund that takes back a payment whose money never arrived (an ACH debit that failed later)."""
    return "rf-" + payment(charge_id)


def out_of_band_payment(invoice_id: str) -> str:
    """The customer payment for an invoice Stripe marked paid outside Stripe (when the settings record them)."""
    return "pay-oob-" + invoice(invoice_id)


def payment_invoice(charge_id: str) -> str:
    """The one-line invoice made for a payment without an invoice (payments.standalone_charges: invoice)."""
    return "in-" + payment(charge_id)


REFUND_PREFIXES = ("re_", "pyr_")  # card refunds, and refunds of bank debits (ACH, SEPA)
DISPUTE_PREFIXES = ("dp_", "du_")


def refund_memo(refund_id: str) -> str:
    """The credit memo a refund of an invoiced charge makes (its customer refund is ``customer_refund``)."""
    return "cm-" + _stripe_id(refund_id, *REFUND_PREFIXES)


def customer_refund(refund_id: str) -> str:
    return _stripe_id(refund_id, *REFUND_PREFIXES)


def returned_refund(refund_id: str) -> str:
    """The customer payment taking back into Undeposited Funds a refund that failed or was canceled after Stripe
    booked it (Stripe's ``refund_failure``); the customer refund then applies it instead of the credit memo."""
    return "ret-" + customer_refund(refund_id)


def dispute_memo(dispute_id: str) -> str:
    """The credit memo for a dispute's withdrawn funds (its customer refund is ``dispute_refund``)."""
    return "cm-" + _stripe_id(dispute_id, *DISPUTE_PREFIXES)


def dispute_refund(dispute_id: str) -> str:
    return _stripe_id(dispute_id, *DISPUTE_PREFIXES)


def deposit(payout_id: str) -> str:
    return _stripe_id(payout_id, "po_")


def deposit_part(payout_id: str, part: int) -> str:
    """Part ``part`` (1, 2, ...) of a payout too large for one deposit; part 1 is the payout's own ``po_X``."""
    if part < 1:
        raise ValueError(f"deposit parts count from 1, got {part}")
    return deposit(payout_id) if part == 1 else f"{deposit(payout_id)}-{part}"


def balance_journal(balance_transaction_id: str) -> str:
    """A journal entry derived from a balance transaction (a fee, an adjustment)."""
    return "je-" + _stripe_id(balance_transaction_id, "txn_")


def transfer_journal(transfer_id: str) -> str:
    return _stripe_id(transfer_id, "tr_")


def invoice_of(external_id: str) -> str | None:
    """The Stripe invoice an invoice's own external ID or one of its balance, write-off or void memos names;
    None for any other (a credit note's memo names no invoice: read its credit note's)."""
    for prefix in _INVOICE_MEMOS:
        if external_id.startswith(prefix):
            return external_id[len(prefix):]
    return external_id if is_invoice(external_id) else None
