"""The medical fund under /api/v1/medfund/, with the pages' rules (medfund/permissions.py): the
claimant and the committee read the medical details, administrators and accountants the amounts,
the board and cluster staff the anonymised dashboard. Answers carry Cache-Control: no-store and
every claim read is logged."""

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from coop import uploads
from coop.api import ErrorSerializer, idempotency_key
from coop.params import int_param
from exports.selectors import member_of
from members.models import HouseholdMember, Member

from . import selectors, services
from .models import Category, Claim
from .permissions import (
    can_pay,
    can_review,
    claimable_members,
    claims_visible_to,
    cooperatives_with_fund_for,
    details_cooperative_ids,
    sees_details,
)
from .serializers import (
    ApproveInputSerializer,
    ClaimAmountsSerializer,
    ClaimDetailSerializer,
    ClaimInputSerializer,
    DashboardSerializer,
    DocumentInputSerializer,
    PayInputSerializer,
    RejectInputSerializer,
    ReviewInputSerializer,
)

ERRORS = {400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer}
COOPERATIVE = OpenApiParameter("cooperative", int, description="Cooperative id")
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key", str, OpenApiParameter.HEADER, required=True,
    description="Required; at most 80 printable ASCII characters. A retry with the same key by the same user returns the "
                "paid claim instead of an error")
# The claimant and the committee get the whole claim (the fields of ClaimDetail); administrators and
# accountants the amounts and status only.
CLAIM_ANSWER = OpenApiResponse(ClaimAmountsSerializer, description=(
    "The amounts and status; the claimant and the committee also get the medical details (see ClaimDetail)."))


class NoStore:
    """Medical data is never kept by a browser or a proxy."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Cache-Control"] = "no-store, private"
        return response


def _answer(request, claim: Claim, code=status.HTTP_200_OK) -> Response:
    claim = selectors.claim_for(user=request.user, pk=claim.pk)
    services.claims_read(reader=request.user, claims=[claim], via="api")
    serializer = ClaimDetailSerializer if sees_details(request.user, claim) else ClaimAmountsSerializer
    return Response(serializer(claim).data, status=code)


@extend_schema(parameters=[COOPERATIVE, OpenApiParameter("status", str, description="Claim status")])
class ClaimViewSet(NoStore, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Medical claims: a member's own family's, or their co-ops' for the committee and the accountants."""

    serializer_class = ClaimAmountsSerializer
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        return selectors.claim_list(user=self.request.user,
                                    cooperative_id=int_param(self.request.query_params, "cooperative"),
                                    status=self.request.query_params.get("status", "")).prefetch_related(
            "documents", "steps__actor")

    @extend_schema(responses={200: ClaimAmountsSerializer(many=True)},
                   description="The claimant's and the committee's rows carry the medical details too "
                               "(see ClaimDetail); the accountants' the amounts only.")
    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        services.claims_read(reader=request.user, claims=page, via="api-list")
        committee_of = details_cooperative_ids(request.user)
        rows = [(ClaimDetailSerializer if claim.cooperative_id in committee_of or claim.member.user_id == request.user.pk
                 else ClaimAmountsSerializer)(claim).data for claim in page]
        return self.get_paginated_response(rows)

    @extend_schema(responses={200: CLAIM_ANSWER, **ERRORS})
    def retrieve(self, request, *args, **kwargs):
        return _answer(request, self.get_object())

    @extend_schema(request=ClaimInputSerializer, responses={201: CLAIM_ANSWER, **ERRORS},
                   description="A member claims for their family; staff give the member. Documents follow with "
                               "POST claims/{id}/documents/.")
    def create(self, request):
        data = ClaimInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if values.get("member"):
            member = claimable_members(request.user, Member.objects.select_related("cooperative")).filter(
                pk=values["member"]).first()
            if member is None:
                raise ValidationError({"member": [_("Choose a member of your co-op.")]})
        else:
            member = member_of(request.user)
            if member is None:
                raise ValidationError({"member": [_("Say which member the claim is for.")]})
        category = Category.objects.filter(cooperative_id=member.cooperative_id, code=values["category"]).first()
        if category is None:
            raise ValidationError({"category": [_("The co-op has no category %(code)s.") % {"code": values["category"]}]})
        beneficiary = None
        if values.get("beneficiary"):
            beneficiary = HouseholdMember.objects.filter(pk=values["beneficiary"], member=member).first()
            if beneficiary is None:
                raise ValidationError({"beneficiary": [_("Choose a person of the member's household.")]})
        claim = services.claim_submit(member=member, actor=request.user, category=category, beneficiary=beneficiary,
                                      event_date=values["event_date"], description=values["description"],
                                      amount_requested=values["amount_requested"], urgent=values["urgent"])
        return _answer(request, claim, status.HTTP_201_CREATED)

    @extend_schema(request={"multipart/form-data": DocumentInputSerializer},
                   responses={201: CLAIM_ANSWER, **ERRORS})
    @action(detail=True, methods=["post"])
    def documents(self, request, pk=None):
        claim = self.get_object()
        data = DocumentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.claim_document_add(claim=claim, actor=request.user, kind=data.validated_data["kind"],
                                    upload=data.validated_data["file"])
        return _answer(request, claim, status.HTTP_201_CREATED)

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiResponse(description="The file"), **ERRORS})
    @action(detail=True, methods=["get"], url_path=r"documents/(?P<document_id>[0-9]+)")
    def document(self, request, pk=None, document_id=None):
        """One of the claim's documents, for the claimant and the committee."""
        claim = self.get_object()
        if not sees_details(request.user, claim):
            raise PermissionDenied
        document = get_object_or_404(claim.documents.all(), pk=document_id)
        services.claims_read(reader=request.user, claims=[claim], via="api-document")
        return uploads.serve(document.file)

    def _committee_step(self, request, serializer_class, service):
        claim = self.get_object()
        if not can_review(request.user, claim.cooperative_id):
            raise PermissionDenied
        data = serializer_class(data=request.data)
        data.is_valid(raise_exception=True)
        service(claim=claim, actor=request.user, **data.validated_data)
        return _answer(request, claim)

    @extend_schema(request=ReviewInputSerializer, responses={200: ClaimDetailSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        """The committee takes the claim up, and may ask the claimant for more documents."""
        return self._committee_step(request, ReviewInputSerializer, services.claim_review)

    @extend_schema(request=ApproveInputSerializer, responses={200: ClaimDetailSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """A committee member's approval (or ratification of a fast-tracked claim); never the claimant."""
        return self._committee_step(request, ApproveInputSerializer, services.claim_approve)

    @extend_schema(request=RejectInputSerializer, responses={200: ClaimDetailSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._committee_step(request, RejectInputSerializer, services.claim_reject)

    @extend_schema(request=PayInputSerializer, parameters=[IDEMPOTENCY_KEY],
                   responses={200: CLAIM_ANSWER, **ERRORS})
    @action(detail=True, methods=["post"])
    def pay(self, request, pk=None):
        """Pay an approved claim from the medical fund (administrators and accountants), in approval order."""
        claim = self.get_object()
        if not can_pay(request.user, claim.cooperative_id):
            raise PermissionDenied
        key = idempotency_key(request, required=True)
        data = PayInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.claim_pay(claim=claim, actor=request.user, date=data.validated_data.get("date"), idempotency_key=key)
        return _answer(request, claim)

    def get_object(self):
        # DRF's lookup: an id that is not a number is a 404 too.
        return generics.get_object_or_404(claims_visible_to(self.request.user, Claim.objects.select_related("member")),
                                          pk=self.kwargs["pk"])


class DashboardView(NoStore, APIView):
    """The fund's anonymised totals for a year (this year by default)."""

    @extend_schema(parameters=[OpenApiParameter("cooperative", int, required=True, description="Cooperative id"),
                               OpenApiParameter("year", int, description="Year; this year by default")],
                   responses={200: DashboardSerializer, **ERRORS})
    def get(self, request):
        cooperative = get_object_or_404(cooperatives_with_fund_for(request.user),
                                        pk=int_param(request.query_params, "cooperative") or 0)
        year = int_param(request.query_params, "year") or timezone.localdate().year
        if not 2000 <= year <= 2100:
            raise ValidationError({"year": [_("A year between 2000 and 2100.")]})
        totals = selectors.dashboard(cooperative_id=cooperative.pk, year=year)
        totals["months"] = selectors.monthly_totals(cooperative_id=cooperative.pk, year=year)
        return Response(DashboardSerializer(totals).data)

