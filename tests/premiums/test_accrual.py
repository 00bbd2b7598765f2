"""Earning the Fairtrade premium: accrued once when a Fairtrade container is invoiced (boxes x the
rate in force, converted by weight), received from the importer in parts, retried safely."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Sum
from django.utils import translation

from coop.models import Role
from exports.lifecycle import premium_outstanding
from exports.models import Shipment
from exports.services import importer_client_create, sale_receive
from ledger.models import Account, Leg, Transaction
from ledger.services import transaction_post
from premiums.models import PremiumAccrual, PremiumRate, PremiumReceipt
from premiums.services import IdempotencyConflict, premium_accrue, premium_for, premium_rate_set, premium_receive
from tests.factories import (
    CooperativeFactory,
    ExportsWorld,
    ImporterFactory,
    ProductFactory,
    UserFactory,
    user_with_role,
)
from tests.support.dbroles import refused_twice

pytestmark = pytest.mark.django_db
D = Decimal
RECEIVED_ON = datetime.date(2026, 4, 10)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def world(db):
    return ExportsWorld()


def counts() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in (Transaction, Leg, PremiumAccrual, PremiumReceipt, Shipment)}


def balances(world) -> dict[str, Decimal]:
    """The trial balance: every account with a balance, on its normal side."""
    return dict(Account.objects.filter(cooperative=world.cooperative).exclude(balance=0).values_list("code", "balance"))


def receive(world, shipment, amount, actor=None, **kwargs):
    return premium_receive(shipment=shipment, actor=actor or world.accountant, amount=D(amount),
                           received_on=RECEIVED_ON, reference=kwargs.pop("reference", "TRX-1"), **kwargs)


def test_three_fairtrade_containers_of_1080_boxes_accrue_3240_dollars(world):
    shipments = [world.invoiced(1080, on=datetime.date(2026, 3, day)) for day in (5, 12, 19)]
    accruals = list(PremiumAccrual.objects.filter(shipment__in=shipments).order_by("date"))
    assert [(a.boxes, a.amount, a.rate) for a in accruals] == [(1080, D("1080.00"), world.rate)] * 3
    assert [a.date for a in accruals] == [datetime.date(2026, 3, day) for day in (5, 12, 19)]
    assert [premium_outstanding(s) for s in shipments] == [D("1080.00")] * 3
    # 3 x 1,080 boxes x 8.50 of fruit, 3 x 1,080 x US$1.00 of premium.
    assert balances(world) == {"1100": D("3240.00"), "1300": D("27540.00"), "3000": D("3240.00"),
                               "4000": D("27540.00")}
    assert Leg.objects.filter(cooperative=world.cooperative).aggregate(t=Sum("amount"))["t"] == 0


@pytest.mark.parametrize(
    ("units", "amount", "per_kg", "kg_per_unit", "premium"),
    [(1000, "1.0000", "18.140", "13.500", "744.21"),  # a 13.5 kg box at US$1.00 per 18.14 kg
     (1080, "1.0000", "18.140", "18.140", "1080.00"),
     (1, "1.0000", "18.140", "13.500", "0.74"),
     (275, "0.2000", "0.454", "69.000", "8359.03"),  # coffee: US$0.20 per lb, 69 kg bags
     (1, "1.0000", "1.000", "0.005", "0.01"),  # half a cent rounds up, once
     (3, "1.0000", "1.000", "0.005", "0.02")],  # 0.015 -> 0.02, not 3 x 0.01
)
def test_the_premium_is_converted_by_weight_and_rounded_half_up_once(units, amount, per_kg, kg_per_unit, premium):
    rate = PremiumRate(amount=D(amount), per_kg=D(per_kg))
    assert premium_for(rate=rate, units=units, kg_per_unit=D(kg_per_unit)) == D(premium)


def test_a_135_kg_box_earns_by_its_weight(world):
    small_box = ProductFactory(cooperative=world.cooperative, code="BAN-1350", name="Banano caja 13,5 kg",
                               kg_per_unit=D("13.500"), units_per_container=1440)
    premium_rate_set(product=small_box, valid_from=world.PRICES_FROM, amount=D("1.0000"), per_kg=D("18.140"),
                     actor=world.accountant)
    shipment = world.invoiced(1000, product=small_box, price_per_box=D("6.40"))
    accrual = PremiumAccrual.objects.get(shipment=shipment)
    assert (accrual.boxes, accrual.amount) == (1000, D("744.21"))
    assert dict(accrual.transaction.legs.values_list("account__code", "amount")) == {
        "1100": D("744.21"), "3000": D("-744.21")}


def test_a_new_rate_applies_to_shipments_invoiced_from_its_date_on(world):
    before = world.invoiced(1080, on=datetime.date(2026, 5, 31))
    new_rate = premium_rate_set(product=world.product, valid_from=datetime.date(2026, 6, 1), amount=D("1.2000"),
                                per_kg=D("18.140"), actor=world.accountant)
    same_day_before = world.invoiced(1080, on=datetime.date(2026, 5, 31))
    on_the_day = world.invoiced(1080, on=datetime.date(2026, 6, 1))
    after = world.invoiced(500, on=datetime.date(2026, 7, 15))
    got = {s.pk: (a.rate, a.amount) for s in (before, same_day_before, on_the_day, after)
           for a in [PremiumAccrual.objects.get(shipment=s)]}
    assert got == {before.pk: (world.rate, D("1080.00")), same_day_before.pk: (world.rate, D("1080.00")),
                   on_the_day.pk: (new_rate, D("1296.00")), after.pk: (new_rate, D("600.00"))}
    assert world.balance("1100") == D("4056.00")


def test_before_any_rate_the_invoice_is_refused_and_nothing_is_posted(world):
    shipment = world.shipped(1080, etd=datetime.date(2025, 12, 20))
    before = counts()
    with pytest.raises(ValidationError, match=r"There is no premium rate for .* on 31/12/2025; set one first."):
        world.invoice(shipment, on=datetime.date(2025, 12, 31))
    assert counts() == before
    assert Shipment.objects.get(pk=shipment.pk).status == "shipped"


def test_one_rate_per_product_and_day(world):
    with pytest.raises(ValidationError):
        premium_rate_set(product=world.product, valid_from=world.PRICES_FROM, amount=D("2.0000"), per_kg=D("18.140"),
                         actor=world.accountant)
    board = user_with_role(Role.BOARD, world.cooperative)
    with pytest.raises(ValidationError, match="Your role does not allow this."):
        premium_rate_set(product=world.product, valid_from=datetime.date(2026, 9, 1), amount=D("2.0000"),
                         per_kg=D("18.140"), actor=board)


def test_a_shipment_sold_outside_fairtrade_accrues_nothing(world):
    shipment = world.invoiced(1080, fairtrade=False, price_per_box=D("6.00"))
    assert premium_accrue(shipment=shipment, actor=world.accountant) is None
    assert not PremiumAccrual.objects.exists()
    assert balances(world) == {"1300": D("6480.00"), "4000": D("6480.00")}
    with pytest.raises(ValidationError, match="invoiced Fairtrade shipment"):
        receive(world, shipment, "1.00")


def test_accruing_twice_returns_the_first_accrual_and_posts_once(world):
    shipment = world.invoiced(1080)
    first = PremiumAccrual.objects.get(shipment=shipment)
    before = counts()
    again = premium_accrue(shipment=shipment, actor=world.accountant)
    assert again == first
    assert counts() == before
    assert Transaction.objects.filter(idempotency_key=f"shipment:{shipment.pk}:premium").count() == 1
    assert world.balance("1100") == D("1080.00")


def test_the_premium_accrues_only_when_invoiced(world):
    shipment = world.shipped(100)
    before = counts()
    with pytest.raises(ValidationError, match="The premium accrues when the shipment is invoiced."):
        premium_accrue(shipment=shipment, actor=world.accountant)
    assert counts() == before


def test_a_retry_with_the_same_key_and_request_returns_the_first_receipt(world):
    shipment = world.invoiced(1080)
    receipt, created = receive(world, shipment, "400.00", idempotency_key="pay-77", request_digest="sha-a")
    assert created
    before = counts()
    again, created = receive(world, shipment, "400.00", idempotency_key="pay-77", request_digest="sha-a")
    assert (again, created) == (receipt, False)
    assert counts() == before
    assert world.balance("1000") == D("400.00")
    assert Leg.objects.filter(account__code="1000", account__cooperative=world.cooperative).count() == 1

    with pytest.raises(IdempotencyConflict):
        receive(world, shipment, "500.00", idempotency_key="pay-77", request_digest="sha-b")
    assert counts() == before
    assert premium_outstanding(shipment) == D("680.00")


def test_a_retry_after_the_shipment_is_paid_still_returns_its_receipt(world):
    shipment = world.invoiced(100)
    sale_receive(shipment=shipment, actor=world.accountant, amount=D("850.00"), received_on=RECEIVED_ON,
                 reference="TRX-0")
    receipt, _created = receive(world, shipment, "100.00", idempotency_key="pay-1", request_digest="sha-a")
    assert Shipment.objects.get(pk=shipment.pk).status == "paid"
    assert receive(world, shipment, "100.00", idempotency_key="pay-1", request_digest="sha-a") == (receipt, False)


def test_keys_are_per_client(world):
    shipment = world.invoiced(1080)
    colleague = user_with_role(Role.ADMIN, world.cooperative)
    mine, _ = receive(world, shipment, "10.00", idempotency_key="k", request_digest="d")
    theirs, created = receive(world, shipment, "10.00", actor=colleague, idempotency_key="k", request_digest="d")
    assert created and theirs != mine


def test_the_importers_own_api_client_may_record_its_premium_payment(world):
    root = UserFactory(is_superuser=True, is_staff=True)
    client, token = importer_client_create(importer=world.importer, name="ERP of the importer", actor=root)
    assert token
    rival_client, _token = importer_client_create(importer=ImporterFactory(), name="ERP", actor=root)
    shipment = world.invoiced(1080)

    receipt, created = receive(world, shipment, "1080.00", actor=client.user, idempotency_key="i-1",
                               request_digest="x")
    assert created and receipt.recorded_by == client.user
    assert world.balance("1000") == D("1080.00")

    other = world.invoiced(1080)
    before = counts()
    with pytest.raises(ValidationError, match="Your role does not allow this."):
        receive(world, other, "10.00", actor=rival_client.user)
    assert counts() == before
    with pytest.raises(ValidationError, match="Only an installation administrator issues API credentials."):
        importer_client_create(importer=world.importer, name="ERP", actor=world.accountant)


def test_a_receipt_never_exceeds_the_premium_outstanding(world):
    shipment = world.invoiced(1080)
    receive(world, shipment, "1000.00")
    before = counts()
    with pytest.raises(ValidationError) as refused:
        receive(world, shipment, "80.01")
    assert refused.value.message_dict["amount"] == [
        f"80.01 is more than the 80.00 premium outstanding on container {shipment.container_display}."]
    assert counts() == before
    receive(world, shipment, "80.00")
    assert premium_outstanding(shipment) == D("0.00")
    assert world.balance("1100") == D("0.00")


def run_refused_sql(sql, params):
    def attempt():
        with pytest.raises(IntegrityError) as refusal, transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
        return str(refusal.value)

    return refused_twice(attempt)


@pytest.mark.parametrize("table", ["premiums_premiumaccrual", "premiums_premiumreceipt"])
def test_accruals_and_receipts_are_append_only_in_sql(world, table):
    shipment = world.invoiced(1080)
    receive(world, shipment, "100.00")
    row = (PremiumAccrual if table.endswith("accrual") else PremiumReceipt).objects.get(shipment=shipment)
    assert "never updated or deleted" in run_refused_sql(f"UPDATE {table} SET amount = 1 WHERE id = %s", [row.pk])
    assert "never updated or deleted" in run_refused_sql(f"DELETE FROM {table} WHERE id = %s", [row.pk])
    def update_by_the_orm():
        with pytest.raises(IntegrityError, match="never updated or deleted"), transaction.atomic():
            type(row).objects.filter(pk=row.pk).update(amount=D("1.00"))

    refused_twice(update_by_the_orm)
    assert type(row).objects.get(pk=row.pk).amount == row.amount


def test_a_receipt_stays_in_its_shipments_coop(world):
    shipment = world.invoiced(1080)
    elsewhere = CooperativeFactory()
    entry = transaction_post(cooperative=world.cooperative, date=RECEIVED_ON, memo="Premium", actor=world.accountant,
                             legs=[(world.accounts["1000"], D("1.00")), (world.accounts["1100"], D("-1.00"))])
    with pytest.raises(IntegrityError, match="premiums_premiumreceipt_same_coop_as_shipment"), transaction.atomic():
        PremiumReceipt.objects.create(cooperative=elsewhere, shipment=shipment, amount=D("1.00"),
                                      received_on=RECEIVED_ON, reference="X", transaction=entry,
                                      recorded_by=world.accountant)
        connection.check_constraints()
    assert not PremiumReceipt.objects.exists()
