"""Reads of the books, scoped to the user; statements page by keyset, not by offset."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from coop.params import date_or_none

from .models import Account, Leg, Period, Transaction
from .permissions import books_visible_to

ZERO = Decimal("0.00")


@dataclass
class TrialBalanceLine:
    account: Account
    debit: Decimal
    credit: Decimal


def trial_balance(*, user, cooperative, on: datetime.date | None = None) -> list[TrialBalanceLine]:
    """Every account's balance as debit or credit. Today's from the maintained balances (one
    query); at an earlier date summed from the legs up to it.

    ``user`` None: unscoped, for a report whose reader was checked when it was asked for."""
    accounts = Account.objects.filter(cooperative=cooperative)
    accounts = (accounts if user is None else books_visible_to(user, accounts)).order_by("code")
    if on is None:
        signed = {a.pk: (a.balance if a.is_debit_normal else -a.balance) for a in accounts}
    else:
        sums = dict(
            Leg.objects.filter(account__in=accounts, date__lte=on)
            .values_list("account").annotate(total=Sum("amount")).values_list("account", "total")
        )
        signed = {a.pk: sums.get(a.pk, ZERO) for a in accounts}
    return [
        TrialBalanceLine(account=a, debit=max(signed[a.pk], ZERO), credit=max(-signed[a.pk], ZERO))
        for a in accounts
    ]


def account_for(*, user, pk: int) -> Account:
    return books_visible_to(user, Account.objects.select_related("cooperative")).get(pk=pk)


def statement_position(token: str) -> tuple[datetime.date, int] | None:
    """The keyset a statement page ends on, from its token "2026-03-10_4711"; None if malformed."""
    date_text, _sep, leg_id = token.partition("_")
    date = date_or_none(date_text)
    return (date, int(leg_id)) if date and leg_id.isdecimal() and len(leg_id) < 19 else None


def statement_token(row: dict) -> str:
    return f"{row['leg'].date.isoformat()}_{row['leg'].pk}"


def account_statement(*, account: Account, after: tuple[datetime.date, int] | None = None, size: int = 50):
    """One page of an account's legs, oldest first, each with the balance after it.

    ``after`` is the (date, leg id) the previous page ended on: keyset paging stays fast at a
    million legs where OFFSET would not. Returns (rows, opening balance, whether more follow).
    """
    sign = 1 if account.is_debit_normal else -1
    legs = Leg.objects.filter(account=account)
    opening = ZERO
    if after is not None:
        date, leg_id = after
        later = Q(date__gt=date) | Q(date=date, id__gt=leg_id)
        opening = legs.exclude(later).aggregate(total=Coalesce(Sum("amount"), ZERO))["total"]
        legs = legs.filter(later)
    # Ordered by the (account, date, id) index: no sort, however many legs the account has.
    page = list(legs.select_related("transaction").order_by("date", "id")[: size + 1])
    rows, running = [], opening
    for leg in page[:size]:
        running += leg.amount
        rows.append({"leg": leg, "amount": leg.amount, "balance": sign * running})
    return rows, sign * opening, len(page) > size


def journal(*, user, cooperative, date_from=None, date_to=None, search: str = "", account_id: int | None = None) -> QuerySet:
    transactions = books_visible_to(user, Transaction.objects.filter(cooperative=cooperative))
    if date_from:
        transactions = transactions.filter(date__gte=date_from)
    if date_to:
        transactions = transactions.filter(date__lte=date_to)
    if search:
        transactions = transactions.filter(Q(memo__icontains=search) | Q(source__icontains=search))
    if account_id:
        transactions = transactions.filter(legs__account_id=account_id).distinct()
    return (
        transactions.select_related("posted_by", "reverses")
        .prefetch_related("legs__account")
        .order_by("-date", "-id")
    )


def transaction_for(*, user, pk: int) -> Transaction:
    return (
        books_visible_to(user, Transaction.objects.all())
        .select_related("cooperative", "posted_by", "reverses")
        .prefetch_related("legs__account")
        .get(pk=pk)
    )


def periods_for(*, user, cooperative) -> QuerySet:
    return books_visible_to(user, Period.objects.filter(cooperative=cooperative)).select_related(
        "closed_by", "reopening__reopened_by"
    ).order_by("-starts_on", "-closed_at")

