"""The loan fund's rotation: lent, repaid and written off by round and by quarter, checked by hand,
on a page that costs the same number of queries whatever the number of loans."""

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from coop.models import Role, User
from coop.services import cooperative_create
from loans import repayments
from loans.rotation import fund_rotation
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db
D = Decimal


def client_for(user, language="en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


@pytest.fixture
def turned(lent, monkeypatch):
    """100.00 repaid in cash on 10 November and 0003's 180.00 written off on 20 December 2026,
    then 50.00 more in cash on 15 January 2027 (the books are read as on 30 June 2027)."""
    monkeypatch.setattr(timezone, "localdate", lambda *args: datetime.date(2027, 6, 30))
    coop, accountant, board, members, accounts, loans = lent
    repayments.repayment_record(loan=loans["0002"], actor=accountant, amount=D("100.00"),
                                date=datetime.date(2026, 11, 10))
    repayments.loan_write_off(loan=loans["0003"], actor=board, reason="Fallecimiento",
                              date=datetime.date(2026, 12, 20))
    repayments.repayment_record(loan=loans["0001"], actor=accountant, amount=D("50.00"),
                                date=datetime.date(2027, 1, 15))
    return lent


def test_the_rotation_worked_by_hand(turned):
    coop = turned[0]
    rotation = fund_rotation(cooperative_id=coop.pk)
    # The fund: 5,000.00 less the 180.00 written off; members owe 1,000 - 150 - 180.
    assert (rotation.fund, rotation.receivable, rotation.lendable) == (D("4820.00"), D("670.00"), D("4150.00"))
    assert (rotation.lent, rotation.repaid, rotation.written_off, rotation.outstanding) == (
        D("1000.00"), D("150.00"), D("180.00"), D("670.00"))
    assert rotation.rotation == D("0.21")  # 1,000 / 4,820
    assert (rotation.recovered_percent, rotation.default_percent) == (D("15.0"), D("18.0"))
    [row] = rotation.rounds
    assert (row.loans, row.lent, row.repaid, row.written_off, row.outstanding) == (
        4, D("1000.00"), D("150.00"), D("180.00"), D("670.00"))
    assert [(q.label, q.lent, q.repaid_cash, q.written_off, q.outstanding) for q in rotation.quarters] == [
        ("2026-T4", D("1000.00"), D("100.00"), D("180.00"), D("720.00")),
        ("2027-T1", D("0.00"), D("50.00"), D("0.00"), D("670.00")),
    ]


def test_a_fund_that_never_lent_has_no_rates(db):
    coop = cooperative_create(name="Nueva", short_name="NUEVA", country="PE")
    rotation = fund_rotation(cooperative_id=coop.pk)
    assert rotation.rounds == [] and rotation.quarters == []
    assert rotation.rotation is None and rotation.recovered_percent is None


def test_the_rotation_page_in_spanish_and_who_reaches_it(turned, django_assert_max_num_queries):
    coop, accountant, board, members, accounts, loans = turned
    board_client = client_for(board, "es")
    with django_assert_max_num_queries(16):
        page = board_client.get(f"/loans/{coop.pk}/rotation/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "USD 4\xa0820,00" in body and "15,0 %" in body and "18,0 %" in body and "2027-T1" in body
    assert "Rotación" in body
    english = client_for(accountant).get(f"/loans/{coop.pk}/rotation/").content.decode()
    assert "0.21 times the fund" in english and "USD 670.00" in english

    login = User.objects.create_user("socio", password="x")
    members[0].user = login
    members[0].save(update_fields=["user"])
    assert client_for(login).get(f"/loans/{coop.pk}/rotation/").status_code == 404
    other = cooperative_create(name="Otra", short_name="OTRA", country="PE")
    stranger = client_for(user_with_role(Role.ACCOUNTANT, other, username="otra"))
    assert stranger.get(f"/loans/{coop.pk}/rotation/").status_code == 404
    assert stranger.get(f"/loans/{other.pk}/rotation/").status_code == 200
