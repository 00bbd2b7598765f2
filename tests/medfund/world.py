"""A co-op with a medical fund, built for the medfund tests.

APOQ's rules from 1 January 2026: members are covered 90 days after joining, two committee
approvals; surgery up to 1,500.00 a claim and 2,000.00 a family a year (receipt and medical report
required); illness treatment up to 800.00 a claim and 1,200.00 a year (receipt); funerals up to
1,000.00 (death certificate). The fund holds 3,000.00.

Members: 0001 Rosa (joined 2005, with a login; her husband Pedro since 2010, her son Luis born
14 June 2008, who turns 18 on 14 June 2026, her daughter Ana born 2015, her mother Carmen) and
0002 Julio, who joined on 1 October 2026 (covered from 30 December 2026).
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from coop.models import Cooperative, Role, User
from coop.services import cooperative_create
from ledger.models import Account
from ledger.services import transaction_post
from medfund.models import Category, CategoryRule, DocumentKind, FundRules
from members.models import HouseholdMember, Member
from tests.factories import HouseholdMemberFactory, MemberFactory, user_with_role

D = Decimal
PASSWORD = "secret-pass-123"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
FUND = D("3000.00")


@dataclass
class World:
    coop: Cooperative
    accountant: User
    board: User
    committee: list[User]
    rosa: Member
    pedro: HouseholdMember
    luis: HouseholdMember
    ana: HouseholdMember
    carmen: HouseholdMember
    julio: Member
    rules: FundRules
    surgery: Category
    treatment: Category
    funeral: Category
    accounts: dict

    @property
    def fund(self) -> Decimal:
        return Account.objects.get(pk=self.accounts["3200"].pk).balance


def build(fund: Decimal = FUND, short_name: str = "APOQ") -> World:
    coop = cooperative_create(name=f"Asociación {short_name}", short_name=short_name, country="PE")
    accountant = user_with_role(Role.ACCOUNTANT, coop, username=f"{short_name.lower()}-contadora")
    board = user_with_role(Role.BOARD, coop, username=f"{short_name.lower()}-directivo")
    committee = [user_with_role(Role.COMMITTEE, coop, username=f"{short_name.lower()}-comite{n}") for n in (1, 2, 3)]
    rules = FundRules.objects.create(cooperative=coop, valid_from=datetime.date(2026, 1, 1), waiting_days=90,
                                     approvals_required=2, created_by=accountant)
    surgery = Category.objects.create(cooperative=coop, code="surgery", name="Cirugía")
    treatment = Category.objects.create(cooperative=coop, code="treatment", name="Tratamiento")
    funeral = Category.objects.create(cooperative=coop, code="funeral", name="Sepelio")
    CategoryRule.objects.create(rules=rules, category=surgery, per_claim_cap=D("1500.00"),
                                per_family_year_cap=D("2000.00"),
                                required_documents=[DocumentKind.RECEIPT, DocumentKind.MEDICAL_REPORT])
    CategoryRule.objects.create(rules=rules, category=treatment, per_claim_cap=D("800.00"),
                                per_family_year_cap=D("1200.00"), required_documents=[DocumentKind.RECEIPT])
    CategoryRule.objects.create(rules=rules, category=funeral, per_claim_cap=D("1000.00"),
                                required_documents=[DocumentKind.DEATH_CERTIFICATE])
    accounts = {a.code: a for a in Account.objects.filter(cooperative=coop)}
    if fund:
        transaction_post(cooperative=coop, date=datetime.date(2026, 1, 15), memo="Fondo médico (asamblea)",
                         actor=accountant, legs=[(accounts["1000"], fund), (accounts["3200"], -fund)])
    rosa = MemberFactory(cooperative=coop, number="0001", first_name="Rosa", last_name="Quispe",
                         join_date=datetime.date(2005, 3, 1),
                         user=User.objects.create_user(f"{short_name.lower()}-rosa", password=PASSWORD))
    pedro = HouseholdMemberFactory(member=rosa, relationship="spouse", first_name="Pedro", sex="M",
                                   birth_date=datetime.date(1970, 2, 2), since=datetime.date(2010, 5, 1))
    luis = HouseholdMemberFactory(member=rosa, relationship="child", first_name="Luis", sex="M",
                                  birth_date=datetime.date(2008, 6, 14))
    ana = HouseholdMemberFactory(member=rosa, relationship="child", first_name="Ana",
                                 birth_date=datetime.date(2015, 9, 1))
    carmen = HouseholdMemberFactory(member=rosa, relationship="other", first_name="Carmen",
                                    birth_date=datetime.date(1950, 1, 1))
    julio = MemberFactory(cooperative=coop, number="0002", first_name="Julio", last_name="Ramos",
                          join_date=datetime.date(2026, 10, 1))
    return World(coop=coop, accountant=accountant, board=board, committee=committee, rosa=rosa, pedro=pedro,
                 luis=luis, ana=ana, carmen=carmen, julio=julio, rules=rules, surgery=surgery, treatment=treatment,
                 funeral=funeral, accounts=accounts)
