"""Loan rounds through the pages: propose, what-if, save, approve, disburse; a member's own loans
on a phone page; who may reach what (guessing ids)."""

from decimal import Decimal

import pytest
from django.test import Client

from coop.models import Role, User
from coop.services import cooperative_create
from loans.models import Loan, LoanRound, RoundStatus
from tests.factories import user_with_role
from tests.loans.test_rounds import build_coop

pytestmark = pytest.mark.django_db
D = Decimal


def client_for(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_a_round_through_the_pages():
    coop, accountant, board, members, _accounts = build_coop()
    clerk = client_for(accountant)
    page = clerk.get(f"/loans/{coop.pk}/")
    assert page.status_code == 200 and "USD 5,000.00" in page.content.decode()
    too_much = clerk.post(f"/loans/{coop.pk}/", {"year": "2026", "quarter": "4", "pool": "5000.01",
                                                 "minimum_amount": "60", "maximum_amount": "400"})
    assert too_much.status_code == 400 and "can lend" in too_much.content.decode()
    response = clerk.post(f"/loans/{coop.pk}/", {"year": "2026", "quarter": "4", "pool": "1000",
                                                 "minimum_amount": "60", "maximum_amount": "400"})
    loan_round = LoanRound.objects.get(cooperative=coop)
    assert response.status_code == 302 and response.url == f"/loans/rounds/{loan_round.pk}/"
    table = clerk.get(f"/loans/rounds/{loan_round.pk}/?order=amount").content.decode()
    assert "USD 400.00" in table and "capped at the maximum" in table and "No Fairtrade boxes" in table
    preview = clerk.get(f"/loans/rounds/{loan_round.pk}/?preview=1&pool=2000&minimum_amount=0&maximum_amount=")
    body = preview.content.decode()
    assert "Preview: not saved." in body and "USD 1,000.00" in body  # 2,000 x 500/1,000
    assert LoanRound.objects.get(pk=loan_round.pk).pool == D("1000.00")
    clerk.post(f"/loans/rounds/{loan_round.pk}/terms/", {"pool": "2000", "minimum_amount": "0", "maximum_amount": ""})
    assert LoanRound.objects.get(pk=loan_round.pk).pool == D("2000.00")

    assert clerk.post(f"/loans/rounds/{loan_round.pk}/step/", {"action": "approve"}).status_code == 403
    client_for(board).post(f"/loans/rounds/{loan_round.pk}/step/", {"action": "approve"})
    clerk.post(f"/loans/rounds/{loan_round.pk}/step/", {"action": "disburse", "date": "2026-10-05"})
    assert LoanRound.objects.get(pk=loan_round.pk).status == RoundStatus.DISBURSED
    assert Loan.objects.filter(line__round=loan_round).count() == 4

    # The member with the most boxes, on a phone, in Spanish.
    member = members[0]
    login = User.objects.create_user("socia", password="x")
    member.user = login
    member.save(update_fields=["user"])
    phone = Client(HTTP_ACCEPT_LANGUAGE="es", HTTP_USER_AGENT="Mozilla/5.0 (Linux; Android 10) Mobile")
    phone.force_login(login)
    mine = phone.get("/loans/mine/").content.decode()
    assert "USD 1\u00a0000,00" in mine and "500" in mine
    # Another member's loan, another co-op's round: not found.
    assert phone.get(f"/loans/rounds/{loan_round.pk}/").status_code == 404
    other = cooperative_create(name="Otra", short_name="OTRA", country="PE")
    stranger = client_for(user_with_role(Role.ACCOUNTANT, other, username="otra"))
    assert stranger.get(f"/loans/rounds/{loan_round.pk}/").status_code == 404
    assert stranger.post(f"/loans/rounds/{loan_round.pk}/step/", {"action": "cancel", "reason": "x"}).status_code == 404
    assert stranger.get(f"/loans/{coop.pk}/").status_code == 404


def test_a_member_declines_an_offer():
    coop, accountant, _board, members, _accounts = build_coop()
    from loans import services

    loan_round = services.round_propose(cooperative=coop, actor=accountant, year=2026, quarter=4, pool=D("1000"))
    member = members[1]
    login = User.objects.create_user("socio2", password="x")
    member.user = login
    member.save(update_fields=["user"])
    producer = client_for(login)
    assert "USD 360.00" in producer.get("/loans/mine/").content.decode()
    line = loan_round.lines.get(member=member)
    others = loan_round.lines.get(member=members[0])
    assert producer.post(f"/loans/offers/{others.pk}/decline/").status_code == 404
    producer.post(f"/loans/offers/{line.pk}/decline/")
    line.refresh_from_db()
    assert line.excluded == "declined" and line.amount == 0
