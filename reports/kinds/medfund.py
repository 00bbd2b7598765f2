"""The medical fund's report: anonymised totals by category and month, what a General Assembly and
an auditor read; no claim and no person in it."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coop.templatetags.coop_format import money
from medfund.permissions import TOTALS_READERS
from medfund.selectors import dashboard, monthly_totals

from ..base import Table, YearlyReport, register
from ..charts import bar_chart


@register
class MedicalFundReport(YearlyReport):
    code = "medfund"
    name = gettext_lazy("Medical fund report")
    template = "reports/medfund.html"
    readers = TOTALS_READERS

    def title(self, cooperative, params) -> str:
        return _("Medical fund report %(year)s · %(coop)s") % {"year": params["year"], "coop": cooperative.short_name}

    def context(self, report) -> dict:
        cooperative, year = report.cooperative, report.params["year"]
        months = monthly_totals(cooperative_id=cooperative.pk, year=year)
        by_month = {}
        for row in months:
            by_month[row["month"]] = by_month.get(row["month"], 0) + row["total"]
        return {"year": year, "totals": dashboard(cooperative_id=cooperative.pk, year=year), "months": months,
                "chart": bar_chart([(month.strftime("%m"), total) for month, total in sorted(by_month.items())],
                                   title=_("Paid per month"), number_format=lambda v: money(v, cooperative.currency))}

    def tables(self, cooperative, params, reader=None) -> list[Table]:
        year = params["year"]
        totals = dashboard(cooperative_id=cooperative.pk, year=year)
        return [
            Table(_("Paid by category"), [_("Category"), _("Claims"), _("Paid")],
                  [[row["category__name"], row["count"], row["total"]] for row in totals["paid_by_category"]]),
            Table(_("Paid by month"), [_("Month"), _("Category"), _("Claims"), _("Paid")],
                  [[row["month"].date(), row["category__name"], row["count"], row["total"]]
                   for row in monthly_totals(cooperative_id=cooperative.pk, year=year)]),
        ]
