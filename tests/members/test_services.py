"""The write services of the member register: registration, status, household, plots, logins, history."""

import datetime
from decimal import Decimal

import pghistory
import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation

from coop.models import Role, User
from members import selectors, services
from members.models import HouseholdMember, Member, MemberStatus, MemberStatusChange, Plot
from tests.factories import (
    CooperativeFactory,
    HouseholdMemberFactory,
    MemberFactory,
    PlotFactory,
    UserFactory,
    user_with_role,
)

pytestmark = pytest.mark.django_db

CEDULA = "1710034065"  # a real, valid Ecuadorian cédula (Pichincha)
OTHER_CEDULA = "0926687856"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def member_fields(**overrides):
    fields = {
        "number": "0100",
        "first_name": "Rosa",
        "last_name": "Peña Córdova",
        "national_id": "40123456",
        "sex": "F",
        "birth_date": datetime.date(1980, 2, 29),
        "phone": "969 123 456",
        "village": "Querecotillo",
        "join_date": datetime.date(2004, 7, 1),
    }
    return fields | overrides


def refused(call, **kwargs) -> dict:
    with pytest.raises(ValidationError) as caught:
        call(**kwargs)
    return caught.value.message_dict


# --- member_register --------------------------------------------------------------------------


def test_register_creates_an_active_member_with_the_join_as_first_status_step(coop_pe, accountant):
    member = services.member_register(cooperative=coop_pe, actor=accountant, **member_fields())

    member = Member.objects.get(pk=member.pk)
    assert member.status == MemberStatus.ACTIVE
    assert member.cooperative == coop_pe
    assert member.full_name == "Rosa Peña Córdova"
    steps = list(member.status_changes.all())
    assert len(steps) == 1
    assert steps[0].status == MemberStatus.ACTIVE
    assert steps[0].effective_on == datetime.date(2004, 7, 1)
    assert steps[0].reason == "Joined the cooperative"
    assert steps[0].recorded_by == accountant
    assert steps[0].cooperative == coop_pe


def test_register_accepts_a_dni_in_a_peruvian_coop(coop_pe, accountant):
    member = services.member_register(cooperative=coop_pe, actor=accountant, **member_fields(national_id="07654321"))
    assert Member.objects.get(pk=member.pk).national_id == "07654321"


def test_register_accepts_a_cedula_in_an_ecuadorian_coop(coop_ec, accountant):
    member = services.member_register(cooperative=coop_ec, actor=accountant, **member_fields(national_id=CEDULA))
    assert Member.objects.get(pk=member.pk).national_id == CEDULA


def test_register_refuses_a_dni_in_an_ecuadorian_coop(coop_ec, accountant):
    errors = refused(services.member_register, cooperative=coop_ec, actor=accountant, **member_fields())
    assert errors == {"national_id": ["An Ecuadorian cédula has exactly 10 digits."]}
    assert not Member.objects.exists()
    assert not MemberStatusChange.objects.exists()


def test_register_refuses_a_cedula_in_a_peruvian_coop(coop_pe, accountant):
    errors = refused(services.member_register, cooperative=coop_pe, actor=accountant, **member_fields(national_id=CEDULA))
    assert errors == {"national_id": ["A Peruvian DNI has exactly 8 digits."]}


def test_register_refuses_a_cedula_with_a_wrong_check_digit(coop_ec, accountant):
    errors = refused(
        services.member_register, cooperative=coop_ec, actor=accountant, **member_fields(national_id="1710034066")
    )
    assert errors == {"national_id": ["The check digit of cédula 1710034066 is wrong."]}


def test_register_refuses_a_join_date_not_after_birth(coop_pe, accountant):
    errors = refused(
        services.member_register, cooperative=coop_pe, actor=accountant,
        **member_fields(join_date=datetime.date(1980, 2, 29)),
    )
    assert errors == {"join_date": ["The join date must be after the birth date."]}


def test_register_refuses_unknown_fields(coop_pe, accountant):
    with pytest.raises(TypeError, match="unexpected fields: status"):
        services.member_register(cooperative=coop_pe, actor=accountant, **member_fields(status="deceased"))


def test_register_refuses_a_member_number_used_in_the_same_coop(coop_pe, accountant):
    MemberFactory(cooperative=coop_pe, number="0100")
    errors = refused(services.member_register, cooperative=coop_pe, actor=accountant, **member_fields())
    assert errors == {"number": ["This member number is already used in the cooperative."]}
    assert Member.objects.filter(cooperative=coop_pe).count() == 1


def test_register_refuses_a_national_id_registered_in_the_same_coop(coop_pe, accountant):
    MemberFactory(cooperative=coop_pe, number="0001", national_id="40123456")
    errors = refused(services.member_register, cooperative=coop_pe, actor=accountant, **member_fields())
    assert errors == {"national_id": ["This national ID is already registered in the cooperative."]}


def test_register_reports_both_duplicates_on_their_fields(coop_pe, accountant):
    MemberFactory(cooperative=coop_pe, number="0100", national_id="40123456")
    errors = refused(services.member_register, cooperative=coop_pe, actor=accountant, **member_fields())
    assert set(errors) == {"number", "national_id"}


def test_register_allows_the_same_number_and_national_id_in_another_coop(coop_pe, accountant):
    other = CooperativeFactory(country="PE", short_name="NORANDINO")
    MemberFactory(cooperative=other, number="0100", national_id="40123456")
    member = services.member_register(cooperative=coop_pe, actor=accountant, **member_fields())
    assert Member.objects.filter(number="0100", national_id="40123456").count() == 2
    assert member.cooperative == coop_pe


def test_update_keeps_its_own_number_and_national_id(coop_pe, accountant):
    member = MemberFactory(cooperative=coop_pe, number="0100", national_id="40123456")
    services.member_update(member=member, actor=accountant, village="Salitral", number="0100")
    member.refresh_from_db()
    assert member.village == "Salitral"


def test_update_refuses_another_members_number(coop_pe, accountant):
    MemberFactory(cooperative=coop_pe, number="0100")
    member = MemberFactory(cooperative=coop_pe, number="0200")
    errors = refused(services.member_update, member=member, actor=accountant, number="0100")
    assert errors == {"number": ["This member number is already used in the cooperative."]}
    assert Member.objects.get(pk=member.pk).number == "0200"


# --- member_status_change ---------------------------------------------------------------------


@pytest.fixture
def member(coop_pe):
    return MemberFactory(
        cooperative=coop_pe, last_name="Peña Zapata", village="Querecotillo", join_date=datetime.date(2005, 3, 1)
    )


def change_status(member, actor, status, effective_on, reason="Asamblea general"):
    return services.member_status_change(
        member=member, actor=actor, status=status, effective_on=effective_on, reason=reason
    )


def test_status_change_records_the_step_and_moves_the_member(member, accountant):
    change = change_status(member, accountant, MemberStatus.SUSPENDED, datetime.date(2020, 5, 4), "  Deuda impaga  ")
    assert change.status == MemberStatus.SUSPENDED
    assert change.effective_on == datetime.date(2020, 5, 4)
    assert change.reason == "Deuda impaga"
    assert change.recorded_by == accountant
    assert change.cooperative_id == member.cooperative_id
    member.refresh_from_db()
    assert member.status == MemberStatus.SUSPENDED
    assert list(member.status_changes.values_list("status", flat=True)) == ["suspended", "active"]


def test_status_change_today_and_on_the_join_date_are_allowed(coop_pe, accountant):
    today = timezone.localdate()
    joined_today = MemberFactory(cooperative=coop_pe, join_date=today)
    change_status(joined_today, accountant, MemberStatus.WITHDRAWN, today)
    assert Member.objects.get(pk=joined_today.pk).status == MemberStatus.WITHDRAWN


def test_status_change_on_the_date_of_the_last_change_is_allowed(member, accountant):
    change_status(member, accountant, MemberStatus.SUSPENDED, datetime.date(2020, 1, 1))
    change_status(member, accountant, MemberStatus.ACTIVE, datetime.date(2020, 1, 1), "Error corregido")
    assert Member.objects.get(pk=member.pk).status == MemberStatus.ACTIVE


def assert_nothing_changed(member, steps_before: int, status_before: str):
    assert MemberStatusChange.objects.filter(member=member).count() == steps_before
    assert Member.objects.get(pk=member.pk).status == status_before


def test_status_change_to_the_same_status_is_refused(member, accountant):
    errors = refused(change_status, member=member, actor=accountant, status="active", effective_on=datetime.date(2020, 1, 1))
    assert errors == {"status": ["The member already has this status."]}
    assert_nothing_changed(member, 1, "active")


def test_status_change_to_an_unknown_status_is_refused(member, accountant):
    errors = refused(change_status, member=member, actor=accountant, status="retired", effective_on=datetime.date(2020, 1, 1))
    assert errors == {"status": ["Unknown status."]}
    assert_nothing_changed(member, 1, "active")


def test_status_change_in_the_future_is_refused(member, accountant):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    errors = refused(change_status, member=member, actor=accountant, status="withdrawn", effective_on=tomorrow)
    assert errors == {"effective_on": ["The date cannot be in the future."]}
    assert_nothing_changed(member, 1, "active")


def test_status_change_before_joining_is_refused(member, accountant):
    errors = refused(
        change_status, member=member, actor=accountant, status="withdrawn", effective_on=datetime.date(2005, 2, 28)
    )
    assert errors == {"effective_on": ["The date cannot be before the member joined."]}
    assert_nothing_changed(member, 1, "active")


def test_status_change_before_the_last_change_is_refused(member, accountant):
    change_status(member, accountant, MemberStatus.SUSPENDED, datetime.date(2020, 1, 1))
    errors = refused(
        change_status, member=member, actor=accountant, status="withdrawn", effective_on=datetime.date(2019, 12, 31)
    )
    assert errors == {"effective_on": ["The date cannot be before the last status change (2020-01-01)."]}
    assert_nothing_changed(member, 2, "suspended")


def test_death_is_final(member, accountant):
    change_status(member, accountant, MemberStatus.DECEASED, datetime.date(2021, 8, 9), "Fallecimiento")
    for status in ("active", "suspended", "withdrawn"):
        errors = refused(
            change_status, member=member, actor=accountant, status=status, effective_on=datetime.date(2022, 1, 1)
        )
        assert errors == {"status": ["A deceased member's status cannot change."]}
    errors = refused(change_status, member=member, actor=accountant, status="deceased", effective_on=datetime.date(2022, 1, 1))
    assert errors == {"status": ["The member already has this status."]}
    assert_nothing_changed(member, 2, "deceased")


@pytest.mark.parametrize("reason", ["", "   ", "\t\n"])
def test_status_change_without_a_reason_is_refused(member, accountant, reason):
    errors = refused(
        change_status, member=member, actor=accountant, status="withdrawn",
        effective_on=datetime.date(2020, 1, 1), reason=reason,
    )
    assert errors == {"reason": ["Give the reason for the change."]}
    assert_nothing_changed(member, 1, "active")


def test_status_change_reports_every_problem_at_once(member, accountant):
    errors = refused(
        change_status, member=member, actor=accountant, status="active",
        effective_on=datetime.date(2000, 1, 1), reason="",
    )
    assert errors == {
        "status": ["The member already has this status."],
        "reason": ["Give the reason for the change."],
        "effective_on": ["The date cannot be before the member joined."],
    }


def test_status_change_is_not_half_saved_when_the_member_cannot_be_saved(member, accountant, monkeypatch):
    # The step is written before the member's status; a failure after it must take the step back.
    def broken_save(self, *args, **kwargs):
        raise IntegrityError("simulated failure")

    monkeypatch.setattr(Member, "save", broken_save)
    with pytest.raises(IntegrityError, match="simulated failure"):
        change_status(member, accountant, MemberStatus.WITHDRAWN, datetime.date(2020, 1, 1))
    monkeypatch.undo()
    assert_nothing_changed(member, 1, "active")


def test_register_is_not_half_saved_when_the_first_status_step_fails(coop_pe, accountant, monkeypatch):
    def broken_create(*args, **kwargs):
        raise IntegrityError("simulated failure")

    monkeypatch.setattr(MemberStatusChange.objects, "create", broken_create)
    with pytest.raises(IntegrityError):
        services.member_register(cooperative=coop_pe, actor=accountant, **member_fields())
    monkeypatch.undo()
    assert not Member.objects.filter(number="0100").exists()


# --- household ----------------------------------------------------------------------------------


def person_fields(**overrides):
    fields = {
        "relationship": "spouse",
        "first_name": "Juan",
        "last_name": "Chumacero Ruiz",
        "sex": "M",
        "birth_date": datetime.date(1978, 9, 12),
        "since": datetime.date(2000, 1, 1),
    }
    return fields | overrides


def test_add_a_spouse_and_children(member, accountant):
    spouse = services.household_member_add(member=member, actor=accountant, **person_fields())
    services.household_member_add(
        member=member, actor=accountant,
        **person_fields(relationship="child", first_name="Lucía", sex="F", birth_date=datetime.date(2012, 4, 1), since=None),
    )
    services.household_member_add(
        member=member, actor=accountant,
        **person_fields(relationship="child", first_name="Pedro", birth_date=datetime.date(2015, 4, 1), since=None),
    )
    assert spouse.cooperative == member.cooperative
    assert member.household.count() == 3


@pytest.mark.parametrize(("existing", "new"), [("spouse", "spouse"), ("spouse", "partner"), ("partner", "spouse")])
def test_a_second_current_spouse_or_partner_is_refused(member, accountant, existing, new):
    services.household_member_add(member=member, actor=accountant, **person_fields(relationship=existing))
    errors = refused(
        services.household_member_add, member=member, actor=accountant,
        **person_fields(relationship=new, first_name="Carlos"),
    )
    assert errors == {"relationship": ["The member already has a current spouse or partner."]}
    assert member.household.count() == 1


def test_the_database_refuses_a_second_current_spouse_even_without_the_service(member):
    HouseholdMemberFactory(member=member, relationship="spouse", first_name="Juan")
    with pytest.raises(IntegrityError, match="one_current_spouse_or_partner"):
        with transaction.atomic():
            HouseholdMember.objects.create(
                cooperative=member.cooperative, member=member, relationship="partner",
                first_name="Carlos", last_name="Ruiz", sex="M", birth_date=datetime.date(1979, 1, 1),
            )
    assert member.household.count() == 1


def test_the_database_refuses_re_opening_an_ended_spouse_while_another_is_current(member):
    old = HouseholdMemberFactory(member=member, relationship="spouse", ended_on=datetime.date(2010, 1, 1))
    HouseholdMemberFactory(member=member, relationship="spouse", first_name="Carlos")
    with pytest.raises(IntegrityError, match="one_current_spouse_or_partner"):
        with transaction.atomic():
            HouseholdMember.objects.filter(pk=old.pk).update(ended_on=None)


def test_ending_a_spouse_allows_a_new_one(member, accountant):
    first = services.household_member_add(member=member, actor=accountant, **person_fields())
    services.household_member_update(person=first, actor=accountant, ended_on=datetime.date(2015, 6, 30))
    second = services.household_member_add(
        member=member, actor=accountant,
        **person_fields(relationship="partner", first_name="Carlos", since=datetime.date(2017, 1, 1)),
    )
    first.refresh_from_db()
    assert not first.is_current
    assert second.is_current
    # The ended spouse keeps its row.
    assert member.household.filter(relationship__in=["spouse", "partner"]).count() == 2


def test_other_members_spouses_do_not_count(member, accountant):
    neighbour = MemberFactory(cooperative=member.cooperative)
    HouseholdMemberFactory(member=neighbour, relationship="spouse")
    services.household_member_add(member=member, actor=accountant, **person_fields())
    assert member.household.count() == 1


def test_household_end_date_before_start_is_refused(member, accountant):
    errors = refused(
        services.household_member_add, member=member, actor=accountant,
        **person_fields(since=datetime.date(2000, 1, 1), ended_on=datetime.date(1999, 12, 31)),
    )
    assert errors == {"ended_on": ["The end date must not be before the start date."]}


def test_household_national_id_follows_the_coops_country(coop_ec, accountant):
    member = MemberFactory(cooperative=coop_ec)
    errors = refused(
        services.household_member_add, member=member, actor=accountant, **person_fields(national_id="40123456")
    )
    assert errors == {"national_id": ["An Ecuadorian cédula has exactly 10 digits."]}
    person = services.household_member_add(
        member=member, actor=accountant, **person_fields(national_id=OTHER_CEDULA)
    )
    assert person.national_id == OTHER_CEDULA


# --- is_dependent_on --------------------------------------------------------------------------

BIRTH = datetime.date(2008, 6, 15)  # turns 18 on 2026-06-15 and 25 on 2033-06-15


def child(member, **fields):
    return HouseholdMemberFactory(member=member, relationship="child", birth_date=BIRTH, **fields)


@pytest.mark.parametrize(
    ("on", "dependent"),
    [
        (datetime.date(2026, 6, 14), True),  # turns 18 the day after: still 17
        (datetime.date(2026, 6, 15), False),  # the 18th birthday itself
        (datetime.date(2026, 6, 16), False),  # turned 18 the day before
        (BIRTH, True),  # the day of birth
        (datetime.date(2008, 6, 14), False),  # not yet born
    ],
)
def test_child_is_dependent_until_the_age_limit(member, on, dependent):
    assert child(member).is_dependent_on(on) is dependent


@pytest.mark.parametrize(
    ("studying", "on", "dependent"),
    [
        (True, datetime.date(2028, 7, 1), True),  # 20 and studying
        (False, datetime.date(2028, 7, 1), False),  # 20, not studying
        (True, datetime.date(2033, 6, 14), True),  # 24 the day before the 25th birthday
        (True, datetime.date(2033, 6, 15), False),  # 25: the student limit
        (True, datetime.date(2040, 1, 1), False),
    ],
)
def test_studying_child_is_dependent_until_the_student_limit(member, studying, on, dependent):
    assert child(member, studying=studying).is_dependent_on(on) is dependent


def test_limits_come_from_the_coop(accountant):
    strict = CooperativeFactory(dependent_age_limit=16, dependent_student_age_limit=21)
    member = MemberFactory(cooperative=strict)
    at_17 = datetime.date(2025, 7, 1)
    at_20 = datetime.date(2028, 7, 1)
    at_21 = datetime.date(2029, 7, 1)
    assert child(member).is_dependent_on(at_17) is False
    assert child(member, first_name="Ana", studying=True).is_dependent_on(at_17) is True
    assert child(member, first_name="Eva", studying=True).is_dependent_on(at_20) is True
    assert child(member, first_name="Ada", studying=True).is_dependent_on(at_21) is False


def test_a_coop_given_explicitly_overrides_the_persons_coop(member):
    generous = CooperativeFactory(dependent_age_limit=21, dependent_student_age_limit=30)
    person = child(member)
    at_20 = datetime.date(2028, 7, 1)
    assert person.is_dependent_on(at_20) is False
    assert person.is_dependent_on(at_20, generous) is True
    assert person.is_dependent_on(datetime.date(2033, 7, 1), generous) is False  # 25, not studying


@pytest.mark.parametrize("relationship", ["spouse", "partner", "other"])
def test_only_children_are_dependents(member, relationship):
    young = HouseholdMemberFactory(member=member, relationship=relationship, birth_date=BIRTH, studying=True)
    assert young.is_dependent_on(datetime.date(2020, 1, 1)) is False


@pytest.mark.parametrize(
    ("ended_on", "dependent"),
    [(datetime.date(2020, 1, 1), False), (datetime.date(2019, 12, 31), False), (datetime.date(2020, 1, 2), True)],
)
def test_a_child_who_left_the_household_is_no_longer_dependent(member, ended_on, dependent):
    assert child(member, ended_on=ended_on).is_dependent_on(datetime.date(2020, 1, 1)) is dependent


def test_a_leap_day_child_turns_18_on_the_first_of_march(member):
    person = HouseholdMemberFactory(member=member, relationship="child", birth_date=datetime.date(2008, 2, 29))
    assert person.is_dependent_on(datetime.date(2026, 2, 28)) is True
    assert person.is_dependent_on(datetime.date(2026, 3, 1)) is False


# --- plots --------------------------------------------------------------------------------------


def plot_fields(**overrides):
    fields = {
        "code": "P-0100",
        "name": "La Huaca",
        "area_ha": Decimal("1.5"),
        "variety": "cavendish",
        "organic_status": "certified",
        "organic_since": datetime.date(2015, 3, 1),
        "certified_area_ha": Decimal("1.2"),
    }
    return fields | overrides


def test_add_a_plot(member, accountant):
    plot = services.plot_add(
        member=member, actor=accountant,
        **plot_fields(latitude=Decimal("-4.901234"), longitude=Decimal("-80.601234")),
    )
    plot = Plot.objects.get(pk=plot.pk)
    assert plot.cooperative == member.cooperative
    assert plot.area_ha == Decimal("1.5000")
    assert plot.certified_area_ha == Decimal("1.2000")


@pytest.mark.parametrize("area", [Decimal("0"), Decimal("-1"), Decimal("0.0000")])
def test_plot_area_must_be_positive(member, accountant, area):
    errors = refused(
        services.plot_add, member=member, actor=accountant,
        **plot_fields(area_ha=area, organic_status="conventional", organic_since=None, certified_area_ha=Decimal("0")),
    )
    assert errors["area_ha"] == ["Ensure this value is greater than or equal to 0.0001."]
    assert not Plot.objects.exists()


def test_certified_area_above_the_area_is_refused(member, accountant):
    errors = refused(
        services.plot_add, member=member, actor=accountant,
        **plot_fields(area_ha=Decimal("1.5"), certified_area_ha=Decimal("2.25")),
    )
    assert errors == {"certified_area_ha": ["The certified area (2.25 ha) exceeds the plot's area (1.5 ha)."]}


def test_certified_area_equal_to_the_area_is_allowed(member, accountant):
    plot = services.plot_add(member=member, actor=accountant, **plot_fields(certified_area_ha=Decimal("1.5")))
    assert plot.pk


def test_growing_the_certified_area_beyond_the_area_is_refused(member, accountant):
    plot = services.plot_add(member=member, actor=accountant, **plot_fields())
    errors = refused(services.plot_update, plot=plot, actor=accountant, certified_area_ha=Decimal("1.6"))
    assert list(errors) == ["certified_area_ha"]
    assert Plot.objects.get(pk=plot.pk).certified_area_ha == Decimal("1.2")


def test_the_database_refuses_a_certified_area_above_the_area(member):
    plot = PlotFactory(member=member, area_ha=Decimal("1.5"), certified_area_ha=Decimal("1.5"))
    with pytest.raises(IntegrityError, match="plot_certified_area_within_area"):
        with transaction.atomic():
            Plot.objects.filter(pk=plot.pk).update(certified_area_ha=F("area_ha") + Decimal("0.0001"))
    assert Plot.objects.get(pk=plot.pk).certified_area_ha == Decimal("1.5")


def test_the_database_refuses_a_zero_area(member):
    plot = PlotFactory(member=member, organic_status="conventional", organic_since=None, certified_area_ha=0)
    with pytest.raises(IntegrityError, match="plot_area_positive"):
        with transaction.atomic():
            Plot.objects.filter(pk=plot.pk).update(area_ha=0)


@pytest.mark.parametrize("status", ["in_conversion", "certified"])
def test_organic_status_needs_a_date(member, accountant, status):
    errors = refused(
        services.plot_add, member=member, actor=accountant,
        **plot_fields(organic_status=status, organic_since=None, certified_area_ha=Decimal("0")),
    )
    assert errors == {"organic_since": ["Give the date the conversion started or the certification was granted."]}


def test_conventional_plot_needs_no_date_but_has_no_certified_area(member, accountant):
    plot = services.plot_add(
        member=member, actor=accountant,
        **plot_fields(organic_status="conventional", organic_since=None, certified_area_ha=Decimal("0")),
    )
    assert plot.pk
    errors = refused(
        services.plot_add, member=member, actor=accountant,
        **plot_fields(code="P-0200", organic_status="in_conversion", certified_area_ha=Decimal("1")),
    )
    assert errors == {"certified_area_ha": ["Only a certified organic plot has a certified area."]}


def test_the_database_refuses_an_organic_status_without_a_date(member):
    plot = PlotFactory(member=member, organic_status="conventional", organic_since=None, certified_area_ha=0)
    with pytest.raises(IntegrityError, match="plot_organic_status_has_date"):
        with transaction.atomic():
            Plot.objects.filter(pk=plot.pk).update(organic_status="in_conversion")


def test_latitude_without_longitude_is_refused(member, accountant):
    errors = refused(services.plot_add, member=member, actor=accountant, **plot_fields(latitude=Decimal("-4.9")))
    assert errors == {"longitude": ["Give both latitude and longitude, or neither."]}


def test_longitude_without_latitude_is_refused(member, accountant):
    errors = refused(services.plot_add, member=member, actor=accountant, **plot_fields(longitude=Decimal("-80.6")))
    assert errors == {"latitude": ["Give both latitude and longitude, or neither."]}


def test_latitude_beyond_the_pole_is_refused(member, accountant):
    errors = refused(
        services.plot_add, member=member, actor=accountant,
        **plot_fields(latitude=Decimal("91"), longitude=Decimal("-80.6")),
    )
    assert errors == {"latitude": ["Ensure this value is less than or equal to 90."]}


def test_plot_boundary_is_validated(member, accountant):
    open_ring = {"type": "Polygon", "coordinates": [[[-80.6, -4.9], [-80.5, -4.9], [-80.5, -4.8], [-80.6, -4.8]]]}
    errors = refused(services.plot_add, member=member, actor=accountant, **plot_fields(boundary=open_ring))
    assert errors == {"boundary": ["Polygon, ring 1 is not closed: its first and last positions differ."]}


def test_plot_code_is_unique_in_the_coop_only(member, accountant):
    PlotFactory(member=MemberFactory(cooperative=member.cooperative), code="P-0100")
    errors = refused(services.plot_add, member=member, actor=accountant, **plot_fields())
    assert errors == {"code": ["This plot code is already used in the cooperative."]}
    elsewhere = MemberFactory(cooperative=CooperativeFactory())
    assert services.plot_add(member=elsewhere, actor=accountant, **plot_fields()).pk


# --- member_login_create ------------------------------------------------------------------------


def test_member_login_is_created_and_linked(member, accountant):
    user = services.member_login_create(
        member=member, actor=accountant, username="apoq-0001", password="Banano-Orgánico-2024"
    )
    member.refresh_from_db()
    assert member.user == user
    assert user.check_password("Banano-Orgánico-2024")
    assert (user.first_name, user.last_name) == (member.first_name, member.last_name)
    assert not user.role_assignments.exists()


@pytest.mark.parametrize(
    ("password", "messages"),
    [
        ("12345678", ["This password is too common.", "This password is entirely numeric."]),
        ("Xq7#", ["This password is too short. It must contain at least 8 characters."]),
        ("password", ["This password is too common."]),
        ("apoq-0001x", ["The password is too similar to the username."]),
    ],
)
def test_weak_password_is_refused(member, accountant, password, messages):
    users_before = User.objects.count()
    errors = refused(
        services.member_login_create, member=member, actor=accountant, username="apoq-0001", password=password
    )
    assert errors == {"password": messages}
    assert User.objects.count() == users_before
    assert Member.objects.get(pk=member.pk).user is None


def test_taken_username_is_refused_whatever_its_case(member, accountant):
    UserFactory(username="Rosa.Pena")
    errors = refused(
        services.member_login_create, member=member, actor=accountant, username="rosa.pena", password="Banano-2024-Piura"
    )
    assert errors == {"username": ["This username is taken."]}
    assert Member.objects.get(pk=member.pk).user is None


def test_invalid_username_is_refused(member, accountant):
    errors = refused(
        services.member_login_create, member=member, actor=accountant, username="rosa peña!", password="Banano-2024-Piura"
    )
    assert list(errors) == ["username"]
    assert not User.objects.filter(username="rosa peña!").exists()


def test_a_second_login_is_refused(member, accountant):
    first = services.member_login_create(member=member, actor=accountant, username="apoq-0001", password="Banano-2024-Piura")
    errors = refused(
        services.member_login_create, member=member, actor=accountant, username="apoq-0001-b", password="Banano-2024-Piura"
    )
    assert errors == {"username": ["This member already has a login."]}
    assert Member.objects.get(pk=member.pk).user == first
    assert not User.objects.filter(username="apoq-0001-b").exists()


# --- row history --------------------------------------------------------------------------------


def test_history_names_the_acting_user_and_the_field_diff(member, accountant):
    with pghistory.context(user=accountant.pk):
        services.member_update(member=member, actor=accountant, last_name="Peña Córdova", village="Salitral")
    history = selectors.member_history(member=member)
    # Events of one transaction share its timestamp, so find the update rather than take history[0].
    updates = [row for row in history if not row["created"]]
    assert len(updates) == 1
    newest = updates[0]
    assert newest["who"] == accountant
    assert newest["subject"] == "member"
    assert newest["created"] is False
    assert newest["changes"] == [
        {"field": "last names", "old": "Peña Zapata", "new": "Peña Córdova"},
        {"field": "village / sector", "old": "Querecotillo", "new": "Salitral"},
    ]


@pytest.mark.django_db(transaction=True)
def test_history_of_a_registration_and_a_status_change_newest_first(coop_pe, accountant):
    # Committed one by one, as requests are: the events of one transaction share its timestamp.
    with pghistory.context(user=accountant.pk):
        member = services.member_register(cooperative=coop_pe, actor=accountant, **member_fields())
    admin = user_with_role(Role.ADMIN, coop_pe, username="gerente")
    with pghistory.context(user=admin.pk):
        change_status(member, admin, MemberStatus.SUSPENDED, datetime.date(2020, 1, 1))
    history = selectors.member_history(member=member)
    assert len(history) == 4
    assert {(row["subject"], row["created"], row["who"]) for row in history[:2]} == {
        ("member", False, admin),
        ("status change", True, admin),
    }
    assert {(row["subject"], row["created"], row["who"]) for row in history[2:]} == {
        ("status change", True, accountant),
        ("member", True, accountant),
    }
    status_update = next(row for row in history if not row["created"])
    assert status_update["changes"] == [{"field": "status", "old": "Active", "new": "Suspended"}]
    assert history[0]["when"] > history[-1]["when"]


def test_history_covers_household_and_plots(member, accountant):
    with pghistory.context(user=accountant.pk):
        person = services.household_member_add(member=member, actor=accountant, **person_fields())
        services.household_member_update(person=person, actor=accountant, ended_on=datetime.date(2015, 1, 1))
        services.plot_add(member=member, actor=accountant, **plot_fields())
    by_accountant = [row for row in selectors.member_history(member=member) if row["who"] == accountant]
    assert sorted((row["subject"], row["created"]) for row in by_accountant) == [
        ("household member", False), ("household member", True), ("plot", True),
    ]
    ended = next(row for row in by_accountant if not row["created"])
    assert ended["changes"] == [{"field": "ended on", "old": None, "new": "01/01/2015"}]
    plot = next(row for row in by_accountant if row["subject"] == "plot")
    assert plot["object"]["code"] == "P-0100"


def test_history_also_records_writes_that_bypass_the_services(member, accountant):
    with pghistory.context(user=accountant.pk):
        Member.objects.filter(pk=member.pk).update(phone="969 000 111")
    updates = [row for row in selectors.member_history(member=member) if not row["created"]]
    assert len(updates) == 1
    assert updates[0]["who"] == accountant
    assert updates[0]["changes"] == [{"field": "phone", "old": "", "new": "969 000 111"}]


def test_history_does_not_show_other_members_changes(member, accountant):
    other = MemberFactory(cooperative=member.cooperative)
    with pghistory.context(user=accountant.pk):
        services.member_update(member=other, actor=accountant, village="Salitral")
    assert all(row["object"].get("id") != other.pk for row in selectors.member_history(member=member) if row["subject"] == "member")
    assert not any(row["changes"] for row in selectors.member_history(member=member))


def test_member_page_shows_the_history(client, member, accountant):
    with pghistory.context(user=accountant.pk):
        services.member_update(member=member, actor=accountant, village="Salitral")
    client.force_login(accountant)
    response = client.get(f"/members/{member.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    page = response.content.decode()
    history = page[page.index("Change history"):]
    entry = next(item for item in history.split("<li>") if "Salitral" in item)
    assert "contador" in entry
    assert "village / sector <del>Querecotillo</del> → <ins>Salitral</ins>" in entry


def test_a_duplicate_that_slips_past_the_checks_is_still_a_field_error(coop_pe, accountant, monkeypatch):
    """Two registrations at once both pass full_clean(); the unique constraint answers the second."""
    existing = MemberFactory(cooperative=coop_pe, number="0500")
    monkeypatch.setattr(Member, "validate_constraints", lambda self, exclude=None: None)
    with transaction.atomic():
        errors = refused(
            services.member_register, cooperative=coop_pe, actor=accountant, number="0500",
            first_name="Otra", last_name="Persona", national_id="41234567", sex="F",
            birth_date=datetime.date(1980, 1, 1), village="Sojo", join_date=datetime.date(2010, 1, 1),
        )
        # The caller's transaction is still usable after the refusal.
        assert Member.objects.filter(number="0500").get() == existing
    assert errors == {"number": ["This member number is already used in the cooperative."]}


def test_an_edit_does_not_undo_a_status_change_made_meanwhile(member, accountant):
    stale = Member.objects.get(pk=member.pk)
    services.member_status_change(
        member=member, actor=accountant, status="suspended", effective_on=timezone.localdate(), reason="Sanción"
    )
    services.member_update(member=stale, actor=accountant, village="Sojo")
    member.refresh_from_db()
    assert (member.status, member.village) == ("suspended", "Sojo")


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"birth_date": datetime.date(2031, 1, 1), "join_date": datetime.date(2032, 1, 1)}, "birth_date"),
        ({"join_date": timezone.localdate() + datetime.timedelta(days=1)}, "join_date"),
        ({"birth_date": datetime.date(2015, 1, 1), "join_date": datetime.date(2025, 1, 1)}, "join_date"),
        ({"phone": "llámame"}, "phone"),
    ],
)
def test_impossible_members_are_refused(coop_pe, accountant, fields, field):
    data = {
        "number": "0777", "first_name": "Ana", "last_name": "Ruiz", "national_id": "41234568", "sex": "F",
        "birth_date": datetime.date(1980, 1, 1), "village": "Sojo", "join_date": datetime.date(2010, 1, 1),
        **fields,
    }
    errors = refused(services.member_register, cooperative=coop_pe, actor=accountant, **data)
    assert field in errors
    assert not Member.objects.filter(number="0777").exists()


def test_the_minimum_age_is_the_coops_setting(coop_pe, accountant):
    coop_pe.minimum_member_age = 16
    coop_pe.save()
    member = services.member_register(
        cooperative=coop_pe, actor=accountant, number="0778", first_name="Joven", last_name="Ruiz",
        national_id="41234569", sex="M", birth_date=datetime.date(2000, 1, 1), village="Sojo",
        join_date=datetime.date(2016, 6, 1), phone="+51 968 123 456",
    )
    assert member.pk


def test_future_household_and_plot_dates_are_refused(member, accountant):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    errors = refused(
        services.household_member_add, member=member, actor=accountant, relationship="child",
        first_name="Aún", last_name="No", sex="F", birth_date=tomorrow,
    )
    assert list(errors) == ["birth_date"]
    errors = refused(
        services.plot_add, member=member, actor=accountant, code="F-1", area_ha=Decimal("1"),
        variety="williams", organic_status="certified", organic_since=datetime.date(2020, 1, 1),
        certified_area_ha=Decimal("1"), last_inspection_on=tomorrow,
    )
    assert list(errors) == ["last_inspection_on"]
