"""Reads of the medical fund, scoped (medfund/permissions.py), with their relations and totals
loaded in a fixed number of queries."""

from decimal import Decimal

from django.db.models import Avg, Count, F, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth

from ledger.models import Account

from .models import Claim, ClaimStatus, ClaimStep, StepKind
from .permissions import claims_visible_to
from .services import MEDICAL_FUND, waiting_queue

ZERO = Decimal("0.00")


def claim_list(*, user, cooperative_id: int | None = None, status: str = "") -> QuerySet:
    claims = claims_visible_to(user, Claim.objects.select_related("member", "category", "beneficiary", "rules"))
    if cooperative_id:
        claims = claims.filter(cooperative_id=cooperative_id)
    if status in ClaimStatus.values:
        claims = claims.filter(status=status)
    return claims.annotate(approval_count=Count("approvals")).order_by("-submitted_at", "-id")


def claim_for(*, user, pk: int) -> Claim:
    return (claims_visible_to(user, Claim.objects.all())
            .select_related("member__cooperative", "member__user", "category", "beneficiary", "rules", "submitted_by",
                            "paid_by", "transaction")
            .prefetch_related("documents", "steps__actor", "approvals__approver").get(pk=pk))


def queue_position(claim: Claim) -> int | None:
    """1 for the next claim to be paid; None when the claim is not waiting."""
    if claim.status != ClaimStatus.APPROVED:
        return None
    return waiting_queue(claim.cooperative_id).filter(
        Q(approved_at__lt=claim.approved_at) | Q(approved_at=claim.approved_at, id__lt=claim.pk)).count() + 1


def dashboard(*, cooperative_id: int, year: int) -> dict:
    """The fund's balance, what it has promised, what it paid in the year by category and how long
    a claim takes from submission to payment. Totals only: nothing that names a person."""
    balance = fund_balance(cooperative_id)
    claims = Claim.objects.filter(cooperative_id=cooperative_id)
    committed = claims.filter(status=ClaimStatus.APPROVED).aggregate(
        total=Sum("amount_approved"), count=Count("id"))
    paid_in_year = claims.filter(status=ClaimStatus.PAID, paid_at__year=year)
    by_category = list(paid_in_year.values("category__name").annotate(
        count=Count("id"), total=Sum("amount_approved")).order_by("category__name"))
    waited = paid_in_year.aggregate(average=Avg(F("paid_at") - F("submitted_at")))["average"]
    open_claims = claims.filter(status__in=[ClaimStatus.SUBMITTED, ClaimStatus.UNDER_REVIEW]).aggregate(
        count=Count("id"), total=Sum("amount_requested"))
    return {
        "balance": balance,
        "committed": committed["total"] or ZERO, "committed_count": committed["count"],
        "free": balance - (committed["total"] or ZERO),
        "paid_by_category": by_category,
        "paid_total": sum((row["total"] for row in by_category), ZERO),
        "paid_count": sum(row["count"] for row in by_category),
        "average_days": _days(waited) if waited is not None else None,
        "open_count": open_claims["count"], "open_total": open_claims["total"] or ZERO,
    }


def _days(duration) -> Decimal:
    """A duration in days, one place."""
    return ((Decimal(duration.days) * 86400 + duration.seconds) / 86400).quantize(Decimal("0.1"))


def monthly_totals(*, cooperative_id: int, year: int) -> list[dict]:
    """Claims paid in a year by month and category: count and amount (anonymised)."""
    return list(Claim.objects.filter(cooperative_id=cooperative_id, status=ClaimStatus.PAID, paid_at__year=year)
                .annotate(month=TruncMonth("paid_at")).values("month", "category__name")
                .annotate(count=Count("id"), total=Sum("amount_approved")).order_by("month", "category__name"))


def fund_balance(cooperative_id: int) -> Decimal:
    return (Account.objects.filter(cooperative_id=cooperative_id, code=MEDICAL_FUND)
            .values_list("balance", flat=True).first()) or ZERO


def waiting(*, cooperative_id: int, balance: Decimal) -> list[dict]:
    """The queue of approved claims, with whether the fund's ``balance`` covers each in turn."""
    rows, left, blocked = [], balance, False
    for position, claim in enumerate(waiting_queue(cooperative_id).select_related("member"), start=1):
        # Paid in order: once one claim is not covered, those after it wait too.
        covered = not blocked and left >= claim.amount_approved
        if covered:
            left -= claim.amount_approved
        blocked = not covered
        rows.append({"position": position, "claim": claim, "covered": covered})
    return rows


def member_claims(*, user, member) -> QuerySet:
    requests = Prefetch("steps", queryset=ClaimStep.objects.filter(kind=StepKind.DOCUMENTS_REQUESTED).order_by("-at"),
                        to_attr="document_requests")
    return claims_visible_to(user, Claim.objects.filter(member=member)).select_related(
        "member", "category", "beneficiary").prefetch_related("documents", requests).order_by("-submitted_at", "-id")


def reads_of(claim: Claim, limit: int = 50) -> QuerySet:
    """Who read the claim, newest first (for the committee)."""
    return claim.reads.select_related("reader").order_by("-at", "-id")[:limit]
