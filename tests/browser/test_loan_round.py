"""A quarter's loans in a real browser, in Spanish: the accountant proposes a round and previews
other terms, a board member approves it, a member declines her offer on a phone, the accountant
disburses and records a cash repayment, and a member reads what he owes and paid on his phone."""

from decimal import Decimal

import pytest

from coop.models import User
from loans.models import Loan, LoanRound, Repayment, RoundStatus
from tests.browser.sessions import session
from tests.browser.test_loading_sheet import PASSWORD, PHONE
from tests.loans.test_rounds import build_coop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def apoq(db):
    coop, accountant, board, members, _accounts = build_coop()
    for member, username in ((members[0], "socio0001"), (members[3], "socia0004")):
        member.user = User.objects.create_user(username, password=PASSWORD)
        member.save(update_fields=["user"])
    return coop, accountant, board, members



def test_a_round_from_proposal_to_repayment(browser, live_server, screenshot, apoq):
    coop, accountant, board, members = apoq
    year, quarter = 2026, 4  # build_coop's deliveries are in 2026's third quarter

    context, page = session(browser, live_server, accountant.username, f"/loans/{coop.pk}/")
    assert "Rondas trimestrales de préstamos" in page.inner_text("h1")
    page.fill("input[name=year]", str(year))
    page.fill("input[name=quarter]", str(quarter))
    page.fill("input[name=pool]", "1000")
    page.fill("input[name=minimum_amount]", "60")
    page.fill("input[name=maximum_amount]", "400")
    page.click("form.card button[type=submit]")
    page.wait_for_url(lambda url: "/loans/rounds/" in url)
    loan_round = LoanRound.objects.get(cooperative=coop)
    table = page.inner_text("table")
    assert "USD 400,00" in table and "limitado al máximo" in table
    # What if: a smaller pool, previewed without saving.
    page.fill("form.card input[name=pool]", "800")
    page.click("text=Vista previa")
    page.wait_for_selector("text=Vista previa: no guardada.")
    assert "USD 800,00" not in page.inner_text("dl.facts")  # the saved round still lends 1.000,00
    screenshot(page, "1-what-if")
    assert LoanRound.objects.get(pk=loan_round.pk).pool == 1000
    context.close()

    context, page = session(browser, live_server, board.username, f"/loans/rounds/{loan_round.pk}/")
    page.click("text=Aprobar la ronda")
    page.wait_for_selector("text=Ronda aprobada.")
    context.close()

    # The member with the smallest offer declines it on her phone before the money goes out.
    context, page = session(browser, live_server, "socia0004", "/loans/mine/", viewport=PHONE, is_mobile=True,
                            has_touch=True)
    assert "USD 60,00" in page.inner_text("main")
    page.click("text=No quiero este préstamo")
    page.wait_for_selector("text=Oferta rechazada.")
    context.close()

    context, page = session(browser, live_server, accountant.username, f"/loans/rounds/{loan_round.pk}/")
    page.click("text=Desembolsar y contabilizar")
    page.wait_for_selector("text=Préstamos desembolsados y contabilizados.")
    assert LoanRound.objects.get(pk=loan_round.pk).status == RoundStatus.DISBURSED
    assert sorted(Loan.objects.values_list("member__number", flat=True)) == ["0001", "0002", "0003"]
    loan = Loan.objects.get(member=members[0])
    page.goto(f"{live_server.url}/loans/loans/{loan.pk}/")
    page.fill("input[name=amount]", "150,50")
    page.fill("input[name=reference]", "Recibo 0042")
    page.click("text=Registrar y contabilizar")
    page.wait_for_selector("text=Devolución registrada.")
    assert Repayment.objects.get(loan=loan).amount == Decimal("150.50")
    screenshot(page, "2-loan")
    context.close()

    context, page = session(browser, live_server, "socio0001", "/loans/mine/", viewport=PHONE, is_mobile=True,
                            has_touch=True)
    card = page.inner_text("main")
    assert "USD 249,50" in card  # what he still owes
    assert "USD 150,50" in card and "Efectivo" in card
    page.click("text=¿Cómo se calculó mi monto?")
    assert "no hay intereses" in page.inner_text("main").lower()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "3-my-loans-phone")
    context.close()
