from rest_framework import serializers

from .models import Certification, Cooperative


class CertificationSerializer(serializers.ModelSerializer):
    expiring_soon = serializers.BooleanField(source="is_expiring_soon", read_only=True)
    expired = serializers.BooleanField(source="is_expired", read_only=True)

    class Meta:
        model = Certification
        fields = [
            "id", "kind", "name", "number", "certifier", "issued_on", "expires_on",
            "expiring_soon", "expired",
        ]


class CooperativeSerializer(serializers.ModelSerializer):
    certifications = CertificationSerializer(many=True, read_only=True)

    class Meta:
        model = Cooperative
        fields = [
            "id", "name", "short_name", "country", "region", "currency", "fairtrade_id",
            "dependent_age_limit", "dependent_student_age_limit", "certifications",
        ]
