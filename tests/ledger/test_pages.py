"""The books' pages: who sees and posts what, by menus and by guessing ids; forms; query counts."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coop.models import Role
from ledger.models import Period, Transaction
from ledger.services import chart_of_accounts_create, period_close, period_reopen, transaction_post
from tests.factories import CooperativeFactory, MemberFactory, UserFactory, user_with_role

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 3, 10)


@pytest.fixture
def other_books(db):
    coop = CooperativeFactory(short_name="OTRA")
    accounts = {a.code: a for a in chart_of_accounts_create(cooperative=coop)}
    accountant = user_with_role(Role.ACCOUNTANT, coop, username="contador-otra")
    entry = transaction_post(cooperative=coop, date=DAY, memo="Otra prima", actor=accountant,
                             legs=[(accounts["1000"], Decimal("50.00")), (accounts["3000"], Decimal("-50.00"))])
    return coop, accounts, entry


def premium(books, amount="500.00", memo="Premium received"):
    return transaction_post(cooperative=books.cooperative, date=DAY, memo=memo, actor=books.accountant,
                            legs=[(books.bank, Decimal(amount)), (books.unallocated, -Decimal(amount))])


def urls_of(coop, accounts, entry):
    return [
        f"/ledger/{coop.pk}/", f"/ledger/{coop.pk}/journal/", f"/ledger/{coop.pk}/periods/",
        f"/ledger/{coop.pk}/transactions/new/", f"/ledger/accounts/{accounts['1000'].pk}/",
        f"/ledger/transactions/{entry.pk}/",
    ]


def test_readers_see_their_books_and_nothing_of_another_coops(client, books, other_books):
    entry = premium(books)
    accounts = {"1000": books.bank}
    cluster = user_with_role(Role.CLUSTER_STAFF, books.cooperative, username="cluster")
    for user in (books.accountant, books.board, cluster):
        client.force_login(user)
        for url in urls_of(books.cooperative, accounts, entry):
            expected = 403 if url.endswith("/new/") and user != books.accountant else 200
            assert client.get(url).status_code == expected, (user, url)
        for url in urls_of(*other_books):
            assert client.get(url).status_code == 404, (user, url)


@pytest.mark.parametrize("who", ["member", "committee", "importer", "nobody"])
def test_people_without_a_books_role_get_nothing(client, books, who):
    entry = premium(books)
    user = {
        "member": lambda: MemberFactory(cooperative=books.cooperative, user=UserFactory()).user,
        "committee": lambda: user_with_role(Role.COMMITTEE, books.cooperative),
        "importer": lambda: user_with_role(Role.IMPORTER, books.cooperative),
        "nobody": lambda: UserFactory(),
    }[who]()
    client.force_login(user)
    assert client.get("/ledger/").status_code == 403
    for url in urls_of(books.cooperative, {"1000": books.bank}, entry):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/ledger/transactions/{entry.pk}/reverse/", {"date": "2026-03-11"}).status_code == 404


def form_data(legs, **fields):
    data = {"date": "2026-03-11", "memo": "Asignación de la Asamblea", "source": "Acta AG 2026-03",
            "legs-TOTAL_FORMS": "4", "legs-INITIAL_FORMS": "0", "legs-MIN_NUM_FORMS": "0", "legs-MAX_NUM_FORMS": "40"}
    for index, (account, debit, credit) in enumerate(legs):
        data |= {f"legs-{index}-account": account.pk, f"legs-{index}-debit": debit, f"legs-{index}-credit": credit}
    return data | fields


def test_accountant_posts_a_manual_transaction_with_a_decimal_comma(client, books):
    premium(books)
    client.force_login(books.accountant)
    response = client.post(f"/ledger/{books.cooperative.pk}/transactions/new/",
                           form_data([(books.unallocated, "150,50", ""), (books.medical_fund, "", "150,50")]))
    entry = Transaction.objects.get(memo="Asignación de la Asamblea")
    assert response.status_code == 302 and response["Location"] == f"/ledger/transactions/{entry.pk}/"
    assert sorted(entry.legs.values_list("amount", flat=True)) == [Decimal("-150.50"), Decimal("150.50")]
    assert entry.posted_by == books.accountant


@pytest.mark.parametrize(
    ("legs", "message"),
    [
        ([("unallocated", "100", ""), ("medical_fund", "", "99")], "Descuadrado: los débitos 100,00 y los créditos 99,00 difieren en 1,00."),
        ([("unallocated", "600", ""), ("medical_fund", "", "600")], "no puede quedar bajo cero"),
        ([("unallocated", "5", "5")], "Indique un débito o un crédito"),
    ],
)
def test_bad_postings_are_refused_in_spanish_and_nothing_is_saved(client, books, legs, message):
    premium(books)
    client.force_login(books.accountant)
    data = form_data([(getattr(books, name), debit, credit) for name, debit, credit in legs])
    response = client.post(f"/ledger/{books.cooperative.pk}/transactions/new/", data, HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Transaction.objects.count() == 1


def test_reversal_and_reopening_through_the_pages(client, books):
    entry = premium(books)
    client.force_login(books.accountant)
    response = client.post(f"/ledger/transactions/{entry.pk}/reverse/", {"date": "2026-03-12", "memo": ""})
    reversal = Transaction.objects.get(reverses=entry)
    assert response["Location"] == f"/ledger/transactions/{reversal.pk}/"
    client.post(f"/ledger/{books.cooperative.pk}/periods/", {"starts_on": "2026-03-01", "ends_on": "2026-03-31"})
    period = Period.objects.get()
    client.post(f"/ledger/periods/{period.pk}/reopen/", {"reason": "error"})
    assert Period.objects.get().is_closed  # an accountant cannot reopen
    client.force_login(books.board)
    client.post(f"/ledger/periods/{period.pk}/reopen/", {"reason": "Factura tardía"})
    assert not Period.objects.get().is_closed


def test_the_periods_page_lists_each_close_and_reopening(client, books):
    def close_and_reopen(month):
        period = period_close(cooperative=books.cooperative, starts_on=datetime.date(2026, month, 1),
                              ends_on=datetime.date(2026, month, 28), actor=books.accountant)
        period_reopen(period=period, actor=books.board, reason=f"Factura tardía {month}")

    def page():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/ledger/{books.cooperative.pk}/periods/")
        return response.content.decode(), len(queries)

    client.force_login(books.board)
    close_and_reopen(1)
    period_close(cooperative=books.cooperative, starts_on=datetime.date(2026, 1, 1), ends_on=datetime.date(2026, 1, 28),
                 actor=books.accountant)  # January closed again: a second row
    html, few = page()
    assert "Factura tardía 1" in html and html.count("/reopen/") == 1  # only the new one may be reopened
    for month in range(2, 8):
        close_and_reopen(month)
    html, more = page()
    assert "Factura tardía 7" in html and more == few


def test_pages_keep_a_constant_number_of_queries(client, books):
    client.force_login(books.accountant)
    premium(books, memo="first")

    def counts():
        result = []
        for url in (f"/ledger/{books.cooperative.pk}/", f"/ledger/{books.cooperative.pk}/journal/",
                    f"/ledger/accounts/{books.bank.pk}/"):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            result.append(len(queries))
        return result

    few = counts()
    for number in range(12):
        premium(books, amount="10.00", memo=f"more {number}")
    assert counts() == few


def test_statement_pages_by_keyset_with_a_running_balance(client, books):
    for number in range(60):
        premium(books, amount="1.00", memo=f"premium {number}")
    client.force_login(books.accountant)
    first = client.get(f"/ledger/accounts/{books.bank.pk}/")
    rows = first.context["rows"]
    assert len(rows) == 50 and rows[-1]["balance"] == Decimal("50.00") and first.context["has_more"]
    second = client.get(f"/ledger/accounts/{books.bank.pk}/", {"after": first.context["next_after"]})
    assert second.context["opening"] == Decimal("50.00")
    assert [r["balance"] for r in second.context["rows"]][-1] == Decimal("60.00")
    assert not second.context["has_more"]


@pytest.mark.parametrize("token", ["2026-02-30_5", "x_1", "2026-03-10_", "2026-03-10_99999999999999999999999", ""])
def test_odd_statement_positions_start_from_the_beginning(client, books, token):
    premium(books)
    client.force_login(books.accountant)
    response = client.get(f"/ledger/accounts/{books.bank.pk}/", {"after": token})
    assert response.status_code == 200 and response.context["opening"] == Decimal("0.00")
    assert client.get(f"/api/v1/ledger/accounts/{books.bank.pk}/statement/", {"after": token}).status_code == 200
