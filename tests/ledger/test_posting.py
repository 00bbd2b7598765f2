"""The posting services: clear refusals, reversals, idempotency, periods, and a worked example."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from ledger.models import Account, AccountType, Period, Transaction
from ledger.services import period_close, period_reopen, transaction_post, transaction_reverse

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 3, 10)
D = Decimal


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def post(books, legs, memo="posting", **kwargs):
    return transaction_post(
        cooperative=books.cooperative, date=kwargs.pop("date", DAY), memo=memo, legs=legs,
        actor=books.accountant, **kwargs,
    )


def refused(call, *args, **kwargs) -> str:
    with pytest.raises(ValidationError) as caught:
        call(*args, **kwargs)
    return " ".join(caught.value.messages)


def balances(*accounts):
    return [Account.objects.get(pk=a.pk).balance for a in accounts]


def test_worked_example_from_box_to_school(books):
    """Three shipments of 1,080 Fairtrade boxes at US$1.00 accrue US$3,240; the assembly's
    allocations of 1,500 (medical), 1,000 (loans) and 740 (school) use it all; US$740 spent on the
    school's computer, projector and copier empties the school fund."""
    coop = books.cooperative
    school = Account.objects.create(cooperative=coop, code="3300", name="Colegio de Querecotillo", type=AccountType.FUND, no_overdraft=True)
    for number in (1, 2, 3):
        post(books, [(books.receivable, D("1080.00")), (books.unallocated, D("-1080.00"))], memo=f"Shipment {number}: premium")
    post(books, [(books.bank, D("3240.00")), (books.receivable, D("-3240.00"))], memo="Importer pays the premium")
    assert balances(books.receivable, books.bank, books.unallocated) == [D("0.00"), D("3240.00"), D("3240.00")]
    for fund, amount in ((books.medical_fund, "1500.00"), (books.loan_fund, "1000.00"), (school, "740.00")):
        post(books, [(books.unallocated, D(amount)), (fund, -D(amount))], memo="General Assembly allocation")
    assert balances(books.unallocated, books.medical_fund, books.loan_fund, school) == [D("0.00"), D("1500.00"), D("1000.00"), D("740.00")]
    post(books, [(school, D("740.00")), (books.bank, D("-740.00"))], memo="Computer, projector and copier")
    assert balances(school, books.bank) == [D("0.00"), D("2500.00")]
    message = refused(post, books, [(school, D("0.01")), (books.bank, D("-0.01"))], memo="one cent more")
    assert message == "3300 Colegio de Querecotillo may not go below zero: it holds 0.00 and this takes 0.01."


def test_refusals_name_the_rule_and_the_amounts(books):
    assert refused(post, books, [(books.bank, D("100.00")), (books.unallocated, D("-99.99"))]) == (
        "Unbalanced: debits 100.00 and credits 99.99 differ by 0.01."
    )
    assert refused(post, books, [(books.bank, D("1.00"))]) == "A transaction needs at least two legs."
    assert refused(post, books, [(books.bank, D("1.005")), (books.unallocated, D("-1.005"))]) == (
        "1.005 has more than two decimal places."
    )
    assert refused(post, books, [(books.bank, D("5.00")), (books.unallocated, D("-5.00"))], memo=" ") == (
        "Say what the transaction is for."
    )
    assert "may not go below zero" in refused(post, books, [(books.medical_fund, D("1.00")), (books.bank, D("-1.00"))])
    assert not Transaction.objects.exists()


def test_a_reversal_restores_the_balances_and_points_at_the_original(books):
    original = post(books, [(books.bank, D("250.00")), (books.unallocated, D("-250.00"))], memo="Premium")
    reversal = transaction_reverse(entry=original, actor=books.accountant, date=DAY)
    assert reversal.reverses == original
    assert reversal.memo == "Reversal of: Premium"
    assert balances(books.bank, books.unallocated) == [D("0.00"), D("0.00")]
    assert refused(transaction_reverse, entry=original, actor=books.accountant) == "This transaction has already been reversed."
    assert "itself a reversal" in refused(transaction_reverse, entry=reversal, actor=books.accountant)


def test_an_idempotency_key_posts_once(books):
    legs = [(books.bank, D("80.00")), (books.unallocated, D("-80.00"))]
    first = post(books, legs, idempotency_key="receipt-77")
    again = post(books, legs, idempotency_key="receipt-77")
    assert again == first
    assert Transaction.objects.count() == 1
    assert balances(books.bank) == [D("80.00")]


def test_closing_and_reopening_periods(books):
    march = period_close(cooperative=books.cooperative, starts_on=datetime.date(2026, 3, 1), ends_on=datetime.date(2026, 3, 31), actor=books.accountant)
    legs = [(books.bank, D("1.00")), (books.unallocated, D("-1.00"))]
    assert refused(post, books, legs) == "10/03/2026 falls in the closed period 01/03/2026 – 31/03/2026."
    assert "already closed" in refused(
        period_close, cooperative=books.cooperative, starts_on=datetime.date(2026, 3, 15), ends_on=datetime.date(2026, 4, 15), actor=books.accountant
    )
    assert refused(period_reopen, period=march, actor=books.accountant, reason="late invoice") == (
        "Only a board member may reopen a closed period."
    )
    assert refused(period_close, cooperative=books.cooperative, starts_on=DAY, ends_on=DAY, actor=books.board) == (
        "Only the co-op's administrators and accountants close periods."
    )
    assert refused(period_reopen, period=march, actor=books.board, reason=" ") == "Give the reason for reopening."
    reopened = period_reopen(period=march, actor=books.board, reason="  Late premium invoice from the importer ")
    assert (reopened.reopening.reopened_by, reopened.reopening.reason, reopened.is_closed) == (
        books.board, "Late premium invoice from the importer", False
    )
    assert refused(period_reopen, period=march, actor=books.board, reason="again") == "This period is already open."
    assert post(books, legs).date == DAY
    # Closing March again is a new period; the first keeps its close and its reopening.
    again = period_close(cooperative=books.cooperative, starts_on=datetime.date(2026, 3, 1), ends_on=datetime.date(2026, 3, 31), actor=books.accountant)
    assert again.pk != march.pk and again.is_closed
    assert [p.is_closed for p in Period.objects.order_by("pk")] == [False, True]
    assert refused(post, books, legs) == "10/03/2026 falls in the closed period 01/03/2026 – 31/03/2026."


def test_accounts_of_another_coop_are_refused(books):
    from ledger.services import chart_of_accounts_create
    from tests.factories import CooperativeFactory

    other_bank = chart_of_accounts_create(cooperative=CooperativeFactory(short_name="OTRA"))[0]
    assert refused(post, books, [(other_bank, D("1.00")), (books.unallocated, D("-1.00"))]) == "Every account must belong to APOQ."
