"""Two co-ops and two importers with invoiced Fairtrade shipments, for the API and page tests."""

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
from members.models import OrganicStatus
from premiums.services import premium_rate_set
from tests.factories import MemberFactory, PlotFactory, user_with_role

D = Decimal
ETD = datetime.date(2026, 10, 5)
CONTAINERS = itertools.cycle(["CSQU3054383", "MSKU9070323", "MAEU1234567", "TGHU7687318", "HLXU8016936", "CMAU4183460"])


def check_digit_fixed(number: str) -> str:
    from exports.validators import container_check_digit

    return number[:10] + str(container_check_digit(number[:10]))


@pytest.fixture(name="world")
def world_fixture(db):
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
        for _ in range(3):
            member = MemberFactory(cooperative=coop)
            plot = PlotFactory(member=member, cooperative=coop, organic_status=OrganicStatus.CERTIFIED,
                               organic_since=datetime.date(2020, 1, 1))
            delivery_add(shipment=shipment, actor=actor, member=member, plot=plot, date=datetime.date(2026, 10, 2),
                         accepted_boxes=360, rejected_boxes=4, rejection_reason=reason)
        shipment_advance(shipment=shipment, actor=actor, to="shipped")
        shipment_invoice(shipment=shipment, actor=actor, invoice_number=f"F001-{key}", invoiced_on=ETD)
        shipments[key] = shipment
    clients, users = {}, {}
    for importer in (importer_a, importer_b):
        client_row, token = importer_client_create(importer=importer, name="ERP", actor=superuser)
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        clients[importer.name], users[importer.name] = api, client_row.user

    class World:
        pass

    world = World()
    world.apoq, world.hualtaco, world.shipments, world.staff = apoq, hualtaco, shipments, staff
    world.importer_a, world.importer_b = clients["Importer A"], clients["Importer B"]
    world.importer_a_user = users["Importer A"]
    return world
