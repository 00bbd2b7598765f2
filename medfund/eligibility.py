"""Who the fund covers on the date of an event, and how much of a category's caps is left.

Covered: the member (active that day and past the waiting period), their spouse or partner of that
day, and their children dependent that day by the co-op's household rule. Other relatives are not.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils import formats
from django.utils.translation import gettext as _

from coop.formatting import amount_text
from members.models import (
    PARTNER_RELATIONSHIPS,
    HouseholdMember,
    Member,
    MemberStatus,
    MemberStatusChange,
    Relationship,
)

from .models import CategoryRule, Claim, ClaimStatus, FundRules

ZERO = Decimal("0.00")
# Money the fund has promised or paid: it counts against the family's yearly cap.
COMMITTED = (ClaimStatus.APPROVED, ClaimStatus.PAID)


def _date_text(day: datetime.date) -> str:
    return formats.date_format(day, "SHORT_DATE_FORMAT")


def rules_in_force(cooperative_id: int, on: datetime.date) -> FundRules | None:
    return FundRules.objects.filter(cooperative_id=cooperative_id, valid_from__lte=on).order_by("-valid_from").first()


def status_on(member: Member, on: datetime.date) -> str:
    """The member's status on a date, from the dated status history."""
    step = (MemberStatusChange.objects.filter(member=member, effective_on__lte=on)
            .order_by("-effective_on", "-recorded_at", "-id").first())
    return step.status if step else member.status


def check_covered(*, member: Member, beneficiary: HouseholdMember | None, on: datetime.date,
                  rules: FundRules) -> None:
    """Raise a ValidationError naming the field when the fund does not cover the person that day."""
    if member.join_date and on < member.join_date:
        raise ValidationError({"event_date": _("The event is before %(name)s joined the co-op (%(date)s).") % {
            "name": member.full_name, "date": _date_text(member.join_date)}})
    if status_on(member, on) != MemberStatus.ACTIVE:
        raise ValidationError({"event_date": _("%(name)s was not an active member on %(date)s.") % {
            "name": member.full_name, "date": _date_text(on)}})
    covered_from = member.join_date + datetime.timedelta(days=rules.waiting_days)
    if on < covered_from:
        raise ValidationError({"event_date": _(
            "New members are covered %(days)s days after joining: %(name)s is covered for events from %(date)s."
        ) % {"days": rules.waiting_days, "name": member.full_name, "date": _date_text(covered_from)}})
    if beneficiary is None:
        return
    if beneficiary.member_id != member.pk:
        raise ValidationError({"beneficiary": _("Choose a person of the member's household.")})
    if beneficiary.relationship in PARTNER_RELATIONSHIPS:
        if not _partner_on(beneficiary, on):
            raise ValidationError({"beneficiary": _(
                "%(name)s was not the member's spouse or partner on %(date)s.") % {
                "name": beneficiary.full_name, "date": _date_text(on)}})
        return
    if beneficiary.relationship == Relationship.CHILD:
        if not beneficiary.is_dependent_on(on, member.cooperative):
            raise ValidationError({"beneficiary": _(
                "%(name)s was not a dependent child on %(date)s (under %(age)s, or under %(student_age)s while "
                "studying).") % {"name": beneficiary.full_name, "date": _date_text(on),
                                 "age": member.cooperative.dependent_age_limit,
                                 "student_age": member.cooperative.dependent_student_age_limit}})
        return
    raise ValidationError({"beneficiary": _(
        "The fund covers the member, their spouse or partner and dependent children; not %(name)s.") % {
        "name": beneficiary.full_name}})


def category_rule(rules: FundRules, category) -> CategoryRule:
    rule = CategoryRule.objects.filter(rules=rules, category=category).first()
    if rule is None:
        raise ValidationError({"category": _("The fund does not cover %(category)s under the rules of %(date)s.") % {
            "category": category.name, "date": _date_text(rules.valid_from)}})
    return rule


def family_year_total(*, member_id: int, category_id: int, year: int, exclude_claim_id=None) -> Decimal:
    """What the member's family has been approved (paid or not) in a category for events of a year."""
    claims = Claim.objects.filter(member_id=member_id, category_id=category_id, event_date__year=year,
                                  status__in=COMMITTED)
    if exclude_claim_id:
        claims = claims.exclude(pk=exclude_claim_id)
    return claims.aggregate(total=Sum("amount_approved"))["total"] or ZERO


def check_caps(*, rule: CategoryRule, member_id: int, year: int, amount: Decimal, field: str,
               exclude_claim_id=None) -> None:
    """``amount`` within the category's cap per claim and what is left of the family's yearly cap."""
    if rule.per_claim_cap is not None and amount > rule.per_claim_cap:
        raise ValidationError({field: _("%(amount)s is over the cap of %(cap)s per %(category)s claim.") % {
            "amount": amount_text(amount), "cap": amount_text(rule.per_claim_cap),
            "category": rule.category.name.lower()}})
    if rule.per_family_year_cap is not None:
        used = family_year_total(member_id=member_id, category_id=rule.category_id, year=year,
                                 exclude_claim_id=exclude_claim_id)
        left = max(rule.per_family_year_cap - used, ZERO)
        if amount > left:
            raise ValidationError({field: _(
                "%(amount)s is over what is left of the family's cap for %(category)s in %(year)s: %(left)s of "
                "%(cap)s.") % {"amount": amount_text(amount), "category": rule.category.name.lower(), "year": year,
                               "left": amount_text(left), "cap": amount_text(rule.per_family_year_cap)}})


def caps_left(*, member: Member, year: int) -> list[dict]:
    """Per category of the rules in force today: the caps and what is left of the family's (two queries)."""
    rules = rules_in_force(member.cooperative_id, datetime.date(year, 12, 31))
    if rules is None:
        return []
    used = dict(Claim.objects.filter(member=member, event_date__year=year, status__in=COMMITTED)
                .values_list("category_id").annotate(t=Sum("amount_approved")).order_by())
    rows = []
    for rule in rules.category_rules.select_related("category").order_by("category__name"):
        cap = rule.per_family_year_cap
        rows.append({"category": rule.category, "per_claim_cap": rule.per_claim_cap, "year_cap": cap,
                     "used": used.get(rule.category_id, ZERO),
                     "left": None if cap is None else max(cap - used.get(rule.category_id, ZERO), ZERO)})
    return rows


def covered_household(member: Member, on: datetime.date) -> list[HouseholdMember]:
    """The household members the fund covers on a date (for choosing the beneficiary)."""
    return [person for person in member.household.all()
            if (person.relationship in PARTNER_RELATIONSHIPS and _partner_on(person, on))
            or (person.relationship == Relationship.CHILD and person.is_dependent_on(on, member.cooperative))]


def _partner_on(person: HouseholdMember, on: datetime.date) -> bool:
    """The spouse or partner of that day: since then (or no date known) and not yet ended."""
    return (person.since is None or person.since <= on) and (person.ended_on is None or person.ended_on > on)
