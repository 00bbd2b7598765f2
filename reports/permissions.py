"""Who may see which reports: a report is read by those its kind allows (the co-op's staff for
most; the member themself for their own loan statement and slip; the medical fund's dashboard
readers for the fund's anonymised report), whoever asked for it."""

from django.db.models import Q, QuerySet

from coop.tenancy import roles_by_cooperative

from .base import KINDS


def may_read(user, report) -> bool:
    return KINDS[report.kind].allowed(user, report.cooperative_id, report.params) if report.kind in KINDS else False


def reports_visible_to(user, queryset: QuerySet) -> QuerySet:
    """Reports of kinds the user's roles open in each co-op; members' own reports by parameters are
    checked row by row with ``may_read`` (a member sees the ones they asked for)."""
    if not user.is_authenticated:
        return queryset.none()
    if user.is_superuser:
        return queryset
    scope = Q(requested_by=user)
    for cooperative_id, roles in roles_by_cooperative(user).items():
        kinds = [code for code, kind in KINDS.items() if roles & kind.readers]
        if kinds:
            scope |= Q(cooperative_id=cooperative_id, kind__in=kinds)
    return queryset.filter(scope)
