"""Pages of the member register, for co-op staff and for the member themself."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers

from coop.permissions import cooperatives_visible_to
from coop.views_helpers import PAGE_SIZES, add_service_errors, paginate

from . import selectors, services
from .forms import (
    HouseholdMemberForm,
    MemberForm,
    MemberLoginForm,
    MemberStatusForm,
    PlotForm,
)
from .models import HouseholdMember, Member, MemberStatus, OrganicStatus, Plot
from .permissions import (
    can_change_member,
    can_read_register,
    cooperatives_for_registration,
    members_changeable_by,
)


def _require_register_reader(user) -> None:
    if not can_read_register(user):
        raise PermissionDenied


def _changeable_member(request, pk) -> Member:
    """The member, if the user may change it; 404 when it is not theirs to see at all."""
    member = get_object_or_404(
        members_changeable_by(request.user).select_related("cooperative"), pk=pk
    )
    return member


@login_required
@vary_on_headers("HX-Request")
def member_list(request):
    _require_register_reader(request.user)
    cooperatives = list(cooperatives_visible_to(request.user))
    filters = selectors.member_filters(request.GET)
    page = paginate(request, selectors.member_list(user=request.user, **filters))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "filters": filters,
        "query": query.urlencode(),
        "statuses": MemberStatus.choices,
        "page_sizes": PAGE_SIZES,
        "organic_statuses": OrganicStatus.choices,
        "villages": selectors.villages_for(user=request.user, cooperative_id=filters["cooperative_id"]),
        "cooperatives": cooperatives,
        "can_register": cooperatives_for_registration(request.user).exists(),
    }
    # htmx swaps in the rows alone, except when it restores a page from history (Back button).
    rows_only = request.htmx and not request.htmx.history_restore_request
    template = "members/_member_rows.html" if rows_only else "members/member_list.html"
    return render(request, template, context)


@login_required
def member_detail(request, pk: int):
    try:
        member = selectors.member_detail(user=request.user, pk=pk)
    except Member.DoesNotExist as error:
        raise Http404 from error
    today = timezone.localdate()
    order = {"spouse": 0, "partner": 0, "child": 1, "other": 2}
    people = sorted(
        member.household.all(),
        key=lambda p: (not p.is_current, order[p.relationship], p.birth_date),
    )
    household = [
        {"person": p, "age": p.age(today), "dependent": p.is_dependent_on(today, member.cooperative)}
        for p in people
    ]
    context = {
        "member": member,
        "household": household,
        "history": selectors.member_history(member=member),
        "can_change": can_change_member(request.user, member),
        "is_own_record": member.user_id == request.user.pk,
    }
    return render(request, "members/member_detail.html", context)


@login_required
def member_me(request):
    member = selectors.member_own(user=request.user)
    if member is None:
        raise Http404(_("Your login is not linked to a member record."))
    return member_detail(request, member.pk)


def _form_page(request, form, save, *, success: str, template: str, member=None, **context):
    """Show the form; on a valid POST call the service, then go to the member's page.

    A service's ValidationError lands on the form's fields and nothing is saved.
    """
    if request.method == "POST" and form.is_valid():
        try:
            saved = save(form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, success)
            return redirect("members:detail", pk=(member or saved).pk)
    return render(request, template, {"form": form, "member": member, **context})


@login_required
@require_http_methods(["GET", "POST"])
def member_create(request):
    cooperatives = cooperatives_for_registration(request.user)
    if not cooperatives.exists():
        raise PermissionDenied

    def register(data):
        data = dict(data)
        return services.member_register(cooperative=data.pop("cooperative"), actor=request.user, **data)

    form = MemberForm(request.POST or None, cooperatives=cooperatives)
    return _form_page(request, form, register, success=_("Member registered."), template="members/member_form.html")


@login_required
@require_http_methods(["GET", "POST"])
def member_edit(request, pk: int):
    member = _changeable_member(request, pk)
    form = MemberForm(request.POST or None, instance=member, cooperatives=None)
    return _form_page(
        request, form, lambda data: services.member_update(member=member, actor=request.user, **data),
        success=_("Changes saved."), template="members/member_form.html", member=member,
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_status(request, pk: int):
    member = _changeable_member(request, pk)
    form = MemberStatusForm(
        request.POST or None, initial={"effective_on": timezone.localdate()}, current=member.status
    )
    return _form_page(
        request, form, lambda data: services.member_status_change(member=member, actor=request.user, **data),
        success=_("Status changed."), template="members/member_status_form.html", member=member,
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_login(request, pk: int):
    member = _changeable_member(request, pk)
    if member.user_id:
        messages.info(request, _("This member already has a login."))
        return redirect("members:detail", pk=member.pk)
    suggested = f"{member.cooperative.short_name}-{member.number}".lower()
    form = MemberLoginForm(request.POST or None, initial={"username": suggested})
    return _form_page(
        request, form, lambda data: services.member_login_create(member=member, actor=request.user, **data),
        success=_("Login created."), template="members/member_login_form.html", member=member,
    )


@login_required
@require_http_methods(["GET", "POST"])
def household_add(request, pk: int):
    member = _changeable_member(request, pk)
    form = HouseholdMemberForm(request.POST or None, initial={"last_name": member.last_name})
    return _form_page(
        request, form, lambda data: services.household_member_add(member=member, actor=request.user, **data),
        success=_("Household member added."), template="members/household_form.html", member=member,
    )


@login_required
@require_http_methods(["GET", "POST"])
def household_edit(request, pk: int, person_pk: int):
    member = _changeable_member(request, pk)
    person = get_object_or_404(HouseholdMember.objects.filter(member=member), pk=person_pk)
    form = HouseholdMemberForm(request.POST or None, instance=person)
    return _form_page(
        request, form, lambda data: services.household_member_update(person=person, actor=request.user, **data),
        success=_("Changes saved."), template="members/household_form.html", member=member, person=person,
    )


@login_required
@require_http_methods(["GET", "POST"])
def plot_add(request, pk: int):
    member = _changeable_member(request, pk)
    form = PlotForm(request.POST or None)
    return _form_page(
        request, form, lambda data: services.plot_add(member=member, actor=request.user, **data),
        success=_("Plot added."), template="members/plot_form.html", member=member,
    )


@login_required
@require_http_methods(["GET", "POST"])
def plot_edit(request, pk: int, plot_pk: int):
    member = _changeable_member(request, pk)
    plot = get_object_or_404(Plot.objects.filter(member=member), pk=plot_pk)
    form = PlotForm(request.POST or None, instance=plot)
    return _form_page(
        request, form, lambda data: services.plot_update(plot=plot, actor=request.user, **data),
        success=_("Changes saved."), template="members/plot_form.html", member=member, plot=plot,
    )
