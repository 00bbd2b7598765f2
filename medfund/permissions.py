"""Who sees and does what in the medical fund: the one place the medfund app is scoped.

- Medical details (category, beneficiary, description, documents) are for the claimant (the
  member whose login it is) and the co-op's fund committee only. Being a superuser does not open
  them: a committee assignment does.
- Administrators and accountants see the amounts and where each claim stands, and pay.
- The board and cluster staff see anonymised totals (the dashboard), no claim.
- The committee reviews, approves and rejects; never a claim of their own.
"""

from django.db.models import Q, QuerySet

from coop.models import Cooperative, Role
from coop.tenancy import cooperative_ids_with, roles_by_cooperative

COMMITTEE = frozenset({Role.COMMITTEE})
PAYERS = frozenset({Role.ADMIN, Role.ACCOUNTANT})
# Staff who may submit a claim on a member's behalf.
SUBMITTERS = frozenset({Role.ADMIN, Role.ACCOUNTANT, Role.COMMITTEE})
CLAIM_READERS = COMMITTEE | PAYERS
TOTALS_READERS = CLAIM_READERS | {Role.BOARD, Role.CLUSTER_STAFF}


def _holds(user, cooperative_id: int, roles) -> bool:
    """Roles actually assigned (no superuser short cut)."""
    return bool(roles_by_cooperative(user).get(cooperative_id, frozenset()) & roles)


def claims_visible_to(user, queryset: QuerySet) -> QuerySet:
    """Claims the user may open at all: their own family's, or their co-ops' for the committee,
    administrators and accountants (who see the amounts only; see ``sees_details``)."""
    if not user.is_authenticated:
        return queryset.none()
    if user.is_superuser:
        return queryset
    return queryset.filter(Q(cooperative_id__in=cooperative_ids_with(user, CLAIM_READERS)) | Q(member__user=user))


def sees_details(user, claim) -> bool:
    """The claimant and the co-op's committee see the medical details and documents."""
    return claim.member.user_id == user.pk or _holds(user, claim.cooperative_id, COMMITTEE)


def details_cooperative_ids(user) -> set[int]:
    return cooperative_ids_with(user, COMMITTEE)


def can_review(user, cooperative_id: int) -> bool:
    return _holds(user, cooperative_id, COMMITTEE)


def can_pay(user, cooperative_id: int) -> bool:
    return user.is_superuser or _holds(user, cooperative_id, PAYERS)


def can_submit_for_others(user, cooperative_id: int) -> bool:
    return user.is_superuser or _holds(user, cooperative_id, SUBMITTERS)


def cooperatives_with_fund_for(user) -> QuerySet:
    """Co-ops whose fund dashboard (anonymised totals) the user may read."""
    if user.is_superuser:
        return Cooperative.objects.all()
    return Cooperative.objects.filter(pk__in=cooperative_ids_with(user, TOTALS_READERS))


def can_list_claims(user, cooperative_id: int) -> bool:
    return user.is_superuser or _holds(user, cooperative_id, CLAIM_READERS)


def claimable_members(user, queryset: QuerySet) -> QuerySet:
    """Members a claim may be submitted for: oneself, or the members of one's co-ops for staff."""
    if user.is_superuser:
        return queryset
    return queryset.filter(Q(user=user) | Q(cooperative_id__in=cooperative_ids_with(user, SUBMITTERS)))
