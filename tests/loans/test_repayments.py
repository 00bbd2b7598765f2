"""Paying loans back: installments deducted at the weekly settlement, cash, arrears that exclude
from the next round, the portfolio at risk, and a board write-off; the books balance throughout."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Sum
from django.utils import translation

from exports import settlements
from exports.models import DeductionType, ProducerPrice, Product, Shipment
from exports.services import delivery_add, shipment_advance, shipment_create
from exports.validators import container_check_digit
from ledger.models import Account, Leg
from loans import repayments, services
from loans.models import Exclusion, Loan, LoanStatus, Repayment
from tests.support.dbroles import refused_twice

pytestmark = pytest.mark.django_db
D = Decimal
WEEK = datetime.date(2026, 11, 2)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def balance(account) -> Decimal:
    return Account.objects.get(pk=account.pk).balance


def test_installments_are_deducted_at_the_weekly_settlement(lent):
    coop, accountant, board, members, accounts, loans = lent
    DeductionType.objects.create(cooperative=coop, code="LOAN", name="Préstamo", basis="loan", priority=1,
                                 account=accounts["1200"])
    product = Product.objects.get(cooperative=coop)
    ProducerPrice.objects.create(cooperative=coop, product=product, organic=False, valid_from=WEEK, price=D("6.00"))
    importer = Shipment.objects.filter(cooperative=coop).first().importer
    shipment = shipment_create(cooperative=coop, actor=accountant, importer=importer, product=product,
                               container_number="HLXU801693" + str(container_check_digit("HLXU801693")),
                               etd=WEEK + datetime.timedelta(days=4), port_of_loading="Paita",
                               port_of_destination="Hamburg", price_per_box=D("14.00"))
    member = members[1]  # 0002: 360.00 lent, 120.00 due on 4 November
    delivery_add(shipment=shipment, actor=accountant, member=member, plot=member.plots.first(),
                 date=WEEK + datetime.timedelta(days=1), accepted_boxes=30)
    shipment_advance(shipment=shipment, actor=accountant, to="shipped")
    settlement = settlements.settlement_compute(cooperative=coop, week_start=WEEK, actor=accountant)
    line = settlement.lines.get(member=member)
    assert (line.gross, line.deducted, line.net) == (D("180.00"), D("120.00"), D("60.00"))
    settlements.settlement_approve(settlement=settlement, actor=board)
    settlements.settlement_post(settlement=settlement, actor=accountant)
    repayment = Repayment.objects.get(loan=loans["0002"])
    assert (repayment.amount, repayment.method) == (D("120.00"), "settlement")
    assert repayments.balances([loans["0002"].pk])[loans["0002"].pk] == D("240.00")
    assert balance(accounts["1200"]) == D("1000.00") - D("120.00")

    # The rest in cash; not a cent more than is owed.
    with pytest.raises(ValidationError, match="more than the 240.00 still owed"):
        repayments.repayment_record(loan=loans["0002"], actor=accountant, amount=D("240.01"),
                                    date=datetime.date(2026, 11, 20))
    repayments.repayment_record(loan=loans["0002"], actor=accountant, amount=D("240.00"),
                                date=datetime.date(2026, 11, 20), reference="Recibo 0042")
    assert Loan.objects.get(pk=loans["0002"].pk).status == LoanStatus.REPAID
    assert balance(accounts["1200"]) == D("640.00")
    assert Leg.objects.filter(cooperative=coop).aggregate(total=Sum("amount"))["total"] == 0


def test_arrears_exclude_from_the_next_round_and_count_at_risk(lent):
    coop, accountant, board, members, accounts, loans = lent
    on = datetime.date(2027, 1, 10)  # 67 days after the first installments fell due
    excluded = services._excluded_for_debts(coop.pk, on, 30)
    assert excluded[members[0].pk] == Exclusion.OVERDUE
    repayments.repayment_record(loan=loans["0001"], actor=accountant, amount=D("400.00"),
                                date=datetime.date(2026, 12, 1))
    assert members[0].pk not in services._excluded_for_debts(coop.pk, on, 30)
    risk = repayments.portfolio_at_risk(cooperative_id=coop.pk, on=on)
    assert risk["outstanding"] == D("600.00")  # 360 + 180 + 60
    assert risk["par30"] == risk["par60"] == D("600.00") and risk["par90"] == D("0.00")


def test_the_board_writes_off(lent):
    coop, accountant, board, members, accounts, loans = lent
    with pytest.raises(ValidationError, match="role"):
        repayments.loan_write_off(loan=loans["0003"], actor=accountant, reason="x")
    write_off = repayments.loan_write_off(loan=loans["0003"], actor=board, reason="Fallecimiento; acta 12/2026")
    assert write_off.amount == D("180.00")
    assert Loan.objects.get(pk=loans["0003"].pk).status == LoanStatus.WRITTEN_OFF
    assert balance(accounts["3100"]) == D("5000.00") - D("180.00")
    assert services._excluded_for_debts(coop.pk, datetime.date(2027, 1, 1), 30)[members[2].pk] == Exclusion.WRITTEN_OFF
    def delete_write_offs():
        with pytest.raises(IntegrityError, match="never updated or deleted"), transaction.atomic(), \
                connection.cursor() as cursor:
            cursor.execute("DELETE FROM loans_writeoff")

    refused_twice(delete_write_offs)


def test_repayments_and_write_offs_through_the_pages(lent):
    from django.test import Client

    from coop.models import Role
    from coop.services import cooperative_create
    from tests.factories import user_with_role

    coop, accountant, board, members, accounts, loans = lent
    clerk, directiva = Client(HTTP_ACCEPT_LANGUAGE="en"), Client(HTTP_ACCEPT_LANGUAGE="en")
    clerk.force_login(accountant)
    directiva.force_login(board)
    page = clerk.get(f"/loans/{coop.pk}/portfolio/")
    assert page.status_code == 200 and "USD 1,000.00" in page.content.decode()
    loan = loans["0002"]
    too_much = clerk.post(f"/loans/loans/{loan.pk}/repayments/", {"amount": "360.01", "date": "2026-11-20"})
    assert too_much.status_code == 400 and "still owed" in too_much.content.decode()
    clerk.post(f"/loans/loans/{loan.pk}/repayments/", {"amount": "100", "date": "2026-11-20", "reference": "R-1"})
    assert repayments.balances([loan.pk])[loan.pk] == D("260.00")
    assert clerk.post(f"/loans/loans/{loan.pk}/write-off/", {"reason": "x"}).status_code == 403
    directiva.post(f"/loans/loans/{loan.pk}/write-off/", {"reason": "Acta del consejo 14/2026"})
    assert Loan.objects.get(pk=loan.pk).status == LoanStatus.WRITTEN_OFF
    other = cooperative_create(name="Otra", short_name="OTRA", country="PE")
    stranger = Client()
    stranger.force_login(user_with_role(Role.ACCOUNTANT, other, username="otra"))
    assert stranger.get(f"/loans/loans/{loan.pk}/").status_code == 404
    assert stranger.post(f"/loans/loans/{loan.pk}/repayments/", {"amount": "1", "date": "2026-11-20"}).status_code == 404


def test_the_board_reschedules_what_is_left(lent):
    coop, accountant, board, members, accounts, loans = lent
    loan = loans["0001"]  # 400.00: 133.34, 133.33, 133.33 from 4 November
    repayments.repayment_record(loan=loan, actor=accountant, amount=D("100.00"), date=datetime.date(2026, 11, 10))
    with pytest.raises(ValidationError, match="role"):
        repayments.loan_reschedule(loan=loan, actor=accountant, installments=6,
                                   first_due=datetime.date(2027, 1, 15), reason="x")
    import django.utils.timezone as tz

    first_due = tz.localdate() + datetime.timedelta(days=30)
    reschedule = repayments.loan_reschedule(loan=loan, actor=board, installments=6, first_due=first_due,
                                            reason="Sequía: acta del consejo 15/2026")
    assert reschedule.balance == D("300.00") and reschedule.paid_before == D("100.00")
    current = list(loan.installments.filter(replaced=False))
    assert [i.amount for i in current] == [D("50.00")] * 6 and current[0].due_on == first_due
    assert loan.installments.filter(replaced=True).count() == 3
    # Nothing is overdue any more; 50.00 paid covers the first new installment.
    standing = repayments.standings(cooperative_id=coop.pk, on=first_due, member_ids=[members[0].pk])[0]
    assert standing.due == D("50.00") and standing.balance == D("300.00")
    repayments.repayment_record(loan=loan, actor=accountant, amount=D("50.00"), date=tz.localdate())
    standing = repayments.standings(cooperative_id=coop.pk, on=first_due, member_ids=[members[0].pk])[0]
    assert standing.due == D("0.00") and standing.overdue_since is None


def test_rescheduling_through_the_page(lent):
    import django.utils.timezone as tz
    from django.test import Client

    coop, accountant, board, members, accounts, loans = lent
    directiva = Client(HTTP_ACCEPT_LANGUAGE="en")
    directiva.force_login(board)
    loan = loans["0003"]
    first_due = (tz.localdate() + datetime.timedelta(days=20)).isoformat()
    bad = directiva.post(f"/loans/loans/{loan.pk}/reschedule/", {"reschedule-installments": "30",
                                                                 "reschedule-first_due": first_due,
                                                                 "reschedule-reason": "x"})
    assert bad.status_code == 400
    directiva.post(f"/loans/loans/{loan.pk}/reschedule/", {"reschedule-installments": "4",
                                                           "reschedule-first_due": first_due,
                                                           "reschedule-reason": "Inundación"})
    assert [i.amount for i in loan.installments.filter(replaced=False)] == [D("45.00")] * 4
    page = directiva.get(f"/loans/loans/{loan.pk}/").content.decode()
    assert page.count("USD 45.00") == 4
