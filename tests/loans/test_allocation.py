"""The pro-rata allocation: properties over random members, and a worked example by hand."""

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from loans.allocation import Share, allocate

members_st = st.lists(st.integers(min_value=0, max_value=5000), min_size=1, max_size=60)
cents_st = st.integers(min_value=1, max_value=5_000_000)


def shares(boxes: list[int]) -> list[Share]:
    return [Share(member_id=i, number=f"{i:05d}", boxes=b) for i, b in enumerate(boxes)]


def test_worked_example():
    # Pool US$1,000.00; boxes 500, 300, 150, 50; maximum US$400.00, minimum US$60.00.
    # Pro rata: 500.00, 300.00, 150.00, 50.00 -> the first capped at 400.00, 100.00 shared by
    # 300:150:50 -> 360.00, 180.00, 60.00: all within the limits.
    result = allocate(pool_cents=100000, members=shares([500, 300, 150, 50]), minimum_cents=6000,
                      maximum_cents=40000)
    assert [m.cents for m in result] == [40000, 36000, 18000, 6000]
    assert [m.capped for m in result] == [True, False, False, False]


def test_minimum_drops_and_shares_again():
    # Pool 100.00 over 60:30:10 with a minimum of 15.00: 10.00 is dropped; 100.00 over 60:30.
    result = allocate(pool_cents=10000, members=shares([60, 30, 10]), minimum_cents=1500)
    assert [m.cents for m in result] == [6667, 3333, 0]
    assert result[2].dropped


def test_cents_by_largest_remainder_ties_to_the_lower_number():
    result = allocate(pool_cents=100, members=shares([1, 1, 1]))
    assert [m.cents for m in result] == [34, 33, 33]


@settings(max_examples=300, deadline=None)
@given(boxes=members_st, pool=cents_st, minimum=st.integers(0, 20000), maximum=st.one_of(st.none(), st.integers(1, 900000)))
def test_properties(boxes, pool, minimum, maximum):
    if maximum is not None and maximum < minimum:
        maximum = minimum
    result = allocate(pool_cents=pool, members=shares(boxes), minimum_cents=minimum, maximum_cents=maximum)
    total = sum(m.cents for m in result)
    sharing = [m for m in result if m.boxes > 0 and not m.dropped]
    # The sum is the pool to the cent, unless everyone sharing is capped (or nobody shares).
    if sharing and not all(m.capped for m in sharing):
        assert total == pool
    assert total <= pool
    for m in result:
        if m.boxes == 0:
            assert m.cents == 0  # the ineligible get nothing
        if m.cents:
            assert m.cents >= minimum
            assert maximum is None or m.cents <= maximum
    # More boxes never means less, unless capped (a cent of rounding aside).
    for a in sharing:
        for b in sharing:
            if a.boxes > b.boxes and not a.capped:
                assert a.cents >= b.cents - 1
    # The order of the members does not change anyone's amount.
    shuffled = shares(boxes)
    random.Random(pool).shuffle(shuffled)
    again = {m.member_id: m.cents for m in allocate(pool_cents=pool, members=shuffled, minimum_cents=minimum,
                                                    maximum_cents=maximum)}
    assert again == {m.member_id: m.cents for m in result}
