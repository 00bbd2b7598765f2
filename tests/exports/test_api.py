"""The shipments API as importers' programs and co-op staff use it: scoping by guessing ids,
traceability, premium figures and the idempotent premium payment advice."""

import datetime
import itertools
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from coop.models import Role
from coop.services import cooperative_create
from exports.models import Importer, Product, RejectionReason
from exports.services import (
    delivery_add,
    importer_client_create,
    shipment_advance,
    shipment_create,
    shipment_invoice,
)
from ledger.models import Transaction
from members.models import OrganicStatus
from premiums.models import PremiumReceipt
from premiums.services import premium_rate_set
from tests.factories import MemberFactory, PlotFactory, user_with_role

pytestmark = pytest.mark.django_db
D = Decimal
ETD = datetime.date(2026, 10, 5)
CONTAINERS = itertools.cycle(["CSQU3054383", "MSKU9070323", "MAEU1234567", "TGHU7687318", "HLXU8016936", "CMAU4183460"])


def check_digit_fixed(number: str) -> str:
    from exports.validators import container_check_digit

    return number[:10] + str(container_check_digit(number[:10]))


@pytest.fixture
def world(db):
    """Two co-ops, two importers: A buys from both co-ops, B from the first only."""
    superuser = get_user_model().objects.create_superuser("root", password="x")
    apoq = cooperative_create(name="APOQ", short_name="APOQ", country="PE")
    hualtaco = cooperative_create(name="Hualtaco", short_name="HUALTACO", country="PE")
    importer_a = Importer.objects.create(name="Importer A", country="Germany")
    importer_b = Importer.objects.create(name="Importer B", country="Netherlands")
    staff = {coop.pk: user_with_role(Role.ACCOUNTANT, coop, username=f"contador-{coop.short_name}")
             for coop in (apoq, hualtaco)}
    shipments = {}
    for coop, importer, key in ((apoq, importer_a, "a1"), (hualtaco, importer_a, "a2"), (apoq, importer_b, "b1")):
        actor = staff[coop.pk]
        product = Product.objects.get_or_create(cooperative=coop, code="BAN-ORG", defaults={
            "name": "Banano orgánico", "kg_per_unit": D("18.140"), "units_per_container": 1080})[0]
        if not product.premium_rates.exists():
            premium_rate_set(product=product, valid_from=datetime.date(2026, 1, 1), amount=D("1.0000"),
                             per_kg=D("18.140"), actor=actor)
        reason = RejectionReason.objects.get_or_create(cooperative=coop, code="CIC", defaults={"name": "Cicatriz"})[0]
        shipment = shipment_create(
            cooperative=coop, actor=actor, importer=importer, product=product,
            container_number=check_digit_fixed(next(CONTAINERS)), etd=ETD, port_of_loading="Paita",
            port_of_destination="Hamburg", price_per_box=D("14.50"), organic=True)
        for number in range(3):
            member = MemberFactory(cooperative=coop)
            plot = PlotFactory(member=member, cooperative=coop, organic_status=OrganicStatus.CERTIFIED,
                               organic_since=datetime.date(2020, 1, 1))
            delivery_add(shipment=shipment, actor=actor, member=member, plot=plot, date=datetime.date(2026, 10, 2),
                         accepted_boxes=360, rejected_boxes=4, rejection_reason=reason)
        shipment_advance(shipment=shipment, actor=actor, to="shipped")
        shipment_invoice(shipment=shipment, actor=actor, invoice_number=f"F001-{key}", invoiced_on=ETD)
        shipments[key] = shipment
    clients = {}
    for importer in (importer_a, importer_b):
        client_row, token = importer_client_create(importer=importer, name="ERP", actor=superuser)
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        clients[importer.name] = api

    class World:
        pass

    world = World()
    world.apoq, world.hualtaco, world.shipments, world.staff = apoq, hualtaco, shipments, staff
    world.importer_a, world.importer_b = clients["Importer A"], clients["Importer B"]
    return world


def test_importer_sees_its_shipments_across_coops_and_nothing_else(world):
    listed = world.importer_a.get("/api/v1/shipments/").json()
    assert {row["id"] for row in listed["results"]} == {world.shipments["a1"].pk, world.shipments["a2"].pk}
    assert {row["cooperative"] for row in listed["results"]} == {"APOQ", "HUALTACO"}
    # Guessing the other importer's shipment id: 404, not 403.
    assert world.importer_a.get(f"/api/v1/shipments/{world.shipments['b1'].pk}/").status_code == 404
    assert world.importer_b.get(f"/api/v1/shipments/{world.shipments['a1'].pk}/").status_code == 404
    assert world.importer_b.get(f"/api/v1/shipments/{world.shipments['a2'].pk}/deliveries/").status_code == 404
    response = world.importer_b.post(f"/api/v1/shipments/{world.shipments['a1'].pk}/premium-payments/",
                                     {"amount": "1.00", "paid_on": "2026-10-20", "reference": "x"}, format="json")
    assert response.status_code == 404
    # Nor the co-ops' other data.
    assert world.importer_a.get("/api/v1/members/").json()["results"] == []
    assert world.importer_a.get("/api/v1/ledger/accounts/").json()["results"] == []


def test_detail_has_traceability_and_premium(world):
    shipment = world.shipments["a1"]
    body = world.importer_a.get(f"/api/v1/shipments/{shipment.pk}/").json()
    assert body["boxes"] == 1080 and body["rejected_boxes"] == 12
    assert body["premium"] == {"accrued": "1080.00", "paid": "0.00", "outstanding": "1080.00"}
    assert len(body["traceability"]) == 3
    assert all("name" not in line for line in body["traceability"])  # member numbers only
    assert [step["status"] for step in body["steps"]] == ["planned", "loading", "shipped", "invoiced"]
    world.apoq.share_producer_names = True
    world.apoq.save(update_fields=["share_producer_names"])
    body = world.importer_a.get(f"/api/v1/shipments/{shipment.pk}/").json()
    assert all(line["name"] for line in body["traceability"])


def test_payment_advice_is_idempotent(world):
    shipment = world.shipments["a1"]
    url = f"/api/v1/shipments/{shipment.pk}/premium-payments/"
    body = {"amount": "400.00", "paid_on": "2026-10-20", "reference": "SWIFT 123"}
    before = Transaction.objects.count()
    first = world.importer_a.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="advice-1")
    again = world.importer_a.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="advice-1")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert Transaction.objects.count() == before + 1
    conflict = world.importer_a.post(url, {**body, "amount": "500.00"}, format="json", HTTP_IDEMPOTENCY_KEY="advice-1")
    assert conflict.status_code == 409
    assert PremiumReceipt.objects.filter(shipment=shipment).count() == 1
    detail = world.importer_a.get(f"/api/v1/shipments/{shipment.pk}/").json()
    assert detail["premium"] == {"accrued": "1080.00", "paid": "400.00", "outstanding": "680.00"}
    too_much = world.importer_a.post(url, {**body, "amount": "680.01"}, format="json", HTTP_IDEMPOTENCY_KEY="advice-2")
    assert too_much.status_code == 400 and "amount" in too_much.json()


@pytest.mark.parametrize("body", [
    {"amount": "abc", "paid_on": "2026-10-20", "reference": "x"},
    {"amount": "1e400", "paid_on": "2026-10-20", "reference": "x"},
    {"amount": "-5", "paid_on": "2026-10-20", "reference": "x"},
    {"amount": "5.00", "paid_on": "20-10-2026", "reference": "x"},
    {"amount": "5.00", "paid_on": "2026-10-20", "reference": "nul\x00byte"},
    {"amount": "5.00", "paid_on": "2026-10-20"},
])
def test_bad_advice_is_a_400_naming_the_field(world, body):
    url = f"/api/v1/shipments/{world.shipments['a1'].pk}/premium-payments/"
    response = world.importer_a.post(url, body, format="json")
    assert response.status_code == 400
    assert set(response.json()) & {"amount", "paid_on", "reference"}


@pytest.mark.parametrize("query", ["status=nonsense", "from=2026-99-99", "cooperative=99999999999999999999",
                                   "page=-1", "container=%00", "product=" + "x" * 5000])
def test_absurd_query_parameters_never_fail(world, query):
    assert world.importer_a.get(f"/api/v1/shipments/?{query}").status_code in (200, 404)


def test_staff_see_their_coop_only(world):
    api = APIClient()
    api.force_authenticate(world.staff[world.hualtaco.pk])
    rows = api.get("/api/v1/shipments/").json()["results"]
    assert [row["id"] for row in rows] == [world.shipments["a2"].pk]
    assert api.get(f"/api/v1/shipments/{world.shipments['a1'].pk}/").status_code == 404
    # The board reads but does not record payments.
    board = user_with_role(Role.BOARD, world.hualtaco, username="directivo")
    api.force_authenticate(board)
    response = api.post(f"/api/v1/shipments/{world.shipments['a2'].pk}/premium-payments/",
                        {"amount": "1.00", "paid_on": "2026-10-20", "reference": "x"}, format="json")
    assert response.status_code == 403


def test_list_queries_do_not_grow_with_the_page(world, django_assert_max_num_queries):
    api = world.importer_a
    with django_assert_max_num_queries(8):
        assert api.get("/api/v1/shipments/?page_size=1").status_code == 200
    with django_assert_max_num_queries(8):
        assert api.get("/api/v1/shipments/").status_code == 200


def test_a_token_that_is_wrong_is_refused(world):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION="Token " + "0" * 64)
    assert api.get("/api/v1/shipments/").status_code == 401
