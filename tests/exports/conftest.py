"""An exporting co-op, built through the services (tests.factories.ExportsWorld)."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import translation

from tests.factories import ExportsWorld
from tests.support.dbroles import refused_twice


@pytest.fixture
def english():
    """Messages in English (the project's default is Spanish); used by the modules that check messages."""
    with translation.override("en"):
        yield


@pytest.fixture
def world(db):
    return ExportsWorld()


@pytest.fixture
def coop(world):
    return world.cooperative


@pytest.fixture
def accountant(world):
    return world.accountant


@pytest.fixture
def importer(world):
    return world.importer


@pytest.fixture
def product(world):
    """Banana box, 18.14 kg, 1,080 boxes to a container."""
    return world.product


@pytest.fixture
def fairtrade_minimum(world):
    return world.product.prices.get(importer=None, organic=False)


@pytest.fixture
def contract_price(world):
    return world.product.prices.get(importer=world.importer, organic=False)


@pytest.fixture
def premium_rate(world):
    """US$1.0000 per 18.140 kg."""
    return world.rate


@pytest.fixture
def members(world):
    """Active members, each with a certified-organic plot and a conventional plot."""
    return world.members


@pytest.fixture
def rejection_reasons(world):
    return [world.crown_rot, world.scarring]


@pytest.fixture
def refused_by_database():
    """Run raw SQL in a savepoint; return the database's refusal (an IntegrityError), past the runtime
    role's privileges where it has none (see refused_twice)."""

    def run(sql, params=()):
        def attempt():
            with pytest.raises(IntegrityError) as refusal, transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql, params)
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # deferred checks too, now rather than at commit
            return refusal.value

        return refused_twice(attempt)

    return run
