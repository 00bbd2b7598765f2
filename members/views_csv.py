"""Pages to import the register from CSV files and export it."""

from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import selectors
from .csv_columns import LAYOUTS
from .csv_export import export_rows
from .csv_import import ImportRejected, register_import
from .forms import MemberImportForm
from .permissions import can_read_register, cooperatives_for_registration

MAX_ERRORS_SHOWN = 500


@login_required
@require_http_methods(["GET", "POST"])
def member_import(request):
    cooperatives = cooperatives_for_registration(request.user)
    if not cooperatives.exists():
        raise PermissionDenied
    form = MemberImportForm(request.POST or None, request.FILES or None, cooperatives=cooperatives)
    errors = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > settings.MEMBER_IMPORT_MAX_BYTES:
            # Three significant digits: a limit under 1 MB must not read "larger than 0 MB".
            megabytes = Decimal(f"{settings.MEMBER_IMPORT_MAX_BYTES / 1_000_000:.3g}")
            form.add_error("file", _("The file is larger than %(mb)s MB.") % {"mb": number_format(megabytes)})
        else:
            try:
                result = register_import(
                    cooperative=form.cleaned_data["cooperative"],
                    actor=request.user,
                    kind=form.cleaned_data["kind"],
                    data=upload.read(),
                    label=upload.name[:100],
                )
            except ImportRejected as rejected:
                errors = rejected.errors
            else:
                messages.success(
                    request,
                    _("Import done. New: %(created)s; updated: %(updated)s; without changes: %(unchanged)s.")
                    % vars(result),
                )
                return redirect("members:list")
    context = {
        "form": form,
        "errors": errors[:MAX_ERRORS_SHOWN],
        "error_count": len(errors),
        "layouts": {kind: [(c.name, c.required) for c in columns] for kind, columns in LAYOUTS.items()},
    }
    return render(request, "members/member_import.html", context, status=400 if errors else 200)


@login_required
def member_export(request, kind: str):
    if kind not in LAYOUTS:
        raise Http404
    if not can_read_register(request.user):
        raise PermissionDenied
    members = selectors.member_list(user=request.user, **selectors.member_filters(request.GET))
    response = StreamingHttpResponse(export_rows(kind, members), content_type="text/csv; charset=utf-8")
    filename = f"{kind}-{timezone.localdate().isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
