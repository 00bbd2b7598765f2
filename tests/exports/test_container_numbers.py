"""ISO 6346 container numbers: owner code, category U/J/Z, serial number and check digit."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from exports.models import Shipment
from exports.validators import (
    LETTER_VALUES,
    container_check_digit,
    normalize_container_number,
    validate_container_number,
)

pytestmark = pytest.mark.usefixtures("english")

# ISO 6346 letter values: from 10, skipping 11, 22 and 33.
STANDARD_LETTERS = dict(zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ", [
    10, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 34, 35, 36, 37, 38,
], strict=True))


def check_digit_by_hand(first_ten: str) -> int:
    total = sum((STANDARD_LETTERS[c] if c.isalpha() else int(c)) * 2**i for i, c in enumerate(first_ten))
    return total % 11 % 10


def refusal(value: str) -> ValidationError:
    with pytest.raises(ValidationError) as refused:
        validate_container_number(value)
    return refused.value


@pytest.mark.parametrize("number", ["CSQU3054383", "MSKU9070323"])
def test_real_container_numbers_are_valid(number):
    validate_container_number(number)
    assert container_check_digit(number[:10]) == int(number[10])


def test_letter_values_are_those_of_the_standard():
    assert LETTER_VALUES == STANDARD_LETTERS


@pytest.mark.parametrize(("number", "expected"), [("CSQU3054384", 3), ("MSKU9070320", 3), ("CSQU3054393", 9)])
def test_a_wrong_check_digit_is_refused_naming_the_expected_one(number, expected):
    assert check_digit_by_hand(number[:10]) == expected
    error = refusal(number)
    assert error.code == "check_digit"
    assert error.messages == [f"{number}: the check digit should be {expected}; check the number on the container."]


@pytest.mark.parametrize(
    "number",
    ["CSQX3054383", "CSQA3054383", "CSQ13054383",  # the fourth character is the category: U, J or Z
     "CSQU305438", "CSQU30543833", "MSKU907032", "", "CSQU305438X", "ÇSQU3054383"],
)
def test_a_malformed_number_is_refused_with_the_expected_form(number):
    error = refusal(number)
    assert error.code == "format"
    assert error.messages == [
        f"{number} is not a container number: four letters (the fourth U, J or Z) and seven digits, e.g. MSKU9070323."
    ]


@pytest.mark.parametrize("category", ["J", "Z"])
def test_equipment_categories_j_and_z_are_numbers_too(category):
    first_ten = f"CSQ{category}305438"
    validate_container_number(f"{first_ten}{check_digit_by_hand(first_ten)}")


@pytest.mark.parametrize(
    ("written", "stored"),
    [("msku 907032 3", "MSKU9070323"), ("CSQU 305438-3", "CSQU3054383"), (" csqu3054383\t", "CSQU3054383")],
)
def test_spaces_dashes_and_lowercase_are_normalized(written, stored):
    assert normalize_container_number(written) == stored
    validate_container_number(written)


def test_the_services_store_the_number_normalized(world):
    shipment = world.plan(container_number="msku 907032-3")
    assert Shipment.objects.get(pk=shipment.pk).container_number == "MSKU9070323"
    assert shipment.container_display == "MSKU 907032 3"


def test_the_services_refuse_a_wrong_number_and_save_nothing(world):
    with pytest.raises(ValidationError) as refused:
        world.plan(container_number="MSKU 907032 4")
    assert refused.value.message_dict["container_number"] == [
        "MSKU9070324: the check digit should be 3; check the number on the container."]
    assert not Shipment.objects.exists()


@given(owner=st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=3, max_size=3), category=st.sampled_from("UJZ"),
       serial=st.integers(0, 999_999))
def test_exactly_one_check_digit_is_accepted(owner, category, serial):
    first_ten = f"{owner}{category}{serial:06d}"
    expected = check_digit_by_hand(first_ten)
    assert container_check_digit(first_ten) == expected
    for digit in range(10):
        number = f"{first_ten}{digit}"
        if digit == expected:
            validate_container_number(number)
        else:
            assert refusal(number).code == "check_digit"
