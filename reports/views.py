"""Report pages: ask for a report, watch it being built (htmx polls its progress), download it;
the list of a co-op's reports with who asked and when; CSV and XLSX of the tables behind each."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from coop import uploads
from coop.models import Cooperative
from coop.tenancy import roles_by_cooperative
from coop.views_helpers import add_service_errors, choose_cooperative, paginate

from . import exports, services
from .base import KINDS
from .models import Report, ReportSubscription
from .permissions import may_read, reports_visible_to


def _kinds_for(user, cooperative) -> list:
    roles = roles_by_cooperative(user).get(cooperative.pk, frozenset())
    return [kind for kind in KINDS.values() if user.is_superuser or roles & kind.readers]


def _cooperatives_for(user):
    if user.is_superuser:
        return Cooperative.objects.all()
    ids = [cid for cid, roles in roles_by_cooperative(user).items()
           if any(roles & kind.readers for kind in KINDS.values())]
    return Cooperative.objects.filter(pk__in=ids)


def _forms(cooperative, kinds, bound=None):
    """One small form per kind the user may ask for; ``bound`` is (kind, data, error) of the one
    that was refused, shown with its errors."""
    result = []
    for kind in kinds:
        refused = bound is not None and bound[0] == kind.code
        form = forms.Form(bound[1] if refused else None, prefix=kind.code)
        form.fields.update(kind.fields(cooperative))
        if refused:
            form.is_valid()
            add_service_errors(form, bound[2])
        result.append((kind, form))
    return result


@login_required
def home(request):
    return choose_cooperative(request, _cooperatives_for(request.user), url_name="reports:list",
                              title=_("Reports"))


@login_required
def report_list(request, coop_id: int, bound=None, status=200):
    cooperative = get_object_or_404(_cooperatives_for(request.user), pk=coop_id)
    kinds = _kinds_for(request.user, cooperative)
    reports = reports_visible_to(request.user, Report.objects.filter(cooperative=cooperative)).select_related(
        "requested_by")
    subscribed = set(ReportSubscription.objects.filter(cooperative=cooperative, user=request.user)
                     .values_list("kind", flat=True))
    return render(request, "reports/report_list.html", {
        "cooperative": cooperative, "page": paginate(request, reports), "forms": _forms(cooperative, kinds, bound),
        "scheduled": [(kind, kind.code in subscribed) for kind in kinds if kind.code in services.SCHEDULED_KINDS]},
        status=status)


@login_required
@require_POST
def subscription(request, coop_id: int):
    """Have the scheduled report emailed each quarter, or stop."""
    cooperative = get_object_or_404(_cooperatives_for(request.user), pk=coop_id)
    try:
        services.subscription_set(cooperative=cooperative, user=request.user, kind=request.POST.get("kind", ""),
                                  subscribed=request.POST.get("subscribed") == "1")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Saved."))
    return redirect("reports:list", coop_id=cooperative.pk)


@login_required
@require_POST
def report_ask(request, coop_id: int):
    """Ask for a report; also from buttons on other pages (a shipment's packing list, my loans)."""
    cooperative = get_object_or_404(Cooperative, pk=coop_id)
    kind = KINDS.get(request.POST.get("kind", ""))
    if kind is None:
        raise Http404
    if not kind.may_ask(request.user, cooperative.pk):
        raise Http404
    data = {key.removeprefix(f"{kind.code}-"): value for key, value in request.POST.items()}
    try:
        params = kind.clean_params(cooperative, data)
    except ValidationError as error:
        if kind not in _kinds_for(request.user, cooperative):  # a member or an importer: no form to show
            raise Http404 from error
        return report_list(request, coop_id, bound=(kind.code, request.POST, error), status=400)
    if not kind.allowed(request.user, cooperative.pk, params):
        raise Http404
    report = services.report_request(cooperative=cooperative, kind=kind.code, data=params, actor=request.user)
    return redirect("reports:report", pk=report.pk)


def _report(request, pk: int) -> Report:
    report = get_object_or_404(Report.objects.select_related("cooperative", "requested_by"), pk=pk)
    if not may_read(request.user, report):
        raise Http404
    return report


@login_required
@never_cache
def report_detail(request, pk: int):
    report = _report(request, pk)
    template = "reports/_progress.html" if request.htmx else "reports/report_detail.html"
    return render(request, template, {"report": report, "cooperative": report.cooperative})


@login_required
def report_download(request, pk: int):
    report = _report(request, pk)
    if not report.file:
        raise Http404
    return uploads.serve(report.file)


@login_required
def table_export(request, coop_id: int, kind: str, fmt: str):
    """The tables behind a report, with the same parameters, as CSV or XLSX (at once: they are
    a few grouped queries)."""
    cooperative = get_object_or_404(Cooperative, pk=coop_id)
    if kind not in KINDS or fmt not in ("csv", "xlsx"):
        raise Http404
    report_kind = KINDS[kind]
    if not report_kind.may_ask(request.user, cooperative.pk):
        raise Http404
    try:
        params = report_kind.clean_params(cooperative, request.GET)
    except ValidationError as error:
        return HttpResponse(" ".join(error.messages), status=400, content_type="text/plain; charset=utf-8")
    if not report_kind.allowed(request.user, cooperative.pk, params):
        raise Http404
    tables = report_kind.tables(cooperative, params, reader=request.user)
    name = slugify(report_kind.title(cooperative, params))[:80] or kind
    if fmt == "xlsx":
        response = HttpResponse(exports.as_xlsx(tables),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    else:
        response = HttpResponse(exports.as_csv(tables), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response
