"""Random sequences of invoiced Fairtrade shipments, premium receipts (some too large), allocations
to an approved plan, spending, reversals and period closes keep the premium's books right: debits
equal credits to the cent, maintained balances equal the sum of the legs, no fund or bank account
goes below zero, no shipment receives more premium than it accrued. Refused operations change
nothing, and each refusal is the one the rules predict."""

import datetime
import itertools
from decimal import ROUND_DOWN, Decimal

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

from exports.lifecycle import premium_outstanding
from exports.models import Shipment
from ledger.models import Account, Leg, Transaction
from ledger.services import period_close, transaction_reverse
from premiums.models import Allocation, PremiumAccrual, PremiumReceipt
from premiums.services import plan_approve, plan_draft, plan_line_set, premium_allocate, premium_receive, premium_spend
from tests.factories import ExportsWorld

D = Decimal
_coop_numbers = itertools.count()
_references = itertools.count()
amounts = st.decimals(min_value=D("0.01"), max_value=D("1500.00"), places=2)
shares = st.integers(min_value=1, max_value=100)  # percent of what is available
too_much = st.sampled_from([False, False, False, True])  # now and then more than is available
months = st.integers(min_value=1, max_value=10)  # 2026; deliveries are never dated in the future
BUDGETS = (D("2000.00"), D("500.00"))


def day(month: int, day_of_month: int) -> datetime.date:
    return datetime.date(2026, month, day_of_month)


class PremiumBooks(RuleBasedStateMachine):
    @initialize()
    def open_books(self):
        self.world = ExportsWorld(short_name=f"HYPP{next(_coop_numbers)}", members=1)
        self.coop, self.actor = self.world.cooperative, self.world.accountant
        plan = plan_draft(cooperative=self.coop, year=2026, actor=self.actor)
        for (code, project), budget in zip((("SALUD", "Fondo de emergencia médica"), ("COLEGIO", "Colegio")), BUDGETS,
                                           strict=True):
            plan_line_set(plan=plan, actor=self.actor, code=code, project=project, objective="…",
                          beneficiaries="Socios", budget=budget)
        plan_approve(plan=plan, actor=self.actor, held_on=day(1, 10), members_present=210, quorum=184, votes_for=180,
                     votes_against=12, abstentions=18, minutes_reference="Acta AG 2026-01")
        self.lines = list(plan.lines.select_related("plan", "fund", "cooperative").order_by("code"))
        self.closed_months: set[int] = set()
        self.invoiced: list[int] = []  # shipments
        self.posted: list[int] = []  # ledger transactions

    # Helpers ------------------------------------------------------------------------------------

    def snapshot(self):
        """Balances, shipments and row counts of the co-op, in one query."""
        tables = ("ledger_transaction", "ledger_leg", "premiums_premiumaccrual", "premiums_premiumreceipt",
                  "premiums_allocation", "premiums_spending", "exports_shipmentstep", "exports_delivery")
        counts = ", ".join(f"(SELECT count(*) FROM {table} WHERE cooperative_id = %(coop)s)" for table in tables)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT (SELECT array_agg(balance ORDER BY id) FROM ledger_account WHERE cooperative_id = %(coop)s), "
                "(SELECT array_agg(status || invoice_number ORDER BY id) FROM exports_shipment "
                f"WHERE cooperative_id = %(coop)s), {counts}", {"coop": self.coop.pk})
            return cursor.fetchone()

    def attempt(self, call, **kwargs):
        """The service's result, or None when it refused; a refusal must leave everything as it was."""
        before = self.snapshot()
        try:
            return call(**kwargs)
        except ValidationError:
            assert self.snapshot() == before, "a refused operation changed something"
            return None

    def balance(self, account) -> Decimal:
        return Account.objects.get(pk=account.pk).balance

    def open_month(self, month: int) -> bool:
        return month not in self.closed_months

    @staticmethod
    def amount(available: Decimal, share: int, too_much: bool, extra: Decimal) -> Decimal:
        """A share of what is available (at least a cent), or more than it by ``extra``."""
        if too_much:
            return max(available, D("0.00")) + extra
        return max((available * share / 100).quantize(D("0.01"), rounding=ROUND_DOWN), D("0.01"))

    # Rules --------------------------------------------------------------------------------------

    @precondition(lambda self: len(self.invoiced) < 4)  # a few containers a sequence: the rest of the steps use them
    @rule(boxes=st.integers(min_value=1, max_value=1080), month=months)
    def invoice(self, boxes, month):
        shipment = self.world.shipped(boxes, etd=day(month, 2))
        invoiced = self.attempt(self.world.invoice, shipment=shipment, on=day(month, 10))
        assert (invoiced is not None) == self.open_month(month), "an invoice was refused or posted wrongly"
        if invoiced is None:
            assert Shipment.objects.get(pk=shipment.pk).status == "shipped"
            return
        accrual = PremiumAccrual.objects.get(shipment=shipment)
        assert (accrual.boxes, accrual.amount) == (boxes, D(boxes))  # US$1.00 a 18.14 kg box
        self.invoiced.append(shipment.pk)
        self.posted += [invoiced.sale_transaction_id, accrual.transaction_id]

    @precondition(lambda self: self.invoiced)
    @rule(pick=st.integers(min_value=0), share=shares, too_much=too_much, extra=amounts, month=months)
    def receive(self, pick, share, too_much, extra, month):
        shipment = Shipment.objects.get(pk=self.invoiced[pick % len(self.invoiced)])
        outstanding = premium_outstanding(shipment)
        amount = self.amount(outstanding, share, too_much, extra)
        result = self.attempt(premium_receive, shipment=shipment, actor=self.actor, amount=amount,
                              received_on=day(month, 15), reference=f"TRX-{next(_references)}")
        allowed = self.open_month(month) and amount <= outstanding and shipment.status == "invoiced"
        assert (result is not None) == allowed, (amount, outstanding, month)
        if result:
            receipt, created = result
            assert created and receipt.amount == amount
            self.posted.append(receipt.transaction_id)

    @precondition(lambda self: self.balance(self.world.accounts["3000"]) > 0)
    @rule(line=st.integers(0, 1), share=shares, too_much=too_much, extra=amounts, month=months)
    def allocate(self, line, share, too_much, extra, month):
        line = self.lines[line]
        unallocated = self.balance(self.world.accounts["3000"])
        allocated = Allocation.objects.filter(line=line).aggregate(t=Sum("amount"))["t"] or D("0")
        amount = self.amount(min(unallocated, line.budget - allocated), share, too_much, extra)
        allocation = self.attempt(premium_allocate, line=line, amount=amount, date=day(month, 15), actor=self.actor)
        allowed = self.open_month(month) and amount <= unallocated and allocated + amount <= line.budget
        assert (allocation is not None) == allowed, (amount, unallocated, allocated, month)
        if allocation:
            self.posted.append(allocation.transaction_id)

    @precondition(lambda self: Account.objects.filter(pk__in=[line.fund_id for line in self.lines], balance__gt=0))
    @rule(line=st.integers(0, 1), share=shares, too_much=too_much, extra=amounts, month=months)
    def spend(self, line, share, too_much, extra, month):
        line = self.lines[line]
        held = min(self.balance(line.fund), self.balance(self.world.accounts["1000"]))
        amount = self.amount(held, share, too_much, extra)
        spending = self.attempt(premium_spend, line=line, amount=amount, date=day(month, 15), actor=self.actor,
                                supplier="Librería Piura SAC", invoice_number=f"F001-{next(_references)}",
                                description="Útiles escolares")
        assert (spending is not None) == (self.open_month(month) and amount <= held), (amount, held, month)
        if spending:
            self.posted.append(spending.transaction_id)

    @precondition(lambda self: self.posted)
    @rule(pick=st.integers(min_value=0), month=months)
    def reverse(self, pick, month):
        entry = Transaction.objects.get(pk=self.posted[pick % len(self.posted)])
        once_only = entry.reverses_id is not None or Transaction.objects.filter(reverses=entry).exists()
        reversal = self.attempt(transaction_reverse, entry=entry, actor=self.actor, date=day(month, 20))
        if reversal is None:
            return
        assert self.open_month(month), "reversed into a closed month"
        assert not once_only, "a reversal reversed, or a transaction reversed twice"
        self.posted.append(reversal.pk)

    @precondition(lambda self: len(self.closed_months) < 4)  # leave open months to post into
    @rule(month=months)
    def close(self, month):
        period = self.attempt(period_close, cooperative=self.coop, starts_on=day(month, 1), ends_on=day(month, 28),
                              actor=self.actor)
        assert (period is not None) == self.open_month(month)
        self.closed_months.add(month)

    # Invariants ---------------------------------------------------------------------------------

    @invariant()
    def books_balance(self):
        if not hasattr(self, "coop"):
            return
        with connection.cursor() as cursor:  # the commit-time checks, now
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE; SET CONSTRAINTS ALL DEFERRED")
        sums = dict(Leg.objects.filter(cooperative=self.coop).values_list("account").annotate(total=Sum("amount"))
                    .values_list("account", "total"))
        assert sum(sums.values()) == 0, "debits and credits differ"
        for account in Account.objects.filter(cooperative=self.coop):
            signed = sums.get(account.pk, D("0"))
            assert account.balance == (signed if account.is_debit_normal else -signed), account
            if account.no_overdraft:
                assert account.balance >= 0, account

    @invariant()
    def premium_received_within_accrued(self):
        if not hasattr(self, "coop"):
            return
        accrued = dict(PremiumAccrual.objects.filter(cooperative=self.coop).values_list("shipment", "amount"))
        assert set(accrued) == set(self.invoiced)
        received = PremiumReceipt.objects.filter(cooperative=self.coop).values_list("shipment").annotate(t=Sum("amount"))
        for shipment, total in received.values_list("shipment", "t"):
            assert total <= accrued[shipment], (shipment, total, accrued[shipment])
        allocated = dict(Allocation.objects.filter(cooperative=self.coop).values_list("line")
                         .annotate(t=Sum("amount")).values_list("line", "t"))
        for line in self.lines:
            assert allocated.get(line.pk, 0) <= line.budget, line


@pytest.mark.django_db
def test_random_premium_sequences_keep_the_books_right():
    run_state_machine_as_test(
        PremiumBooks,
        settings=settings(max_examples=15, stateful_step_count=20, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]),
    )
