"""Plain serializers per operation; writes go through services, so these only shape data."""

from rest_framework import serializers

from coop.models import Cooperative

from .models import HouseholdMember, Member, MemberStatus, Plot
from .services import HOUSEHOLD_FIELDS, MEMBER_FIELDS, PLOT_FIELDS


class HouseholdMemberSerializer(serializers.ModelSerializer):
    dependent_today = serializers.SerializerMethodField()

    class Meta:
        model = HouseholdMember
        fields = ["id", "member", *HOUSEHOLD_FIELDS, "dependent_today"]
        read_only_fields = ["member"]

    def get_dependent_today(self, person) -> bool:
        from django.utils import timezone

        return person.is_dependent_on(timezone.localdate(), person.member.cooperative)


class PlotSerializer(serializers.ModelSerializer):
    class Meta:
        model = Plot
        fields = ["id", "member", *PLOT_FIELDS]
        read_only_fields = ["member"]


class MemberSerializer(serializers.ModelSerializer):
    cooperative = serializers.SlugRelatedField(slug_field="short_name", read_only=True)
    total_ha = serializers.DecimalField(max_digits=12, decimal_places=4, read_only=True)

    class Meta:
        model = Member
        fields = ["id", "cooperative", *MEMBER_FIELDS, "status", "total_ha"]


class MemberDetailSerializer(MemberSerializer):
    household = HouseholdMemberSerializer(many=True, read_only=True)
    plots = PlotSerializer(many=True, read_only=True)

    class Meta(MemberSerializer.Meta):
        fields = [*MemberSerializer.Meta.fields, "household", "plots"]


class MemberWriteSerializer(serializers.ModelSerializer):
    """Shapes input only: unique and cross-field rules are checked by the service."""

    class Meta:
        model = Member
        fields = list(MEMBER_FIELDS)
        validators = []  # the service checks uniqueness within the co-op


class MemberCreateSerializer(MemberWriteSerializer):
    cooperative = serializers.PrimaryKeyRelatedField(queryset=Cooperative.objects.all())

    class Meta(MemberWriteSerializer.Meta):
        fields = ["cooperative", *MEMBER_FIELDS]


class MemberStatusChangeSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=MemberStatus.choices)
    effective_on = serializers.DateField()
    reason = serializers.CharField(max_length=300)


class HouseholdMemberWriteSerializer(serializers.ModelSerializer):
    class Meta:
        model = HouseholdMember
        fields = list(HOUSEHOLD_FIELDS)
        validators = []


class PlotWriteSerializer(serializers.ModelSerializer):
    class Meta:
        model = Plot
        fields = list(PLOT_FIELDS)
        validators = []


class MemberRefSerializer(serializers.Serializer):
    member = serializers.IntegerField()
