"""The Fairtrade premium, from box to General Assembly.

Earning it: a ``PremiumRate`` per product from a date (US$1.00 per 18.14 kg banana box; other
products and box sizes converted by weight). Invoicing a Fairtrade shipment posts one
``PremiumAccrual`` (premium receivable against the unallocated fund); each ``PremiumReceipt``
from the importer turns part of it into money in the bank.

Using it: a Fairtrade Development Plan per year, approved by a recorded General
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
from exports.models import Product, Shipment
from ledger.models import MONEY, Account, Transaction
from ops.privileges import APPEND_ONLY, NO_DELETE


class PremiumRate(models.Model):
    """The premium for a product from ``valid_from`` on: ``amount`` USD per ``per_kg`` kilograms
    (bananas: 1.0000 per 18.140 kg). A unit of another weight earns amount x its kg / per_kg."""

    cooperative = models.ForeignKey(Cooperative, on_delete=models.PROTECT, related_name="premium_rates")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="premium_rates",
                                verbose_name=_("product"))
    valid_from = models.DateField(_("valid from"))
    # USD, 4 places (coffee's US$0.20 per lb is 0.2000 per 0.454 kg); > 0.
    amount = models.DecimalField(_("premium (USD)"), max_digits=10, decimal_places=4,
                                 validators=[MinValueValidator(Decimal("0.0001"))])
    # Kilograms the amount is for, 3 places; > 0.
    per_kg = models.DecimalField(_("per kg"), max_digits=8, decimal_places=3,
                                 validators=[MinValueValidator(Decimal("0.001"))])
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["product", "-valid_from"]
        verbose_name = _("premium rate")
        verbose_name_plural = _("premium rates")
        constraints = [
            models.UniqueConstraint(fields=["product", "valid_from"], name="premium_rate_one_per_day"),
            models.CheckConstraint(condition=Q(amount__gt=0) & Q(per_kg__gt=0), name="premium_rate_positive"),
        ]

    def __str__(self):
        return f"{self.product}: {self.amount} / {self.per_kg} kg ({self.valid_from})"


class PremiumAccrual(models.Model):
    """The premium a shipment earned, posted once when it was invoiced."""

    runtime_privileges = APPEND_ONLY

    cooperative = models.ForeignKey(Cooperative, on_delete=models.PROTECT, related_name="+")
    # One per shipment: the database refuses a second accrual.
    shipment = models.OneToOneField(Shipment, on_delete=models.PROTECT, related_name="premium_accrual")
    rate = models.ForeignKey(PremiumRate, on_delete=models.PROTECT, related_name="accruals")
    boxes = models.PositiveIntegerField(_("Fairtrade boxes"))
    # USD, 2 places: boxes x rate, rounded half up once.
    amount = models.DecimalField(_("premium"), **MONEY)
    date = models.DateField(_("date"))
    transaction = models.OneToOneField(Transaction, on_delete=models.PROTECT, related_name="+")
    posted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("premium accrual")
        verbose_name_plural = _("premium accruals")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="premium_accrual_positive")]

    def __str__(self):
        return f"{self.shipment}: {self.amount}"


class PremiumReceipt(models.Model):
    """Premium the importer paid for a shipment (partial payments allowed)."""

    runtime_privileges = APPEND_ONLY

    cooperative = models.ForeignKey(Cooperative, on_delete=models.PROTECT, related_name="+")
    shipment = models.ForeignKey(Shipment, on_delete=models.PROTECT, related_name="premium_receipts")
    # USD, 2 places; > 0 and never more than what is outstanding.
    amount = models.DecimalField(_("amount"), **MONEY, validators=[MinValueValidator(Decimal("0.01"))])
    received_on = models.DateField(_("received on"))
    reference = models.CharField(_("bank reference"), max_length=80)
    transaction = models.OneToOneField(Transaction, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    # A client's retry key and a digest of what it sent: same key and body, same receipt.
    idempotency_key = models.CharField(max_length=120, null=True, blank=True)
    request_digest = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["received_on", "id"]
        verbose_name = _("premium receipt")
        verbose_name_plural = _("premium receipts")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="premium_receipt_positive"),
            models.UniqueConstraint(fields=["recorded_by", "idempotency_key"], name="premium_receipt_key_unique"),
        ]

    def __str__(self):
        return f"{self.shipment}: {self.amount}"


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved by the General Assembly")
    SUPERSEDED = "superseded", _("Replaced by a later version")


class DevelopmentPlan(models.Model):
    runtime_privileges = NO_DELETE

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
    runtime_privileges = NO_DELETE

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

    runtime_privileges = NO_DELETE

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

    runtime_privileges = APPEND_ONLY

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

    runtime_privileges = APPEND_ONLY

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
