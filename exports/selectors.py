"""Reads of shipments and deliveries, scoped to the user (exports/permissions.py) and with their
totals computed in the database, so a list costs the same few queries at any page size."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, TruncWeek
from django.utils import timezone

from coop.params import date_param, int_param, text_param
from premiums.models import PremiumAccrual, PremiumReceipt

from .models import Delivery, SaleReceipt, Shipment, ShipmentStatus, ShipmentStep
from .permissions import deliveries_visible_to, settlements_visible_to, shipments_visible_to

MONEY_FIELD = DecimalField(max_digits=14, decimal_places=2)
ZERO = Value(Decimal("0.00"), output_field=MONEY_FIELD)


def _sum_of(model, field: str, output=MONEY_FIELD, **where):
    rows = model.objects.filter(shipment=OuterRef("pk"), **where).order_by().values("shipment")
    return Coalesce(Subquery(rows.annotate(total=Sum(field)).values("total"), output_field=output),
                    Value(Decimal("0.00") if output is MONEY_FIELD else 0, output_field=output))


def with_totals(shipments: QuerySet) -> QuerySet:
    """Boxes loaded and rejected, and the money: invoiced, received, premium accrued and received."""
    return shipments.annotate(
        boxes=_sum_of(Delivery, "accepted_boxes", IntegerField()),
        rejected=_sum_of(Delivery, "rejected_boxes", IntegerField()),
        sale_received=_sum_of(SaleReceipt, "amount"),
        premium_accrued=Coalesce(
            Subquery(PremiumAccrual.objects.filter(shipment=OuterRef("pk")).values("amount")[:1],
                     output_field=MONEY_FIELD), ZERO),
        premium_received=_sum_of(PremiumReceipt, "amount"),
    ).annotate(
        premium_outstanding=F("premium_accrued") - F("premium_received"),
        sale_outstanding=Coalesce(F("invoice_amount"), ZERO) - F("sale_received"),
    )


def shipment_filters(params) -> dict:
    """The list's filters from a query string; malformed values are ignored."""
    status = params.get("status", "")
    return {
        "status": status if status in ShipmentStatus.values else "",
        "cooperative_id": int_param(params, "cooperative"),
        "importer_id": int_param(params, "importer"),
        "product": text_param(params, "product", 20),
        "etd_from": date_param(params, "from"),
        "etd_to": date_param(params, "to"),
        "container": text_param(params, "container", 11).upper(),
    }


def shipment_list(*, user, status: str = "", cooperative_id: int | None = None, importer_id: int | None = None,
                  product: str = "", etd_from: datetime.date | None = None, etd_to: datetime.date | None = None,
                  container: str = "") -> QuerySet:
    shipments = shipments_visible_to(user, Shipment.objects.all())
    if status:
        shipments = shipments.filter(status=status)
    if cooperative_id:
        shipments = shipments.filter(cooperative_id=cooperative_id)
    if importer_id:
        shipments = shipments.filter(importer_id=importer_id)
    if product:
        shipments = shipments.filter(product__code__iexact=product)
    if etd_from:
        shipments = shipments.filter(etd__gte=etd_from)
    if etd_to:
        shipments = shipments.filter(etd__lte=etd_to)
    if container:
        shipments = shipments.filter(container_number__startswith=container)
    # Totals come after paging (attach_totals): computed for a page's rows, not for every row
    # the OFFSET skips.
    return shipments.select_related("cooperative", "importer", "product").order_by("-etd", "-id")


TOTALS = ("boxes", "rejected", "sale_received", "premium_accrued", "premium_received", "premium_outstanding",
          "sale_outstanding")


def attach_totals(shipments) -> list:
    """The shipments (a page) with their totals, read in one query for all of them."""
    shipments = list(shipments)
    totals = {row["pk"]: row for row in with_totals(Shipment.objects.filter(pk__in=[s.pk for s in shipments]))
              .values("pk", *TOTALS)}
    for shipment in shipments:
        for name in TOTALS:
            setattr(shipment, name, totals[shipment.pk][name])
    return shipments


def shipment_detail(*, user, pk: int) -> Shipment:
    """One shipment the user may see, with totals, steps and deliveries (member, plot, reason)."""
    deliveries = Delivery.objects.select_related("member", "plot", "rejection_reason").order_by("id")
    return (
        with_totals(shipments_visible_to(user, Shipment.objects.all()))
        .select_related("cooperative", "importer", "product", "premium_accrual__rate")
        .prefetch_related(
            Prefetch("steps", queryset=ShipmentStep.objects.select_related("by").order_by("at", "id")),
            Prefetch("deliveries", queryset=deliveries),
            Prefetch("sale_receipts", queryset=SaleReceipt.objects.select_related("recorded_by")),
            Prefetch("premium_receipts", queryset=PremiumReceipt.objects.select_related("recorded_by")),
            "documents",
            "cooperative__certifications",
        )
        .get(pk=pk)
    )


@dataclass
class TraceLine:
    member_id: int
    member_number: str
    member_name: str
    plot_id: int
    plot_code: str
    organic_status: str
    boxes: int
    rejected: int


def traceability(shipment: Shipment) -> list[TraceLine]:
    """The producers and plots behind a shipment, with their boxes (from prefetched deliveries)."""
    lines: dict[tuple[int, int], TraceLine] = {}
    for delivery in shipment.deliveries.all():
        key = (delivery.member_id, delivery.plot_id)
        line = lines.get(key)
        if line is None:
            line = lines[key] = TraceLine(
                member_id=delivery.member_id, member_number=delivery.member.number,
                member_name=f"{delivery.member.first_name} {delivery.member.last_name}",
                plot_id=delivery.plot_id, plot_code=delivery.plot.code,
                organic_status=delivery.plot.get_organic_status_display(), boxes=0, rejected=0)
        line.boxes += delivery.accepted_boxes
        line.rejected += delivery.rejected_boxes
    return sorted(lines.values(), key=lambda line: (line.member_number, line.plot_code))


def member_deliveries(*, user, member) -> QuerySet:
    """A producer's deliveries, newest first, with the shipment each went into."""
    return (
        deliveries_visible_to(user, Delivery.objects.filter(member=member))
        .select_related("shipment__importer", "plot", "rejection_reason")
        .order_by("-date", "-id")
    )


@dataclass
class MassBalanceLine:
    week: datetime.date
    organic: bool
    fairtrade: bool
    delivered: int
    rejected: int
    shipped: int


def mass_balance(*, user, cooperative, year: int) -> list[MassBalanceLine]:
    """Per week and lot (organic, Fairtrade): boxes delivered, rejected, and shipped."""
    rows = (
        deliveries_visible_to(user, Delivery.objects.filter(cooperative=cooperative, date__year=year))
        .exclude(shipment__status=ShipmentStatus.CANCELLED)
        .annotate(week=TruncWeek("date"))
        .values("week", "shipment__organic", "shipment__fairtrade")
        .annotate(
            delivered=Sum("accepted_boxes") + Sum("rejected_boxes"),
            rejected=Sum("rejected_boxes"),
            shipped=Coalesce(Sum("accepted_boxes", filter=~Q(shipment__status__in=["planned", "loading"])), 0),
        )
        .order_by("week", "shipment__organic", "shipment__fairtrade")
    )
    return [MassBalanceLine(week=row["week"], organic=row["shipment__organic"], fairtrade=row["shipment__fairtrade"],
                            delivered=row["delivered"], rejected=row["rejected"], shipped=row["shipped"])
            for row in rows]


@dataclass
class ReconciliationLine:
    importer: str
    shipments: int
    accrued: Decimal
    received: Decimal

    @property
    def outstanding(self) -> Decimal:
        return self.accrued - self.received


def premium_reconciliation(*, user, cooperative, date_from=None, date_to=None) -> tuple[list, QuerySet]:
    """Premium accrued vs received per importer, and the invoiced Fairtrade shipments behind it."""
    shipments = shipments_visible_to(
        user, Shipment.objects.filter(cooperative=cooperative, premium_accrual__isnull=False))
    if date_from:
        shipments = shipments.filter(invoiced_on__gte=date_from)
    if date_to:
        shipments = shipments.filter(invoiced_on__lte=date_to)
    accrued = {row["shipment__importer__name"]: row for row in (
        PremiumAccrual.objects.filter(shipment__in=shipments).values("shipment__importer__name")
        .annotate(count=Count("id"), total=Sum("amount")))}
    received = dict(PremiumReceipt.objects.filter(shipment__in=shipments).values_list("shipment__importer__name")
                    .annotate(total=Sum("amount")))
    lines = [ReconciliationLine(importer=name, shipments=row["count"], accrued=row["total"],
                                received=received.get(name, Decimal("0.00"))) for name, row in sorted(accrued.items())]
    return lines, shipments.select_related("importer").order_by("importer__name", "invoiced_on", "id")


# Settlements -----------------------------------------------------------------------------------


def settlement_list(*, user, cooperative) -> QuerySet:
    """The co-op's settlements, newest week first, with their totals."""
    from .models import Settlement

    return (
        settlements_visible_to(user, Settlement.objects.filter(cooperative=cooperative))
        .annotate(producers=Count("lines"), gross=Sum("lines__gross"), deducted=Sum("lines__deducted"),
                  net=Sum("lines__net"))
        .select_related("computed_by", "approved_by", "posted_by")
        .order_by("-week_start")
    )


def settlement_for(*, user, pk: int):
    from .models import Settlement

    return (
        settlements_visible_to(user, Settlement.objects.all())
        .annotate(producers=Count("lines"), gross=Sum("lines__gross"), deducted=Sum("lines__deducted"),
                  net=Sum("lines__net"), carried=Sum("lines__carried_forward"))
        .select_related("cooperative", "computed_by", "approved_by", "posted_by")
        .get(pk=pk)
    )


def settlement_lines(settlement) -> QuerySet:
    return settlement.lines.select_related("member").order_by("member__number")


def slip_for(*, user, settlement_id: int, member_id: int):
    """A settlement line the user may see: staff of the co-op, or the producer it pays."""
    from coop.tenancy import cooperative_ids_with

    from .models import SettlementLine
    from .permissions import SHIPMENT_READERS

    lines = SettlementLine.objects.filter(settlement_id=settlement_id, member_id=member_id)
    if not user.is_superuser:
        lines = lines.filter(Q(cooperative_id__in=cooperative_ids_with(user, SHIPMENT_READERS)) | Q(member__user=user))
    return (lines.select_related("settlement__cooperative", "member")
            .prefetch_related(Prefetch("deductions", queryset=_deductions()))
            .get())


def _deductions():
    from .models import SettlementDeduction

    return SettlementDeduction.objects.select_related("type").order_by("type__priority", "type__code")


def slip_deliveries(line) -> QuerySet:
    week_end = line.settlement.week_start + datetime.timedelta(days=6)
    return (Delivery.objects.filter(member_id=line.member_id, date__range=(line.settlement.week_start, week_end))
            .exclude(shipment__status__in=["planned", "loading", "cancelled"])
            .select_related("plot", "shipment", "rejection_reason").order_by("date", "id"))


def member_of(user):
    from members.models import Member

    return Member.objects.filter(user=user).select_related("cooperative").first()


@dataclass
class MemberWeek:
    week: datetime.date
    deliveries: list
    accepted: int
    rejected: int
    slip: object | None


def member_weeks(*, user, member, weeks: int = 12) -> list[MemberWeek]:
    """The member's last ``weeks`` weeks with deliveries: lines, totals and the slip when settled."""
    from .models import SettlementLine, SettlementStatus

    since = timezone.localdate() - datetime.timedelta(weeks=weeks)
    deliveries = list(member_deliveries(user=user, member=member).filter(date__gte=since))
    slips = {
        line.settlement.week_start: line
        for line in SettlementLine.objects.filter(member=member, settlement__week_start__gte=since - datetime.timedelta(days=7),
                                                  settlement__status=SettlementStatus.POSTED).select_related("settlement")
    }
    by_week: dict[datetime.date, list] = {}
    for delivery in deliveries:
        by_week.setdefault(delivery.date - datetime.timedelta(days=delivery.date.weekday()), []).append(delivery)
    return [
        MemberWeek(week=week, deliveries=rows, accepted=sum(d.accepted_boxes for d in rows),
                   rejected=sum(d.rejected_boxes for d in rows), slip=slips.get(week))
        for week, rows in sorted(by_week.items(), reverse=True)
    ]


def producer_shipments(*, user, member) -> QuerySet:
    """Traceability from the producer: the shipments their boxes went into, with their boxes."""
    return (
        deliveries_visible_to(user, Delivery.objects.filter(member=member))
        .values("shipment_id", "shipment__container_number", "shipment__etd", "shipment__status",
                "shipment__importer__name", "shipment__organic", "shipment__fairtrade")
        .annotate(boxes=Sum("accepted_boxes"), rejected=Sum("rejected_boxes"), plots=Count("plot", distinct=True))
        .order_by("-shipment__etd", "-shipment_id")
    )
