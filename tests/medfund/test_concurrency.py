"""Two accountants paying at the same moment: the fund never goes below zero and the queue's order
holds, in real concurrent transactions."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from coop.models import Role
from ledger.models import Account
from medfund import services
from medfund.models import Claim, ClaimStatus
from tests.factories import user_with_role
from tests.medfund.world import PDF, build

pytestmark = pytest.mark.django_db(transaction=True)
D = Decimal
EVENT = datetime.date(2026, 9, 20)


def approved_claim(world, amount: str, beneficiary) -> Claim:
    claim = services.claim_submit(member=world.rosa, actor=world.accountant, category=world.funeral,
                                  event_date=EVENT, beneficiary=beneficiary, description="Sepelio",
                                  amount_requested=D(amount),
                                  documents=[("death_certificate", SimpleUploadedFile("acta.pdf", PDF))])
    for member in world.committee[:2]:
        claim = services.claim_approve(claim=claim, actor=member, amount=D(amount))
    return claim


def run_at_once(*calls):
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            outcomes[index] = call()
        except Exception as error:  # noqa: BLE001 - the outcome is what the test looks at
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_concurrent_payments_never_take_the_fund_below_zero():
    world = build(fund=D("1500.00"))
    first = approved_claim(world, "1000.00", world.pedro)
    second = approved_claim(world, "1000.00", world.ana)
    other_accountant = user_with_role(Role.ACCOUNTANT, world.coop, username="otra-contadora")
    outcomes = run_at_once(
        lambda: services.queue_pay(cooperative_id=world.coop.pk, actor=world.accountant),
        lambda: services.claim_pay(claim=second, actor=other_accountant),
        lambda: services.claim_pay(claim=first, actor=other_accountant),
    )
    assert Account.objects.get(cooperative=world.coop, code="3200").balance == D("500.00")
    statuses = dict(Claim.objects.values_list("pk", "status"))
    assert statuses == {first.pk: ClaimStatus.PAID, second.pk: ClaimStatus.APPROVED}
    assert isinstance(outcomes[1], ValidationError)  # second waits: first is ahead, then the fund is short
    assert Account.objects.get(cooperative=world.coop, code="1000").balance >= 0


def test_two_approvals_at_once_cannot_pass_the_family_cap_together():
    world = build()
    documents = [("receipt", SimpleUploadedFile("f.pdf", PDF)), ("medical_report", SimpleUploadedFile("i.pdf", PDF))]
    claims = []
    for person in (world.pedro, world.ana):
        claim = services.claim_submit(member=world.rosa, actor=world.rosa.user, category=world.surgery,
                                      event_date=EVENT, beneficiary=person, description="Cirugía",
                                      amount_requested=D("1200.00"), documents=list(documents))
        documents = [(kind, SimpleUploadedFile(f"{kind}.pdf", PDF)) for kind, _file in documents]
        services.claim_approve(claim=claim, actor=world.committee[0], amount=D("1200.00"))
        claims.append(claim)
    outcomes = run_at_once(*(lambda claim=claim: services.claim_approve(claim=claim, actor=world.committee[1],
                                                                        amount=D("1200.00")) for claim in claims))
    approved = Claim.objects.filter(status=ClaimStatus.APPROVED)
    assert approved.count() == 1 and sum(claim.amount_approved for claim in approved) == D("1200.00")
    assert sum(isinstance(outcome, ValidationError) for outcome in outcomes) == 1
