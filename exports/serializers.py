from decimal import Decimal

from rest_framework import serializers

from .models import Delivery, Shipment, ShipmentStep


class ShipmentStepSerializer(serializers.ModelSerializer):
    by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = ShipmentStep
        fields = ["status", "at", "by", "note"]


class PremiumSerializer(serializers.Serializer):
    accrued = serializers.DecimalField(max_digits=14, decimal_places=2, source="premium_accrued")
    paid = serializers.DecimalField(max_digits=14, decimal_places=2, source="premium_received")
    outstanding = serializers.DecimalField(max_digits=14, decimal_places=2, source="premium_outstanding")


class ShipmentSerializer(serializers.ModelSerializer):
    cooperative = serializers.SlugRelatedField(slug_field="short_name", read_only=True)
    importer = serializers.SlugRelatedField(slug_field="name", read_only=True)
    product = serializers.SlugRelatedField(slug_field="code", read_only=True)
    boxes = serializers.IntegerField(read_only=True)
    rejected_boxes = serializers.IntegerField(source="rejected", read_only=True)
    premium = PremiumSerializer(source="*", read_only=True)

    class Meta:
        model = Shipment
        fields = [
            "id", "cooperative", "importer", "product", "container_number", "seal_number", "booking_number",
            "vessel", "voyage", "port_of_loading", "port_of_destination", "etd", "eta", "incoterm",
            "price_per_box", "fairtrade", "organic", "capacity", "status", "boxes", "rejected_boxes",
            "invoice_number", "invoiced_on", "invoice_amount", "premium",
        ]


class TraceLineSerializer(serializers.Serializer):
    member = serializers.CharField(help_text="Member number; with the name when the co-op shares names")
    name = serializers.CharField(required=False, help_text="Only when the co-op shares producers' names")
    plot = serializers.CharField()
    organic_status = serializers.CharField()
    boxes = serializers.IntegerField()
    rejected_boxes = serializers.IntegerField()


class ShipmentCertificationSerializer(serializers.Serializer):
    kind = serializers.CharField()
    number = serializers.CharField()
    expires_on = serializers.DateField()


class ShipmentDocumentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    uploaded_at = serializers.DateTimeField()
    url = serializers.SerializerMethodField(help_text="Download (same authentication as the API)")

    def get_url(self, document) -> str:
        path = f"/api/v1/shipments/{document.shipment_id}/documents/{document.pk}/"
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class ShipmentDetailSerializer(ShipmentSerializer):
    steps = ShipmentStepSerializer(many=True, read_only=True)
    documents = ShipmentDocumentSerializer(many=True, read_only=True)
    traceability = serializers.SerializerMethodField()
    certifications = serializers.SerializerMethodField()

    class Meta(ShipmentSerializer.Meta):
        fields = [*ShipmentSerializer.Meta.fields, "steps", "traceability", "certifications", "documents"]

    def get_traceability(self, shipment) -> TraceLineSerializer(many=True):
        from .selectors import traceability

        names = self.context.get("show_names", False)
        return [
            {"member": line.member_number, **({"name": line.member_name} if names else {}), "plot": line.plot_code,
             "organic_status": line.organic_status, "boxes": line.boxes, "rejected_boxes": line.rejected}
            for line in traceability(shipment)
        ]

    def get_certifications(self, shipment) -> ShipmentCertificationSerializer(many=True):
        return [{"kind": c.get_kind_display(), "number": c.number, "expires_on": c.expires_on}
                for c in shipment.cooperative.certifications.all()]


class DeliverySerializer(serializers.ModelSerializer):
    member = serializers.SlugRelatedField(slug_field="number", read_only=True)
    plot = serializers.SlugRelatedField(slug_field="code", read_only=True)
    rejection_reason = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Delivery
        fields = ["id", "member", "plot", "date", "accepted_boxes", "rejected_boxes", "rejection_reason"]


class PremiumPaymentAdviceSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=Decimal("0.01"))
    paid_on = serializers.DateField()
    reference = serializers.CharField(max_length=80)


class PremiumReceiptSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    shipment = serializers.IntegerField(source="shipment_id")
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    paid_on = serializers.DateField(source="received_on")
    reference = serializers.CharField()
    transaction = serializers.IntegerField(source="transaction_id")
    recorded_at = serializers.DateTimeField()


class ReconciliationLineSerializer(serializers.Serializer):
    importer = serializers.CharField()
    shipments = serializers.IntegerField()
    accrued = serializers.DecimalField(max_digits=14, decimal_places=2)
    received = serializers.DecimalField(max_digits=14, decimal_places=2)
    outstanding = serializers.DecimalField(max_digits=14, decimal_places=2)
