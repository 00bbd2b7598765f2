"""Several postings at the same moment that together would overdraw a fund: the fund never goes
below zero, and the postings that fit succeed. Real threads, real connections, real commits."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, connections, transaction

from ledger.models import Account
from ledger.services import transaction_post

pytestmark = pytest.mark.django_db(transaction=True)
DAY = datetime.date(2026, 5, 4)


def run_at_once(work, count: int) -> list:
    """Start ``count`` threads on a barrier so that they write at the same moment."""
    barrier = threading.Barrier(count)
    outcomes = [None] * count

    def worker(index):
        try:
            barrier.wait()
            outcomes[index] = work(index)
        except Exception as error:  # the outcome is what the test looks at
            outcomes[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def fund(books, amount):
    transaction_post(
        cooperative=books.cooperative, date=DAY, memo="Premium", actor=books.accountant,
        legs=[(books.bank, amount), (books.unallocated, -amount)],
    )


def test_concurrent_allocations_through_the_service_never_overdraw(books):
    fund(books, Decimal("100.00"))

    def allocate(_index):
        return transaction_post(
            cooperative=books.cooperative, date=DAY, memo="Allocation", actor=books.accountant,
            legs=[(books.unallocated, Decimal("15.00")), (books.medical_fund, Decimal("-15.00"))],
        )

    outcomes = run_at_once(allocate, 10)
    succeeded = [o for o in outcomes if not isinstance(o, Exception)]
    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    assert (len(succeeded), len(refused)) == (6, 4), outcomes
    assert Account.objects.get(pk=books.unallocated.pk).balance == Decimal("10.00")
    assert Account.objects.get(pk=books.medical_fund.pk).balance == Decimal("90.00")


def test_concurrent_raw_sql_postings_are_held_by_the_database(books):
    """No service, no Python check, no explicit lock: the triggers alone keep the fund >= 0."""
    fund(books, Decimal("100.00"))

    def raw_allocation(_index):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO ledger_transaction (cooperative_id, date, memo, source) VALUES (%s, %s, 'raw', '') RETURNING id",
                [books.cooperative.pk, DAY],
            )
            tx = cursor.fetchone()[0]
            for account, amount in ((books.unallocated, "30.00"), (books.medical_fund, "-30.00")):
                cursor.execute(
                    "INSERT INTO ledger_leg (cooperative_id, transaction_id, account_id, amount, date) VALUES (%s, %s, %s, %s, %s)",
                    [books.cooperative.pk, tx, account.pk, amount, DAY],
                )
        return tx

    outcomes = run_at_once(raw_allocation, 6)
    succeeded = [o for o in outcomes if isinstance(o, int)]
    refused = [o for o in outcomes if isinstance(o, IntegrityError)]
    assert (len(succeeded), len(refused)) == (3, 3), outcomes
    assert all("below zero" in str(error) for error in refused)
    assert Account.objects.get(pk=books.unallocated.pk).balance == Decimal("10.00")
