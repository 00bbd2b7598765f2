"""factory_boy factories shared by the tests of every app."""

import datetime
import itertools
from decimal import Decimal

import factory

from coop.demo import valid_cedula
from coop.models import Certification, CertificationKind, Cooperative, Role, RoleAssignment, User
from members.models import HouseholdMember, Member, MemberStatusChange, Plot

_dni = itertools.count(40_000_000)


class CooperativeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cooperative

    name = factory.Sequence(lambda n: f"Asociación de Productores {n}")
    short_name = factory.Sequence(lambda n: f"COOP{n}")
    country = "PE"
    region = "Piura"
    currency = "USD"
    fairtrade_id = factory.Sequence(lambda n: f"FLO-{1000 + n}")


class CertificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Certification

    cooperative = factory.SubFactory(CooperativeFactory)
    kind = CertificationKind.FAIRTRADE
    number = factory.Sequence(lambda n: f"CERT-{n}")
    certifier = "FLOCERT"
    issued_on = datetime.date(2025, 1, 1)
    expires_on = datetime.date(2028, 1, 1)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", "secret-pass-123")

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def user_with_role(role: str, *cooperatives, **user_fields) -> User:
    user = UserFactory(**user_fields)
    for cooperative in cooperatives:
        RoleAssignment.objects.create(user=user, cooperative=cooperative, role=role)
    return user


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member
        skip_postgeneration_save = True

    cooperative = factory.SubFactory(CooperativeFactory)
    number = factory.Sequence(lambda n: f"{n + 1:04d}")
    first_name = factory.Iterator(["María", "José", "Rosa", "Juan", "Carmen"])
    last_name = factory.Iterator(["Peña Zapata", "García Silva", "Chumacero Ruiz"])
    national_id = factory.LazyAttribute(
        lambda m: valid_cedula(__import__("random").Random(next(_dni)), 7)
        if m.cooperative.country == "EC"
        else f"{next(_dni):08d}"
    )
    sex = "F"
    birth_date = datetime.date(1975, 5, 17)
    village = "Querecotillo"
    join_date = datetime.date(2005, 3, 1)

    @factory.post_generation
    def history(obj, create, extracted, **kwargs):
        if create:
            MemberStatusChange.objects.create(
                cooperative=obj.cooperative, member=obj, status="active",
                effective_on=obj.join_date, reason="Ingreso",
            )


class HouseholdMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HouseholdMember

    member = factory.SubFactory(MemberFactory)
    cooperative = factory.SelfAttribute("member.cooperative")
    relationship = "child"
    first_name = "Lucía"
    last_name = factory.SelfAttribute("member.last_name")
    sex = "F"
    birth_date = datetime.date(2012, 4, 1)


class PlotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plot

    member = factory.SubFactory(MemberFactory)
    cooperative = factory.SelfAttribute("member.cooperative")
    code = factory.Sequence(lambda n: f"P-{n:05d}")
    name = "El Algarrobo"
    area_ha = Decimal("1.5000")
    variety = "cavendish"
    organic_status = "certified"
    organic_since = datetime.date(2010, 1, 1)
    certified_area_ha = Decimal("1.5000")


__all__ = ["Role"]


# Exports and the Fairtrade premium ------------------------------------------------------------

_containers = itertools.count(700_001)
_invoices = itertools.count(1)


def container_number(serial: int | None = None, owner: str = "CSQ") -> str:
    """A valid ISO 6346 number (owner code + U + six digits + check digit), a new one each call."""
    from exports.validators import container_check_digit

    first_ten = f"{owner}U{(next(_containers) if serial is None else serial) % 1_000_000:06d}"
    return f"{first_ten}{container_check_digit(first_ten)}"


class ImporterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "exports.Importer"

    name = factory.Sequence(lambda n: f"Bananen Import Hamburg {n} GmbH")
    country = "DE"


class ProductFactory(factory.django.DjangoModelFactory):
    """An export banana box: 18.14 kg, 1,080 boxes to a 40-foot reefer."""

    class Meta:
        model = "exports.Product"

    cooperative = factory.SubFactory(CooperativeFactory)
    code = factory.Sequence(lambda n: f"BAN-{n:03d}")
    name = "Banano caja 18,14 kg"
    unit = "box"
    kg_per_unit = Decimal("18.140")
    units_per_container = 1080


class RejectionReasonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "exports.RejectionReason"

    cooperative = factory.SubFactory(CooperativeFactory)
    code = factory.Sequence(lambda n: f"R{n:02d}")
    name = "Pudrición de corona"


class ExportsWorld:
    """A co-op that exports through the services: books opened by cooperative_create, an
    accountant, an importer, an 18.14 kg banana box (1,080 per container), Fairtrade minimum and
    contract prices, the premium rate US$1.0000 per 18.140 kg, active members with a certified
    organic plot and a conventional plot, and rejection reasons."""

    ETD = datetime.date(2026, 3, 2)
    LOADED_ON = datetime.date(2026, 2, 27)
    INVOICED_ON = datetime.date(2026, 3, 5)
    PRICES_FROM = datetime.date(2026, 1, 1)
    MINIMUM = Decimal("7.40")  # Fairtrade minimum, conventional, FOB
    CONTRACT = Decimal("8.50")  # the importer's contract price, conventional, FOB
    ORGANIC_MINIMUM = Decimal("9.40")
    ORGANIC_CONTRACT = Decimal("10.20")

    def __init__(self, short_name: str = "APOQ", members: int = 2):
        from coop.services import cooperative_create
        from exports.services import price_set
        from ledger.models import Account
        from premiums.services import premium_rate_set

        self.cooperative = cooperative_create(
            name=f"Asociación de Pequeños Productores {short_name}", short_name=short_name, country="PE",
            region="Piura", fairtrade_id=f"FLO-{short_name}")
        self.accountant = user_with_role(Role.ACCOUNTANT, self.cooperative)
        self.importer = ImporterFactory()
        self.product = ProductFactory(cooperative=self.cooperative, code="BAN-1814")
        for importer, organic, price in ((None, False, self.MINIMUM), (self.importer, False, self.CONTRACT),
                                         (None, True, self.ORGANIC_MINIMUM),
                                         (self.importer, True, self.ORGANIC_CONTRACT)):
            price_set(cooperative=self.cooperative, actor=self.accountant, product=self.product, importer=importer,
                      organic=organic, incoterm="FOB", valid_from=self.PRICES_FROM, price=price,
                      contract_reference="" if importer is None else "CT-2026-01")
        self.rate = premium_rate_set(product=self.product, valid_from=self.PRICES_FROM, amount=Decimal("1.0000"),
                                     per_kg=Decimal("18.140"), actor=self.accountant)
        self.members = [MemberFactory(cooperative=self.cooperative) for _ in range(members)]
        self.organic_plots = [PlotFactory(member=m, cooperative=self.cooperative) for m in self.members]
        self.conventional_plots = [
            PlotFactory(member=m, cooperative=self.cooperative, organic_status="conventional", organic_since=None,
                        certified_area_ha=Decimal("0"))
            for m in self.members
        ]
        self.crown_rot = RejectionReasonFactory(cooperative=self.cooperative, code="CORONA",
                                                name="Pudrición de corona")
        self.scarring = RejectionReasonFactory(cooperative=self.cooperative, code="CICATRIZ", name="Cicatrices")
        self.accounts = {a.code: a for a in Account.objects.filter(cooperative=self.cooperative)}

    @property
    def member(self):
        return self.members[0]

    def balance(self, code: str) -> Decimal:
        from ledger.models import Account

        return Account.objects.get(cooperative=self.cooperative, code=code).balance

    # Shipments through the services -----------------------------------------------------------

    def plan(self, *, actor=None, product=None, **details):
        from exports.services import shipment_create

        details = {"container_number": container_number(), "port_of_loading": "Paita",
                   "port_of_destination": "Hamburg", "etd": self.ETD, "price_per_box": self.CONTRACT} | details
        return shipment_create(cooperative=self.cooperative, actor=actor or self.accountant,
                               importer=details.pop("importer", self.importer), product=product or self.product,
                               **details)

    def load(self, shipment, boxes: int, *, member=None, plot=None, actor=None, **extra):
        from exports.services import delivery_add

        member = member or self.member
        if plot is None:
            index = self.members.index(member)
            plot = (self.organic_plots if shipment.organic else self.conventional_plots)[index]
        return delivery_add(shipment=shipment, actor=actor or self.accountant, member=member, plot=plot,
                            date=extra.pop("date", self.LOADED_ON), accepted_boxes=boxes, **extra)

    def ship(self, shipment, *, actor=None):
        from exports.services import shipment_advance

        return shipment_advance(shipment=shipment, actor=actor or self.accountant, to="shipped")

    def invoice(self, shipment, *, on: datetime.date | None = None, number: str | None = None, actor=None):
        from exports.services import shipment_invoice

        return shipment_invoice(shipment=shipment, actor=actor or self.accountant,
                                invoice_number=number or f"F001-{next(_invoices):06d}",
                                invoiced_on=on or self.INVOICED_ON)

    def shipped(self, boxes: int = 1080, **details):
        """Planned, loaded (split between the members) and shipped."""
        shipment = self.plan(**details)
        share, left = divmod(boxes, len(self.members))
        for index, member in enumerate(self.members):
            count = share + (left if index == 0 else 0)
            if count:
                self.load(shipment, count, member=member)
        return self.ship(shipment)

    def invoiced(self, boxes: int = 1080, *, on: datetime.date | None = None, **details):
        """A shipment taken through the services up to its invoice."""
        return self.invoice(self.shipped(boxes, **details), on=on)
