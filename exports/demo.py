"""Demo trade for a freshly seeded co-op: importers, products, prices, premium rates and a season
of shipments through every lifecycle step, made with the same services the pages use."""

import datetime
import random
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone

from ledger.models import Account
from members.models import MemberStatus, OrganicStatus, Plot
from premiums.services import premium_rate_set, premium_receive

from . import settlements
from .models import (
    DeductionType,
    Delivery,
    Importer,
    ImporterContact,
    Price,
    ProducerPrice,
    Product,
    RejectionReason,
)
from .services import delivery_add, sale_receive, shipment_advance, shipment_create, shipment_invoice
from .validators import container_check_digit

IMPORTERS = [
    ("Bananeira Import GmbH", "Germany", "Anna Keller", "anna.keller@example.org"),
    ("Fruta Justa B.V.", "Netherlands", "Pieter de Vries", "pieter@example.org"),
    ("Equal Harvest Ltd", "United Kingdom", "Sam Patel", "sam.patel@example.org"),
]
REASONS = [("CIC", "Cicatriz / mancha"), ("DED", "Dedo corto"), ("MAD", "Madurez"), ("PES", "Peso bajo")]
OWNERS = ["MSK", "HLX", "CMA", "TGH", "SUD", "MSC"]


def importers() -> list[Importer]:
    rows = []
    for name, country, contact, email in IMPORTERS:
        importer, created = Importer.objects.get_or_create(name=name, defaults={"country": country})
        if created:
            ImporterContact.objects.create(importer=importer, name=contact, email=email, position="Compras")
        rows.append(importer)
    return rows


def _container(rng: random.Random) -> str:
    first_ten = f"{rng.choice(OWNERS)}U{rng.randint(0, 999999):06d}"
    return first_ten + str(container_check_digit(first_ten))


def seed_trade(*, cooperative, actor, rng: random.Random, shipments: int = 8, approver=None) -> None:
    """Products, prices and rates; then ``shipments`` weekly containers, the older ones paid, and
    the first two weeks settled (posted when an ``approver`` is given)."""
    buyers = importers()
    organic = Product.objects.create(cooperative=cooperative, code="BAN-ORG", name="Banano orgánico 18,14 kg",
                                     kg_per_unit=Decimal("18.140"), units_per_container=1080)
    Product.objects.create(cooperative=cooperative, code="BAN-CON", name="Banano convencional 18,14 kg",
                           kg_per_unit=Decimal("18.140"), units_per_container=1080)
    start = datetime.date(timezone.localdate().year, 1, 1)
    premium_rate_set(product=organic, valid_from=start, amount=Decimal("1.0000"), per_kg=Decimal("18.140"),
                     actor=actor)
    Price.objects.create(cooperative=cooperative, product=organic, importer=None, organic=True, incoterm="FOB",
                         valid_from=start, price=Decimal("12.05"))
    for importer in buyers:
        Price.objects.create(cooperative=cooperative, product=organic, importer=importer, organic=True,
                             incoterm="FOB", valid_from=start, price=Decimal("14.20"),
                             contract_reference=f"CT-{start.year}-{importer.pk:03d}")
    reasons = [RejectionReason.objects.create(cooperative=cooperative, code=code, name=name) for code, name in REASONS]
    for is_organic, price in ((True, Decimal("7.80")), (False, Decimal("6.50"))):
        ProducerPrice.objects.create(cooperative=cooperative, product=organic, organic=is_organic, valid_from=start,
                                     price=price)
    accounts = {a.code: a for a in Account.objects.filter(cooperative=cooperative, code__in=["4100", "4200"])}
    DeductionType.objects.create(cooperative=cooperative, code="CART", name="Cartones y etiquetas", basis="per_box",
                                 rate=Decimal("0.45"), priority=1, account=accounts["4100"])
    DeductionType.objects.create(cooperative=cooperative, code="CUOTA", name="Cuota de la asociación",
                                 basis="per_week", rate=Decimal("2.00"), priority=2, account=accounts["4200"])
    plots = list(
        Plot.objects.filter(cooperative=cooperative, organic_status=OrganicStatus.CERTIFIED,
                            member__status=MemberStatus.ACTIVE).select_related("member").order_by("code")[:400]
    )
    if not plots:
        return
    today = timezone.localdate()
    for week in range(shipments):
        etd = today - datetime.timedelta(days=7 * (shipments - week) - 3)
        shipment = shipment_create(
            cooperative=cooperative, actor=actor, importer=buyers[week % len(buyers)], product=organic,
            container_number=_container(rng), etd=etd, eta=etd + datetime.timedelta(days=21), organic=True,
            port_of_loading="Paita", port_of_destination=rng.choice(["Hamburg", "Rotterdam", "Antwerp"]),
            seal_number=f"SL{rng.randint(100000, 999999)}", vessel=rng.choice(["Cap San Lorenzo", "Maersk Kalmar"]),
            voyage=f"{rng.randint(100, 999)}N", booking_number=f"BK{rng.randint(1000000, 9999999)}")
        loaded = 0
        for plot in rng.sample(plots, min(len(plots), 40)):
            boxes = min(rng.randint(15, 40), shipment.capacity - loaded)
            if boxes <= 0:
                break
            rejected = rng.choice([0, 0, 0, 1, 2])
            delivery_add(shipment=shipment, actor=actor, member=plot.member, plot=plot,
                         date=etd - datetime.timedelta(days=rng.randint(1, 3)), accepted_boxes=boxes,
                         rejected_boxes=rejected, rejection_reason=rng.choice(reasons) if rejected else None)
            loaded += boxes
        if week == shipments - 1:
            continue  # this week's container is still loading
        shipment_advance(shipment=shipment, actor=actor, to="shipped")
        if week >= shipments - 3:
            continue  # at sea, not invoiced yet
        invoiced_on = etd + datetime.timedelta(days=2)
        shipment = shipment_invoice(shipment=shipment, actor=actor, invoice_number=f"F001-{week + 1:05d}",
                                    invoiced_on=invoiced_on)
        paid_on = invoiced_on + datetime.timedelta(days=10)
        if week < shipments - 5:  # the oldest are paid in full
            sale_receive(shipment=shipment, actor=actor, amount=shipment.invoice_amount, received_on=paid_on,
                         reference=f"TRF{rng.randint(10000, 99999)}")
            premium_receive(shipment=shipment, actor=actor, amount=shipment.premium_accrual.amount,
                            received_on=paid_on, reference=f"FT{rng.randint(10000, 99999)}")
        else:  # a partial premium payment still outstanding
            premium_receive(shipment=shipment, actor=actor, amount=Decimal("500.00"), received_on=paid_on,
                            reference=f"FT{rng.randint(10000, 99999)}")
    _settle_first_weeks(cooperative, actor, approver)
    _open_loan_fund(cooperative, actor, start)


def _open_loan_fund(cooperative, actor, start) -> None:
    """A loan policy and the loan fund's opening balance, so a round can be proposed."""
    from ledger.services import transaction_post
    from loans.models import LoanPolicy

    LoanPolicy.objects.create(cooperative=cooperative, valid_from=start, minimum_amount=Decimal("50.00"),
                              maximum_amount=Decimal("800.00"), installments=3, grace_days=30, created_by=actor)
    accounts = {a.code: a for a in Account.objects.filter(cooperative=cooperative, code__in=["1000", "3100"])}
    transaction_post(cooperative=cooperative, date=start, actor=actor, memo="Saldo inicial del fondo de préstamos",
                     source="AG 2025", legs=[(accounts["1000"], Decimal("12000.00")),
                                             (accounts["3100"], Decimal("-12000.00"))])


def _settle_first_weeks(cooperative, actor, approver, weeks: int = 2) -> None:
    first = Delivery.objects.filter(cooperative=cooperative).order_by("date").values_list("date", flat=True).first()
    if first is None:
        return
    week = settlements.week_start_of(first)
    for _ in range(weeks):
        try:
            settlement = settlements.settlement_compute(cooperative=cooperative, week_start=week, actor=actor)
        except ValidationError:
            return
        if approver is None:
            return
        settlements.settlement_approve(settlement=settlement, actor=approver)
        settlements.settlement_post(settlement=settlement, actor=actor)
        week += datetime.timedelta(days=7)
