"""Writes of the premium-use chain: plans, their lines, the General Assembly's approval,
allocations and spending. Money moves only through ledger.services.transaction_post."""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Sum
from django.utils import formats
from django.utils.translation import gettext as _

from coop.formatting import amount_text
from coop.models import Cooperative, Role
from coop.tenancy import has_role
from exports.lifecycle import paid_when_settled, premium_outstanding
from exports.models import Shipment, ShipmentStatus
from exports.permissions import importer_id_of
from ledger.models import Account, AccountType
from ledger.services import IdempotencyConflict, transaction_post

from .models import (
    Allocation,
    DevelopmentPlan,
    GeneralAssembly,
    PlanLine,
    PlanStatus,
    PremiumAccrual,
    PremiumRate,
    PremiumReceipt,
    Spending,
)

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
        plan = DevelopmentPlan.objects.select_for_update(of=("self",)).select_related("cooperative").get(pk=plan.pk)
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


def premium_allocate(*, line: PlanLine, amount: Decimal, date: datetime.date, actor,
                     idempotency_key: str | None = None) -> Allocation:
    """Move premium from the unallocated fund to the line's fund, within the approved budget.

    With an ``idempotency_key`` a repeat by the same person returns the allocation first made under it.
    """
    _require(actor, line.cooperative_id)
    key = f"allocation:{actor.pk}:{idempotency_key}" if idempotency_key else None
    with transaction.atomic():
        # The plan row locked: two allocations to one line cannot both pass the budget check.
        plan = DevelopmentPlan.objects.select_for_update().get(pk=line.plan_id)
        if key:
            done = Allocation.objects.filter(cooperative_id=line.cooperative_id, transaction__idempotency_key=key).first()
            if done:
                return done
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
            memo=(_("Allocation to %(line)s (General Assembly %(minutes)s)") % {
                "line": line, "minutes": plan.approval.minutes_reference})[:300],
            legs=[(unallocated, amount), (line.fund, -amount)], idempotency_key=key,
        )
        if key and (done := Allocation.objects.filter(transaction=entry).first()):
            return done  # posted meanwhile by a concurrent retry
        return Allocation.objects.create(cooperative=line.cooperative, line=line, amount=amount, date=date,
                                         transaction=entry, recorded_by=actor)


def premium_spend(*, line: PlanLine, amount: Decimal, date: datetime.date, actor, supplier: str,
                  invoice_number: str, description: str, receipt=None, idempotency_key: str | None = None) -> Spending:
    """Pay a supplier from the line's fund (fund to bank).

    With an ``idempotency_key`` a repeat by the same person returns the spending first recorded under it.
    """
    _require(actor, line.cooperative_id)
    key = f"spending:{actor.pk}:{idempotency_key}" if idempotency_key else None
    with transaction.atomic():
        if key:
            done = Spending.objects.filter(cooperative_id=line.cooperative_id, transaction__idempotency_key=key).first()
            if done:
                return done
        bank = Account.objects.get(cooperative_id=line.cooperative_id, code=BANK)
        entry = transaction_post(
            cooperative=line.cooperative, date=date, actor=actor, source=f"invoice:{invoice_number}",
            memo=(_("%(line)s: %(description)s (%(supplier)s, invoice %(invoice)s)") % {
                "line": line.code, "description": description, "supplier": supplier, "invoice": invoice_number})[:300],
            legs=[(line.fund, amount), (bank, -amount)], idempotency_key=key,
        )
        if key and (done := Spending.objects.filter(transaction=entry).first()):
            return done  # recorded meanwhile by a concurrent retry
        spending = Spending(cooperative=line.cooperative, line=line, amount=amount, date=date, supplier=supplier,
                            invoice_number=invoice_number, description=description, transaction=entry, recorded_by=actor)
        if receipt:
            spending.receipt = receipt
        spending.full_clean(exclude=["transaction"])
        spending.save()
    return spending


# Earning the premium ---------------------------------------------------------------------------

PREMIUM_RECEIVABLE = "1100"


def premium_rate_set(*, product, valid_from: datetime.date, amount: Decimal, per_kg: Decimal, actor) -> PremiumRate:
    """The premium for a product from a date on (a later rate does not change earlier accruals)."""
    _require(actor, product.cooperative_id)
    rate = PremiumRate(cooperative_id=product.cooperative_id, product=product, valid_from=valid_from, amount=amount,
                       per_kg=per_kg, created_by=actor)
    rate.full_clean()
    rate.save()
    return rate


def premium_rate_on(*, product, on: datetime.date) -> PremiumRate | None:
    return PremiumRate.objects.filter(product=product, valid_from__lte=on).order_by("-valid_from").first()


def premium_for(*, rate: PremiumRate, units: int, kg_per_unit: Decimal) -> Decimal:
    """units x the rate converted to the unit's weight, rounded half up once, to the cent."""
    return (units * rate.amount * kg_per_unit / rate.per_kg).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def premium_accrue(*, shipment: Shipment, actor) -> PremiumAccrual | None:
    """Post an invoiced Fairtrade shipment's premium: premium receivable against unallocated premium.

    Exactly once: a repeat returns the first accrual (one per shipment, held by the database)."""
    with transaction.atomic():
        shipment = Shipment.objects.select_for_update(of=("self",)).select_related("cooperative", "product").get(pk=shipment.pk)
        existing = PremiumAccrual.objects.filter(shipment=shipment).first()
        if existing or not shipment.fairtrade:
            return existing
        if shipment.invoiced_on is None:
            raise ValidationError(_("The premium accrues when the shipment is invoiced."))
        rate = premium_rate_on(product=shipment.product, on=shipment.invoiced_on)
        if rate is None:
            raise ValidationError(_("There is no premium rate for %(product)s on %(date)s; set one first.") % {
                "product": shipment.product, "date": formats.date_format(shipment.invoiced_on, "SHORT_DATE_FORMAT")})
        amount = premium_for(rate=rate, units=shipment.invoiced_boxes, kg_per_unit=shipment.product.kg_per_unit)
        if amount <= 0:
            return None
        accounts = {a.code: a for a in Account.objects.filter(cooperative_id=shipment.cooperative_id,
                                                             code__in=[PREMIUM_RECEIVABLE, UNALLOCATED])}
        entry = transaction_post(
            cooperative=shipment.cooperative, date=shipment.invoiced_on, actor=actor,
            source=f"shipment:{shipment.pk}", idempotency_key=f"shipment:{shipment.pk}:premium",
            memo=_("Fairtrade premium, invoice %(invoice)s: %(boxes)s boxes in %(container)s") % {
                "invoice": shipment.invoice_number, "boxes": shipment.invoiced_boxes,
                "container": shipment.container_display},
            legs=[(accounts[PREMIUM_RECEIVABLE], amount), (accounts[UNALLOCATED], -amount)],
        )
        return PremiumAccrual.objects.create(
            cooperative_id=shipment.cooperative_id, shipment=shipment, rate=rate, boxes=shipment.invoiced_boxes,
            amount=amount, date=shipment.invoiced_on, transaction=entry, posted_by=actor)


def _may_record_receipt(actor, shipment: Shipment) -> bool:
    return has_role(actor, shipment.cooperative_id, BOOKKEEPERS) or (
        importer_id_of(actor) is not None and importer_id_of(actor) == shipment.importer_id)


def premium_receive(*, shipment: Shipment, actor, amount: Decimal, received_on: datetime.date, reference: str,
                    idempotency_key: str | None = None, request_digest: str = "") -> tuple[PremiumReceipt, bool]:
    """Premium paid by the importer (partial allowed): bank against premium receivable.

    Returns (receipt, created). With an ``idempotency_key`` a repeat of the same request returns
    the first receipt; the same key with another request raises IdempotencyConflict."""
    if not _may_record_receipt(actor, shipment):
        raise ValidationError(_("Your role does not allow this."))

    def earlier():
        if not idempotency_key:
            return None
        receipt = PremiumReceipt.objects.filter(recorded_by=actor, idempotency_key=idempotency_key).first()
        if receipt and receipt.request_digest != request_digest:
            raise IdempotencyConflict
        return receipt

    if found := earlier():
        return found, False
    if not (reference or "").strip():
        raise ValidationError({"reference": _("Enter the bank reference of the payment.")})
    if amount is None or amount <= 0:
        raise ValidationError({"amount": _("Enter an amount above zero.")})
    try:
        return _premium_receipt_record(shipment=shipment, actor=actor, amount=amount, received_on=received_on,
                                       reference=reference, idempotency_key=idempotency_key,
                                       request_digest=request_digest, earlier=earlier)
    except IntegrityError as error:
        # The same key, committed by a concurrent request this one could not see: a retry or a conflict.
        if found := earlier():
            return found, False
        raise ValidationError(_("The books changed while the payment was recorded; send it again.")) from error


def _premium_receipt_record(*, shipment, actor, amount, received_on, reference, idempotency_key, request_digest,
                            earlier) -> tuple[PremiumReceipt, bool]:
    with transaction.atomic():
        shipment = Shipment.objects.select_for_update(of=("self",)).select_related("cooperative").get(pk=shipment.pk)
        if found := earlier():  # the same request, recorded while this one waited for the lock
            return found, False
        if shipment.status != ShipmentStatus.INVOICED or not PremiumAccrual.objects.filter(shipment=shipment).exists():
            raise ValidationError(_("Premium is received for an invoiced Fairtrade shipment with premium outstanding."))
        outstanding = premium_outstanding(shipment)
        if amount > outstanding:
            raise ValidationError({"amount": _(
                "%(amount)s is more than the %(outstanding)s premium outstanding on container %(container)s."
            ) % {"amount": amount_text(amount), "outstanding": amount_text(outstanding),
                 "container": shipment.container_display}})
        accounts = {a.code: a for a in Account.objects.filter(cooperative_id=shipment.cooperative_id,
                                                             code__in=[BANK, PREMIUM_RECEIVABLE])}
        entry = transaction_post(
            cooperative=shipment.cooperative, date=received_on, actor=actor, source=f"shipment:{shipment.pk}",
            memo=_("Fairtrade premium received for invoice %(invoice)s (%(reference)s)") % {
                "invoice": shipment.invoice_number, "reference": reference.strip()},
            legs=[(accounts[BANK], amount), (accounts[PREMIUM_RECEIVABLE], -amount)],
        )
        receipt = PremiumReceipt.objects.create(
            cooperative_id=shipment.cooperative_id, shipment=shipment, amount=amount, received_on=received_on,
            reference=reference.strip(), transaction=entry, recorded_by=actor,
            idempotency_key=idempotency_key or None, request_digest=request_digest)
        paid_when_settled(shipment=shipment, actor=actor)
    return receipt, True
