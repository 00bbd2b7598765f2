from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from coop import uploads
from coop.forms import DateInput
from ledger.models import Account, AccountType

from .services import UNALLOCATED

# Enough for any co-op's Assembly; beyond it a number is a typing mistake.
MAX_PEOPLE = 1_000_000


class MoneyField(forms.DecimalField):
    def __init__(self, **kwargs):
        super().__init__(
            max_digits=14, decimal_places=2, min_value=Decimal("0.01"), localize=True,
            widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 10}), **kwargs,
        )


class PeopleField(forms.IntegerField):
    def __init__(self, **kwargs):
        super().__init__(min_value=0, max_value=MAX_PEOPLE, **kwargs)


class PlanDraftForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)


class PlanLineForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=20,
                           help_text=_("Stays the same in every version of the plan. A line with this code is changed."))
    project = forms.CharField(label=_("Project"), max_length=200)
    objective = forms.CharField(label=_("Objective"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    beneficiaries = forms.CharField(label=_("Beneficiaries"), max_length=200)
    budget = MoneyField(label=_("Budget"))
    fund = forms.ModelChoiceField(label=_("Fund"), queryset=Account.objects.none(), required=False,
                                  empty_label=_("A new fund for this line"),
                                  help_text=_("The fund account that holds the line's money."))

    def __init__(self, *args, cooperative=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fund"].queryset = Account.objects.filter(
            cooperative=cooperative, type=AccountType.FUND).exclude(code=UNALLOCATED).order_by("code")


class AssemblyForm(forms.Form):
    held_on = forms.DateField(label=_("Held on"), widget=DateInput())
    members_present = PeopleField(label=_("Members present"))
    quorum = PeopleField(label=_("Quorum"), help_text=_("Members needed for a valid vote."))
    votes_for = PeopleField(label=_("Votes for"))
    votes_against = PeopleField(label=_("Votes against"))
    abstentions = PeopleField(label=_("Abstentions"))
    minutes_reference = forms.CharField(label=_("Minutes reference"), max_length=120,
                                        help_text=_("For example: Acta AG 2026-01."))
    minutes_document = forms.FileField(label=_("Minutes (PDF)"), required=False,
                                       widget=forms.FileInput(attrs={"accept": "application/pdf,.pdf"}),
                                       help_text=_("A PDF of at most 10 MB."))

    def clean_minutes_document(self):
        return uploads.clean_minutes(self.cleaned_data.get("minutes_document"))


class AllocationForm(forms.Form):
    amount = MoneyField(label=_("Amount"))
    date = forms.DateField(label=_("Date"), widget=DateInput())


class SpendingForm(forms.Form):
    amount = MoneyField(label=_("Amount"))
    date = forms.DateField(label=_("Date"), widget=DateInput())
    supplier = forms.CharField(label=_("Supplier"), max_length=200)
    invoice_number = forms.CharField(label=_("Invoice number"), max_length=60)
    description = forms.CharField(label=_("Description"), max_length=300)
    receipt = forms.FileField(label=_("Receipt"), required=False,
                              widget=forms.FileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
                              help_text=_("PDF, JPEG or PNG of at most 10 MB."))

    def clean_receipt(self):
        return uploads.clean_receipt(self.cleaned_data.get("receipt"))
