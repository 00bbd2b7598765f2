from rest_framework import serializers

from .models import Report


class ReportSerializer(serializers.ModelSerializer):
    cooperative = serializers.SlugRelatedField(slug_field="short_name", read_only=True)
    requested_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    download = serializers.SerializerMethodField(help_text="Where the PDF is, once the report is done.")

    class Meta:
        model = Report
        fields = ["id", "cooperative", "kind", "params", "title", "language", "status", "progress", "error", "pages",
                  "requested_by", "requested_at", "finished_at", "download"]

    def get_download(self, report) -> str | None:
        return f"/api/v1/reports/{report.pk}/file/" if report.file else None


class ReportRequestSerializer(serializers.Serializer):
    cooperative = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=["premium", "trial_balance", "loan_statement", "loan_round", "medfund",
                                            "packing_list", "traceability", "settlement_slips"])
    params = serializers.DictField(help_text='What the report is about, e.g. {"year": 2026} or {"shipment": 12}.')
    language = serializers.ChoiceField(choices=["es", "en"], required=False)
