"""The premium-use chain: a Fairtrade Development Plan per year, approved by a recorded General
Assembly, whose lines receive premium from the unallocated fund (up to their budget) and spend it.

A plan is changed by drafting a new version and having it approved: an approved version is never
edited. Lines keep a ``code`` across versions, so allocations and spending made under one version
count against the same line in the next.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from coop.models import Cooperative
from ledger.models import MONEY, Account, Transaction


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved by the General Assembly")
    SUPERSEDED = "superseded", _("Replaced by a later version")


class DevelopmentPlan(models.Model):
    cooperative = models.ForeignKey(Cooperative, on_delete=models.PROTECT, related_name="development_plans")
    year = models.PositiveSmallIntegerField(_("year"))
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    status = models.CharField(_("status"), max_length=12, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["cooperative", "-year", "-version"]
        verbose_name = _("Fairtrade Development Plan")
        verbose_name_plural = _("Fairtrade Development Plans")
        constraints = [
            models.UniqueConstraint(fields=["cooperative", "year", "version"], name="plan_version_unique"),
            models.UniqueConstraint(
                fields=["cooperative", "year"], condition=Q(status="approved"), name="one_approved_plan_per_year"
            ),
            models.UniqueConstraint(
                fields=["cooperative", "year"], condition=Q(status="draft"), name="one_draft_plan_per_year"
            ),
        ]

    def __str__(self):
        return f"{self.cooperative.short_name} {self.year} v{self.version}"


class PlanLine(models.Model):
    cooperative = models.ForeignKey(Cooperative, on_delete=models.PROTECT, related_name="+")
    plan = models.ForeignKey(DevelopmentPlan, on_delete=models.PROTECT, related_name="lines")
    code = models.CharField(_("code"), max_length=20, help_text=_("Stays the same in every version of the plan."))
    project = models.CharField(_("project"), max_length=200)
    objective = models.TextField(_("objective"))
    beneficiaries = models.CharField(_("beneficiaries"), max_length=200)
    # USD, 2 places; > 0.
    budget = models.DecimalField(_("budget"), **MONEY, validators=[MinValueValidator(Decimal("0.01"))])
    # PROTECT: the fund holds the line's money in the books.
    fund = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="plan_lines", verbose_name=_("fund"))

    class Meta:
        ordering = ["plan", "code"]
        verbose_name = _("plan line")
        verbose_name_plural = _("plan lines")
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="plan_line_code_unique"),
            models.UniqueConstraint(fields=["plan", "fund"], name="plan_line_fund_unique"),
            models.CheckConstraint(condition=Q(budget__gt=0), name="plan_line_budget_positive"),
        ]

    def __str__(self):
        return f"{self.code} {self.project}"


class GeneralAssembly(models.Model):
    """The General Assembly's decision approving one version of a year's plan."""

    cooperative = models.ForeignKey(Cooperative, on_delete=models.PROTECT, related_name="assemblies")
    plan = models.OneToOneField(DevelopmentPlan, on_delete=models.PROTECT, related_name="approval")
    held_on = models.DateField(_("held on"))
    members_present = models.PositiveIntegerField(_("members present"))
    quorum = models.PositiveIntegerField(_("quorum"), help_text=_("Members needed for a valid vote."))
    votes_for = models.PositiveIntegerField(_("votes for"))
    votes_against = models.PositiveIntegerField(_("votes against"))
    abstentions = models.PositiveIntegerField(_("abstentions"))
    minutes_reference = models.CharField(_("minutes reference"), max_length=120)
    minutes_document = models.FileField(_("minutes (PDF)"), upload_to="assemblies/%Y/", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["-held_on"]
        verbose_name = _("General Assembly")
        verbose_name_plural = _("General Assemblies")
        constraints = [
            models.CheckConstraint(condition=Q(members_present__gte=F("quorum")), name="assembly_has_quorum"),
            models.CheckConstraint(condition=Q(votes_for__gt=F("votes_against")), name="assembly_approved_by_majority"),
            models.CheckConstraint(
                condition=Q(members_present__gte=F("votes_for") + F("votes_against") + F("abstentions")),
                name="assembly_votes_within_present",
            ),
        ]

    def __str__(self):
        return f"{self.held_on} {self.minutes_reference}"


class Allocation(models.Model):
    """Premium moved from the unallocated fund to a plan line's fund (one ledger transaction)."""

    cooperative = models.ForeignKey(Cooperative, on_delete=models.PROTECT, related_name="+")
    line = models.ForeignKey(PlanLine, on_delete=models.PROTECT, related_name="allocations")
    amount = models.DecimalField(_("amount"), **MONEY)
    date = models.DateField(_("date"))
    transaction = models.OneToOneField(Transaction, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["date", "id"]
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="allocation_positive")]

    def __str__(self):
        return f"{self.line.code}: {self.amount}"


class Spending(models.Model):
    """Premium spent on a plan line: from its fund to the bank (one ledger transaction)."""

    cooperative = models.ForeignKey(Cooperative, on_delete=models.PROTECT, related_name="+")
    line = models.ForeignKey(PlanLine, on_delete=models.PROTECT, related_name="spending")
    amount = models.DecimalField(_("amount"), **MONEY)
    date = models.DateField(_("date"))
    supplier = models.CharField(_("supplier"), max_length=200)
    invoice_number = models.CharField(_("invoice number"), max_length=60)
    description = models.CharField(_("description"), max_length=300)
    receipt = models.FileField(_("receipt"), upload_to="receipts/%Y/", blank=True)
    transaction = models.OneToOneField(Transaction, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["date", "id"]
        verbose_name = _("spending")
        verbose_name_plural = _("spending")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="spending_positive")]

    def __str__(self):
        return f"{self.line.code}: {self.supplier} {self.invoice_number}"
