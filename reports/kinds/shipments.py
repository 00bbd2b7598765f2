"""A shipment's packing list and traceability certificate, and a week's settlement slips (one page
per producer, laid out in chunks)."""

import datetime
from collections import defaultdict

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coop.models import Certification, Role
from coop.tenancy import has_role
from exports.models import Delivery, Settlement, SettlementDeduction, SettlementLine, Shipment
from exports.permissions import SHIPMENT_READERS, importer_id_of
from exports.selectors import traceability
from members.models import Member

from ..base import ReportKind, Table, int_value, register, text_value


class _ShipmentKind(ReportKind):
    """Read by the co-op's staff, and by the importer who bought the shipment (over the API)."""

    readers = SHIPMENT_READERS

    def allowed(self, user, cooperative_id, params) -> bool:
        importer_id = importer_id_of(user)
        if importer_id and params.get("shipment"):
            return Shipment.objects.filter(pk=params["shipment"], cooperative_id=cooperative_id,
                                           importer_id=importer_id).exists()
        return super().allowed(user, cooperative_id, params)

    def may_ask(self, user, cooperative_id) -> bool:
        importer_id = importer_id_of(user)
        if importer_id:
            return Shipment.objects.filter(cooperative_id=cooperative_id, importer_id=importer_id).exists()
        return super().may_ask(user, cooperative_id)

    def fields(self, cooperative) -> dict:
        return {"container": forms.CharField(label=_("Container number"), max_length=11)}

    def clean_params(self, cooperative, data) -> dict:
        if data.get("shipment"):
            shipment = Shipment.objects.filter(cooperative=cooperative,
                                               pk=int_value(data, "shipment", _("Choose the shipment."))).first()
        else:
            container = text_value(data, "container", 20).upper().replace(" ", "")
            shipment = (Shipment.objects.filter(cooperative=cooperative, container_number=container)
                        .order_by("-etd").first() if container else None)
        if shipment is None:
            raise ValidationError({"container": _("No shipment of %(coop)s has this container number.") % {
                "coop": cooperative.short_name}})
        return {"shipment": shipment.pk}

    def _shipment(self, params) -> Shipment:
        return (Shipment.objects.select_related("importer", "product", "cooperative")
                .prefetch_related(Prefetch("deliveries", queryset=Delivery.objects.select_related(
                    "member", "plot", "rejection_reason").order_by("member__number", "plot__code", "date")))
                .get(pk=params["shipment"]))

    def context(self, report) -> dict:
        shipment = self._shipment(report.params)
        lines = traceability(shipment)
        return {"shipment": shipment, "lines": lines, "boxes": sum(line.boxes for line in lines),
                "rejected": sum(line.rejected for line in lines),
                "producers": len({line.member_id for line in lines}),
                "certifications": Certification.objects.filter(cooperative=shipment.cooperative).order_by("kind"),
                # The documents travel with the fruit to the importer: names only where the co-op shares them.
                "show_names": shipment.cooperative.share_producer_names}

    def tables(self, cooperative, params, reader=None) -> list[Table]:
        lines = traceability(self._shipment(params))
        # Names go to the co-op's staff, and to others (the importer) only where the co-op shares them.
        names = cooperative.share_producer_names or (reader is not None and has_role(reader, cooperative.pk,
                                                                                      SHIPMENT_READERS))
        return [Table(_("Producers and plots"), [_("Member"), _("Name"), _("Plot"), _("Organic status"),
                                                 _("Accepted boxes"), _("Rejected boxes")],
                      [[line.member_number, line.member_name if names else "", line.plot_code, line.organic_status,
                        line.boxes, line.rejected] for line in lines])]


@register
class PackingList(_ShipmentKind):
    code = "packing_list"
    name = gettext_lazy("Packing list")
    template = "reports/packing_list.html"

    def title(self, cooperative, params) -> str:
        shipment = Shipment.objects.get(pk=params["shipment"])
        return _("Packing list of container %(container)s") % {"container": shipment.container_display}


@register
class TraceabilityCertificate(_ShipmentKind):
    code = "traceability"
    name = gettext_lazy("Traceability certificate")
    template = "reports/traceability.html"

    def tables(self, cooperative, params, reader=None) -> list[Table]:
        certifications = Certification.objects.filter(cooperative=cooperative).order_by("kind")
        return [*super().tables(cooperative, params, reader),
                Table(_("Certifications"), [_("Certification"), _("Certifier"), _("Number"), _("Valid until")],
                      [[f"{c.get_kind_display()} {c.name}".strip(), c.certifier, c.number, c.expires_on]
                       for c in certifications])]

    def title(self, cooperative, params) -> str:
        shipment = Shipment.objects.get(pk=params["shipment"])
        return _("Traceability certificate of container %(container)s") % {"container": shipment.container_display}


@register
class SettlementSlips(ReportKind):
    """Every producer's slip of a week, one page each; or one producer's, for them or the staff."""

    code = "settlement_slips"
    name = gettext_lazy("Settlement slips of a week")
    template = "reports/settlement_slips.html"
    readers = SHIPMENT_READERS
    # Laid out this many slips at a time; each slip is one page and says its own number.
    chunk_size = 250

    def fields(self, cooperative) -> dict:
        weeks = Settlement.objects.filter(cooperative=cooperative).select_related("cooperative").order_by("-week_start")
        return {"settlement": forms.ModelChoiceField(label=_("Week"), queryset=weeks, empty_label=None)}

    def clean_params(self, cooperative, data) -> dict:
        value = data.get("settlement")
        settlement_id = (value.pk if isinstance(value, Settlement)
                         else int_value(data, "settlement", _("Choose the week.")))
        if not Settlement.objects.filter(cooperative=cooperative, pk=settlement_id).exists():
            raise ValidationError({"settlement": _("Choose one of the co-op's settlements.")})
        params = {"settlement": settlement_id}
        if data.get("member"):
            member_id = int_value(data, "member", _("Choose the member."))
            if not SettlementLine.objects.filter(settlement_id=settlement_id, member_id=member_id).exists():
                raise ValidationError({"member": _("This member has no slip that week.")})
            params["member"] = member_id
        return params

    def allowed(self, user, cooperative_id, params) -> bool:
        own = bool(params.get("member")) and Member.objects.filter(pk=params["member"], user_id=user.pk).exists()
        return own or super().allowed(user, cooperative_id, params)

    def may_ask(self, user, cooperative_id) -> bool:
        return has_role(user, cooperative_id, self.readers | {Role.MEMBER})

    def title(self, cooperative, params) -> str:
        week = Settlement.objects.get(pk=params["settlement"]).week_start
        if params.get("member"):
            member = Member.objects.get(pk=params["member"])
            return _("Settlement slip of %(number)s, week of %(week)s") % {
                "number": member.number, "week": formats.date_format(week, "SHORT_DATE_FORMAT")}
        return _("Settlement slips, week of %(week)s") % {"week": formats.date_format(week, "SHORT_DATE_FORMAT")}

    def _lines(self, params):
        lines = SettlementLine.objects.filter(settlement_id=params["settlement"]).select_related("member")
        if params.get("member"):
            lines = lines.filter(member_id=params["member"])
        return lines.order_by("member__number")

    def parts(self, report):
        line_ids = list(self._lines(report.params).values_list("pk", flat=True))
        starts = range(0, max(len(line_ids), 1), self.chunk_size)
        return [(self.template, lambda start=start: self._chunk(report, line_ids, start)) for start in starts]

    def _chunk(self, report, line_ids: list[int], start: int) -> dict:
        settlement = Settlement.objects.get(pk=report.params["settlement"])
        week_end = settlement.week_start + datetime.timedelta(days=6)
        chunk = list(SettlementLine.objects.filter(pk__in=line_ids[start:start + self.chunk_size])
                     .select_related("member").order_by("member__number")
                     .prefetch_related(Prefetch("deductions", queryset=SettlementDeduction.objects
                                                .select_related("type").order_by("type__priority", "type__code"))))
        deliveries = defaultdict(list)
        for delivery in (Delivery.objects.filter(cooperative_id=settlement.cooperative_id,
                                                 member_id__in=[line.member_id for line in chunk],
                                                 date__range=(settlement.week_start, week_end))
                         .exclude(shipment__status__in=["planned", "loading", "cancelled"])
                         .select_related("plot", "shipment", "rejection_reason").order_by("date", "id")):
            deliveries[delivery.member_id].append(delivery)
        return {"settlement": settlement, "total": len(line_ids),
                "slips": [(start + index + 1, line, deliveries[line.member_id]) for index, line in enumerate(chunk)]}

    def tables(self, cooperative, params, reader=None) -> list[Table]:
        lines = self._lines(params)
        return [Table(_("Settlement"), [_("Member"), _("Name"), _("Accepted boxes"), _("Rejected boxes"),
                                        _("Gross pay"), _("Deducted"), _("Net pay"), _("Carried forward")],
                      [[line.member.number, line.member.full_name, line.boxes, line.rejected_boxes, line.gross,
                        line.deducted, line.net, line.carried_forward] for line in lines])]
