"""Every write to the member register goes through these functions.

Each validates the whole row (field rules, the co-op's ID rules, database constraints) before it
writes, runs in one transaction, and records the acting user with the row history.
"""

import datetime
from contextlib import contextmanager

import pghistory
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coop.models import Cooperative

from .models import CONSTRAINT_FIELDS, HouseholdMember, Member, MemberStatus, MemberStatusChange, Plot

MEMBER_FIELDS = (
    "number", "first_name", "last_name", "national_id", "sex", "birth_date", "phone",
    "village", "join_date",
)
HOUSEHOLD_FIELDS = (
    "relationship", "first_name", "last_name", "national_id", "sex", "birth_date", "studying",
    "since", "ended_on",
)
PLOT_FIELDS = (
    "code", "name", "area_ha", "latitude", "longitude", "boundary", "variety", "organic_status",
    "organic_since", "certified_area_ha", "last_inspection_on",
)


@contextmanager
def _acting(actor):
    """One transaction whose row-history events name the actor."""
    with transaction.atomic(), pghistory.context(user=actor.pk if actor else None):
        yield


def _unknown_fields(fields: dict, allowed: tuple) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"unexpected fields: {', '.join(sorted(unknown))}")


def _save_validated(instance, update_fields=None) -> None:
    instance.full_clean()
    try:
        with transaction.atomic():  # a savepoint: the caller's transaction stays usable
            instance.save(update_fields=update_fields)
    except IntegrityError as error:
        name = getattr(getattr(error.__cause__, "diag", None), "constraint_name", None)
        constraint = next((c for c in instance._meta.constraints if c.name == name), None)
        if constraint is None:
            raise
        raise ValidationError(
            {CONSTRAINT_FIELDS.get(name, NON_FIELD_ERRORS): constraint.get_violation_error_message()}
        ) from error


def member_register(*, cooperative: Cooperative, actor, **fields) -> Member:
    """Register a new, active member; the first step of their status history is the join."""
    _unknown_fields(fields, MEMBER_FIELDS)
    with _acting(actor):
        member = Member(cooperative=cooperative, status=MemberStatus.ACTIVE, **fields)
        _save_validated(member)
        MemberStatusChange.objects.create(
            cooperative=cooperative,
            member=member,
            status=MemberStatus.ACTIVE,
            effective_on=member.join_date,
            reason=_("Joined the cooperative"),
            recorded_by=actor,
        )
    return member


def member_update(*, member: Member, actor, **fields) -> Member:
    """Change a member's particulars. The status changes only through member_status_change."""
    _unknown_fields(fields, MEMBER_FIELDS)
    with _acting(actor):
        # Locked and re-read, and only the given fields written: a status changed meanwhile stays.
        member = Member.objects.select_for_update().select_related("cooperative").get(pk=member.pk)
        for name, value in fields.items():
            setattr(member, name, value)
        _save_validated(member, update_fields=[*fields, "updated_at"])
    return member


def member_status_change(
    *, member: Member, actor, status: str, effective_on: datetime.date, reason: str
) -> MemberStatusChange:
    """Move a member to a new status from a date, with a reason. Death is final."""
    with _acting(actor):
        # Lock the member so two concurrent changes cannot both pass the checks below.
        member = Member.objects.select_for_update().get(pk=member.pk)
        latest = member.status_changes.order_by("-effective_on", "-recorded_at", "-id").first()
        errors = {}
        if status not in MemberStatus.values:
            errors["status"] = _("Unknown status.")
        elif status == member.status:
            errors["status"] = _("The member already has this status.")
        elif member.status == MemberStatus.DECEASED:
            errors["status"] = _("A deceased member's status cannot change.")
        if not reason.strip():
            errors["reason"] = _("Give the reason for the change.")
        if effective_on > timezone.localdate():
            errors["effective_on"] = _("The date cannot be in the future.")
        elif effective_on < member.join_date:
            errors["effective_on"] = _("The date cannot be before the member joined.")
        elif latest and effective_on < latest.effective_on:
            errors["effective_on"] = _(
                "The date cannot be before the last status change (%(date)s)."
            ) % {"date": latest.effective_on.isoformat()}
        if errors:
            raise ValidationError(errors)
        change = MemberStatusChange.objects.create(
            cooperative_id=member.cooperative_id,
            member=member,
            status=status,
            effective_on=effective_on,
            reason=reason.strip(),
            recorded_by=actor,
        )
        member.status = status
        member.save(update_fields=["status", "updated_at"])
    return change


def member_login_create(*, member: Member, actor, username: str, password: str):
    """Give a member a login with which they see their own record, and nothing else."""
    User = get_user_model()
    with _acting(actor):
        member = Member.objects.select_for_update().get(pk=member.pk)
        if member.user_id:
            raise ValidationError({"username": _("This member already has a login.")})
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError({"username": _("This username is taken.")})
        user = User(username=username, first_name=member.first_name, last_name=member.last_name)
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise ValidationError({"password": error.messages}) from error
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save()
        member.user = user
        member.save(update_fields=["user", "updated_at"])
    return user


def household_member_add(*, member: Member, actor, **fields) -> HouseholdMember:
    _unknown_fields(fields, HOUSEHOLD_FIELDS)
    with _acting(actor):
        person = HouseholdMember(cooperative=member.cooperative, member=member, **fields)
        _save_validated(person)
    return person


def household_member_update(*, person: HouseholdMember, actor, **fields) -> HouseholdMember:
    _unknown_fields(fields, HOUSEHOLD_FIELDS)
    with _acting(actor):
        for name, value in fields.items():
            setattr(person, name, value)
        _save_validated(person)
    return person


def plot_add(*, member: Member, actor, **fields) -> Plot:
    _unknown_fields(fields, PLOT_FIELDS)
    with _acting(actor):
        plot = Plot(cooperative=member.cooperative, member=member, **fields)
        _save_validated(plot)
    return plot


def plot_update(*, plot: Plot, actor, **fields) -> Plot:
    _unknown_fields(fields, PLOT_FIELDS)
    with _acting(actor):
        for name, value in fields.items():
            setattr(plot, name, value)
        _save_validated(plot)
    return plot
