"""Every write of the medical fund: submitting a claim and its documents, the committee's review,
approval and rejection, payment from the fund (in approval order, never below zero), and the log
of who read a claim."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coop.formatting import amount_text
from coop.uploads import RECEIPT_KINDS, clean_document
from ledger.models import Account
from ledger.services import transaction_post
from members.models import HouseholdMember, Member

from . import eligibility
from .models import (
    Category,
    Claim,
    ClaimApproval,
    ClaimDocument,
    ClaimRead,
    ClaimStatus,
    ClaimStep,
    DocumentKind,
    StepKind,
)
from .permissions import can_pay, can_review, can_submit_for_others, sees_details

BANK, MEDICAL_FUND = "1000", "3200"
OPEN = (ClaimStatus.SUBMITTED, ClaimStatus.UNDER_REVIEW)


def clean_claim_document(upload):
    return clean_document(upload, RECEIPT_KINDS, what=_("A claim's document must be a PDF, JPEG or PNG file."))


def _step(claim: Claim, kind: str, actor, note: str = "", amount: Decimal | None = None,
          document_kind: str = "") -> None:
    ClaimStep.objects.create(claim=claim, kind=kind, actor=actor, note=note[:500], amount=amount,
                             document_kind=document_kind)


def _lock(claim: Claim) -> Claim:
    return Claim.objects.select_for_update(of=("self",)).select_related(
        "member__cooperative", "category", "rules").get(pk=claim.pk)


def claim_submit(*, member: Member, actor, category: Category, event_date: datetime.date, description: str,
                 amount_requested: Decimal, beneficiary: HouseholdMember | None = None, urgent: bool = False,
                 documents=()) -> Claim:
    """A claim for the member or a covered person of their household, by the member or by staff on
    their behalf, with its documents ((kind, upload) pairs). All or nothing."""
    if member.user_id != actor.pk and not can_submit_for_others(actor, member.cooperative_id):
        raise ValidationError(_("Your role does not allow this."))
    errors = {}
    if category.cooperative_id != member.cooperative_id:
        errors["category"] = _("Choose one of the co-op's categories.")
    if event_date > timezone.localdate():
        errors["event_date"] = _("The date of the event cannot be in the future.")
    if not (description or "").strip():
        errors["description"] = _("Say what happened and what the money is for.")
    if amount_requested is None or amount_requested <= 0:
        errors["amount_requested"] = _("Enter an amount above zero.")
    if errors:
        raise ValidationError(errors)
    rules = eligibility.rules_in_force(member.cooperative_id, event_date)
    if rules is None:
        raise ValidationError({"event_date": _("The co-op had no medical fund rules on that date.")})
    eligibility.check_covered(member=member, beneficiary=beneficiary, on=event_date, rules=rules)
    rule = eligibility.category_rule(rules, category)
    eligibility.check_caps(rule=rule, member_id=member.pk, year=event_date.year, amount=amount_requested,
                           field="amount_requested")
    cleaned = []
    for kind, upload in documents:
        try:
            cleaned.append((kind, clean_claim_document(upload)))
        except ValidationError as error:
            raise ValidationError({f"document_{kind}": error.messages}) from error
    with transaction.atomic():
        claim = Claim.objects.create(
            cooperative_id=member.cooperative_id, member=member, beneficiary=beneficiary, category=category,
            rules=rules, event_date=event_date, description=description.strip(), amount_requested=amount_requested,
            urgent=urgent, submitted_by=actor)
        for kind, upload in cleaned:
            ClaimDocument.objects.create(cooperative_id=claim.cooperative_id, claim=claim, kind=kind, file=upload,
                                         uploaded_by=actor)
        _step(claim, StepKind.SUBMITTED, actor)
    return claim


def claim_document_add(*, claim: Claim, actor, kind: str, upload) -> ClaimDocument:
    """A further document: by the claimant, the committee or staff, while the claim is open."""
    if not (sees_details(actor, claim) or can_submit_for_others(actor, claim.cooperative_id)):
        raise ValidationError(_("Your role does not allow this."))
    try:
        upload = clean_claim_document(upload)
    except ValidationError as error:
        raise ValidationError({"file": error.messages}) from error
    if upload is None:
        raise ValidationError({"file": _("Choose a file.")})
    with transaction.atomic():
        claim = _lock(claim)
        if claim.status not in OPEN:
            raise ValidationError(_("Documents are added while the claim is being reviewed."))
        document = ClaimDocument.objects.create(cooperative_id=claim.cooperative_id, claim=claim, kind=kind,
                                                file=upload, uploaded_by=actor)
        _step(claim, StepKind.DOCUMENT_ADDED, actor, document_kind=kind)
    return document


def _require_committee(claim: Claim, actor) -> None:
    if not can_review(actor, claim.cooperative_id):
        raise ValidationError(_("Only the medical fund committee does this."))
    if claim.member.user_id == actor.pk:
        raise ValidationError(_("A committee member never decides on their own family's claim."))


def claim_review(*, claim: Claim, actor, request_documents: str = "") -> Claim:
    """The committee takes the claim up; with ``request_documents`` it asks the claimant for more."""
    with transaction.atomic():
        claim = _lock(claim)
        _require_committee(claim, actor)
        if claim.status not in OPEN:
            raise ValidationError(_("This claim is %(status)s.") % {"status": claim.get_status_display().lower()})
        if claim.status == ClaimStatus.SUBMITTED:
            claim.status = ClaimStatus.UNDER_REVIEW
            claim.save(update_fields=["status"])
            _step(claim, StepKind.REVIEW, actor)
        if request_documents.strip():
            _step(claim, StepKind.DOCUMENTS_REQUESTED, actor, request_documents.strip())
    return claim


def _missing_documents(claim: Claim) -> list[str]:
    rule = eligibility.category_rule(claim.rules, claim.category)
    present = set(claim.documents.values_list("kind", flat=True))
    return [DocumentKind(kind).label for kind in rule.required_documents if kind not in present]


def claim_approve(*, claim: Claim, actor, amount: Decimal, reason: str = "", fast_track: bool = False) -> Claim:
    """A committee member approves ``amount`` (at most what was asked, within the caps). The claim is
    approved when the number of approvals the rules require is in, for the smallest amount
    approved (with that approval's reason); an urgent claim may be approved by one member
    (``fast_track``) and is ratified when the others' approvals are in."""
    with transaction.atomic():
        # The member's row first, then the claim's: approvals of one family's claims wait for each
        # other, so two of them cannot together pass the family's yearly cap.
        Member.objects.select_for_update().filter(pk=claim.member_id).first()
        claim = _lock(claim)
        _require_committee(claim, actor)
        ratifying = claim.fast_tracked and claim.status in (ClaimStatus.APPROVED, ClaimStatus.PAID)
        if not ratifying and claim.status not in OPEN:
            raise ValidationError(_("This claim is %(status)s.") % {"status": claim.get_status_display().lower()})
        approvals = claim.approvals.count()
        if ratifying and approvals >= claim.rules.approvals_required:
            raise ValidationError(_("This urgent approval is already ratified."))
        if claim.approvals.filter(approver=actor).exists():
            raise ValidationError(_("You have already approved this claim."))
        if fast_track and not claim.urgent:
            raise ValidationError({"fast_track": _("Only an urgent claim is fast-tracked.")})
        if ratifying:
            amount = claim.amount_approved
        else:
            # An urgent claim's papers may follow its fast-tracked approval.
            _check_approvable(claim, amount, reason, documents=not fast_track)
        if claim.status == ClaimStatus.SUBMITTED:
            claim.status = ClaimStatus.UNDER_REVIEW
            claim.save(update_fields=["status"])
            _step(claim, StepKind.REVIEW, actor)
        ClaimApproval.objects.create(claim=claim, approver=actor, amount=amount, reason=(reason or "").strip())
        _step(claim, StepKind.APPROVAL, actor, amount=amount)
        approvals += 1
        if ratifying:
            if approvals >= claim.rules.approvals_required:
                _step(claim, StepKind.RATIFIED, actor)
        elif approvals >= claim.rules.approvals_required or fast_track:
            smallest = claim.approvals.order_by("amount", "approved_at", "id").first()
            claim.status, claim.approved_at = ClaimStatus.APPROVED, timezone.now()
            claim.amount_approved, claim.decision_reason = smallest.amount, smallest.reason
            claim.fast_tracked = fast_track and approvals < claim.rules.approvals_required
            claim.save(update_fields=["status", "approved_at", "amount_approved", "fast_tracked", "decision_reason"])
            _step(claim, StepKind.FAST_TRACKED if claim.fast_tracked else StepKind.APPROVED, actor,
                  amount=claim.amount_approved)
    return claim


def _check_approvable(claim: Claim, amount: Decimal, reason: str, documents: bool) -> None:
    if amount is None or amount <= 0:
        raise ValidationError({"amount": _("Enter an amount above zero.")})
    if amount > claim.amount_requested:
        raise ValidationError({"amount": _("%(amount)s is more than the %(requested)s asked for.") % {
            "amount": amount_text(amount), "requested": amount_text(claim.amount_requested)}})
    if amount < claim.amount_requested and not (reason or "").strip():
        raise ValidationError({"reason": _("Say why less than asked is approved.")})
    rule = eligibility.category_rule(claim.rules, claim.category)
    eligibility.check_caps(rule=rule, member_id=claim.member_id, year=claim.event_date.year, amount=amount,
                           field="amount", exclude_claim_id=claim.pk)
    missing = _missing_documents(claim) if documents else []
    if missing:
        raise ValidationError(_("Missing documents for %(category)s: %(missing)s.") % {
            "category": claim.category.name.lower(), "missing": ", ".join(str(m).lower() for m in missing)})


def claim_reject(*, claim: Claim, actor, reason: str) -> Claim:
    """A committee member rejects the claim, with the reason the claimant will read."""
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason for rejecting the claim.")})
    with transaction.atomic():
        claim = _lock(claim)
        _require_committee(claim, actor)
        if claim.status not in OPEN:
            raise ValidationError(_("This claim is %(status)s.") % {"status": claim.get_status_display().lower()})
        claim.status, claim.decision_reason = ClaimStatus.REJECTED, reason.strip()
        claim.save(update_fields=["status", "decision_reason"])
        _step(claim, StepKind.REJECTED, actor, reason.strip())
    return claim


def waiting_queue(cooperative_id: int):
    """Approved claims not yet paid, in the order they are paid: approval order."""
    return Claim.objects.filter(cooperative_id=cooperative_id, status=ClaimStatus.APPROVED).order_by(
        "approved_at", "id")


def claim_pay(*, claim: Claim, actor, date: datetime.date | None = None, idempotency_key: str | None = None) -> Claim:
    """Pay an approved claim from the medical fund (medical fund against bank), when it is first in
    the queue and the fund covers it. With an ``idempotency_key`` a repeat returns the paid claim."""
    if not can_pay(actor, claim.cooperative_id):
        raise ValidationError(_("Your role does not allow this."))
    date = date or timezone.localdate()
    if date > timezone.localdate():
        raise ValidationError({"date": _("A payment is not dated in the future.")})
    key = f"claim:{claim.pk}:{actor.pk}:{idempotency_key}" if idempotency_key else None
    with transaction.atomic():
        # The bank's and the fund's rows first, in id order as every posting locks them: payments
        # of one co-op wait for each other, so each sees the balance and the queue the last one
        # left; then the claim.
        accounts = {a.code: a for a in Account.objects.select_for_update().filter(
            cooperative_id=claim.cooperative_id, code__in=[BANK, MEDICAL_FUND]).order_by("pk")}
        fund, bank = accounts[MEDICAL_FUND], accounts[BANK]
        claim = _lock(claim)
        if key and claim.status == ClaimStatus.PAID and claim.transaction.idempotency_key == key:
            return claim  # a retry of the request that paid it
        if claim.status != ClaimStatus.APPROVED:
            raise ValidationError(_("This claim is %(status)s.") % {"status": claim.get_status_display().lower()})
        if date < timezone.localtime(claim.approved_at).date():
            raise ValidationError({"date": _("A claim is paid on or after the day it was approved.")})
        first = waiting_queue(claim.cooperative_id).first()
        if first.pk != claim.pk:
            raise ValidationError(_("Claim #%(first)s was approved earlier and is paid first.") % {"first": first.pk})
        if fund.balance < claim.amount_approved:
            raise ValidationError(_(
                "The medical fund holds %(balance)s; claim #%(claim)s for %(amount)s waits until the fund can "
                "cover it.") % {"balance": amount_text(fund.balance), "claim": claim.pk,
                                "amount": amount_text(claim.amount_approved)})
        entry = transaction_post(
            cooperative=claim.member.cooperative, date=date, actor=actor, source=f"medical-claim:{claim.pk}",
            # No medical detail in the books: accountants and auditors read the memo.
            memo=_("Medical fund claim #%(claim)s, member %(number)s") % {
                "claim": claim.pk, "number": claim.member.number},
            legs=[(fund, claim.amount_approved), (bank, -claim.amount_approved)], idempotency_key=key)
        claim.status, claim.paid_at, claim.paid_by, claim.transaction = ClaimStatus.PAID, timezone.now(), actor, entry
        claim.save(update_fields=["status", "paid_at", "paid_by", "transaction"])
        _step(claim, StepKind.PAID, actor, amount=claim.amount_approved)
    return claim


def queue_pay(*, cooperative_id: int, actor, date: datetime.date | None = None) -> list[Claim]:
    """Pay the waiting claims in approval order while the fund covers them; stops at the first it
    cannot (that claim keeps its place)."""
    paid = []
    for claim in list(waiting_queue(cooperative_id)):
        try:
            paid.append(claim_pay(claim=claim, actor=actor, date=date))
        except ValidationError:
            break
    return paid


def claims_read(*, reader, claims, via: str) -> None:
    """Log that ``reader`` read these claims (one row each, one statement)."""
    ClaimRead.objects.bulk_create([ClaimRead(claim_id=claim.pk, reader=reader, via=via) for claim in claims])
