"""Paying loans back: balances, what is due, arrears; cash repayments, repayments deducted at the
weekly settlement, and write-offs decided by the board. Every movement is posted to the books."""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from coop.formatting import amount_text
from coop.models import Role
from coop.tenancy import has_role
from ledger.models import Account
from ledger.services import IdempotencyConflict, transaction_post

from .models import Installment, Loan, LoanStatus, Repayment, RepaymentKind, RepaymentMethod, Reschedule, WriteOff

BANK, LOANS_RECEIVABLE, LOAN_FUND = "1000", "1200", "3100"
ZERO = Decimal("0.00")


def balances(loan_ids) -> dict[int, Decimal]:
    """What is still owed on each loan: principal less repayments less a write-off."""
    loans = dict(Loan.objects.filter(pk__in=loan_ids).values_list("pk", "principal"))
    paid = dict(Repayment.objects.filter(loan_id__in=loan_ids).values_list("loan_id").annotate(t=Sum("amount")))
    written = dict(WriteOff.objects.filter(loan_id__in=loan_ids).values_list("loan_id", "amount"))
    return {pk: principal - paid.get(pk, ZERO) - written.get(pk, ZERO) for pk, principal in loans.items()}


@dataclass
class Standing:
    loan_id: int
    member_id: int
    balance: Decimal
    due: Decimal  # installments due by the date and not yet paid
    overdue_since: datetime.date | None  # the first installment not fully paid, if already due

    def days_overdue(self, on: datetime.date) -> int:
        return (on - self.overdue_since).days if self.overdue_since else 0


def standings(*, cooperative_id: int, on: datetime.date, member_ids=None) -> list[Standing]:
    """Active loans on a date: balance, amount due and since when it is overdue (three queries)."""
    loans = Loan.objects.filter(cooperative_id=cooperative_id, status=LoanStatus.ACTIVE)
    if member_ids is not None:
        loans = loans.filter(member_id__in=member_ids)
    loans = dict(loans.values_list("pk", "member_id"))
    owed = balances(loans)
    paid = dict(Repayment.objects.filter(loan_id__in=loans).values_list("loan_id").annotate(t=Sum("amount")))
    # After a rescheduling, only what was paid since covers the new installments.
    paid_before = dict(Reschedule.objects.filter(loan_id__in=loans).order_by("loan_id", "decided_at")
                       .values_list("loan_id", "paid_before"))
    schedule = defaultdict(list)
    for loan_id, due_on, amount in Installment.objects.filter(loan_id__in=loans, replaced=False).order_by(
            "loan_id", "number").values_list("loan_id", "due_on", "amount"):
        schedule[loan_id].append((due_on, amount))
    result = []
    for loan_id, member_id in loans.items():
        covered = paid.get(loan_id, ZERO) - paid_before.get(loan_id, ZERO)
        cumulative, due, overdue_since = ZERO, ZERO, None
        for due_on, amount in schedule[loan_id]:
            cumulative += amount
            if cumulative > covered and due_on <= on:
                due = cumulative - covered
                if overdue_since is None:
                    overdue_since = due_on
        result.append(Standing(loan_id=loan_id, member_id=member_id, balance=owed[loan_id],
                               due=min(due, owed[loan_id]), overdue_since=overdue_since))
    return result


def due_at_settlement(*, cooperative_id: int, week_end: datetime.date, boxes: dict[int, int]) -> dict[int, Decimal]:
    """{member: loan money to deduct this week}: installments due by the week's end, or, under a
    per-box policy, the policy's rate on the week's boxes — never beyond the balance."""
    due: dict[int, Decimal] = defaultdict(lambda: ZERO)
    per_box = dict(Loan.objects.filter(cooperative_id=cooperative_id, status=LoanStatus.ACTIVE,
                                       line__round__policy__repayment=RepaymentKind.PER_BOX)
                   .values_list("pk", "line__round__policy__per_box"))
    for standing in standings(cooperative_id=cooperative_id, on=week_end, member_ids=list(boxes)):
        if standing.loan_id in per_box:
            amount = min(per_box[standing.loan_id] * boxes.get(standing.member_id, 0), standing.balance)
        else:
            amount = standing.due
        due[standing.member_id] += amount
    return {member: amount for member, amount in due.items() if amount > 0}


def _require(actor, cooperative_id: int, roles) -> None:
    if not has_role(actor, cooperative_id, roles):
        raise ValidationError(_("Your role does not allow this."))


def _finish_if_repaid(loan: Loan) -> None:
    if balances([loan.pk])[loan.pk] == 0:
        loan.status = LoanStatus.REPAID
        loan.save(update_fields=["status"])


def repayment_record(*, loan: Loan, actor, amount: Decimal, date: datetime.date, reference: str = "",
                     idempotency_key: str | None = None) -> Repayment:
    """Cash (or a bank transfer) paid on a loan: bank against loans receivable.

    With an ``idempotency_key`` a repeat by the same person returns the repayment first recorded
    under it; the same key for another loan or amount raises IdempotencyConflict."""
    _require(actor, loan.cooperative_id, {Role.ADMIN, Role.ACCOUNTANT})
    if amount is None or amount <= 0:
        raise ValidationError({"amount": _("Enter an amount above zero.")})
    key = f"repayment:{actor.pk}:{idempotency_key}" if idempotency_key else None
    with transaction.atomic():
        # Locked: two repayments at once cannot together pass the balance (nor a retry pay twice).
        loan = Loan.objects.select_for_update(of=("self",)).select_related("member", "cooperative").get(pk=loan.pk)
        if key and (done := _repayment_under_key(loan.cooperative_id, key)):
            if done.loan_id != loan.pk or done.amount != amount or done.date != date:
                raise IdempotencyConflict
            return done
        if loan.status != LoanStatus.ACTIVE:
            raise ValidationError(_("This loan is %(status)s.") % {"status": loan.get_status_display().lower()})
        if date > timezone.localdate() or date < loan.disbursed_on:
            raise ValidationError({"date": _("A repayment is dated between the disbursement (%(start)s) and today.")
                                   % {"start": formats.date_format(loan.disbursed_on, "SHORT_DATE_FORMAT")}})
        balance = balances([loan.pk])[loan.pk]
        if amount > balance:
            raise ValidationError({"amount": _("%(amount)s is more than the %(balance)s still owed.") % {
                "amount": amount_text(amount), "balance": amount_text(balance)}})
        accounts = {a.code: a for a in Account.objects.filter(cooperative_id=loan.cooperative_id,
                                                             code__in=[BANK, LOANS_RECEIVABLE])}
        entry = transaction_post(
            cooperative=loan.cooperative, date=date, actor=actor, source=f"loan:{loan.pk}",
            memo=_("Loan repayment by member %(number)s%(reference)s") % {
                "number": loan.member.number, "reference": f" ({reference})" if reference else ""},
            legs=[(accounts[BANK], amount), (accounts[LOANS_RECEIVABLE], -amount)], idempotency_key=key,
        )
        if key and Repayment.objects.filter(transaction=entry).exists():
            raise IdempotencyConflict  # the key was first used, at the same moment, on another loan
        repayment = Repayment.objects.create(cooperative_id=loan.cooperative_id, loan=loan, amount=amount, date=date,
                                             method=RepaymentMethod.CASH, reference=reference, transaction=entry,
                                             recorded_by=actor)
        _finish_if_repaid(loan)
    return repayment


def _repayment_under_key(cooperative_id: int, key: str) -> Repayment | None:
    return Repayment.objects.filter(cooperative_id=cooperative_id, transaction__idempotency_key=key).first()


def repayments_from_settlement(*, settlement, recovered: dict[int, Decimal], entry, actor) -> None:
    """The loan money a posted settlement deducted, as repayments of each member's oldest loans."""
    loans = defaultdict(list)
    for loan in Loan.objects.select_for_update().filter(cooperative_id=settlement.cooperative_id,
                                                        status=LoanStatus.ACTIVE, member_id__in=recovered
                                                        ).order_by("member_id", "disbursed_on", "pk"):
        loans[loan.member_id].append(loan)
    owed = balances([loan.pk for rows in loans.values() for loan in rows])
    rows = []
    date = settlement.week_start + datetime.timedelta(days=6)
    for member_id, amount in recovered.items():
        for loan in loans[member_id]:
            part = min(amount, owed[loan.pk])
            if part <= 0:
                continue
            rows.append(Repayment(cooperative_id=settlement.cooperative_id, loan=loan, amount=part, date=date,
                                  method=RepaymentMethod.SETTLEMENT, reference=f"settlement:{settlement.pk}",
                                  transaction=entry, recorded_by=actor))
            owed[loan.pk] -= part
            amount -= part
    Repayment.objects.bulk_create(rows)
    Loan.objects.filter(pk__in=[pk for pk, balance in owed.items() if balance == 0]).update(status=LoanStatus.REPAID)


def loan_write_off(*, loan: Loan, actor, reason: str, date: datetime.date | None = None,
                   idempotency_key: str | None = None) -> WriteOff:
    """The board writes off what is left of a loan: from the loan fund against loans receivable.

    With an ``idempotency_key`` a repeat by the same person returns the write-off first made under it."""
    _require(actor, loan.cooperative_id, {Role.BOARD})
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give the board's reason for writing the loan off.")})
    date = date or timezone.localdate()
    key = f"write-off:{actor.pk}:{idempotency_key}" if idempotency_key else None
    with transaction.atomic():
        loan = Loan.objects.select_for_update(of=("self",)).select_related("member", "cooperative").get(pk=loan.pk)
        if key and (done := WriteOff.objects.filter(cooperative_id=loan.cooperative_id,
                                                    transaction__idempotency_key=key).first()):
            if done.loan_id != loan.pk:
                raise IdempotencyConflict
            return done
        if loan.status != LoanStatus.ACTIVE:
            raise ValidationError(_("This loan is %(status)s.") % {"status": loan.get_status_display().lower()})
        balance = balances([loan.pk])[loan.pk]
        accounts = {a.code: a for a in Account.objects.filter(cooperative_id=loan.cooperative_id,
                                                             code__in=[LOAN_FUND, LOANS_RECEIVABLE])}
        entry = transaction_post(
            cooperative=loan.cooperative, date=date, actor=actor, source=f"loan:{loan.pk}",
            memo=_("Write-off of member %(number)s's loan (board, %(date)s): %(reason)s") % {
                "number": loan.member.number, "date": formats.date_format(date, "SHORT_DATE_FORMAT"),
                "reason": reason.strip()},
            legs=[(accounts[LOAN_FUND], balance), (accounts[LOANS_RECEIVABLE], -balance)], idempotency_key=key,
        )
        if key and WriteOff.objects.filter(transaction=entry).exists():
            raise IdempotencyConflict  # the key was first used, at the same moment, on another loan
        write_off = WriteOff.objects.create(cooperative_id=loan.cooperative_id, loan=loan, amount=balance,
                                            reason=reason.strip(), decided_by=actor, decided_on=date,
                                            transaction=entry)
        loan.status = LoanStatus.WRITTEN_OFF
        loan.save(update_fields=["status"])
    return write_off


def portfolio_at_risk(*, cooperative_id: int, on: datetime.date) -> dict:
    """Outstanding balance, and the share of it in loans overdue beyond 30, 60 and 90 days."""
    rows = standings(cooperative_id=cooperative_id, on=on)
    outstanding = sum((row.balance for row in rows), ZERO)
    result = {"outstanding": outstanding, "loans": len(rows)}
    for days in (30, 60, 90):
        at_risk = sum((row.balance for row in rows if row.days_overdue(on) > days), ZERO)
        result[f"par{days}"] = at_risk
        result[f"par{days}_percent"] = (at_risk * 100 / outstanding).quantize(Decimal("0.1")) if outstanding else 0
    return result


def loan_reschedule(*, loan: Loan, actor, installments: int, first_due: datetime.date, reason: str) -> Reschedule:
    """The board spreads what is left of a loan over new monthly installments; the old ones that
    were not yet paid are kept, marked replaced."""
    from .services import monthly_installments

    _require(actor, loan.cooperative_id, {Role.BOARD})
    errors = {}
    if not (reason or "").strip():
        errors["reason"] = _("Give the board's reason for rescheduling.")
    if not 1 <= (installments or 0) <= 24:
        errors["installments"] = _("Between 1 and 24 installments.")
    if first_due and first_due < timezone.localdate():
        errors["first_due"] = _("The first installment falls due in the future.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        loan = Loan.objects.select_for_update(of=("self",)).get(pk=loan.pk)
        if loan.status != LoanStatus.ACTIVE:
            raise ValidationError(_("This loan is %(status)s.") % {"status": loan.get_status_display().lower()})
        balance = balances([loan.pk])[loan.pk]
        paid = Repayment.objects.filter(loan=loan).aggregate(t=Sum("amount"))["t"] or ZERO
        reschedule = Reschedule.objects.create(
            cooperative_id=loan.cooperative_id, loan=loan, paid_before=paid, balance=balance,
            installments=installments, first_due=first_due, reason=reason.strip(), decided_by=actor)
        loan.installments.filter(replaced=False).update(replaced=True)
        Installment.objects.bulk_create(monthly_installments(loan, balance, installments, first_due))
    return reschedule
