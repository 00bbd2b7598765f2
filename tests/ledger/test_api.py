"""The books over REST: scoping by guessed ids, posting with an Idempotency-Key, clear 400s."""

import datetime
from decimal import Decimal

import pytest

from coop.models import Role
from ledger.models import Period, Transaction
from ledger.services import chart_of_accounts_create, transaction_post
from tests.factories import CooperativeFactory, user_with_role

pytestmark = pytest.mark.django_db
JSON = "application/json"
DAY = datetime.date(2026, 3, 10)


def premium(books, amount="500.00"):
    return transaction_post(cooperative=books.cooperative, date=DAY, memo="Premium", actor=books.accountant,
                            legs=[(books.bank, Decimal(amount)), (books.unallocated, -Decimal(amount))])


def payload(books, debit_account, credit_account, amount="120.00", **extra):
    return {"cooperative": books.cooperative.pk, "date": "2026-03-11", "memo": "Asignación AG",
            "legs": [{"account": debit_account.pk, "amount": amount}, {"account": credit_account.pk, "amount": f"-{amount}"}],
            **extra}


def test_posting_with_an_idempotency_key_posts_once(client, books):
    premium(books)
    client.force_login(books.accountant)
    body = payload(books, books.unallocated, books.medical_fund)
    first = client.post("/api/v1/ledger/transactions/", body, content_type=JSON, HTTP_IDEMPOTENCY_KEY="ag-2026-03-a")
    again = client.post("/api/v1/ledger/transactions/", body, content_type=JSON, HTTP_IDEMPOTENCY_KEY="ag-2026-03-a")
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json()["id"] == again.json()["id"]
    assert first.json()["legs"][0]["amount"] == "120.00"  # decimals travel as strings
    assert Transaction.objects.count() == 2


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"legs": [{"account": 0, "amount": "1.00"}]}, "legs"),
        ({"date": "2026-02-30"}, "date"),
        ({"memo": ""}, "memo"),
    ],
)
def test_bad_postings_are_400_naming_the_field(client, books, change, field):
    client.force_login(books.accountant)
    response = client.post("/api/v1/ledger/transactions/", {**payload(books, books.bank, books.unallocated), **change}, content_type=JSON)
    assert response.status_code == 400
    assert field in response.json()


def test_overdraft_and_unbalanced_postings_are_400_with_the_amounts(client, books):
    premium(books, "100.00")
    client.force_login(books.accountant)
    response = client.post("/api/v1/ledger/transactions/", payload(books, books.unallocated, books.medical_fund, "100.01"),
                           content_type=JSON, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "may not go below zero: it holds 100.00 and this takes 100.01" in response.json()["non_field_errors"][0]
    body = payload(books, books.bank, books.unallocated)
    body["legs"][1]["amount"] = "-119.00"
    response = client.post("/api/v1/ledger/transactions/", body, content_type=JSON, HTTP_ACCEPT_LANGUAGE="en")
    assert response.json() == {"non_field_errors": ["Unbalanced: debits 120.00 and credits 119.00 differ by 1.00."]}


def test_scoping_by_guessed_ids(client, books):
    entry = premium(books)
    other = CooperativeFactory(short_name="OTRA")
    other_accounts = chart_of_accounts_create(cooperative=other)
    other_accountant = user_with_role(Role.ACCOUNTANT, other)
    client.force_login(other_accountant)
    for url in (f"/api/v1/ledger/transactions/{entry.pk}/", f"/api/v1/ledger/accounts/{books.bank.pk}/",
                f"/api/v1/ledger/accounts/{books.bank.pk}/statement/", f"/api/v1/ledger/trial-balance/?cooperative={books.cooperative.pk}"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/api/v1/ledger/transactions/{entry.pk}/reverse/", {}, content_type=JSON).status_code == 404
    assert client.post("/api/v1/ledger/transactions/", payload(books, books.bank, books.unallocated), content_type=JSON).status_code == 404
    # Its own accounts cannot be mixed into another co-op's posting either.
    client.force_login(books.accountant)
    body = payload(books, books.bank, books.unallocated)
    body["legs"][0]["account"] = other_accounts[0].pk
    assert client.post("/api/v1/ledger/transactions/", body, content_type=JSON).status_code == 400
    listed = {t["id"] for t in client.get("/api/v1/ledger/transactions/").json()["results"]}
    assert listed == {entry.pk}


def test_board_reads_and_reopens_but_does_not_post(client, books):
    entry = premium(books)
    client.force_login(books.board)
    assert client.get(f"/api/v1/ledger/trial-balance/?cooperative={books.cooperative.pk}").status_code == 200
    assert client.post("/api/v1/ledger/transactions/", payload(books, books.bank, books.unallocated), content_type=JSON).status_code == 403
    assert client.post(f"/api/v1/ledger/transactions/{entry.pk}/reverse/", {}, content_type=JSON).status_code == 403
    assert client.post("/api/v1/ledger/periods/", {"cooperative": books.cooperative.pk, "starts_on": "2026-03-01", "ends_on": "2026-03-31"},
                       content_type=JSON).status_code == 403
    client.force_login(books.accountant)
    closed = client.post("/api/v1/ledger/periods/", {"cooperative": books.cooperative.pk, "starts_on": "2026-03-01", "ends_on": "2026-03-31"},
                         content_type=JSON)
    assert closed.status_code == 201
    assert (closed.json()["reopened_by"], closed.json()["reopened_at"], closed.json()["reopen_reason"]) == (None, None, None)
    assert client.post(f"/api/v1/ledger/periods/{closed.json()['id']}/reopen/", {"reason": "x"}, content_type=JSON).status_code == 403
    client.force_login(books.board)
    reopened = client.post(f"/api/v1/ledger/periods/{closed.json()['id']}/reopen/", {"reason": "Factura tardía"}, content_type=JSON)
    assert reopened.status_code == 200 and reopened.json()["reopened_by"] == books.board.username
    assert reopened.json()["reopen_reason"] == "Factura tardía" and reopened.json()["reopened_at"]
    listed = client.get(f"/api/v1/ledger/periods/?cooperative={books.cooperative.pk}").json()["results"]
    assert [(p["reopened_by"], p["reopen_reason"]) for p in listed] == [(books.board.username, "Factura tardía")]
    assert not Period.objects.get().is_closed


def test_trial_balance_and_statement(client, books):
    premium(books, "300.00")
    client.force_login(books.accountant)
    lines = client.get(f"/api/v1/ledger/trial-balance/?cooperative={books.cooperative.pk}").json()
    debit = sum(Decimal(line["debit"]) for line in lines)
    credit = sum(Decimal(line["credit"]) for line in lines)
    assert debit == credit == Decimal("300.00")
    statement = client.get(f"/api/v1/ledger/accounts/{books.bank.pk}/statement/").json()
    assert statement["opening"] == "0.00" and statement["results"][0]["balance"] == "300.00"
