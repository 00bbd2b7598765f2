"""Writes of the premium-use chain: plans, their lines, the General Assembly's approval,
allocations and spending. Money moves only through ledger.services.transaction_post."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Sum
from django.utils.translation import gettext as _

from coop.formatting import amount_text
from coop.models import Cooperative, Role
from coop.tenancy import has_role
from ledger.models import Account, AccountType
from ledger.services import transaction_post

from .models import Allocation, DevelopmentPlan, GeneralAssembly, PlanLine, PlanStatus, Spending

BOOKKEEPERS = {Role.ADMIN, Role.ACCOUNTANT}
UNALLOCATED, BANK = "3000", "1000"


def _require(actor, cooperative_id: int, roles=BOOKKEEPERS) -> None:
    if not has_role(actor, cooperative_id, roles):
        raise ValidationError(_("Your role does not allow this."))


def plan_draft(*, cooperative: Cooperative, year: int, actor) -> DevelopmentPlan:
    """A draft for the year: a copy of the approved version with the next number, or version 1."""
    _require(actor, cooperative.pk)
    with transaction.atomic():
        Cooperative.objects.select_for_update().get(pk=cooperative.pk)  # one draft at a time
        if DevelopmentPlan.objects.filter(cooperative=cooperative, year=year, status=PlanStatus.DRAFT).exists():
            raise ValidationError(_("The %(year)s plan already has a draft.") % {"year": year})
        latest = DevelopmentPlan.objects.filter(cooperative=cooperative, year=year).aggregate(v=Max("version"))["v"]
        draft = DevelopmentPlan.objects.create(
            cooperative=cooperative, year=year, version=(latest or 0) + 1, created_by=actor
        )
        approved = DevelopmentPlan.objects.filter(cooperative=cooperative, year=year, status=PlanStatus.APPROVED).first()
        if approved:
            PlanLine.objects.bulk_create([
                PlanLine(cooperative=cooperative, plan=draft, code=line.code, project=line.project,
                         objective=line.objective, beneficiaries=line.beneficiaries, budget=line.budget, fund=line.fund)
                for line in approved.lines.all()
            ])
    return draft


def _fund_for(cooperative: Cooperative, code: str, project: str) -> Account:
    """The line's fund account (a no-overdraft fund), opened on first use of the line code."""
    account_code = f"3-{code}"[:20]
    account, _created = Account.objects.get_or_create(
        cooperative=cooperative, code=account_code,
        defaults={"name": project[:120], "type": AccountType.FUND, "no_overdraft": True},
    )
    return account


def plan_line_set(*, plan: DevelopmentPlan, actor, code: str, project: str, objective: str,
                  beneficiaries: str, budget: Decimal, fund: Account | None = None) -> PlanLine:
    """Add a line to a draft, or change the draft's line with that code."""
    _require(actor, plan.cooperative_id)
    with transaction.atomic():
        plan = DevelopmentPlan.objects.select_for_update().select_related("cooperative").get(pk=plan.pk)
        if plan.status != PlanStatus.DRAFT:
            raise ValidationError(_("An approved plan is not changed: draft a new version and have it approved."))
        fund = fund or _fund_for(plan.cooperative, code, project)
        if fund.cooperative_id != plan.cooperative_id or fund.type != AccountType.FUND:
            raise ValidationError({"fund": _("Choose a fund account of the cooperative.")})
        line = PlanLine.objects.filter(plan=plan, code=code).first() or PlanLine(
            cooperative=plan.cooperative, plan=plan, code=code)
        line.project, line.objective, line.beneficiaries, line.budget, line.fund = project, objective, beneficiaries, budget, fund
        line.full_clean()
        line.save()
    return line


def plan_approve(*, plan: DevelopmentPlan, actor, held_on: datetime.date, members_present: int, quorum: int,
                 votes_for: int, votes_against: int, abstentions: int, minutes_reference: str,
                 minutes_document=None) -> GeneralAssembly:
    """Record the General Assembly that approved this draft; the earlier version is superseded."""
    _require(actor, plan.cooperative_id, BOOKKEEPERS | {Role.BOARD})
    with transaction.atomic():
        plan = DevelopmentPlan.objects.select_for_update().get(pk=plan.pk)
        if plan.status != PlanStatus.DRAFT:
            raise ValidationError(_("Only a draft is approved."))
        if not plan.lines.exists():
            raise ValidationError(_("The plan has no lines."))
        errors = {}
        if members_present < quorum:
            errors["members_present"] = _("Without quorum (%(present)s present, %(quorum)s needed) nothing is approved.") % {
                "present": members_present, "quorum": quorum}
        if votes_for + votes_against + abstentions > members_present:
            errors["votes_for"] = _("More votes than members present.")
        elif votes_for <= votes_against:
            errors["votes_for"] = _("The plan was not approved: %(for)s for, %(against)s against.") % {
                "for": votes_for, "against": votes_against}
        if errors:
            raise ValidationError(errors)
        DevelopmentPlan.objects.filter(cooperative=plan.cooperative, year=plan.year, status=PlanStatus.APPROVED).update(
            status=PlanStatus.SUPERSEDED)
        assembly = GeneralAssembly(
            cooperative=plan.cooperative, plan=plan, held_on=held_on, members_present=members_present, quorum=quorum,
            votes_for=votes_for, votes_against=votes_against, abstentions=abstentions,
            minutes_reference=minutes_reference, recorded_by=actor,
        )
        if minutes_document:
            assembly.minutes_document = minutes_document
        assembly.full_clean(exclude=["plan"])
        assembly.save()
        plan.status = PlanStatus.APPROVED
        plan.save(update_fields=["status"])
    return assembly


def _line_totals(line: PlanLine, model) -> Decimal:
    """What the line's code has received (or spent) this year, under every version of the plan."""
    return model.objects.filter(
        line__plan__cooperative_id=line.cooperative_id, line__plan__year=line.plan.year, line__code=line.code
    ).aggregate(total=Sum("amount"))["total"] or Decimal("0.00")


def premium_allocate(*, line: PlanLine, amount: Decimal, date: datetime.date, actor) -> Allocation:
    """Move premium from the unallocated fund to the line's fund, within the approved budget."""
    _require(actor, line.cooperative_id)
    with transaction.atomic():
        # The plan row locked: two allocations to one line cannot both pass the budget check.
        plan = DevelopmentPlan.objects.select_for_update().get(pk=line.plan_id)
        if plan.status != PlanStatus.APPROVED:
            raise ValidationError(_("Premium is allocated only to a line of the plan the General Assembly approved."))
        allocated = _line_totals(line, Allocation)
        if allocated + amount > line.budget:
            raise ValidationError({"amount": _(
                "Over budget: %(code)s has %(budget)s approved, %(allocated)s already allocated; %(left)s can still be allocated."
            ) % {"code": line.code, "budget": amount_text(line.budget), "allocated": amount_text(allocated),
                 "left": amount_text(line.budget - allocated)}})
        unallocated = Account.objects.get(cooperative_id=line.cooperative_id, code=UNALLOCATED)
        entry = transaction_post(
            cooperative=line.cooperative, date=date, actor=actor, source=f"plan-line:{line.pk}",
            memo=_("Allocation to %(line)s (General Assembly %(minutes)s)") % {"line": line, "minutes": plan.approval.minutes_reference},
            legs=[(unallocated, amount), (line.fund, -amount)],
        )
        return Allocation.objects.create(cooperative=line.cooperative, line=line, amount=amount, date=date,
                                         transaction=entry, recorded_by=actor)


def premium_spend(*, line: PlanLine, amount: Decimal, date: datetime.date, actor, supplier: str,
                  invoice_number: str, description: str, receipt=None) -> Spending:
    """Pay a supplier from the line's fund (fund to bank)."""
    _require(actor, line.cooperative_id)
    with transaction.atomic():
        bank = Account.objects.get(cooperative_id=line.cooperative_id, code=BANK)
        entry = transaction_post(
            cooperative=line.cooperative, date=date, actor=actor, source=f"invoice:{invoice_number}",
            memo=_("%(line)s: %(description)s (%(supplier)s, invoice %(invoice)s)") % {
                "line": line.code, "description": description, "supplier": supplier, "invoice": invoice_number},
            legs=[(line.fund, amount), (bank, -amount)],
        )
        spending = Spending(cooperative=line.cooperative, line=line, amount=amount, date=date, supplier=supplier,
                            invoice_number=invoice_number, description=description, transaction=entry, recorded_by=actor)
        if receipt:
            spending.receipt = receipt
        spending.full_clean(exclude=["transaction"])
        spending.save()
    return spending
