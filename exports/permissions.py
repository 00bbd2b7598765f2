"""Who sees and who changes shipments and deliveries: the one place the exports app is scoped.

- co-op staff (administrators, accountants, board, cluster staff): their co-ops' shipments;
  administrators and accountants change them;
- an importer's API client: the shipments sold to its importer, across every co-op;
- a member: their own deliveries.
"""

from django.db.models import Q, QuerySet

from coop.models import Cooperative, Role
from coop.tenancy import cooperative_ids_with, has_role

SHIPMENT_READERS = frozenset({Role.ADMIN, Role.ACCOUNTANT, Role.BOARD, Role.CLUSTER_STAFF})
SHIPMENT_WRITERS = frozenset({Role.ADMIN, Role.ACCOUNTANT})


def importer_id_of(user) -> int | None:
    """The importer whose API client the user is, if any."""
    if not getattr(user, "is_authenticated", False):
        return None
    if not hasattr(user, "_importer_id"):
        from .models import ImporterClient

        user._importer_id = ImporterClient.objects.filter(user=user).values_list("importer_id", flat=True).first()
    return user._importer_id


def cooperatives_with_exports_for(user) -> QuerySet:
    if user.is_superuser:
        return Cooperative.objects.all()
    return Cooperative.objects.filter(pk__in=cooperative_ids_with(user, SHIPMENT_READERS))


def shipments_visible_to(user, queryset: QuerySet) -> QuerySet:
    """Shipments (or rows with a ``shipment``) the user may read."""
    return queryset.filter(_shipment_scope(user, prefix=""))


def rows_of_visible_shipments(user, queryset: QuerySet) -> QuerySet:
    """Deliveries, steps or receipts of the shipments the user may read."""
    return queryset.filter(_shipment_scope(user, prefix="shipment__"))


def _shipment_scope(user, prefix: str) -> Q:
    if user.is_superuser:
        return Q()
    scope = Q(**{f"{prefix}cooperative_id__in": cooperative_ids_with(user, SHIPMENT_READERS)})
    importer_id = importer_id_of(user)
    if importer_id:
        scope |= Q(**{f"{prefix}importer_id": importer_id})
    return scope


def deliveries_visible_to(user, queryset: QuerySet) -> QuerySet:
    """Staff: their co-ops'; importers: those in their shipments; members: their own."""
    if user.is_superuser:
        return queryset
    return queryset.filter(_shipment_scope(user, prefix="shipment__") | Q(member__user=user))


def can_change(user, cooperative_id: int) -> bool:
    return has_role(user, cooperative_id, SHIPMENT_WRITERS)


def can_read(user, cooperative_id: int) -> bool:
    return has_role(user, cooperative_id, SHIPMENT_READERS)


def settlements_visible_to(user, queryset: QuerySet) -> QuerySet:
    """Settlements of the co-ops whose shipments the user reads as staff."""
    if user.is_superuser:
        return queryset
    return queryset.filter(cooperative_id__in=cooperative_ids_with(user, SHIPMENT_READERS))
