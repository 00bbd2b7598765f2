from exports.permissions import SHIPMENT_READERS
from ledger.permissions import BOOK_READERS
from medfund.permissions import TOTALS_READERS
from premiums.permissions import can_read_premiums

from .models import Role
from .tenancy import REGISTER_READERS, cooperative_ids_with


def navigation(request):
    """What the menu shows: the register for staff, 'my page' for a member."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_staff": user.is_superuser or bool(cooperative_ids_with(user, REGISTER_READERS)),
        "nav_member": bool(cooperative_ids_with(user, {Role.MEMBER})),
        "nav_shipments": user.is_superuser or bool(cooperative_ids_with(user, SHIPMENT_READERS)),
        "nav_books": user.is_superuser or bool(cooperative_ids_with(user, BOOK_READERS)),
        "nav_premiums": can_read_premiums(user),
        "nav_medfund": user.is_superuser or bool(cooperative_ids_with(user, TOTALS_READERS)),
    }
