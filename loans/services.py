"""Writes of loan rounds: propose (the scheduled job or an accountant), revise while proposed,
approve (a board member who did not propose it), decline an offer, disburse, cancel."""

import calendar
import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from coop.formatting import amount_text
from coop.models import Cooperative, Role
from coop.tenancy import has_role
from ledger.models import Account
from ledger.services import transaction_post
from members.models import Member, MemberStatus

from .allocation import Share, allocate
from .models import (
    Exclusion,
    Installment,
    Loan,
    LoanPolicy,
    LoanRound,
    LoanStatus,
    RoundLine,
    RoundStatus,
)
from .repayments import standings

BANK, LOANS_RECEIVABLE, LOAN_FUND = "1000", "1200", "3100"
PROPOSERS = {Role.ADMIN, Role.ACCOUNTANT}
CENT = Decimal("0.01")


def quarter_of(day: datetime.date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def quarter_dates(year: int, quarter: int) -> tuple[datetime.date, datetime.date]:
    start = datetime.date(year, 3 * quarter - 2, 1)
    following = datetime.date(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1)
    return start, following - datetime.timedelta(days=1)


def previous_quarter(year: int, quarter: int) -> tuple[int, int]:
    return (year - 1, 4) if quarter == 1 else (year, quarter - 1)


def lendable(cooperative_id: int) -> Decimal:
    """What the loan fund can lend: the fund less what members already owe."""
    balances = dict(Account.objects.filter(cooperative_id=cooperative_id, code__in=[LOAN_FUND, LOANS_RECEIVABLE])
                    .values_list("code", "balance"))
    return balances.get(LOAN_FUND, Decimal("0.00")) - balances.get(LOANS_RECEIVABLE, Decimal("0.00"))


def policy_in_force(cooperative_id: int, on: datetime.date) -> LoanPolicy | None:
    return LoanPolicy.objects.filter(cooperative_id=cooperative_id, valid_from__lte=on).order_by("-valid_from").first()


def _date_text(day) -> str:
    return formats.date_format(day, "SHORT_DATE_FORMAT")


def _production(cooperative_id: int, start: datetime.date, end: datetime.date) -> dict[int, int]:
    """Accepted Fairtrade boxes per member in the dates, in shipments not cancelled (one query)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT d.member_id, SUM(d.accepted_boxes)
            FROM exports_delivery d JOIN exports_shipment s ON s.id = d.shipment_id
            WHERE d.cooperative_id = %s AND d.date BETWEEN %s AND %s AND s.fairtrade AND s.status <> 'cancelled'
            GROUP BY d.member_id
            """,
            [cooperative_id, start, end],
        )
        return dict(cursor.fetchall())


def _excluded_for_debts(cooperative_id: int, on: datetime.date, overdue_days: int) -> dict[int, str]:
    """Members with an installment overdue beyond the policy's days, or an unpaid written-off loan."""
    excluded = {member_id: Exclusion.WRITTEN_OFF for member_id in Loan.objects.filter(
        cooperative_id=cooperative_id, status=LoanStatus.WRITTEN_OFF).values_list("member_id", flat=True)}
    for standing in standings(cooperative_id=cooperative_id, on=on):
        if standing.days_overdue(on) > overdue_days:
            excluded.setdefault(standing.member_id, Exclusion.OVERDUE)
    return excluded


def compute_lines(*, cooperative_id: int, on: datetime.date, reference_start: datetime.date,
                  reference_end: datetime.date, pool: Decimal, minimum: Decimal, maximum: Decimal | None,
                  overdue_days: int) -> list[RoundLine]:
    """Every active member's line, unsaved: who shares the pool, how much, and why not."""
    production = _production(cooperative_id, reference_start, reference_end)
    debts = _excluded_for_debts(cooperative_id, on, overdue_days)
    members = list(Member.objects.filter(cooperative_id=cooperative_id, status=MemberStatus.ACTIVE)
                   .values_list("pk", "number").order_by("number"))
    shares = [Share(member_id=pk, number=number, boxes=0 if pk in debts else production.get(pk, 0))
              for pk, number in members]
    allocate(pool_cents=int(pool * 100), members=shares, minimum_cents=int(minimum * 100),
             maximum_cents=None if maximum is None else int(maximum * 100))
    lines = []
    for share in shares:
        if share.member_id in debts:
            reason = debts[share.member_id]
        elif production.get(share.member_id, 0) <= 0:
            reason = Exclusion.NO_PRODUCTION
        elif share.dropped:
            reason = Exclusion.UNDER_MINIMUM
        else:
            reason = ""
        lines.append(RoundLine(cooperative_id=cooperative_id, member_id=share.member_id,
                               boxes=production.get(share.member_id, 0), amount=Decimal(share.cents) / 100,
                               capped=share.capped, excluded=reason))
    return lines


def _check_terms(cooperative_id: int, pool: Decimal, minimum: Decimal, maximum: Decimal | None) -> None:
    errors = {}
    available = lendable(cooperative_id)
    if pool is None or pool <= 0:
        errors["pool"] = _("Enter a pool above zero.")
    elif pool > available:
        errors["pool"] = _("The loan fund can lend %(available)s (the fund less what members owe); "
                           "the pool cannot be %(pool)s.") % {"available": amount_text(available),
                                                               "pool": amount_text(pool)}
    if minimum is not None and minimum < 0:
        errors["minimum_amount"] = _("The minimum cannot be negative.")
    if maximum is not None and minimum is not None and maximum < minimum:
        errors["maximum_amount"] = _("The maximum is below the minimum.")
    if errors:
        raise ValidationError(errors)


def round_propose(*, cooperative: Cooperative, actor, year: int, quarter: int, pool: Decimal | None = None,
                  minimum: Decimal | None = None, maximum: Decimal | None = None) -> LoanRound:
    """Propose the quarter's round (actor None: the scheduled job, which then gets the existing
    round back instead of an error). Without a pool, all the fund can lend."""
    if actor is not None and not has_role(actor, cooperative.pk, PROPOSERS):
        raise ValidationError(_("Your role does not allow this."))
    start, _end = quarter_dates(year, quarter)
    with transaction.atomic():
        # Locked: two proposals for one co-op (a retried job, a person) queue up, and the second
        # finds the first's round. The unique constraint is the last word.
        Cooperative.objects.select_for_update().get(pk=cooperative.pk)
        existing = LoanRound.objects.filter(cooperative=cooperative, year=year, quarter=quarter).exclude(
            status=RoundStatus.CANCELLED).first()
        if existing:
            if actor is None:
                return existing
            raise ValidationError(_("The round of %(year)s quarter %(quarter)s already exists.")
                                  % {"year": year, "quarter": quarter})
        policy = policy_in_force(cooperative.pk, start)
        if policy is None:
            raise ValidationError(_("The cooperative has no loan policy in force on %(date)s.")
                                  % {"date": _date_text(start)})
        pool = lendable(cooperative.pk) if pool is None else pool
        minimum = policy.minimum_amount if minimum is None else minimum
        maximum = policy.maximum_amount if maximum is None else maximum
        _check_terms(cooperative.pk, pool, minimum, maximum)
        reference_start, reference_end = quarter_dates(*previous_quarter(year, quarter))
        loan_round = LoanRound.objects.create(
            cooperative=cooperative, year=year, quarter=quarter, policy=policy, reference_start=reference_start,
            reference_end=reference_end, pool=pool, minimum_amount=minimum, maximum_amount=maximum,
            proposed_by=actor, proposed_at=timezone.now())
        _write_lines(loan_round)
        _require_someone_lent(loan_round)
    return loan_round


def _require_someone_lent(loan_round: LoanRound) -> None:
    if not loan_round.lines.filter(amount__gt=0).exists():
        raise ValidationError({"pool": _(
            "Nobody would get a loan: no eligible member delivered Fairtrade boxes from %(start)s to %(end)s, "
            "or every share is under the minimum.") % {"start": _date_text(loan_round.reference_start),
                                                         "end": _date_text(loan_round.reference_end)}})


def _write_lines(loan_round: LoanRound) -> None:
    lines = compute_lines(
        cooperative_id=loan_round.cooperative_id, on=quarter_dates(loan_round.year, loan_round.quarter)[0],
        reference_start=loan_round.reference_start, reference_end=loan_round.reference_end, pool=loan_round.pool,
        minimum=loan_round.minimum_amount, maximum=loan_round.maximum_amount,
        overdue_days=loan_round.policy.overdue_days_limit)
    for line in lines:
        line.round = loan_round
    RoundLine.objects.bulk_create(lines, batch_size=5000)


def round_revise(*, loan_round: LoanRound, actor, pool: Decimal, minimum: Decimal,
                 maximum: Decimal | None) -> LoanRound:
    """Change the terms of a proposed round and share again; whoever revises it proposes it."""
    if not has_role(actor, loan_round.cooperative_id, PROPOSERS):
        raise ValidationError(_("Your role does not allow this."))
    with transaction.atomic():
        loan_round = LoanRound.objects.select_for_update(of=("self",)).select_related("policy").get(pk=loan_round.pk)
        if loan_round.status != RoundStatus.PROPOSED:
            raise ValidationError(_("Only a proposed round is changed."))
        _check_terms(loan_round.cooperative_id, pool, minimum, maximum)
        loan_round.pool, loan_round.minimum_amount, loan_round.maximum_amount = pool, minimum, maximum
        loan_round.proposed_by, loan_round.proposed_at = actor, timezone.now()
        loan_round.save(update_fields=["pool", "minimum_amount", "maximum_amount", "proposed_by", "proposed_at"])
        loan_round.lines.all().delete()
        _write_lines(loan_round)
        _require_someone_lent(loan_round)
    return loan_round


def round_approve(*, loan_round: LoanRound, actor) -> LoanRound:
    """A board member who did not propose the round approves it."""
    if not has_role(actor, loan_round.cooperative_id, {Role.BOARD}):
        raise ValidationError(_("Only a board member approves a loan round."))
    with transaction.atomic():
        loan_round = LoanRound.objects.select_for_update().get(pk=loan_round.pk)
        if loan_round.status != RoundStatus.PROPOSED:
            raise ValidationError(_("Only a proposed round is approved."))
        if loan_round.proposed_by_id == actor.pk:
            raise ValidationError(_("The round is approved by a board member other than the one who proposed it."))
        if not loan_round.lines.filter(amount__gt=0, declined_at__isnull=True).exists():
            raise ValidationError(_("Nobody would get a loan from this round: cancel it instead."))
        loan_round.status, loan_round.approved_by, loan_round.approved_at = (
            RoundStatus.APPROVED, actor, timezone.now())
        loan_round.save(update_fields=["status", "approved_by", "approved_at"])
    return loan_round


def offer_decline(*, line: RoundLine, actor) -> RoundLine:
    """The member (or the co-op's staff for them) declines the offer before disbursement."""
    member = line.member
    if not (member.user_id == actor.pk or has_role(actor, line.cooperative_id, PROPOSERS)):
        raise ValidationError(_("Your role does not allow this."))
    with transaction.atomic():
        loan_round = LoanRound.objects.select_for_update().get(pk=line.round_id)
        line = RoundLine.objects.select_for_update().get(pk=line.pk)
        if loan_round.status not in (RoundStatus.PROPOSED, RoundStatus.APPROVED):
            raise ValidationError(_("The loans of this round are already disbursed."))
        if line.excluded or line.amount == 0:
            raise ValidationError(_("There is no offer to decline."))
        line.excluded, line.amount, line.declined_at = Exclusion.DECLINED, Decimal("0.00"), timezone.now()
        line.save(update_fields=["excluded", "amount", "declined_at"])
    return line


def monthly_installments(loan: Loan, amount: Decimal, count: int, first_due: datetime.date) -> list[Installment]:
    """``count`` monthly installments adding up to ``amount`` (the cents left go to the first), due
    on ``first_due``'s day of the month, or the month's last day when it is shorter (31 January,
    28 February, 31 March...)."""
    cents = int(amount * 100)
    base, extra = divmod(cents, count)
    rows = []
    for number in range(1, count + 1):
        month = first_due.month - 1 + number - 1
        year, month = first_due.year + month // 12, month % 12 + 1
        due = datetime.date(year, month, min(first_due.day, calendar.monthrange(year, month)[1]))
        amount = Decimal(base + (extra if number == 1 else 0)) / 100
        rows.append(Installment(loan=loan, number=number, due_on=due, amount=amount))
    return rows


def round_disburse(*, loan_round: LoanRound, actor, date: datetime.date | None = None) -> LoanRound:
    """Lend every accepted line at once: loans and installments, one posting of loans receivable
    against the bank. All or nothing."""
    if not has_role(actor, loan_round.cooperative_id, PROPOSERS):
        raise ValidationError(_("Your role does not allow this."))
    date = date or timezone.localdate()
    with transaction.atomic():
        loan_round = LoanRound.objects.select_for_update(of=("self",)).select_related(
            "cooperative", "policy").get(pk=loan_round.pk)
        if loan_round.status != RoundStatus.APPROVED:
            raise ValidationError(_("Only an approved round is disbursed."))
        lines = list(loan_round.lines.filter(excluded="", amount__gt=0))
        total = sum((line.amount for line in lines), Decimal("0.00"))
        available = lendable(loan_round.cooperative_id)
        if total > available:
            raise ValidationError(_("The loan fund can lend %(available)s now; the round needs %(total)s.") % {
                "available": amount_text(available), "total": amount_text(total)})
        if not lines:
            raise ValidationError(_("No member has a loan in this round."))
        accounts = {a.code: a for a in Account.objects.filter(cooperative_id=loan_round.cooperative_id,
                                                             code__in=[BANK, LOANS_RECEIVABLE])}
        entry = transaction_post(
            cooperative=loan_round.cooperative, date=date, actor=actor, source=f"loan-round:{loan_round.pk}",
            idempotency_key=f"loan-round:{loan_round.pk}",
            memo=_("Loans of round %(round)s: %(count)s members") % {"round": loan_round, "count": len(lines)},
            legs=[(accounts[LOANS_RECEIVABLE], total), (accounts[BANK], -total)],
        )
        loans = Loan.objects.bulk_create([
            Loan(cooperative_id=loan_round.cooperative_id, member_id=line.member_id, line=line,
                 principal=line.amount, disbursed_on=date) for line in lines])
        first_due = date + datetime.timedelta(days=loan_round.policy.grace_days)
        count = loan_round.policy.installments
        Installment.objects.bulk_create([row for loan in loans for row in monthly_installments(loan, loan.principal, count,
                                                                                        first_due)],
                                        batch_size=5000)
        loan_round.status, loan_round.disbursed_by, loan_round.disbursed_on, loan_round.transaction = (
            RoundStatus.DISBURSED, actor, date, entry)
        loan_round.save(update_fields=["status", "disbursed_by", "disbursed_on", "transaction"])
    return loan_round


def round_cancel(*, loan_round: LoanRound, actor, reason: str) -> LoanRound:
    if not has_role(actor, loan_round.cooperative_id, PROPOSERS | {Role.BOARD}):
        raise ValidationError(_("Your role does not allow this."))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the round is cancelled.")})
    with transaction.atomic():
        loan_round = LoanRound.objects.select_for_update().get(pk=loan_round.pk)
        if loan_round.status not in (RoundStatus.PROPOSED, RoundStatus.APPROVED):
            raise ValidationError(_("A disbursed round is not cancelled."))
        loan_round.status, loan_round.cancel_reason = RoundStatus.CANCELLED, reason.strip()
        loan_round.save(update_fields=["status", "cancel_reason"])
    return loan_round


def rounds_propose_due(*, today: datetime.date | None = None) -> list[LoanRound]:
    """The scheduled job: each co-op with a loan policy gets its round for the current quarter
    (once; a co-op whose fund has nothing to lend gets none)."""
    today = today or timezone.localdate()
    year, quarter = quarter_of(today)
    rounds = []
    for cooperative in Cooperative.objects.filter(loan_policies__valid_from__lte=today).distinct().order_by("pk"):
        if LoanRound.objects.filter(cooperative=cooperative, year=year, quarter=quarter).exists():
            continue  # proposed already (or cancelled by people: not proposed again)
        if lendable(cooperative.pk) <= 0:
            continue
        try:
            rounds.append(round_propose(cooperative=cooperative, actor=None, year=year, quarter=quarter))
        except ValidationError:
            continue
    return rounds


def round_totals(loan_round: LoanRound) -> dict:
    return loan_round.lines.aggregate(lent=Sum("amount"), boxes=Sum("boxes"))
