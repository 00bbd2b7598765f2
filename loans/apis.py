"""Loans under /api/v1/loans/: policies, rounds (with their lines) and loans, scoped as the pages
are (loans/permissions.py): a member sees only their own loans."""

from django.db.models import Q, Sum
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from coop.api import ErrorSerializer
from coop.params import int_param

from . import services
from .models import Loan, LoanPolicy, LoanRound
from .permissions import can_approve, can_propose, cooperatives_with_loans_for, loans_visible_to, rounds_visible_to
from .serializers import (
    LoanPolicySerializer,
    LoanRoundDetailSerializer,
    LoanRoundSerializer,
    LoanSerializer,
    RoundProposeSerializer,
    RoundStepSerializer,
)

ERRORS = {400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer}
COOPERATIVE = OpenApiParameter("cooperative", int, description="Cooperative id")


def _in_cooperative(request, queryset):
    coop_id = int_param(request.query_params, "cooperative")
    return queryset.filter(cooperative_id=coop_id) if coop_id else queryset


@extend_schema(parameters=[COOPERATIVE])
class LoanPolicyViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = LoanPolicySerializer

    def get_queryset(self):
        policies = rounds_visible_to(self.request.user, LoanPolicy.objects.select_related("cooperative"))
        return _in_cooperative(self.request, policies).order_by("cooperative", "-valid_from")


@extend_schema(parameters=[COOPERATIVE])
class LoanRoundViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    def get_queryset(self):
        rounds = rounds_visible_to(self.request.user, LoanRound.objects.select_related(
            "cooperative", "proposed_by", "approved_by")).annotate(lent=Sum("lines__amount"))
        if self.action == "retrieve":
            rounds = rounds.prefetch_related("lines__member")
        return _in_cooperative(self.request, rounds).order_by("-year", "-quarter", "-id")

    def get_serializer_class(self):
        return LoanRoundDetailSerializer if self.action == "retrieve" else LoanRoundSerializer

    @extend_schema(request=RoundProposeSerializer, responses={201: LoanRoundSerializer, **ERRORS})
    def create(self, request):
        data = RoundProposeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        cooperative = get_object_or_404(cooperatives_with_loans_for(request.user), pk=values["cooperative"])
        if not can_propose(request.user, cooperative.pk):
            raise PermissionDenied
        loan_round = services.round_propose(
            cooperative=cooperative, actor=request.user, year=values["year"], quarter=values["quarter"],
            pool=values["pool"], minimum=values["minimum_amount"], maximum=values.get("maximum_amount"))
        return Response(LoanRoundSerializer(self.get_queryset().get(pk=loan_round.pk)).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(request=RoundStepSerializer, responses={200: LoanRoundSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def step(self, request, pk=None):
        """Approve (a board member other than the proposer), disburse or cancel the round."""
        loan_round = self.get_object()
        data = RoundStepSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        step = data.validated_data["action"]
        if step == "approve" and not can_approve(request.user, loan_round.cooperative_id):
            raise PermissionDenied
        if step == "disburse" and not can_propose(request.user, loan_round.cooperative_id):
            raise PermissionDenied
        if step == "cancel" and not (can_propose(request.user, loan_round.cooperative_id)
                                     or can_approve(request.user, loan_round.cooperative_id)):
            raise PermissionDenied
        if step == "approve":
            services.round_approve(loan_round=loan_round, actor=request.user)
        elif step == "disburse":
            services.round_disburse(loan_round=loan_round, actor=request.user, date=data.validated_data.get("date"))
        else:
            services.round_cancel(loan_round=loan_round, actor=request.user, reason=data.validated_data["reason"])
        return Response(LoanRoundSerializer(self.get_queryset().get(pk=loan_round.pk)).data)


@extend_schema(parameters=[COOPERATIVE, OpenApiParameter("member", int, description="Member id")])
class LoanViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Loans with their installments; a member sees their own."""

    serializer_class = LoanSerializer

    def get_queryset(self):
        loans = loans_visible_to(self.request.user, Loan.objects.select_related("member", "line")
                                 .prefetch_related("installments"))
        member_id = int_param(self.request.query_params, "member")
        loans = loans.filter(Q(member_id=member_id)) if member_id else loans
        return _in_cooperative(self.request, loans).order_by("-disbursed_on", "pk")
