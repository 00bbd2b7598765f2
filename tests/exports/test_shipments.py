"""A shipment through its lifecycle: planned -> loading -> shipped -> invoiced -> paid, forward only,
with its deliveries, its invoice (sale and premium posted once) and the money received. Every
refusal is checked twice where the database holds the rule: through the service, and past it."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Sum
from django.utils import timezone

from coop.models import Role
from exports.models import Delivery, SaleReceipt, Shipment, ShipmentStatus, ShipmentStep
from exports.services import (
    delivery_remove,
    delivery_update,
    price_set,
    sale_receive,
    shipment_advance,
    shipment_invoice,
    shipment_update,
)
from ledger.models import Leg, Transaction
from ledger.services import period_close
from members.models import Plot
from members.services import member_status_change
from premiums.models import PremiumAccrual, PremiumReceipt
from premiums.services import premium_receive
from tests.factories import (
    CooperativeFactory,
    ExportsWorld,
    ImporterFactory,
    MemberFactory,
    PlotFactory,
    ProductFactory,
    RejectionReasonFactory,
    user_with_role,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
D = Decimal
PAID_ON = datetime.date(2026, 4, 10)
TABLES = (Shipment, ShipmentStep, Delivery, SaleReceipt, Transaction, Leg, PremiumAccrual, PremiumReceipt)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in TABLES}


def refused(call, **kwargs) -> ValidationError:
    """Call a service that must refuse; nothing may be half-saved."""
    before = counts()
    with pytest.raises(ValidationError) as refusal:
        call(**kwargs)
    assert counts() == before, "a refused call left rows behind"
    return refusal.value


def refused_at_commit(write) -> IntegrityError:
    """Write past the services and run the deferred (commit-time) checks now, in a savepoint."""
    with pytest.raises(IntegrityError) as refusal, transaction.atomic():
        write()
        connection.check_constraints()
    return refusal.value


def status_of(shipment) -> str:
    return Shipment.objects.get(pk=shipment.pk).status


def legs_of(entry: Transaction) -> dict[str, Decimal]:
    return dict(entry.legs.values_list("account__code", "amount"))


def in_state(world, state: str) -> Shipment:
    """A shipment taken through the services to ``state``."""
    if state == "planned":
        return world.plan()
    if state == "loading":
        shipment = world.plan()
        world.load(shipment, 500)
        return shipment
    if state == "shipped":
        return world.shipped(1080)
    if state == "invoiced":
        return world.invoiced(1080)
    if state == "paid":
        shipment = world.invoiced(1080)
        sale_receive(shipment=shipment, actor=world.accountant, amount=shipment.invoice_amount, received_on=PAID_ON,
                     reference="TRX-1")
        premium_receive(shipment=shipment, actor=world.accountant, amount=D("1080.00"), received_on=PAID_ON,
                        reference="TRX-2")
        return Shipment.objects.get(pk=shipment.pk)
    shipment = world.plan()
    return shipment_advance(shipment=shipment, actor=world.accountant, to="cancelled", note="Booking cancelled")


# Lifecycle -------------------------------------------------------------------------------------


def test_planned_loading_shipped_invoiced_paid_each_step_saying_who_and_when(world, coop):
    started = timezone.now()
    cashier = user_with_role(Role.ADMIN, coop, username="tesorera")
    shipment = world.plan()
    assert shipment.status == ShipmentStatus.PLANNED
    world.load(shipment, 600, member=world.members[0])
    assert status_of(shipment) == ShipmentStatus.LOADING
    world.load(shipment, 480, member=world.members[1])
    world.ship(shipment)
    assert status_of(shipment) == ShipmentStatus.SHIPPED
    shipment = world.invoice(shipment, number="F001-000777")
    assert status_of(shipment) == ShipmentStatus.INVOICED
    sale_receive(shipment=shipment, actor=cashier, amount=D("9180.00"), received_on=PAID_ON, reference="TRX-1")
    assert status_of(shipment) == ShipmentStatus.INVOICED  # the premium is still outstanding
    premium_receive(shipment=shipment, actor=cashier, amount=D("1080.00"), received_on=PAID_ON, reference="TRX-2")
    assert status_of(shipment) == ShipmentStatus.PAID

    steps = list(ShipmentStep.objects.filter(shipment=shipment).order_by("at", "id"))
    assert [s.status for s in steps] == ["planned", "loading", "shipped", "invoiced", "paid"]
    assert [s.by for s in steps] == [world.accountant] * 4 + [cashier]
    assert steps[3].note == "F001-000777"
    assert all(s.cooperative_id == coop.pk for s in steps)
    times = [s.at for s in steps]
    assert times == sorted(times) and started <= times[0] and times[-1] <= timezone.now()


@pytest.mark.parametrize(
    ("state", "to"),
    [("loading", "planned"), ("shipped", "loading"), ("shipped", "planned"), ("invoiced", "shipped"),
     ("paid", "invoiced"), ("cancelled", "planned"), ("cancelled", "loading"),
     # invoiced comes only with the invoice, paid only with the last payment
     ("shipped", "invoiced"), ("invoiced", "paid"), ("planned", "shipped")],
)
def test_the_service_refuses_steps_that_are_not_forward_by_hand(world, state, to):
    shipment = in_state(world, state)
    error = refused(shipment_advance, shipment=shipment, actor=world.accountant, to=to, note="x")
    assert error.message_dict["status"] == [f"A shipment that is {state} cannot be marked {to}."]
    assert status_of(shipment) == state


@pytest.mark.parametrize(
    ("state", "to"),
    [("loading", "planned"), ("shipped", "loading"), ("shipped", "planned"), ("shipped", "cancelled"),
     ("invoiced", "shipped"), ("paid", "invoiced"), ("cancelled", "loading"), ("planned", "shipped"),
     ("loading", "invoiced")],
)
def test_the_database_refuses_a_backward_or_skipped_step_by_raw_sql_and_by_queryset_update(
        world, refused_by_database, state, to):
    shipment = in_state(world, state)
    error = refused_by_database("UPDATE exports_shipment SET status = %s WHERE id = %s", [to, shipment.pk])
    assert f"a shipment cannot go from {state} to {to}" in str(error)
    with pytest.raises(IntegrityError, match=f"cannot go from {state} to {to}"), transaction.atomic():
        Shipment.objects.filter(pk=shipment.pk).update(status=to)
    assert status_of(shipment) == state


def test_the_database_never_deletes_a_shipment_and_keeps_an_invoice(world, refused_by_database):
    shipment = world.invoiced(1080)
    assert "never deleted" in str(refused_by_database("DELETE FROM exports_shipment WHERE id = %s", [shipment.pk]))
    error = refused_by_database("UPDATE exports_shipment SET invoice_amount = 1.00, invoiced_boxes = 1 WHERE id = %s",
                                [shipment.pk])
    assert "an invoiced shipment keeps its invoice" in str(error)
    with pytest.raises(IntegrityError, match="keeps its invoice"), transaction.atomic():
        Shipment.objects.filter(pk=shipment.pk).update(price_per_box=D("99.00"))
    assert Shipment.objects.get(pk=shipment.pk).invoice_amount == D("9180.00")


def test_steps_are_append_only_in_the_database(world, refused_by_database):
    shipment = world.plan()
    step = shipment.steps.get()
    assert "never updated or deleted" in str(
        refused_by_database("UPDATE exports_shipmentstep SET status = 'paid' WHERE id = %s", [step.pk]))
    assert "never updated or deleted" in str(
        refused_by_database("DELETE FROM exports_shipmentstep WHERE id = %s", [step.pk]))


@pytest.mark.parametrize("state", ["planned", "loading"])
def test_cancel_before_shipping_needs_a_reason(world, state):
    shipment = in_state(world, state)
    for note in ("", "   "):
        error = refused(shipment_advance, shipment=shipment, actor=world.accountant, to="cancelled", note=note)
        assert error.message_dict["note"] == ["Say why the shipment is cancelled."]
    shipment_advance(shipment=shipment, actor=world.accountant, to="cancelled", note="  Booking cancelled by the line ")
    assert status_of(shipment) == ShipmentStatus.CANCELLED
    step = shipment.steps.order_by("-id").first()
    assert (step.status, step.note, step.by) == ("cancelled", "Booking cancelled by the line", world.accountant)
    error = refused(world.load, shipment=shipment, boxes=10)
    assert error.messages == ["The shipment is cancelled; its deliveries no longer change."]


@pytest.mark.parametrize("state", ["shipped", "invoiced", "paid"])
def test_a_shipped_container_is_not_cancelled(world, state):
    shipment = in_state(world, state)
    error = refused(shipment_advance, shipment=shipment, actor=world.accountant, to="cancelled", note="Too late")
    assert error.message_dict["status"] == [f"A shipment that is {state} cannot be marked cancelled."]


def test_a_cancelled_container_can_be_planned_again(world):
    first = world.plan(container_number="MSKU9070323")
    error = refused(world.plan, container_number="MSKU9070323")
    assert error.messages == ["This container is already planned or loading in another shipment."]
    shipment_advance(shipment=first, actor=world.accountant, to="cancelled", note="Vessel changed")
    assert world.plan(container_number="MSKU9070323").status == ShipmentStatus.PLANNED


def test_no_boxes_loaded_no_shipping(world):
    shipment = world.plan()
    shipment_advance(shipment=shipment, actor=world.accountant, to="loading")
    world.load(shipment, 0, rejected_boxes=12, rejection_reason=world.crown_rot)
    error = refused(world.ship, shipment=shipment)
    assert error.message_dict["status"] == ["No boxes are loaded; a shipment without deliveries is not shipped."]


def test_only_administrators_and_accountants_move_shipments(world, coop):
    board = user_with_role(Role.BOARD, coop)
    outsider = user_with_role(Role.ACCOUNTANT, CooperativeFactory())
    for actor in (board, outsider):
        assert refused(world.plan, actor=actor).messages == ["Your role does not allow this."]
    shipment = world.plan()
    for actor in (board, outsider):
        error = refused(shipment_advance, shipment=shipment, actor=actor, to="cancelled", note="x")
        assert error.messages == ["Your role does not allow this."]


# Prices ----------------------------------------------------------------------------------------


def test_without_a_price_the_importers_contract_price_applies(world):
    shipment = world.plan(price_per_box=None)
    assert Shipment.objects.get(pk=shipment.pk).price_per_box == world.CONTRACT == D("8.50")
    organic = world.plan(price_per_box=None, organic=True)
    assert organic.price_per_box == world.ORGANIC_CONTRACT


def test_without_a_contract_the_fairtrade_minimum_applies_and_without_any_price_the_user_is_asked(world):
    shipment = world.plan(price_per_box=None, importer=ImporterFactory())
    assert shipment.price_per_box == world.MINIMUM
    unpriced = ProductFactory(cooperative=world.cooperative, code="PLATANO")
    error = refused(world.plan, product=unpriced, price_per_box=None)
    assert error.message_dict["price_per_box"] == [
        "There is no contract price for this importer and product; enter the price per box."]


def test_a_fairtrade_lot_is_never_sold_below_the_fairtrade_minimum(world):
    error = refused(world.plan, price_per_box=D("7.39"))
    assert error.message_dict["price_per_box"] == [
        "7.39 is below the Fairtrade minimum price of 7.40 per box for this product."]
    error = refused(world.plan, price_per_box=D("9.39"), organic=True)
    assert error.message_dict["price_per_box"] == [
        "9.39 is below the Fairtrade minimum price of 9.40 per box for this product."]
    assert world.plan(price_per_box=D("7.40")).price_per_box == D("7.40")
    assert world.plan(price_per_box=D("6.00"), fairtrade=False).price_per_box == D("6.00")  # not a Fairtrade lot


@pytest.mark.parametrize("price", ["0.00", "-8.50", "8.505", "NaN", "1000000.00"])
def test_a_price_is_dollars_and_cents_above_zero(world, price):
    error = refused(world.plan, price_per_box=D(price), fairtrade=False)
    assert error.message_dict["price_per_box"] == ["Enter a price above zero, in dollars and cents."]


def test_the_minimum_in_force_on_the_departure_date_applies(world):
    price_set(cooperative=world.cooperative, actor=world.accountant, product=world.product, importer=None,
              organic=False, incoterm="FOB", valid_from=datetime.date(2026, 6, 1), price=D("7.80"))
    assert world.plan(price_per_box=D("7.50"), etd=datetime.date(2026, 5, 31)).price_per_box == D("7.50")
    error = refused(world.plan, price_per_box=D("7.50"), etd=datetime.date(2026, 6, 1))
    assert "minimum price of 7.80" in error.message_dict["price_per_box"][0]


def test_changing_the_price_below_the_minimum_is_refused_and_changes_nothing(world):
    shipment = world.plan()
    error = refused(shipment_update, shipment=shipment, actor=world.accountant, price_per_box=D("7.00"))
    assert "below the Fairtrade minimum price of 7.40" in error.message_dict["price_per_box"][0]
    assert Shipment.objects.get(pk=shipment.pk).price_per_box == world.CONTRACT


def test_a_shipped_container_keeps_its_details(world):
    shipment = world.shipped(100)
    error = refused(shipment_update, shipment=shipment, actor=world.accountant, vessel="Other")
    assert error.messages == ["The shipment is shipped; its details no longer change."]


# Deliveries ------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["suspended", "withdrawn"])
def test_only_active_members_deliver(world, status):
    member = world.members[1]
    member_status_change(member=member, actor=world.accountant, status=status,
                         effective_on=datetime.date(2026, 1, 15), reason="Asamblea")
    member.refresh_from_db()
    shipment = world.plan()
    error = refused(world.load, shipment=shipment, boxes=100, member=member, plot=world.conventional_plots[1])
    assert error.message_dict["member"] == [f"Member {member.number} is {status}; only active members deliver."]
    assert status_of(shipment) == ShipmentStatus.PLANNED  # nothing half-saved: no loading step either
    assert list(shipment.steps.values_list("status", flat=True)) == ["planned"]


def test_the_members_status_and_the_plots_certification_are_read_from_the_database(world):
    """The caller's instances were loaded before the change (a form opened earlier, a concurrent status change)."""
    suspended, plot = world.members[1], world.organic_plots[0]
    member_status_change(member=suspended, actor=world.accountant, status="suspended",
                         effective_on=datetime.date(2026, 1, 15), reason="Asamblea")
    Plot.objects.filter(pk=plot.pk).update(organic_status="conventional", organic_since=None,
                                           certified_area_ha=D("0"))
    lot = world.plan(organic=True, price_per_box=world.ORGANIC_CONTRACT)
    error = refused(world.load, shipment=lot, boxes=10, member=world.members[0], plot=plot)
    assert "not certified organic" in error.message_dict["plot"][0]
    error = refused(world.load, shipment=world.plan(), boxes=100, member=suspended, plot=world.conventional_plots[1])
    assert "only active members deliver" in error.message_dict["member"][0]


def test_a_member_of_another_coop_does_not_deliver(world):
    stranger = MemberFactory(cooperative=CooperativeFactory())
    plot = PlotFactory(member=stranger, cooperative=stranger.cooperative)
    error = refused(world.load, shipment=world.plan(), boxes=10, member=stranger, plot=plot)
    assert error.message_dict["member"] == ["Choose a member of the cooperative."]


def test_a_plot_of_another_member_is_refused(world):
    maria, jose = world.members
    plot = world.conventional_plots[1]
    error = refused(world.load, shipment=world.plan(), boxes=10, member=maria, plot=plot)
    assert error.message_dict["plot"] == [f"Plot {plot.code} is not a plot of member {maria.number}."]
    assert plot.member == jose


@pytest.mark.parametrize("organic_status", ["conventional", "in_conversion"])
def test_an_organic_lot_takes_only_certified_plots(world, organic_status):
    member = world.member
    plot = PlotFactory(member=member, cooperative=world.cooperative, organic_status=organic_status,
                       organic_since=None if organic_status == "conventional" else datetime.date(2025, 6, 1),
                       certified_area_ha=D("0"))
    lot = world.plan(organic=True, price_per_box=world.ORGANIC_CONTRACT)
    error = refused(world.load, shipment=lot, boxes=10, member=member, plot=plot)
    assert error.message_dict["plot"] == [
        f"Plot {plot.code} is not certified organic; its boxes cannot go into an organic lot."]
    world.load(lot, 10, member=member, plot=world.organic_plots[0])
    world.load(world.plan(), 10, member=member, plot=plot)  # a conventional lot takes it


def test_a_lot_with_uncertified_boxes_cannot_become_organic(world):
    shipment = world.plan(price_per_box=world.ORGANIC_CONTRACT)
    world.load(shipment, 10, plot=world.conventional_plots[0])
    error = refused(shipment_update, shipment=shipment, actor=world.accountant, organic=True)
    assert error.message_dict["organic"] == [
        "Boxes from plots not certified organic are loaded; this lot cannot be organic."]


def test_the_container_never_takes_more_than_its_capacity(world):
    shipment = world.plan()
    assert shipment.capacity == 1080  # the product's boxes per container
    world.load(shipment, 1000, member=world.members[0])
    error = refused(world.load, shipment=shipment, boxes=100, member=world.members[1])
    assert error.message_dict["accepted_boxes"] == [
        "The container holds 1080 boxes and 1000 are loaded: 80 more fit, not 100."]
    last = world.load(shipment, 80, member=world.members[1])
    error = refused(world.load, shipment=shipment, boxes=1)
    assert error.message_dict["accepted_boxes"] == [
        "The container holds 1080 boxes and 1080 are loaded: 0 more fit, not 1."]
    # Rejected boxes never enter the container.
    world.load(shipment, 0, rejected_boxes=40, rejection_reason=world.crown_rot)
    # A correction counts the line once: 80 -> 81 does not fit, 80 -> 70 does.
    error = refused(delivery_update, delivery=last, actor=world.accountant, accepted_boxes=81)
    assert error.message_dict["accepted_boxes"] == [
        "The container holds 1080 boxes and 1000 are loaded: 80 more fit, not 81."]
    delivery_update(delivery=last, actor=world.accountant, accepted_boxes=70)
    assert shipment.deliveries.aggregate(t=Sum("accepted_boxes"))["t"] == 1070
    error = refused(shipment_update, shipment=shipment, actor=world.accountant, capacity=1000)
    assert error.message_dict["capacity"] == ["1070 boxes are already loaded; the capacity cannot be less."]


def test_a_smaller_capacity_given_on_the_shipment_holds(world):
    shipment = world.plan(capacity=20)
    world.load(shipment, 15)
    error = refused(world.load, shipment=shipment, boxes=6)
    assert error.message_dict["accepted_boxes"] == ["The container holds 20 boxes and 15 are loaded: 5 more fit, not 6."]


def test_rejected_boxes_need_a_reason_of_the_coop(world):
    shipment = world.plan()
    error = refused(world.load, shipment=shipment, boxes=100, rejected_boxes=5)
    assert error.message_dict["rejection_reason"] == ["Say why boxes were rejected."]
    elsewhere = RejectionReasonFactory()
    error = refused(world.load, shipment=shipment, boxes=100, rejected_boxes=5, rejection_reason=elsewhere)
    assert error.message_dict["rejection_reason"] == ["Choose a rejection reason of the cooperative."]
    delivery = world.load(shipment, 100, rejected_boxes=5, rejection_reason=world.scarring)
    assert (delivery.accepted_boxes, delivery.rejected_boxes, delivery.rejection_reason) == (100, 5, world.scarring)
    error = refused(world.load, shipment=shipment, boxes=0)
    assert error.message_dict["accepted_boxes"] == ["Enter the accepted or rejected boxes."]
    with pytest.raises(IntegrityError, match="delivery_rejection_has_reason"), transaction.atomic():
        Delivery.objects.filter(pk=delivery.pk).update(rejection_reason=None)


def test_a_delivery_is_not_dated_in_the_future(world):
    error = refused(world.load, shipment=world.plan(), boxes=10, date=timezone.localdate() + datetime.timedelta(days=1))
    assert error.message_dict["date"] == ["The date is in the future."]


@pytest.mark.parametrize("state", ["shipped", "invoiced", "paid"])
def test_deliveries_are_frozen_once_shipped(world, refused_by_database, state):
    shipment = in_state(world, state)
    delivery = shipment.deliveries.first()
    frozen = [f"The shipment is {state}; its deliveries no longer change."]
    assert refused(world.load, shipment=shipment, boxes=1).messages == frozen
    assert refused(delivery_update, delivery=delivery, actor=world.accountant, accepted_boxes=1).messages == frozen
    assert refused(delivery_remove, delivery=delivery, actor=world.accountant).messages == frozen

    message = f"the shipment is {state}; its deliveries no longer change"
    assert message in str(refused_by_database(
        "UPDATE exports_delivery SET accepted_boxes = accepted_boxes + 1 WHERE id = %s", [delivery.pk]))
    assert message in str(refused_by_database("DELETE FROM exports_delivery WHERE shipment_id = %s", [shipment.pk]))
    assert message in str(refused_by_database(
        "INSERT INTO exports_delivery (cooperative_id, shipment_id, member_id, plot_id, date, accepted_boxes, "
        "rejected_boxes, recorded_by_id, recorded_at) VALUES (%s, %s, %s, %s, %s, 1, 0, %s, now())",
        [delivery.cooperative_id, shipment.pk, delivery.member_id, delivery.plot_id, delivery.date,
         world.accountant.pk]))
    with pytest.raises(IntegrityError, match="no longer change"), transaction.atomic():
        Delivery.objects.filter(pk=delivery.pk).update(accepted_boxes=1)
    with pytest.raises(IntegrityError, match="no longer change"), transaction.atomic():
        Delivery.objects.create(cooperative_id=delivery.cooperative_id, shipment=shipment, member=delivery.member,
                                plot=delivery.plot, date=delivery.date, accepted_boxes=1, recorded_by=world.accountant)
    # nor moved into another (loading) container
    other = world.plan()
    with pytest.raises(IntegrityError, match="no longer change"), transaction.atomic():
        Delivery.objects.filter(pk=delivery.pk).update(shipment=other)
    assert shipment.deliveries.aggregate(t=Sum("accepted_boxes"))["t"] == 1080


def test_a_delivery_stays_in_its_shipments_coop_held_at_commit(world):
    """Past the services: the composite foreign keys (deferred, checked at commit)."""
    shipment = world.plan()
    elsewhere = CooperativeFactory()
    stranger = MemberFactory(cooperative=elsewhere)
    strangers_plot = PlotFactory(member=stranger, cooperative=elsewhere)
    member, plot = world.member, world.conventional_plots[0]
    fields = {"shipment": shipment, "date": world.LOADED_ON, "accepted_boxes": 10, "recorded_by": world.accountant}

    error = refused_at_commit(lambda: Delivery.objects.create(cooperative=elsewhere, member=member, plot=plot, **fields))
    assert "delivery_same_coop_as" in str(error)
    error = refused_at_commit(lambda: Delivery.objects.create(
        cooperative=world.cooperative, member=stranger, plot=strangers_plot, **fields))
    assert "delivery_same_coop_as_member" in str(error)
    error = refused_at_commit(lambda: Delivery.objects.create(
        cooperative=world.cooperative, member=member, plot=world.conventional_plots[1], **fields))
    assert "delivery_plot_of_its_member" in str(error)
    error = refused_at_commit(lambda: ShipmentStep.objects.create(
        cooperative=elsewhere, shipment=shipment, status="planned", by=world.accountant))
    assert "step_same_coop_as_shipment" in str(error)
    world.load(shipment, 5)
    error = refused_at_commit(lambda: Delivery.objects.filter(shipment=shipment).update(cooperative=elsewhere))
    assert "delivery_same_coop_as" in str(error)
    assert not Delivery.objects.filter(cooperative=elsewhere).exists()


@pytest.mark.django_db(transaction=True)
def test_a_delivery_filed_under_another_coop_is_refused_at_commit():
    world = ExportsWorld(short_name="GUABO")
    shipment = world.plan()
    elsewhere = CooperativeFactory()
    with pytest.raises(IntegrityError, match="delivery_same_coop_as"):
        with transaction.atomic():
            Delivery.objects.create(cooperative=elsewhere, shipment=shipment, member=world.member,
                                    plot=world.conventional_plots[0], date=world.LOADED_ON, accepted_boxes=10,
                                    recorded_by=world.accountant)
            # accepted inside the transaction: the check waits for the commit
    assert not Delivery.objects.exists()


# Invoicing -------------------------------------------------------------------------------------


def test_the_invoice_posts_the_sale_and_the_premium_exactly_once(world):
    shipment = world.plan()
    world.load(shipment, 700, member=world.members[0])
    world.load(shipment, 380, member=world.members[1], rejected_boxes=25, rejection_reason=world.crown_rot)
    world.ship(shipment)
    shipment = world.invoice(shipment, number="F001-000101", on=datetime.date(2026, 3, 5))
    shipment = Shipment.objects.get(pk=shipment.pk)
    assert (shipment.invoice_number, shipment.invoiced_on, shipment.invoiced_boxes, shipment.invoice_amount) == (
        "F001-000101", datetime.date(2026, 3, 5), 1080, D("9180.00"))  # 1,080 accepted boxes x 8.50
    assert legs_of(shipment.sale_transaction) == {"1300": D("9180.00"), "4000": D("-9180.00")}
    accrual = PremiumAccrual.objects.get(shipment=shipment)
    assert (accrual.boxes, accrual.amount, accrual.date) == (1080, D("1080.00"), datetime.date(2026, 3, 5))
    assert legs_of(accrual.transaction) == {"1100": D("1080.00"), "3000": D("-1080.00")}
    assert Transaction.objects.filter(source=f"shipment:{shipment.pk}").count() == 2
    balances = {code: world.balance(code) for code in ("1100", "1300", "3000", "4000")}
    assert balances == {"1100": D("1080.00"), "1300": D("9180.00"), "3000": D("1080.00"), "4000": D("9180.00")}

    error = refused(world.invoice, shipment=shipment, number="F001-000102")
    assert error.messages == ["Only a shipped container is invoiced; this one is invoiced."]
    assert {code: world.balance(code) for code in balances} == balances


def test_an_invoice_needs_a_shipped_container_a_number_a_date_after_departure(world):
    loading = world.plan()
    world.load(loading, 10)
    error = refused(world.invoice, shipment=loading)
    assert error.messages == ["Only a shipped container is invoiced; this one is loading."]
    shipment = world.shipped(100)
    error = refused(shipment_invoice, shipment=shipment, actor=world.accountant, invoice_number="  ",
                    invoiced_on=world.INVOICED_ON)
    assert error.message_dict["invoice_number"] == ["Enter the invoice number."]
    error = refused(world.invoice, shipment=shipment, on=datetime.date(2026, 3, 1))
    assert error.message_dict["invoiced_on"] == ["The invoice date is before the departure (02/03/2026)."]
    world.invoice(world.shipped(100), number="F001-000555")
    error = refused(world.invoice, shipment=shipment, number="F001-000555")
    assert error.message_dict["invoice_number"] == ["This invoice number is already used in the cooperative."]
    assert status_of(shipment) == ShipmentStatus.SHIPPED


def test_a_refused_premium_leaves_no_sale_posted(world):
    """No premium rate for the product: the invoice is refused whole, the sale is not posted."""
    plantain = ProductFactory(cooperative=world.cooperative, code="PLATANO", name="Plátano")
    shipment = world.shipped(100, product=plantain, price_per_box=D("6.00"))
    error = refused(world.invoice, shipment=shipment)
    assert error.messages[0].startswith("There is no premium rate for Plátano on ")
    shipment = Shipment.objects.get(pk=shipment.pk)
    assert (shipment.status, shipment.invoice_number, shipment.sale_transaction) == ("shipped", "", None)


def test_an_invoice_in_a_closed_month_is_refused_whole(world):
    period_close(cooperative=world.cooperative, starts_on=datetime.date(2026, 3, 1),
                 ends_on=datetime.date(2026, 3, 31), actor=world.accountant)
    shipment = world.shipped(100)
    error = refused(world.invoice, shipment=shipment, on=datetime.date(2026, 3, 5))
    assert "falls in the closed period" in error.message_dict["date"][0]
    world.invoice(shipment, on=datetime.date(2026, 4, 1))
    assert status_of(shipment) == ShipmentStatus.INVOICED


# Money received --------------------------------------------------------------------------------


def test_partial_payments_then_paid_when_fruit_money_and_premium_are_both_in(world):
    shipment = world.invoiced(1080)  # 9,180.00 of fruit, 1,080.00 of premium
    container = shipment.container_display
    pay = {"shipment": shipment, "actor": world.accountant, "received_on": PAID_ON}

    sale_receive(amount=D("5000.00"), reference="TRX-1", **pay)
    error = refused(sale_receive, amount=D("4180.01"), reference="TRX-2", **pay)
    assert error.message_dict["amount"] == [
        f"4,180.01 is more than the 4,180.00 outstanding on invoice {shipment.invoice_number}."]
    premium_receive(amount=D("500.00"), reference="TRX-3", **pay)
    error = refused(premium_receive, amount=D("580.01"), reference="TRX-4", **pay)
    assert error.message_dict["amount"] == [
        f"580.01 is more than the 580.00 premium outstanding on container {container}."]

    sale_receive(amount=D("4180.00"), reference="TRX-5", **pay)
    assert status_of(shipment) == ShipmentStatus.INVOICED
    premium_receive(amount=D("580.00"), reference="TRX-6", **pay)
    assert status_of(shipment) == ShipmentStatus.PAID
    assert shipment.steps.filter(status="paid").count() == 1

    balances = {code: world.balance(code) for code in ("1000", "1010", "1100", "1300")}
    assert balances == {"1000": D("1080.00"), "1010": D("9180.00"), "1100": D("0.00"), "1300": D("0.00")}
    error = refused(sale_receive, amount=D("0.01"), reference="TRX-7", **pay)
    assert error.messages == ["Payments are recorded for an invoiced shipment; this one is paid."]
    error = refused(premium_receive, amount=D("0.01"), reference="TRX-8", **pay)
    assert error.messages == ["Premium is received for an invoiced Fairtrade shipment with premium outstanding."]
    assert list(SaleReceipt.objects.filter(shipment=shipment).values_list("amount", flat=True)) == [
        D("5000.00"), D("4180.00")]


def test_a_payment_needs_an_amount_a_reference_and_an_invoice(world):
    shipment = world.invoiced(100)
    pay = {"shipment": shipment, "actor": world.accountant, "received_on": PAID_ON}
    for call in (sale_receive, premium_receive):
        assert refused(call, amount=D("0.00"), reference="X", **pay).message_dict["amount"] == [
            "Enter an amount above zero."]
        assert refused(call, amount=D("-5.00"), reference="X", **pay).message_dict["amount"] == [
            "Enter an amount above zero."]
        assert refused(call, amount=D("5.00"), reference=" ", **pay).message_dict["reference"] == [
            "Enter the bank reference of the payment."]
    shipped = world.shipped(100)
    error = refused(sale_receive, shipment=shipped, actor=world.accountant, amount=D("1.00"), received_on=PAID_ON,
                    reference="X")
    assert error.messages == ["Payments are recorded for an invoiced shipment; this one is shipped."]


def test_a_lot_sold_outside_fairtrade_is_paid_with_the_fruit_money_alone(world):
    shipment = world.invoiced(100, fairtrade=False, price_per_box=D("6.00"))
    assert not PremiumAccrual.objects.filter(shipment=shipment).exists()
    sale_receive(shipment=shipment, actor=world.accountant, amount=D("600.00"), received_on=PAID_ON,
                 reference="TRX-1")
    assert status_of(shipment) == ShipmentStatus.PAID


def test_sale_receipts_are_append_only(world, refused_by_database):
    shipment = world.invoiced(100)
    receipt = sale_receive(shipment=shipment, actor=world.accountant, amount=D("10.00"), received_on=PAID_ON,
                           reference="TRX-1")
    assert "never updated or deleted" in str(
        refused_by_database("UPDATE exports_salereceipt SET amount = 1 WHERE id = %s", [receipt.pk]))
    assert "never updated or deleted" in str(
        refused_by_database("DELETE FROM exports_salereceipt WHERE id = %s", [receipt.pk]))

