"""The co-op's books: double entry, append-only, invariants held by PostgreSQL itself.

Design
------
- An ``Account`` belongs to one cooperative and has a type. Assets and expenses are
  debit-normal, liabilities, funds and income credit-normal.
- A ``Transaction`` (a journal entry) has two or more ``Leg`` rows. A leg's ``amount`` is signed:
  positive is a debit, negative a credit. The legs of a transaction add up to exactly zero.
- ``Account.balance`` is kept by a trigger for every statement that writes legs, on the account's normal side
  (a fund holding US$1,500 has balance 1500.00). Accounts marked ``no_overdraft`` (premium funds,
  the medical fund, the loan fund, the bank) must end every transaction at or above zero; since
  the trigger updates the account row, concurrent postings to one account wait for each other
  and each sees the balance the other left.
- Nothing posted is updated or deleted: a correction is a reversing transaction that points at
  the one it corrects. Nothing is posted into a closed period.
- Closing a period and reopening it are records too (``Period``, ``PeriodReopening``), never
  changed: after a reopening, closing the same dates again is a new period.

The rules live in the database (migration 0002 and those after it), so they hold for the ORM,
bulk writes, raw SQL and the admin alike; the services check first to give people clear messages.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from coop.models import Cooperative
from ops.privileges import APPEND_ONLY, NO_DELETE

MONEY = {"max_digits": 14, "decimal_places": 2}


class TransactionTimestamp(models.Func):
    """The start of the current database transaction (Django's Now() is the statement's start)."""

    template = "TRANSACTION_TIMESTAMP()"
    output_field = models.DateTimeField()


class AccountType(models.TextChoices):
    ASSET = "asset", _("Asset")
    LIABILITY = "liability", _("Liability")
    FUND = "fund", _("Fund")
    INCOME = "income", _("Income")
    EXPENSE = "expense", _("Expense")


DEBIT_NORMAL = (AccountType.ASSET, AccountType.EXPENSE)


class Account(models.Model):
    runtime_privileges = NO_DELETE

    # PROTECT: an account with postings is part of the books and is never deleted with its co-op.
    cooperative = models.ForeignKey(
        Cooperative, on_delete=models.PROTECT, related_name="accounts", verbose_name=_("cooperative")
    )
    code = models.CharField(_("code"), max_length=20, help_text=_("Unique within the cooperative."))
    name = models.CharField(_("name"), max_length=120)
    type = models.CharField(_("type"), max_length=10, choices=AccountType.choices)
    no_overdraft = models.BooleanField(
        _("never below zero"), default=False,
        help_text=_("Funds and bank accounts: a posting that would take it below zero is refused."),
    )
    # USD (the co-op's currency), 2 places, on the account's normal side; kept by a trigger.
    balance = models.DecimalField(_("balance"), **MONEY, default=Decimal("0.00"), editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["cooperative", "code"]
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        constraints = [
            models.UniqueConstraint(fields=["cooperative", "code"], name="account_code_unique_in_coop"),
            # Target of the legs' (account, cooperative) foreign key: a leg stays in its co-op.
            models.UniqueConstraint(fields=["id", "cooperative"], name="account_id_cooperative_key"),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def is_debit_normal(self) -> bool:
        return self.type in DEBIT_NORMAL


class Transaction(models.Model):
    """A journal entry. Append-only; corrected by a reversing transaction."""

    runtime_privileges = APPEND_ONLY

    cooperative = models.ForeignKey(
        Cooperative, on_delete=models.PROTECT, related_name="ledger_transactions", verbose_name=_("cooperative")
    )
    date = models.DateField(_("date"))
    memo = models.CharField(_("memo"), max_length=300)
    # The document behind the posting, e.g. "shipment:412", "loan:88", "claim:17".
    source = models.CharField(_("source document"), max_length=80, blank=True)
    # Who asked for it; a retry with the same key returns the first transaction.
    idempotency_key = models.CharField(_("idempotency key"), max_length=120, null=True, blank=True)
    reverses = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversed_by",
        verbose_name=_("reverses"),
    )
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+",
        verbose_name=_("posted by"),
    )
    # Set by the database to the start of the writing transaction: the legs trigger compares it
    # with now() (the same instant) to refuse legs added to a transaction posted earlier.
    posted_at = models.DateTimeField(_("posted at"), db_default=TransactionTimestamp(), editable=False)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("transaction")
        verbose_name_plural = _("transactions")
        constraints = [
            models.UniqueConstraint(
                fields=["cooperative", "idempotency_key"], name="transaction_idempotency_key_unique",
                condition=Q(idempotency_key__isnull=False),
            ),
            models.UniqueConstraint(fields=["id", "cooperative"], name="transaction_id_cooperative_key"),
            # Target of the legs' (transaction, cooperative, date) foreign key (migration 0004).
            models.UniqueConstraint(fields=["id", "cooperative", "date"], name="transaction_id_coop_date_key"),
        ]
        indexes = [models.Index(fields=["cooperative", "date", "id"], name="transaction_coop_date_idx")]

    def __str__(self):
        return f"{self.date} {self.memo}"


class Leg(models.Model):
    """One side of a transaction: a signed amount on one account (positive debit, negative credit)."""

    runtime_privileges = APPEND_ONLY

    cooperative = models.ForeignKey(Cooperative, on_delete=models.PROTECT, related_name="+")
    # PROTECT (both): posted legs are never deleted, so neither is what they point at.
    transaction = models.ForeignKey(
        Transaction, on_delete=models.PROTECT, related_name="legs", verbose_name=_("transaction")
    )
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="legs", verbose_name=_("account"))
    # USD, 2 places; never zero.
    amount = models.DecimalField(_("amount"), **MONEY)
    # The transaction's date, copied so that an account's statement is read in date order off one
    # index; a foreign key on (transaction, cooperative, date) keeps it equal to the transaction's.
    date = models.DateField(_("date"))

    class Meta:
        ordering = ["id"]
        verbose_name = _("leg")
        verbose_name_plural = _("legs")
        constraints = [models.CheckConstraint(condition=~Q(amount=0), name="leg_amount_not_zero")]
        indexes = [models.Index(fields=["account", "date", "id"], name="leg_account_date_idx")]

    def __str__(self):
        return f"{self.account_id}: {self.amount}"


class PeriodQuerySet(models.QuerySet):
    def closed(self):
        """Periods without a reopening: nothing may be posted into them."""
        return self.filter(reopening__isnull=True)


class Period(models.Model):
    """A closed stretch of dates (a month or a quarter): nothing may be posted into it until it is
    reopened. Insert-only, as is its reopening: closing the same dates again after a reopening is
    a new period, so each close and each reopen stays on record with who, when and why."""

    runtime_privileges = APPEND_ONLY

    cooperative = models.ForeignKey(Cooperative, on_delete=models.PROTECT, related_name="closed_periods")
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField(_("closed at"), auto_now_add=True)

    objects = PeriodQuerySet.as_manager()

    class Meta:
        ordering = ["cooperative", "starts_on"]
        verbose_name = _("closed period")
        verbose_name_plural = _("closed periods")
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="period_ends_after_start"),
        ]

    def __str__(self):
        return f"{self.starts_on} – {self.ends_on}"

    @property
    def is_closed(self) -> bool:
        return not hasattr(self, "reopening")


class PeriodReopening(models.Model):
    """A board member reopening a closed period, with the reason. Insert-only."""

    runtime_privileges = APPEND_ONLY

    # PROTECT (both): a reopening is part of the books' history, and so is what it points at.
    period = models.OneToOneField(Period, on_delete=models.PROTECT, related_name="reopening", verbose_name=_("period"))
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("reopened by")
    )
    reopened_at = models.DateTimeField(_("reopened at"), auto_now_add=True)
    reason = models.CharField(_("reason for reopening"), max_length=300)

    class Meta:
        verbose_name = _("reopening of a period")
        verbose_name_plural = _("reopenings of periods")
        constraints = [
            # Not blank, nor only spaces: a reopening always says why.
            models.CheckConstraint(condition=Q(reason__regex=r"\S"), name="period_reopening_has_reason"),
        ]

    def __str__(self):
        return f"{self.period}: {self.reason}"
