"""Who may see which cooperative's rows: the one place that reads a user's roles.

Each app's ``permissions.py`` builds its own rules on these helpers; views never filter by
cooperative themselves. The roles are read once per request and kept on the user object.
"""

from collections.abc import Iterable

from .models import Role, RoleAssignment

# Staff roles that may read a co-op's member register.
REGISTER_READERS = frozenset(
    {Role.ADMIN, Role.ACCOUNTANT, Role.BOARD, Role.COMMITTEE, Role.CLUSTER_STAFF}
)
# Staff roles that may change it.
REGISTER_WRITERS = frozenset({Role.ADMIN, Role.ACCOUNTANT})


def roles_by_cooperative(user) -> dict[int, frozenset[str]]:
    """{cooperative id: roles} for the user, including ``member`` where they are a member."""
    if not getattr(user, "is_authenticated", False):
        return {}
    cached = getattr(user, "_roles_by_cooperative", None)
    if cached is not None:
        return cached
    roles: dict[int, set[str]] = {}
    for coop_id, role in RoleAssignment.objects.filter(user=user).values_list(
        "cooperative_id", "role"
    ):
        roles.setdefault(coop_id, set()).add(role)
    from members.models import Member

    for coop_id in Member.objects.filter(user=user).values_list("cooperative_id", flat=True):
        roles.setdefault(coop_id, set()).add(Role.MEMBER)
    result = {coop_id: frozenset(r) for coop_id, r in roles.items()}
    user._roles_by_cooperative = result
    return result


def cooperative_ids_with(user, roles: Iterable[str]) -> set[int]:
    """Ids of the cooperatives where the user holds any of ``roles``."""
    wanted = frozenset(roles)
    return {cid for cid, held in roles_by_cooperative(user).items() if held & wanted}


def has_role(user, cooperative_id: int, roles: Iterable[str]) -> bool:
    if getattr(user, "is_superuser", False):
        return True
    return bool(roles_by_cooperative(user).get(cooperative_id, frozenset()) & frozenset(roles))
