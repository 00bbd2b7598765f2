import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coop.forms import DateInput
from coop.params import date_or_none
from ledger.selectors import ZERO, trial_balance

from ..base import ReportKind, Table, register


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

    def _lines(self, cooperative, params):
        return trial_balance(user=None, cooperative=cooperative, on=datetime.date.fromisoformat(params["on"]))

    def context(self, report) -> dict:
        lines = self._lines(report.cooperative, report.params)
        return {"on": datetime.date.fromisoformat(report.params["on"]), "lines": lines,
                "debits": sum((line.debit for line in lines), ZERO),
                "credits": sum((line.credit for line in lines), ZERO)}

    def tables(self, cooperative, params, reader=None) -> list[Table]:
        return [Table(title=_("Trial balance"), headers=[_("Code"), _("Account"), _("Type"), _("Debit"), _("Credit")],
                      rows=[[line.account.code, line.account.name, line.account.get_type_display(), line.debit,
                             line.credit] for line in self._lines(cooperative, params)])]
