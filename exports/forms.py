
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coop.forms import DateInput, money_field
from members.models import Member, Plot

from .models import DocumentKind, Importer, Product, RejectionReason, Shipment


class ShipmentForm(forms.ModelForm):
    price_per_box = money_field(_("price per box"), required=False)
    # Longer than the 11 characters stored: "MSKU 907032 3" is typed with spaces.
    container_number = forms.CharField(
        label=_("container number"), max_length=20, help_text=_("ISO 6346, e.g. MSKU 907032 3."),
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "spellcheck": "false"}))
    capacity = forms.IntegerField(label=_("capacity (boxes)"), min_value=1, max_value=100000, required=False,
                                  help_text=_("Empty: the product's boxes per container."))

    class Meta:
        model = Shipment
        fields = ["importer", "product", "container_number", "seal_number", "booking_number", "vessel", "voyage",
                  "port_of_loading", "port_of_destination", "etd", "eta", "incoterm", "price_per_box", "fairtrade",
                  "organic", "capacity"]
        widgets = {"etd": DateInput(), "eta": DateInput()}

    def __init__(self, *args, cooperative, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["importer"].queryset = Importer.objects.order_by("name")
        self.fields["product"].queryset = Product.objects.filter(cooperative=cooperative)
        self.fields["price_per_box"].help_text = _("Empty: the importer's contract price on the ETD.")
        if self.instance.pk:  # importer and product are chosen once
            del self.fields["importer"], self.fields["product"]

    def clean_container_number(self):
        return self.cleaned_data["container_number"].replace(" ", "").replace("-", "").upper()

    def _post_clean(self):
        # The service validates the whole shipment (it knows the prices and the deliveries).
        pass


class StepForm(forms.Form):
    to = forms.CharField(widget=forms.HiddenInput)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class InvoiceForm(forms.Form):
    invoice_number = forms.CharField(label=_("Invoice number"), max_length=40)
    invoiced_on = forms.DateField(label=_("Invoice date"), widget=DateInput(), initial=timezone.localdate)


class ReceiptForm(forms.Form):
    amount = money_field(_("Amount"))
    received_on = forms.DateField(label=_("Received on"), widget=DateInput(), initial=timezone.localdate)
    reference = forms.CharField(label=_("Bank reference"), max_length=80)


class DeliveryLineForm(forms.Form):
    """One line of the loading sheet: typed fast, looked up by member number and plot code."""

    member = forms.CharField(label=_("Member no."), max_length=20,
                             widget=forms.TextInput(attrs={"inputmode": "numeric", "autofocus": True, "size": 6}))
    plot = forms.CharField(label=_("Plot"), max_length=30, required=False,
                           help_text=_("Empty when the member has one plot."),
                           widget=forms.TextInput(attrs={"size": 8}))
    accepted_boxes = forms.IntegerField(label=_("Accepted"), min_value=0, max_value=100000, initial=0,
                                        widget=forms.NumberInput(attrs={"size": 5}))
    rejected_boxes = forms.IntegerField(label=_("Rejected"), min_value=0, max_value=100000, initial=0,
                                        widget=forms.NumberInput(attrs={"size": 5}))
    rejection_reason = forms.ModelChoiceField(label=_("Reason"), queryset=RejectionReason.objects.none(),
                                              required=False)
    date = forms.DateField(label=_("Date"), widget=DateInput(), initial=timezone.localdate)

    def __init__(self, *args, shipment, **kwargs):
        super().__init__(*args, **kwargs)
        self.shipment = shipment
        self.fields["rejection_reason"].queryset = RejectionReason.objects.filter(
            cooperative_id=shipment.cooperative_id, active=True)

    def clean_member(self):
        number = self.cleaned_data["member"].strip()
        members = Member.objects.filter(cooperative_id=self.shipment.cooperative_id)
        member = members.filter(number=number).first()
        if member is None and number.isdecimal():
            member = members.filter(number__regex=rf"^0*{int(number)}$").first()
        if member is None:
            raise forms.ValidationError(_("No member %(number)s in the cooperative.") % {"number": number})
        return member

    def clean(self):
        data = super().clean()
        member = data.get("member")
        if not member:
            return data
        code = (data.get("plot") or "").strip()
        plots = Plot.objects.filter(member=member)
        if code:
            plot = Plot.objects.filter(cooperative_id=self.shipment.cooperative_id, code__iexact=code).first()
            if plot is None:
                self.add_error("plot", _("No plot %(code)s in the cooperative.") % {"code": code})
        else:
            candidates = list(plots.filter(organic_status="certified") if self.shipment.organic else plots)
            plot = candidates[0] if len(candidates) == 1 else None
            if plot is None:
                self.add_error("plot", _("Member %(number)s has %(count)s plots: type the plot code.")
                               % {"number": member.number, "count": len(candidates)})
        data["plot"] = plot
        return data


class SettlementComputeForm(forms.Form):
    week = forms.DateField(label=_("Week of"), widget=DateInput(),
                           help_text=_("Any day of the week; the settlement runs Monday to Sunday."))


class ShipmentDocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=DocumentKind.choices)
    file = forms.FileField(label=_("File"), help_text=_("PDF, JPEG or PNG of at most 10 MB."))
