"""Two co-ops with premium in their unallocated fund: APOQ (whose chain the tests walk) and OTRA,
whose plan is approved, allocated and spent, with its minutes and a receipt on file."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from coop.models import Role
from ledger.services import chart_of_accounts_create, transaction_post
from premiums import services
from tests.factories import CooperativeFactory, user_with_role

D = Decimal
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
GA = {"held_on": datetime.date(2026, 3, 1), "members_present": 210, "quorum": 184, "votes_for": 180,
      "votes_against": 12, "abstentions": 18, "minutes_reference": "Acta AG 2026-01"}


def pdf(name="acta-ag-2026.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def png(name="factura.png", content=PNG):
    return SimpleUploadedFile(name, content, content_type="image/png")


@pytest.fixture
def media_root(settings, tmp_path):
    """Uploads land in the test's own directory."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def english_client(client):
    """Pages and API in English unless a test asks otherwise (the default language is Spanish)."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def _books_with_premium(short_name: str, accountant_name: str):
    coop = CooperativeFactory(short_name=short_name)
    accounts = {a.code: a for a in chart_of_accounts_create(cooperative=coop)}
    accountant = user_with_role(Role.ACCOUNTANT, coop, username=accountant_name)
    # Three shipments of 1,080 Fairtrade boxes at US$1.00, then the importer pays the premium.
    for number in (1, 2, 3):
        transaction_post(cooperative=coop, date=datetime.date(2026, 2, number), memo=f"Shipment {number}",
                         actor=accountant, legs=[(accounts["1100"], D("1080.00")), (accounts["3000"], D("-1080.00"))])
    transaction_post(cooperative=coop, date=datetime.date(2026, 2, 20), memo="Premium paid", actor=accountant,
                     legs=[(accounts["1000"], D("3240.00")), (accounts["1100"], D("-3240.00"))])
    return coop, accounts, accountant


@pytest.fixture
def apoq(db):
    coop, accounts, accountant = _books_with_premium("APOQ", "contadora")

    class Apoq:
        cooperative = coop
        account = accounts
        unallocated = accounts["3000"]
        bank = accounts["1000"]

    Apoq.accountant = accountant
    Apoq.board = user_with_role(Role.BOARD, coop, username="directivo")
    Apoq.cluster = user_with_role(Role.CLUSTER_STAFF, coop, username="cluster")
    return Apoq


@pytest.fixture
def otra(db, media_root):
    """Another co-op's complete chain: approved plan, an allocation, spending with a receipt."""
    coop, accounts, accountant = _books_with_premium("OTRA", "contador-otra")
    plan = services.plan_draft(cooperative=coop, year=2026, actor=accountant)
    line = services.plan_line_set(plan=plan, actor=accountant, code="SALUD", project="Salud", objective="…",
                                  beneficiaries="Familias", budget=D("500.00"), fund=accounts["3200"])
    services.plan_approve(plan=plan, actor=accountant, minutes_document=pdf(), **GA)
    allocation = services.premium_allocate(line=line, amount=D("300.00"), date=datetime.date(2026, 3, 2), actor=accountant)
    spending = services.premium_spend(line=line, amount=D("100.00"), date=datetime.date(2026, 3, 3), actor=accountant,
                                      supplier="Botica", invoice_number="B1-9", description="Medicinas", receipt=png())

    class Otra:
        cooperative = coop
        account = accounts

    Otra.accountant, Otra.plan, Otra.line, Otra.allocation, Otra.spending = accountant, plan, line, allocation, spending
    return Otra


def approved_plan(books, lines, actor=None):
    """A 2026 plan with ``lines`` [(code, budget, fund code or None)], approved by the Assembly."""
    actor = actor or books.accountant
    plan = services.plan_draft(cooperative=books.cooperative, year=2026, actor=actor)
    made = {
        code: services.plan_line_set(plan=plan, actor=actor, code=code, project=f"Proyecto {code}", objective="…",
                                     beneficiaries="Socios", budget=D(budget),
                                     fund=books.account[fund] if fund else None)
        for code, budget, fund in lines
    }
    services.plan_approve(plan=plan, actor=actor, **GA)
    return plan, made
