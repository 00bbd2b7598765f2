"""Every write to the ledger. The database holds the rules (migration 0002); these functions check
first so that people get a clear message naming the rule and the amounts."""

import datetime
from collections.abc import Sequence
from decimal import Decimal

import pghistory
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from coop.formatting import amount_text
from coop.models import Cooperative, Role
from coop.tenancy import has_role

from .models import Account, AccountType, Leg, Period, PeriodReopening, Transaction

CENT = Decimal("0.01")

# The accounts every co-op starts with (code, name, type, never below zero). Development-plan
# funds are added when a plan line is created.
STANDARD_ACCOUNTS = [
    ("1000", gettext_noop("Bank (premium account)"), AccountType.ASSET, True),
    ("1010", gettext_noop("Bank (operating account)"), AccountType.ASSET, True),
    ("1100", gettext_noop("Premium receivable"), AccountType.ASSET, False),
    ("1200", gettext_noop("Loans receivable"), AccountType.ASSET, False),
    ("1300", gettext_noop("Fruit sales receivable"), AccountType.ASSET, False),
    ("2000", gettext_noop("Producer payables"), AccountType.LIABILITY, False),
    ("3000", gettext_noop("Unallocated premium"), AccountType.FUND, True),
    ("3100", gettext_noop("Loan fund"), AccountType.FUND, True),
    ("3200", gettext_noop("Medical fund"), AccountType.FUND, True),
    ("4000", gettext_noop("Fruit sales"), AccountType.INCOME, False),
    ("4100", gettext_noop("Packaging materials recovered"), AccountType.INCOME, False),
    ("4200", gettext_noop("Association fees"), AccountType.INCOME, False),
    ("5000", gettext_noop("Fruit bought from producers"), AccountType.EXPENSE, False),
]

POSTERS = {Role.ADMIN, Role.ACCOUNTANT}


def chart_of_accounts_create(*, cooperative: Cooperative) -> list[Account]:
    """The standard accounts, named in Spanish (the books' language); existing codes are kept."""
    with transaction.atomic(), translation.override("es"):
        return [
            Account.objects.get_or_create(
                cooperative=cooperative, code=code,
                defaults={"name": _(name), "type": account_type, "no_overdraft": no_overdraft},
            )[0]
            for code, name, account_type, no_overdraft in STANDARD_ACCOUNTS
        ]


def _money(amount) -> Decimal:
    if not isinstance(amount, Decimal) or not amount.is_finite():
        raise ValidationError(_("Amounts are decimal numbers."))
    if amount != amount.quantize(CENT):
        raise ValidationError(_("%(amount)s has more than two decimal places.") % {"amount": formats.number_format(amount)})
    return amount.quantize(CENT)


def _periodamount_text(period: Period) -> str:
    return f"{formats.date_format(period.starts_on, 'SHORT_DATE_FORMAT')} – {formats.date_format(period.ends_on, 'SHORT_DATE_FORMAT')}"


def _closed_period(cooperative_id: int, date: datetime.date) -> Period | None:
    return Period.objects.closed().filter(cooperative_id=cooperative_id, starts_on__lte=date, ends_on__gte=date).first()


def _database_refusal(error: IntegrityError) -> ValidationError:
    """A rule only the database caught (a race the checks could not see): its own words."""
    diag = getattr(error.__cause__, "diag", None)
    message = (diag.message_primary if diag else None) or str(error)
    return ValidationError(message.removeprefix("ledger: "))


class IdempotencyConflict(Exception):
    """The same Idempotency-Key was used before with a different request."""


def transaction_post(
    *,
    cooperative: Cooperative,
    date: datetime.date,
    memo: str,
    legs: Sequence[tuple[Account, Decimal]],
    actor,
    source: str = "",
    idempotency_key: str | None = None,
    reverses: Transaction | None = None,
) -> Transaction:
    """Post a balanced transaction of two or more legs (positive debit, negative credit).

    With an ``idempotency_key`` a repeat returns the transaction first posted under it.
    """
    if idempotency_key:
        existing = Transaction.objects.filter(cooperative=cooperative, idempotency_key=idempotency_key).first()
        if existing:
            return existing
    if not memo.strip():
        raise ValidationError({"memo": _("Say what the transaction is for.")})
    amounts = [_money(amount) for _account, amount in legs]
    if len(legs) < 2:
        raise ValidationError(_("A transaction needs at least two legs."))
    if any(amount == 0 for amount in amounts):
        raise ValidationError(_("A leg of zero moves nothing; leave it out."))
    if sum(amounts) != 0:
        debits = sum(a for a in amounts if a > 0)
        credits = -sum(a for a in amounts if a < 0)
        raise ValidationError(
            _("Unbalanced: debits %(debits)s and credits %(credits)s differ by %(difference)s.")
            % {"debits": amount_text(debits), "credits": amount_text(credits), "difference": amount_text(abs(debits - credits))}
        )
    if any(account.cooperative_id != cooperative.pk for account, _amount in legs):
        raise ValidationError(_("Every account must belong to %(coop)s.") % {"coop": cooperative.short_name})
    try:
        with transaction.atomic(), pghistory.context(user=actor.pk if actor else None):
            period = _closed_period(cooperative.pk, date)
            if period:
                raise ValidationError({"date": _("%(date)s falls in the closed period %(period)s.") % {
                    "date": formats.date_format(date, "SHORT_DATE_FORMAT"), "period": _periodamount_text(period)}})
            # Locked in id order (a fixed order, so two postings cannot deadlock), then re-read:
            # the overdraft check sees the balance the last committed posting left.
            by_id = {a.pk: a for a in Account.objects.select_for_update().filter(pk__in={a.pk for a, _x in legs}).order_by("pk")}
            change: dict[int, Decimal] = {}
            for (account, _x), amount in zip(legs, amounts, strict=True):
                change[account.pk] = change.get(account.pk, Decimal("0")) + amount
            for account_id, delta in change.items():
                account = by_id[account_id]
                after = account.balance + (delta if account.is_debit_normal else -delta)
                if account.no_overdraft and after < 0:
                    raise ValidationError(
                        _("%(account)s may not go below zero: it holds %(balance)s and this takes %(amount)s.")
                        % {"account": account, "balance": amount_text(account.balance), "amount": amount_text(abs(delta))}
                    )
            entry = Transaction.objects.create(
                cooperative=cooperative, date=date, memo=memo.strip(), source=source,
                idempotency_key=idempotency_key, reverses=reverses, posted_by=actor,
            )
            Leg.objects.bulk_create(
                [Leg(cooperative=cooperative, transaction=entry, account=account, amount=amount, date=date)
                 for (account, _x), amount in zip(legs, amounts, strict=True)]
            )
    except IntegrityError as error:
        if idempotency_key:
            existing = Transaction.objects.filter(cooperative=cooperative, idempotency_key=idempotency_key).first()
            if existing:  # the same request, posted meanwhile by a concurrent retry
                return existing
        raise _database_refusal(error) from error
    return entry


def _document_recorded_by(entry: Transaction) -> str | None:
    """The kind of document (invoice, receipt, allocation, settlement...) that owns the entry.

    Other apps link their documents to the entry they posted one to one; a hand reversal of such
    an entry would leave the document saying one thing and the books another."""
    # include_hidden: the documents' links are declared with related_name="+".
    for relation in Transaction._meta.get_fields(include_hidden=True):
        if (relation.one_to_one and relation.auto_created and not relation.concrete
                and relation.related_model._meta.app_label != Transaction._meta.app_label):
            if relation.related_model._default_manager.filter(**{relation.field.name: entry}).exists():
                return str(relation.related_model._meta.verbose_name)
    return None


def transaction_reverse(*, entry: Transaction, actor, date: datetime.date | None = None, memo: str = "") -> Transaction:
    """Post the mirror image of ``entry``, linked to it. A transaction is reversed at most once."""
    if entry.reverses_id:
        raise ValidationError(_("This transaction is itself a reversal; post a new transaction instead."))
    if Transaction.objects.filter(reverses=entry).exists():
        raise ValidationError(_("This transaction has already been reversed."))
    document = _document_recorded_by(entry)
    if document:
        raise ValidationError(_("This transaction records a %(document)s; it is corrected with that document, "
                                "so the document and the books stay equal.") % {"document": document})
    legs = [(leg.account, -leg.amount) for leg in entry.legs.select_related("account")]
    return transaction_post(
        cooperative=entry.cooperative, date=date or timezone.localdate(),
        memo=memo or _("Reversal of: %(memo)s") % {"memo": entry.memo},
        legs=legs, actor=actor, source=entry.source, reverses=entry,
    )


def period_close(*, cooperative: Cooperative, starts_on: datetime.date, ends_on: datetime.date, actor) -> Period:
    """Close a month or a quarter: administrators and accountants."""
    if not has_role(actor, cooperative.pk, POSTERS):
        raise ValidationError(_("Only the co-op's administrators and accountants close periods."))
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("The period ends before it starts.")})
    if starts_on.year < 2000 or ends_on.year > 2100 or (ends_on - starts_on).days > 366:
        raise ValidationError({"ends_on": _("A closed period is a month, a quarter or a year between 2000 and 2100.")})
    with transaction.atomic():
        # Waits for postings in flight (they share-lock this row) and holds new ones back.
        Cooperative.objects.select_for_update().get(pk=cooperative.pk)
        overlapping = Period.objects.closed().filter(
            cooperative=cooperative, starts_on__lte=ends_on, ends_on__gte=starts_on
        ).first()
        if overlapping:
            raise ValidationError(_("%(period)s is already closed.") % {"period": _periodamount_text(overlapping)})
        return Period.objects.create(cooperative=cooperative, starts_on=starts_on, ends_on=ends_on, closed_by=actor)


def period_reopen(*, period: Period, actor, reason: str) -> Period:
    """Reopen a closed period: a board member, with a reason, recorded as the period's reopening.
    Closing the same dates again later is a new period."""
    if not has_role(actor, period.cooperative_id, {Role.BOARD}):
        raise ValidationError(_("Only a board member may reopen a closed period."))
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for reopening.")})
    with transaction.atomic():
        # The co-op's row, as period_close locks it: one close or reopen at a time, so the check
        # below sees a reopening made meanwhile (the insert-only period row cannot be locked).
        Cooperative.objects.select_for_update().get(pk=period.cooperative_id)
        period = Period.objects.get(pk=period.pk)
        if not period.is_closed:
            raise ValidationError(_("This period is already open."))
        PeriodReopening.objects.create(period=period, reopened_by=actor, reason=reason.strip())
    return period
