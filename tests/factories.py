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
