"""REST endpoints of the member register under /api/v1/. Scoping comes from permissions.py."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from coop.api import ErrorSerializer

from . import selectors, services
from .models import HouseholdMember, MemberStatus, OrganicStatus, Plot
from .permissions import (
    can_change_member,
    cooperatives_for_registration,
    members_visible_to,
    related_visible_to,
)
from .serializers import (
    HouseholdMemberSerializer,
    HouseholdMemberWriteSerializer,
    MemberCreateSerializer,
    MemberDetailSerializer,
    MemberRefSerializer,
    MemberSerializer,
    MemberStatusChangeSerializer,
    MemberWriteSerializer,
    PlotSerializer,
    PlotWriteSerializer,
)

ERRORS = {400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer}


def _require_change(user, member) -> None:
    if not can_change_member(user, member):
        raise PermissionDenied


class MemberViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Members: staff see their co-ops' register; a member sees only their own record."""

    serializer_class = MemberSerializer

    def get_queryset(self):
        if self.action == "list":
            return selectors.member_list(user=self.request.user, **selectors.member_filters(self.request.query_params))
        return members_visible_to(self.request.user).select_related("cooperative").prefetch_related(
            "household", "plots"
        ).annotate(total_ha=selectors.total_hectares())

    def get_serializer_class(self):
        return MemberDetailSerializer if self.action == "retrieve" else MemberSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("search", str, description="Words of the name, member number or ID"),
            OpenApiParameter("status", str, enum=MemberStatus.values),
            OpenApiParameter("village", str),
            OpenApiParameter("organic", str, enum=OrganicStatus.values),
            OpenApiParameter("cooperative", int),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=MemberCreateSerializer, responses={201: MemberDetailSerializer, **ERRORS})
    def create(self, request):
        # Permission first: a read-only caller learns nothing from validation messages.
        cooperatives = cooperatives_for_registration(request.user)
        if not cooperatives.exists():
            raise PermissionDenied
        serializer = MemberCreateSerializer(data=request.data)
        # Only co-ops the caller registers in are choices: another co-op's id reads as unknown.
        serializer.fields["cooperative"].queryset = cooperatives
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        cooperative = data.pop("cooperative")
        member = services.member_register(cooperative=cooperative, actor=request.user, **data)
        member = self.get_queryset().get(pk=member.pk)
        return Response(MemberDetailSerializer(member).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=MemberWriteSerializer, responses={200: MemberDetailSerializer, **ERRORS})
    def partial_update(self, request, pk=None):
        member = self.get_object()
        _require_change(request.user, member)
        serializer = MemberWriteSerializer(member, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        services.member_update(member=member, actor=request.user, **serializer.validated_data)
        return Response(MemberDetailSerializer(self.get_queryset().get(pk=member.pk)).data)

    @extend_schema(request=MemberStatusChangeSerializer, responses={201: MemberDetailSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def status(self, request, pk=None):
        member = self.get_object()
        _require_change(request.user, member)
        serializer = MemberStatusChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.member_status_change(member=member, actor=request.user, **serializer.validated_data)
        member = self.get_queryset().get(pk=member.pk)
        return Response(MemberDetailSerializer(member).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: MemberDetailSerializer, 404: ErrorSerializer})
    @action(detail=False, methods=["get"])
    def me(self, request):
        member = get_object_or_404(self.get_queryset(), user=request.user)
        return Response(MemberDetailSerializer(member).data)


class _MemberPartViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Household members or plots: read by whoever may read the member, written by its staff."""

    model = None
    write_serializer_class = None
    add_service = None
    update_service = None
    instance_kwarg = None

    def get_queryset(self):
        queryset = related_visible_to(
            self.request.user, self.model.objects.select_related("member__cooperative")
        )
        member_id = self.request.query_params.get("member", "")
        if self.action == "list" and member_id.isdecimal():
            queryset = queryset.filter(member_id=int(member_id))
        return queryset.order_by("pk")

    def create(self, request):
        reference = MemberRefSerializer(data=request.data)
        reference.is_valid(raise_exception=True)
        member = get_object_or_404(
            members_visible_to(request.user).select_related("cooperative"), pk=reference.validated_data["member"]
        )
        _require_change(request.user, member)
        serializer = self.write_serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        created = type(self).add_service(member=member, actor=request.user, **serializer.validated_data)
        return Response(self.get_serializer(created).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        instance = self.get_object()
        _require_change(request.user, instance.member)
        serializer = self.write_serializer_class(instance, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        type(self).update_service(
            **{self.instance_kwarg: instance}, actor=request.user, **serializer.validated_data
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=instance.pk)).data)


def _with_member(write_serializer):
    """The create body: the write fields and the member they belong to."""
    member = serializers.IntegerField(help_text="Id of the member")
    meta = type("Meta", (write_serializer.Meta,), {"fields": ["member", *write_serializer.Meta.fields]})
    return type(write_serializer.__name__.replace("Write", "Create"), (write_serializer,),
                {"member": member, "Meta": meta})


def _part_schema(write_serializer, read_serializer):
    return extend_schema_view(
        list=extend_schema(parameters=[OpenApiParameter("member", int)]),
        create=extend_schema(request=_with_member(write_serializer), responses={201: read_serializer, **ERRORS}),
        partial_update=extend_schema(request=write_serializer, responses={200: read_serializer, **ERRORS}),
    )


@_part_schema(HouseholdMemberWriteSerializer, HouseholdMemberSerializer)
class HouseholdMemberViewSet(_MemberPartViewSet):
    model = HouseholdMember
    serializer_class = HouseholdMemberSerializer
    write_serializer_class = HouseholdMemberWriteSerializer
    add_service = staticmethod(services.household_member_add)
    update_service = staticmethod(services.household_member_update)
    instance_kwarg = "person"


@_part_schema(PlotWriteSerializer, PlotSerializer)
class PlotViewSet(_MemberPartViewSet):
    model = Plot
    serializer_class = PlotSerializer
    write_serializer_class = PlotWriteSerializer
    add_service = staticmethod(services.plot_add)
    update_service = staticmethod(services.plot_update)
    instance_kwarg = "plot"
