"""Pages of the books: trial balance, account statements, journal, manual postings, reversals and
closed periods. Accountants post; the board and cluster staff read."""


from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from coop.params import date_param, int_param
from coop.views_helpers import add_service_errors, choose_cooperative, paginate

from . import selectors, services
from .forms import LegFormSet, PeriodCloseForm, PeriodReopenForm, ReverseForm, TransactionForm
from .models import Account, Period, Transaction
from .permissions import books_visible_to, can_post, can_reopen, cooperatives_with_books_for


def _cooperative(request, coop_id: int):
    return get_object_or_404(cooperatives_with_books_for(request.user), pk=coop_id)


@login_required
def ledger_home(request):
    return choose_cooperative(request, cooperatives_with_books_for(request.user), url_name="ledger:trial_balance", title=_("Books"))


@login_required
def trial_balance(request, coop_id: int):
    cooperative = _cooperative(request, coop_id)
    on = date_param(request.GET, "on")
    lines = selectors.trial_balance(user=request.user, cooperative=cooperative, on=on)
    context = {
        "cooperative": cooperative,
        "lines": lines,
        "on": on,
        "total_debit": sum(line.debit for line in lines),
        "total_credit": sum(line.credit for line in lines),
        "can_post": can_post(request.user, cooperative.pk),
        "report_date": (on or timezone.localdate()).isoformat(),
    }
    return render(request, "ledger/trial_balance.html", context)


@login_required
def account_statement(request, pk: int):
    try:
        account = selectors.account_for(user=request.user, pk=pk)
    except Account.DoesNotExist as error:
        raise Http404 from error
    after = selectors.statement_position(request.GET.get("after", ""))
    rows, opening, has_more = selectors.account_statement(account=account, after=after)
    context = {"account": account, "rows": rows, "opening": opening, "has_more": has_more,
               "next_after": selectors.statement_token(rows[-1]) if rows else ""}
    return render(request, "ledger/account_statement.html", context)


@login_required
def journal(request, coop_id: int):
    cooperative = _cooperative(request, coop_id)
    entries = selectors.journal(
        user=request.user, cooperative=cooperative,
        date_from=date_param(request.GET, "from"), date_to=date_param(request.GET, "to"),
        search=request.GET.get("q", "").strip()[:100],
        account_id=int_param(request.GET, "account"),
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "cooperative": cooperative,
        "page": paginate(request, entries),
        "query": query.urlencode(),
        "accounts": books_visible_to(request.user, Account.objects.filter(cooperative=cooperative)).order_by("code"),
        "can_post": can_post(request.user, cooperative.pk),
    }
    return render(request, "ledger/journal.html", context)


@login_required
def transaction_detail(request, pk: int):
    try:
        entry = selectors.transaction_for(user=request.user, pk=pk)
    except (Transaction.DoesNotExist, ValueError) as error:
        raise Http404 from error
    reversal = Transaction.objects.filter(reverses=entry).first()
    context = {
        "entry": entry,
        "reversal": reversal,
        "can_reverse": can_post(request.user, entry.cooperative_id) and not reversal and not entry.reverses_id,
        "reverse_form": ReverseForm(initial={"date": timezone.localdate()}),
    }
    return render(request, "ledger/transaction_detail.html", context)


@login_required
@require_POST
def transaction_reverse(request, pk: int):
    entry = get_object_or_404(books_visible_to(request.user, Transaction.objects.all()), pk=pk)
    if not can_post(request.user, entry.cooperative_id):
        raise PermissionDenied
    form = ReverseForm(request.POST)
    if form.is_valid():
        try:
            reversal = services.transaction_reverse(
                entry=entry, actor=request.user, date=form.cleaned_data["date"], memo=form.cleaned_data["memo"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Transaction reversed."))
            return redirect("ledger:transaction", pk=reversal.pk)
    else:
        messages.error(request, " ".join(f"{form.fields[f].label}: {' '.join(e)}" for f, e in form.errors.items()))
    return redirect("ledger:transaction", pk=entry.pk)


@login_required
@require_http_methods(["GET", "POST"])
def transaction_create(request, coop_id: int):
    cooperative = _cooperative(request, coop_id)
    if not can_post(request.user, cooperative.pk):
        raise PermissionDenied
    accounts = Account.objects.filter(cooperative=cooperative).order_by("code")
    form = TransactionForm(request.POST or None, initial={"date": timezone.localdate()})
    legs = LegFormSet(request.POST or None, accounts=accounts, prefix="legs")
    if request.method == "POST" and form.is_valid() and legs.is_valid():
        try:
            entry = services.transaction_post(
                cooperative=cooperative, actor=request.user, legs=legs.legs(), **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Transaction posted."))
            return redirect("ledger:transaction", pk=entry.pk)
    return render(request, "ledger/transaction_form.html", {"cooperative": cooperative, "form": form, "legs": legs})


@login_required
@require_http_methods(["GET", "POST"])
def periods(request, coop_id: int):
    cooperative = _cooperative(request, coop_id)
    form = PeriodCloseForm(request.POST or None)
    if request.method == "POST":
        if not can_post(request.user, cooperative.pk):
            raise PermissionDenied
        if form.is_valid():
            try:
                services.period_close(cooperative=cooperative, actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Period closed."))
                return redirect("ledger:periods", coop_id=cooperative.pk)
    context = {
        "cooperative": cooperative,
        "periods": selectors.periods_for(user=request.user, cooperative=cooperative),
        "form": form,
        "can_close": can_post(request.user, cooperative.pk),
        "can_reopen": can_reopen(request.user, cooperative.pk),
        "reopen_form": PeriodReopenForm(),
    }
    return render(request, "ledger/periods.html", context)


@login_required
@require_POST
def period_reopen(request, pk: int):
    period = get_object_or_404(books_visible_to(request.user, Period.objects.all()), pk=pk)
    form = PeriodReopenForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason for reopening."))
    else:
        try:
            services.period_reopen(period=period, actor=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Period reopened."))
    return redirect("ledger:periods", coop_id=period.cooperative_id)
