"""Steps of a shipment's lifecycle, shared by the exports and premium services."""

from decimal import Decimal

from django.db.models import Sum

from .models import SaleReceipt, Shipment, ShipmentStatus, ShipmentStep

ZERO = Decimal("0.00")


def shipment_step(*, shipment: Shipment, status: str, actor, note: str = "") -> Shipment:
    """Move the (locked) shipment to ``status`` and record who did it."""
    shipment.status = status
    shipment.save(update_fields=["status"])
    ShipmentStep.objects.create(cooperative_id=shipment.cooperative_id, shipment=shipment, status=status, by=actor,
                                note=note)
    return shipment


def sale_outstanding(shipment: Shipment) -> Decimal:
    received = SaleReceipt.objects.filter(shipment=shipment).aggregate(t=Sum("amount"))["t"] or ZERO
    return (shipment.invoice_amount or ZERO) - received


def premium_outstanding(shipment: Shipment) -> Decimal:
    from premiums.models import PremiumAccrual, PremiumReceipt

    accrued = PremiumAccrual.objects.filter(shipment=shipment).values_list("amount", flat=True).first() or ZERO
    received = PremiumReceipt.objects.filter(shipment=shipment).aggregate(t=Sum("amount"))["t"] or ZERO
    return accrued - received


def paid_when_settled(*, shipment: Shipment, actor) -> Shipment:
    """An invoiced shipment whose fruit money and premium are both received is paid."""
    if shipment.status == ShipmentStatus.INVOICED and sale_outstanding(shipment) == 0 and premium_outstanding(shipment) == 0:
        shipment_step(shipment=shipment, status=ShipmentStatus.PAID, actor=actor)
    return shipment
