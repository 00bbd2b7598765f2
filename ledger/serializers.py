from rest_framework import serializers

from .models import Account, Leg, Period, Transaction


class AccountSerializer(serializers.ModelSerializer):
    cooperative = serializers.SlugRelatedField(slug_field="short_name", read_only=True)

    class Meta:
        model = Account
        fields = ["id", "cooperative", "code", "name", "type", "no_overdraft", "balance"]


class LegSerializer(serializers.ModelSerializer):
    account_code = serializers.CharField(source="account.code", read_only=True)

    class Meta:
        model = Leg
        fields = ["account", "account_code", "amount"]


class TransactionSerializer(serializers.ModelSerializer):
    cooperative = serializers.SlugRelatedField(slug_field="short_name", read_only=True)
    posted_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    legs = LegSerializer(many=True, read_only=True)

    class Meta:
        model = Transaction
        fields = ["id", "cooperative", "date", "memo", "source", "reverses", "posted_by", "posted_at", "legs"]


class LegInputSerializer(serializers.Serializer):
    account = serializers.IntegerField(help_text="Account id")
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, help_text="Positive debit, negative credit")


class TransactionCreateSerializer(serializers.Serializer):
    cooperative = serializers.IntegerField()
    date = serializers.DateField()
    memo = serializers.CharField(max_length=300)
    source = serializers.CharField(max_length=80, required=False, default="", allow_blank=True)
    legs = LegInputSerializer(many=True)


class ReverseSerializer(serializers.Serializer):
    date = serializers.DateField(required=False)
    memo = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)


class TrialBalanceLineSerializer(serializers.Serializer):
    account = AccountSerializer()
    debit = serializers.DecimalField(max_digits=14, decimal_places=2)
    credit = serializers.DecimalField(max_digits=14, decimal_places=2)


class StatementLineSerializer(serializers.Serializer):
    transaction = serializers.IntegerField(source="leg.transaction_id")
    date = serializers.DateField(source="leg.transaction.date")
    memo = serializers.CharField(source="leg.transaction.memo")
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    balance = serializers.DecimalField(max_digits=14, decimal_places=2)


class PeriodSerializer(serializers.ModelSerializer):
    closed_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    # Read from the period's reopening (null while the period is closed), under the names the API has always used.
    reopened_by = serializers.CharField(source="reopening.reopened_by.username", read_only=True, allow_null=True)
    reopened_at = serializers.DateTimeField(source="reopening.reopened_at", read_only=True, allow_null=True)
    reopen_reason = serializers.CharField(source="reopening.reason", read_only=True, allow_null=True)

    class Meta:
        model = Period
        fields = ["id", "starts_on", "ends_on", "closed_by", "closed_at", "reopened_by", "reopened_at", "reopen_reason"]


class PeriodCloseSerializer(serializers.Serializer):
    cooperative = serializers.IntegerField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()


class PeriodReopenSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class StatementPageSerializer(serializers.Serializer):
    opening = serializers.DecimalField(max_digits=14, decimal_places=2, help_text="Balance before the first line")
    next_after = serializers.CharField(allow_null=True, help_text="Pass as ?after= for the next page; null at the end")
    results = StatementLineSerializer(many=True)
