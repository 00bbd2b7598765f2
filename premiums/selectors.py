from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum

from .models import Allocation, DevelopmentPlan, PlanStatus, Spending


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
