"""Who sees and changes which members: the single place the members app is scoped.

- co-op administrators and accountants: read and write their co-ops' register;
- board, medical-fund committee and cluster staff: read it;
- a member: their own record only; importers: nothing here.
"""

from django.db.models import Q, QuerySet

from coop.models import Cooperative, Role
from coop.tenancy import REGISTER_READERS, REGISTER_WRITERS, cooperative_ids_with, has_role

from .models import Member


def _member_filter(user, roles, prefix: str = "") -> Q:
    if user.is_superuser:
        return Q()
    staff_coops = cooperative_ids_with(user, roles)
    if not cooperative_ids_with(user, {Role.MEMBER}):
        # Not a member anywhere: no "or their own record" branch, which would keep Postgres
        # from using the co-op's name index for the register's sorted pages.
        return Q(**{f"{prefix}cooperative_id__in": staff_coops})
    return Q(**{f"{prefix}cooperative_id__in": staff_coops}) | Q(**{f"{prefix}user_id": user.pk})


def members_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    """Members the user may read: their co-ops' register, or their own record."""
    queryset = Member.objects.all() if queryset is None else queryset
    if not user.is_authenticated:
        return queryset.none()
    return queryset.filter(_member_filter(user, REGISTER_READERS))


def members_changeable_by(user, queryset: QuerySet | None = None) -> QuerySet:
    queryset = Member.objects.all() if queryset is None else queryset
    if not user.is_authenticated:
        return queryset.none()
    if user.is_superuser:
        return queryset
    return queryset.filter(cooperative_id__in=cooperative_ids_with(user, REGISTER_WRITERS))


def related_visible_to(user, queryset: QuerySet) -> QuerySet:
    """Household members or plots whose member the user may read."""
    if not user.is_authenticated:
        return queryset.none()
    return queryset.filter(_member_filter(user, REGISTER_READERS, prefix="member__"))


def can_read_register(user) -> bool:
    return user.is_superuser or bool(cooperative_ids_with(user, REGISTER_READERS))


def can_change_member(user, member: Member) -> bool:
    return has_role(user, member.cooperative_id, REGISTER_WRITERS)


def cooperatives_for_registration(user) -> QuerySet:
    """Cooperatives in which the user may register members."""
    if user.is_superuser:
        return Cooperative.objects.all()
    return Cooperative.objects.filter(pk__in=cooperative_ids_with(user, REGISTER_WRITERS))
