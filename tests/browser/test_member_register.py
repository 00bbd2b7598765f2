"""The member register in a real browser: an accountant at a desk, a member on a phone."""

import re
from decimal import Decimal

import pytest

from coop.models import Role
from members.models import HouseholdMember, Member, Plot
from tests.factories import CooperativeFactory, MemberFactory, user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "secret-pass-123"
PHONE = {"width": 360, "height": 740}


def log_in(page, base_url, username):
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")


def test_accountant_registers_a_family_in_spanish(browser, live_server, screenshot):
    coop = CooperativeFactory(short_name="APOQ", country="PE")
    user_with_role(Role.ACCOUNTANT, coop, username="contadora", first_name="Rosa")
    MemberFactory(cooperative=coop, number="0001", first_name="José", last_name="García Silva")
    context = browser.new_context(locale="es-PE", viewport={"width": 1280, "height": 900})
    page = context.new_page()

    log_in(page, live_server.url, "contadora")
    page.wait_for_url(re.compile(r"/members/$"))
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.locator("h1").inner_text() == "Socios"

    page.click("a[href='/members/new/']")
    page.fill("input[name=number]", "0367")
    page.fill("input[name=first_name]", "María Elena")
    page.fill("input[name=last_name]", "Chumacero Peña")
    page.fill("input[name=national_id]", "4567890")  # 7 digits: refused
    page.select_option("select[name=sex]", "F")
    page.fill("input[name=birth_date]", "1980-02-14")
    page.fill("input[name=phone]", "968123456")
    page.fill("input[name=village]", "Salitral")
    page.fill("input[name=join_date]", "2006-05-01")
    page.click("main button[type=submit]")
    assert "El DNI peruano tiene exactamente 8 dígitos." in page.locator(".field.has-error").inner_text()
    assert not Member.objects.filter(number="0367").exists()
    screenshot(page, "1-id-error")

    page.fill("input[name=national_id]", "45678901")
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r"/members/\d+/$"))
    member = Member.objects.get(cooperative=coop, number="0367")
    assert page.locator("h1").inner_text() == "María Elena Chumacero Peña"

    page.click(f"a[href='/members/{member.pk}/household/new/']")
    page.select_option("select[name=relationship]", "spouse")
    page.fill("input[name=first_name]", "Juan Carlos")
    page.fill("input[name=last_name]", "Zapata Ruiz")
    page.select_option("select[name=sex]", "M")
    page.fill("input[name=birth_date]", "1978-09-03")
    page.fill("input[name=since]", "2001-01-20")
    page.click("main button[type=submit]")
    page.wait_for_url(f"**/members/{member.pk}/")

    page.click(f"a[href='/members/{member.pk}/household/new/']")
    page.select_option("select[name=relationship]", "child")
    page.fill("input[name=first_name]", "Lucía")
    page.fill("input[name=last_name]", "Zapata Chumacero")
    page.select_option("select[name=sex]", "F")
    page.fill("input[name=birth_date]", "2012-07-30")
    page.click("main button[type=submit]")
    page.wait_for_url(f"**/members/{member.pk}/")

    page.click(f"a[href='/members/{member.pk}/plots/new/']")
    page.fill("input[name=code]", "APOQ-0367-1")
    page.fill("input[name=name]", "El Algarrobo")
    page.fill("input[name=area_ha]", "1,75")  # decimal comma, as typed in Spanish
    page.select_option("select[name=variety]", "cavendish")
    page.select_option("select[name=organic_status]", "certified")
    page.fill("input[name=organic_since]", "2010-03-01")
    page.fill("input[name=certified_area_ha]", "1.75")
    page.click("main button[type=submit]")
    page.wait_for_url(f"**/members/{member.pk}/")

    assert HouseholdMember.objects.filter(member=member).count() == 2
    assert Plot.objects.get(member=member).area_ha == Decimal("1.75")
    body = page.locator("main").inner_text()
    assert "Juan Carlos Zapata Ruiz" in body and "Cónyuge" in body
    assert "Lucía Zapata Chumacero" in body
    assert "1,75 ha" in body  # Spanish decimal comma
    assert "Historial de cambios" in body and "Rosa" in body
    screenshot(page, "2-member-page")

    page.goto(f"{live_server.url}/members/")
    page.fill("input[name=q]", "chumacero pena")  # accents need not be typed
    page.wait_for_function("!document.querySelector('#member-rows').innerText.includes('García Silva')")
    rows = page.locator("#member-rows tbody tr")
    assert rows.count() == 1
    assert "0367" in rows.first.inner_text()
    screenshot(page, "3-search")
    context.close()


def test_member_on_a_phone_sees_only_their_own_page(browser, live_server, screenshot):
    coop = CooperativeFactory(short_name="APOQ", country="PE")
    me = MemberFactory(cooperative=coop, number="0042", first_name="Santos", last_name="Yovera Nole")
    neighbour = MemberFactory(cooperative=coop, number="0043", first_name="Juana", last_name="Panta Vite")
    other_coop_member = MemberFactory(cooperative=CooperativeFactory(short_name="HUAL"), number="0001")
    from members import services

    services.member_login_create(member=me, actor=None, username="santos", password=PASSWORD)
    context = browser.new_context(locale="es-PE", viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()

    log_in(page, live_server.url, "santos")
    page.wait_for_url(re.compile(r"/members/me/$"))
    assert page.locator("h1").inner_text() == "Santos Yovera Nole"
    assert page.locator("a[href='/members/']").count() == 0  # no register in the menu
    assert page.locator("a[href$='/edit/']").count() == 0
    # Nothing overflows sideways on a 360 px screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "1-own-page")

    assert page.goto(f"{live_server.url}/members/{me.pk}/").status == 200
    for url in (
        f"/members/{neighbour.pk}/",
        f"/members/{other_coop_member.pk}/",
        f"/members/{neighbour.pk}/edit/",
        "/cooperatives/",
    ):
        response = page.goto(f"{live_server.url}{url}")
        assert response.status == 404, url
    response = page.goto(f"{live_server.url}/members/")
    assert response.status == 403
    assert "Juana" not in page.content()
    screenshot(page, "2-register-refused")
    context.close()
