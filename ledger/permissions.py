"""Who reads and who writes the books: the one place the ledger app is scoped.

Administrators and accountants post; the board and cluster staff read.
"""

from django.db.models import QuerySet

from coop.models import Cooperative, Role
from coop.tenancy import cooperative_ids_with, has_role

BOOK_READERS = frozenset({Role.ADMIN, Role.ACCOUNTANT, Role.BOARD, Role.CLUSTER_STAFF})
BOOK_WRITERS = frozenset({Role.ADMIN, Role.ACCOUNTANT})


def cooperatives_with_books_for(user) -> QuerySet:
    if user.is_superuser:
        return Cooperative.objects.all()
    return Cooperative.objects.filter(pk__in=cooperative_ids_with(user, BOOK_READERS))


def books_visible_to(user, queryset: QuerySet) -> QuerySet:
    """Rows (accounts, transactions, legs, periods) of the co-ops whose books the user reads."""
    if user.is_superuser:
        return queryset
    return queryset.filter(cooperative_id__in=cooperative_ids_with(user, BOOK_READERS))


def can_post(user, cooperative_id: int) -> bool:
    return has_role(user, cooperative_id, BOOK_WRITERS)


def can_reopen(user, cooperative_id: int) -> bool:
    return has_role(user, cooperative_id, {Role.BOARD})
