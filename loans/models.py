"""Quarterly interest-free loans from the premium, weighted by each member's production.

- A ``LoanPolicy`` per co-op, versioned by ``valid_from``: limits, eligibility, repayment.
- A ``LoanRound`` per co-op and quarter (one, held by a unique constraint): proposed (by the
  scheduled job or an accountant), reviewed, approved by a board member who did not propose it,
  then disbursed in one transaction or cancelled. Its ``RoundLine`` rows say, for every active
  member, their boxes, whether they shared and why not, and their amount.
- Disbursing makes a ``Loan`` per accepted line with its installments, and posts loans
  receivable against the bank.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from coop.models import Cooperative
from ledger.models import MONEY, Transaction
from members.models import Member
from ops.privileges import APPEND_ONLY, NO_DELETE


class RepaymentKind(models.TextChoices):
    INSTALLMENTS = "installments", _("Monthly installments")
    PER_BOX = "per_box", _("A deduction per box at each weekly settlement")


class LoanPolicy(models.Model):
    cooperative = models.ForeignKey(Cooperative, on_delete=models.PROTECT, related_name="loan_policies")
    valid_from = models.DateField(_("valid from"))
    # USD, 2 places.
    minimum_amount = models.DecimalField(_("minimum per member"), **MONEY, default=Decimal("0.00"),
                                         validators=[MinValueValidator(0)])
    maximum_amount = models.DecimalField(_("maximum per member"), **MONEY, null=True, blank=True,
                                         validators=[MinValueValidator(Decimal("0.01"))])
    overdue_days_limit = models.PositiveSmallIntegerField(
        _("days overdue that exclude"), default=30,
        help_text=_("A member with an installment overdue by more days gets no loan."))
    repayment = models.CharField(_("repayment"), max_length=12, choices=RepaymentKind.choices,
                                 default=RepaymentKind.INSTALLMENTS)
    installments = models.PositiveSmallIntegerField(_("installments"), default=3,
                                                    validators=[MinValueValidator(1), MaxValueValidator(24)])
    # USD per box, 2 places, when repaid by settlement deductions.
    per_box = models.DecimalField(_("deduction per box"), **MONEY, default=Decimal("0.00"),
                                  validators=[MinValueValidator(0)])
    grace_days = models.PositiveSmallIntegerField(_("grace period (days)"), default=30)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["cooperative", "-valid_from"]
        verbose_name = _("loan policy")
        verbose_name_plural = _("loan policies")
        constraints = [
            models.UniqueConstraint(fields=["cooperative", "valid_from"], name="loan_policy_one_per_day"),
            models.CheckConstraint(condition=Q(maximum_amount__isnull=True) | Q(maximum_amount__gte=models.F(
                "minimum_amount")), name="loan_policy_maximum_over_minimum"),
            models.CheckConstraint(condition=~Q(repayment="per_box") | Q(per_box__gt=0),
                                   name="loan_policy_per_box_has_rate"),
        ]

    def __str__(self):
        return f"{self.cooperative.short_name} {self.valid_from}"


class RoundStatus(models.TextChoices):
    PROPOSED = "proposed", pgettext_lazy("loan round status", "Proposed")
    APPROVED = "approved", pgettext_lazy("loan round status", "Approved")
    DISBURSED = "disbursed", pgettext_lazy("loan round status", "Disbursed")
    CANCELLED = "cancelled", pgettext_lazy("loan round status", "Cancelled")


class LoanRound(models.Model):
    runtime_privileges = NO_DELETE

    cooperative = models.ForeignKey(Cooperative, on_delete=models.PROTECT, related_name="loan_rounds")
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"), validators=[MinValueValidator(1), MaxValueValidator(4)])
    policy = models.ForeignKey(LoanPolicy, on_delete=models.PROTECT, related_name="rounds")
    # The production the loans are weighted by: accepted Fairtrade boxes delivered in these dates.
    reference_start = models.DateField(_("reference period from"))
    reference_end = models.DateField(_("reference period to"))
    # USD, 2 places: what the board lends this round; never more than the loan fund can lend.
    pool = models.DecimalField(_("pool"), **MONEY, validators=[MinValueValidator(Decimal("0.01"))])
    minimum_amount = models.DecimalField(_("minimum per member"), **MONEY)
    maximum_amount = models.DecimalField(_("maximum per member"), **MONEY, null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=RoundStatus.choices,
                              default=RoundStatus.PROPOSED)
    # Empty when the scheduled job proposed it.
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    proposed_at = models.DateTimeField(_("proposed at"))
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    disbursed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    disbursed_on = models.DateField(_("disbursed on"), null=True, blank=True)
    # PROTECT: the disbursement's journal entry is part of the books.
    transaction = models.OneToOneField(Transaction, on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="+")
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)

    class Meta:
        ordering = ["cooperative", "-year", "-quarter"]
        verbose_name = _("loan round")
        verbose_name_plural = _("loan rounds")
        constraints = [
            # One live round per co-op and quarter, whoever or whatever proposes it.
            models.UniqueConstraint(fields=["cooperative", "year", "quarter"], condition=~Q(status="cancelled"),
                                    name="one_loan_round_per_quarter"),
            models.UniqueConstraint(fields=["id", "cooperative"], name="loan_round_id_cooperative_key"),
            models.CheckConstraint(condition=Q(pool__gt=0), name="loan_round_pool_positive"),
            models.CheckConstraint(condition=Q(quarter__gte=1, quarter__lte=4), name="loan_round_quarter_valid"),
            models.CheckConstraint(condition=~Q(status="disbursed") | Q(transaction__isnull=False),
                                   name="disbursed_round_has_transaction"),
        ]

    def __str__(self):
        return f"{self.cooperative.short_name} {self.year}-T{self.quarter}"


class Exclusion(models.TextChoices):
    NO_PRODUCTION = "no_production", _("No Fairtrade boxes in the reference period")
    OVERDUE = "overdue", _("An installment overdue beyond the policy's days")
    WRITTEN_OFF = "written_off", _("An unpaid written-off loan")
    UNDER_MINIMUM = "under_minimum", _("Their share was under the minimum")
    DECLINED = "declined", _("Declined the offer")


class RoundLine(models.Model):
    """One active member in a round: their weight, their share and why (or why not)."""

    cooperative = models.ForeignKey(Cooperative, on_delete=models.PROTECT, related_name="+")
    round = models.ForeignKey(LoanRound, on_delete=models.CASCADE, related_name="lines")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="loan_lines")
    boxes = models.PositiveIntegerField(_("boxes"))
    # USD, 2 places; 0 for the excluded.
    amount = models.DecimalField(_("amount"), **MONEY)
    capped = models.BooleanField(_("capped at the maximum"), default=False)
    excluded = models.CharField(_("excluded"), max_length=16, choices=Exclusion.choices, blank=True)
    declined_at = models.DateTimeField(_("declined at"), null=True, blank=True)

    class Meta:
        ordering = ["round", "member"]
        verbose_name = _("round line")
        verbose_name_plural = _("round lines")
        constraints = [
            models.UniqueConstraint(fields=["round", "member"], name="one_line_per_member_and_round"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="round_line_amount_not_negative"),
            models.CheckConstraint(condition=Q(excluded="") | Q(amount=0), name="excluded_line_gets_nothing"),
        ]

    def __str__(self):
        return f"{self.round}: {self.member_id} {self.amount}"


class LoanStatus(models.TextChoices):
    ACTIVE = "active", _("Being repaid")
    REPAID = "repaid", _("Repaid")
    WRITTEN_OFF = "written_off", _("Written off")


class Loan(models.Model):
    runtime_privileges = NO_DELETE

    cooperative = models.ForeignKey(Cooperative, on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="loans")
    line = models.OneToOneField(RoundLine, on_delete=models.PROTECT, related_name="loan")
    # USD, 2 places; > 0.
    principal = models.DecimalField(_("principal"), **MONEY)
    disbursed_on = models.DateField(_("disbursed on"))
    status = models.CharField(_("status"), max_length=12, choices=LoanStatus.choices, default=LoanStatus.ACTIVE)

    class Meta:
        ordering = ["-disbursed_on", "member"]
        verbose_name = _("loan")
        verbose_name_plural = _("loans")
        constraints = [models.CheckConstraint(condition=Q(principal__gt=0), name="loan_principal_positive")]

    def __str__(self):
        return f"{self.member_id}: {self.principal}"


class Installment(models.Model):
    runtime_privileges = NO_DELETE

    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="installments")
    # Set when a rescheduling replaced this installment (it is kept, never deleted).
    replaced = models.BooleanField(_("replaced by a rescheduling"), default=False)
    number = models.PositiveSmallIntegerField(_("number"))
    due_on = models.DateField(_("due on"))
    # USD, 2 places; the installments add up to the principal.
    amount = models.DecimalField(_("amount"), **MONEY)

    class Meta:
        ordering = ["loan", "number"]
        verbose_name = _("installment")
        verbose_name_plural = _("installments")
        constraints = [
            models.UniqueConstraint(fields=["loan", "number"], condition=Q(replaced=False),
                                    name="installment_number_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="installment_positive"),
        ]

    def __str__(self):
        return f"{self.loan_id}/{self.number}: {self.amount} {self.due_on}"


class RepaymentMethod(models.TextChoices):
    CASH = "cash", _("Cash or bank transfer")
    SETTLEMENT = "settlement", _("Deducted at the weekly settlement")


class Repayment(models.Model):
    """Money paid back on a loan; never more than its balance. Append-only (by trigger)."""

    runtime_privileges = APPEND_ONLY

    cooperative = models.ForeignKey(Cooperative, on_delete=models.PROTECT, related_name="+")
    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="repayments")
    # USD, 2 places; > 0.
    amount = models.DecimalField(_("amount"), **MONEY)
    date = models.DateField(_("date"))
    method = models.CharField(_("method"), max_length=12, choices=RepaymentMethod.choices)
    reference = models.CharField(_("reference"), max_length=80, blank=True)
    # PROTECT: the entry is part of the books; a settlement's entry carries many repayments.
    transaction = models.ForeignKey(Transaction, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["loan", "date", "id"]
        verbose_name = _("repayment")
        verbose_name_plural = _("repayments")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="repayment_positive")]

    def __str__(self):
        return f"{self.loan_id}: {self.amount}"


class WriteOff(models.Model):
    """The board's decision to write off what is left of a loan (from the loan fund)."""

    runtime_privileges = APPEND_ONLY

    cooperative = models.ForeignKey(Cooperative, on_delete=models.PROTECT, related_name="+")
    loan = models.OneToOneField(Loan, on_delete=models.PROTECT, related_name="write_off")
    amount = models.DecimalField(_("amount"), **MONEY)
    reason = models.CharField(_("reason"), max_length=300)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_on = models.DateField(_("decided on"))
    transaction = models.OneToOneField(Transaction, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("write-off")
        verbose_name_plural = _("write-offs")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="write_off_positive")]

    def __str__(self):
        return f"{self.loan_id}: {self.amount}"


class Reschedule(models.Model):
    """The board's decision to spread what is left of a loan over new installments."""

    runtime_privileges = APPEND_ONLY

    cooperative = models.ForeignKey(Cooperative, on_delete=models.PROTECT, related_name="+")
    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="reschedules")
    # USD, 2 places: repaid before the decision; payments after it cover the new installments.
    paid_before = models.DecimalField(_("repaid before"), **MONEY)
    balance = models.DecimalField(_("balance rescheduled"), **MONEY)
    installments = models.PositiveSmallIntegerField(_("installments"), validators=[MinValueValidator(1),
                                                                                  MaxValueValidator(24)])
    first_due = models.DateField(_("first installment due"))
    reason = models.CharField(_("reason"), max_length=300)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), auto_now_add=True)

    class Meta:
        ordering = ["loan", "decided_at"]
        verbose_name = _("rescheduling")
        verbose_name_plural = _("reschedulings")

    def __str__(self):
        return f"{self.loan_id}: {self.balance} / {self.installments}"
