"""Reports under /api/v1/reports/: ask for one (it is built in the background), follow it, download
it. An importer's program asks for the packing list and traceability certificate of the shipments
it bought; staff for their co-ops' reports. Out of scope is 404."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from coop import uploads
from coop.api import ErrorSerializer
from coop.models import Cooperative
from coop.params import int_param

from . import services
from .base import KINDS
from .models import Report
from .permissions import may_read, reports_visible_to
from .serializers import ReportRequestSerializer, ReportSerializer

ERRORS = {400: ErrorSerializer, 404: ErrorSerializer}


@extend_schema(parameters=[OpenApiParameter("cooperative", int, description="Cooperative id")])
class ReportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ReportSerializer
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        reports = reports_visible_to(self.request.user, Report.objects.select_related("cooperative", "requested_by"))
        if coop_id := int_param(self.request.query_params, "cooperative"):
            reports = reports.filter(cooperative_id=coop_id)
        return reports.order_by("-requested_at", "-id")

    def get_object(self):
        report = generics.get_object_or_404(Report.objects.select_related("cooperative", "requested_by"),
                                            pk=self.kwargs["pk"])
        if not may_read(self.request.user, report):
            raise NotFound
        return report

    @extend_schema(request=ReportRequestSerializer, responses={202: ReportSerializer, **ERRORS},
                   description="Queues the report; follow it at reports/{id}/ until its status is done.")
    def create(self, request):
        data = ReportRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        cooperative = get_object_or_404(Cooperative, pk=values["cooperative"])
        kind = KINDS[values["kind"]]
        if not kind.may_ask(request.user, cooperative.pk):
            raise NotFound
        params = kind.clean_params(cooperative, values["params"])
        if not kind.allowed(request.user, cooperative.pk, params):
            raise NotFound
        report = services.report_request(cooperative=cooperative, kind=kind.code, data=params, actor=request.user,
                                         language=values.get("language"))
        return Response(ReportSerializer(report).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses={(200, "application/pdf"): OpenApiResponse(description="The PDF"), **ERRORS})
    @action(detail=True, methods=["get"])
    def file(self, request, pk=None):
        report = self.get_object()
        if not report.file:
            raise NotFound
        return uploads.serve(report.file)
