"""A medical claim in a real browser, in Spanish: a member asks for help on a phone with a photo of
the receipt and the medical report, two committee members approve it on their computers, the
accountant pays it, and the member sees it paid."""

import pytest

from medfund.models import Claim, ClaimStatus
from tests.browser.sessions import session
from tests.browser.test_loading_sheet import PHONE
from tests.medfund.world import PDF, PNG, build

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return build()



def test_a_member_asks_for_help_on_a_phone_and_the_committee_approves(browser, live_server, screenshot, world,
                                                                      tmp_path):
    receipt, report = tmp_path / "boleta.png", tmp_path / "informe.pdf"
    receipt.write_bytes(PNG)
    report.write_bytes(PDF)

    context, page = session(browser, live_server, world.rosa.user.username, "/medfund/mine/", viewport=PHONE,
                            is_mobile=True, has_touch=True)
    assert "Lo que el fondo aún cubre" in page.inner_text("main")
    page.click("text=Pedir ayuda")
    page.wait_for_url(lambda url: url.endswith("/medfund/mine/new/"))
    page.select_option("select[name=beneficiary]", value=str(world.ana.pk))
    page.select_option("select[name=category]", label="Cirugía")
    page.fill("input[name=event_date]", "2026-09-20")
    page.fill("input[name=amount_requested]", "1200,00")
    page.fill("textarea[name=description]", "Apendicitis de Ana; operada en el hospital de Sullana")
    page.set_input_files("input[name=document_receipt]", str(receipt))
    page.set_input_files("input[name=document_medical_report]", str(report))
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "1-claim-form-phone")
    page.click("text=Enviar la solicitud")
    page.wait_for_selector("text=Solicitud n.º")
    claim = Claim.objects.get()
    assert claim.documents.count() == 2 and claim.beneficiary == world.ana
    context.close()

    for number, member in enumerate(world.committee[:2], start=1):
        context, page = session(browser, live_server, member.username, f"/medfund/claims/{claim.pk}/")
        assert "Apendicitis" in page.inner_text("main")
        page.click("form[action$='/approve/'] button[type=submit]")
        page.wait_for_selector("text=Su aprobación quedó registrada.")
        screenshot(page, f"2-approved-by-{number}")
        context.close()
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.APPROVED and str(claim.amount_approved) == "1200.00"

    context, page = session(browser, live_server, world.accountant.username, f"/medfund/claims/{claim.pk}/")
    assert "Apendicitis" not in page.inner_text("main")
    page.click("text=Pagar y contabilizar")
    page.wait_for_selector("text=La solicitud está pagada y contabilizada.")
    context.close()

    context, page = session(browser, live_server, world.rosa.user.username, "/medfund/mine/", viewport=PHONE,
                            is_mobile=True, has_touch=True)
    card = page.inner_text("main")
    assert "Pagada" in card and "USD 1\xa0200,00" in card and "USD 800,00 de USD 2\xa0000,00" in card
    screenshot(page, "3-my-claims-phone")
    context.close()
