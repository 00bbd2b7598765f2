"""The shipment pages as an accountant uses them, and who may reach them (by guessing ids)."""

from decimal import Decimal

import pytest
from django.test import Client
from django.utils import translation

from coop.models import Role
from exports.models import Delivery, Product, RejectionReason, Shipment, ShipmentStatus
from ledger.models import Account
from members.models import MemberStatus, OrganicStatus
from premiums.models import PremiumReceipt
from tests.exports.world import world_fixture  # noqa: F401 (the ``world`` fixture)
from tests.factories import MemberFactory, PlotFactory, user_with_role

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def client_for(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def plan_shipment(client, coop, **overrides):
    product = Product.objects.get(cooperative=coop, code="BAN-ORG")
    importer = Shipment.objects.filter(cooperative=coop).first().importer
    data = {"importer": importer.pk, "product": product.pk, "container_number": "tghu 768731 8",
            "port_of_loading": "Paita", "port_of_destination": "Antwerp", "etd": "2026-11-20", "incoterm": "FOB",
            "price_per_box": "15.20", "fairtrade": "on", "organic": "", "capacity": "20"} | overrides
    return client.post(f"/exports/{coop.pk}/new/", data)


def test_an_accountant_takes_a_shipment_from_plan_to_paid(world):
    coop = world.apoq
    accountant = client_for(world.staff[coop.pk])
    wrong = plan_shipment(accountant, coop, container_number="TGHU7687311")
    assert wrong.status_code == 200 and "check digit should be 8" in wrong.content.decode()
    assert not Shipment.objects.filter(container_number="TGHU7687311").exists()
    response = plan_shipment(accountant, coop)
    shipment = Shipment.objects.filter(container_number="TGHU7687318").latest("id")
    assert response.status_code == 302 and response.url == f"/exports/shipments/{shipment.pk}/"
    assert shipment.capacity == 20 and shipment.price_per_box == D("15.20")

    # The loading sheet, line by line as htmx posts them.
    member = MemberFactory(cooperative=coop, number="03017")
    plot = PlotFactory(member=member, cooperative=coop)
    reason = RejectionReason.objects.get(cooperative=coop, code="CIC")
    sheet = f"/exports/shipments/{shipment.pk}/loading/"
    line = {"member": "3017", "plot": "", "accepted_boxes": "12", "rejected_boxes": "2",
            "rejection_reason": reason.pk, "date": "2026-11-18"}
    page = accountant.post(sheet, line, HTTP_HX_REQUEST="true")
    assert page.status_code == 200 and "12</strong> / 20" in page.content.decode()
    too_many = accountant.post(sheet, line | {"accepted_boxes": "9"}, HTTP_HX_REQUEST="true").content.decode()
    assert "8 more fit, not 9" in too_many
    assert accountant.post(sheet, line | {"member": "99999"}, HTTP_HX_REQUEST="true").content.decode().count(
        "No member 99999") == 1
    accountant.post(sheet, line | {"accepted_boxes": "8", "rejected_boxes": "0", "rejection_reason": ""},
                    HTTP_HX_REQUEST="true")
    assert sum(d.accepted_boxes for d in Delivery.objects.filter(shipment=shipment)) == 20
    shipment.refresh_from_db()
    assert shipment.status == ShipmentStatus.LOADING

    step = f"/exports/shipments/{shipment.pk}/step/"
    assert accountant.post(step, {"to": "shipped"}).status_code == 302
    assert accountant.post(step, {"to": "loading"}).status_code == 400  # backward: refused
    invoice = accountant.post(f"/exports/shipments/{shipment.pk}/invoice/",
                              {"invoice-invoice_number": "F001-0099", "invoice-invoiced_on": "2026-11-21"})
    assert invoice.status_code == 302
    shipment.refresh_from_db()
    assert shipment.status == ShipmentStatus.INVOICED and shipment.invoice_amount == D("304.00")
    assert Account.objects.get(cooperative=coop, code="1100").balance == D("2180.00")  # 2 x 1080 + 20

    over = accountant.post(f"/exports/shipments/{shipment.pk}/premium-payments/",
                           {"premium-amount": "20.01", "premium-received_on": "2026-11-22",
                            "premium-reference": "TRF 1"})
    assert over.status_code == 400 and "more than the" in over.content.decode()
    assert not PremiumReceipt.objects.filter(shipment=shipment).exists()
    accountant.post(f"/exports/shipments/{shipment.pk}/premium-payments/",
                    {"premium-amount": "20.00", "premium-received_on": "2026-11-22", "premium-reference": "TRF 1"})
    accountant.post(f"/exports/shipments/{shipment.pk}/payments/",
                    {"sale-amount": "304.00", "sale-received_on": "2026-11-22", "sale-reference": "TRF 2"})
    shipment.refresh_from_db()
    assert shipment.status == ShipmentStatus.PAID
    page = accountant.get(f"/exports/shipments/{shipment.pk}/").content.decode()
    assert "Paid" in page and "03017" in page and plot.code in page


def test_loading_sheet_refuses_inactive_members_and_uncertified_plots_in_organic_lots(world):
    coop = world.apoq
    accountant = client_for(world.staff[coop.pk])
    plan_shipment(accountant, coop, organic="on")
    shipment = Shipment.objects.filter(container_number="TGHU7687318").latest("id")
    sheet = f"/exports/shipments/{shipment.pk}/loading/"
    conventional = PlotFactory(member=MemberFactory(cooperative=coop), cooperative=coop,
                               organic_status=OrganicStatus.CONVENTIONAL, organic_since=None,
                               certified_area_ha=D("0"))
    body = accountant.post(sheet, {"member": conventional.member.number, "plot": conventional.code,
                                   "accepted_boxes": "5", "rejected_boxes": "0", "date": "2026-11-18"},
                           HTTP_HX_REQUEST="true").content.decode()
    assert "is not certified organic" in body
    withdrawn = MemberFactory(cooperative=coop, status=MemberStatus.WITHDRAWN)
    plot = PlotFactory(member=withdrawn, cooperative=coop)
    body = accountant.post(sheet, {"member": withdrawn.number, "plot": plot.code, "accepted_boxes": "5",
                                   "rejected_boxes": "0", "date": "2026-11-18"}, HTTP_HX_REQUEST="true").content.decode()
    assert "only active members deliver" in body
    assert not Delivery.objects.filter(shipment=shipment).exists()


def test_lists_and_reports_show_the_figures(world, django_assert_max_num_queries):
    coop = world.apoq
    accountant = client_for(world.staff[coop.pk])
    with django_assert_max_num_queries(12):
        page = accountant.get(f"/exports/{coop.pk}/")
    assert page.status_code == 200 and page.content.decode().count("/exports/shipments/") >= 2
    reconciliation = accountant.get(f"/exports/{coop.pk}/premium/").content.decode()
    assert "Importer A" in reconciliation and "Importer B" in reconciliation and "USD 2,160.00" in reconciliation
    balance = accountant.get(f"/exports/{coop.pk}/mass-balance/?year=2026").content.decode()
    assert "2,160" in balance and "24" in balance  # 6 deliveries of 360 boxes, 4 rejected each
    assert accountant.get(f"/exports/{coop.pk}/mass-balance/?year=99999").status_code == 200


def test_pages_out_of_reach_are_not_found(world):
    a1 = world.shipments["a1"]
    delivery = a1.deliveries.first()
    urls = [f"/exports/shipments/{a1.pk}/", f"/exports/shipments/{a1.pk}/loading/",
            f"/exports/shipments/{a1.pk}/edit/", f"/exports/{world.apoq.pk}/", f"/exports/{world.apoq.pk}/premium/"]
    other_coop = client_for(world.staff[world.hualtaco.pk])
    for url in urls:
        assert other_coop.get(url).status_code == 404, url
    for url in (f"/exports/shipments/{a1.pk}/step/", f"/exports/shipments/{a1.pk}/invoice/",
                f"/exports/deliveries/{delivery.pk}/remove/"):
        assert other_coop.post(url, {"to": "cancelled", "note": "x"}).status_code == 404, url
    importer_user = world.importer_a_user
    importer = client_for(importer_user)
    assert importer.get(f"/exports/shipments/{a1.pk}/").status_code == 404
    assert importer.get("/exports/").status_code == 403


def test_the_board_reads_but_does_not_act(world):
    coop = world.apoq
    board = client_for(user_with_role(Role.BOARD, coop, username="directiva"))
    a1 = world.shipments["a1"]
    page = board.get(f"/exports/shipments/{a1.pk}/").content.decode()
    assert "Record premium payment" not in page
    assert board.post(f"/exports/shipments/{a1.pk}/premium-payments/",
                      {"premium-amount": "1.00", "premium-received_on": "2026-11-22",
                       "premium-reference": "x"}).status_code == 403
    assert board.get(f"/exports/{coop.pk}/new/").status_code == 403


def test_pages_are_in_spanish(world):
    coop = world.apoq
    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    client.force_login(world.staff[coop.pk])
    with translation.override("es"):
        page = client.get(f"/exports/shipments/{world.shipments['a1'].pk}/").content.decode()
    assert "Trazabilidad" in page and "USD 1\u00a0080,00" in page


def test_traceability_from_the_producer(world, django_assert_max_num_queries):
    coop = world.apoq
    accountant = client_for(world.staff[coop.pk])
    delivery = world.shipments["a1"].deliveries.select_related("member").first()
    with django_assert_max_num_queries(10):
        page = accountant.get(f"/exports/producers/{delivery.member_id}/")
    body = page.content.decode()
    assert page.status_code == 200 and world.shipments["a1"].container_number in body and "Invoiced" in body
    assert client_for(world.staff[world.hualtaco.pk]).get(f"/exports/producers/{delivery.member_id}/").status_code == 404
