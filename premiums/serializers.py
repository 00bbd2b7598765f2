from decimal import Decimal

from django.urls import reverse
from rest_framework import serializers

from coop import uploads

from .forms import MAX_PEOPLE
from .models import Allocation, DevelopmentPlan, GeneralAssembly, PlanLine, PlanStatus, Spending

MONEY = {"max_digits": 14, "decimal_places": 2}
MAX_ID = 2**63 - 1


class PlanLineSerializer(serializers.ModelSerializer):
    fund_code = serializers.CharField(source="fund.code", read_only=True)

    class Meta:
        model = PlanLine
        fields = ["id", "code", "project", "objective", "beneficiaries", "budget", "fund", "fund_code"]


class PlanVersusActualSerializer(serializers.Serializer):
    code = serializers.CharField()
    project = serializers.CharField()
    budget = serializers.DecimalField(**MONEY)
    allocated = serializers.DecimalField(**MONEY)
    spent = serializers.DecimalField(**MONEY)
    to_allocate = serializers.DecimalField(**MONEY, help_text="Budget not yet allocated")
    in_fund = serializers.DecimalField(**MONEY, help_text="Allocated and not yet spent")


class GeneralAssemblySerializer(serializers.ModelSerializer):
    recorded_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    minutes_url = serializers.SerializerMethodField(help_text="Download of the minutes (PDF), if one was uploaded")

    class Meta:
        model = GeneralAssembly
        fields = ["held_on", "members_present", "quorum", "votes_for", "votes_against", "abstentions",
                  "minutes_reference", "minutes_url", "recorded_by", "recorded_at"]

    def get_minutes_url(self, assembly) -> str | None:
        return reverse("premiums:minutes", args=[assembly.plan_id]) if assembly.minutes_document else None


class PlanSerializer(serializers.ModelSerializer):
    cooperative = serializers.SlugRelatedField(slug_field="short_name", read_only=True)
    cooperative_id = serializers.IntegerField(read_only=True)
    # A string, not an enum: the schema's enums are named by field, and "status" names others.
    status = serializers.CharField(read_only=True, help_text=" | ".join(PlanStatus.values))
    approval = GeneralAssemblySerializer(read_only=True, allow_null=True)

    class Meta:
        model = DevelopmentPlan
        fields = ["id", "cooperative", "cooperative_id", "year", "version", "status", "created_at", "approval"]


class PlanDetailSerializer(PlanSerializer):
    """A plan with its lines and, for the approved version, plan versus actual per line."""

    lines = PlanLineSerializer(many=True, read_only=True, source="line_list")
    plan_vs_actual = PlanVersusActualSerializer(many=True, read_only=True, allow_null=True,
                                                help_text="Per line; null unless the plan is the approved version")
    totals = PlanVersusActualSerializer(read_only=True, allow_null=True)

    class Meta(PlanSerializer.Meta):
        fields = [*PlanSerializer.Meta.fields, "lines", "plan_vs_actual", "totals"]


class PlanCreateSerializer(serializers.Serializer):
    cooperative = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    year = serializers.IntegerField(min_value=2000, max_value=2100)


class PlanLineInputSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=20, help_text="A line with this code is changed; otherwise one is added")
    project = serializers.CharField(max_length=200)
    objective = serializers.CharField(max_length=2000)
    beneficiaries = serializers.CharField(max_length=200)
    budget = serializers.DecimalField(**MONEY, min_value=Decimal("0.01"))
    fund = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=MAX_ID,
                                    help_text="Fund account id; empty opens a new fund for the line")


class AssemblyInputSerializer(serializers.Serializer):
    held_on = serializers.DateField()
    members_present = serializers.IntegerField(min_value=0, max_value=MAX_PEOPLE)
    quorum = serializers.IntegerField(min_value=0, max_value=MAX_PEOPLE, help_text="Members needed for a valid vote")
    votes_for = serializers.IntegerField(min_value=0, max_value=MAX_PEOPLE)
    votes_against = serializers.IntegerField(min_value=0, max_value=MAX_PEOPLE)
    abstentions = serializers.IntegerField(min_value=0, max_value=MAX_PEOPLE)
    minutes_reference = serializers.CharField(max_length=120)
    minutes_document = serializers.FileField(required=False, allow_null=True, help_text="PDF, at most 10 MB")

    def validate_minutes_document(self, upload):
        return uploads.clean_minutes(upload)


class AllocationSerializer(serializers.ModelSerializer):
    line_code = serializers.CharField(source="line.code", read_only=True)
    recorded_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Allocation
        fields = ["id", "line", "line_code", "amount", "date", "transaction", "recorded_by"]


class AllocationInputSerializer(serializers.Serializer):
    line = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="Plan line id (of the approved plan)")
    amount = serializers.DecimalField(**MONEY, min_value=Decimal("0.01"))
    date = serializers.DateField()


class SpendingSerializer(serializers.ModelSerializer):
    line_code = serializers.CharField(source="line.code", read_only=True)
    recorded_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    receipt_url = serializers.SerializerMethodField(help_text="Download of the receipt, if one was uploaded")

    class Meta:
        model = Spending
        fields = ["id", "line", "line_code", "amount", "date", "supplier", "invoice_number", "description",
                  "receipt_url", "transaction", "recorded_by"]

    def get_receipt_url(self, spending) -> str | None:
        return reverse("premiums:receipt", args=[spending.pk]) if spending.receipt else None


class SpendingInputSerializer(serializers.Serializer):
    line = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="Plan line id (of the approved plan)")
    amount = serializers.DecimalField(**MONEY, min_value=Decimal("0.01"))
    date = serializers.DateField()
    supplier = serializers.CharField(max_length=200)
    invoice_number = serializers.CharField(max_length=60)
    description = serializers.CharField(max_length=300)
    receipt = serializers.FileField(required=False, allow_null=True, help_text="PDF, JPEG or PNG, at most 10 MB")

    def validate_receipt(self, upload):
        return uploads.clean_receipt(upload)
