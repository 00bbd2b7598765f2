"""Each app's home sends a one-co-op user to their co-op and lets cluster staff choose."""

import pytest
from django.test import Client

from coop.models import Role
from coop.services import cooperative_create
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db
HOMES = {"/ledger/": "/ledger/{}/", "/premiums/": "/premiums/{}/", "/exports/": "/exports/{}/", "/loans/": "/loans/{}/"}


def test_one_coop_goes_straight_there_several_choose():
    apoq = cooperative_create(name="APOQ", short_name="APOQ", country="PE")
    hualtaco = cooperative_create(name="Hualtaco", short_name="HUALTACO", country="PE")
    accountant, cluster = Client(HTTP_ACCEPT_LANGUAGE="en"), Client(HTTP_ACCEPT_LANGUAGE="en")
    accountant.force_login(user_with_role(Role.ACCOUNTANT, apoq, username="contadora"))
    cluster.force_login(user_with_role(Role.CLUSTER_STAFF, apoq, hualtaco, username="cluster"))
    for home, page in HOMES.items():
        assert accountant.get(home)["Location"] == page.format(apoq.pk), home
        body = cluster.get(home).content.decode()
        assert page.format(apoq.pk) in body and page.format(hualtaco.pk) in body, home
