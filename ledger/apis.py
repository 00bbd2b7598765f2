"""The books under /api/v1/ledger/: the same scoping as the pages (ledger/permissions.py)."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from coop.api import ErrorSerializer
from coop.params import date_param, int_param

from . import selectors, services
from .models import Account, Period, Transaction
from .permissions import books_visible_to, can_post, can_reopen, cooperatives_with_books_for
from .serializers import (
    AccountSerializer,
    PeriodCloseSerializer,
    PeriodReopenSerializer,
    PeriodSerializer,
    ReverseSerializer,
    StatementLineSerializer,
    StatementPageSerializer,
    TransactionCreateSerializer,
    TransactionSerializer,
    TrialBalanceLineSerializer,
)

ERRORS = {400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer}
COOPERATIVE = OpenApiParameter("cooperative", int, description="Cooperative id")


def _cooperative(request, coop_id):
    return get_object_or_404(cooperatives_with_books_for(request.user), pk=coop_id or 0)


@extend_schema(parameters=[COOPERATIVE])
class AccountViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = AccountSerializer

    def get_queryset(self):
        accounts = books_visible_to(self.request.user, Account.objects.select_related("cooperative")).order_by("cooperative", "code")
        coop_id = int_param(self.request.query_params, "cooperative")
        return accounts.filter(cooperative_id=coop_id) if coop_id else accounts

    @extend_schema(
        parameters=[OpenApiParameter("after", str, description="date_legid where the previous page ended")],
        responses={200: StatementPageSerializer, 404: ErrorSerializer},
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def statement(self, request, pk=None):
        account = self.get_object()
        after = selectors.statement_position(request.query_params.get("after", ""))
        rows, opening, has_more = selectors.account_statement(account=account, after=after)
        next_after = selectors.statement_token(rows[-1]) if rows and has_more else None
        return Response({"opening": str(opening), "next_after": next_after,
                         "results": StatementLineSerializer(rows, many=True).data})


@extend_schema(parameters=[COOPERATIVE, OpenApiParameter("from", str), OpenApiParameter("to", str), OpenApiParameter("account", int)])
class TransactionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = TransactionSerializer

    def get_queryset(self):
        entries = books_visible_to(self.request.user, Transaction.objects.all())
        if self.action == "list":
            coop_id = int_param(self.request.query_params, "cooperative")
            if coop_id:
                entries = entries.filter(cooperative_id=coop_id)
            if date_param(self.request.query_params, "from"):
                entries = entries.filter(date__gte=date_param(self.request.query_params, "from"))
            if date_param(self.request.query_params, "to"):
                entries = entries.filter(date__lte=date_param(self.request.query_params, "to"))
            account = int_param(self.request.query_params, "account")
            if account:
                entries = entries.filter(legs__account_id=account).distinct()
        return entries.select_related("cooperative", "posted_by").prefetch_related("legs__account").order_by("-date", "-id")

    @extend_schema(
        request=TransactionCreateSerializer,
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER,
                                     description="A retry with the same key returns the first transaction")],
        responses={201: TransactionSerializer, **ERRORS},
    )
    def create(self, request):
        data = TransactionCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        cooperative = _cooperative(request, data.validated_data["cooperative"])
        if not can_post(request.user, cooperative.pk):
            raise PermissionDenied
        wanted = [leg["account"] for leg in data.validated_data["legs"]]
        accounts = {a.pk: a for a in Account.objects.filter(cooperative=cooperative, pk__in=wanted)}
        unknown = [pk for pk in wanted if pk not in accounts]
        if unknown:
            return Response({"legs": [f"Unknown account {pk} in {cooperative.short_name}." for pk in unknown]},
                            status=status.HTTP_400_BAD_REQUEST)
        entry = services.transaction_post(
            cooperative=cooperative, actor=request.user, date=data.validated_data["date"],
            memo=data.validated_data["memo"], source=data.validated_data["source"],
            legs=[(accounts[leg["account"]], leg["amount"]) for leg in data.validated_data["legs"]],
            idempotency_key=request.headers.get("Idempotency-Key") or None,
        )
        return Response(TransactionSerializer(self.get_queryset().get(pk=entry.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ReverseSerializer, responses={201: TransactionSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def reverse(self, request, pk=None):
        entry = self.get_object()
        if not can_post(request.user, entry.cooperative_id):
            raise PermissionDenied
        data = ReverseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        reversal = services.transaction_reverse(entry=entry, actor=request.user, **data.validated_data)
        return Response(TransactionSerializer(self.get_queryset().get(pk=reversal.pk)).data, status=status.HTTP_201_CREATED)


class TrialBalanceView(APIView):
    @extend_schema(parameters=[COOPERATIVE, OpenApiParameter("on", str, description="YYYY-MM-DD; today if absent")],
                   responses={200: TrialBalanceLineSerializer(many=True), 404: ErrorSerializer})
    def get(self, request):
        cooperative = _cooperative(request, int_param(request.query_params, "cooperative"))
        lines = selectors.trial_balance(user=request.user, cooperative=cooperative, on=date_param(request.query_params, "on"))
        return Response(TrialBalanceLineSerializer(lines, many=True).data)


@extend_schema(parameters=[COOPERATIVE])
class PeriodViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = PeriodSerializer

    def get_queryset(self):
        periods = books_visible_to(self.request.user, Period.objects.select_related("closed_by", "reopening__reopened_by"))
        coop_id = int_param(self.request.query_params, "cooperative")
        return (periods.filter(cooperative_id=coop_id) if coop_id else periods).order_by("-starts_on", "pk")

    @extend_schema(request=PeriodCloseSerializer, responses={201: PeriodSerializer, **ERRORS})
    def create(self, request):
        data = PeriodCloseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        cooperative = _cooperative(request, data.validated_data["cooperative"])
        if not can_post(request.user, cooperative.pk):
            raise PermissionDenied
        period = services.period_close(cooperative=cooperative, actor=request.user,
                                       starts_on=data.validated_data["starts_on"], ends_on=data.validated_data["ends_on"])
        return Response(PeriodSerializer(period).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PeriodReopenSerializer, responses={200: PeriodSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        period = get_object_or_404(self.get_queryset(), pk=pk)
        if not can_reopen(request.user, period.cooperative_id):
            raise PermissionDenied
        data = PeriodReopenSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        period = services.period_reopen(period=period, actor=request.user, reason=data.validated_data["reason"])
        return Response(PeriodSerializer(period).data)
