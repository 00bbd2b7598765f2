from django import forms
from django.utils.translation import gettext_lazy as _

from coop.forms import DateInput, money_field

from .models import Category, DocumentKind

FILE_HELP = _("PDF, JPEG or PNG, at most 10 MB.")
FILE_ACCEPT = {"accept": "application/pdf,image/jpeg,image/png"}


class ClaimForm(forms.Form):
    """A claim, from the member's phone or from staff on the member's behalf. The beneficiary is
    chosen among the member and the household the fund covers today; the service checks the
    event's date."""

    beneficiary = forms.ChoiceField(label=_("For whom"))
    category = forms.ModelChoiceField(label=_("What for"), queryset=Category.objects.none())
    event_date = forms.DateField(label=_("Date of the event"), widget=DateInput())
    amount_requested = money_field(_("Amount requested"))
    description = forms.CharField(label=_("What happened"), max_length=2000,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    urgent = forms.BooleanField(label=_("Urgent (surgery or treatment that cannot wait)"), required=False)

    def __init__(self, *args, member, household, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.household = {str(person.pk): person for person in household}
        self.fields["beneficiary"].choices = [("self", _("%(name)s (member)") % {"name": member.full_name})] + [
            (pk, f"{person.full_name} ({person.get_relationship_display().lower()})")
            for pk, person in self.household.items()]
        self.fields["category"].queryset = categories
        for kind, label in DocumentKind.choices:
            self.fields[f"document_{kind}"] = forms.FileField(
                label=label, required=False, help_text=FILE_HELP, widget=forms.ClearableFileInput(attrs=FILE_ACCEPT))

    def clean_beneficiary(self):
        value = self.cleaned_data["beneficiary"]
        return None if value == "self" else self.household[value]

    def documents(self) -> list[tuple[str, object]]:
        return [(kind, self.cleaned_data[f"document_{kind}"]) for kind in DocumentKind.values
                if self.cleaned_data.get(f"document_{kind}")]


class MemberChoiceForm(forms.Form):
    """Staff pick the member a claim is for by number."""

    member_number = forms.CharField(label=_("Member number"), max_length=20)


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=DocumentKind.choices)
    file = forms.FileField(label=_("File"), help_text=FILE_HELP, widget=forms.ClearableFileInput(attrs=FILE_ACCEPT))


class ReviewForm(forms.Form):
    request_documents = forms.CharField(label=_("Ask the claimant for (optional)"), max_length=500, required=False)


class ApproveForm(forms.Form):
    amount = money_field(_("Amount approved"))
    reason = forms.CharField(label=_("Reason (needed when less than asked)"), max_length=500, required=False)
    fast_track = forms.BooleanField(label=_("Urgent: approve alone now, the committee ratifies later"),
                                    required=False)


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason for rejecting"), max_length=500)


class PayForm(forms.Form):
    date = forms.DateField(label=_("Payment date"), widget=DateInput(), required=False)
