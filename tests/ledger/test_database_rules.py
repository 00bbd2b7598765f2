"""The ledger's rules attacked directly, in SQL and through the ORM, as the runtime role the app
runs as: the database refuses. (tests/ledger/test_runtime_role.py attacks the role's limits, and
the rules as a superuser.)"""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, ProgrammingError, connection, transaction

from ledger.models import Account, Leg, Period, PeriodReopening, Transaction
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


def denied(write, table: str):
    """Refused before any trigger runs: the runtime role lacks the privilege."""
    with pytest.raises(ProgrammingError, match=f"permission denied for table {table}"), transaction.atomic():
        write()


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
        def write():
            # As if posted yesterday: posted_at defaults to the start of the writing transaction.
            earlier = sql(
                "INSERT INTO ledger_transaction (cooperative_id, date, memo, source, posted_by_id, posted_at) "
                "VALUES (%s, %s, 'x', '', %s, now() - interval '1 day') RETURNING id",
                books.cooperative.pk, DAY, books.accountant.pk,
            )[0]
            insert_leg(books, earlier, books.receivable, "10.00")
            insert_leg(books, earlier, books.unallocated, "-10.00")

        refused(write, "already posted")


@pytest.mark.django_db
class TestAppendOnly:
    """The runtime role may only insert into the books; the triggers behind the privileges are
    attacked as a superuser in test_runtime_role.py."""

    def test_posted_legs_and_transactions_cannot_be_updated_or_deleted(self, books):
        entry = fund_premium(books)
        leg = entry.legs.first()
        denied(lambda: sql("UPDATE ledger_leg SET amount = amount * 2 WHERE id = %s", leg.pk), "ledger_leg")
        denied(lambda: sql("DELETE FROM ledger_leg WHERE id = %s", leg.pk), "ledger_leg")
        denied(lambda: sql("UPDATE ledger_transaction SET memo = 'edited' WHERE id = %s", entry.pk), "ledger_transaction")
        denied(lambda: sql("DELETE FROM ledger_transaction WHERE id = %s", entry.pk), "ledger_transaction")
        denied(lambda: Leg.objects.filter(pk=leg.pk).update(amount=Decimal("1.00")), "ledger_leg")
        assert entry.legs.get(pk=leg.pk).amount == Decimal("1000.00")

    def test_periods_and_reopenings_cannot_be_updated_or_deleted(self, books):
        period = close_march(books)
        reopening = PeriodReopening.objects.create(period=period, reopened_by=books.board, reason="Factura tardía")
        denied(lambda: sql("UPDATE ledger_period SET ends_on = starts_on WHERE id = %s", period.pk), "ledger_period")
        denied(lambda: sql("DELETE FROM ledger_period WHERE id = %s", period.pk), "ledger_period")
        denied(lambda: sql("UPDATE ledger_periodreopening SET reason = 'otra' WHERE id = %s", reopening.pk), "ledger_periodreopening")
        denied(lambda: sql("DELETE FROM ledger_periodreopening WHERE id = %s", reopening.pk), "ledger_periodreopening")
        assert not Period.objects.get(pk=period.pk).is_closed

    def test_a_balance_changes_only_by_posting(self, books):
        fund_premium(books)
        refused(lambda: Account.objects.filter(pk=books.bank.pk).update(balance=Decimal("999999.00")), "only by posting")
        refused(lambda: Account.objects.filter(pk=books.bank.pk).update(type="expense"), "cannot change")


@pytest.mark.django_db
class TestAccounts:
    def test_an_account_opens_at_zero(self, books):
        def open_overdrawn():
            sql(
                "INSERT INTO ledger_account (cooperative_id, code, name, type, no_overdraft, balance, created_at) "
                "VALUES (%s, '9999', 'Fondo', 'fund', true, -5000, now())",
                books.cooperative.pk,
            )

        refused(open_overdrawn, "account 9999 opens with a zero balance, not -5000")
        refused(lambda: Account.objects.create(cooperative=books.cooperative, code="9998", name="Banco",
                                               type="asset", balance=Decimal("0.01")), "zero balance")
        assert not Account.objects.filter(code__in=["9999", "9998"]).exists()

    def test_the_overdraft_rule_type_and_coop_are_fixed_once_posted(self, books):
        from tests.factories import CooperativeFactory

        fund_premium(books, "100.00")
        other = CooperativeFactory(short_name="OTRA")
        for change in ("no_overdraft = false", "no_overdraft = NOT no_overdraft", "type = 'income'",
                       f"cooperative_id = {other.pk}"):
            refused(lambda change=change: sql(f"UPDATE ledger_account SET {change} WHERE id = %s", books.unallocated.pk),
                    "account 3000 has postings; its type, co-op and no-overdraft rule cannot change")

        def overdraw():
            tx = new_transaction(books)
            insert_leg(books, tx, books.unallocated, "100.01")
            insert_leg(books, tx, books.medical_fund, "-100.01")

        refused(overdraw, "below zero")  # the fund still may not go below zero

    def test_an_account_without_postings_may_still_be_set_up(self, books):
        with transaction.atomic():
            sql("UPDATE ledger_account SET no_overdraft = false, type = 'asset', name = 'Caja' WHERE id = %s",
                books.loan_fund.pk)
            commit_checks()
        books.loan_fund.refresh_from_db()
        assert (books.loan_fund.no_overdraft, books.loan_fund.type) == (False, "asset")


def close_march(books) -> Period:
    return Period.objects.create(
        cooperative=books.cooperative, starts_on=datetime.date(2026, 3, 1), ends_on=datetime.date(2026, 3, 31),
        closed_by=books.accountant,
    )


def post_on(books, date):
    tx = new_transaction(books, date=date)
    insert_leg(books, tx, books.bank, "1.00")
    insert_leg(books, tx, books.unallocated, "-1.00")
    commit_checks()


@pytest.mark.django_db
class TestClosedPeriods:
    def test_nothing_is_posted_into_a_closed_period(self, books):
        close_march(books)
        refused(lambda: post_on(books, datetime.date(2026, 3, 31)), "closed period")
        with transaction.atomic():
            post_on(books, datetime.date(2026, 4, 1))  # the day after is open

    def test_a_reopened_period_takes_postings_until_its_dates_are_closed_again(self, books):
        march = close_march(books)
        sql("INSERT INTO ledger_periodreopening (period_id, reopened_by_id, reopened_at, reason) "
            "VALUES (%s, %s, now(), 'Factura tardía')", march.pk, books.board.pk)
        with transaction.atomic():
            post_on(books, datetime.date(2026, 3, 31))
        close_march(books)
        refused(lambda: post_on(books, datetime.date(2026, 3, 31)), "closed period")

    def test_a_reopening_says_why(self, books):
        march = close_march(books)
        for reason in ("", "   ", "\t\n"):
            refused(lambda reason=reason: sql(
                "INSERT INTO ledger_periodreopening (period_id, reopened_by_id, reopened_at, reason) VALUES (%s, %s, now(), %s)",
                march.pk, books.board.pk, reason,
            ), "period_reopening_has_reason")
        assert march.is_closed

    def test_a_period_is_reopened_once(self, books):
        march = close_march(books)
        PeriodReopening.objects.create(period=march, reopened_by=books.board, reason="Factura tardía")
        refused(lambda: PeriodReopening.objects.create(period=march, reopened_by=books.board, reason="Otra vez"),
                "ledger_periodreopening_period_id_key")


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
