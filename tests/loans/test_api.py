"""Loans over the API: rounds proposed and approved with maker-checker, loans scoped to the member."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from coop.models import Role, User
from coop.services import cooperative_create
from loans.models import LoanRound
from tests.factories import user_with_role
from tests.loans.test_rounds import build_coop

pytestmark = pytest.mark.django_db


def api_for(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def test_rounds_and_loans_through_the_api():
    coop, accountant, board, members, _accounts = build_coop()
    clerk = api_for(accountant)
    refused = clerk.post("/api/v1/loans/rounds/", {"cooperative": coop.pk, "year": 2026, "quarter": 4,
                                                   "pool": "9000.00", "minimum_amount": "0"}, format="json")
    assert refused.status_code == 400 and "pool" in refused.json()
    created = clerk.post("/api/v1/loans/rounds/", {"cooperative": coop.pk, "year": 2026, "quarter": 4,
                                                   "pool": "1000.00", "minimum_amount": "60.00",
                                                   "maximum_amount": "400.00"}, format="json")
    assert created.status_code == 201 and created.json()["lent"] == "1000.00"
    round_id = created.json()["id"]
    again = clerk.post("/api/v1/loans/rounds/", {"cooperative": coop.pk, "year": 2026, "quarter": 4,
                                                 "pool": "10.00", "minimum_amount": "0"}, format="json")
    assert again.status_code == 400
    detail = clerk.get(f"/api/v1/loans/rounds/{round_id}/").json()
    assert {line["member"]: line["amount"] for line in detail["lines"]}["0001"] == "400.00"
    assert clerk.post(f"/api/v1/loans/rounds/{round_id}/step/", {"action": "approve"}, format="json").status_code == 403
    assert api_for(board).post(f"/api/v1/loans/rounds/{round_id}/step/", {"action": "approve"},
                               format="json").status_code == 200
    disbursed = clerk.post(f"/api/v1/loans/rounds/{round_id}/step/", {"action": "disburse", "date": "2026-10-05"},
                           format="json")
    assert disbursed.status_code == 200 and disbursed.json()["status"] == "disbursed"

    login = User.objects.create_user("socia", password="x")
    members[0].user = login
    members[0].save(update_fields=["user"])
    mine = api_for(login).get("/api/v1/loans/loans/").json()["results"]
    assert [(loan["member"], loan["principal"]) for loan in mine] == [("0001", "400.00")]
    assert len(mine[0]["installments"]) == 3
    assert api_for(login).get(f"/api/v1/loans/rounds/{round_id}/").status_code == 404
    assert len(clerk.get("/api/v1/loans/loans/").json()["results"]) == 4
    other = cooperative_create(name="Otra", short_name="OTRA", country="PE")
    stranger = api_for(user_with_role(Role.ACCOUNTANT, other, username="otra"))
    assert stranger.get(f"/api/v1/loans/rounds/{round_id}/").status_code == 404
    assert stranger.get("/api/v1/loans/loans/").json()["results"] == []
    assert LoanRound.objects.get(pk=round_id).pool == Decimal("1000.00")
