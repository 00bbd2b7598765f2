import os

import pytest

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls there are safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def coop_pe(db):
    from tests.factories import CooperativeFactory

    return CooperativeFactory(short_name="APOQ", country="PE")


@pytest.fixture
def coop_ec(db):
    from tests.factories import CooperativeFactory

    return CooperativeFactory(short_name="GUABO", country="EC", region="El Oro")


@pytest.fixture
def accountant(coop_pe):
    from coop.models import Role
    from tests.factories import user_with_role

    return user_with_role(Role.ACCOUNTANT, coop_pe, username="contador")
