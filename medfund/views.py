"""Medical fund pages: a member's family claims on a phone, the committee's review, payment by the
accountants, and the fund's dashboard. Every page is sent with Cache-Control: no-store, and every
claim shown is logged as read."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from coop import uploads
from coop.views_helpers import add_service_errors, choose_cooperative, paginate, run_form
from exports.selectors import member_of
from members.models import Member

from . import eligibility, selectors, services
from .forms import ApproveForm, ClaimForm, DocumentForm, MemberChoiceForm, PayForm, RejectForm, ReviewForm
from .models import Category, Claim, ClaimDocument, ClaimStatus, StepKind
from .permissions import (
    can_list_claims,
    can_pay,
    can_review,
    can_submit_for_others,
    claims_visible_to,
    cooperatives_with_fund_for,
    sees_details,
)

# Steps the committee takes: the claimant reads what was done, not which member did it.
COMMITTEE_STEPS = [StepKind.REVIEW, StepKind.DOCUMENTS_REQUESTED, StepKind.APPROVAL, StepKind.APPROVED,
                   StepKind.FAST_TRACKED, StepKind.RATIFIED, StepKind.REJECTED]


def private(view):
    """Logged in, and never kept by a browser or a proxy: medical details pass through these pages."""
    return login_required(never_cache(view))


def _cooperative(request, coop_id: int):
    return get_object_or_404(cooperatives_with_fund_for(request.user), pk=coop_id)


@private
def home(request):
    return choose_cooperative(request, cooperatives_with_fund_for(request.user), url_name="medfund:dashboard",
                              title=_("Medical fund"))


@private
def dashboard(request, coop_id: int):
    """Balance, commitments, what was paid this year by category and month, how long a claim takes;
    the queue of approved claims for those who pay or decide them."""
    cooperative = _cooperative(request, coop_id)
    year = timezone.localdate().year
    context = {"cooperative": cooperative, "year": year,
               "totals": selectors.dashboard(cooperative_id=cooperative.pk, year=year),
               "months": selectors.monthly_totals(cooperative_id=cooperative.pk, year=year),
               "lists_claims": can_list_claims(request.user, cooperative.pk),
               "can_pay": can_pay(request.user, cooperative.pk),
               "can_submit": can_submit_for_others(request.user, cooperative.pk)}
    if context["lists_claims"]:
        context["queue"] = selectors.waiting(cooperative_id=cooperative.pk, balance=context["totals"]["balance"])
        services.claims_read(reader=request.user, claims=[row["claim"] for row in context["queue"]], via="queue")
    return render(request, "medfund/dashboard.html", context)


@private
def claim_list(request, coop_id: int):
    cooperative = _cooperative(request, coop_id)
    if not can_list_claims(request.user, cooperative.pk):
        raise Http404
    status = request.GET.get("status", "")
    page = paginate(request, selectors.claim_list(user=request.user, cooperative_id=cooperative.pk, status=status))
    services.claims_read(reader=request.user, claims=page.object_list, via="list")
    return render(request, "medfund/claim_list.html", {
        "cooperative": cooperative, "page": page, "status": status, "statuses": ClaimStatus.choices,
        "query": f"status={status}" if status in ClaimStatus.values else "",
        "details": can_review(request.user, cooperative.pk)})


def _claim(request, pk: int) -> Claim:
    try:
        return selectors.claim_for(user=request.user, pk=pk)
    except Claim.DoesNotExist as error:
        raise Http404 from error


def _claim_page(request, claim, status=200, **forms):
    details = sees_details(request.user, claim)
    reviewer = can_review(request.user, claim.cooperative_id) and claim.member.user_id != request.user.pk
    open_claim = claim.status in services.OPEN
    approvals = list(claim.approvals.all())
    context = {
        "claim": claim, "cooperative": claim.member.cooperative, "details": details,
        "reviewer": reviewer, "approvals": approvals,
        "approved_by_me": any(a.approver_id == request.user.pk for a in approvals),
        "ratified": len(approvals) >= claim.rules.approvals_required,
        "position": selectors.queue_position(claim),
        "can_pay": can_pay(request.user, claim.cooperative_id) and claim.status == ClaimStatus.APPROVED,
        "can_add_document": open_claim and (details or can_submit_for_others(request.user, claim.cooperative_id)),
        "open": open_claim,
        "document_form": forms.get("document_form") or DocumentForm(),
        "review_form": forms.get("review_form") or ReviewForm(),
        "approve_form": forms.get("approve_form") or ApproveForm(initial={"amount": claim.amount_requested}),
        "reject_form": forms.get("reject_form") or RejectForm(),
        "pay_form": forms.get("pay_form") or PayForm(initial={"date": timezone.localdate()}),
        "reads": selectors.reads_of(claim) if can_review(request.user, claim.cooperative_id) else None,
        "committee_steps": COMMITTEE_STEPS,
    }
    services.claims_read(reader=request.user, claims=[claim], via="page")
    return render(request, "medfund/claim_detail.html", context, status=status)


@private
def claim_detail(request, pk: int):
    return _claim_page(request, _claim(request, pk))


def _claim_step(request, pk: int, *, allowed, form_class, form_name: str, service, done: str):
    """A POST that moves a claim on: the service runs for a valid form, the page shows the form's
    errors otherwise (400); a role that may not take the step gets 403."""
    claim = _claim(request, pk)
    if not allowed(request.user, claim.cooperative_id):
        raise PermissionDenied
    form = form_class(request.POST)
    if run_form(request, form, lambda data: service(claim=claim, actor=request.user, **data), done):
        return redirect("medfund:claim", pk=claim.pk)
    return _claim_page(request, claim, status=400, **{form_name: form})


@private
@require_POST
def claim_review(request, pk: int):
    return _claim_step(request, pk, allowed=can_review, form_class=ReviewForm, form_name="review_form",
                       service=services.claim_review, done=_("The claim is under review."))


@private
@require_POST
def claim_approve(request, pk: int):
    return _claim_step(request, pk, allowed=can_review, form_class=ApproveForm, form_name="approve_form",
                       service=services.claim_approve, done=_("Your approval is recorded."))


@private
@require_POST
def claim_reject(request, pk: int):
    return _claim_step(request, pk, allowed=can_review, form_class=RejectForm, form_name="reject_form",
                       service=services.claim_reject, done=_("The claim is rejected."))


@private
@require_POST
def claim_pay(request, pk: int):
    return _claim_step(request, pk, allowed=can_pay, form_class=PayForm, form_name="pay_form",
                       service=services.claim_pay, done=_("The claim is paid and posted."))


@private
@require_POST
def queue_pay(request, coop_id: int):
    cooperative = _cooperative(request, coop_id)
    if not can_pay(request.user, cooperative.pk):
        raise PermissionDenied
    paid = services.queue_pay(cooperative_id=cooperative.pk, actor=request.user)
    waiting = services.waiting_queue(cooperative.pk).count()
    messages.success(request, ngettext("%(paid)s claim paid; %(waiting)s still waiting for the fund.",
                                       "%(paid)s claims paid; %(waiting)s still waiting for the fund.", len(paid))
                     % {"paid": len(paid), "waiting": waiting})
    return redirect("medfund:dashboard", coop_id=cooperative.pk)


@private
@require_POST
def document_add(request, pk: int):
    claim = _claim(request, pk)
    form = DocumentForm(request.POST, request.FILES)
    if run_form(request, form, lambda data: services.claim_document_add(
            claim=claim, actor=request.user, kind=data["kind"], upload=data["file"]), _("Document added.")):
        return redirect("medfund:claim", pk=claim.pk)
    return _claim_page(request, claim, status=400, document_form=form)


@private
def document_download(request, pk: int):
    document = get_object_or_404(ClaimDocument.objects.select_related("claim__member"), pk=pk)
    if not (claims_visible_to(request.user, Claim.objects.filter(pk=document.claim_id)).exists()
            and sees_details(request.user, document.claim)):
        raise Http404
    services.claims_read(reader=request.user, claims=[document.claim], via="document")
    return uploads.serve(document.file)


@private
def my_claims(request):
    """A member's family claims on a phone: where each stands, and what is left of the caps."""
    member = member_of(request.user)
    if member is None:
        raise PermissionDenied
    claims = list(selectors.member_claims(user=request.user, member=member))
    services.claims_read(reader=request.user, claims=claims, via="mine")
    return render(request, "medfund/my_claims.html", {
        "member": member, "cooperative": member.cooperative, "claims": claims,
        "year": timezone.localdate().year,
        "caps": eligibility.caps_left(member=member, year=timezone.localdate().year)})


def _claim_form(request, member, data=None, files=None):
    today = timezone.localdate()
    return ClaimForm(data, files, member=member, household=member.household.all(),
                     categories=Category.objects.filter(cooperative_id=member.cooperative_id,
                                                        rules__rules__valid_from__lte=today).distinct(),
                     initial={"event_date": today})


def _submit(request, member, template_context):
    form = _claim_form(request, member, request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            claim = services.claim_submit(
                member=member, actor=request.user, beneficiary=data["beneficiary"], category=data["category"],
                event_date=data["event_date"], description=data["description"],
                amount_requested=data["amount_requested"], urgent=data["urgent"], documents=form.documents())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Claim #%(number)s submitted. The committee will review it.") % {
                "number": claim.pk})
            return claim
    status = 400 if request.method == "POST" else 200
    return render(request, "medfund/claim_form.html", {**template_context, "form": form, "member": member,
                                                       "cooperative": member.cooperative}, status=status)


@private
def my_claim_new(request):
    member = member_of(request.user)
    if member is None:
        raise PermissionDenied
    result = _submit(request, member, {"for_member": True})
    return redirect("medfund:mine") if isinstance(result, Claim) else result


@private
def claim_new_for(request, coop_id: int):
    """Staff submit a claim on a member's behalf: the member by number, then the claim."""
    cooperative = _cooperative(request, coop_id)
    if not can_submit_for_others(request.user, cooperative.pk):
        raise Http404
    chooser = MemberChoiceForm(request.GET or request.POST or None)
    member = None
    if chooser.is_valid():
        member = Member.objects.filter(cooperative=cooperative, number=chooser.cleaned_data["member_number"]).first()
        if member is None:
            chooser.add_error("member_number", _("No member of %(coop)s has this number.") % {
                "coop": cooperative.short_name})
    if member is None:
        return render(request, "medfund/claim_form.html", {"chooser": chooser, "cooperative": cooperative},
                      status=400 if chooser.is_bound else 200)
    result = _submit(request, member, {"chooser": chooser})
    return redirect("medfund:claim", pk=result.pk) if isinstance(result, Claim) else result
