from decimal import Decimal

import pytest
from django.utils import translation

from coop.templatetags.coop_format import grouped, hectares, money
from tests.factories import MemberFactory, PlotFactory


@pytest.mark.parametrize(
    ("language", "expected"),
    # Spanish groups thousands with a no-break space (RAE), English with commas.
    [("es", "USD 1\u00a0234\u00a0567,50"), ("en", "USD 1,234,567.50")],
)
def test_money_is_shown_the_local_way(language, expected):
    with translation.override(language):
        assert money(Decimal("1234567.5")) == expected


def test_hectares_and_grouped_numbers():
    with translation.override("es"):
        assert hectares(Decimal("1.7500")) == "1,75 ha"
        assert grouped(10000) == "10\u00a0000"
    with translation.override("en"):
        assert hectares(Decimal("1234.5")) == "1,234.50 ha"


@pytest.mark.django_db
def test_pages_are_spanish_by_default_and_switch_to_english(client, accountant, coop_pe):
    member = MemberFactory(cooperative=coop_pe, birth_date="1975-05-17")
    PlotFactory(member=member, area_ha=Decimal("2.5"), certified_area_ha=Decimal("2.5"))
    client.force_login(accountant)

    page = client.get(f"/members/{member.pk}/").content.decode()
    assert '<html lang="es">' in page
    assert "Fecha de nacimiento" in page and "17/05/1975" in page and "2,50 ha" in page

    response = client.post("/i18n/setlang/", {"language": "en", "next": f"/members/{member.pk}/"})
    assert response.status_code == 302
    page = client.get(f"/members/{member.pk}/").content.decode()
    assert '<html lang="en">' in page
    assert "Birth date" in page and "2.50 ha" in page


@pytest.mark.django_db
def test_login_page_and_password_reset_work_in_spanish(client, accountant, mailoutbox):
    assert "Ingresar" in client.get("/accounts/login/").content.decode()
    response = client.post("/accounts/password_reset/", {"email": accountant.email})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert "/accounts/reset/" in mailoutbox[0].body


@pytest.mark.django_db
def test_health_answers_without_login(client):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_cooperative_page_shows_certifications_and_their_change_history(client, accountant, coop_pe):
    import datetime

    import pghistory

    from tests.factories import CertificationFactory

    certification = CertificationFactory(cooperative=coop_pe, number="FT-1", expires_on=datetime.date(2027, 1, 1))
    with pghistory.context(user=accountant.pk):
        certification.number = "FT-2"
        certification.save()
    client.force_login(accountant)
    page = client.get(f"/cooperatives/{coop_pe.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "FT-2" in page
    assert "<del>FT-1</del> → <ins>FT-2</ins>" in page
    assert accountant.username in page
