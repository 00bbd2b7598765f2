from decimal import Decimal

from rest_framework import serializers

from .models import Installment, Loan, LoanPolicy, LoanRound, Repayment, Reschedule, RoundLine, WriteOff


class LoanPolicySerializer(serializers.ModelSerializer):
    cooperative = serializers.SlugRelatedField(slug_field="short_name", read_only=True)

    class Meta:
        model = LoanPolicy
        fields = ["id", "cooperative", "valid_from", "minimum_amount", "maximum_amount", "overdue_days_limit",
                  "repayment", "installments", "per_box", "grace_days"]


class RoundLineSerializer(serializers.ModelSerializer):
    member = serializers.SlugRelatedField(slug_field="number", read_only=True)

    class Meta:
        model = RoundLine
        fields = ["id", "member", "boxes", "amount", "capped", "excluded", "declined_at"]


class LoanRoundSerializer(serializers.ModelSerializer):
    cooperative = serializers.SlugRelatedField(slug_field="short_name", read_only=True)
    proposed_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    approved_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    lent = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True, allow_null=True)

    class Meta:
        model = LoanRound
        fields = ["id", "cooperative", "year", "quarter", "status", "pool", "minimum_amount", "maximum_amount",
                  "reference_start", "reference_end", "proposed_by", "proposed_at", "approved_by", "approved_at",
                  "disbursed_on", "lent"]


class LoanRoundDetailSerializer(LoanRoundSerializer):
    lines = RoundLineSerializer(many=True, read_only=True)

    class Meta(LoanRoundSerializer.Meta):
        fields = [*LoanRoundSerializer.Meta.fields, "lines"]


class RoundProposeSerializer(serializers.Serializer):
    cooperative = serializers.IntegerField()
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    quarter = serializers.IntegerField(min_value=1, max_value=4)
    pool = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=Decimal("0.01"))
    minimum_amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=Decimal("0"))
    maximum_amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=Decimal("0.01"),
                                              required=False, allow_null=True)


class RoundStepSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=["approve", "disburse", "cancel"])
    date = serializers.DateField(required=False)
    reason = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)


class InstallmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Installment
        fields = ["number", "due_on", "amount"]


class LoanSerializer(serializers.ModelSerializer):
    member = serializers.SlugRelatedField(slug_field="number", read_only=True)
    round = serializers.IntegerField(source="line.round_id", read_only=True)
    repaid = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    written_off = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    balance = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True,
                                       help_text="What is still owed: principal less repaid less written off.")
    installments = InstallmentSerializer(many=True, read_only=True, source="installments_in_force")

    class Meta:
        model = Loan
        fields = ["id", "member", "round", "principal", "disbursed_on", "status", "repaid", "written_off", "balance",
                  "installments"]


class RepaymentSerializer(serializers.ModelSerializer):
    member = serializers.CharField(source="loan.member.number", read_only=True)
    recorded_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Repayment
        fields = ["id", "loan", "member", "amount", "date", "method", "reference", "transaction", "recorded_by",
                  "recorded_at"]


class RepaymentInputSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=Decimal("0.01"))
    date = serializers.DateField()
    reference = serializers.CharField(max_length=80, required=False, default="", allow_blank=True)


class WriteOffSerializer(serializers.ModelSerializer):
    decided_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = WriteOff
        fields = ["id", "loan", "amount", "reason", "decided_by", "decided_on", "transaction"]


class WriteOffInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)
    date = serializers.DateField(required=False)


class RescheduleSerializer(serializers.ModelSerializer):
    decided_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Reschedule
        fields = ["id", "loan", "paid_before", "balance", "installments", "first_due", "reason", "decided_by",
                  "decided_at"]


class RescheduleInputSerializer(serializers.Serializer):
    installments = serializers.IntegerField(min_value=1, max_value=24)
    first_due = serializers.DateField()
    reason = serializers.CharField(max_length=300)
