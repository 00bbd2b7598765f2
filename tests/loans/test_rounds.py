"""Loan rounds from proposal to disbursement: the worked example, the rules people and the job
must follow, one round per quarter also under concurrency and on a real Celery worker."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Sum
from django.utils import translation

from coop.models import Role, RoleAssignment
from coop.services import cooperative_create
from exports.models import Importer, Product
from exports.services import delivery_add, shipment_advance, shipment_create
from exports.validators import container_check_digit
from ledger.models import Account, Leg
from ledger.services import transaction_post
from loans import services
from loans.models import Exclusion, Installment, Loan, LoanPolicy, LoanRound, RoundStatus
from members.models import MemberStatus
from tests.factories import MemberFactory, PlotFactory, user_with_role

D = Decimal
Q3 = datetime.date(2026, 8, 10)  # a delivery day in the reference quarter of 2026 Q4


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def build_coop(fund: Decimal | None = None):
    fund = fund or D("5000.00")
    coop = cooperative_create(name="APOQ", short_name="APOQ", country="PE")
    accountant = user_with_role(Role.ACCOUNTANT, coop, username="contadora")
    board = user_with_role(Role.BOARD, coop, username="directiva")
    LoanPolicy.objects.create(cooperative=coop, valid_from=datetime.date(2026, 1, 1), minimum_amount=D("60.00"),
                              maximum_amount=D("400.00"), installments=3, grace_days=30, created_by=accountant)
    accounts = {a.code: a for a in Account.objects.filter(cooperative=coop)}
    # The General Assembly's loan fund: premium in the bank earmarked for loans.
    transaction_post(cooperative=coop, date=datetime.date(2026, 7, 1), memo="Loan fund", actor=accountant,
                     legs=[(accounts["1000"], fund), (accounts["3100"], -fund)])
    product = Product.objects.create(cooperative=coop, code="BAN", name="Banano", kg_per_unit=D("18.140"),
                                     units_per_container=1080)
    shipment = shipment_create(cooperative=coop, actor=accountant, importer=Importer.objects.create(
        name="Importer", country="DE"), product=product, container_number="MSKU" + "907032" + str(
        container_check_digit("MSKU907032")), etd=Q3, port_of_loading="Paita", port_of_destination="Hamburg",
        price_per_box=D("14.00"))
    members = []
    for number, boxes in (("0001", 500), ("0002", 300), ("0003", 150), ("0004", 50), ("0005", 0)):
        member = MemberFactory(cooperative=coop, number=number)
        if boxes:
            delivery_add(shipment=shipment, actor=accountant, member=member,
                         plot=PlotFactory(member=member, cooperative=coop), date=Q3, accepted_boxes=boxes)
        members.append(member)
    shipment_advance(shipment=shipment, actor=accountant, to="shipped")
    MemberFactory(cooperative=coop, number="0006", status=MemberStatus.WITHDRAWN)
    return coop, accountant, board, members, accounts


@pytest.mark.django_db
def test_worked_example_from_proposal_to_disbursement():
    coop, accountant, board, members, accounts = build_coop()
    loan_round = services.round_propose(cooperative=coop, actor=accountant, year=2026, quarter=4, pool=D("1000.00"))
    assert (loan_round.reference_start, loan_round.reference_end) == (datetime.date(2026, 7, 1),
                                                                      datetime.date(2026, 9, 30))
    lines = {line.member.number: line for line in loan_round.lines.select_related("member")}
    assert set(lines) == {"0001", "0002", "0003", "0004", "0005"}  # active members only
    # 1,000.00 pro rata 500:300:150:50, the first capped at 400.00 and its excess shared again.
    assert [lines[n].amount for n in ("0001", "0002", "0003", "0004")] == [D("400.00"), D("360.00"), D("180.00"),
                                                                         D("60.00")]
    assert lines["0001"].capped and lines["0005"].excluded == Exclusion.NO_PRODUCTION

    with pytest.raises(ValidationError, match="board member"):
        services.round_approve(loan_round=loan_round, actor=accountant)
    services.round_approve(loan_round=loan_round, actor=board)
    services.offer_decline(line=lines["0004"], actor=accountant)
    loan_round = services.round_disburse(loan_round=loan_round, actor=accountant, date=datetime.date(2026, 10, 5))
    assert loan_round.status == RoundStatus.DISBURSED
    assert Account.objects.get(pk=accounts["1200"].pk).balance == D("940.00")
    assert Account.objects.get(pk=accounts["1000"].pk).balance == D("4060.00")
    assert Leg.objects.filter(cooperative=coop).aggregate(total=Sum("amount"))["total"] == 0
    loan = Loan.objects.get(member__number="0002")
    installments = list(loan.installments.all())
    assert [i.amount for i in installments] == [D("120.00")] * 3
    assert [i.due_on for i in installments] == [datetime.date(2026, 11, 4), datetime.date(2026, 12, 4),
                                                datetime.date(2027, 1, 4)]
    assert sum(i.amount for i in Installment.objects.filter(loan__member__number="0001")) == D("400.00")
    with pytest.raises(ValidationError, match="Only an approved round"):
        services.round_disburse(loan_round=loan_round, actor=accountant)
    assert services.lendable(coop.pk) == D("4060.00")


@pytest.mark.django_db
def test_bad_input_is_refused_with_clear_messages():
    coop, accountant, board, _members, _accounts = build_coop(fund=D("500.00"))
    with pytest.raises(ValidationError, match="can lend 500.00"):
        services.round_propose(cooperative=coop, actor=accountant, year=2026, quarter=4, pool=D("500.01"))
    loan_round = services.round_propose(cooperative=coop, actor=accountant, year=2026, quarter=4)
    assert loan_round.pool == D("500.00")  # all the fund can lend, for the board to review
    with pytest.raises(ValidationError, match="already exists"):
        services.round_propose(cooperative=coop, actor=accountant, year=2026, quarter=4)
    with pytest.raises(ValidationError, match="below the minimum"):
        services.round_revise(loan_round=loan_round, actor=accountant, pool=D("400.00"), minimum=D("50.00"),
                              maximum=D("40.00"))
    # A board member who is also a bookkeeper and revised the round does not approve it.
    both = user_with_role(Role.BOARD, coop, username="tesorero")
    RoleAssignment.objects.create(user=both, cooperative=coop, role=Role.ACCOUNTANT)
    services.round_revise(loan_round=loan_round, actor=both, pool=D("400.00"), minimum=D("0.00"), maximum=None)
    with pytest.raises(ValidationError, match="other than the one who proposed"):
        services.round_approve(loan_round=loan_round, actor=both)
    services.round_approve(loan_round=loan_round, actor=board)


@pytest.mark.django_db
def test_the_job_proposes_one_round_per_quarter_however_often_it_runs():
    coop, *_rest = build_coop()
    first = services.rounds_propose_due(today=datetime.date(2026, 10, 1))
    again = services.rounds_propose_due(today=datetime.date(2026, 10, 2))
    assert len(first) == 1 and again == []
    assert LoanRound.objects.filter(cooperative=coop, year=2026, quarter=4).count() == 1
    assert first[0].proposed_by is None and first[0].pool == D("5000.00")


@pytest.mark.django_db(transaction=True)
def test_the_job_run_twice_at_once_gives_one_round():
    coop, *_rest = build_coop()
    barrier, results, errors = threading.Barrier(2), [], []

    def run():
        try:
            barrier.wait()
            results.append(services.rounds_propose_due(today=datetime.date(2026, 10, 1)))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert LoanRound.objects.filter(cooperative=coop, year=2026, quarter=4).count() == 1


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_the_job_runs_on_a_real_worker(worker):
    from loans.tasks import loan_rounds_propose

    coop, *_rest = build_coop()
    # The worker's "today" is the real date; a policy and fund in force make its quarter's round.
    year, quarter = services.quarter_of(datetime.date.today())
    created = loan_rounds_propose.delay().get(timeout=60)
    assert LoanRound.objects.filter(cooperative=coop, year=year, quarter=quarter).count() == 1
    assert loan_rounds_propose.delay().get(timeout=60) == []
    assert len(created) == 1



def test_monthly_installments_keep_the_day_or_fall_on_the_month_end():
    loan = Loan(principal=D("100.00"))
    rows = services.monthly_installments(loan, D("100.00"), 4, datetime.date(2026, 12, 31))
    assert [row.due_on for row in rows] == [datetime.date(2026, 12, 31), datetime.date(2027, 1, 31),
                                            datetime.date(2027, 2, 28), datetime.date(2027, 3, 31)]
    assert [row.amount for row in rows] == [D("25.00")] * 4
    odd = services.monthly_installments(loan, D("100.00"), 3, datetime.date(2028, 1, 30))
    assert [row.due_on.day for row in odd] == [30, 29, 30]  # 2028 is a leap year
    assert [row.amount for row in odd] == [D("33.34"), D("33.33"), D("33.33")]


def test_a_round_that_would_lend_to_nobody_is_refused(db):
    coop, accountant, board, members, _accounts = build_coop()
    with pytest.raises(ValidationError) as caught:  # nobody delivered in 2026's second quarter
        services.round_propose(cooperative=coop, actor=accountant, year=2026, quarter=3, pool=D("1000"))
    assert "Nobody would get a loan" in caught.value.message_dict["pool"][0]
    assert not LoanRound.objects.exists()
    loan_round = services.round_propose(cooperative=coop, actor=accountant, year=2026, quarter=4, pool=D("1000"))
    for line in loan_round.lines.filter(amount__gt=0):
        services.offer_decline(line=line, actor=accountant)
    with pytest.raises(ValidationError, match="Nobody would get a loan"):
        services.round_approve(loan_round=loan_round, actor=board)
