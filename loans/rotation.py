"""How the loan fund turns over: what each round lent and got back, and the money that went out
and came in quarter by quarter (six grouped queries, whatever the number of loans).

- *Rotation* is what has been lent in all, in times the fund's capital (the loan fund's balance):
  a fund lent out twice over has rotated 2.0 times.
- *Recovered* is what was repaid, as a share of what was lent; *default rate* what was written off,
  as a share of what was lent.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Sum
from django.db.models.functions import TruncQuarter

from ledger.models import Account

from .models import Loan, LoanRound, Repayment, RepaymentMethod, RoundStatus, WriteOff

LOANS_RECEIVABLE, LOAN_FUND = "1200", "3100"
ZERO = Decimal("0.00")


def _percent(part: Decimal, whole: Decimal) -> Decimal | None:
    return (part * 100 / whole).quantize(Decimal("0.1")) if whole else None


class _Recovery:
    """What was lent and what became of it; needs ``lent``, ``repaid`` and ``written_off``."""

    @property
    def outstanding(self) -> Decimal:
        return self.lent - self.repaid - self.written_off

    @property
    def recovered_percent(self) -> Decimal | None:
        return _percent(self.repaid, self.lent)

    @property
    def default_percent(self) -> Decimal | None:
        return _percent(self.written_off, self.lent)


@dataclass
class RoundRecovery(_Recovery):
    loan_round: LoanRound
    loans: int
    lent: Decimal
    repaid: Decimal
    written_off: Decimal


@dataclass
class QuarterFlow:
    quarter: datetime.date  # its first day
    lent: Decimal = ZERO
    repaid_cash: Decimal = ZERO
    repaid_settlement: Decimal = ZERO
    written_off: Decimal = ZERO
    outstanding: Decimal = ZERO  # owed by members at the quarter's end

    @property
    def label(self) -> str:
        return f"{self.quarter.year}-T{(self.quarter.month - 1) // 3 + 1}"

    @property
    def repaid(self) -> Decimal:
        return self.repaid_cash + self.repaid_settlement


@dataclass
class FundRotation(_Recovery):
    fund: Decimal  # the loan fund's balance: the capital the assembly earmarked for loans
    receivable: Decimal  # what members owe now
    rounds: list[RoundRecovery] = field(default_factory=list)
    quarters: list[QuarterFlow] = field(default_factory=list)

    @property
    def lendable(self) -> Decimal:
        return self.fund - self.receivable

    @property
    def lent(self) -> Decimal:
        return sum((row.lent for row in self.rounds), ZERO)

    @property
    def repaid(self) -> Decimal:
        return sum((row.repaid for row in self.rounds), ZERO)

    @property
    def written_off(self) -> Decimal:
        return sum((row.written_off for row in self.rounds), ZERO)

    @property
    def rotation(self) -> Decimal | None:
        return (self.lent / self.fund).quantize(Decimal("0.01")) if self.fund > 0 else None


def fund_rotation(*, cooperative_id: int) -> FundRotation:
    balances = dict(Account.objects.filter(cooperative_id=cooperative_id, code__in=[LOAN_FUND, LOANS_RECEIVABLE])
                    .order_by().values_list("code", "balance"))
    result = FundRotation(fund=balances.get(LOAN_FUND, ZERO), receivable=balances.get(LOANS_RECEIVABLE, ZERO))

    loans = Loan.objects.filter(cooperative_id=cooperative_id).order_by()
    lent = {row["line__round"]: row for row in loans.values("line__round").annotate(
        loans=Count("id"), lent=Sum("principal"))}
    repaid = dict(Repayment.objects.filter(cooperative_id=cooperative_id).order_by().values_list("loan__line__round")
                  .annotate(t=Sum("amount")))
    written = dict(WriteOff.objects.filter(cooperative_id=cooperative_id).order_by().values_list("loan__line__round")
                   .annotate(t=Sum("amount")))
    rounds = LoanRound.objects.filter(cooperative_id=cooperative_id, status=RoundStatus.DISBURSED).order_by(
        "year", "quarter")
    result.rounds = [RoundRecovery(loan_round=r, loans=lent.get(r.pk, {}).get("loans", 0),
                                   lent=lent.get(r.pk, {}).get("lent") or ZERO, repaid=repaid.get(r.pk, ZERO),
                                   written_off=written.get(r.pk, ZERO)) for r in rounds]

    flows: dict[datetime.date, QuarterFlow] = {}

    def flow(quarter) -> QuarterFlow:
        return flows.setdefault(quarter, QuarterFlow(quarter=quarter))

    for quarter, amount in (loans.annotate(q=TruncQuarter("disbursed_on")).values_list("q")
                            .annotate(t=Sum("principal"))):
        flow(quarter).lent = amount
    for quarter, method, amount in (Repayment.objects.filter(cooperative_id=cooperative_id).order_by()
                                    .annotate(q=TruncQuarter("date")).values_list("q", "method")
                                    .annotate(t=Sum("amount"))):
        if method == RepaymentMethod.CASH:
            flow(quarter).repaid_cash = amount
        else:
            flow(quarter).repaid_settlement = amount
    for quarter, amount in (WriteOff.objects.filter(cooperative_id=cooperative_id).order_by()
                            .annotate(q=TruncQuarter("decided_on")).values_list("q").annotate(t=Sum("amount"))):
        flow(quarter).written_off = amount
    outstanding = ZERO
    for quarter in sorted(flows):
        row = flows[quarter]
        outstanding += row.lent - row.repaid - row.written_off
        row.outstanding = outstanding
        result.quarters.append(row)
    return result
