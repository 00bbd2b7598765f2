"""A claim from request to payment: the worked example, caps, the committee's rules (never the
claimant, the number of approvals, less than asked with a reason, fast-tracking and ratifying),
documents, the payment queue and the books; append-only in the database."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, connection, transaction
from django.db.models import Sum
from django.utils import translation

from coop.models import Role, RoleAssignment
from ledger.models import Leg
from medfund import services
from medfund.models import Claim, ClaimStatus, ClaimStep, StepKind
from tests.medfund.world import PDF, PNG, build

pytestmark = pytest.mark.django_db
D = Decimal
EVENT = datetime.date(2026, 9, 20)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def world():
    return build()


def pdf(name="informe.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def submit(world, amount="1200.00", category=None, beneficiary=None, documents=None, urgent=False, actor=None,
           event=EVENT):
    if documents is None:
        documents = [("receipt", pdf("factura.pdf")), ("medical_report", pdf())]
    return services.claim_submit(member=world.rosa, actor=actor or world.rosa.user,
                                 category=category or world.surgery, event_date=event,
                                 description="Apendicitis, operada en el hospital de Sullana", amount_requested=D(amount),
                                 beneficiary=beneficiary, urgent=urgent, documents=documents)


def approve(world, claim, *members, amount="1200.00", **kwargs):
    for committee_member in members:
        claim = services.claim_approve(claim=claim, actor=committee_member, amount=D(amount), **kwargs)
    return claim


def test_the_worked_example_from_request_to_payment(world):
    claim = submit(world, beneficiary=world.ana)
    assert claim.status == ClaimStatus.SUBMITTED and claim.documents.count() == 2
    services.claim_review(claim=claim, actor=world.committee[0], request_documents="La epicrisis del hospital")
    claim = approve(world, claim, world.committee[0])
    assert Claim.objects.get(pk=claim.pk).status == ClaimStatus.UNDER_REVIEW  # one of two approvals
    claim = approve(world, claim, world.committee[1], amount="1000.00", reason="Tope del arancel del hospital")
    claim.refresh_from_db()
    assert (claim.status, claim.amount_approved) == (ClaimStatus.APPROVED, D("1000.00"))
    services.claim_pay(claim=claim, actor=world.accountant)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PAID and claim.paid_by == world.accountant
    assert world.fund == D("2000.00")
    legs = dict(Leg.objects.filter(transaction=claim.transaction).values_list("account__code", "amount"))
    assert legs == {"3200": D("1000.00"), "1000": D("-1000.00")}
    assert "Apendicitis" not in claim.transaction.memo and "0001" in claim.transaction.memo
    assert Leg.objects.filter(cooperative=world.coop).aggregate(t=Sum("amount"))["t"] == 0
    kinds = list(ClaimStep.objects.filter(claim=claim).values_list("kind", flat=True))
    assert kinds == [StepKind.SUBMITTED, StepKind.REVIEW, StepKind.DOCUMENTS_REQUESTED, StepKind.APPROVAL,
                     StepKind.APPROVAL, StepKind.APPROVED, StepKind.PAID]


def test_the_claimant_never_approves_their_own_claim(world):
    RoleAssignment.objects.create(user=world.rosa.user, cooperative=world.coop, role=Role.COMMITTEE)
    claim = submit(world)
    with pytest.raises(ValidationError, match="own family"):
        services.claim_approve(claim=claim, actor=world.rosa.user, amount=D("100.00"))
    with pytest.raises(ValidationError, match="committee"):
        services.claim_approve(claim=claim, actor=world.accountant, amount=D("100.00"))
    approve(world, claim, world.committee[0])
    with pytest.raises(ValidationError, match="already approved"):
        approve(world, claim, world.committee[0])
    assert not claim.approvals.filter(approver=world.rosa.user).exists()


def test_caps_per_claim_and_per_family_and_year(world):
    with pytest.raises(ValidationError) as caught:
        submit(world, amount="1500.01")
    assert "cap of 1,500.00 per cirugía claim" in caught.value.message_dict["amount_requested"][0]
    first = approve(world, submit(world, amount="1500.00"), *world.committee[:2], amount="1500.00")
    with pytest.raises(ValidationError) as caught:
        submit(world, amount="600.00", beneficiary=world.pedro)
    assert "500.00 of 2,000.00" in caught.value.message_dict["amount_requested"][0]
    second = submit(world, amount="500.00", beneficiary=world.pedro)
    # The first is approved: approving the second for more than what is left is refused too.
    assert first.status == ClaimStatus.APPROVED
    with pytest.raises(ValidationError) as caught:
        services.claim_approve(claim=second, actor=world.committee[0], amount=D("500.01"))
    assert "amount" in caught.value.message_dict
    # Treatment has its own cap.
    submit(world, amount="800.00", category=world.treatment, documents=[("receipt", pdf())])


def test_less_than_asked_needs_a_reason_and_never_more(world):
    claim = submit(world)
    with pytest.raises(ValidationError) as caught:
        services.claim_approve(claim=claim, actor=world.committee[0], amount=D("1200.01"))
    assert "more than the 1,200.00 asked" in caught.value.message_dict["amount"][0]
    with pytest.raises(ValidationError) as caught:
        services.claim_approve(claim=claim, actor=world.committee[0], amount=D("900.00"))
    assert "reason" in caught.value.message_dict
    assert not claim.approvals.exists()


def test_required_documents_before_approval(world):
    claim = submit(world, documents=[("receipt", pdf())])
    with pytest.raises(ValidationError, match="Missing documents for cirugía: medical report"):
        approve(world, claim, world.committee[0])
    services.claim_document_add(claim=claim, actor=world.rosa.user, kind="medical_report",
                                upload=SimpleUploadedFile("x.png", PNG))
    approve(world, claim, world.committee[0])


def test_an_urgent_claim_is_fast_tracked_and_ratified_later(world):
    claim = submit(world, urgent=True, documents=[])
    with pytest.raises(ValidationError) as caught:
        services.claim_approve(claim=submit(world, amount="10.00", beneficiary=world.pedro), actor=world.committee[0],
                               amount=D("10.00"), fast_track=True)
    assert "fast_track" in caught.value.message_dict
    claim = services.claim_approve(claim=claim, actor=world.committee[0], amount=D("1200.00"), fast_track=True)
    assert claim.status == ClaimStatus.APPROVED and claim.fast_tracked
    services.claim_pay(claim=claim, actor=world.accountant)
    claim = services.claim_approve(claim=Claim.objects.get(pk=claim.pk), actor=world.committee[1], amount=None)
    assert ClaimStep.objects.filter(claim=claim, kind=StepKind.RATIFIED).count() == 1
    assert Claim.objects.get(pk=claim.pk).status == ClaimStatus.PAID


def test_rejection_needs_a_reason_and_is_final(world):
    claim = submit(world)
    with pytest.raises(ValidationError) as caught:
        services.claim_reject(claim=claim, actor=world.committee[0], reason=" ")
    assert "reason" in caught.value.message_dict
    services.claim_reject(claim=claim, actor=world.committee[0], reason="No es una urgencia")
    with pytest.raises(ValidationError, match="rejected"):
        approve(world, claim, world.committee[1])
    with pytest.raises(DatabaseError), transaction.atomic():
        Claim.objects.filter(pk=claim.pk).update(status="approved", amount_approved=D("1.00"))


def test_a_paid_claim_is_frozen_and_never_deleted_in_the_database(world):
    claim = approve(world, submit(world), *world.committee[:2])
    services.claim_pay(claim=claim, actor=world.accountant)
    with pytest.raises(DatabaseError), transaction.atomic():
        Claim.objects.filter(pk=claim.pk).update(amount_approved=D("1.00"))
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM medfund_claimstep WHERE claim_id = %s", [claim.pk])
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM medfund_claim WHERE id = %s", [claim.pk])


def test_a_claim_stays_in_its_cooperative_in_the_database(world):
    other = build(short_name="HUAL")
    claim = submit(world)
    with pytest.raises(DatabaseError), transaction.atomic():
        Claim.objects.filter(pk=claim.pk).update(category=other.surgery)
    with pytest.raises(DatabaseError), transaction.atomic():
        Claim.objects.filter(pk=claim.pk).update(beneficiary=other.ana)


def test_approved_claims_are_paid_in_order_while_the_fund_covers_them(world):
    first = approve(world, submit(world, amount="1500.00"), *world.committee[:2], amount="1500.00")
    second = approve(world, submit(world, amount="800.00", category=world.treatment, beneficiary=world.pedro,
                                   documents=[("receipt", pdf())]), *world.committee[:2], amount="800.00")
    third = approve(world, submit(world, amount="1000.00", category=world.funeral, beneficiary=world.pedro, documents=[("death_certificate", pdf())]),
                    *world.committee[:2], amount="1000.00")
    with pytest.raises(ValidationError, match=f"#{first.pk} was approved earlier"):
        services.claim_pay(claim=second, actor=world.accountant)
    paid = services.queue_pay(cooperative_id=world.coop.pk, actor=world.accountant)
    assert [claim.pk for claim in paid] == [first.pk, second.pk]
    assert world.fund == D("700.00")
    with pytest.raises(ValidationError, match="waits until the fund can cover it"):
        services.claim_pay(claim=third, actor=world.accountant)
    assert Claim.objects.get(pk=third.pk).status == ClaimStatus.APPROVED
    with pytest.raises(ValidationError, match="role"):
        services.claim_pay(claim=third, actor=world.committee[0])


def test_paying_twice_with_one_key_pays_once(world):
    claim = approve(world, submit(world), *world.committee[:2])
    services.claim_pay(claim=claim, actor=world.accountant, idempotency_key="pago-1")
    again = services.claim_pay(claim=claim, actor=world.accountant, idempotency_key="pago-1")
    assert again.status == ClaimStatus.PAID and world.fund == D("1800.00")
    with pytest.raises(ValidationError, match="paid"):
        services.claim_pay(claim=claim, actor=world.accountant, idempotency_key="pago-2")


def test_nothing_is_half_saved_when_a_document_is_wrong(world):
    html = SimpleUploadedFile("receta.pdf", b"<html><script>alert(1)</script></html>", content_type="application/pdf")
    with pytest.raises(ValidationError) as caught:
        submit(world, documents=[("receipt", pdf()), ("medical_report", html)])
    assert "PDF, JPEG or PNG" in caught.value.message_dict["document_medical_report"][0]
    assert not Claim.objects.exists()


def test_uploads_are_checked_by_content_size_and_name(world, settings):
    big = SimpleUploadedFile("grande.pdf", PDF + b"0" * (10 * 1024 * 1024))
    with pytest.raises(ValidationError) as caught:
        submit(world, documents=[("receipt", big)])
    assert "larger than 10 MB" in caught.value.message_dict["document_receipt"][0]
    claim = submit(world, documents=[("receipt", SimpleUploadedFile("../../etc/passwd.pdf", PDF)),
                                     ("medical_report", SimpleUploadedFile("foto.pdf", PNG))])
    names = sorted(document.file.name for document in claim.documents.all())
    assert all(name.startswith("medfund/") and ".." not in name for name in names)
    assert any(name.endswith(".png") for name in names)  # named by what it is, not what it claims
    assert all(str(settings.MEDIA_ROOT) in document.file.path for document in claim.documents.all())


def test_the_smallest_approval_decides_with_its_reason(world):
    claim = submit(world)
    services.claim_approve(claim=claim, actor=world.committee[0], amount=D("900.00"), reason="Tope del arancel")
    claim = services.claim_approve(claim=claim, actor=world.committee[1], amount=D("1200.00"))
    assert (claim.amount_approved, claim.decision_reason) == (D("900.00"), "Tope del arancel")
    assert ClaimStep.objects.filter(claim=claim, kind=StepKind.REVIEW).count() == 1  # reviewed on the way
    with pytest.raises(DatabaseError), transaction.atomic():
        Claim.objects.filter(pk=claim.pk).update(decision_reason="")


def test_a_ratified_claim_is_not_ratified_again_and_payments_are_dated_sensibly(world):
    claim = services.claim_approve(claim=submit(world, urgent=True), actor=world.committee[0], amount=D("1200.00"),
                                   fast_track=True)
    with pytest.raises(ValidationError) as caught:
        services.claim_pay(claim=claim, actor=world.accountant, date=datetime.date.today() + datetime.timedelta(days=1))
    assert "date" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        services.claim_pay(claim=claim, actor=world.accountant, date=datetime.date(2026, 1, 1))
    assert "date" in caught.value.message_dict
    services.claim_approve(claim=claim, actor=world.committee[1], amount=None)
    with pytest.raises(ValidationError, match="already ratified"):
        services.claim_approve(claim=claim, actor=world.committee[2], amount=None)
