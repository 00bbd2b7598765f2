"""Which cooperatives a user may see and administer."""

from .models import Cooperative, Role
from .tenancy import REGISTER_READERS, cooperative_ids_with


def cooperatives_visible_to(user):
    if user.is_superuser:
        return Cooperative.objects.all()
    return Cooperative.objects.filter(pk__in=cooperative_ids_with(user, REGISTER_READERS))


def cooperatives_administered_by(user):
    if user.is_superuser:
        return Cooperative.objects.all()
    return Cooperative.objects.filter(pk__in=cooperative_ids_with(user, {Role.ADMIN}))
