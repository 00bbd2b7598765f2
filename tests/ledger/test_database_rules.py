"""The ledger's rules attacked directly, in SQL and through the ORM: the database refuses."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from ledger.models import Account, Leg, Period, Transaction
from ledger.services import transaction_post

DAY = datetime.date(2026, 3, 10)


def commit_checks():
    """Run the deferred (commit-time) checks now, inside the test's transaction."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def refused(write, match: str):
    with pytest.raises(IntegrityError, match=match), transaction.atomic():
        write()
        commit_checks()


def sql(statement, *params):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchone() if cursor.description else None


def fund_premium(books, amount="1000.00"):
    """Premium received: bank up, unallocated premium fund up."""
    return transaction_post(
        cooperative=books.cooperative, date=DAY, memo="Premium received", actor=books.accountant,
        legs=[(books.bank, Decimal(amount)), (books.unallocated, -Decimal(amount))],
    )


def new_transaction(books, date=DAY):
    return sql(
        "INSERT INTO ledger_transaction (cooperative_id, date, memo, source, posted_by_id) "
        "VALUES (%s, %s, 'x', '', %s) RETURNING id",
        books.cooperative.pk, date, books.accountant.pk,
    )[0]


def insert_leg(books, transaction_id, account, amount):
    sql(
        "INSERT INTO ledger_leg (cooperative_id, transaction_id, account_id, amount, date) "
        "SELECT %s, %s, %s, %s, COALESCE((SELECT date FROM ledger_transaction WHERE id = %s), %s)",
        books.cooperative.pk, transaction_id, account.pk, amount, transaction_id, DAY,
    )


@pytest.mark.django_db
class TestBalanced:
    def test_an_unbalanced_insert_is_refused(self, books):
        def write():
            tx = new_transaction(books)
            insert_leg(books, tx, books.bank, "100.00")
            insert_leg(books, tx, books.unallocated, "-99.99")

        refused(write, "unbalanced")

    def test_a_single_leg_or_no_leg_is_refused(self, books):
        def one_leg():
            insert_leg(books, new_transaction(books), books.receivable, "0.01")

        refused(one_leg, "at least two")
        refused(lambda: new_transaction(books), "has 0 leg")

    def test_the_orm_bulk_path_is_held_too(self, books):
        def write():
            tx = Transaction.objects.create(cooperative=books.cooperative, date=DAY, memo="bulk", posted_by=books.accountant)
            Leg.objects.bulk_create([
                Leg(cooperative=books.cooperative, transaction=tx, account=books.receivable, amount=Decimal("5.00"), date=DAY),
                Leg(cooperative=books.cooperative, transaction=tx, account=books.unallocated, amount=Decimal("-4.00"), date=DAY),
            ])

        refused(write, "unbalanced")

    def test_a_leg_cannot_join_a_transaction_posted_earlier(self, books):
        earlier = fund_premium(books).pk
        # As if posted yesterday (the triggers are off for this one fixture statement).
        sql("SET LOCAL session_replication_role = replica")
        sql("UPDATE ledger_transaction SET posted_at = posted_at - interval '1 day' WHERE id = %s", earlier)
        sql("SET LOCAL session_replication_role = origin")

        def write():
            insert_leg(books, earlier, books.receivable, "10.00")
            insert_leg(books, earlier, books.unallocated, "-10.00")

        refused(write, "already posted")


@pytest.mark.django_db
class TestAppendOnly:
    def test_posted_legs_and_transactions_cannot_be_updated_or_deleted(self, books):
        entry = fund_premium(books)
        leg = entry.legs.first()
        refused(lambda: sql("UPDATE ledger_leg SET amount = amount * 2 WHERE id = %s", leg.pk), "never updated")
        refused(lambda: sql("DELETE FROM ledger_leg WHERE id = %s", leg.pk), "never updated")
        refused(lambda: sql("UPDATE ledger_transaction SET memo = 'edited' WHERE id = %s", entry.pk), "never updated")
        refused(lambda: sql("DELETE FROM ledger_transaction WHERE id = %s", entry.pk), "never updated")
        refused(lambda: Leg.objects.filter(pk=leg.pk).update(amount=Decimal("1.00")), "never updated")
        assert entry.legs.get(pk=leg.pk).amount == Decimal("1000.00")

    def test_a_balance_changes_only_by_posting(self, books):
        fund_premium(books)
        refused(lambda: Account.objects.filter(pk=books.bank.pk).update(balance=Decimal("999999.00")), "only by posting")
        refused(lambda: Account.objects.filter(pk=books.bank.pk).update(type="expense"), "cannot change")


@pytest.mark.django_db
class TestClosedPeriods:
    def test_nothing_is_posted_into_a_closed_period(self, books):
        Period.objects.create(
            cooperative=books.cooperative, starts_on=datetime.date(2026, 3, 1), ends_on=datetime.date(2026, 3, 31),
            closed_by=books.accountant,
        )

        def write():
            tx = new_transaction(books, date=datetime.date(2026, 3, 31))
            insert_leg(books, tx, books.bank, "1.00")
            insert_leg(books, tx, books.unallocated, "-1.00")

        refused(write, "closed period")
        new_transaction_in_april = new_transaction  # the day after is open
        with transaction.atomic():
            tx = new_transaction_in_april(books, date=datetime.date(2026, 4, 1))
            insert_leg(books, tx, books.bank, "1.00")
            insert_leg(books, tx, books.unallocated, "-1.00")
            commit_checks()


@pytest.mark.django_db
class TestOverdraft:
    def test_a_no_overdraft_fund_cannot_go_below_zero(self, books):
        fund_premium(books, "100.00")

        def overdraw():  # allocate more than the unallocated fund holds
            tx = new_transaction(books)
            insert_leg(books, tx, books.unallocated, "100.01")
            insert_leg(books, tx, books.medical_fund, "-100.01")

        refused(overdraw, "below zero")
        books.unallocated.refresh_from_db()
        assert books.unallocated.balance == Decimal("100.00")

    def test_accounts_without_the_rule_may_go_negative(self, books):
        with transaction.atomic():
            tx = new_transaction(books)
            insert_leg(books, tx, books.receivable, "-5.00")
            insert_leg(books, tx, books.loans_receivable, "5.00")
            commit_checks()
        books.receivable.refresh_from_db()
        assert books.receivable.balance == Decimal("-5.00")


@pytest.mark.django_db
def test_legs_stay_in_their_coop(books):
    from ledger.services import chart_of_accounts_create
    from tests.factories import CooperativeFactory

    other_receivable = chart_of_accounts_create(cooperative=CooperativeFactory(short_name="OTRA"))[1]

    def write():
        tx = new_transaction(books)
        insert_leg(books, tx, other_receivable, "1.00")
        insert_leg(books, tx, books.receivable, "-1.00")

    refused(write, "same_coop_as_account")


@pytest.mark.django_db
def test_a_legs_date_is_its_transactions_date(books):
    def write():
        tx = new_transaction(books)
        for account, amount in ((books.receivable, "1.00"), (books.loans_receivable, "-1.00")):
            sql(
                "INSERT INTO ledger_leg (cooperative_id, transaction_id, account_id, amount, date) VALUES (%s, %s, %s, %s, %s)",
                books.cooperative.pk, tx, account.pk, amount, DAY + datetime.timedelta(days=1),
            )

    refused(write, "same_coop_and_date_as_transaction")
