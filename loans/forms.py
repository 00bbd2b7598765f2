from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coop.forms import DateInput, money_field


def money(label, required=True):
    return money_field(label, required=required, minimum=Decimal("0"))


class RoundTermsForm(forms.Form):
    pool = money(_("Pool"))
    minimum_amount = money(_("Minimum per member"))
    maximum_amount = money(_("Maximum per member"), required=False)


class RoundProposeForm(RoundTermsForm):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100,
                              initial=lambda: timezone.localdate().year)
    quarter = forms.IntegerField(label=_("Quarter"), min_value=1, max_value=4,
                                 initial=lambda: (timezone.localdate().month - 1) // 3 + 1)
    field_order = ["year", "quarter", "pool", "minimum_amount", "maximum_amount"]


class DisburseForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DateInput(), initial=timezone.localdate)


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason for cancelling"), max_length=300)


class RepaymentForm(forms.Form):
    amount = money(_("Amount"))
    date = forms.DateField(label=_("Date"), widget=DateInput(), initial=timezone.localdate)
    reference = forms.CharField(label=_("Receipt or bank reference"), max_length=80, required=False)


class WriteOffForm(forms.Form):
    reason = forms.CharField(label=_("Board decision and reason"), max_length=300)


class RescheduleForm(forms.Form):
    installments = forms.IntegerField(label=_("New installments"), min_value=1, max_value=24, initial=6)
    first_due = forms.DateField(label=_("First installment due"), widget=DateInput())
    reason = forms.CharField(label=_("Board decision and reason"), max_length=300)
