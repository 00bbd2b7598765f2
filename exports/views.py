"""Pages of shipments: the list, a shipment with its lifecycle, money and traceability, the
loading sheet, and the premium reconciliation. Accountants act; the board and cluster staff read."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from coop.params import date_param, int_param
from coop.tenancy import has_role
from coop.views_helpers import add_service_errors, choose_cooperative, paginate, run_form
from premiums.services import premium_receive
from reports.kinds.premium import Period
from reports.kinds.premium import charts as premium_charts

from . import selectors, services
from . import settlements as settlement_services
from .forms import (
    DeliveryLineForm,
    InvoiceForm,
    ReceiptForm,
    SettlementComputeForm,
    ShipmentDocumentForm,
    ShipmentForm,
    StepForm,
)
from .models import Delivery, Importer, Settlement, SettlementLine, Shipment, ShipmentDocument, ShipmentStatus
from .permissions import (
    can_change,
    can_read,
    cooperatives_with_exports_for,
    deliveries_visible_to,
    rows_of_visible_shipments,
)


def _cooperative(request, coop_id: int):
    return get_object_or_404(cooperatives_with_exports_for(request.user), pk=coop_id)


def _shipment(request, pk: int) -> Shipment:
    try:
        shipment = selectors.shipment_detail(user=request.user, pk=pk)
    except Shipment.DoesNotExist as error:
        raise Http404 from error
    # Importers' programs use the API; these pages are the co-op's.
    if not (request.user.is_superuser or can_read(request.user, shipment.cooperative_id)):
        raise Http404
    return shipment


def _writable_shipment(request, pk: int) -> Shipment:
    shipment = _shipment(request, pk)
    if not can_change(request.user, shipment.cooperative_id):
        raise PermissionDenied
    return shipment


@login_required
def exports_home(request):
    return choose_cooperative(request, cooperatives_with_exports_for(request.user), url_name="exports:shipments", title=_("Shipments"))


@login_required
def shipment_list(request, coop_id: int):
    cooperative = _cooperative(request, coop_id)
    filters = selectors.shipment_filters(request.GET) | {"cooperative_id": cooperative.pk}
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "cooperative": cooperative,
        "page": _with_totals(paginate(request, selectors.shipment_list(user=request.user, **filters))),
        "query": query.urlencode(),
        "statuses": ShipmentStatus.choices,
        "importers": Importer.objects.filter(shipments__cooperative=cooperative).distinct().order_by("name"),
        "can_change": can_change(request.user, cooperative.pk),
    }
    return render(request, "exports/shipment_list.html", context)


def _with_totals(page):
    page.object_list = selectors.attach_totals(page.object_list)
    return page


@login_required
@require_http_methods(["GET", "POST"])
def shipment_create(request, coop_id: int):
    cooperative = _cooperative(request, coop_id)
    if not can_change(request.user, cooperative.pk):
        raise PermissionDenied
    form = ShipmentForm(request.POST or None, cooperative=cooperative)
    if request.method == "POST":
        def save(data):
            details = {k: v for k, v in data.items() if k not in ("importer", "product")}
            return services.shipment_create(cooperative=cooperative, actor=request.user, importer=data["importer"],
                                            product=data["product"], **details)
        shipment = run_form(request, form, save, _("Shipment planned."))
        if shipment:
            return redirect("exports:shipment", pk=shipment.pk)
    return render(request, "exports/shipment_form.html", {"form": form, "cooperative": cooperative})


@login_required
@require_http_methods(["GET", "POST"])
def shipment_update(request, pk: int):
    shipment = _writable_shipment(request, pk)
    form = ShipmentForm(request.POST or None, instance=Shipment.objects.get(pk=shipment.pk),
                        cooperative=shipment.cooperative)
    if request.method == "POST":
        if run_form(request, form, lambda data: services.shipment_update(
                shipment=shipment, actor=request.user, **data), _("Shipment saved.")):
            return redirect("exports:shipment", pk=shipment.pk)
    return render(request, "exports/shipment_form.html",
                  {"form": form, "cooperative": shipment.cooperative, "shipment": shipment})


def _detail_context(request, shipment, **forms):
    writable = can_change(request.user, shipment.cooperative_id)
    context = {
        "shipment": shipment,
        "cooperative": shipment.cooperative,
        "trace": selectors.traceability(shipment),
        "can_change": writable,
        "next_steps": services.MANUAL_STEPS.get(shipment.status, ()) if writable else (),
        "step_form": forms.get("step_form") or StepForm(),
        "invoice_form": forms.get("invoice_form") or InvoiceForm(prefix="invoice"),
        "sale_form": forms.get("sale_form") or ReceiptForm(prefix="sale"),
        "premium_form": forms.get("premium_form") or ReceiptForm(prefix="premium"),
        "document_form": forms.get("document_form") or ShipmentDocumentForm(prefix="document"),
    }
    return context


@login_required
def shipment_detail(request, pk: int):
    shipment = _shipment(request, pk)
    return render(request, "exports/shipment_detail.html", _detail_context(request, shipment))


def _act(request, shipment, form, form_name, action, success_message):
    """Run a service from a form on the shipment page; on error show the page with the form's errors."""
    if run_form(request, form, action, success_message):
        return redirect("exports:shipment", pk=shipment.pk)
    return render(request, "exports/shipment_detail.html", _detail_context(request, shipment, **{form_name: form}),
                  status=400)


@login_required
@require_POST
def shipment_step(request, pk: int):
    shipment = _writable_shipment(request, pk)
    form = StepForm(request.POST)
    return _act(request, shipment, form, "step_form", lambda data: services.shipment_advance(
        shipment=shipment, actor=request.user, to=data["to"], note=data["note"]), _("Shipment updated."))


@login_required
@require_POST
def shipment_invoice(request, pk: int):
    shipment = _writable_shipment(request, pk)
    form = InvoiceForm(request.POST, prefix="invoice")
    return _act(request, shipment, form, "invoice_form", lambda data: services.shipment_invoice(
        shipment=shipment, actor=request.user, **data), _("Invoiced: the sale and the premium are in the books."))


@login_required
@require_POST
def sale_receipt(request, pk: int):
    shipment = _writable_shipment(request, pk)
    form = ReceiptForm(request.POST, prefix="sale")
    return _act(request, shipment, form, "sale_form", lambda data: services.sale_receive(
        shipment=shipment, actor=request.user, **data), _("Payment recorded."))


@login_required
@require_POST
def premium_receipt(request, pk: int):
    shipment = _writable_shipment(request, pk)
    form = ReceiptForm(request.POST, prefix="premium")
    return _act(request, shipment, form, "premium_form", lambda data: premium_receive(
        shipment=shipment, actor=request.user, **data), _("Premium payment recorded."))


# The loading sheet -----------------------------------------------------------------------------


def _sheet_context(shipment, form):
    lines = list(Delivery.objects.filter(shipment=shipment).select_related("member", "plot", "rejection_reason")
                 .order_by("id"))
    loaded = sum(line.accepted_boxes for line in lines)
    return {
        "shipment": shipment, "cooperative": shipment.cooperative, "lines": lines, "form": form,
        "loaded": loaded, "rejected": sum(line.rejected_boxes for line in lines),
        "free": shipment.capacity - loaded, "open": shipment.status in ("planned", "loading"),
        "percent": min(100, round(100 * loaded / shipment.capacity)) if shipment.capacity else 0,
    }


def _sheet(request, shipment, form, status=200):
    template = "exports/loading_sheet.html#sheet" if request.htmx else "exports/loading_sheet.html"
    return render(request, template, _sheet_context(shipment, form), status=status)


@login_required
@require_http_methods(["GET", "POST"])
def loading_sheet(request, pk: int):
    shipment = _shipment(request, pk)
    if request.method == "GET":
        return _sheet(request, shipment, DeliveryLineForm(shipment=shipment))
    if not can_change(request.user, shipment.cooperative_id):
        raise PermissionDenied
    form = DeliveryLineForm(request.POST, shipment=shipment)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.delivery_add(shipment=shipment, actor=request.user, **data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            shipment.refresh_from_db()
            # A fresh line keeps the date, so a day's loading is typed without touching it.
            fresh = DeliveryLineForm(shipment=shipment, initial={"date": data["date"]})
            if request.htmx:
                return _sheet(request, shipment, fresh)
            return redirect("exports:loading_sheet", pk=shipment.pk)
    # 200 for htmx (so the swap shows the errors); 400 for a plain form post.
    return _sheet(request, shipment, form, status=200 if request.htmx else 400)


@login_required
@require_POST
def delivery_remove(request, pk: int):
    delivery = get_object_or_404(deliveries_visible_to(request.user, Delivery.objects.all()), pk=pk)
    shipment = _writable_shipment(request, delivery.shipment_id)
    try:
        services.delivery_remove(delivery=delivery, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    shipment.refresh_from_db()
    if request.htmx:
        return _sheet(request, shipment, DeliveryLineForm(shipment=shipment))
    return redirect("exports:loading_sheet", pk=shipment.pk)


# Reports ---------------------------------------------------------------------------------------


@login_required
def premium_reconciliation(request, coop_id: int):
    cooperative = _cooperative(request, coop_id)
    date_from, date_to = date_param(request.GET, "from"), date_param(request.GET, "to")
    lines, shipments = selectors.premium_reconciliation(user=request.user, cooperative=cooperative,
                                                        date_from=date_from, date_to=date_to)
    query = request.GET.copy()
    query.pop("page", None)
    accrued, received = sum(line.accrued for line in lines), sum(line.received for line in lines)
    year = (date_to or timezone.localdate()).year
    context = {
        "cooperative": cooperative, "lines": lines, "page": _with_totals(paginate(request, shipments)),
        "query": query.urlencode(), "accrued": accrued, "received": received, "outstanding": accrued - received,
        "year": year, **premium_charts(cooperative, Period(year)),
    }
    return render(request, "exports/premium_reconciliation.html", context)


@login_required
def mass_balance(request, coop_id: int):
    cooperative = _cooperative(request, coop_id)
    year = int_param(request.GET, "year") or timezone.localdate().year
    year = min(max(year, 2000), 2100)
    lines = selectors.mass_balance(user=request.user, cooperative=cooperative, year=year)
    context = {"cooperative": cooperative, "lines": lines, "year": year,
               "totals": {key: sum(getattr(line, key) for line in lines) for key in ("delivered", "rejected", "shipped")}}
    return render(request, "exports/mass_balance.html", context)


# Weekly settlements ----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def settlement_list(request, coop_id: int):
    cooperative = _cooperative(request, coop_id)
    form = SettlementComputeForm(request.POST or None)
    if request.method == "POST":
        if not can_change(request.user, cooperative.pk):
            raise PermissionDenied
        settlement = run_form(request, form, lambda data: settlement_services.settlement_compute(
            cooperative=cooperative, week_start=data["week"], actor=request.user),
            _("Settlement computed: review it, then have it approved."))
        if settlement:
            return redirect("exports:settlement", pk=settlement.pk)
    context = {
        "cooperative": cooperative, "form": form, "can_change": can_change(request.user, cooperative.pk),
        "page": paginate(request, selectors.settlement_list(user=request.user, cooperative=cooperative)),
        "query": "",
    }
    return render(request, "exports/settlement_list.html", context, status=400 if form.errors else 200)


def _settlement(request, pk: int):
    try:
        return selectors.settlement_for(user=request.user, pk=pk)
    except Settlement.DoesNotExist as error:
        raise Http404 from error


@login_required
def settlement_detail(request, pk: int):
    settlement = _settlement(request, pk)
    context = {
        "settlement": settlement, "cooperative": settlement.cooperative,
        "page": paginate(request, selectors.settlement_lines(settlement), per_page=100), "query": "",
        "can_change": can_change(request.user, settlement.cooperative_id),
        "can_approve": settlement_services.can_approve(request.user, settlement),
    }
    return render(request, "exports/settlement_detail.html", context)


@login_required
@require_POST
def settlement_step(request, pk: int):
    settlement = _settlement(request, pk)
    action = request.POST.get("action")
    steps = {"approve": settlement_services.settlement_approve, "post": settlement_services.settlement_post}
    if action not in steps:
        raise Http404
    allowed = (has_role(request.user, settlement.cooperative_id, settlement_services.APPROVERS) if action == "approve"
               else can_change(request.user, settlement.cooperative_id))
    if not allowed:
        raise PermissionDenied
    try:
        steps[action](settlement=settlement, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Settlement approved.") if action == "approve" else _("Settlement posted."))
    return redirect("exports:settlement", pk=settlement.pk)


@login_required
def settlement_slip(request, pk: int, member_id: int):
    """A producer's slip for the week: printable; the producer sees their own."""
    try:
        line = selectors.slip_for(user=request.user, settlement_id=pk, member_id=member_id)
    except SettlementLine.DoesNotExist as error:
        raise Http404 from error
    context = {"line": line, "settlement": line.settlement, "cooperative": line.settlement.cooperative,
               "deliveries": selectors.slip_deliveries(line)}
    return render(request, "exports/settlement_slip.html", context)


@login_required
def my_deliveries(request):
    """A member's own deliveries by week, with rejections and settlement slips (phone first)."""
    member = selectors.member_of(request.user)
    if member is None:
        raise PermissionDenied
    weeks = selectors.member_weeks(user=request.user, member=member)
    return render(request, "exports/my_deliveries.html", {"member": member, "weeks": weeks,
                                                          "cooperative": member.cooperative})


@login_required
@require_POST
def loading_sheet_import(request, pk: int):
    """Load a CSV file of delivery lines into the container: all of it, or nothing."""
    from members.csv_import import ImportRejected

    from .csv_import import deliveries_import

    shipment = _writable_shipment(request, pk)
    upload = request.FILES.get("file")
    errors = []
    if upload is None:
        errors = [_("Choose a CSV file.")]
    elif upload.size > 5 * 1024 * 1024:
        errors = [_("The file is larger than 5 MB.")]
    else:
        try:
            count = deliveries_import(shipment=shipment, actor=request.user, data=upload.read())
        except ImportRejected as rejected:
            errors = [_("Line %(line)s, %(column)s: %(message)s") % {"line": e.line, "column": e.column or "–",
                                                                     "message": e.message}
                      for e in rejected.errors]
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(request, _("%(count)s lines loaded.") % {"count": count})
            return redirect("exports:loading_sheet", pk=shipment.pk)
    context = _sheet_context(shipment, DeliveryLineForm(shipment=shipment)) | {"import_errors": errors}
    return render(request, "exports/loading_sheet.html", context, status=400)


@login_required
@require_POST
def shipment_document_add(request, pk: int):
    shipment = _writable_shipment(request, pk)
    form = ShipmentDocumentForm(request.POST, request.FILES, prefix="document")
    return _act(request, shipment, form, "document_form", lambda data: services.shipment_document_add(
        shipment=shipment, actor=request.user, kind=data["kind"], file=data["file"]), _("Document added."))


@login_required
def shipment_document(request, pk: int):
    """A shipment's document, to those who may read the shipment's page."""
    from coop.uploads import serve

    document = get_object_or_404(rows_of_visible_shipments(request.user, ShipmentDocument.objects.all()), pk=pk)
    _shipment(request, document.shipment_id)  # staff of the co-op only: importers use the API
    return serve(document.file)


@login_required
def producer_traceability(request, member_id: int):
    """The shipments a producer's boxes went into (co-op staff)."""
    from members.models import Member

    member = get_object_or_404(Member.objects.select_related("cooperative"), pk=member_id)
    if not (request.user.is_superuser or can_read(request.user, member.cooperative_id)):
        raise Http404
    page = paginate(request, selectors.producer_shipments(user=request.user, member=member))
    page.object_list = [row | {"status": ShipmentStatus(row["shipment__status"]).label} for row in page.object_list]
    context = {"member": member, "cooperative": member.cooperative, "page": page, "query": ""}
    return render(request, "exports/producer_traceability.html", context)
