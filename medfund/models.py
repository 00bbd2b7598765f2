"""The emergency medical fund: claims for a member and their family, from request to payment.

- ``FundRules`` per co-op, versioned by ``valid_from``: the waiting period for new members and how
  many committee members approve a claim. ``CategoryRule`` rows give, per category (surgery,
  illness treatment, funeral, and those a co-op adds), the caps per claim and per family and
  year, and the documents the category needs.
- A ``Claim`` is for the member or a covered person of their household (the current spouse or
  partner, a dependent child) on the date of the event, under the rules in force that day.
  ``submitted → under review → approved | rejected → paid``. Each step is a ``ClaimStep`` (who,
  when, what). Approval takes ``ClaimApproval`` votes of committee members, never the claimant;
  an urgent claim can be approved by one committee member and ratified by the others later.
- Paying posts medical fund against bank; the fund never goes below zero (the ledger's rule), so
  an approved claim the fund cannot cover waits, in approval order.
- Medical details (description, category, beneficiary, documents) are for the claimant and the
  committee only; every read of a claim is a ``ClaimRead``.
"""

from decimal import Decimal

import pgtrigger
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from coop.models import Cooperative
from ledger.models import MONEY, Transaction
from members.models import HouseholdMember, Member
from ops.privileges import APPEND_ONLY, NO_DELETE


class DocumentKind(models.TextChoices):
    RECEIPT = "receipt", _("Receipt or invoice")
    MEDICAL_REPORT = "medical_report", _("Medical report")
    DEATH_CERTIFICATE = "death_certificate", _("Death certificate")
    OTHER = "other", _("Other document")


class FundRules(models.Model):
    cooperative = models.ForeignKey(Cooperative, on_delete=models.PROTECT, related_name="medfund_rules")
    valid_from = models.DateField(_("valid from"))
    waiting_days = models.PositiveSmallIntegerField(
        _("waiting period (days)"), default=90,
        help_text=_("A member is covered this many days after joining the co-op."))
    approvals_required = models.PositiveSmallIntegerField(
        _("committee approvals needed"), default=2, validators=[MinValueValidator(1), MaxValueValidator(9)])
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["cooperative", "-valid_from"]
        verbose_name = _("medical fund rules")
        verbose_name_plural = _("medical fund rules")
        constraints = [
            models.UniqueConstraint(fields=["cooperative", "valid_from"], name="medfund_rules_one_per_day"),
            models.CheckConstraint(condition=Q(approvals_required__gte=1), name="medfund_rules_one_approval_or_more"),
        ]

    def __str__(self):
        return f"{self.cooperative.short_name} {self.valid_from}"


class Category(models.Model):
    cooperative = models.ForeignKey(Cooperative, on_delete=models.PROTECT, related_name="medfund_categories")
    code = models.SlugField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["cooperative", "name"]
        verbose_name = _("claim category")
        verbose_name_plural = _("claim categories")
        constraints = [models.UniqueConstraint(fields=["cooperative", "code"], name="medfund_category_code_unique")]

    def __str__(self):
        return self.name


class CategoryRule(models.Model):
    """What a category covers under one version of the rules; a category without a rule in the
    version in force on the event date is not covered then."""

    rules = models.ForeignKey(FundRules, on_delete=models.CASCADE, related_name="category_rules")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="rules")
    # USD, 2 places; empty: no cap.
    per_claim_cap = models.DecimalField(_("cap per claim"), **MONEY, null=True, blank=True,
                                        validators=[MinValueValidator(Decimal("0.01"))])
    per_family_year_cap = models.DecimalField(_("cap per family and year"), **MONEY, null=True, blank=True,
                                              validators=[MinValueValidator(Decimal("0.01"))])
    required_documents = ArrayField(models.CharField(max_length=20, choices=DocumentKind.choices),
                                    verbose_name=_("documents required"), default=list, blank=True)

    class Meta:
        ordering = ["rules", "category"]
        verbose_name = _("category rule")
        verbose_name_plural = _("category rules")
        constraints = [
            models.UniqueConstraint(fields=["rules", "category"], name="medfund_one_rule_per_category"),
            models.CheckConstraint(condition=Q(per_claim_cap__isnull=True) | Q(per_claim_cap__gt=0),
                                   name="medfund_claim_cap_positive"),
            models.CheckConstraint(condition=Q(per_family_year_cap__isnull=True) | Q(per_family_year_cap__gt=0),
                                   name="medfund_family_cap_positive"),
        ]

    def __str__(self):
        return f"{self.rules}: {self.category}"


class ClaimStatus(models.TextChoices):
    SUBMITTED = "submitted", pgettext_lazy("claim status", "Submitted")
    UNDER_REVIEW = "under_review", pgettext_lazy("claim status", "Under review")
    APPROVED = "approved", pgettext_lazy("claim status", "Approved")
    REJECTED = "rejected", pgettext_lazy("claim status", "Rejected")
    PAID = "paid", pgettext_lazy("claim status", "Paid")


class Claim(models.Model):
    runtime_privileges = NO_DELETE

    cooperative = models.ForeignKey(Cooperative, on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="medical_claims")
    # Empty when the claim is for the member themself.
    beneficiary = models.ForeignKey(HouseholdMember, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="medical_claims")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="claims")
    # The rules in force on the event date: its caps and documents apply.
    rules = models.ForeignKey(FundRules, on_delete=models.PROTECT, related_name="claims")
    event_date = models.DateField(_("date of the event"))
    description = models.TextField(_("description"), max_length=2000)
    # USD, 2 places.
    amount_requested = models.DecimalField(_("amount requested"), **MONEY)
    amount_approved = models.DecimalField(_("amount approved"), **MONEY, null=True, blank=True)
    urgent = models.BooleanField(_("urgent"), default=False)
    status = models.CharField(_("status"), max_length=12, choices=ClaimStatus.choices, default=ClaimStatus.SUBMITTED)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    decision_reason = models.CharField(_("reason for the decision"), max_length=500, blank=True)
    # The moment it was approved: the order in which approved claims are paid.
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    # Approved by one committee member because it was urgent; ratified once the approvals the
    # rules require are in, which a RATIFIED step records (steps are append-only, and a paid
    # claim is frozen).
    fast_tracked = models.BooleanField(_("fast-tracked"), default=False)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    paid_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+")
    # PROTECT: the payment's journal entry is part of the books.
    transaction = models.OneToOneField(Transaction, on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="+")

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("medical claim")
        verbose_name_plural = _("medical claims")
        constraints = [
            models.CheckConstraint(condition=Q(amount_requested__gt=0), name="claim_amount_positive"),
            models.CheckConstraint(condition=Q(amount_approved__isnull=True)
                                   | Q(amount_approved__gt=0, amount_approved__lte=models.F("amount_requested")),
                                   name="claim_approved_within_requested"),
            models.CheckConstraint(condition=~Q(status__in=["approved", "paid"])
                                   | Q(amount_approved__isnull=False, approved_at__isnull=False),
                                   name="approved_claim_has_amount"),
            models.CheckConstraint(condition=~Q(status="rejected") | ~Q(decision_reason=""),
                                   name="rejected_claim_has_reason"),
            # Less than asked is approved only with the reason.
            models.CheckConstraint(condition=Q(amount_approved__isnull=True)
                                   | Q(amount_approved=models.F("amount_requested")) | ~Q(decision_reason=""),
                                   name="claim_cut_has_reason"),
            models.CheckConstraint(condition=~Q(status="paid") | Q(transaction__isnull=False, paid_at__isnull=False),
                                   name="paid_claim_has_transaction"),
        ]
        indexes = [models.Index(fields=["cooperative", "status", "approved_at"], name="claim_queue_idx")]
        triggers = [
            pgtrigger.Protect(name="claim_never_deleted", operation=pgtrigger.Delete),
            # A paid or rejected claim is final.
            pgtrigger.Protect(name="claim_final_once_decided", operation=pgtrigger.Update,
                              condition=pgtrigger.Q(old__status__in=["paid", "rejected"])),
        ]

    def __str__(self):
        return f"#{self.pk} {self.member_id} {self.amount_requested}"

    @property
    def beneficiary_name(self) -> str:
        return self.beneficiary.full_name if self.beneficiary_id else self.member.full_name


class ClaimDocument(models.Model):
    runtime_privileges = APPEND_ONLY

    cooperative = models.ForeignKey(Cooperative, on_delete=models.PROTECT, related_name="+")
    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind.choices)
    # Under MEDIA_ROOT, which nothing serves: files go out only through a view that checks who asks.
    file = models.FileField(_("file"), upload_to="medfund/%Y/")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["claim", "uploaded_at", "id"]
        triggers = [pgtrigger.Protect(name="claim_document_append_only", operation=pgtrigger.Update | pgtrigger.Delete)]
        verbose_name = _("claim document")
        verbose_name_plural = _("claim documents")

    def __str__(self):
        return f"{self.claim_id}: {self.get_kind_display()}"


class ClaimApproval(models.Model):
    """A committee member's approval of a claim, with the amount they approve."""

    runtime_privileges = APPEND_ONLY

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="approvals")
    approver = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(_("amount"), **MONEY)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    approved_at = models.DateTimeField(_("approved at"), auto_now_add=True)

    class Meta:
        ordering = ["claim", "approved_at"]
        triggers = [pgtrigger.Protect(name="claim_approval_append_only", operation=pgtrigger.Update | pgtrigger.Delete)]
        constraints = [
            models.UniqueConstraint(fields=["claim", "approver"], name="one_approval_per_committee_member"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="claim_approval_positive"),
        ]

    def __str__(self):
        return f"{self.claim_id}: {self.approver_id} {self.amount}"


class StepKind(models.TextChoices):
    SUBMITTED = "submitted", pgettext_lazy("claim step", "Submitted")
    REVIEW = "review", pgettext_lazy("claim step", "Review started")
    DOCUMENTS_REQUESTED = "documents_requested", pgettext_lazy("claim step", "More documents requested")
    DOCUMENT_ADDED = "document_added", pgettext_lazy("claim step", "Document added")
    APPROVAL = "approval", pgettext_lazy("claim step", "Approved by a committee member")
    APPROVED = "approved", pgettext_lazy("claim step", "Approved")
    FAST_TRACKED = "fast_tracked", pgettext_lazy("claim step", "Approved urgently by one committee member")
    RATIFIED = "ratified", pgettext_lazy("claim step", "Urgent approval ratified")
    REJECTED = "rejected", pgettext_lazy("claim step", "Rejected")
    PAID = "paid", pgettext_lazy("claim step", "Paid")


class ClaimStep(models.Model):
    """Who did what to a claim, and when. Append-only (by trigger)."""

    runtime_privileges = APPEND_ONLY

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="steps")
    kind = models.CharField(_("step"), max_length=20, choices=StepKind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"), auto_now_add=True)
    # What the person wrote (a reason, the documents asked for); shown as written.
    note = models.CharField(_("note"), max_length=500, blank=True)
    # USD, 2 places: the amount an approval or a payment was for.
    amount = models.DecimalField(_("amount"), **MONEY, null=True, blank=True)
    # For a document added: its kind.
    document_kind = models.CharField(_("document"), max_length=20, choices=DocumentKind.choices, blank=True)

    class Meta:
        ordering = ["claim", "at", "id"]
        triggers = [pgtrigger.Protect(name="claim_step_append_only", operation=pgtrigger.Update | pgtrigger.Delete)]

    def __str__(self):
        return f"{self.claim_id}: {self.kind}"


class ReadVia(models.TextChoices):
    PAGE = "page", _("its page")
    LIST = "list", _("the list of claims")
    QUEUE = "queue", _("the payment queue")
    MINE = "mine", _("the member's page")
    DOCUMENT = "document", _("a document")
    API = "api", _("the API")
    API_LIST = "api-list", _("the API's list")
    API_DOCUMENT = "api-document", _("a document, through the API")


class ClaimRead(models.Model):
    """Someone read a claim (its page, the API or a document). Append-only (by trigger)."""

    runtime_privileges = APPEND_ONLY

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="reads")
    reader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"), auto_now_add=True)
    via = models.CharField(_("via"), max_length=20, choices=ReadVia.choices)

    class Meta:
        ordering = ["claim", "-at"]
        indexes = [models.Index(fields=["claim", "at"], name="claim_read_idx")]
        triggers = [pgtrigger.Protect(name="claim_read_append_only", operation=pgtrigger.Update | pgtrigger.Delete)]

    def __str__(self):
        return f"{self.claim_id}: {self.reader_id} {self.at}"
