"""Who reads and who changes the premium-use chain: the one place the premiums app is scoped.

Administrators and accountants draft plans, set their lines, allocate and spend; the board also
records the General Assembly's approval (as ``services.plan_approve`` allows); the board and
cluster staff read everything. Members and importers see nothing here.
"""

from django.db.models import QuerySet

from coop.models import Cooperative, Role
from coop.tenancy import cooperative_ids_with, has_role

PREMIUM_READERS = frozenset({Role.ADMIN, Role.ACCOUNTANT, Role.BOARD, Role.CLUSTER_STAFF})
PREMIUM_WRITERS = frozenset({Role.ADMIN, Role.ACCOUNTANT})
PLAN_APPROVERS = PREMIUM_WRITERS | {Role.BOARD}


def cooperatives_with_premiums_for(user) -> QuerySet:
    if user.is_superuser:
        return Cooperative.objects.all()
    return Cooperative.objects.filter(pk__in=cooperative_ids_with(user, PREMIUM_READERS))


def premiums_visible_to(user, queryset: QuerySet) -> QuerySet:
    """Rows (plans, lines, assemblies, allocations, spending) of the co-ops whose premium the user reads."""
    if not user.is_authenticated:
        return queryset.none()
    if user.is_superuser:
        return queryset
    return queryset.filter(cooperative_id__in=cooperative_ids_with(user, PREMIUM_READERS))


def can_read_premiums(user) -> bool:
    """For the menu: reads the premium of at least one co-op."""
    return user.is_superuser or bool(cooperative_ids_with(user, PREMIUM_READERS))


def can_manage(user, cooperative_id: int) -> bool:
    """Drafts plans, sets lines, allocates and spends."""
    return has_role(user, cooperative_id, PREMIUM_WRITERS)


def can_manage_any(user) -> bool:
    return user.is_superuser or bool(cooperative_ids_with(user, PREMIUM_WRITERS))


def can_approve(user, cooperative_id: int) -> bool:
    """Records the General Assembly that approved a draft."""
    return has_role(user, cooperative_id, PLAN_APPROVERS)
