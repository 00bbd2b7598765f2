"""Reads of rounds and loans, scoped (loans/permissions.py) with their totals from the database."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, DecimalField, F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from .models import Installment, Loan, LoanRound, LoanStatus, Repayment, Reschedule, RoundLine, WriteOff
from .permissions import loans_visible_to, rounds_visible_to
from .repayments import balances

LINE_ORDER = {"number": "member__number", "boxes": "-boxes", "amount": "-amount", "name": "member__last_name"}


def round_list(*, user, cooperative) -> QuerySet:
    return (rounds_visible_to(user, LoanRound.objects.filter(cooperative=cooperative))
            .annotate(members=Count("lines", filter=Q(lines__amount__gt=0)), lent=Sum("lines__amount"))
            .select_related("proposed_by", "approved_by").order_by("-year", "-quarter", "-id"))


def round_for(*, user, pk: int) -> LoanRound:
    return (rounds_visible_to(user, LoanRound.objects.all())
            .annotate(members=Count("lines", filter=Q(lines__amount__gt=0)), lent=Sum("lines__amount"),
                      total_boxes=Sum("lines__boxes", filter=Q(lines__excluded="") | Q(lines__amount__gt=0)))
            .select_related("cooperative", "policy", "proposed_by", "approved_by", "disbursed_by").get(pk=pk))


def round_lines(loan_round: LoanRound, order: str = "number") -> QuerySet:
    return loan_round.lines.select_related("member").order_by(LINE_ORDER.get(order, "member__number"), "pk")


@dataclass
class MemberLoan:
    loan: Loan
    line: RoundLine
    balance: Decimal
    next_installment: Installment | None
    sharing_boxes: int  # boxes of all who shared the round, to explain the amount
    schedule: list  # the installments in force
    payments: list  # repayments, oldest first


def member_loans(*, user, member) -> list[MemberLoan]:
    """A member's loans, newest first, with balance, next installment and what their amount came from.

    ``user`` None: unscoped, for a report whose reader was checked when it was asked for."""
    loans = Loan.objects.filter(member=member)
    loans = list((loans if user is None else loans_visible_to(user, loans))
                 .select_related("line__round").prefetch_related("installments", "repayments").order_by("-disbursed_on"))
    rounds = {loan.line.round_id for loan in loans}
    shared = dict(RoundLine.objects.filter(round_id__in=rounds).exclude(excluded="no_production")
                  .exclude(excluded="overdue").exclude(excluded="written_off").values_list("round_id")
                  .annotate(total=Sum("boxes")))
    owed = balances([loan.pk for loan in loans])
    paid = dict(Repayment.objects.filter(loan__in=loans).values_list("loan_id").annotate(t=Sum("amount")))
    paid_before = dict(Reschedule.objects.filter(loan__in=loans).order_by("loan_id", "decided_at")
                       .values_list("loan_id", "paid_before"))
    result = []
    for loan in loans:
        # The next installment is the first the payments so far do not cover.
        covered = paid.get(loan.pk, Decimal("0.00")) - paid_before.get(loan.pk, Decimal("0.00"))
        cumulative, upcoming = Decimal("0.00"), None
        schedule = [i for i in loan.installments.all() if not i.replaced]
        for installment in schedule:
            cumulative += installment.amount
            if cumulative > covered:
                upcoming = installment
                break
        balance = owed[loan.pk] if loan.status == LoanStatus.ACTIVE else Decimal("0.00")
        result.append(MemberLoan(loan=loan, line=loan.line, balance=balance, next_installment=upcoming,
                                 sharing_boxes=shared.get(loan.line.round_id, 0), schedule=schedule,
                                 payments=list(loan.repayments.all())))
    return result


def member_offers(*, user, member) -> QuerySet:
    """Offers of rounds not yet disbursed (the member may decline them)."""
    return (loans_visible_to(user, RoundLine.objects.filter(member=member, round__status__in=["proposed", "approved"],
                                                            amount__gt=0))
            .select_related("round"))


def portfolio(*, cooperative) -> dict:
    return Loan.objects.filter(cooperative=cooperative, status=LoanStatus.ACTIVE).aggregate(
        loans=Count("id"), principal=Sum("principal"))


def _total(queryset: QuerySet) -> Coalesce:
    """The sum of a per-loan subquery's amounts, 0.00 when it has none (no join, so no fan-out)."""
    summed = queryset.filter(loan=OuterRef("pk")).order_by().values("loan").annotate(t=Sum("amount")).values("t")
    money = DecimalField(max_digits=14, decimal_places=2)
    return Coalesce(Subquery(summed, output_field=money), Value(Decimal("0.00")), output_field=money)


def with_balance(loans: QuerySet) -> QuerySet:
    """Loans annotated with ``repaid``, ``written_off`` and ``balance`` (what is still owed)."""
    return loans.annotate(repaid=_total(Repayment.objects.all()), written_off=_total(WriteOff.objects.all())
                          ).annotate(balance=F("principal") - F("repaid") - F("written_off"))
