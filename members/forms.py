"""Forms validate and present input; the services in services.py do the writing."""

import json

from django import forms
from django.utils.translation import gettext_lazy as _

from coop.forms import DateInput

from .models import HouseholdMember, Member, MemberStatus, OrganicStatus, Plot


class MemberForm(forms.ModelForm):
    class Meta:
        model = Member
        fields = [
            "cooperative", "number", "first_name", "last_name", "national_id", "sex",
            "birth_date", "phone", "village", "join_date",
        ]
        widgets = {"birth_date": DateInput(), "join_date": DateInput()}

    def __init__(self, *args, cooperatives, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["cooperative"]
        else:
            self.fields["cooperative"].queryset = cooperatives
            if len(cooperatives) == 1:
                self.fields["cooperative"].initial = cooperatives[0]
                self.fields["cooperative"].widget = forms.HiddenInput()
        self.fields["phone"].widget.attrs["inputmode"] = "tel"
        self.fields["national_id"].widget.attrs["inputmode"] = "numeric"

    def _post_clean(self):
        # The service validates the whole row; here only the form's own fields are cleaned.
        pass


class MemberStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=MemberStatus.choices)
    effective_on = forms.DateField(label=_("Effective on"), widget=DateInput())
    reason = forms.CharField(label=_("Reason"), max_length=300)

    def __init__(self, *args, current: str, **kwargs):
        super().__init__(*args, **kwargs)
        # The current status is no choice: moving to it is always refused.
        self.fields["status"].choices = [c for c in MemberStatus.choices if c[0] != current]


class MemberLoginForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, strip=False)


class HouseholdMemberForm(forms.ModelForm):
    class Meta:
        model = HouseholdMember
        fields = [
            "relationship", "first_name", "last_name", "national_id", "sex", "birth_date",
            "studying", "since", "ended_on",
        ]
        widgets = {
            "birth_date": DateInput(),
            "since": DateInput(),
            "ended_on": DateInput(),
        }

    def _post_clean(self):
        pass


class PlotForm(forms.ModelForm):
    boundary = forms.CharField(
        label=_("Boundary (GeoJSON)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_('A GeoJSON Polygon, e.g. {"type": "Polygon", "coordinates": [[[lon, lat], ...]]}'),
    )

    class Meta:
        model = Plot
        fields = [
            "code", "name", "area_ha", "latitude", "longitude", "boundary", "variety",
            "organic_status", "organic_since", "certified_area_ha", "last_inspection_on",
        ]
        widgets = {"organic_since": DateInput(), "last_inspection_on": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.boundary:
            self.initial["boundary"] = json.dumps(self.instance.boundary)
        for name in ("area_ha", "certified_area_ha", "latitude", "longitude"):
            value = self.initial.get(name)
            if value is not None:
                # 1.7500 is shown as 1,75: the stored places are no part of what was typed.
                normalized = value.normalize()
                self.initial[name] = normalized if normalized.as_tuple().exponent < 0 else value.quantize(1)
        self.fields["organic_status"].initial = OrganicStatus.CONVENTIONAL
        for name in ("area_ha", "certified_area_ha", "latitude", "longitude"):
            # Localized: a Spanish user may type 1,75 as well as 1.75.
            field = self.fields[name]
            field.localize = True
            field.widget = forms.TextInput(attrs={"inputmode": "decimal"})
            field.widget.is_localized = True

    def clean_boundary(self):
        text = self.cleaned_data["boundary"].strip()
        if not text:
            return None
        try:
            return json.loads(text)
        except json.JSONDecodeError as error:
            raise forms.ValidationError(
                _("The boundary is not valid JSON (line %(line)s, column %(column)s).")
                % {"line": error.lineno, "column": error.colno}
            ) from error
        except RecursionError as error:
            raise forms.ValidationError(_("This JSON is nested too deeply.")) from error

    def _post_clean(self):
        pass


class MemberImportForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("File contains"),
        choices=[("members", _("Members")), ("household", _("Households")), ("plots", _("Plots"))],
    )
    cooperative = forms.ModelChoiceField(label=_("Cooperative"), queryset=None)
    file = forms.FileField(label=_("CSV file"))

    def __init__(self, *args, cooperatives, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cooperative"].queryset = cooperatives
        if len(cooperatives) == 1:
            self.fields["cooperative"].initial = cooperatives[0]
            self.fields["cooperative"].widget = forms.HiddenInput()
