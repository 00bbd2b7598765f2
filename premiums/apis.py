"""The premium-use chain under /api/v1/premiums/: the same scoping as the pages (premiums/permissions.py).

Another co-op's plan, line or cooperative reads as not found (404); a role that reads but may
not write gets 403; bad input is a 400 naming the field.
"""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from coop.api import ErrorSerializer, idempotency_key
from coop.params import int_param
from ledger.models import Account, AccountType

from . import selectors, services
from .models import DevelopmentPlan, PlanLine, PlanStatus
from .permissions import (
    can_approve,
    can_manage,
    can_manage_any,
    cooperatives_with_premiums_for,
    premiums_visible_to,
)
from .serializers import (
    AllocationInputSerializer,
    AllocationSerializer,
    AssemblyInputSerializer,
    GeneralAssemblySerializer,
    PlanCreateSerializer,
    PlanDetailSerializer,
    PlanLineInputSerializer,
    PlanLineSerializer,
    PlanSerializer,
    SpendingInputSerializer,
    SpendingSerializer,
)

ERRORS = {400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer}
COOPERATIVE = OpenApiParameter("cooperative", int, description="Cooperative id")
YEAR = OpenApiParameter("year", int, description="Plan year")
LINE = OpenApiParameter("line", int, description="Plan line id")
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key", str, OpenApiParameter.HEADER,
    description="At most 80 printable ASCII characters. A retry with the same key by the same user returns the first result",
)


def _writable_line(request, line_id: int) -> PlanLine:
    """The line (404 outside one's co-ops), if the user may allocate and spend in its co-op (403)."""
    lines = PlanLine.objects.select_related("cooperative", "plan", "fund")
    line = get_object_or_404(premiums_visible_to(request.user, lines), pk=line_id)
    if not can_manage(request.user, line.cooperative_id):
        raise PermissionDenied
    return line


def _require_a_writer(request) -> None:
    """Read-only callers get 403 before their input is looked at."""
    if not can_manage_any(request.user):
        raise PermissionDenied


@extend_schema_view(list=extend_schema(parameters=[COOPERATIVE, YEAR]))
class PlanViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Fairtrade Development Plans, every version; the detail has the lines and plan versus actual."""

    serializer_class = PlanSerializer

    def get_queryset(self):
        plans = premiums_visible_to(
            self.request.user,
            DevelopmentPlan.objects.select_related("cooperative", "approval", "approval__recorded_by"),
        )
        if self.action == "list":
            coop_id = int_param(self.request.query_params, "cooperative")
            year = int_param(self.request.query_params, "year")
            if coop_id:
                plans = plans.filter(cooperative_id=coop_id)
            if year:
                plans = plans.filter(year=year)
        return plans.order_by("cooperative_id", "-year", "-version")

    def get_serializer_class(self):
        return PlanDetailSerializer if self.action == "retrieve" else PlanSerializer

    @staticmethod
    def _detail(plan: DevelopmentPlan) -> dict:
        rows = selectors.plan_lines(plan=plan)
        plan.line_list = [row.line for row in rows]
        approved = plan.status == PlanStatus.APPROVED
        plan.plan_vs_actual = [row.actual for row in rows] if approved else None
        plan.totals = selectors.plan_totals(rows) if approved else None
        return PlanDetailSerializer(plan).data

    @extend_schema(responses={200: PlanDetailSerializer, 404: ErrorSerializer})
    def retrieve(self, request, pk=None):
        return Response(self._detail(self.get_object()))

    @extend_schema(request=PlanCreateSerializer, responses={201: PlanDetailSerializer, **ERRORS},
                   description="A draft for the year: version 1, or a copy of the approved version with the next number.")
    def create(self, request):
        _require_a_writer(request)
        data = PlanCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        cooperative = get_object_or_404(cooperatives_with_premiums_for(request.user), pk=data.validated_data["cooperative"])
        if not can_manage(request.user, cooperative.pk):
            raise PermissionDenied
        plan = services.plan_draft(cooperative=cooperative, year=data.validated_data["year"], actor=request.user)
        return Response(self._detail(self.get_queryset().get(pk=plan.pk)), status=status.HTTP_201_CREATED)

    @extend_schema(request=PlanLineInputSerializer, responses={201: PlanLineSerializer, **ERRORS},
                   description="Add a line to a draft, or change the draft's line with that code.")
    @action(detail=True, methods=["post"])
    def lines(self, request, pk=None):
        plan = self.get_object()
        if not can_manage(request.user, plan.cooperative_id):
            raise PermissionDenied
        data = PlanLineInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        fund_id = fields.pop("fund", None)
        fund = None
        if fund_id:
            fund = Account.objects.filter(cooperative_id=plan.cooperative_id, type=AccountType.FUND, pk=fund_id).first()
            if fund is None:
                raise ValidationError({"fund": [_("Unknown fund account %(id)s.") % {"id": fund_id}]})
        line = services.plan_line_set(plan=plan, actor=request.user, fund=fund, **fields)
        return Response(PlanLineSerializer(line).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=AssemblyInputSerializer, responses={201: GeneralAssemblySerializer, **ERRORS},
                   description="Record the General Assembly that approved the draft (multipart for the minutes PDF).")
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        plan = self.get_object()
        if not can_approve(request.user, plan.cooperative_id):
            raise PermissionDenied
        data = AssemblyInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        assembly = services.plan_approve(plan=plan, actor=request.user, **data.validated_data)
        return Response(GeneralAssemblySerializer(assembly).data, status=status.HTTP_201_CREATED)


@extend_schema_view(list=extend_schema(parameters=[COOPERATIVE, YEAR, LINE]))
class AllocationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Premium moved from the unallocated fund to a line's fund."""

    serializer_class = AllocationSerializer

    def get_queryset(self):
        params = self.request.query_params
        return selectors.allocations_visible_to(
            self.request.user, cooperative_id=int_param(params, "cooperative"), year=int_param(params, "year"),
            line_id=int_param(params, "line"))

    @extend_schema(request=AllocationInputSerializer, parameters=[IDEMPOTENCY_KEY],
                   responses={201: AllocationSerializer, **ERRORS})
    def create(self, request):
        _require_a_writer(request)
        key = idempotency_key(request)
        data = AllocationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        line = _writable_line(request, data.validated_data["line"])
        allocation = services.premium_allocate(line=line, actor=request.user, amount=data.validated_data["amount"],
                                               date=data.validated_data["date"], idempotency_key=key)
        return Response(AllocationSerializer(allocation).data, status=status.HTTP_201_CREATED)


@extend_schema_view(list=extend_schema(parameters=[COOPERATIVE, YEAR, LINE]))
class SpendingViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Premium spent from a line's fund (fund to bank), with the supplier's invoice."""

    serializer_class = SpendingSerializer

    def get_queryset(self):
        params = self.request.query_params
        return selectors.spending_visible_to(
            self.request.user, cooperative_id=int_param(params, "cooperative"), year=int_param(params, "year"),
            line_id=int_param(params, "line"))

    @extend_schema(request=SpendingInputSerializer, parameters=[IDEMPOTENCY_KEY],
                   responses={201: SpendingSerializer, **ERRORS},
                   description="Multipart to attach the receipt (PDF, JPEG or PNG).")
    def create(self, request):
        _require_a_writer(request)
        key = idempotency_key(request)
        data = SpendingInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        line = _writable_line(request, fields.pop("line"))
        if line.plan.status != PlanStatus.APPROVED:
            raise ValidationError({"line": [_("Premium is spent only from a line of the plan the General Assembly approved.")]})
        spending = services.premium_spend(line=line, actor=request.user, idempotency_key=key, **fields)
        return Response(SpendingSerializer(spending).data, status=status.HTTP_201_CREATED)
