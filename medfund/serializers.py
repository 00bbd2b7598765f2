"""The medical fund over the API. Two views of a claim: the amounts and where it stands (what
administrators and accountants read), and the whole claim with its medical details (what the
claimant and the committee read)."""

from decimal import Decimal

from rest_framework import serializers

from .models import Claim, ClaimDocument, ClaimStep, DocumentKind


class ClaimAmountsSerializer(serializers.ModelSerializer):
    member = serializers.CharField(source="member.number", read_only=True)
    member_name = serializers.CharField(source="member.full_name", read_only=True)

    class Meta:
        model = Claim
        fields = ["id", "member", "member_name", "status", "urgent", "amount_requested", "amount_approved",
                  "submitted_at", "approved_at", "paid_at", "transaction"]


class ClaimDocumentSerializer(serializers.ModelSerializer):
    class Meta:
        model = ClaimDocument
        fields = ["id", "kind", "uploaded_at"]


class ClaimStepSerializer(serializers.ModelSerializer):
    actor = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = ClaimStep
        fields = ["kind", "actor", "at", "note"]


class ClaimDetailSerializer(ClaimAmountsSerializer):
    category = serializers.SlugRelatedField(slug_field="code", read_only=True)
    beneficiary = serializers.IntegerField(source="beneficiary_id", read_only=True, allow_null=True,
                                           help_text="Household member id; empty when the claim is for the member.")
    beneficiary_name = serializers.CharField(read_only=True)
    documents = ClaimDocumentSerializer(many=True, read_only=True)
    steps = ClaimStepSerializer(many=True, read_only=True)

    class Meta(ClaimAmountsSerializer.Meta):
        fields = [*ClaimAmountsSerializer.Meta.fields, "category", "beneficiary", "beneficiary_name", "event_date",
                  "description", "decision_reason", "fast_tracked", "documents", "steps"]


class ClaimInputSerializer(serializers.Serializer):
    member = serializers.IntegerField(required=False, help_text="Member id; staff only. A member claims for "
                                                                "their own family and leaves it out.")
    beneficiary = serializers.IntegerField(required=False, allow_null=True,
                                           help_text="Household member id; leave out for the member themself.")
    category = serializers.CharField(max_length=30, help_text="The category's code, e.g. surgery.")
    event_date = serializers.DateField()
    description = serializers.CharField(max_length=2000)
    amount_requested = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=Decimal("0.01"))
    urgent = serializers.BooleanField(required=False, default=False)


class DocumentInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=DocumentKind.choices)
    file = serializers.FileField(help_text="PDF, JPEG or PNG, at most 10 MB.")


class ReviewInputSerializer(serializers.Serializer):
    request_documents = serializers.CharField(max_length=500, required=False, default="", allow_blank=True)


class ApproveInputSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=Decimal("0.01"), required=False,
                                      allow_null=True, help_text="Left out when ratifying a fast-tracked claim.")
    reason = serializers.CharField(max_length=500, required=False, default="", allow_blank=True)
    fast_track = serializers.BooleanField(required=False, default=False)


class RejectInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class PayInputSerializer(serializers.Serializer):
    date = serializers.DateField(required=False)


class CategoryTotalSerializer(serializers.Serializer):
    category = serializers.CharField(source="category__name")
    count = serializers.IntegerField()
    total = serializers.DecimalField(max_digits=14, decimal_places=2)


class MonthTotalSerializer(CategoryTotalSerializer):
    month = serializers.DateTimeField()


class DashboardSerializer(serializers.Serializer):
    """Totals only: nothing that names a person."""

    balance = serializers.DecimalField(max_digits=14, decimal_places=2)
    committed = serializers.DecimalField(max_digits=14, decimal_places=2)
    committed_count = serializers.IntegerField()
    free = serializers.DecimalField(max_digits=14, decimal_places=2)
    open_count = serializers.IntegerField()
    open_total = serializers.DecimalField(max_digits=14, decimal_places=2)
    paid_total = serializers.DecimalField(max_digits=14, decimal_places=2)
    paid_count = serializers.IntegerField()
    average_days = serializers.DecimalField(max_digits=6, decimal_places=1, allow_null=True,
                                            help_text="Days from submission to payment, this year.")
    paid_by_category = CategoryTotalSerializer(many=True)
    months = MonthTotalSerializer(many=True)
