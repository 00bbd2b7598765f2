"""Loans under /api/v1/loans/: policies, rounds (with their lines), loans and their repayments,
scoped as the pages are (loans/permissions.py): a member sees only their own loans.

Recording a repayment and writing a loan off move money, so they take an Idempotency-Key."""

from django.db.models import Prefetch, Q, Sum
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from coop.api import ErrorSerializer, idempotency_key
from coop.params import int_param
from ledger.services import IdempotencyConflict

from . import repayments, selectors, services
from .models import Installment, Loan, LoanPolicy, LoanRound, Repayment
from .permissions import can_approve, can_propose, cooperatives_with_loans_for, loans_visible_to, rounds_visible_to
from .serializers import (
    LoanPolicySerializer,
    LoanRoundDetailSerializer,
    LoanRoundSerializer,
    LoanSerializer,
    RepaymentInputSerializer,
    RepaymentSerializer,
    RescheduleInputSerializer,
    RescheduleSerializer,
    RoundProposeSerializer,
    RoundStepSerializer,
    WriteOffInputSerializer,
    WriteOffSerializer,
)

ERRORS = {400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer}
COOPERATIVE = OpenApiParameter("cooperative", int, description="Cooperative id")
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key", str, OpenApiParameter.HEADER,
    required=True,
    description="Required; at most 80 printable ASCII characters. A retry with the same key by the same user "
                "returns the first result; the same key with another request answers 409")
CONFLICT = {"Idempotency-Key": ["This key was used for a different request."]}


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
    """Loans with their balance and the installments in force; a member sees their own."""

    serializer_class = LoanSerializer

    def get_queryset(self):
        in_force = Prefetch("installments", queryset=Installment.objects.filter(replaced=False).order_by("number"),
                            to_attr="installments_in_force")
        loans = loans_visible_to(self.request.user, selectors.with_balance(
            Loan.objects.select_related("member", "line")).prefetch_related(in_force))
        member_id = int_param(self.request.query_params, "member")
        loans = loans.filter(Q(member_id=member_id)) if member_id else loans
        return _in_cooperative(self.request, loans).order_by("-disbursed_on", "pk")

    def _loan_for(self, request, allowed) -> Loan:
        """The loan (404 outside one's scope) if ``allowed(user, co-op id)`` (403 otherwise)."""
        loan = self.get_object()
        if not allowed(request.user, loan.cooperative_id):
            raise PermissionDenied
        return loan

    def _move_money(self, request, *, allowed, data_serializer, service, answer_serializer) -> Response:
        """Run a money-moving service on the loan, once per Idempotency-Key: 201 with what it made
        (also for a repeat), 409 when the key was used for another request."""
        loan = self._loan_for(request, allowed)
        key = idempotency_key(request, required=True)
        data = data_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            result = service(loan=loan, actor=request.user, idempotency_key=key, **data.validated_data)
        except IdempotencyConflict:
            return Response(CONFLICT, status=status.HTTP_409_CONFLICT)
        return Response(answer_serializer(result).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=RepaymentInputSerializer, parameters=[IDEMPOTENCY_KEY],
                   responses={201: RepaymentSerializer, 409: ErrorSerializer, **ERRORS},
                   description="Cash or a bank transfer paid on the loan (administrators and accountants); never "
                               "more than the balance. A repeat with the same Idempotency-Key returns the first "
                               "repayment.")
    @action(detail=True, methods=["post"])
    def repay(self, request, pk=None):
        return self._move_money(request, allowed=can_propose, data_serializer=RepaymentInputSerializer,
                                service=repayments.repayment_record, answer_serializer=RepaymentSerializer)

    @extend_schema(request=WriteOffInputSerializer, parameters=[IDEMPOTENCY_KEY],
                   responses={201: WriteOffSerializer, 409: ErrorSerializer, **ERRORS},
                   description="The board writes off what is left of the loan, from the loan fund.")
    @action(detail=True, methods=["post"], url_path="write-off")
    def write_off(self, request, pk=None):
        return self._move_money(request, allowed=can_approve, data_serializer=WriteOffInputSerializer,
                                service=repayments.loan_write_off, answer_serializer=WriteOffSerializer)

    @extend_schema(request=RescheduleInputSerializer, responses={201: RescheduleSerializer, **ERRORS},
                   description="The board spreads the balance over new monthly installments (moves no money).")
    @action(detail=True, methods=["post"])
    def reschedule(self, request, pk=None):
        loan = self._loan_for(request, can_approve)
        data = RescheduleInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        reschedule = repayments.loan_reschedule(loan=loan, actor=request.user, **data.validated_data)
        return Response(RescheduleSerializer(reschedule).data, status=status.HTTP_201_CREATED)


@extend_schema(parameters=[COOPERATIVE, OpenApiParameter("loan", int, description="Loan id"),
                           OpenApiParameter("member", int, description="Member id")])
class RepaymentViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Repayments, cash and settlement deductions; a member sees their own."""

    serializer_class = RepaymentSerializer

    def get_queryset(self):
        rows = loans_visible_to(self.request.user, Repayment.objects.select_related("loan__member", "recorded_by"),
                                member="loan__member")
        params = self.request.query_params
        if loan_id := int_param(params, "loan"):
            rows = rows.filter(loan_id=loan_id)
        if member_id := int_param(params, "member"):
            rows = rows.filter(loan__member_id=member_id)
        return _in_cooperative(self.request, rows).order_by("-date", "-id")
