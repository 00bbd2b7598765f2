"""Random sequences of accruals, receipts, allocations, spending, reversals and period closes keep
the books right: debits equal credits to the cent, maintained balances equal the sum of the legs,
and no fund or bank account goes below zero. Refused operations change nothing."""

import datetime
import itertools
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Sum
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from coop.models import Role
from ledger.models import Account, AccountType, Leg, Transaction
from ledger.services import chart_of_accounts_create, period_close, transaction_post, transaction_reverse
from tests.factories import CooperativeFactory, user_with_role

_coop_numbers = itertools.count()
amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("5000.00"), places=2)
months = st.integers(min_value=1, max_value=12)


class Books(RuleBasedStateMachine):
    @initialize()
    def open_books(self):
        self.coop = CooperativeFactory(short_name=f"HYP{next(_coop_numbers)}")
        accounts = {a.code: a for a in chart_of_accounts_create(cooperative=self.coop)}
        self.bank, self.receivable, self.unallocated = accounts["1000"], accounts["1100"], accounts["3000"]
        self.school = Account.objects.create(cooperative=self.coop, code="3300", name="Colegio", type=AccountType.FUND, no_overdraft=True)
        self.funds = [accounts["3100"], accounts["3200"], self.school]
        self.accountant = user_with_role(Role.ACCOUNTANT, self.coop)
        self.closed_months: set[int] = set()
        self.posted: list[int] = []

    def post(self, month, legs, memo):
        date = datetime.date(2026, month, 15)
        try:
            entry = transaction_post(cooperative=self.coop, date=date, memo=memo, legs=legs, actor=self.accountant)
        except ValidationError:
            return None
        assert month not in self.closed_months, "posted into a closed month"
        self.posted.append(entry.pk)
        return entry

    def balance(self, account):
        return Account.objects.get(pk=account.pk).balance

    @rule(amount=amounts, month=months)
    def accrue(self, amount, month):
        self.post(month, [(self.receivable, amount), (self.unallocated, -amount)], "Premium accrued")

    @rule(amount=amounts, month=months)
    def receive(self, amount, month):
        self.post(month, [(self.bank, amount), (self.receivable, -amount)], "Premium received")

    @rule(amount=amounts, month=months, fund=st.integers(0, 2))
    def allocate(self, amount, month, fund):
        before = self.balance(self.unallocated)
        entry = self.post(month, [(self.unallocated, amount), (self.funds[fund], -amount)], "Allocation")
        if amount > before:
            assert entry is None, "allocated more than the unallocated fund held"

    @rule(amount=amounts, month=months, fund=st.integers(0, 2))
    def spend(self, amount, month, fund):
        held = min(self.balance(self.funds[fund]), self.balance(self.bank))
        entry = self.post(month, [(self.funds[fund], amount), (self.bank, -amount)], "Spending")
        if amount > held:
            assert entry is None, "spent more than the fund or the bank held"

    @precondition(lambda self: self.posted)
    @rule(pick=st.integers(min_value=0), month=months)
    def reverse(self, pick, month):
        entry = Transaction.objects.get(pk=self.posted[pick % len(self.posted)])
        try:
            reversal = transaction_reverse(entry=entry, actor=self.accountant, date=datetime.date(2026, month, 20))
        except ValidationError:
            return
        assert month not in self.closed_months
        self.posted.append(reversal.pk)

    @rule(month=months)
    def close(self, month):
        try:
            period_close(cooperative=self.coop, starts_on=datetime.date(2026, month, 1),
                         ends_on=datetime.date(2026, month, 28), actor=self.accountant)
        except ValidationError:
            assert month in self.closed_months
            return
        self.closed_months.add(month)

    @invariant()
    def books_balance(self):
        if not hasattr(self, "coop"):
            return
        with connection.cursor() as cursor:  # the commit-time checks, now
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        legs = Leg.objects.filter(cooperative=self.coop)
        assert (legs.aggregate(total=Sum("amount"))["total"] or 0) == 0
        sums = dict(legs.values_list("account").annotate(total=Sum("amount")).values_list("account", "total"))
        for account in Account.objects.filter(cooperative=self.coop):
            signed = sums.get(account.pk, Decimal("0"))
            assert account.balance == (signed if account.is_debit_normal else -signed), account
            if account.no_overdraft:
                assert account.balance >= 0, account


@pytest.mark.django_db
def test_random_sequences_keep_the_books_right():
    run_state_machine_as_test(
        Books,
        settings=settings(max_examples=25, stateful_step_count=25, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]),
    )
