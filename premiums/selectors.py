from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet, Sum

from ledger.models import Account

from .models import Allocation, DevelopmentPlan, PlanLine, PlanStatus, Spending
from .permissions import premiums_visible_to
from .services import UNALLOCATED


@dataclass
class PlanVersusActual:
    code: str
    project: str
    budget: Decimal
    allocated: Decimal
    spent: Decimal

    @property
    def to_allocate(self) -> Decimal:
        return self.budget - self.allocated

    @property
    def in_fund(self) -> Decimal:
        return self.allocated - self.spent


def plan_versus_actual(*, cooperative, year: int) -> list[PlanVersusActual]:
    """Per line of the approved plan: budget, allocated and spent this year (all versions)."""
    plan = DevelopmentPlan.objects.filter(cooperative=cooperative, year=year, status=PlanStatus.APPROVED).first()
    if plan is None:
        return []
    scope = {"line__plan__cooperative": cooperative, "line__plan__year": year}
    allocated = dict(Allocation.objects.filter(**scope).values_list("line__code").annotate(t=Sum("amount")))
    spent = dict(Spending.objects.filter(**scope).values_list("line__code").annotate(t=Sum("amount")))
    zero = Decimal("0.00")
    return [
        PlanVersusActual(code=line.code, project=line.project, budget=line.budget,
                         allocated=allocated.get(line.code, zero), spent=spent.get(line.code, zero))
        for line in plan.lines.order_by("code")
    ]


# Reads for the pages and the API. The plan or line passed in was already found through
# premiums_visible_to, so these read within its cooperative.

ZERO = Decimal("0.00")


def plans_for(*, user, cooperative) -> QuerySet:
    """Every version of every year's plan of the co-op, newest first, with its Assembly."""
    plans = premiums_visible_to(user, DevelopmentPlan.objects.filter(cooperative=cooperative))
    return plans.select_related("approval").order_by("-year", "-version")


def plan_for(*, user, pk: int) -> DevelopmentPlan:
    plans = DevelopmentPlan.objects.select_related("cooperative", "approval", "approval__recorded_by")
    return premiums_visible_to(user, plans).get(pk=pk)


def line_for(*, user, pk: int) -> PlanLine:
    lines = PlanLine.objects.select_related("cooperative", "plan", "fund")
    return premiums_visible_to(user, lines).get(pk=pk)


def spending_for(*, user, pk: int) -> Spending:
    return premiums_visible_to(user, Spending.objects.all()).get(pk=pk)


def plan_versions(*, plan: DevelopmentPlan) -> list[DevelopmentPlan]:
    """All versions of the plan's year, newest first (the plan itself included)."""
    return list(DevelopmentPlan.objects.filter(cooperative_id=plan.cooperative_id, year=plan.year).order_by("-version"))


@dataclass
class LineRow:
    """A line of a plan, with what its code received and spent this year once the plan is approved."""

    line: PlanLine
    actual: PlanVersusActual | None


def plan_lines(*, plan: DevelopmentPlan) -> list[LineRow]:
    """The plan's lines in code order; for the approved version each with its plan-versus-actual."""
    lines = list(plan.lines.select_related("fund").order_by("code"))
    if plan.status != PlanStatus.APPROVED:
        return [LineRow(line=line, actual=None) for line in lines]
    scope = {"line__plan__cooperative_id": plan.cooperative_id, "line__plan__year": plan.year}
    allocated = dict(Allocation.objects.filter(**scope).values_list("line__code").annotate(t=Sum("amount")))
    spent = dict(Spending.objects.filter(**scope).values_list("line__code").annotate(t=Sum("amount")))
    return [
        LineRow(line=line, actual=PlanVersusActual(
            code=line.code, project=line.project, budget=line.budget,
            allocated=allocated.get(line.code, ZERO), spent=spent.get(line.code, ZERO)))
        for line in lines
    ]


def plan_totals(rows: list[LineRow]) -> PlanVersusActual:
    actuals = [row.actual for row in rows if row.actual is not None]
    return PlanVersusActual(
        code="", project="",
        budget=sum((row.line.budget for row in rows), ZERO),
        allocated=sum((a.allocated for a in actuals), ZERO),
        spent=sum((a.spent for a in actuals), ZERO),
    )


def allocations_of_year(*, plan: DevelopmentPlan) -> QuerySet:
    """Allocations of the plan's year under every version (they count against the same codes)."""
    return Allocation.objects.filter(cooperative_id=plan.cooperative_id, line__plan__year=plan.year).select_related(
        "line", "recorded_by").order_by("date", "id")


def spending_of_year(*, plan: DevelopmentPlan) -> QuerySet:
    return Spending.objects.filter(cooperative_id=plan.cooperative_id, line__plan__year=plan.year).select_related(
        "line", "recorded_by").order_by("date", "id")


def unallocated_premium(*, cooperative) -> Decimal:
    """What the unallocated premium fund holds now (premium earned and not yet given to a line)."""
    balance = Account.objects.filter(cooperative=cooperative, code=UNALLOCATED).values_list("balance", flat=True).first()
    return ZERO if balance is None else balance


def allocations_visible_to(user, *, cooperative_id: int | None = None, year: int | None = None,
                           line_id: int | None = None) -> QuerySet:
    allocations = premiums_visible_to(user, Allocation.objects.select_related("line", "recorded_by"))
    return _filtered(allocations, cooperative_id, year, line_id)


def spending_visible_to(user, *, cooperative_id: int | None = None, year: int | None = None,
                        line_id: int | None = None) -> QuerySet:
    spending = premiums_visible_to(user, Spending.objects.select_related("line", "recorded_by"))
    return _filtered(spending, cooperative_id, year, line_id)


def _filtered(queryset: QuerySet, cooperative_id, year, line_id) -> QuerySet:
    if cooperative_id:
        queryset = queryset.filter(cooperative_id=cooperative_id)
    if year:
        queryset = queryset.filter(line__plan__year=year)
    if line_id:
        queryset = queryset.filter(line_id=line_id)
    return queryset.order_by("-date", "-id")
