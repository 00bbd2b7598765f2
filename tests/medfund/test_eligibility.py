"""Who the fund covers on the date of the event: a child turning 18 before or after it, a spouse
replaced, a new member in the waiting period, a member no longer active, other relatives."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from medfund.eligibility import caps_left, check_covered, covered_household
from members.services import member_status_change
from tests.factories import HouseholdMemberFactory
from tests.medfund.world import build

pytestmark = pytest.mark.django_db
day = datetime.date


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def world():
    return build()


def refused(field, **kwargs):
    with pytest.raises(ValidationError) as caught:
        check_covered(**kwargs)
    assert field in caught.value.message_dict, caught.value.message_dict
    return " ".join(caught.value.message_dict[field])


def test_a_child_is_covered_until_the_day_before_turning_18(world):
    check_covered(member=world.rosa, beneficiary=world.luis, on=day(2026, 6, 13), rules=world.rules)
    message = refused("beneficiary", member=world.rosa, beneficiary=world.luis, on=day(2026, 6, 14), rules=world.rules)
    assert "Luis" in message and "dependent child on 14/06/2026" in message
    assert world.luis not in covered_household(world.rosa, day(2026, 6, 14))
    assert world.luis in covered_household(world.rosa, day(2026, 6, 13))


def test_a_studying_child_is_covered_until_25(world):
    world.luis.studying = True
    world.luis.save(update_fields=["studying"])
    check_covered(member=world.rosa, beneficiary=world.luis, on=day(2030, 1, 1), rules=world.rules)
    refused("beneficiary", member=world.rosa, beneficiary=world.luis, on=day(2033, 6, 14), rules=world.rules)


def test_a_replaced_spouse_is_covered_only_while_the_spouse(world):
    world.pedro.ended_on = day(2026, 3, 1)
    world.pedro.save(update_fields=["ended_on"])
    new = HouseholdMemberFactory(member=world.rosa, relationship="partner", first_name="Mario", sex="M",
                                 birth_date=day(1972, 1, 1), since=day(2026, 5, 1))
    check_covered(member=world.rosa, beneficiary=world.pedro, on=day(2026, 2, 28), rules=world.rules)
    assert "Pedro" in refused("beneficiary", member=world.rosa, beneficiary=world.pedro, on=day(2026, 3, 1),
                              rules=world.rules)
    refused("beneficiary", member=world.rosa, beneficiary=new, on=day(2026, 4, 30), rules=world.rules)
    check_covered(member=world.rosa, beneficiary=new, on=day(2026, 5, 1), rules=world.rules)
    assert set(covered_household(world.rosa, day(2026, 6, 1))) == {new, world.luis, world.ana}
    assert world.pedro not in covered_household(world.rosa, day(2026, 6, 1))


def test_a_new_member_waits_for_the_waiting_period(world):
    message = refused("event_date", member=world.julio, beneficiary=None, on=day(2026, 12, 29), rules=world.rules)
    assert "90 days" in message and "30/12/2026" in message
    check_covered(member=world.julio, beneficiary=None, on=day(2026, 12, 30), rules=world.rules)
    refused("event_date", member=world.julio, beneficiary=None, on=day(2026, 9, 30), rules=world.rules)


def test_a_member_not_active_on_the_day_is_not_covered(world):
    member_status_change(member=world.rosa, actor=world.accountant, status="suspended", effective_on=day(2026, 7, 1),
                         reason="Falta de entregas")
    check_covered(member=world.rosa, beneficiary=None, on=day(2026, 6, 30), rules=world.rules)
    assert "not an active member" in refused("event_date", member=world.rosa, beneficiary=None, on=day(2026, 7, 1),
                                             rules=world.rules)


def test_other_relatives_and_other_households_are_not_covered(world):
    assert "Carmen" in refused("beneficiary", member=world.rosa, beneficiary=world.carmen, on=day(2026, 6, 1),
                               rules=world.rules)
    someone_else = HouseholdMemberFactory(member=world.julio, relationship="child", first_name="Mía",
                                          birth_date=day(2020, 1, 1))
    refused("beneficiary", member=world.rosa, beneficiary=someone_else, on=day(2026, 6, 1), rules=world.rules)


def test_caps_left_for_a_family(world):
    rows = {row["category"].code: row for row in caps_left(member=world.rosa, year=2026)}
    assert rows["surgery"]["left"] == 2000 and rows["funeral"]["left"] is None
