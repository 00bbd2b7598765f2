"""Shipments under /api/v1/shipments/: importers' programs see the shipments sold to them, across
every co-op; co-op staff see their co-ops'. Scoped in exports/permissions.py."""

import hashlib
import json

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from coop.api import ErrorSerializer
from coop.params import date_param, int_param
from coop.uploads import serve
from ops.routers import reads_from_replica
from premiums.services import IdempotencyConflict, premium_receive

from . import selectors
from .models import Shipment, ShipmentStatus
from .permissions import can_change, cooperatives_with_exports_for, importer_id_of
from .serializers import (
    DeliverySerializer,
    PremiumPaymentAdviceSerializer,
    PremiumReceiptSerializer,
    ReconciliationLineSerializer,
    ShipmentDetailSerializer,
    ShipmentSerializer,
)

ERRORS = {400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer}


def request_digest(data) -> str:
    """A fingerprint of what the client sent, to tell a retry from a different request."""
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


@extend_schema(parameters=[
    OpenApiParameter("status", str, enum=ShipmentStatus.values),
    OpenApiParameter("cooperative", int, description="Cooperative id"),
    OpenApiParameter("importer", int, description="Importer id (staff)"),
    OpenApiParameter("product", str, description="Product code"),
    OpenApiParameter("from", str, description="ETD on or after, YYYY-MM-DD"),
    OpenApiParameter("to", str, description="ETD on or before, YYYY-MM-DD"),
    OpenApiParameter("container", str, description="Container number or its beginning"),
])
class ShipmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    def get_queryset(self):
        return selectors.shipment_list(user=self.request.user, **selectors.shipment_filters(self.request.query_params))

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if page is None or self.action != "list":
            return page
        return selectors.attach_totals(page)

    def get_serializer_class(self):
        return ShipmentDetailSerializer if self.action == "retrieve" else ShipmentSerializer

    def list(self, request, *args, **kwargs):
        # Importers' programs poll this list: it is read from the hot standby when there is one
        # (ops/routers.py). Staff, who change shipments and look at them next, read the primary.
        if importer_id_of(request.user) is None:
            return super().list(request, *args, **kwargs)
        return reads_from_replica()(super().list)(request, *args, **kwargs)

    def get_object(self):
        pk = self.kwargs["pk"]
        if not str(pk).isdecimal() or int(pk) > 2**31:
            raise Http404
        try:
            return selectors.shipment_detail(user=self.request.user, pk=int(pk))
        except Shipment.DoesNotExist as error:
            raise Http404 from error

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if self.action == "retrieve":
            shipment = getattr(self, "_shipment", None)
            # Importers see producers' names only where the co-op shares them; staff always do.
            context["show_names"] = bool(shipment) and (
                shipment.cooperative.share_producer_names or importer_id_of(self.request.user) != shipment.importer_id)
        return context

    @extend_schema(responses={200: ShipmentDetailSerializer, 404: ErrorSerializer})
    def retrieve(self, request, *args, **kwargs):
        self._shipment = self.get_object()
        return Response(self.get_serializer(self._shipment).data)

    @extend_schema(responses={200: DeliverySerializer(many=True), 404: ErrorSerializer})
    @action(detail=True, methods=["get"])
    def deliveries(self, request, pk=None):
        shipment = self.get_object()
        page = self.paginate_queryset(list(shipment.deliveries.all()))
        return self.get_paginated_response(DeliverySerializer(page, many=True).data)

    @extend_schema(
        request=PremiumPaymentAdviceSerializer,
        parameters=[OpenApiParameter(
            "Idempotency-Key", str, OpenApiParameter.HEADER,
            description="A retry with the same key and body returns the first response and posts nothing; "
                        "the same key with another body is refused with 409")],
        responses={201: PremiumReceiptSerializer, 409: ErrorSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="premium-payments")
    def premium_payments(self, request, pk=None):
        """Payment advice: the importer says it paid (part of) a shipment's premium."""
        shipment = self.get_object()
        if not (can_change(request.user, shipment.cooperative_id) or importer_id_of(request.user) == shipment.importer_id):
            raise PermissionDenied
        advice = PremiumPaymentAdviceSerializer(data=request.data)
        advice.is_valid(raise_exception=True)
        key = (request.headers.get("Idempotency-Key") or "").strip()
        if len(key) > 120 or "\x00" in key:
            return Response({"Idempotency-Key": ["Use a key of at most 120 characters."]},
                            status=status.HTTP_400_BAD_REQUEST)
        data = advice.validated_data
        try:
            receipt, _created = premium_receive(
                shipment=shipment, actor=request.user, amount=data["amount"], received_on=data["paid_on"],
                reference=data["reference"], idempotency_key=key or None,
                request_digest=request_digest({"shipment": shipment.pk, **data}))
        except IdempotencyConflict:
            return Response({"Idempotency-Key": ["This key was used for a different request."]},
                            status=status.HTTP_409_CONFLICT)
        return Response(PremiumReceiptSerializer(receipt).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, 404: ErrorSerializer},
                   parameters=[OpenApiParameter("document_id", int, OpenApiParameter.PATH)])
    @action(detail=True, methods=["get"], url_path=r"documents/(?P<document_id>[^/.]+)")
    def document(self, request, pk=None, document_id=None):
        """One of the shipment's documents, as a download."""
        shipment = self.get_object()
        document = next((d for d in shipment.documents.all() if str(d.pk) == document_id), None)
        if document is None:
            raise Http404
        return serve(document.file)


class PremiumReconciliationView(APIView):
    """Premium accrued against received per importer, for a co-op's staff (the shipments list
    gives the same per shipment)."""

    @extend_schema(
        parameters=[OpenApiParameter("cooperative", int, required=True, description="Cooperative id"),
                    OpenApiParameter("from", str, description="Invoiced on or after, YYYY-MM-DD"),
                    OpenApiParameter("to", str, description="Invoiced on or before, YYYY-MM-DD")],
        responses={200: ReconciliationLineSerializer(many=True), 404: ErrorSerializer},
    )
    def get(self, request):
        cooperative = get_object_or_404(cooperatives_with_exports_for(request.user),
                                        pk=int_param(request.query_params, "cooperative") or 0)
        lines, _shipments = selectors.premium_reconciliation(
            user=request.user, cooperative=cooperative, date_from=date_param(request.query_params, "from"),
            date_to=date_param(request.query_params, "to"))
        return Response(ReconciliationLineSerializer(lines, many=True).data)
