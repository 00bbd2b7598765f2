"""A co-op with a year of everything a report reads, built through the services.

build_coop's APOQ (loans tests): members 0001-0005, one container of 1,000 Fairtrade boxes
(500/300/150/50) shipped on 10 August 2026, a loan policy and a 5,000.00 loan fund. Then: the
container invoiced on 15 August (premium US$1,000.00 earned), 600.00 of it received; the 2026
plan approved by the Assembly, 500.00 allocated to SALUD (medical fund) and 100.00 of it spent;
the 2026 Q4 round disbursed; the week's settlement computed; a certification."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from coop.models import Certification, Cooperative, Role, User
from exports import settlements
from exports.models import ProducerPrice, Product, Settlement, Shipment
from exports.services import shipment_invoice
from loans import services as loans
from premiums import services as premiums
from premiums.services import premium_rate_set, premium_receive
from tests.factories import user_with_role
from tests.loans.test_rounds import Q3, build_coop

D = Decimal
GA = {"held_on": datetime.date(2026, 3, 1), "members_present": 210, "quorum": 184, "votes_for": 180,
      "votes_against": 12, "abstentions": 18, "minutes_reference": "Acta AG 2026-01"}


@dataclass
class World:
    coop: Cooperative
    accountant: User
    board: User
    committee: User
    members: list
    accounts: dict
    shipment: Shipment
    settlement: Settlement


def build() -> World:
    coop, accountant, board, members, accounts = build_coop()
    accountant.first_name, accountant.last_name = "Rosa", "Chumacero"
    accountant.save(update_fields=["first_name", "last_name"])
    product = Product.objects.get(cooperative=coop)
    premium_rate_set(product=product, valid_from=datetime.date(2026, 1, 1), amount=D("1.0000"), per_kg=D("18.140"),
                     actor=accountant)
    shipment = shipment_invoice(shipment=Shipment.objects.get(cooperative=coop), actor=accountant,
                                invoice_number="F001-0001", invoiced_on=datetime.date(2026, 8, 15))
    premium_receive(shipment=shipment, actor=accountant, amount=D("600.00"), received_on=datetime.date(2026, 8, 30),
                    reference="FT-1")
    plan = premiums.plan_draft(cooperative=coop, year=2026, actor=accountant)
    line = premiums.plan_line_set(plan=plan, actor=accountant, code="SALUD", project="Fondo médico", objective="…",
                                  beneficiaries="Familias", budget=D("800.00"), fund=accounts["3200"])
    premiums.plan_approve(plan=plan, actor=accountant, **GA)
    premiums.premium_allocate(line=line, amount=D("500.00"), date=datetime.date(2026, 9, 1), actor=accountant)
    premiums.premium_spend(line=line, amount=D("100.00"), date=datetime.date(2026, 9, 2), actor=accountant,
                           supplier="Botica Sullana", invoice_number="B1-9", description="Medicinas")
    loan_round = loans.round_propose(cooperative=coop, actor=accountant, year=2026, quarter=4, pool=D("1000"))
    loans.round_approve(loan_round=loan_round, actor=board)
    loans.round_disburse(loan_round=loan_round, actor=accountant, date=datetime.date(2026, 10, 5))
    ProducerPrice.objects.create(cooperative=coop, product=product, organic=False, valid_from=datetime.date(2026, 1, 1),
                                 price=D("6.00"))
    settlement = settlements.settlement_compute(cooperative=coop, week_start=settlements.week_start_of(Q3),
                                                actor=accountant)
    Certification.objects.create(cooperative=coop, kind="fairtrade", name="Fairtrade SPO", number="FLO-3456",
                                 certifier="FLOCERT", issued_on=datetime.date(2025, 6, 1),
                                 expires_on=datetime.date(2028, 5, 31))
    committee = user_with_role(Role.COMMITTEE, coop, username="comite")
    return World(coop=coop, accountant=accountant, board=board, committee=committee, members=members,
                 accounts=accounts, shipment=shipment, settlement=settlement)
