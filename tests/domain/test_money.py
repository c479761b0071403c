"""Money is integer fen with a currency; every division says how it rounds."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pos_app.domain.money import CNY, MAX_AMOUNT_FEN, Money, format_fen, mul_div_floor, parse_yuan


def test_money_is_integer_fen_and_refuses_floats_bools_and_strings():
    assert Money(1250).fen == 1250 and Money(1250).currency == CNY
    for bad in (12.5, 12.0, True, "1250", Decimal("12.50"), None):
        with pytest.raises(TypeError):
            Money(bad)


def test_arithmetic_stays_in_integers_and_in_one_currency():
    a, b = Money(1999), Money(1)
    assert a + b == Money(2000)
    assert a - b == Money(1998)
    assert b - a == Money(-1998)
    assert a.times(3) == Money(5997)
    assert isinstance((a + b).fen, int)
    with pytest.raises(ValueError, match="cannot mix"):
        Money(100) + Money(100, "USD")
    with pytest.raises(ValueError, match="cannot mix"):
        Money(100) - Money(100, "HKD")
    with pytest.raises(TypeError):
        Money(100).times(1.5)  # a float quantity would make float fen


def test_money_is_immutable_and_ordered_by_amount():
    m = Money(5)
    with pytest.raises(AttributeError):
        m.fen = 6  # type: ignore[misc]
    assert Money(5) < Money(6) and sorted([Money(3), Money(1), Money(2)]) == [Money(1), Money(2), Money(3)]


@pytest.mark.parametrize("fen, text", [
    (0, "¥0.00"), (1, "¥0.01"), (99, "¥0.99"), (100, "¥1.00"), (1250, "¥12.50"),
    (123456789, "¥1,234,567.89"), (-5, "-¥0.05"), (-123456, "-¥1,234.56"),
])
def test_format_fen(fen, text):
    assert format_fen(fen) == text
    assert str(Money(fen)) == text


def test_format_other_currency_uses_its_code():
    assert format_fen(1050, "USD") == "USD 10.50"
    assert str(Money(-1, "HKD")) == "-HKD 0.01"


@pytest.mark.parametrize("text, fen", [
    ("12.5", 1250), ("12.50", 1250), ("12", 1200), ("0.01", 1), (".5", 50), ("7.", 700),
    ("  3.20 ", 320), ("1,234.56", 123456), ("0", 0), ("000.10", 10),
])
def test_parse_yuan_reads_plain_decimals_exactly(text, fen):
    assert parse_yuan(text) == fen


@pytest.mark.parametrize("text", [
    "", "   ", ".", "-1", "+1", "1.2.3", "1.234", "abc", "1e5", "12.5x", "0x10", "1 000", "NaN", "inf", "²",
])
def test_parse_yuan_refuses_anything_else(text):
    with pytest.raises(ValueError):
        parse_yuan(text)


@given(st.integers(min_value=0, max_value=MAX_AMOUNT_FEN))
def test_format_then_parse_round_trips(fen):
    shown = format_fen(fen).removeprefix("¥")
    assert parse_yuan(shown) == fen


@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=0, max_value=10**4),
       st.integers(min_value=1, max_value=10**4))
def test_mul_div_floor_is_exact_integer_floor(value, num, den):
    got = mul_div_floor(value, num, den)
    assert isinstance(got, int)
    assert got * den <= value * num < (got + 1) * den  # never over-awards, never short by a whole unit


def test_mul_div_floor_rounds_down_and_refuses_bad_denominators():
    assert mul_div_floor(199, 1, 100) == 1
    assert mul_div_floor(99, 1, 100) == 0
    assert mul_div_floor(3, 2, 3) == 2
    for den in (0, -1):
        with pytest.raises(ValueError):
            mul_div_floor(100, 1, den)
