"""The money rules (``stripe_sandbox.billing``): integers in minor units, Decimal arithmetic, ROUND_HALF_UP."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stripe_sandbox.billing import currency, dunning, fees, fx, periods, proration, settlement
from stripe_sandbox.billing.discounts import DiscountLine, line_discounts
from stripe_sandbox.billing.money import allocate, percent_of, round_to
from stripe_sandbox.billing.tax import Rate, line_taxes
from stripe_sandbox.billing.totals import summarize
from stripe_sandbox.errors import StripeApiError

DAY = 86400


def test_currency_tables_match_stripes_list():
    assert currency.ZERO_DECIMAL == {"bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx",
                                     "vnd", "vuv", "xaf", "xof", "xpf"}
    assert currency.THREE_DECIMAL == {"bhd", "jod", "kwd", "omr", "tnd"}
    assert [currency.exponent(c) for c in ("usd", "JPY", "kwd")] == [2, 0, 3]
    assert currency.step("kwd") == 10 and currency.step("usd") == 1 and currency.step("isk") == 100


def test_three_decimal_charges_must_end_in_zero():
    assert currency.check_amount(5120, "kwd") == 5120
    with pytest.raises(StripeApiError) as err:
        currency.check_amount(5124, "kwd")
    assert err.value.param == "amount" and "5120 or 5130" in err.value.message


def test_round_half_up_away_from_zero():
    assert [round_to(Decimal(x)) for x in ("0.5", "1.5", "2.5", "-0.5", "-2.5", "2.4999")] == [1, 2, 3, -1, -3, 2]
    assert round_to(Decimal("625"), 10) == 630 and round_to(Decimal("624.9"), 10) == 620
    assert percent_of(1, "2.5", "usd") == 0  # 0.025 -> 0
    assert percent_of(43, "15", "usd") == 6 and percent_of(484, "15", "usd") == 73  # Stripe's worked example


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10**9), st.lists(st.integers(1, 10**6), min_size=1, max_size=30), st.sampled_from([1, 10]))
def test_allocate_is_exact_and_proportional(total, weights, granularity):
    total -= total % granularity
    shares = allocate(total, weights, granularity)
    assert sum(shares) == total and all(s % granularity == 0 and s >= 0 for s in shares)
    for share, weight in zip(shares, weights):
        assert abs(share - total * weight / sum(weights)) <= granularity


def test_proration_by_the_second():
    start, end = 1_700_000_000, 1_700_000_000 + 30 * DAY
    assert proration.prorate(3000, start, end, start + 10 * DAY, "usd") == 2000
    assert proration.prorate(3000, start, end, start + 1, "usd") == 3000  # 2999.99884 -> 3000
    assert proration.prorate(100, start, end, start + 15 * DAY + 1, "usd") == 50  # 49.99996
    assert proration.prorate(7000, start, end, start + 10 * DAY, "jpy") == 4667
    assert proration.prorate(12500, start, end, start + 10 * DAY, "kwd") == 8330  # 8333.3 -> 8330 (10-fils step)
    assert proration.prorate(3000, start, end, end, "usd") == 0
    assert proration.fraction(start, end, start - DAY) == 1


def test_tax_exclusive_inclusive_and_exempt():
    vat = Rate("txr_vat", Decimal("19"), False)
    tva = Rate("txr_tva", Decimal("20"), True)
    exclusive = line_taxes(10000, [vat], "eur")
    assert exclusive[0]["amount"] == 1900 and exclusive[0]["taxable_amount"] == 10000
    assert exclusive[0]["tax_behavior"] == "exclusive" and exclusive[0]["type"] == "tax_rate_details"
    inclusive = line_taxes(12000, [tva], "eur")
    assert inclusive[0]["amount"] == 2000 and inclusive[0]["taxable_amount"] == 10000
    assert line_taxes(10000, [vat], "eur", "reverse")[0] == {**exclusive[0], "amount": 0,
                                                            "taxability_reason": "reverse_charge"}
    assert line_taxes(10000, [vat], "eur", "exempt")[0]["taxability_reason"] == "customer_exempt"
    assert line_taxes(-3333, [vat], "eur")[0]["amount"] == -633  # a proration credit carries negative tax
    assert line_taxes(39375, [Rate("t", Decimal("5"), False)], "kwd")[0]["amount"] == 1970  # 1968.75 -> 1970


def test_discounts_before_tax_per_line():
    coupons = {"di_pct": {"percent_off": 20, "amount_off": None, "currency": None},
               "di_amt": {"percent_off": None, "amount_off": 1000, "currency": "usd"},
               "di_100": {"percent_off": 100, "amount_off": None, "currency": None}}
    lines = [DiscountLine("a", 3333), DiscountLine("b", 6667), DiscountLine("c", -1000),
             DiscountLine("d", 500, discountable=False)]
    applied = line_discounts(lines, ["di_pct", "di_amt"], coupons.__getitem__, "usd")
    assert [d["amount"] for d in applied["a"]] == [667, 333]
    assert [d["amount"] for d in applied["b"]] == [1333, 667]  # 20% of 6667 = 1333.4; 1000 split 333/667
    assert [d["amount"] for d in applied["c"]] == [-200]  # percent-off also discounts a credit
    assert applied["d"] == []
    free = line_discounts([DiscountLine("a", 4900)], ["di_100"], coupons.__getitem__, "usd")
    assert free["a"][0]["amount"] == 4900
    capped = line_discounts([DiscountLine("a", 300)], ["di_amt"], coupons.__getitem__, "usd")
    assert capped["a"][0]["amount"] == 300
    wrong_currency = line_discounts([DiscountLine("a", 3000)], ["di_amt"], coupons.__getitem__, "eur")
    assert wrong_currency["a"] == []


def test_invoice_totals():
    lines = [
        {"amount": 10000, "discount_amounts": [{"amount": 2000, "discount": "di_1"}],
         "taxes": line_taxes(8000, [Rate("txr_1", Decimal("10"), False)], "usd")},
        {"amount": 12000, "discount_amounts": [],
         "taxes": line_taxes(12000, [Rate("txr_2", Decimal("20"), True)], "usd")},
    ]
    sums = summarize(lines)
    assert sums["subtotal"] == 22000 and sums["discount_total"] == 2000
    assert sums["total"] == 22000 - 2000 + 800
    assert sums["total_excluding_tax"] == sums["total"] - 800 - 2000
    assert {t["tax_rate_details"]["tax_rate"]: t["amount"] for t in sums["total_taxes"]} == {"txr_1": 800,
                                                                                            "txr_2": 2000}


def test_fx_to_usd_with_exponents():
    assert fx.convert(1000, "usd") == (1000, None)
    assert fx.convert(1000, "eur") == (1080, Decimal("1.08"))
    assert fx.convert(1000, "jpy")[0] == 670  # ¥1000 x 0.0067 = 6.70 USD
    assert fx.convert(39380, "kwd")[0] == 12799  # 39.380 KWD x 3.25 = 127.985 -> 127.99
    assert fx.convert(71499, "krw")[0] == 5219  # ₩71499 x 0.00073 = 52.194
    with pytest.raises(StripeApiError):
        fx.check_supported("xyz")


def test_fees():
    assert fees.card_fee(10000, converted=False) == 320  # 2.9% + 30
    assert fees.card_fee(10076, converted=True) == 423  # 3.9% + 30 = 422.96
    assert fees.card_fee(50, converted=False) == 31  # 1.45 + 30 -> 31


def test_periods_keep_the_anchor_day():
    jan31 = 1_706_659_200  # 2024-01-31 00:00 UTC
    ends = [periods.boundary(jan31, "month", 1, k) for k in range(1, 4)]
    # Feb 29, Mar 31, Apr 30
    assert [periods.start_of_day(e) for e in ends] == [1_709_164_800, 1_711_843_200, 1_714_435_200]
    assert periods.boundary(jan31, "year", 1, 1) == 1_738_281_600
    assert periods.boundary(jan31, "week", 2, 1) == jan31 + 14 * DAY
    assert periods.boundary(jan31, "month", 1, -1) == 1_703_980_800  # Dec 31, 2023


def test_settlement_and_dunning_schedules():
    created = 1_700_000_123
    assert settlement.charge_available_on(created) == periods.start_of_day(created) + 2 * DAY
    assert settlement.next_payout_run(periods.start_of_day(created)) == periods.start_of_day(created)
    assert settlement.next_payout_run(created) == periods.start_of_day(created) + DAY
    assert [dunning.next_attempt(n, 0) for n in (1, 2, 3, 4)] == [DAY, 3 * DAY, 5 * DAY, None]
