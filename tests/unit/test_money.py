from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stripe_netsuite.mapping.money import THREE_DECIMAL, ZERO_DECIMAL, exponent, to_decimal, to_minor_units

CURRENCIES = st.sampled_from(sorted(ZERO_DECIMAL | THREE_DECIMAL | {"USD", "EUR", "GBP", "CAD", "CHF"}))


@pytest.mark.parametrize("amount, currency, expected", [
    (1234, "usd", "12.34"), (1234, "JPY", "1234"), (1234, "kwd", "1.234"), (-5, "eur", "-0.05"), (0, "bhd", "0.000"),
])
def test_to_decimal(amount, currency, expected):
    assert to_decimal(amount, currency) == Decimal(expected)
    assert str(to_decimal(amount, currency)) == expected


def test_tables():
    assert exponent("jpy") == 0 and exponent("KRW") == 0 and exponent("KWD") == 3 and exponent("USD") == 2
    assert len(ZERO_DECIMAL) == 16 and len(THREE_DECIMAL) == 5 and not ZERO_DECIMAL & THREE_DECIMAL


@pytest.mark.parametrize("bad", [12.34, "1234", True, Decimal("12.34")])
def test_only_integers_come_from_stripe(bad):
    with pytest.raises(TypeError):
        to_decimal(bad, "usd")


def test_refuses_float_and_excess_precision():
    with pytest.raises(TypeError):
        to_minor_units(12.34, "usd")
    with pytest.raises(ValueError, match="JPY"):
        to_minor_units(Decimal("1.5"), "jpy")


@given(st.integers(min_value=-10**15, max_value=10**15), CURRENCIES)
def test_round_trip_is_exact(amount, currency):
    value = to_decimal(amount, currency)
    assert isinstance(value, Decimal)
    assert to_minor_units(value, currency) == amount
    assert -value.as_tuple().exponent == exponent(currency) or amount == 0 or value.as_tuple().exponent <= 0
