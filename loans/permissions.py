"""Who sees and changes loan rounds and loans: the one place the loans app is scoped.

Staff (administrators, accountants, board, cluster staff) read their co-ops' rounds and loans;
administrators and accountants propose and disburse; board members approve; a member sees their
own loans and offers."""

from django.db.models import Q, QuerySet

from coop.models import Cooperative, Role
from coop.tenancy import cooperative_ids_with, has_role

LOAN_READERS = frozenset({Role.ADMIN, Role.ACCOUNTANT, Role.BOARD, Role.CLUSTER_STAFF})
LOAN_WRITERS = frozenset({Role.ADMIN, Role.ACCOUNTANT})


def cooperatives_with_loans_for(user) -> QuerySet:
    if user.is_superuser:
        return Cooperative.objects.all()
    return Cooperative.objects.filter(pk__in=cooperative_ids_with(user, LOAN_READERS))


def rounds_visible_to(user, queryset: QuerySet) -> QuerySet:
    if user.is_superuser:
        return queryset
    return queryset.filter(cooperative_id__in=cooperative_ids_with(user, LOAN_READERS))


def loans_visible_to(user, queryset: QuerySet, member: str = "member") -> QuerySet:
    """Loans, round lines or repayments: staff of the co-op, or the member they belong to
    (``member`` is the path from the row to its member, e.g. "loan__member")."""
    if not user.is_authenticated:
        return queryset.none()
    if user.is_superuser:
        return queryset
    return queryset.filter(Q(cooperative_id__in=cooperative_ids_with(user, LOAN_READERS))
                           | Q(**{f"{member}__user": user}))


def can_propose(user, cooperative_id: int) -> bool:
    return has_role(user, cooperative_id, LOAN_WRITERS)


def can_approve(user, cooperative_id: int) -> bool:
    return has_role(user, cooperative_id, {Role.BOARD})
