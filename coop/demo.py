"""Realistic, deterministic demo co-ops: APOQ-like (Querecotillo), Hualtaco-like (Sullana) and
an Ecuadorian association, with Spanish names, Chira-valley villages, households and plots.

Rows are written with bulk inserts so that 10,000 and more members take seconds.
"""

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal

import pghistory
from django.contrib.auth import get_user_model
from django.db import connection, transaction

from ledger.services import chart_of_accounts_create
from members.models import (
    BananaVariety,
    HouseholdMember,
    Member,
    MemberStatus,
    MemberStatusChange,
    OrganicStatus,
    Plot,
    Relationship,
)

from .models import Certification, CertificationKind, Cooperative, Role, RoleAssignment
from .services import cooperative_create

DEMO_PASSWORD = "coop-demo-2026"
TODAY = datetime.date(2026, 11, 1)  # fixed, so that the same seed gives the same co-ops

WOMEN = ["María", "Rosa", "Carmen", "Juana", "Elena", "Luz", "Ana", "Flor", "Marleni", "Yolanda",
         "Doris", "Gladys", "Sonia", "Teresa", "Milagros", "Nelly", "Isabel", "Lucía", "Esther", "Betty",
         "Maritza", "Olga", "Fanny", "Zoila", "Santos", "Norma", "Haydée", "Rocío", "Celia", "Digna"]
MEN = ["José", "Juan", "Luis", "Carlos", "Manuel", "Pedro", "Segundo", "Víctor", "Jorge", "Miguel",
       "Julio", "César", "Wilmer", "Hugo", "Raúl", "Santiago", "Francisco", "Eduardo", "Alberto", "Óscar",
       "Félix", "Alejandro", "Nicanor", "Teodoro", "Wilson", "Ángel", "Ramón", "Jesús", "Fidel", "Elmer"]
SURNAMES = ["García", "Chumacero", "Zapata", "Córdova", "Silva", "Ramírez", "Peña", "Sosa", "Jiménez",
            "Castillo", "Morales", "Ruiz", "Rojas", "Flores", "Chávez", "Sánchez", "Vílchez", "Juárez",
            "Saavedra", "Alburqueque", "Yovera", "Nole", "Panta", "Ipanaqué", "Sernaqué", "Querevalú",
            "Mogollón", "Carrasco", "Seminario", "Ancajima", "Távara", "Cruz", "Lizana", "Lopez", "Atoche",
            "Cunyarache", "Chunga", "Namuche", "Pazo", "Vite", "Ordinola", "Farfán", "Olaya", "Calle"]


@dataclass(frozen=True)
class CoopPlan:
    short_name: str
    name: str
    country: str
    region: str
    fairtrade_id: str
    villages: tuple[str, ...]
    centre: tuple[float, float]  # latitude, longitude of the valley
    members: int
    organic_share: float


APOQ = CoopPlan(
    "APOQ", "Asociación de Productores Orgánicos de Querecotillo", "PE", "Piura", "FLO-24601",
    ("Querecotillo", "Salitral", "Sojo", "Monte Lima", "Santa Cruz", "Mallaritos", "La Golondrina",
     "Somate", "Miraflores", "Marcavelica", "Mallares", "Huangalá"),
    (-4.838, -80.647), 367, 0.85,
)
HUALTACO = CoopPlan(
    "HUALTACO", "Asociación de Pequeños Productores de Banano Orgánico Hualtaco", "PE", "Piura",
    "FLO-31877",
    ("Cieneguillo Centro", "Cieneguillo Norte", "Cieneguillo Sur", "Jíbito", "El Porvenir",
     "Santa Sofía", "Bellavista", "Las Mercedes", "Ignacio Escudero", "Lancones"),
    (-4.903, -80.685), 400, 0.9,
)
GUABO = CoopPlan(
    "GUABO", "Asociación de Pequeños Productores Bananeros El Guabo", "EC", "El Oro", "FLO-1185",
    ("El Guabo", "Barbones", "La Iberia", "Río Bonito", "Tendales", "Pasaje"),
    (-3.239, -79.829), 150, 0.3,
)


def valid_cedula(rng: random.Random, province: int) -> str:
    """A cédula with a correct check digit (see members.validators)."""
    body = f"{province:02d}{rng.randint(0, 5)}{rng.randint(0, 999999):06d}"
    total = 0
    for position, digit in enumerate(body):
        product = int(digit) * (2 if position % 2 == 0 else 1)
        total += product - 9 if product > 9 else product
    return body + str((10 - total % 10) % 10)


def _national_id(rng, country, used):
    while True:
        value = valid_cedula(rng, 7) if country == "EC" else f"{rng.randint(2_000_000, 48_999_999):08d}"
        if value not in used:
            used.add(value)
            return value


def _date_between(rng, start: datetime.date, end: datetime.date) -> datetime.date:
    return start + datetime.timedelta(days=rng.randint(0, max(0, (end - start).days)))


def _person_name(rng, sex):
    first = rng.choice(WOMEN if sex == "F" else MEN)
    if rng.random() < 0.4:
        first = f"{first} {rng.choice(WOMEN if sex == 'F' else MEN)}"
    return first


def _plot_boundary(lat: float, lon: float, area_ha: Decimal) -> dict:
    """A square of the plot's area around its point, as a GeoJSON Polygon."""
    side_deg = float(area_ha.sqrt()) * 100 / 111_320  # sqrt(ha) * 100 m, in degrees
    half = side_deg / 2
    ring = [[round(lon - half, 6), round(lat - half, 6)], [round(lon + half, 6), round(lat - half, 6)],
            [round(lon + half, 6), round(lat + half, 6)], [round(lon - half, 6), round(lat + half, 6)]]
    ring.append(ring[0])
    return {"type": "Polygon", "coordinates": [ring]}


def create_cooperative(plan: CoopPlan, rng: random.Random) -> Cooperative:
    coop = cooperative_create(
        name=plan.name, short_name=plan.short_name, country=plan.country, region=plan.region,
        currency="USD", fairtrade_id=plan.fairtrade_id,
    )
    Certification.objects.bulk_create([
        Certification(cooperative=coop, kind=CertificationKind.FAIRTRADE, number=plan.fairtrade_id,
                      certifier="FLOCERT", issued_on=datetime.date(2024, 3, 1),
                      expires_on=datetime.date(2027, 2, 28)),
        Certification(cooperative=coop, kind=CertificationKind.ORGANIC_EU, number=f"CU-{rng.randint(100000, 999999)}",
                      certifier="Control Union Perú" if plan.country == "PE" else "BCS Öko-Garantie",
                      issued_on=datetime.date(2026, 1, 15), expires_on=datetime.date(2027, 1, 14)),
        Certification(cooperative=coop, kind=CertificationKind.ORGANIC_USDA, number=f"NOP-{rng.randint(10000, 99999)}",
                      certifier="Control Union Perú" if plan.country == "PE" else "BCS Öko-Garantie",
                      issued_on=datetime.date(2026, 1, 15), expires_on=datetime.date(2027, 6, 30)),
        Certification(cooperative=coop, kind=CertificationKind.CARBON_NEUTRAL, number=f"CN-{rng.randint(1000, 9999)}",
                      certifier="Solidaridad / Carbon Trust", issued_on=datetime.date(2025, 6, 1),
                      expires_on=datetime.date(2028, 5, 31)),
    ])
    return coop


def populate_members(coop: Cooperative, plan: CoopPlan, count: int, rng: random.Random, batch: int = 2000):
    """``count`` members with households, plots and status histories, in bulk."""
    used_ids: set[str] = set()
    members, statuses = [], []
    for index in range(1, count + 1):
        sex = "F" if rng.random() < 0.32 else "M"
        birth = _date_between(rng, datetime.date(1948, 1, 1), datetime.date(2002, 12, 31))
        joined = max(_date_between(rng, datetime.date(2002, 6, 1), datetime.date(2025, 12, 31)),
                     birth + datetime.timedelta(days=18 * 366))
        roll = rng.random()
        status = (MemberStatus.ACTIVE if roll < 0.92 else MemberStatus.SUSPENDED if roll < 0.95
                  else MemberStatus.WITHDRAWN if roll < 0.98 else MemberStatus.DECEASED)
        members.append(Member(
            cooperative=coop, number=f"{index:04d}" if count < 10000 else f"{index:05d}",
            first_name=_person_name(rng, sex),
            last_name=f"{rng.choice(SURNAMES)} {rng.choice(SURNAMES)}",
            national_id=_national_id(rng, plan.country, used_ids), sex=sex, birth_date=birth,
            phone=f"9{rng.randint(10_000_000, 99_999_999)}" if plan.country == "PE" else f"09{rng.randint(10_000_000, 99_999_999)}",
            village=rng.choice(plan.villages), join_date=joined, status=status,
        ))
    Member.objects.bulk_create(members, batch_size=batch)

    household, plots = [], []
    for member in members:
        statuses.append(MemberStatusChange(cooperative=coop, member=member, status=MemberStatus.ACTIVE,
                                           effective_on=member.join_date, reason="Ingreso a la asociación"))
        if member.status != MemberStatus.ACTIVE:
            reason = {"suspended": "Incumplimiento de normas de certificación orgánica",
                      "withdrawn": "Renuncia voluntaria", "deceased": "Fallecimiento"}[member.status]
            statuses.append(MemberStatusChange(
                cooperative=coop, member=member, status=member.status,
                effective_on=_date_between(rng, member.join_date, TODAY), reason=reason))
        partner_sex = "M" if member.sex == "F" else "F"
        if rng.random() < 0.78:
            since = _date_between(rng, member.birth_date + datetime.timedelta(days=18 * 366), TODAY)
            household.append(HouseholdMember(
                cooperative=coop, member=member,
                relationship=Relationship.SPOUSE if rng.random() < 0.6 else Relationship.PARTNER,
                first_name=_person_name(rng, partner_sex),
                last_name=f"{rng.choice(SURNAMES)} {rng.choice(SURNAMES)}", sex=partner_sex,
                birth_date=_date_between(rng, member.birth_date - datetime.timedelta(days=3650),
                                         member.birth_date + datetime.timedelta(days=3650)),
                since=min(since, TODAY)))
        for _child in range(rng.choice([0, 1, 1, 2, 2, 2, 3, 3, 4, 5])):
            earliest = member.birth_date + datetime.timedelta(days=18 * 366)
            birth = _date_between(rng, earliest, TODAY - datetime.timedelta(days=30))
            age = (TODAY - birth).days // 365
            child_sex = rng.choice("FM")
            household.append(HouseholdMember(
                cooperative=coop, member=member, relationship=Relationship.CHILD,
                first_name=_person_name(rng, child_sex),
                last_name=member.last_name.split(" ")[0] + " " + rng.choice(SURNAMES),
                sex=child_sex, birth_date=birth, studying=18 <= age < 25 and rng.random() < 0.35))
        if rng.random() < 0.08:
            household.append(HouseholdMember(
                cooperative=coop, member=member, relationship=Relationship.OTHER,
                first_name=_person_name(rng, "F"), last_name=member.last_name, sex="F",
                birth_date=_date_between(rng, datetime.date(1935, 1, 1), datetime.date(1960, 1, 1))))
        for plot_index in range(1, rng.choice([1, 1, 1, 2, 2, 3]) + 1):
            area = Decimal(rng.randint(25, 300)) / 100
            lat = plan.centre[0] + rng.uniform(-0.06, 0.06)
            lon = plan.centre[1] + rng.uniform(-0.08, 0.08)
            organic = rng.random()
            if organic < plan.organic_share:
                status, since = OrganicStatus.CERTIFIED, _date_between(rng, datetime.date(2006, 1, 1), datetime.date(2024, 1, 1))
                certified = area if rng.random() < 0.9 else (area * Decimal("0.8")).quantize(Decimal("0.01"))
            elif organic < plan.organic_share + 0.05:
                status, since, certified = OrganicStatus.IN_CONVERSION, _date_between(rng, datetime.date(2024, 6, 1), datetime.date(2026, 6, 1)), Decimal("0")
            else:
                status, since, certified = OrganicStatus.CONVENTIONAL, None, Decimal("0")
            plots.append(Plot(
                cooperative=coop, member=member, code=f"{coop.short_name[:4]}-{member.number}-{plot_index}",
                name=f"{rng.choice(['El', 'La', 'Los'])} {rng.choice(['Algarrobo', 'Chira', 'Platanal', 'Palmera', 'Huerta', 'Cruce', 'Bajío', 'Canal'])}",
                area_ha=area, latitude=Decimal(f"{lat:.6f}"), longitude=Decimal(f"{lon:.6f}"),
                boundary=_plot_boundary(lat, lon, area) if rng.random() < 0.5 else None,
                variety=rng.choice([BananaVariety.CAVENDISH] * 6 + [BananaVariety.WILLIAMS, BananaVariety.VALERY, BananaVariety.BABY]),
                organic_status=status, organic_since=since, certified_area_ha=certified,
                last_inspection_on=_date_between(rng, datetime.date(2025, 9, 1), TODAY) if status != OrganicStatus.CONVENTIONAL else None,
            ))
    MemberStatusChange.objects.bulk_create(statuses, batch_size=batch)
    HouseholdMember.objects.bulk_create(household, batch_size=batch)
    Plot.objects.bulk_create(plots, batch_size=batch)
    return members


DEMO_USERS = [
    # username, first name, last name, role (None: superuser), co-ops
    ("superadmin", "Super", "Administrador", None, ()),
    ("apoq.admin", "Rosa", "Chumacero", Role.ADMIN, ("APOQ",)),
    ("apoq.contador", "Luis", "Peña", Role.ACCOUNTANT, ("APOQ",)),
    ("apoq.directivo", "Carmen", "Zapata", Role.BOARD, ("APOQ",)),
    ("apoq.comite", "Jorge", "Silva", Role.COMMITTEE, ("APOQ",)),
    ("apoq.comite2", "Nelly", "Ruiz", Role.COMMITTEE, ("APOQ",)),
    ("hualtaco.contador", "Flor", "Saavedra", Role.ACCOUNTANT, ("HUALTACO",)),
    ("cluster", "Elena", "Córdova", Role.CLUSTER_STAFF, ("APOQ", "HUALTACO", "GUABO")),
    # An importer's program: its scope comes from its API client, not from a co-op role.
    ("importador", "Import", "API", Role.IMPORTER, ()),
]


def create_demo_users(coops: dict[str, Cooperative]) -> list[tuple[str, str]]:
    """The demo logins, one per role, all with DEMO_PASSWORD; returns (username, role) pairs."""
    User = get_user_model()
    logins = []
    for username, first, last, role, coop_codes in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=username, defaults={"first_name": first, "last_name": last,
                                         "email": f"{username}@example.org"})
        if created:
            user.set_password(DEMO_PASSWORD)
            user.is_superuser = user.is_staff = role is None
            user.is_staff = user.is_staff or role == Role.ADMIN
            user.save()
        for code in coop_codes:
            if code in coops:
                RoleAssignment.objects.get_or_create(user=user, cooperative=coops[code], role=role)
        logins.append((username, str(Role(role).label) if role else "superuser"))
    member = Member.objects.filter(cooperative=coops["APOQ"], status=MemberStatus.ACTIVE).order_by("number").first()
    if member and not member.user_id:
        user = User.objects.filter(username="apoq.socio").first() or User(username="apoq.socio")
        user.first_name, user.last_name = member.first_name, member.last_name
        user.set_password(DEMO_PASSWORD)
        user.save()
        member.user = user
        member.save(update_fields=["user"])
    if member:
        logins.append(("apoq.socio", f"{Role.MEMBER.label} {member.number}"))
    return logins


def _seed_trade(coops: dict[str, Cooperative], created: dict, seed: int) -> None:
    """A season of shipments for each co-op created now, and the importer's demo login."""
    from exports.demo import importers, seed_trade
    from exports.models import ImporterClient
    from medfund.demo import seed_medical_fund

    User = get_user_model()
    bookkeepers = {"APOQ": "apoq.contador", "HUALTACO": "hualtaco.contador"}
    for code in created:
        actor = User.objects.get(username=bookkeepers.get(code, "superadmin"))
        approver = User.objects.filter(username=f"{code.lower()}.directivo").first()
        seed_trade(cooperative=coops[code], actor=actor, rng=random.Random(f"{seed}-{code}-trade"), approver=approver)
        seed_medical_fund(cooperative=coops[code], actor=actor, committee=list(User.objects.filter(
            role_assignments__cooperative=coops[code], role_assignments__role=Role.COMMITTEE).order_by("username")),
                          rng=random.Random(f"{seed}-{code}-medfund"))
    importer_login = User.objects.get(username="importador")
    if not ImporterClient.objects.filter(user=importer_login).exists():
        ImporterClient.objects.create(importer=importers()[0], user=importer_login, name="Demo")


def seed(*, members: int = APOQ.members, seed: int = 2026, stdout=None) -> dict:
    """Create the demo co-ops that are not there yet. The same seed gives the same data."""
    coops = {}
    created = {}
    with transaction.atomic(), pghistory.context(command="seed_demo"):
        for plan, count in ((APOQ, members), (HUALTACO, HUALTACO.members), (GUABO, GUABO.members)):
            existing = Cooperative.objects.filter(short_name=plan.short_name).first()
            coop_rng = random.Random(f"{seed}-{plan.short_name}")
            if existing:
                coops[plan.short_name] = existing
                continue
            coops[plan.short_name] = coop = create_cooperative(plan, coop_rng)
            populate_members(coop, plan, count, coop_rng)
            created[plan.short_name] = count
        for coop in coops.values():  # co-ops seeded before the ledger existed get their books too
            chart_of_accounts_create(cooperative=coop)
        logins = create_demo_users(coops)
        _seed_trade(coops, created, seed)
    if created:
        # Fresh planner statistics after a bulk load, as autovacuum would gather later.
        with connection.cursor() as cursor:
            for model in (Member, HouseholdMember, Plot, MemberStatusChange):
                cursor.execute(f'ANALYZE "{model._meta.db_table}"')
    return {"created": created, "logins": logins}
