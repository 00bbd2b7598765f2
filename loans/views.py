"""Pages of loan rounds (staff) and a member's own loans (phone first)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from coop.views_helpers import choose_cooperative, paginate, run_form

from . import repayments as repayment_services
from . import rotation, selectors, services
from .forms import (
    CancelForm,
    DisburseForm,
    RepaymentForm,
    RescheduleForm,
    RoundProposeForm,
    RoundTermsForm,
    WriteOffForm,
)
from .models import Loan, LoanRound, RoundLine
from .permissions import can_approve, can_propose, cooperatives_with_loans_for, loans_visible_to


def _cooperative(request, coop_id: int):
    return get_object_or_404(cooperatives_with_loans_for(request.user), pk=coop_id)


def _round(request, pk: int) -> LoanRound:
    try:
        return selectors.round_for(user=request.user, pk=pk)
    except LoanRound.DoesNotExist as error:
        raise Http404 from error


@login_required
def loans_home(request):
    return choose_cooperative(request, cooperatives_with_loans_for(request.user), url_name="loans:rounds", title=_("Loans"))


@login_required
@require_http_methods(["GET", "POST"])
def round_list(request, coop_id: int):
    cooperative = _cooperative(request, coop_id)
    policy = services.policy_in_force(cooperative.pk, timezone.localdate())
    initial = {"pool": services.lendable(cooperative.pk),
               "minimum_amount": policy.minimum_amount if policy else 0,
               "maximum_amount": policy.maximum_amount if policy else None}
    form = RoundProposeForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if not can_propose(request.user, cooperative.pk):
            raise PermissionDenied
        loan_round = run_form(request, form, lambda data: services.round_propose(
            cooperative=cooperative, actor=request.user, year=data["year"], quarter=data["quarter"],
            pool=data["pool"], minimum=data["minimum_amount"], maximum=data["maximum_amount"]),
            _("Round proposed: review it, then a board member approves it."))
        if loan_round:
            return redirect("loans:round", pk=loan_round.pk)
    context = {"cooperative": cooperative, "form": form, "policy": policy,
               "lendable": services.lendable(cooperative.pk), "portfolio": selectors.portfolio(cooperative=cooperative),
               "page": paginate(request, selectors.round_list(user=request.user, cooperative=cooperative)),
               "query": "", "can_propose": can_propose(request.user, cooperative.pk)}
    return render(request, "loans/round_list.html", context, status=400 if form.errors else 200)


def _round_page(request, loan_round, terms_form=None, preview=None, status=200):
    order = request.GET.get("order", "number")
    context = {
        "round": loan_round, "cooperative": loan_round.cooperative, "order": order,
        "lines": preview if preview is not None else selectors.round_lines(loan_round, order),
        "preview": preview is not None,
        "terms_form": terms_form or RoundTermsForm(initial={
            "pool": loan_round.pool, "minimum_amount": loan_round.minimum_amount,
            "maximum_amount": loan_round.maximum_amount}),
        "disburse_form": DisburseForm(), "cancel_form": CancelForm(),
        "can_propose": can_propose(request.user, loan_round.cooperative_id),
        "can_approve": can_approve(request.user, loan_round.cooperative_id)
        and loan_round.proposed_by_id != request.user.pk,
        "lendable": services.lendable(loan_round.cooperative_id),
    }
    return render(request, "loans/round_detail.html", context, status=status)


@login_required
def round_detail(request, pk: int):
    """The round's table; ``?preview=1&pool=..`` shows what other terms would give, unsaved."""
    loan_round = _round(request, pk)
    if request.GET.get("preview") and loan_round.status == "proposed":
        form = RoundTermsForm(request.GET)
        if form.is_valid():
            data = form.cleaned_data
            lines = services.compute_lines(
                cooperative_id=loan_round.cooperative_id, on=services.quarter_dates(loan_round.year,
                                                                                     loan_round.quarter)[0],
                reference_start=loan_round.reference_start, reference_end=loan_round.reference_end,
                pool=data["pool"], minimum=data["minimum_amount"], maximum=data["maximum_amount"],
                overdue_days=loan_round.policy.overdue_days_limit)
            members = {m.pk: m for m in loan_round.cooperative.members.filter(pk__in=[ln.member_id for ln in lines])}
            for line in lines:
                line.member = members[line.member_id]
            return _round_page(request, loan_round, terms_form=form, preview=lines)
        return _round_page(request, loan_round, terms_form=form, status=400)
    return _round_page(request, loan_round)


@login_required
@require_POST
def round_revise(request, pk: int):
    loan_round = _round(request, pk)
    if not can_propose(request.user, loan_round.cooperative_id):
        raise PermissionDenied
    form = RoundTermsForm(request.POST)
    if run_form(request, form, lambda data: services.round_revise(
            loan_round=loan_round, actor=request.user, pool=data["pool"], minimum=data["minimum_amount"],
            maximum=data["maximum_amount"]), _("New terms saved and the pool shared again.")):
        return redirect("loans:round", pk=loan_round.pk)
    return _round_page(request, loan_round, terms_form=form, status=400)


@login_required
@require_POST
def round_step(request, pk: int):
    loan_round = _round(request, pk)
    action = request.POST.get("action")
    if action == "approve":
        if not can_approve(request.user, loan_round.cooperative_id):
            raise PermissionDenied
        run = lambda: services.round_approve(loan_round=loan_round, actor=request.user)  # noqa: E731
    elif action in ("disburse", "cancel"):
        if not (can_propose(request.user, loan_round.cooperative_id)
                or (action == "cancel" and can_approve(request.user, loan_round.cooperative_id))):
            raise PermissionDenied
        if action == "disburse":
            form = DisburseForm(request.POST)
            date = form.cleaned_data["date"] if form.is_valid() else None
            run = lambda: services.round_disburse(loan_round=loan_round, actor=request.user, date=date)  # noqa: E731
        else:
            run = lambda: services.round_cancel(loan_round=loan_round, actor=request.user,  # noqa: E731
                                                reason=request.POST.get("reason", ""))
    else:
        raise Http404
    try:
        run()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, {"approve": _("Round approved."), "disburse": _("Loans disbursed and posted."),
                                   "cancel": _("Round cancelled.")}[action])
    return redirect("loans:round", pk=loan_round.pk)


@login_required
def my_loans(request):
    """A member's loans on a phone: balance, next installment, history, how the amount came about."""
    from exports.selectors import member_of

    member = member_of(request.user)
    if member is None:
        raise PermissionDenied
    context = {"member": member, "cooperative": member.cooperative,
               "loans": selectors.member_loans(user=request.user, member=member),
               "offers": selectors.member_offers(user=request.user, member=member)}
    return render(request, "loans/my_loans.html", context)


@login_required
@require_POST
def offer_decline(request, pk: int):
    line = get_object_or_404(loans_visible_to(request.user, RoundLine.objects.select_related("member")), pk=pk)
    try:
        services.offer_decline(line=line, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Offer declined."))
    if line.member.user_id == request.user.pk:
        return redirect("loans:mine")
    return redirect("loans:round", pk=line.round_id)


def _loan(request, pk: int):
    loan = get_object_or_404(loans_visible_to(request.user, Loan.objects.select_related(
        "member", "cooperative", "line__round")), pk=pk)
    if not cooperatives_with_loans_for(request.user).filter(pk=loan.cooperative_id).exists():
        raise Http404  # a member reads their loans under "My loans"
    return loan


def _loan_page(request, loan, repayment_form=None, write_off_form=None, reschedule_form=None, status=200):
    context = {
        "loan": loan, "cooperative": loan.cooperative,
        "balance": repayment_services.balances([loan.pk])[loan.pk],
        "installments": loan.installments.filter(replaced=False), "repayments": loan.repayments.select_related("recorded_by"),
        "repayment_form": repayment_form or RepaymentForm(), "write_off_form": write_off_form or WriteOffForm(),
        "reschedule_form": reschedule_form or RescheduleForm(prefix="reschedule"),
        "can_record": can_propose(request.user, loan.cooperative_id) and loan.status == "active",
        "can_write_off": can_approve(request.user, loan.cooperative_id) and loan.status == "active",
    }
    return render(request, "loans/loan_detail.html", context, status=status)


@login_required
def loan_detail(request, pk: int):
    return _loan_page(request, _loan(request, pk))


@login_required
@require_POST
def loan_repayment(request, pk: int):
    loan = _loan(request, pk)
    if not can_propose(request.user, loan.cooperative_id):
        raise PermissionDenied
    form = RepaymentForm(request.POST)
    record = lambda data: repayment_services.repayment_record(loan=loan, actor=request.user, **data)  # noqa: E731
    if run_form(request, form, record, _("Repayment recorded.")):
        return redirect("loans:loan", pk=loan.pk)
    return _loan_page(request, loan, repayment_form=form, status=400)


@login_required
@require_POST
def loan_write_off(request, pk: int):
    loan = _loan(request, pk)
    if not can_approve(request.user, loan.cooperative_id):
        raise PermissionDenied
    form = WriteOffForm(request.POST)
    write_off = lambda data: repayment_services.loan_write_off(  # noqa: E731
        loan=loan, actor=request.user, reason=data["reason"])
    if run_form(request, form, write_off, _("Loan written off.")):
        return redirect("loans:loan", pk=loan.pk)
    return _loan_page(request, loan, write_off_form=form, status=400)


@login_required
def portfolio(request, coop_id: int):
    """Loans being repaid, their arrears and the portfolio at risk (30/60/90 days)."""
    cooperative = _cooperative(request, coop_id)
    today = timezone.localdate()
    rows = repayment_services.standings(cooperative_id=cooperative.pk, on=today)
    members = Loan.objects.select_related("member").in_bulk([row.loan_id for row in rows])
    table = sorted(({"loan": members[row.loan_id], "balance": row.balance, "due": row.due,
                     "days": row.days_overdue(today)} for row in rows), key=lambda r: (-r["days"], r["loan"].member.number))
    context = {"cooperative": cooperative, "rows": table, "today": today,
               "risk": repayment_services.portfolio_at_risk(cooperative_id=cooperative.pk, on=today)}
    return render(request, "loans/portfolio.html", context)


@login_required
@require_POST
def loan_reschedule(request, pk: int):
    loan = _loan(request, pk)
    if not can_approve(request.user, loan.cooperative_id):
        raise PermissionDenied
    form = RescheduleForm(request.POST, prefix="reschedule")
    reschedule = lambda data: repayment_services.loan_reschedule(loan=loan, actor=request.user, **data)  # noqa: E731
    if run_form(request, form, reschedule, _("Loan rescheduled.")):
        return redirect("loans:loan", pk=loan.pk)
    return _loan_page(request, loan, reschedule_form=form, status=400)


@login_required
def fund_rotation(request, coop_id: int):
    """What each round lent and got back, and the fund's money out and in, quarter by quarter."""
    cooperative = _cooperative(request, coop_id)
    return render(request, "loans/fund_rotation.html", {
        "cooperative": cooperative, "rotation": rotation.fund_rotation(cooperative_id=cooperative.pk)})
