"""Weekly settlements (liquidación): each producer's accepted boxes x the producer price, minus
deductions, is their net pay for the week.

- Computed from the week's deliveries in containers that have sailed (their boxes are final);
  recomputed as often as needed until approved. Weeks are settled in order, so what one week
  could not recover is carried into the next.
- Deductions are recovered in priority order up to the gross pay; the rest is carried forward.
  Net pay is never negative.
- Approved by a second person (four eyes), then posted once: fruit bought against producer
  payables, and the deductions from producer payables to the accounts they are credited to.
"""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from coop.formatting import amount_text
from coop.models import Cooperative, Role
from coop.tenancy import has_role
from ledger.models import Account
from ledger.services import transaction_post
from loans.repayments import due_at_settlement, repayments_from_settlement

from .models import (
    OPEN_FOR_LOADING,
    DeductionBasis,
    DeductionType,
    Delivery,
    ProducerPrice,
    Product,
    Settlement,
    SettlementDeduction,
    SettlementLine,
    SettlementStatus,
    ShipmentStatus,
)
from .permissions import can_change

FRUIT_BOUGHT, PRODUCER_PAYABLES = "5000", "2000"
SETTLED_SHIPMENTS = (ShipmentStatus.SHIPPED, ShipmentStatus.INVOICED, ShipmentStatus.PAID)
APPROVERS = {Role.ADMIN, Role.ACCOUNTANT, Role.BOARD}
ZERO = Decimal("0.00")


def week_start_of(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def _date_text(day: datetime.date) -> str:
    return formats.date_format(day, "SHORT_DATE_FORMAT")


def _carried_in(cooperative_id: int, week_start: datetime.date) -> dict[tuple[int, int], Decimal]:
    """{(member, deduction type): amount} still owed from the latest earlier settlement of each.

    Raw SQL for DISTINCT ON: the latest row per member and type, read off one index scan."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT DISTINCT ON (l.member_id, d.type_id) l.member_id, d.type_id, d.carried_forward
            FROM exports_settlementdeduction d
            JOIN exports_settlementline l ON l.id = d.line_id
            JOIN exports_settlement s ON s.id = l.settlement_id
            WHERE s.cooperative_id = %s AND s.status = 'posted' AND s.week_start < %s
            ORDER BY l.member_id, d.type_id, s.week_start DESC
            """,
            [cooperative_id, week_start],
        )
        return {(member, kind): owed for member, kind, owed in cursor.fetchall() if owed > 0}


def _producer_prices(cooperative_id: int, on: datetime.date) -> dict[tuple[int, bool], Decimal]:
    prices: dict[tuple[int, bool], Decimal] = {}
    for row in ProducerPrice.objects.filter(cooperative_id=cooperative_id, valid_from__lte=on).order_by(
            "product_id", "organic", "-valid_from"):
        prices.setdefault((row.product_id, row.organic), row.price)
    return prices


def _check_week_can_be_settled(cooperative: Cooperative, week_start: datetime.date, week_end: datetime.date):
    if week_start > timezone.localdate():
        raise ValidationError({"week_start": _("The week has not started yet.")})
    earlier = Settlement.objects.filter(cooperative=cooperative, week_start__lt=week_start).exclude(
        status=SettlementStatus.POSTED).order_by("week_start").first()
    if earlier:
        raise ValidationError({"week_start": _(
            "Settle the weeks in order: the week of %(week)s is not posted yet.") % {
            "week": _date_text(earlier.week_start)}})
    loading = list(
        Delivery.objects.filter(cooperative=cooperative, date__range=(week_start, week_end),
                                shipment__status__in=OPEN_FOR_LOADING)
        .values_list("shipment__container_number", flat=True).distinct().order_by("shipment__container_number")
    )
    if loading:
        raise ValidationError({"week_start": _(
            "Containers still loading hold boxes of this week (%(containers)s): mark them shipped first, "
            "so the boxes are final.") % {"containers": ", ".join(loading)}})


def settlement_compute(*, cooperative: Cooperative, week_start: datetime.date, actor) -> Settlement:
    """Compute (or recompute, until approved) the week's settlement."""
    if not can_change(actor, cooperative.pk):
        raise ValidationError(_("Your role does not allow this."))
    week_start = week_start_of(week_start)
    week_end = week_start + datetime.timedelta(days=6)
    with transaction.atomic():
        # Locked: two people computing the same week wait for each other.
        Cooperative.objects.select_for_update().get(pk=cooperative.pk)
        settlement = Settlement.objects.filter(cooperative=cooperative, week_start=week_start).first()
        if settlement and settlement.status != SettlementStatus.COMPUTED:
            raise ValidationError(_("The settlement of this week is %(status)s; it is not computed again.")
                                  % {"status": settlement.get_status_display().lower()})
        _check_week_can_be_settled(cooperative, week_start, week_end)
        delivered = list(
            Delivery.objects.filter(cooperative=cooperative, date__range=(week_start, week_end),
                                    shipment__status__in=SETTLED_SHIPMENTS)
            .values("member_id", "shipment__product_id", "shipment__organic")
            .annotate(boxes=Sum("accepted_boxes"), rejected=Sum("rejected_boxes"))
            .order_by("member_id")
        )
        if not delivered:
            raise ValidationError({"week_start": _(
                "No boxes of the week of %(week)s went into a shipped container: there is nothing to settle.")
                % {"week": _date_text(week_start)}})
        prices = _producer_prices(cooperative.pk, week_end)
        missing = {(row["shipment__product_id"], row["shipment__organic"]) for row in delivered} - set(prices)
        if missing:
            names = sorted(f"{Product.objects.get(pk=product).name}{' (org.)' if organic else ''}"
                           for product, organic in missing)
            raise ValidationError({"week_start": _("There is no producer price for %(products)s on %(date)s.") % {
                "products": ", ".join(names), "date": _date_text(week_end)}})
        if settlement:
            settlement.delete()
        settlement = Settlement.objects.create(cooperative=cooperative, week_start=week_start, computed_by=actor,
                                               computed_at=timezone.now())
        _write_lines(settlement, delivered, prices)
    return settlement


def _write_lines(settlement: Settlement, delivered: list[dict], prices) -> None:
    per_member: dict[int, dict] = defaultdict(lambda: {"boxes": 0, "rejected": 0, "gross": ZERO})
    for row in delivered:
        line = per_member[row["member_id"]]
        line["boxes"] += row["boxes"]
        line["rejected"] += row["rejected"]
        line["gross"] += row["boxes"] * prices[(row["shipment__product_id"], row["shipment__organic"])]
    types = list(DeductionType.objects.filter(cooperative=settlement.cooperative, active=True)
                 .order_by("priority", "code"))
    carried = _carried_in(settlement.cooperative_id, settlement.week_start)
    loan_dues = {}
    if any(kind.basis == DeductionBasis.LOAN for kind in types):
        loan_dues = due_at_settlement(cooperative_id=settlement.cooperative_id,
                                      week_end=settlement.week_start + datetime.timedelta(days=6),
                                      boxes={member: totals["boxes"] for member, totals in per_member.items()})
    lines, parts = [], []
    for member_id, totals in per_member.items():
        remaining = totals["gross"]
        member_parts = []
        for kind in types:
            if kind.basis == DeductionBasis.LOAN:
                # Recomputed from the loans' schedules each week: what is not recovered stays due.
                this_week, carried_in = loan_dues.get(member_id, ZERO), ZERO
            else:
                this_week = kind.rate * totals["boxes"] if kind.basis == DeductionBasis.PER_BOX else kind.rate
                carried_in = carried.get((member_id, kind.pk), ZERO)
            due = this_week + carried_in
            if due == 0:
                continue
            recovered = min(due, remaining)
            remaining -= recovered
            member_parts.append(SettlementDeduction(type=kind, this_week=this_week, carried_in=carried_in,
                                                    recovered=recovered, carried_forward=due - recovered))
        deducted = totals["gross"] - remaining
        lines.append(SettlementLine(
            cooperative_id=settlement.cooperative_id, settlement=settlement, member_id=member_id,
            boxes=totals["boxes"], rejected_boxes=totals["rejected"], gross=totals["gross"], deducted=deducted,
            net=remaining, carried_forward=sum((p.carried_forward for p in member_parts), ZERO)))
        parts.append(member_parts)
    SettlementLine.objects.bulk_create(lines, batch_size=2000)
    for line, member_parts in zip(lines, parts, strict=True):
        for part in member_parts:
            part.line = line
    SettlementDeduction.objects.bulk_create([p for member_parts in parts for p in member_parts], batch_size=5000)


def can_approve(user, settlement: Settlement) -> bool:
    return (settlement.status == SettlementStatus.COMPUTED and has_role(user, settlement.cooperative_id, APPROVERS)
            and (settlement.computed_by_id != user.pk or user.is_superuser))


def settlement_approve(*, settlement: Settlement, actor) -> Settlement:
    """A second person reviews and approves the computed settlement."""
    if not has_role(actor, settlement.cooperative_id, APPROVERS):
        raise ValidationError(_("Your role does not allow this."))
    with transaction.atomic():
        settlement = Settlement.objects.select_for_update().get(pk=settlement.pk)
        if settlement.status != SettlementStatus.COMPUTED:
            raise ValidationError(_("Only a computed settlement is approved; this one is %(status)s.")
                                  % {"status": settlement.get_status_display().lower()})
        if settlement.computed_by_id == actor.pk and not actor.is_superuser:
            raise ValidationError(_("Someone other than the person who computed it approves the settlement."))
        settlement.status, settlement.approved_by, settlement.approved_at = (
            SettlementStatus.APPROVED, actor, timezone.now())
        settlement.save(update_fields=["status", "approved_by", "approved_at"])
    return settlement


def settlement_post(*, settlement: Settlement, actor, date: datetime.date | None = None) -> Settlement:
    """Post the approved settlement to the books, once."""
    if not can_change(actor, settlement.cooperative_id):
        raise ValidationError(_("Your role does not allow this."))
    with transaction.atomic():
        settlement = Settlement.objects.select_for_update(of=("self",)).select_related("cooperative").get(pk=settlement.pk)
        if settlement.status != SettlementStatus.APPROVED:
            raise ValidationError(_("Only an approved settlement is posted; this one is %(status)s.")
                                  % {"status": settlement.get_status_display().lower()})
        totals = settlement.lines.aggregate(gross=Sum("gross"), net=Sum("net"))
        recovered = (SettlementDeduction.objects.filter(line__settlement=settlement).values("type__account_id")
                     .annotate(total=Sum("recovered")).order_by("type__account_id"))
        accounts = {a.code: a for a in Account.objects.filter(cooperative_id=settlement.cooperative_id,
                                                             code__in=[FRUIT_BOUGHT, PRODUCER_PAYABLES])}
        by_id = Account.objects.in_bulk([row["type__account_id"] for row in recovered])
        gross, net = totals["gross"] or ZERO, totals["net"] or ZERO
        legs = [(accounts[FRUIT_BOUGHT], gross), (accounts[PRODUCER_PAYABLES], -net)]
        legs += [(by_id[row["type__account_id"]], -row["total"]) for row in recovered if row["total"]]
        legs = [(account, amount) for account, amount in legs if amount]
        week_end = settlement.week_start + datetime.timedelta(days=6)
        entry = transaction_post(
            cooperative=settlement.cooperative, date=date or week_end, actor=actor,
            source=f"settlement:{settlement.pk}", idempotency_key=f"settlement:{settlement.pk}",
            memo=_("Settlement of the week of %(week)s: gross %(gross)s, net pay %(net)s") % {
                "week": _date_text(settlement.week_start), "gross": amount_text(gross), "net": amount_text(net)},
            legs=legs,
        )
        settlement.status, settlement.posted_by, settlement.transaction = SettlementStatus.POSTED, actor, entry
        settlement.save(update_fields=["status", "posted_by", "transaction"])
        loans_recovered = dict(
            SettlementDeduction.objects.filter(line__settlement=settlement, type__basis=DeductionBasis.LOAN,
                                               recovered__gt=0)
            .values_list("line__member_id").annotate(total=Sum("recovered")))
        if loans_recovered:
            repayments_from_settlement(settlement=settlement, recovered=loans_recovered, entry=entry, actor=actor)
    return settlement
