"""Largest-remainder allocation: the parts always add up to the total."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pos_app.domain.allocation import allocate


def test_exact_shares_need_no_rounding():
    assert allocate(100, [1, 1, 2]) == [25, 25, 50]


def test_leftover_units_go_to_the_largest_remainders():
    assert allocate(100, [1, 1, 1]) == [34, 33, 33]  # equal remainders: earliest line first
    assert allocate(10, [3, 3, 4]) == [3, 3, 4]
    assert allocate(7, [5, 1, 4]) == [3, 1, 3]  # 3.5, 0.7, 2.8 -> floors 3,0,2; remainders .8 and .7 win


def test_zero_weights_get_nothing():
    assert allocate(5, [0, 3, 0]) == [0, 5, 0]
    assert allocate(0, [1, 2]) == [0, 0]


def test_nothing_to_weigh_gives_zeros():
    assert allocate(0, []) == []
    assert allocate(0, [0, 0]) == [0, 0]


def test_a_positive_total_with_nothing_to_carry_it_is_refused():
    """Returning zeros would silently lose the total (a discount, points) instead of adding up."""
    with pytest.raises(ValueError):
        allocate(5, [0, 0])
    with pytest.raises(ValueError):
        allocate(5, [])


def test_negative_numbers_are_refused():
    with pytest.raises(ValueError):
        allocate(-1, [1])
    with pytest.raises(ValueError):
        allocate(1, [1, -1])


@given(st.integers(0, 10**9), st.lists(st.integers(0, 10**6), min_size=1, max_size=20).filter(any))
def test_parts_add_up_and_each_is_within_one_of_its_exact_share(total, weights):
    parts = allocate(total, weights)
    whole = sum(weights)
    assert len(parts) == len(weights)
    assert sum(parts) == total
    for p, w in zip(parts, weights):
        assert total * w // whole <= p <= total * w // whole + 1
        if w == 0:
            assert p == 0


@given(st.integers(0, 10**6), st.lists(st.integers(1, 1000), min_size=1, max_size=10))
def test_a_heavier_weight_never_gets_less(total, weights):
    parts = allocate(total, weights)
    for i in range(len(weights)):
        for j in range(len(weights)):
            if weights[i] > weights[j]:
                assert parts[i] >= parts[j]
