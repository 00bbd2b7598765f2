"""Rules the database itself holds, whatever path writes: ORM, bulk or raw SQL."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.models import ProtectedError
from psycopg.errors import InsufficientPrivilege

from members.models import Member, MemberStatusChange
from tests.factories import MemberFactory
from tests.support.dbroles import refused_twice

pytestmark = pytest.mark.django_db


def refused(sql_or_callable, *params):
    """Refused by the runtime role's privileges where it has none, and by the table's trigger."""

    def attempt():
        with pytest.raises(DatabaseError) as refusal, transaction.atomic():
            if callable(sql_or_callable):
                sql_or_callable()
            else:
                with connection.cursor() as cursor:
                    cursor.execute(sql_or_callable, params)
        if isinstance(refusal.value.__cause__, InsufficientPrivilege):
            raise refusal.value
        assert "pgtrigger: Cannot" in str(refusal.value)

    refused_twice(attempt)


def test_a_member_is_never_deleted():
    member = MemberFactory()
    with pytest.raises(ProtectedError):
        Member.objects.filter(pk=member.pk).delete()
    # Past Django's own check, straight to the table:
    refused(lambda: Member.objects.filter(pk=member.pk)._raw_delete("default"))
    refused("DELETE FROM members_member WHERE id = %s", member.pk)
    assert Member.objects.filter(pk=member.pk).exists()


def test_the_status_history_is_append_only():
    step = MemberFactory().status_changes.get()
    refused(lambda: MemberStatusChange.objects.filter(pk=step.pk).update(reason="otra cosa"))
    refused("UPDATE members_memberstatuschange SET status = 'deceased' WHERE id = %s", step.pk)
    refused("DELETE FROM members_memberstatuschange WHERE id = %s", step.pk)
    step.refresh_from_db()
    assert (step.status, step.reason) == ("active", "Ingreso")


def test_a_plot_household_member_or_status_step_stays_in_its_members_coop():
    from django.db import IntegrityError

    from tests.factories import CooperativeFactory, HouseholdMemberFactory, PlotFactory

    member = MemberFactory()
    elsewhere = CooperativeFactory()
    plot = PlotFactory(member=member)
    person = HouseholdMemberFactory(member=member)
    step = member.status_changes.get()
    for table, row_id in (("members_plot", plot.pk), ("members_householdmember", person.pk)):
        with pytest.raises(IntegrityError), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(f"UPDATE {table} SET cooperative_id = %s WHERE id = %s", [elsewhere.pk, row_id])
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    with pytest.raises(IntegrityError), transaction.atomic():
        MemberStatusChange.objects.create(
            cooperative=elsewhere, member=member, status="suspended", effective_on=step.effective_on, reason="x"
        )
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


@pytest.mark.parametrize(
    ("latitude", "longitude"), [("95", "-80"), ("-4.9", "-181"), ("-4.9", None), (None, "-80.6")]
)
def test_plot_coordinates_are_checked_by_the_database(latitude, longitude):
    from django.db import IntegrityError

    from members.models import Plot
    from tests.factories import PlotFactory

    plot = PlotFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Plot.objects.filter(pk=plot.pk).update(latitude=latitude, longitude=longitude)
