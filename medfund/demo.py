"""The demo co-ops' medical fund: rules, an opening balance from the premium, and a few claims at
every step (the demo member's family among them)."""

import datetime
import random
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db.models import F
from django.utils import timezone

from ledger.models import Account
from ledger.services import transaction_post
from members.models import Member, MemberStatus

from . import services
from .models import Category, CategoryRule, DocumentKind, FundRules

# A one-page PDF, enough to stand for a scanned receipt.
RECEIPT = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
           b"trailer<</Root 1 0 R>>\n%%EOF\n")
CATEGORIES = [
    # code, name, cap per claim, cap per family and year, documents required
    ("surgery", "Cirugía de urgencia", Decimal("1500.00"), Decimal("2500.00"),
     [DocumentKind.RECEIPT, DocumentKind.MEDICAL_REPORT]),
    ("treatment", "Tratamiento de enfermedad", Decimal("800.00"), Decimal("1200.00"), [DocumentKind.RECEIPT]),
    ("funeral", "Sepelio", Decimal("1000.00"), None, [DocumentKind.DEATH_CERTIFICATE]),
]


def seed_medical_fund(*, cooperative, actor, committee, rng: random.Random) -> None:
    start = datetime.date(timezone.localdate().year, 1, 1)
    rules = FundRules.objects.create(cooperative=cooperative, valid_from=start, waiting_days=90,
                                     approvals_required=min(2, max(len(committee), 1)), created_by=actor)
    categories = {}
    for code, name, per_claim, per_year, documents in CATEGORIES:
        categories[code] = Category.objects.create(cooperative=cooperative, code=code, name=name)
        CategoryRule.objects.create(rules=rules, category=categories[code], per_claim_cap=per_claim,
                                    per_family_year_cap=per_year, required_documents=documents)
    accounts = {a.code: a for a in Account.objects.filter(cooperative=cooperative, code__in=["1000", "3200"])}
    transaction_post(cooperative=cooperative, date=start, actor=actor, memo="Saldo inicial del fondo médico",
                     source="AG 2025", legs=[(accounts["1000"], Decimal("6000.00")),
                                             (accounts["3200"], Decimal("-6000.00"))])
    if not committee:
        return
    members = list(Member.objects.filter(cooperative=cooperative, status=MemberStatus.ACTIVE,
                                         join_date__lt=start)
                   .order_by(F("user").desc(nulls_last=True), "number")[:6])
    today = timezone.localdate()
    for index, member in enumerate(members):
        surgery = index % 2 == 0
        category = categories["surgery" if surgery else "treatment"]
        amount = Decimal(rng.choice([350, 480, 620, 750])) + (Decimal(400) if surgery else 0)
        children = [person for person in member.household.all() if person.is_dependent_on(today, cooperative)]
        claim = services.claim_submit(
            member=member, actor=member.user or actor, category=category,
            event_date=max(start, today - datetime.timedelta(days=rng.randint(10, 60))),
            beneficiary=children[0] if children and index % 3 == 0 else None, amount_requested=amount,
            description=("Operación de apendicitis en el hospital de Sullana" if surgery
                         else "Tratamiento de dengue, medicinas y análisis"),
            documents=[(kind, ContentFile(RECEIPT, name=f"{kind}.pdf"))
                       for kind in (DocumentKind.RECEIPT, DocumentKind.MEDICAL_REPORT)])
        if index == len(members) - 1:
            continue  # just submitted
        services.claim_review(claim=claim, actor=committee[0])
        if index == len(members) - 2:
            continue  # under review
        for reviewer in committee[:rules.approvals_required]:
            services.claim_approve(claim=claim, actor=reviewer, amount=amount)
        if index < 2:
            services.claim_pay(claim=claim, actor=actor)
