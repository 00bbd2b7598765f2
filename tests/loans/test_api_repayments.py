"""Repayments, write-offs and reschedulings over the API: Idempotency-Key on what moves money,
the balance never passed, the board's decisions held to the board, and a member seeing only
their own repayments (also by guessing ids)."""

import threading
import uuid
from decimal import Decimal

import pytest
from django.db import connection
from rest_framework.test import APIClient

from coop.models import Role, User
from coop.services import cooperative_create
from ledger.models import Account
from loans.models import Loan, LoanStatus, Repayment
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db
D = Decimal


def api_for(user, language="en") -> APIClient:
    api = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    api.force_authenticate(user)
    return api


def repay(api, loan, amount, key=None, date="2026-11-10"):
    """A repayment POST; each call its own Idempotency-Key unless ``key`` is given ("" sends none)."""
    key = uuid.uuid4().hex if key is None else key
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return api.post(f"/api/v1/loans/loans/{loan.pk}/repay/", {"amount": amount, "date": date,
                                                             "reference": "REC-1"}, format="json", **headers)


def test_a_cash_repayment_is_recorded_once_per_key(lent):
    coop, accountant, board, members, accounts, loans = lent
    clerk = api_for(accountant)
    first = repay(clerk, loans["0002"], "100.00", key="caja-0002-1")
    assert first.status_code == 201, first.json()
    assert first.json()["amount"] == "100.00" and first.json()["member"] == "0002"
    again = repay(clerk, loans["0002"], "100.00", key="caja-0002-1")
    assert again.status_code == 201 and again.json()["id"] == first.json()["id"]
    assert Repayment.objects.filter(loan=loans["0002"]).count() == 1
    other_amount = repay(clerk, loans["0002"], "90.00", key="caja-0002-1")
    assert other_amount.status_code == 409 and "Idempotency-Key" in other_amount.json()
    other_loan = repay(clerk, loans["0003"], "100.00", key="caja-0002-1")
    assert other_loan.status_code == 409
    assert Account.objects.get(pk=accounts["1000"].pk).balance == D("5000.00") - D("1000.00") + D("100.00")

    loan = clerk.get(f"/api/v1/loans/loans/{loans['0002'].pk}/").json()
    assert (loan["repaid"], loan["written_off"], loan["balance"]) == ("100.00", "0.00", "260.00")


def test_a_repayment_beyond_the_balance_is_refused_and_names_the_field(lent):
    coop, accountant, board, members, accounts, loans = lent
    refused = repay(api_for(accountant), loans["0004"], "60.01")
    assert refused.status_code == 400 and "amount" in refused.json()
    assert "60.00" in refused.json()["amount"][0]
    spanish = repay(api_for(accountant, "es"), loans["0004"], "70.00")
    assert "aún se deben" in spanish.json()["amount"][0]
    bad = api_for(accountant).post(f"/api/v1/loans/loans/{loans['0004'].pk}/repay/", {"amount": "-5", "date": "x"},
                                   format="json", HTTP_IDEMPOTENCY_KEY="k-bad")
    assert bad.status_code == 400 and {"amount", "date"} <= set(bad.json())
    long_key = repay(api_for(accountant), loans["0004"], "10.00", key="k" * 81)
    assert long_key.status_code == 400 and "Idempotency-Key" in long_key.json()
    no_key = repay(api_for(accountant), loans["0004"], "10.00", key="")
    assert no_key.status_code == 400 and "Idempotency-Key" in no_key.json()
    assert not Repayment.objects.exists()


def test_paying_the_whole_balance_closes_the_loan(lent):
    coop, accountant, board, members, accounts, loans = lent
    assert repay(api_for(accountant), loans["0004"], "60.00").status_code == 201
    assert Loan.objects.get(pk=loans["0004"].pk).status == LoanStatus.REPAID
    again = repay(api_for(accountant), loans["0004"], "1.00")
    assert again.status_code == 400


def test_only_the_board_writes_off_and_reschedules(lent):
    coop, accountant, board, members, accounts, loans = lent
    loan = loans["0003"]
    key = {"HTTP_IDEMPOTENCY_KEY": "k-1"}
    assert api_for(accountant).post(f"/api/v1/loans/loans/{loan.pk}/write-off/", {"reason": "x"},
                                    format="json", **key).status_code == 403
    assert api_for(board).post(f"/api/v1/loans/loans/{loan.pk}/repay/", {"amount": "1.00", "date": "2026-11-10"},
                               format="json", **key).status_code == 403
    no_reason = api_for(board).post(f"/api/v1/loans/loans/{loan.pk}/write-off/", {"reason": ""}, format="json",
                                    **key)
    assert no_reason.status_code == 400 and "reason" in no_reason.json()

    rescheduled = api_for(board).post(f"/api/v1/loans/loans/{loan.pk}/reschedule/", {
        "installments": 6, "first_due": "2027-01-15", "reason": "Acta 14: sequía"}, format="json")
    assert rescheduled.status_code == 201, rescheduled.json()
    assert rescheduled.json()["balance"] == "180.00"
    schedule = api_for(accountant).get(f"/api/v1/loans/loans/{loan.pk}/").json()["installments"]
    assert len(schedule) == 6 and sum(D(i["amount"]) for i in schedule) == D("180.00")

    headers = {"HTTP_IDEMPOTENCY_KEY": "wo-0003"}
    written = api_for(board).post(f"/api/v1/loans/loans/{loan.pk}/write-off/", {"reason": "Fallecimiento"},
                                  format="json", **headers)
    assert written.status_code == 201 and written.json()["amount"] == "180.00"
    repeat = api_for(board).post(f"/api/v1/loans/loans/{loan.pk}/write-off/", {"reason": "Fallecimiento"},
                                 format="json", **headers)
    assert repeat.status_code == 201 and repeat.json()["id"] == written.json()["id"]
    assert Account.objects.get(pk=accounts["3100"].pk).balance == D("5000.00") - D("180.00")
    loan_row = api_for(board).get(f"/api/v1/loans/loans/{loan.pk}/").json()
    assert (loan_row["status"], loan_row["balance"], loan_row["written_off"]) == ("written_off", "0.00", "180.00")


def test_members_see_only_their_own_repayments(lent):
    coop, accountant, board, members, accounts, loans = lent
    clerk = api_for(accountant)
    repay(clerk, loans["0001"], "50.00")
    repay(clerk, loans["0002"], "40.00")
    login = User.objects.create_user("socio-0001", password="x")
    members[0].user = login
    members[0].save(update_fields=["user"])
    member = api_for(login)
    mine = member.get("/api/v1/loans/repayments/").json()["results"]
    assert [(row["member"], row["amount"]) for row in mine] == [("0001", "50.00")]
    assert member.get(f"/api/v1/loans/repayments/?loan={loans['0002'].pk}").json()["results"] == []
    assert member.get(f"/api/v1/loans/loans/{loans['0002'].pk}/").status_code == 404
    assert repay(member, loans["0001"], "1.00").status_code == 403
    assert repay(member, loans["0002"], "1.00").status_code == 404
    assert len(clerk.get(f"/api/v1/loans/repayments/?member={members[1].pk}").json()["results"]) == 1

    stranger = api_for(user_with_role(Role.ACCOUNTANT, cooperative_create(name="Otra", short_name="OTRA",
                                                                          country="PE"), username="otra"))
    assert stranger.get("/api/v1/loans/repayments/").json()["results"] == []
    assert repay(stranger, loans["0001"], "1.00").status_code == 404
    assert len(clerk.get("/api/v1/loans/repayments/?loan=abc").json()["results"]) == 2  # ignored, as elsewhere


def test_the_repayment_list_takes_a_constant_number_of_queries(lent, django_assert_max_num_queries):
    coop, accountant, board, members, accounts, loans = lent
    clerk = api_for(accountant)
    for number in ("0001", "0002", "0003"):
        repay(clerk, loans[number], "10.00")
    with django_assert_max_num_queries(6):
        assert len(clerk.get("/api/v1/loans/repayments/").json()["results"]) == 3
    with django_assert_max_num_queries(7):
        assert len(clerk.get("/api/v1/loans/loans/").json()["results"]) == 4


@pytest.mark.django_db(transaction=True)
def test_the_same_key_sent_twice_at_once_pays_once(lent):
    coop, accountant, board, members, accounts, loans = lent
    barrier = threading.Barrier(2)
    answers = []

    def send():
        try:
            barrier.wait()
            answers.append(repay(api_for(accountant), loans["0001"], "120.00", key="doble-envio").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == [201, 201]
    assert Repayment.objects.filter(loan=loans["0001"]).count() == 1


def test_a_repayment_is_dated_between_disbursement_and_today(lent):
    coop, accountant, board, members, accounts, loans = lent
    clerk = api_for(accountant)
    for date in ("2026-10-04", "2099-01-01"):
        answer = repay(clerk, loans["0001"], "10.00", date=date)
        assert answer.status_code == 400 and "date" in answer.json(), date
    assert not Repayment.objects.exists()
