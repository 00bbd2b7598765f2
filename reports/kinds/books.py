import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coop.forms import DateInput
from coop.params import date_or_none
from ledger.models import Account, Leg
from ledger.selectors import ZERO

from ..base import ReportKind, Table, register


def trial_balance_lines(cooperative, on: datetime.date) -> list[dict]:
    """Every account's debit or credit balance at the end of ``on`` (one grouped query)."""
    sums = dict(Leg.objects.filter(cooperative=cooperative, date__lte=on).values_list("account")
                .annotate(total=Sum("amount")).order_by())
    lines = []
    for account in Account.objects.filter(cooperative=cooperative).order_by("code"):
        signed = sums.get(account.pk, ZERO)
        lines.append({"code": account.code, "name": account.name, "type": account.get_type_display(),
                      "debit": max(signed, ZERO), "credit": max(-signed, ZERO)})
    return lines


@register
class TrialBalance(ReportKind):
    code = "trial_balance"
    name = gettext_lazy("Trial balance")
    template = "reports/trial_balance.html"

    def clean_params(self, cooperative, data) -> dict:
        text = str(data.get("on", "") or "").strip()
        on = date_or_none(text) if text else timezone.localdate()
        if on is None:
            raise ValidationError({"on": _("Enter a date such as 2026-03-31.")})
        return {"on": on.isoformat()}

    def fields(self, cooperative) -> dict:
        return {"on": forms.DateField(label=_("At the end of"), widget=DateInput(), initial=timezone.localdate)}

    def title(self, cooperative, params) -> str:
        on = datetime.date.fromisoformat(params["on"])
        return _("Trial balance of %(coop)s at %(date)s") % {
            "coop": cooperative.short_name, "date": formats.date_format(on, "SHORT_DATE_FORMAT")}

    def context(self, report) -> dict:
        on = datetime.date.fromisoformat(report.params["on"])
        lines = trial_balance_lines(report.cooperative, on)
        return {"on": on, "lines": lines, "debits": sum((line["debit"] for line in lines), ZERO),
                "credits": sum((line["credit"] for line in lines), ZERO)}

    def tables(self, cooperative, params, reader=None) -> list[Table]:
        on = datetime.date.fromisoformat(params["on"])
        return [Table(title=_("Trial balance"), headers=[_("Code"), _("Account"), _("Type"), _("Debit"), _("Credit")],
                      rows=[[line["code"], line["name"], line["type"], line["debit"], line["credit"]]
                            for line in trial_balance_lines(cooperative, on)])]
