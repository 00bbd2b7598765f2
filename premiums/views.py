"""Pages of the premium-use chain: the year's Fairtrade Development Plan and its versions, the
General Assembly that approved it, allocations and spending per line, plan versus actual.
Administrators and accountants write; the board also records the Assembly; board and cluster staff read."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from coop import uploads
from coop.params import int_param
from coop.views_helpers import add_service_errors, choose_cooperative

from . import selectors, services
from .forms import AllocationForm, AssemblyForm, PlanDraftForm, PlanLineForm, SpendingForm
from .models import DevelopmentPlan, PlanLine, PlanStatus, Spending
from .permissions import can_approve, can_manage, cooperatives_with_premiums_for


def _cooperative(request, coop_id: int):
    return get_object_or_404(cooperatives_with_premiums_for(request.user), pk=coop_id)


def _plan(request, pk: int) -> DevelopmentPlan:
    try:
        return selectors.plan_for(user=request.user, pk=pk)
    except DevelopmentPlan.DoesNotExist as error:
        raise Http404 from error


def _line(request, pk: int) -> PlanLine:
    try:
        return selectors.line_for(user=request.user, pk=pk)
    except PlanLine.DoesNotExist as error:
        raise Http404 from error


@login_required
def premiums_home(request):
    return choose_cooperative(request, cooperatives_with_premiums_for(request.user), url_name="premiums:plans", title=_("Fairtrade Premium"))


@login_required
@require_http_methods(["GET", "POST"])
def plans(request, coop_id: int):
    """The co-op's plans, every year and version; accountants draft a plan for a year here."""
    cooperative = _cooperative(request, coop_id)
    manage = can_manage(request.user, cooperative.pk)
    form = PlanDraftForm(request.POST or None, initial={"year": timezone.localdate().year})
    if request.method == "POST":
        if not manage:
            raise PermissionDenied
        if form.is_valid():
            try:
                plan = services.plan_draft(cooperative=cooperative, year=form.cleaned_data["year"], actor=request.user)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Draft plan created."))
                return redirect("premiums:plan", pk=plan.pk)
    context = {
        "cooperative": cooperative,
        "plans": selectors.plans_for(user=request.user, cooperative=cooperative),
        "unallocated": selectors.unallocated_premium(cooperative=cooperative),
        "form": form,
        "can_manage": manage,
    }
    return render(request, "premiums/plans.html", context)


@login_required
def year_plan(request, coop_id: int, year: int):
    """Plan versus actual of a year: the approved version's page (the latest version if none is approved)."""
    cooperative = _cooperative(request, coop_id)
    versions = selectors.plans_for(user=request.user, cooperative=cooperative).filter(year=year)
    plan = versions.filter(status=PlanStatus.APPROVED).first() or versions.first()
    if plan is None:
        raise Http404
    return redirect("premiums:plan", pk=plan.pk)


def _plan_page(request, plan: DevelopmentPlan, *, line_form=None, assembly_form=None, bound_line=None,
               allocation_form=None, spending_form=None):
    """The plan page; a form that failed comes back bound, with its errors."""
    user = request.user
    manage = can_manage(user, plan.cooperative_id)
    approve = can_approve(user, plan.cooperative_id)
    rows = selectors.plan_lines(plan=plan)
    versions = selectors.plan_versions(plan=plan)
    draft = plan.status == PlanStatus.DRAFT
    approved = plan.status == PlanStatus.APPROVED
    today = timezone.localdate()
    if draft and manage and line_form is None:
        editing = int_param(request.GET, "edit")
        line = next((row.line for row in rows if row.line.pk == editing), None)
        initial = {field: getattr(line, field) for field in ("code", "project", "objective", "beneficiaries", "budget",
                                                              "fund")} if line else {}
        line_form = PlanLineForm(initial=initial, cooperative=plan.cooperative)
    if draft and approve and assembly_form is None:
        assembly_form = AssemblyForm(initial={"held_on": today})
    if approved and manage:
        for row in rows:
            pk = row.line.pk
            row.allocation_form = allocation_form if bound_line == pk and allocation_form else AllocationForm(
                initial={"date": today}, auto_id=f"id_allocate{pk}_%s")
            row.spending_form = spending_form if bound_line == pk and spending_form else SpendingForm(
                initial={"date": today}, auto_id=f"id_spend{pk}_%s")
            row.open = bound_line == pk
    for form in (allocation_form, spending_form):
        if form is not None and not (approved and manage):  # the page has no form to show its errors on
            for field, errors in form.errors.items():
                label = form.fields[field].label if field in form.fields else None
                messages.error(request, " ".join(f"{label}: {e}" if label else e for e in errors))
    has_draft = any(version.status == PlanStatus.DRAFT for version in versions)
    context = {
        "plan": plan,
        "cooperative": plan.cooperative,
        "assembly": getattr(plan, "approval", None),
        "rows": rows,
        "show_actuals": approved,
        "totals": selectors.plan_totals(rows),
        "versions": versions,
        "allocations": selectors.allocations_of_year(plan=plan) if not draft else [],
        "spending": selectors.spending_of_year(plan=plan) if not draft else [],
        "unallocated": selectors.unallocated_premium(cooperative=plan.cooperative),
        "can_manage": manage,
        "can_approve": approve,
        "line_form": line_form,
        "assembly_form": assembly_form,
        "can_draft_version": manage and approved and not has_draft,
        "draft_version": next((v for v in versions if v.status == PlanStatus.DRAFT and v.pk != plan.pk), None),
        "approved_version": next((v for v in versions if v.status == PlanStatus.APPROVED and v.pk != plan.pk), None),
    }
    return render(request, "premiums/plan_detail.html", context)


@login_required
def plan_detail(request, pk: int):
    return _plan_page(request, _plan(request, pk))


@login_required
@require_POST
def line_set(request, pk: int):
    """Add a line to a draft, or change the draft's line with the code given."""
    plan = _plan(request, pk)
    if not can_manage(request.user, plan.cooperative_id):
        raise PermissionDenied
    form = PlanLineForm(request.POST, cooperative=plan.cooperative)
    if form.is_valid():
        try:
            services.plan_line_set(plan=plan, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Line %(code)s saved.") % {"code": form.cleaned_data["code"]})
            return redirect("premiums:plan", pk=plan.pk)
    return _plan_page(request, plan, line_form=form)


@login_required
@require_POST
def plan_approve(request, pk: int):
    """Record the General Assembly that approved the draft."""
    plan = _plan(request, pk)
    if not can_approve(request.user, plan.cooperative_id):
        raise PermissionDenied
    form = AssemblyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.plan_approve(plan=plan, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The General Assembly's approval is recorded."))
            return redirect("premiums:plan", pk=plan.pk)
    return _plan_page(request, plan, assembly_form=form)


@login_required
@require_POST
def plan_new_version(request, pk: int):
    """Draft the next version of an approved plan (it needs its own approval)."""
    plan = _plan(request, pk)
    if not can_manage(request.user, plan.cooperative_id):
        raise PermissionDenied
    try:
        draft = services.plan_draft(cooperative=plan.cooperative, year=plan.year, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("premiums:plan", pk=plan.pk)
    messages.success(request, _("Version %(version)s drafted. It needs the General Assembly's approval.") % {
        "version": draft.version})
    return redirect("premiums:plan", pk=draft.pk)


def _approved_line(request, pk: int) -> PlanLine:
    line = _line(request, pk)
    if not can_manage(request.user, line.cooperative_id):
        raise PermissionDenied
    return line


@login_required
@require_POST
def allocate(request, pk: int):
    """Move premium from the unallocated fund to the line's fund."""
    line = _approved_line(request, pk)
    form = AllocationForm(request.POST, auto_id=f"id_allocate{line.pk}_%s")
    if form.is_valid():
        try:
            services.premium_allocate(line=line, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Premium allocated to %(code)s.") % {"code": line.code})
            return redirect("premiums:plan", pk=line.plan_id)
    return _plan_page(request, _plan(request, line.plan_id), bound_line=line.pk, allocation_form=form)


@login_required
@require_POST
def spend(request, pk: int):
    """Record a payment to a supplier from the line's fund, with its receipt."""
    line = _approved_line(request, pk)
    form = SpendingForm(request.POST, request.FILES, auto_id=f"id_spend{line.pk}_%s")
    if form.is_valid():
        if line.plan.status != PlanStatus.APPROVED:
            form.add_error(None, _("Premium is spent only from a line of the plan the General Assembly approved."))
        else:
            try:
                services.premium_spend(line=line, actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Spending recorded on %(code)s.") % {"code": line.code})
                return redirect("premiums:plan", pk=line.plan_id)
    return _plan_page(request, _plan(request, line.plan_id), bound_line=line.pk, spending_form=form)


@login_required
def minutes_download(request, pk: int):
    """The Assembly's minutes, to those who read the co-op's premium."""
    plan = _plan(request, pk)
    assembly = getattr(plan, "approval", None)
    if assembly is None:
        raise Http404
    return uploads.serve(assembly.minutes_document)


@login_required
def receipt_download(request, pk: int):
    try:
        spending = selectors.spending_for(user=request.user, pk=pk)
    except Spending.DoesNotExist as error:
        raise Http404 from error
    return uploads.serve(spending.receipt)
