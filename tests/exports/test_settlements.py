"""Weekly settlements in plain numbers: gross pay, deductions in priority order, what cannot be
recovered carried into the next week, approval by a second person and one posting."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.utils import IntegrityError
from django.utils import translation

from coop.models import Role
from coop.services import cooperative_create
from exports import settlements
from exports.models import (
    DeductionType,
    Importer,
    ProducerPrice,
    Product,
    SettlementLine,
    SettlementStatus,
)
from exports.services import delivery_add, shipment_advance, shipment_create
from exports.validators import container_check_digit
from ledger.models import Account, Transaction
from tests.factories import MemberFactory, PlotFactory, user_with_role

pytestmark = pytest.mark.django_db
D = Decimal
WEEK1, WEEK2 = datetime.date(2026, 10, 5), datetime.date(2026, 10, 12)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def apoq():
    coop = cooperative_create(name="APOQ", short_name="APOQ", country="PE")
    accountant = user_with_role(Role.ACCOUNTANT, coop, username="contadora")
    board = user_with_role(Role.BOARD, coop, username="directivo")
    product = Product.objects.create(cooperative=coop, code="BAN", name="Banano", kg_per_unit=D("18.140"),
                                     units_per_container=1080)
    ProducerPrice.objects.create(cooperative=coop, product=product, organic=False, valid_from=WEEK1, price=D("6.00"))
    accounts = {a.code: a for a in Account.objects.filter(cooperative=coop)}
    DeductionType.objects.create(cooperative=coop, code="PACK", name="Cartones", basis="per_box", rate=D("0.50"),
                                 priority=1, account=accounts["4100"])
    DeductionType.objects.create(cooperative=coop, code="FEE", name="Cuota", basis="per_week", rate=D("5.00"),
                                 priority=2, account=accounts["4200"])
    DeductionType.objects.create(cooperative=coop, code="EQUIP", name="Equipo", basis="per_week", rate=D("20.00"),
                                 priority=3, account=accounts["4200"])
    importer = Importer.objects.create(name="Importer", country="DE")
    members = {name: MemberFactory(cooperative=coop) for name in ("a", "b")}
    plots = {name: PlotFactory(member=member, cooperative=coop) for name, member in members.items()}
    serial = iter(range(100000, 999999))

    def ship(week, boxes: dict[str, int], sail=True):
        first_ten = f"MSKU{next(serial):06d}"
        shipment = shipment_create(cooperative=coop, actor=accountant, importer=importer, product=product,
                                   container_number=first_ten + str(container_check_digit(first_ten)),
                                   etd=week + datetime.timedelta(days=5), port_of_loading="Paita",
                                   port_of_destination="Hamburg", price_per_box=D("14.00"), fairtrade=False)
        for name, count in boxes.items():
            delivery_add(shipment=shipment, actor=accountant, member=members[name], plot=plots[name],
                         date=week + datetime.timedelta(days=1), accepted_boxes=count)
        if sail:
            shipment_advance(shipment=shipment, actor=accountant, to="shipped")
        return shipment

    class World:
        pass

    world = World()
    world.coop, world.accountant, world.board, world.members, world.ship = coop, accountant, board, members, ship
    world.accounts = accounts
    return world


def line(settlement, member) -> SettlementLine:
    return settlement.lines.prefetch_related("deductions__type").get(member=member)


def test_worked_example_with_carry_forward(apoq):
    apoq.ship(WEEK1, {"a": 100, "b": 1})
    week1 = settlements.settlement_compute(cooperative=apoq.coop, week_start=WEEK1, actor=apoq.accountant)
    a, b = line(week1, apoq.members["a"]), line(week1, apoq.members["b"])
    assert (a.gross, a.deducted, a.net, a.carried_forward) == (D("600.00"), D("75.00"), D("525.00"), D("0.00"))
    # 6.00 gross: cartons 0.50, fee 5.00, then 0.50 of the 20.00 equipment; 19.50 carried.
    assert (b.gross, b.deducted, b.net, b.carried_forward) == (D("6.00"), D("6.00"), D("0.00"), D("19.50"))
    assert {d.type.code: (d.recovered, d.carried_forward) for d in b.deductions.all()} == {
        "PACK": (D("0.50"), D("0.00")), "FEE": (D("5.00"), D("0.00")), "EQUIP": (D("0.50"), D("19.50"))}

    with pytest.raises(ValidationError, match="Someone other"):
        settlements.settlement_approve(settlement=week1, actor=apoq.accountant)
    settlements.settlement_approve(settlement=week1, actor=apoq.board)
    settlements.settlement_post(settlement=week1, actor=apoq.accountant)
    assert Account.objects.get(pk=apoq.accounts["5000"].pk).balance == D("606.00")
    assert Account.objects.get(pk=apoq.accounts["2000"].pk).balance == D("525.00")
    assert Account.objects.get(pk=apoq.accounts["4100"].pk).balance == D("50.50")
    assert Account.objects.get(pk=apoq.accounts["4200"].pk).balance == D("30.50")

    apoq.ship(WEEK2, {"b": 10})
    week2 = settlements.settlement_compute(cooperative=apoq.coop, week_start=WEEK2, actor=apoq.accountant)
    b = line(week2, apoq.members["b"])
    # 60.00 gross: cartons 5.00, fee 5.00, equipment 20.00 + 19.50 carried in.
    assert (b.gross, b.deducted, b.net, b.carried_forward) == (D("60.00"), D("49.50"), D("10.50"), D("0.00"))
    equip = b.deductions.get(type__code="EQUIP")
    assert (equip.this_week, equip.carried_in, equip.recovered) == (D("20.00"), D("19.50"), D("39.50"))


def test_posted_exactly_once_and_frozen(apoq):
    apoq.ship(WEEK1, {"a": 10})
    week1 = settlements.settlement_compute(cooperative=apoq.coop, week_start=WEEK1, actor=apoq.accountant)
    settlements.settlement_approve(settlement=week1, actor=apoq.board)
    settlements.settlement_post(settlement=week1, actor=apoq.accountant)
    before = Transaction.objects.count()
    with pytest.raises(ValidationError, match="Only an approved settlement"):
        settlements.settlement_post(settlement=week1, actor=apoq.accountant)
    with pytest.raises(ValidationError, match="not computed again"):
        settlements.settlement_compute(cooperative=apoq.coop, week_start=WEEK1, actor=apoq.accountant)
    assert Transaction.objects.count() == before
    week1.refresh_from_db()
    assert week1.status == SettlementStatus.POSTED
    for statement in ("UPDATE exports_settlementline SET net = net", "DELETE FROM exports_settlementline",
                      "UPDATE exports_settlement SET status = 'computed'"):
        with pytest.raises(IntegrityError, match="settlement"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)


def test_weeks_are_settled_in_order_and_only_with_final_boxes(apoq):
    apoq.ship(WEEK1, {"a": 10})
    apoq.ship(WEEK2, {"a": 10}, sail=False)
    settlements.settlement_compute(cooperative=apoq.coop, week_start=WEEK1 + datetime.timedelta(days=3),
                                   actor=apoq.accountant)  # any day of the week: its Monday
    with pytest.raises(ValidationError, match="not posted yet"):
        settlements.settlement_compute(cooperative=apoq.coop, week_start=WEEK2, actor=apoq.accountant)
    with pytest.raises(ValidationError, match="nothing to settle"):
        settlements.settlement_compute(cooperative=apoq.coop, week_start=datetime.date(2026, 9, 28),
                                       actor=apoq.accountant)


def test_containers_still_loading_block_the_week(apoq):
    apoq.ship(WEEK1, {"a": 10}, sail=False)
    with pytest.raises(ValidationError, match="still loading"):
        settlements.settlement_compute(cooperative=apoq.coop, week_start=WEEK1, actor=apoq.accountant)


def test_recomputing_replaces_the_lines(apoq):
    apoq.ship(WEEK1, {"a": 10})
    first = settlements.settlement_compute(cooperative=apoq.coop, week_start=WEEK1, actor=apoq.accountant)
    again = settlements.settlement_compute(cooperative=apoq.coop, week_start=WEEK1, actor=apoq.accountant)
    assert first.pk != again.pk and SettlementLine.objects.filter(settlement__cooperative=apoq.coop).count() == 1


def test_the_board_cannot_compute(apoq):
    apoq.ship(WEEK1, {"a": 10})
    with pytest.raises(ValidationError, match="role"):
        settlements.settlement_compute(cooperative=apoq.coop, week_start=WEEK1, actor=apoq.board)


def test_settlement_pages_from_compute_to_slip(apoq, client):
    from django.test import Client

    apoq.ship(WEEK1, {"a": 100, "b": 1})
    accountant, board = Client(HTTP_ACCEPT_LANGUAGE="en"), Client(HTTP_ACCEPT_LANGUAGE="en")
    accountant.force_login(apoq.accountant)
    board.force_login(apoq.board)
    response = accountant.post(f"/exports/{apoq.coop.pk}/settlements/", {"week": "2026-10-07"})
    settlement = apoq.coop.settlements.get()
    assert response.status_code == 302 and response.url == f"/exports/settlements/{settlement.pk}/"
    page = accountant.get(response.url).content.decode()
    assert "USD 606.00" in page and "Approve" not in page  # the one who computed does not approve
    assert board.post(f"/exports/settlements/{settlement.pk}/step/", {"action": "post"}).status_code == 403
    board.post(f"/exports/settlements/{settlement.pk}/step/", {"action": "approve"})
    accountant.post(f"/exports/settlements/{settlement.pk}/step/", {"action": "post"})
    settlement.refresh_from_db()
    assert settlement.status == SettlementStatus.POSTED
    bad = accountant.post(f"/exports/{apoq.coop.pk}/settlements/", {"week": "2026-13-45"})
    assert bad.status_code == 400

    member_b = apoq.members["b"]
    slip_url = f"/exports/settlements/{settlement.pk}/slips/{member_b.pk}/"
    slip = accountant.get(slip_url).content.decode()
    assert "USD 19.50 carried to next week" in slip and "USD 0.00" in slip

    # The producer sees their own slip and deliveries; not another producer's.
    from coop.models import User

    login = User.objects.create_user("socio-b", password="x")
    member_b.user = login
    member_b.save(update_fields=["user"])
    producer = Client(HTTP_ACCEPT_LANGUAGE="en")
    producer.force_login(login)
    assert producer.get(slip_url).status_code == 200
    assert producer.get(f"/exports/settlements/{settlement.pk}/slips/{apoq.members['a'].pk}/").status_code == 404
    assert producer.get(f"/exports/settlements/{settlement.pk}/").status_code == 404
    mine = producer.get("/exports/me/").content.decode()
    assert "Slip: net pay USD 0.00" in mine
    other_coop = cooperative_create(name="Otra", short_name="OTRA", country="PE")
    stranger = Client()
    stranger.force_login(user_with_role(Role.ACCOUNTANT, other_coop, username="otra"))
    assert stranger.get(slip_url).status_code == 404
    assert stranger.get(f"/exports/settlements/{settlement.pk}/").status_code == 404
    assert stranger.post(f"/exports/settlements/{settlement.pk}/step/", {"action": "approve"}).status_code == 404


def test_an_entry_a_document_owns_is_not_reversed_by_hand(apoq):
    from ledger.services import transaction_reverse

    apoq.ship(WEEK1, {"a": 10})
    week1 = settlements.settlement_compute(cooperative=apoq.coop, week_start=WEEK1, actor=apoq.accountant)
    settlements.settlement_approve(settlement=week1, actor=apoq.board)
    week1 = settlements.settlement_post(settlement=week1, actor=apoq.accountant)
    with pytest.raises(ValidationError, match="records a settlement"):
        transaction_reverse(entry=week1.transaction, actor=apoq.accountant)
