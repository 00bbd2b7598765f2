from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from coop.forms import DateInput

from .models import Account


class MoneyField(forms.DecimalField):
    def __init__(self, **kwargs):
        super().__init__(
            max_digits=14, decimal_places=2, min_value=Decimal("0.01"), required=False, localize=True,
            widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 10}), **kwargs,
        )


class TransactionForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DateInput())
    memo = forms.CharField(label=_("Memo"), max_length=300)
    source = forms.CharField(label=_("Source document"), max_length=80, required=False,
                             help_text=_("For example: invoice 0042, GA minutes 2026-03."))


class LegForm(forms.Form):
    account = forms.ModelChoiceField(label=_("Account"), queryset=Account.objects.none(), required=False)
    debit = MoneyField(label=_("Debit"))
    credit = MoneyField(label=_("Credit"))

    def __init__(self, *args, accounts=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = accounts

    def clean(self):
        data = super().clean()
        account, debit, credit = data.get("account"), data.get("debit"), data.get("credit")
        if account and bool(debit) == bool(credit):
            raise forms.ValidationError(_("Give either a debit or a credit for %(account)s.") % {"account": account})
        if not account and (debit or credit):
            self.add_error("account", _("Choose the account."))
        return data

    @property
    def leg(self):
        data = self.cleaned_data
        if not data.get("account"):
            return None
        return data["account"], data["debit"] if data.get("debit") else -data["credit"]


class BaseLegFormSet(forms.BaseFormSet):
    def __init__(self, *args, accounts=None, **kwargs):
        self.accounts = accounts
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "accounts": self.accounts}

    def legs(self):
        return [form.leg for form in self.forms if form.leg is not None]


LegFormSet = forms.formset_factory(LegForm, formset=BaseLegFormSet, extra=4, max_num=40)


class PeriodCloseForm(forms.Form):
    starts_on = forms.DateField(label=_("From"), widget=DateInput())
    ends_on = forms.DateField(label=_("To"), widget=DateInput())


class PeriodReopenForm(forms.Form):
    reason = forms.CharField(label=_("Reason for reopening"), max_length=300)


class ReverseForm(forms.Form):
    date = forms.DateField(label=_("Date of the reversal"), widget=DateInput())
    memo = forms.CharField(label=_("Memo"), max_length=300, required=False)
