"""All-or-nothing CSV import of a container's loading sheet, with the member import's rules:
every row is checked first; one wrong row and nothing is written, and every error is reported
with its line and column. Headers in Spanish or English; ``;`` or ``,``; UTF-8 or Windows-1252."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from members.csv_columns import CellError, Column, parse_date
from members.csv_import import ImportRejected, RowError, decode, read_rows
from members.models import Member, Plot

from .models import Delivery, RejectionReason, Shipment
from .services import _check_delivery, _lock_open_shipment, _require_writer, shipment_step


def _boxes(value: str) -> int:
    value = value.strip()
    if not value:
        return 0
    if not value.isdecimal() or len(value) > 6:
        raise CellError(_("'%(value)s' is not a number of boxes.") % {"value": value})
    return int(value)


COLUMNS = [
    Column("member_number", "member", required=True, aliases=("numero_socio", "numero_de_socio", "socio", "nro_socio", "codigo_socio", "n_socio")),
    Column("plot_code", "plot", required=True, aliases=("parcela", "codigo_parcela", "codigo_de_parcela")),
    Column("accepted_boxes", "accepted_boxes", _boxes, required=True, aliases=("cajas_aceptadas", "aceptadas", "cajas")),
    Column("rejected_boxes", "rejected_boxes", _boxes, aliases=("cajas_rechazadas", "rechazadas", "rechazo")),
    Column("rejection_reason", "rejection_reason", aliases=("motivo_rechazo", "motivo_de_rechazo", "motivo")),
    Column("date", "date", parse_date, required=True, aliases=("fecha", "fecha_entrega", "fecha_de_entrega")),
]
FIELD_COLUMN = {"member": "member_number", "plot": "plot_code", "accepted_boxes": "accepted_boxes",
                "rejected_boxes": "rejected_boxes", "rejection_reason": "rejection_reason", "date": "date"}


def deliveries_import(*, shipment: Shipment, actor, data: bytes) -> int:
    """Load the file's lines into the shipment, or nothing. Returns the number of lines loaded."""
    _require_writer(actor, shipment.cooperative_id)
    try:
        text = decode(data)
    except UnicodeDecodeError as error:
        raise ImportRejected([RowError(1, "", _("The file is neither UTF-8 nor Windows-1252 text."))]) from error
    rows, errors, header_of = read_rows(text, COLUMNS)
    if errors:
        raise ImportRejected(errors)
    coop_id = shipment.cooperative_id
    reasons = {r.code.upper(): r for r in RejectionReason.objects.filter(cooperative_id=coop_id, active=True)}
    with transaction.atomic():
        shipment = _lock_open_shipment(shipment)
        # Read and locked after the shipment (as delivery_add does): statuses cannot change meanwhile.
        members = {m.number: m for m in Member.objects.select_for_update(no_key=True).filter(cooperative_id=coop_id)}
        plots = {p.code.upper(): p for p in Plot.objects.select_for_update(no_key=True).filter(cooperative_id=coop_id)}
        deliveries = []
        for row in rows:
            values = row.values
            member = members.get(values.get("member", ""))
            if member is None and values.get("member", "").isdecimal():
                member = next((m for n, m in members.items() if n.isdecimal() and int(n) == int(values["member"])), None)
            plot = plots.get(values.get("plot", "").upper())
            reason = reasons.get((values.get("rejection_reason") or "").upper())
            if member is None:
                row.errors.append(RowError(row.line, "member_number", _("No member %(number)s in the cooperative.")
                                           % {"number": values.get("member", "")}))
            if plot is None:
                row.errors.append(RowError(row.line, "plot_code", _("No plot %(code)s in the cooperative.")
                                           % {"code": values.get("plot", "")}))
            if values.get("rejection_reason") and reason is None:
                row.errors.append(RowError(row.line, "rejection_reason", _("No rejection reason %(code)s.")
                                           % {"code": values["rejection_reason"]}))
            if row.errors or "date" not in values:
                continue
            delivery = Delivery(cooperative_id=coop_id, shipment=shipment, member=member, plot=plot,
                                date=values["date"], accepted_boxes=values.get("accepted_boxes", 0),
                                rejected_boxes=values.get("rejected_boxes", 0), rejection_reason=reason,
                                recorded_by=actor)
            try:
                _check_delivery(delivery, shipment)
            except ValidationError as error:
                for field, messages in error.message_dict.items():
                    row.errors.extend(RowError(row.line, FIELD_COLUMN.get(field, ""), m) for m in messages)
                continue
            deliveries.append(delivery)
        loaded = shipment.deliveries.aggregate(t=Sum("accepted_boxes"))["t"] or 0
        adding = sum(d.accepted_boxes for d in deliveries)
        all_errors = [e for row in rows for e in row.errors]
        if not all_errors and loaded + adding > shipment.capacity:
            all_errors.append(RowError(1, "accepted_boxes", _(
                "The container holds %(capacity)s boxes and %(loaded)s are loaded: %(free)s more fit, "
                "not %(adding)s.") % {"capacity": shipment.capacity, "loaded": loaded,
                                       "free": max(shipment.capacity - loaded, 0), "adding": adding}))
        if all_errors:
            raise ImportRejected([RowError(e.line, header_of.get(e.column, e.column), e.message) for e in all_errors])
        Delivery.objects.bulk_create(deliveries)
        if shipment.status == "planned":
            shipment_step(shipment=shipment, status="loading", actor=actor, note=_("CSV import"))
    return len(deliveries)
