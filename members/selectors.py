"""Reads of the member register, already scoped to the user and with their relations loaded."""

import unicodedata
from decimal import Decimal

from django.db.models import (
    DecimalField,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from pghistory.models import MiddlewareEvents

from coop.history import readable_events
from coop.params import int_param

from .models import HouseholdMember, Member, MemberStatus, MemberStatusChange, OrganicStatus, Plot
from .permissions import members_visible_to

HECTARES_FIELD = DecimalField(max_digits=12, decimal_places=4)


def total_hectares():
    totals = (
        Plot.objects.filter(member=OuterRef("pk"))
        .order_by()
        .values("member")
        .annotate(total=Sum("area_ha"))
        .values("total")
    )
    return Coalesce(Subquery(totals, output_field=HECTARES_FIELD), Value(Decimal("0")))


def _without_accents(text: str) -> str:
    """The search words as UNACCENT sees the names: 'Peña' -> 'Pena'."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def member_filters(params) -> dict:
    """The member list's filters from a query string (pages use ?q=, the API ?search=).

    Unknown or malformed values are ignored, so any URL gives a list, never an error.
    """
    return {
        "search": (params.get("q") or params.get("search") or "").strip()[:100],
        "status": params.get("status", "") if params.get("status") in MemberStatus.values else "",
        "village": params.get("village", "")[:100],
        "organic": params.get("organic", "") if params.get("organic") in OrganicStatus.values else "",
        "cooperative_id": int_param(params, "cooperative"),
    }


def member_list(
    *,
    user,
    search: str = "",
    status: str = "",
    village: str = "",
    organic: str = "",
    cooperative_id: int | None = None,
) -> QuerySet:
    """Members the user may see, filtered, with their co-op and total hectares."""
    members = members_visible_to(user).select_related("cooperative")
    if cooperative_id:
        members = members.filter(cooperative_id=cooperative_id)
    for word in _without_accents(search).split():
        matches = (
            Q(first_name__unaccent__icontains=word)
            | Q(last_name__unaccent__icontains=word)
            | Q(number__istartswith=word)
            | Q(national_id__startswith=word)
        )
        if word.isdecimal():
            # Member numbers are kept with leading zeros (0301); people type 301.
            matches |= Q(number__regex=rf"^0*{word}")
        members = members.filter(matches)
    if status:
        members = members.filter(status=status)
    if village:
        members = members.filter(village=village)
    if organic:
        members = members.filter(
            Exists(Plot.objects.filter(member=OuterRef("pk"), organic_status=organic))
        )
    return members.annotate(total_ha=total_hectares()).order_by(
        "last_name", "first_name", "number", "pk"
    )


def villages_for(*, user, cooperative_id: int | None = None) -> list[str]:
    members = members_visible_to(user)
    if cooperative_id:
        members = members.filter(cooperative_id=cooperative_id)
    return list(members.order_by("village").values_list("village", flat=True).distinct())


def member_detail(*, user, pk: int) -> Member:
    """One member with household, plots and status history; raises DoesNotExist if not visible."""
    return (
        members_visible_to(user)
        .select_related("cooperative", "user")
        .prefetch_related(
            "household",
            Prefetch("plots", queryset=Plot.objects.order_by("code")),
            Prefetch(
                "status_changes",
                queryset=MemberStatusChange.objects.select_related("recorded_by"),
            ),
        )
        .annotate(total_ha=total_hectares())
        .get(pk=pk)
    )


def member_own(*, user) -> Member | None:
    return Member.objects.filter(user=user).first() if user.is_authenticated else None


HISTORY_MODELS = {
    "members.MemberEvent": Member,
    "members.MemberStatusChangeEvent": MemberStatusChange,
    "members.HouseholdMemberEvent": HouseholdMember,
    "members.PlotEvent": Plot,
}


def _event_name(model, data: dict) -> str:
    if model is Plot:
        return data.get("code", "")
    if model is HouseholdMember:
        return f"{data.get('first_name', '')} {data.get('last_name', '')}"
    if model is MemberStatusChange:
        return str(MemberStatus(data["status"]).label) if data.get("status") in MemberStatus.values else ""
    return ""


def member_history(*, member: Member, limit: int = 100) -> list[dict]:
    """Who changed what and when: the member, their household, plots and status steps.

    Newest first, from the row-history events the database triggers record.
    """
    events = (
        MiddlewareEvents.objects.references(member)
        .select_related("user")
        .order_by("-pgh_created_at", "-pgh_id")[:limit]
    )
    return readable_events(events, HISTORY_MODELS, _event_name)
