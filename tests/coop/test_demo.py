"""The demo data bin/start loads: every app's pages have something to show, and loading it twice
changes nothing."""

import pytest

from coop import demo
from coop.models import Cooperative
from ledger.models import Account
from loans.models import LoanPolicy
from medfund.models import Claim, ClaimStatus

pytestmark = pytest.mark.django_db


def test_the_demo_loads_every_app_once():
    first = demo.seed(members=60)
    assert set(first["created"]) == {"APOQ", "HUALTACO", "GUABO"}
    apoq = Cooperative.objects.get(short_name="APOQ")
    assert LoanPolicy.objects.filter(cooperative=apoq).exists()
    statuses = set(Claim.objects.filter(cooperative=apoq).values_list("status", flat=True))
    assert {ClaimStatus.SUBMITTED, ClaimStatus.UNDER_REVIEW, ClaimStatus.APPROVED, ClaimStatus.PAID} <= statuses
    assert Claim.objects.filter(cooperative=apoq, member__user__username="apoq.socio").exists()
    assert Account.objects.get(cooperative=apoq, code="3200").balance > 0
    claims = Claim.objects.count()
    assert demo.seed(members=60)["created"] == {}
    assert Claim.objects.count() == claims
