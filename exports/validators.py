"""ISO 6346 container numbers: owner code (3 letters), category (U, J or Z), six-digit serial
number and a check digit computed from the other ten characters."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CONTAINER_NUMBER = re.compile(r"^[A-Z]{3}[UJZ][0-9]{6}[0-9]$")


def _letter_values() -> dict[str, int]:
    # Letters count from 10 upwards, skipping 11 and its multiples (ISO 6346, section 4).
    values, value = {}, 10
    for letter in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
        if value % 11 == 0:
            value += 1
        values[letter] = value
        value += 1
    return values


LETTER_VALUES = _letter_values()


def container_check_digit(first_ten: str) -> int:
    total = sum(
        (LETTER_VALUES[char] if char.isalpha() else int(char)) * 2**position
        for position, char in enumerate(first_ten)
    )
    return total % 11 % 10


def normalize_container_number(value: str) -> str:
    return re.sub(r"[\s-]", "", value or "").upper()


def validate_container_number(value: str) -> None:
    number = normalize_container_number(value)
    if not CONTAINER_NUMBER.match(number):
        raise ValidationError(
            _("%(value)s is not a container number: four letters (the fourth U, J or Z) and seven digits, "
              "e.g. MSKU9070323.") % {"value": value},
            code="format",
        )
    expected = container_check_digit(number[:10])
    if int(number[10]) != expected:
        raise ValidationError(
            _("%(value)s: the check digit should be %(expected)s; check the number on the container.")
            % {"value": value, "expected": expected},
            code="check_digit",
        )
