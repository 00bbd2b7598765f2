"""Clerks and importer programs writing at the same moment: a container never takes more boxes
than it holds, the premium received never exceeds the premium accrued, and a retried request
records one receipt. Real threads, real connections, real commits."""

import threading
import time
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connections, transaction
from django.db.models import Sum
from django.utils import translation

from exports.lifecycle import premium_outstanding
from exports.models import Delivery, Shipment, ShipmentStep
from exports.services import importer_client_create
from ledger.models import Leg
from premiums.models import PremiumReceipt
from premiums.services import IdempotencyConflict, premium_receive
from tests.factories import ExportsWorld, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)
D = Decimal


def run_at_once(work, count: int) -> list:
    """Start ``count`` threads on a barrier so that they write at the same moment."""
    barrier = threading.Barrier(count)
    outcomes = [None] * count

    def worker(index):
        try:
            with translation.override("en"):
                barrier.wait()
                outcomes[index] = work(index)
        except Exception as error:  # the outcome is what the test looks at
            outcomes[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


@pytest.fixture
def world():
    return ExportsWorld(members=8)


def split(outcomes):
    succeeded = [o for o in outcomes if o is not None and not isinstance(o, Exception)]
    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(succeeded) + len(refused) == len(outcomes), outcomes  # no other error, no thread left hanging
    return succeeded, refused


def test_clerks_loading_one_container_at_once_never_overfill_it(world):
    shipment = world.plan()  # 1,080 boxes; still planned: the first delivery makes it loading

    def deliver(index):
        return world.load(shipment, 200, member=world.members[index])

    succeeded, refused = split(run_at_once(deliver, 8))
    assert (len(succeeded), len(refused)) == (5, 3)
    assert all(error.message_dict["accepted_boxes"] == [
        "The container holds 1080 boxes and 1000 are loaded: 80 more fit, not 200."] for error in refused)
    assert Delivery.objects.filter(shipment=shipment).aggregate(t=Sum("accepted_boxes"))["t"] == 1000
    assert Shipment.objects.get(pk=shipment.pk).status == "loading"
    assert list(ShipmentStep.objects.filter(shipment=shipment).values_list("status", flat=True)) == [
        "planned", "loading"]


def test_uneven_deliveries_at_once_fill_the_container_without_passing_it(world):
    shipment = world.plan(capacity=300)
    sizes = [90, 70, 60, 50, 40, 30, 20, 10]  # 370 boxes offered for 300 places

    def deliver(index):
        return world.load(shipment, sizes[index], member=world.members[index])

    outcomes = run_at_once(deliver, len(sizes))
    succeeded, refused = split(outcomes)
    loaded = Delivery.objects.filter(shipment=shipment).aggregate(t=Sum("accepted_boxes"))["t"]
    assert loaded == sum(d.accepted_boxes for d in succeeded) <= 300
    assert refused  # 370 boxes do not fit in 300 places
    # Free places only shrink: a delivery refused did not fit even in what is left now.
    assert all(sizes[i] > 300 - loaded for i, o in enumerate(outcomes) if isinstance(o, ValidationError))


def test_premium_receipts_at_once_never_exceed_the_premium_accrued(world):
    shipment = world.invoiced(1080)  # US$1,080.00 of premium

    def pay(index):
        return premium_receive(shipment=shipment, actor=world.accountant, amount=D("200.00"),
                               received_on=world.INVOICED_ON, reference=f"TRX-{index}")[0]

    succeeded, refused = split(run_at_once(pay, 8))
    assert (len(succeeded), len(refused)) == (5, 3)
    assert all(error.message_dict["amount"][0].startswith("200.00 is more than the 80.00 premium outstanding")
               for error in refused)
    assert PremiumReceipt.objects.filter(shipment=shipment).aggregate(t=Sum("amount"))["t"] == D("1000.00")
    assert premium_outstanding(shipment) == D("80.00")
    assert world.balance("1000") == D("1000.00")
    assert world.balance("1100") == D("80.00")


def test_the_same_idempotency_key_sent_twice_at_once_records_one_receipt(world):
    shipment = world.invoiced(1080)

    def pay(_index):
        return premium_receive(shipment=shipment, actor=world.accountant, amount=D("300.00"),
                               received_on=world.INVOICED_ON, reference="TRX-9", idempotency_key="retry-1",
                               request_digest="sha-1")

    outcomes = run_at_once(pay, 4)
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert len({receipt.pk for receipt, _created in outcomes}) == 1
    assert sorted(created for _receipt, created in outcomes) == [False, False, False, True]
    assert PremiumReceipt.objects.filter(shipment=shipment).count() == 1
    assert Leg.objects.filter(account__code="1000", cooperative=world.cooperative).count() == 1
    assert world.balance("1000") == D("300.00")



def test_the_same_key_for_a_shipment_of_another_coop_at_once_is_a_conflict(world):
    """The importer's program pays two co-ops; within one co-op the co-op row lock serializes receipts."""
    client, _token = importer_client_create(importer=world.importer, name="ERP",
                                            actor=UserFactory(is_superuser=True))
    guabo = ExportsWorld(short_name="GUABO")
    first, second = world.invoiced(1080), guabo.invoiced(1080, importer=world.importer)
    recorded = threading.Event()
    outcomes = {}

    def pay(shipment, digest):
        return premium_receive(shipment=shipment, actor=client.user, amount=D("100.00"),
                               received_on=world.INVOICED_ON, reference="TRX-1", idempotency_key="retry-2",
                               request_digest=digest)

    def slow_first():
        try:
            with transaction.atomic():  # the first request is recorded but not yet committed ...
                outcomes["first"] = pay(first, "sha-first")
                recorded.set()
                time.sleep(0.5)  # ... while the second one arrives
        except Exception as error:
            outcomes["first"] = error
        finally:
            recorded.set()
            connections.close_all()

    def second_request():
        recorded.wait(10)
        try:
            outcomes["second"] = pay(second, "sha-second")
        except Exception as error:
            outcomes["second"] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=slow_first), threading.Thread(target=second_request)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert outcomes["first"][1] is True
    assert PremiumReceipt.objects.count() == 1
    assert isinstance(outcomes["second"], IdempotencyConflict), outcomes["second"]
