"""From box to General Assembly: the premium-use chain worked through in plain numbers."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from coop.models import Role
from coop.services import cooperative_create
from ledger.models import Account
from ledger.services import transaction_post
from premiums import selectors, services
from premiums.models import DevelopmentPlan, PlanStatus
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def apoq():
    coop = cooperative_create(name="APOQ", short_name="APOQ", country="PE")
    accountant = user_with_role(Role.ACCOUNTANT, coop, username="contadora")
    accounts = {a.code: a for a in Account.objects.filter(cooperative=coop)}
    # Three shipments of 1,080 Fairtrade boxes at US$1.00, paid by the importer.
    for number in (1, 2, 3):
        transaction_post(cooperative=coop, date=datetime.date(2026, 2, number), memo=f"Shipment {number}", actor=accountant,
                         legs=[(accounts["1100"], D("1080.00")), (accounts["3000"], D("-1080.00"))])
    transaction_post(cooperative=coop, date=datetime.date(2026, 2, 20), memo="Premium paid", actor=accountant,
                     legs=[(accounts["1000"], D("3240.00")), (accounts["1100"], D("-3240.00"))])
    return coop, accountant, accounts


def approve(plan, actor, **votes):
    defaults = {"held_on": datetime.date(2026, 3, 1), "members_present": 210, "quorum": 184, "votes_for": 180,
                "votes_against": 12, "abstentions": 18, "minutes_reference": "Acta AG 2026-01"}
    return services.plan_approve(plan=plan, actor=actor, **(defaults | votes))


def test_worked_example(apoq):
    coop, accountant, accounts = apoq
    plan = services.plan_draft(cooperative=coop, year=2026, actor=accountant)
    lines = {
        code: services.plan_line_set(plan=plan, actor=accountant, code=code, project=project, objective="…",
                                     beneficiaries=who, budget=D(budget), fund=accounts.get(fund))
        for code, project, who, budget, fund in [
            ("SALUD", "Fondo de emergencia médica", "Socios y familias", "1500.00", "3200"),
            ("PREST", "Préstamos sin intereses", "Socios activos", "1000.00", "3100"),
            ("COLEGIO", "Computadora, proyector y copiadora", "Colegio de Querecotillo", "740.00", None),
        ]
    }
    with pytest.raises(ValidationError, match="approved by the General Assembly|only to a line"):
        services.premium_allocate(line=lines["SALUD"], amount=D("10.00"), date=datetime.date(2026, 3, 2), actor=accountant)
    approve(plan, accountant)
    for code, amount in (("SALUD", "1500.00"), ("PREST", "1000.00"), ("COLEGIO", "740.00")):
        services.premium_allocate(line=lines[code], amount=D(amount), date=datetime.date(2026, 3, 2), actor=accountant)
    assert Account.objects.get(pk=accounts["3000"].pk).balance == D("0.00")
    services.premium_spend(line=lines["COLEGIO"], amount=D("740.00"), date=datetime.date(2026, 3, 15), actor=accountant,
                           supplier="Librería Piura SAC", invoice_number="F001-2231", description="Computer, projector, copier")
    table = {row.code: row for row in selectors.plan_versus_actual(cooperative=coop, year=2026)}
    assert (table["COLEGIO"].budget, table["COLEGIO"].allocated, table["COLEGIO"].spent, table["COLEGIO"].in_fund) == (
        D("740.00"), D("740.00"), D("740.00"), D("0.00"))
    assert (table["SALUD"].allocated, table["SALUD"].to_allocate) == (D("1500.00"), D("0.00"))
    assert Account.objects.get(pk=accounts["1000"].pk).balance == D("2500.00")


def test_over_budget_and_unapproved_allocations_are_refused(apoq):
    coop, accountant, accounts = apoq
    plan = services.plan_draft(cooperative=coop, year=2026, actor=accountant)
    line = services.plan_line_set(plan=plan, actor=accountant, code="SALUD", project="Salud", objective="…",
                                  beneficiaries="Familias", budget=D("1500.00"), fund=accounts["3200"])
    approve(plan, accountant)
    services.premium_allocate(line=line, amount=D("1000.00"), date=datetime.date(2026, 3, 2), actor=accountant)
    with pytest.raises(ValidationError) as refused:
        services.premium_allocate(line=line, amount=D("500.01"), date=datetime.date(2026, 3, 3), actor=accountant)
    assert refused.value.message_dict["amount"] == [
        "Over budget: SALUD has 1,500.00 approved, 1,000.00 already allocated; 500.00 can still be allocated."]
    with pytest.raises(ValidationError, match="An approved plan is not changed"):
        services.plan_line_set(plan=plan, actor=accountant, code="SALUD", project="Salud", objective="…",
                               beneficiaries="Familias", budget=D("9000.00"), fund=accounts["3200"])


def test_a_changed_plan_needs_a_new_approval_and_keeps_what_was_allocated(apoq):
    coop, accountant, accounts = apoq
    first = services.plan_draft(cooperative=coop, year=2026, actor=accountant)
    services.plan_line_set(plan=first, actor=accountant, code="SALUD", project="Salud", objective="…",
                           beneficiaries="Familias", budget=D("1000.00"), fund=accounts["3200"])
    approve(first, accountant)
    v1_line = first.lines.get()
    services.premium_allocate(line=v1_line, amount=D("800.00"), date=datetime.date(2026, 3, 2), actor=accountant)
    second = services.plan_draft(cooperative=coop, year=2026, actor=accountant)
    assert (second.version, second.lines.get().budget) == (2, D("1000.00"))
    v2_line = services.plan_line_set(plan=second, actor=accountant, code="SALUD", project="Salud", objective="…",
                                     beneficiaries="Familias", budget=D("1200.00"), fund=accounts["3200"])
    with pytest.raises(ValidationError):  # not approved yet
        services.premium_allocate(line=v2_line, amount=D("100.00"), date=datetime.date(2026, 4, 2), actor=accountant)
    approve(second, accountant, held_on=datetime.date(2026, 4, 1), minutes_reference="Acta AG 2026-02")
    assert DevelopmentPlan.objects.get(pk=first.pk).status == PlanStatus.SUPERSEDED
    with pytest.raises(ValidationError):  # the old version's line takes nothing more
        services.premium_allocate(line=v1_line, amount=D("1.00"), date=datetime.date(2026, 4, 2), actor=accountant)
    services.premium_allocate(line=v2_line, amount=D("400.00"), date=datetime.date(2026, 4, 2), actor=accountant)
    with pytest.raises(ValidationError, match="1,200.00 approved, 1,200.00 already allocated"):
        services.premium_allocate(line=v2_line, amount=D("0.01"), date=datetime.date(2026, 4, 3), actor=accountant)


@pytest.mark.parametrize(
    ("votes", "field"),
    [({"members_present": 100, "quorum": 184}, "members_present"),
     ({"votes_for": 50, "votes_against": 60, "abstentions": 0}, "votes_for"),
     ({"votes_for": 200, "votes_against": 10, "abstentions": 10}, "votes_for")],
)
def test_an_assembly_without_quorum_or_majority_approves_nothing(apoq, votes, field):
    coop, accountant, accounts = apoq
    plan = services.plan_draft(cooperative=coop, year=2026, actor=accountant)
    services.plan_line_set(plan=plan, actor=accountant, code="SALUD", project="Salud", objective="…",
                           beneficiaries="Familias", budget=D("100.00"), fund=accounts["3200"])
    with pytest.raises(ValidationError) as refused:
        approve(plan, accountant, **votes)
    assert field in refused.value.message_dict
    assert DevelopmentPlan.objects.get(pk=plan.pk).status == PlanStatus.DRAFT


def test_spending_beyond_the_fund_is_refused(apoq):
    coop, accountant, accounts = apoq
    plan = services.plan_draft(cooperative=coop, year=2026, actor=accountant)
    line = services.plan_line_set(plan=plan, actor=accountant, code="COLEGIO", project="Colegio", objective="…",
                                  beneficiaries="Colegio", budget=D("740.00"))
    approve(plan, accountant)
    services.premium_allocate(line=line, amount=D("700.00"), date=datetime.date(2026, 3, 2), actor=accountant)
    with pytest.raises(ValidationError, match="may not go below zero"):
        services.premium_spend(line=line, amount=D("740.00"), date=datetime.date(2026, 3, 5), actor=accountant,
                               supplier="Librería", invoice_number="F1", description="Copier")
    assert not line.spending.exists()
