"""The premium report for a year (or for a year up to the end of a quarter, as the scheduled
quarterly report): what a General Assembly and the Fairtrade auditor read. Premium earned per
importer and shipment and what was received of it, allocations by the Assembly's decision,
spending per development-plan line against the plan, and every fund's opening and closing
balance; it reconciles with the books to the cent."""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Q, Sum
from django.db.models.functions import TruncMonth, TruncQuarter, TruncWeek
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coop.templatetags.coop_format import grouped, money
from exports.models import Delivery
from ledger.models import Account, AccountType, Leg
from premiums.models import Allocation, PremiumAccrual, PremiumReceipt, Spending
from premiums.selectors import plan_versus_actual

from ..base import Table, YearlyReport, int_value, register
from ..charts import bar_chart

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Period:
    """From the first of January of ``year`` to the end of ``quarter`` (the year's end when None)."""

    year: int
    quarter: int | None = None

    @property
    def start(self) -> datetime.date:
        return datetime.date(self.year, 1, 1)

    @property
    def end(self) -> datetime.date:
        if self.quarter is None or self.quarter == 4:
            return datetime.date(self.year, 12, 31)
        return datetime.date(self.year, 3 * self.quarter + 1, 1) - datetime.timedelta(days=1)

    @property
    def months(self) -> int:
        return 12 if self.quarter is None else 3 * self.quarter

    @classmethod
    def of(cls, params: dict) -> "Period":
        return cls(params["year"], params.get("quarter"))


def shipment_rows(cooperative, period: Period) -> list[dict]:
    """Every shipment whose premium was earned (invoiced) in the period: boxes, premium, and what
    was received of it by the period's end."""
    accruals = PremiumAccrual.objects.filter(cooperative=cooperative, date__range=(period.start, period.end))
    received = dict(PremiumReceipt.objects.filter(shipment__premium_accrual__in=accruals, received_on__lte=period.end)
                    .values_list("shipment").annotate(t=Sum("amount")).order_by())
    rows = []
    for accrual in accruals.select_related("shipment__importer").order_by("shipment__importer__name", "date", "id"):
        shipment = accrual.shipment
        paid = received.get(shipment.pk, ZERO)
        rows.append({"importer": shipment.importer.name, "container": shipment.container_number,
                     "invoice": shipment.invoice_number, "date": accrual.date, "boxes": accrual.boxes,
                     "accrued": accrual.amount, "received": paid, "outstanding": accrual.amount - paid})
    return rows


def importer_rows(shipments: list[dict]) -> list[dict]:
    totals = defaultdict(lambda: {"shipments": 0, "boxes": 0, "accrued": ZERO, "received": ZERO})
    for row in shipments:
        total = totals[row["importer"]]
        total["shipments"] += 1
        total["boxes"] += row["boxes"]
        total["accrued"] += row["accrued"]
        total["received"] += row["received"]
    return [{"importer": name, **total, "outstanding": total["accrued"] - total["received"]}
            for name, total in sorted(totals.items())]


def allocation_rows(cooperative, period: Period) -> list[dict]:
    return [{"date": allocation.date, "line": allocation.line.code, "project": allocation.line.project,
             "version": allocation.line.plan.version, "assembly": allocation.line.plan.approval.held_on,
             "minutes": allocation.line.plan.approval.minutes_reference, "amount": allocation.amount}
            for allocation in Allocation.objects.filter(cooperative=cooperative,
                                                        date__range=(period.start, period.end))
            .select_related("line__plan__approval").order_by("date", "id")]


def fund_rows(cooperative, period: Period) -> list[dict]:
    """Every fund's balance at the start and the end of the period, and what came in and went out."""
    funds = list(Account.objects.filter(cooperative=cooperative, type=AccountType.FUND).order_by("code"))
    sums = {row["account"]: row for row in Leg.objects.filter(account__in=funds, date__lte=period.end)
            .values("account")
            .annotate(before=Sum("amount", filter=Q(date__lt=period.start)),
                      credits=Sum("amount", filter=Q(date__gte=period.start, amount__lt=0)),
                      debits=Sum("amount", filter=Q(date__gte=period.start, amount__gt=0))).order_by()}
    rows = []
    for fund in funds:
        row = sums.get(fund.pk, {})
        opening = -(row.get("before") or ZERO)  # funds are credit-normal
        came_in, went_out = -(row.get("credits") or ZERO), row.get("debits") or ZERO
        rows.append({"code": fund.code, "name": fund.name, "opening": opening, "in": came_in, "out": went_out,
                     "closing": opening + came_in - went_out})
    return rows


def quarter_points(cooperative, period: Period) -> list[tuple[str, Decimal]]:
    earned = dict(PremiumAccrual.objects.filter(cooperative=cooperative, date__range=(period.start, period.end))
                  .annotate(q=TruncQuarter("date")).values_list("q").annotate(t=Sum("amount")).order_by())
    return [(_("Q%(quarter)s") % {"quarter": n}, earned.get(datetime.date(period.year, 3 * n - 2, 1), ZERO))
            for n in range(1, period.months // 3 + 1)]


def week_points(cooperative, period: Period) -> list[tuple[str, int]]:
    boxes = dict(Delivery.objects.filter(cooperative=cooperative, date__range=(period.start, period.end),
                                         shipment__fairtrade=True)
                 .annotate(w=TruncWeek("date")).values_list("w").annotate(t=Sum("accepted_boxes")).order_by())
    return [(str(week.isocalendar()[1]), total) for week, total in sorted(boxes.items())]


def fund_month_points(cooperative, period: Period) -> list[tuple[str, Decimal]]:
    """What the funds held together at the end of each month (two grouped queries)."""
    funds = Account.objects.filter(cooperative=cooperative, type=AccountType.FUND)
    before = -(Leg.objects.filter(account__in=funds, date__lt=period.start).aggregate(t=Sum("amount"))["t"] or ZERO)
    moved = dict(Leg.objects.filter(account__in=funds, date__range=(period.start, period.end))
                 .annotate(m=TruncMonth("date")).values_list("m").annotate(t=Sum("amount")).order_by())
    today = timezone.localdate()
    last = period.months if period.end < today else min(period.months, today.month)
    points, held = [], before
    for month in range(1, last + 1):
        held -= moved.get(datetime.date(period.year, month, 1), ZERO)  # funds are credit-normal
        points.append((f"{month:02d}", held))
    return points


def _spending(cooperative, period: Period):
    return (Spending.objects.filter(cooperative=cooperative, date__range=(period.start, period.end))
            .select_related("line").order_by("date", "id"))


def charts(cooperative, period: Period) -> dict:
    """The report's pictures, for its PDF and the pages alike."""
    currency = cooperative.currency
    return {
        "quarter_chart": bar_chart(quarter_points(cooperative, period), title=_("Premium earned per quarter"),
                                   number_format=lambda v: money(v, currency)),
        "week_chart": bar_chart(week_points(cooperative, period), title=_("Fairtrade boxes per week"),
                                number_format=grouped),
        "fund_chart": bar_chart(fund_month_points(cooperative, period), title=_("What the funds held, month by month"),
                                number_format=lambda v: money(v, currency)),
    }


@register
class PremiumReport(YearlyReport):
    code = "premium"
    name = gettext_lazy("Fairtrade premium report")
    template = "reports/premium.html"
    # The shipments' table, laid out this many rows at a time after the report's first part.
    rows_per_part = 600
    stamped = True

    def parts(self, report):
        period = Period.of(report.params)
        shipments = shipment_rows(report.cooperative, period)
        first = [(self.template, lambda: self._context(report, period, shipments))]
        return first + [("reports/premium_shipments.html",
                         lambda start=start: {"rows": shipments[start:start + self.rows_per_part], "first": start == 0})
                        for start in range(0, len(shipments), self.rows_per_part)]

    def clean_params(self, cooperative, data) -> dict:
        params = super().clean_params(cooperative, data)
        if data.get("quarter"):
            quarter = int_value(data, "quarter", _("A quarter from 1 to 4."))
            if not 1 <= quarter <= 4:
                raise ValidationError({"quarter": _("A quarter from 1 to 4.")})
            params["quarter"] = quarter
        return params

    def title(self, cooperative, params) -> str:
        if params.get("quarter"):
            return _("Fairtrade premium report %(year)s to the end of quarter %(quarter)s · %(coop)s") % {
                "year": params["year"], "quarter": params["quarter"], "coop": cooperative.short_name}
        return _("Fairtrade premium report %(year)s · %(coop)s") % {"year": params["year"],
                                                                    "coop": cooperative.short_name}

    def context(self, report) -> dict:
        period = Period.of(report.params)
        return self._context(report, period, shipment_rows(report.cooperative, period))

    def _context(self, report, period: Period, shipments: list[dict]) -> dict:
        cooperative = report.cooperative
        importers = importer_rows(shipments)
        plan = plan_versus_actual(cooperative=cooperative, year=period.year)
        return {
            "year": period.year, "period": period, "shipments": shipments, "importers": importers,
            "totals": {key: sum((row[key] for row in importers), ZERO)
                       for key in ("accrued", "received", "outstanding")},
            "boxes": sum(row["boxes"] for row in importers),
            "allocations": allocation_rows(cooperative, period), "plan": plan,
            "plan_totals": {key: sum((getattr(row, key) for row in plan), ZERO)
                            for key in ("budget", "allocated", "spent")},
            "spending": _spending(cooperative, period),
            "funds": fund_rows(cooperative, period), **charts(cooperative, period),
        }

    def tables(self, cooperative, params, reader=None) -> list[Table]:
        period = Period.of(params)
        shipments = shipment_rows(cooperative, period)
        return [
            Table(_("Premium per importer"), [_("Importer"), _("Shipments"), _("Boxes"), _("Premium earned"),
                                              _("Received"), _("Outstanding")],
                  [[r["importer"], r["shipments"], r["boxes"], r["accrued"], r["received"], r["outstanding"]]
                   for r in importer_rows(shipments)]),
            Table(_("Premium per shipment"), [_("Importer"), _("Container"), _("Invoice"), _("Date"), _("Boxes"),
                                              _("Premium earned"), _("Received"), _("Outstanding")],
                  [[r["importer"], r["container"], r["invoice"], r["date"], r["boxes"], r["accrued"], r["received"],
                    r["outstanding"]] for r in shipments]),
            Table(_("Allocations"), [_("Date"), _("Line"), _("Project"), _("Plan version"), _("General Assembly"),
                                     _("Minutes"), _("Amount")],
                  [[r["date"], r["line"], r["project"], r["version"], r["assembly"], r["minutes"], r["amount"]]
                   for r in allocation_rows(cooperative, period)]),
            Table(_("Plan versus actual"), [_("Line"), _("Project"), _("Budget"), _("Allocated"), _("Spent"),
                                            _("In the fund")],
                  [[r.code, r.project, r.budget, r.allocated, r.spent, r.in_fund]
                   for r in plan_versus_actual(cooperative=cooperative, year=period.year)]),
            Table(_("Spending"), [_("Date"), _("Line"), _("Supplier"), _("Invoice"), _("Amount")],
                  [[r.date, r.line.code, r.supplier, r.invoice_number, r.amount]
                   for r in _spending(cooperative, period)]),
            Table(_("Fund balances"), [_("Code"), _("Fund"), _("Opening"), _("In"), _("Out"), _("Closing")],
                  [[r["code"], r["name"], r["opening"], r["in"], r["out"], r["closing"]]
                   for r in fund_rows(cooperative, period)]),
        ]
