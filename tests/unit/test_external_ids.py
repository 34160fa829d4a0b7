"""The external-ID schemes (mapping/external_ids.py): the literal strings here are the oracle (reference §3.3)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stripe_netsuite.mapping import external_ids as eid

SUFFIX = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=24)

# Every transaction scheme: (kind, function, the Stripe prefixes it takes). One NetSuite group.
TRANSACTIONS = [
    ("invoice", eid.invoice, ("in_",)),
    ("credit note memo", eid.credit_note_memo, ("cn_",)),
    ("balance memo", eid.balance_memo, ("in_",)),
    ("uncollectible memo", eid.uncollectible_memo, ("in_",)),
    ("void memo", eid.void_memo, ("in_",)),
    ("payment", eid.payment, ("ch_", "py_")),
    ("failed payment refund", eid.failed_payment_refund, ("ch_", "py_")),
    ("out-of-band payment", eid.out_of_band_payment, ("in_",)),
    ("invoice for a payment", eid.payment_invoice, ("ch_", "py_")),
    ("refund memo", eid.refund_memo, ("re_", "pyr_")),
    ("customer refund", eid.customer_refund, ("re_", "pyr_")),
    ("returned refund", eid.returned_refund, ("re_", "pyr_")),
    ("dispute memo", eid.dispute_memo, ("dp_", "du_")),
    ("dispute refund", eid.dispute_refund, ("dp_", "du_")),
    ("deposit", eid.deposit, ("po_",)),
    ("balance journal", eid.balance_journal, ("txn_",)),
    ("transfer journal", eid.transfer_journal, ("tr_",)),
]


def test_the_table():
    assert eid.customer("cus_A1") == "cus_A1"
    assert eid.price_item("price_A1") == "price_A1"
    assert eid.coupon_item("LAUNCH20") == "coupon-LAUNCH20"
    assert eid.invoice("in_A1") == "in_A1"
    assert eid.credit_note_memo("cn_A1") == "cn_A1"
    assert eid.balance_memo("in_A1") == "cm-bal-in_A1"
    assert eid.uncollectible_memo("in_A1") == "cm-unc-in_A1"
    assert eid.void_memo("in_A1") == "cm-void-in_A1"
    assert eid.payment("ch_A1") == "ch_A1" and eid.payment("py_A1") == "py_A1"
    assert eid.failed_payment_refund("py_A1") == "rf-py_A1"
    assert eid.out_of_band_payment("in_A1") == "pay-oob-in_A1"
    assert eid.payment_invoice("ch_A1") == "in-ch_A1"
    assert eid.refund_memo("re_A1") == "cm-re_A1"
    assert eid.customer_refund("re_A1") == "re_A1"
    assert eid.returned_refund("re_A1") == "ret-re_A1"
    assert eid.dispute_memo("dp_A1") == "cm-dp_A1"
    assert eid.dispute_refund("dp_A1") == "dp_A1"
    assert eid.deposit("po_A1") == "po_A1"
    assert eid.balance_journal("txn_A1") == "je-txn_A1"
    assert eid.transfer_journal("tr_A1") == "tr_A1"


@pytest.mark.parametrize("function, wrong", [
    (eid.customer, "in_A1"), (eid.invoice, "cn_A1"), (eid.balance_memo, "cus_A1"), (eid.payment, "pi_A1"),
    (eid.refund_memo, "dp_A1"), (eid.deposit, "po_"), (eid.price_item, "LAUNCH20"), (eid.coupon_item, ""),
])
def test_a_wrong_stripe_object_is_refused(function, wrong):
    with pytest.raises(ValueError):
        function(wrong)


def test_invoice_of_names_the_invoice_of_its_memos_only():
    assert [eid.invoice_of(x) for x in ("in_X", "cm-bal-in_X", "cm-unc-in_X", "cm-void-in_X")] == ["in_X"] * 4
    assert [eid.invoice_of(x) for x in ("cn_1", "cm-re_1", "re_1", "po_1", "cus_1", "", "pay-oob-in_X", "in-ch_X")] \
        == [None] * 8


@given(st.lists(st.tuples(st.sampled_from(range(len(TRANSACTIONS))), st.integers(min_value=0, max_value=1), SUFFIX),
                min_size=1, max_size=40))
def test_transaction_schemes_are_injective_disjoint_and_rest_safe(draws):
    """Distinct (kind, Stripe ID) pairs never share an external ID in NetSuite's transaction group."""
    made: dict[str, tuple[str, str]] = {}
    for index, which, suffix in draws:
        kind, function, prefixes = TRANSACTIONS[index]
        stripe_id = prefixes[which % len(prefixes)] + suffix
        external_id = function(stripe_id)
        assert eid.is_rest_safe(external_id), external_id
        assert made.setdefault(external_id, (kind, stripe_id)) == (kind, stripe_id), external_id
        if kind in ("invoice", "balance memo", "uncollectible memo", "void memo"):
            assert eid.invoice_of(external_id) == stripe_id
        else:
            assert eid.invoice_of(external_id) is None


@given(SUFFIX, SUFFIX)
def test_entity_and_item_schemes_are_injective_and_rest_safe(a, b):
    assert eid.is_rest_safe(eid.customer("cus_" + a)) and eid.is_rest_safe(eid.coupon_item(a))
    assert (eid.coupon_item(a) == eid.coupon_item(b)) == (a == b)
    assert eid.coupon_item(a) != eid.price_item("price_" + b)  # one item group
    assert eid.is_customer(eid.customer("cus_" + a)) and not eid.is_customer(eid.invoice("in_" + a))
