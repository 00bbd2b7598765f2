"""A container's loading sheet from a CSV file: all of it, or nothing with every error named."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from exports.models import Delivery, Shipment
from tests.exports.world import world_fixture  # noqa: F401 (the ``world`` fixture)
from tests.factories import MemberFactory, PlotFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def loading(world):
    from tests.exports.test_pages import plan_shipment

    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.staff[world.apoq.pk])
    plan_shipment(client, world.apoq, capacity="100")
    shipment = Shipment.objects.filter(cooperative=world.apoq, status="planned").latest("id")
    first = MemberFactory(cooperative=world.apoq, number="05011")
    second = MemberFactory(cooperative=world.apoq, number="05012")
    plots = [PlotFactory(member=first, cooperative=world.apoq, code="P-501"),
             PlotFactory(member=second, cooperative=world.apoq, code="P-502")]
    return client, shipment, plots


def upload(client, shipment, text: str, encoding="utf-8"):
    file = SimpleUploadedFile("carga.csv", text.encode(encoding), content_type="text/csv")
    return client.post(f"/exports/shipments/{shipment.pk}/loading/import/", {"file": file})


def test_a_good_file_loads_every_line(loading):
    client, shipment, _plots = loading
    text = ("Número de socio;Parcela;Cajas aceptadas;Cajas rechazadas;Motivo rechazo;Fecha\n"
            "5011;P-501;40;2;CIC;18/11/2026\n05012;p-502;35;0;;2026-11-18\n")
    response = upload(client, shipment, text, "cp1252")
    assert response.status_code == 302
    assert sorted(Delivery.objects.filter(shipment=shipment).values_list("accepted_boxes", flat=True)) == [35, 40]
    shipment.refresh_from_db()
    assert shipment.status == "loading"


def test_one_wrong_line_loads_nothing_and_every_error_is_named(loading):
    client, shipment, _plots = loading
    text = ("numero_socio,parcela,cajas_aceptadas,cajas_rechazadas,motivo_rechazo,fecha\n"
            "5011,P-502,10,0,,2026-11-18\n"     # another member's plot
            "99999,P-501,10,0,,2026-11-18\n"     # no such member
            "5011,P-501,diez,0,,2026-11-18\n"   # not a number
            "5011,P-501,10,3,,2026-11-18\n"     # rejected without a reason
            "5012,P-502,10,0,,31/02/2026\n")    # no such date
    response = upload(client, shipment, text)
    body = response.content.decode()
    assert response.status_code == 400
    for expected in ("Line 2, parcela", "Line 3, numero_socio", "Line 4, cajas_aceptadas",
                     "Line 5, motivo_rechazo", "Line 6, fecha"):
        assert expected in body, expected
    assert not Delivery.objects.filter(shipment=shipment).exists()


def test_a_file_beyond_the_capacity_loads_nothing(loading):
    client, shipment, _plots = loading
    text = "socio;parcela;cajas;fecha\n5011;P-501;60;2026-11-18\n5012;P-502;41;2026-11-18\n"
    response = upload(client, shipment, text)
    assert response.status_code == 400 and "100 more fit, not 101" in response.content.decode()
    assert not Delivery.objects.filter(shipment=shipment).exists()
