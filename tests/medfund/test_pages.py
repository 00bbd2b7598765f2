"""The medical fund's pages: a member's claim from a phone form, the committee's review, payment,
the dashboard; who reaches what (guessing ids), no-store, every read logged, constant queries."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from coop.models import Role, User
from medfund import services
from medfund.models import Claim, ClaimRead, ClaimStatus
from tests.factories import user_with_role
from tests.medfund.world import PDF, build

pytestmark = pytest.mark.django_db
D = Decimal
EVENT = datetime.date(2026, 9, 20)


def client_for(user, language="en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


@pytest.fixture
def world():
    return build()


def claim_form(world, **overrides):
    data = {"beneficiary": str(world.ana.pk), "category": str(world.surgery.pk), "event_date": EVENT.isoformat(),
            "amount_requested": "1200.00", "description": "Apendicitis de Ana, operada en Sullana",
            "document_receipt": SimpleUploadedFile("factura.pdf", PDF),
            "document_medical_report": SimpleUploadedFile("informe.pdf", PDF)}
    data.update(overrides)
    return data


def paid_claim(world) -> Claim:
    claim = services.claim_submit(
        member=world.rosa, actor=world.rosa.user, category=world.surgery, event_date=EVENT, beneficiary=world.ana,
        description="Apendicitis de Ana", amount_requested=D("1200.00"),
        documents=[("receipt", SimpleUploadedFile("f.pdf", PDF)), ("medical_report", SimpleUploadedFile("i.pdf", PDF))])
    for member in world.committee[:2]:
        services.claim_approve(claim=claim, actor=member, amount=D("1200.00"))
    return services.claim_pay(claim=Claim.objects.get(pk=claim.pk), actor=world.accountant)


def test_a_member_asks_for_help_from_the_phone_form(world):
    rosa = client_for(world.rosa.user, "es")
    form = rosa.get("/medfund/mine/new/")
    body = form.content.decode()
    assert form.status_code == 200 and "Ana" in body and "Pedro" in body and "Cirugía" in body
    assert "no-store" in form["Cache-Control"]
    sent = rosa.post("/medfund/mine/new/", claim_form(world, amount_requested="1200,00"))
    assert sent.status_code == 302 and sent.url == "/medfund/mine/"
    claim = Claim.objects.get()
    assert (claim.amount_requested, claim.beneficiary, claim.documents.count()) == (D("1200.00"), world.ana, 2)
    mine = rosa.get("/medfund/mine/").content.decode()
    assert "USD 1\xa0200,00" in mine and "Ana" in mine


def test_bad_claims_name_the_field_and_save_nothing(world):
    rosa = client_for(world.rosa.user)
    carmen = rosa.post("/medfund/mine/new/", claim_form(world, beneficiary="self", event_date="2026-12-31"))
    assert carmen.status_code == 400 and "cannot be in the future" in carmen.content.decode()
    over = rosa.post("/medfund/mine/new/", claim_form(world, amount_requested="1600"))
    assert over.status_code == 400 and "over the cap of 1,500.00" in over.content.decode()
    html = rosa.post("/medfund/mine/new/", claim_form(world, document_receipt=SimpleUploadedFile(
        "factura.pdf", b"<html>no</html>", content_type="application/pdf")))
    assert html.status_code == 400 and "PDF, JPEG or PNG" in html.content.decode()
    stranger = rosa.post("/medfund/mine/new/", claim_form(world, beneficiary="999999"))
    assert stranger.status_code == 400
    assert not Claim.objects.exists()


def test_staff_submit_for_a_member_and_the_committee_decides(world):
    clerk = client_for(world.accountant)
    chooser = clerk.get(f"/medfund/{world.coop.pk}/claims/new/?member_number=0099")
    assert chooser.status_code == 400 and "No member of APOQ" in chooser.content.decode()
    page = clerk.get(f"/medfund/{world.coop.pk}/claims/new/?member_number=0001")
    assert page.status_code == 200 and "Ana" in page.content.decode()
    sent = clerk.post(f"/medfund/{world.coop.pk}/claims/new/?member_number=0001",
                      claim_form(world, beneficiary="self", amount_requested="1000"))
    claim = Claim.objects.get()
    assert sent.status_code == 302 and claim.submitted_by == world.accountant and claim.beneficiary is None

    first, second = (client_for(member) for member in world.committee[:2])
    assert first.post(f"/medfund/claims/{claim.pk}/review/", {"request_documents": "Epicrisis"}).status_code == 302
    less = first.post(f"/medfund/claims/{claim.pk}/approve/", {"amount": "900"})
    assert less.status_code == 400 and "Say why less than asked" in less.content.decode()
    assert first.post(f"/medfund/claims/{claim.pk}/approve/", {"amount": "900", "reason": "Arancel"}).status_code == 302
    assert second.post(f"/medfund/claims/{claim.pk}/approve/", {"amount": "1000"}).status_code == 302
    claim.refresh_from_db()
    assert (claim.status, claim.amount_approved) == (ClaimStatus.APPROVED, D("900.00"))
    assert first.post(f"/medfund/claims/{claim.pk}/pay/", {}).status_code == 403
    assert clerk.post(f"/medfund/claims/{claim.pk}/pay/", {}).status_code == 302
    assert Claim.objects.get(pk=claim.pk).status == ClaimStatus.PAID
    dashboard = clerk.get(f"/medfund/{world.coop.pk}/").content.decode()
    assert "USD 2,100.00" in dashboard and "Cirugía" in dashboard


def test_who_sees_what_also_by_guessing_ids(world):
    claim = paid_claim(world)
    document = claim.documents.first()
    other = build(short_name="HUAL")
    julio = User.objects.create_user("julio", password="x")
    world.julio.user = julio
    world.julio.save(update_fields=["user"])
    cluster = user_with_role(Role.CLUSTER_STAFF, world.coop, username="cluster")
    superuser = User.objects.create_superuser("root", password="x")
    claim_url, document_url = f"/medfund/claims/{claim.pk}/", f"/medfund/documents/{document.pk}/"
    list_url, dashboard_url = f"/medfund/{world.coop.pk}/claims/", f"/medfund/{world.coop.pk}/"

    def status(user, url):
        return client_for(user).get(url).status_code

    # The claimant and the committee: medical details and documents.
    for reader in (world.rosa.user, world.committee[2]):
        page = client_for(reader).get(claim_url)
        assert page.status_code == 200 and "Apendicitis" in page.content.decode(), reader
        assert status(reader, document_url) == 200
        assert "no-store" in page["Cache-Control"]
    # Accountants: amounts and payment, no medical detail, no document.
    for reader in (world.accountant, superuser):
        body = client_for(reader).get(claim_url).content.decode()
        assert "USD 1,200.00" in body and "Apendicitis" not in body and "Cirugía" not in body and "Ana" not in body
        assert status(reader, document_url) == 404
        assert "Apendicitis" not in client_for(reader).get(list_url).content.decode()
    # The board and cluster staff: anonymised totals only.
    for reader in (world.board, cluster):
        assert status(reader, claim_url) == 404 and status(reader, document_url) == 404
        assert status(reader, list_url) == 404
        dashboard = client_for(reader).get(dashboard_url).content.decode()
        assert "USD 1,200.00" in dashboard and "Quispe" not in dashboard and "0001" not in dashboard
    # Another member, another co-op: nothing.
    for reader in (julio, other.accountant, other.committee[0], other.rosa.user):
        assert status(reader, claim_url) == 404 and status(reader, document_url) == 404
    for reader in (other.accountant, other.board, julio):
        assert status(reader, dashboard_url) == 404
    assert client_for(julio).post(f"/medfund/claims/{claim.pk}/approve/", {"amount": "1"}).status_code == 404
    assert status(world.rosa.user, "/medfund/mine/") == 200 and status(world.accountant, "/medfund/mine/") == 403


def test_every_read_of_a_claim_is_logged(world):
    claim = paid_claim(world)
    client_for(world.committee[2]).get(f"/medfund/claims/{claim.pk}/")
    client_for(world.rosa.user).get(f"/medfund/documents/{claim.documents.first().pk}/")
    client_for(world.accountant).get(f"/medfund/{world.coop.pk}/claims/")
    reads = set(ClaimRead.objects.filter(claim=claim).values_list("reader__username", "via"))
    assert {(world.committee[2].username, "page"), (world.rosa.user.username, "document"),
            (world.accountant.username, "list")} <= reads


def test_the_claim_list_takes_a_constant_number_of_queries(world, django_assert_max_num_queries):
    committee = client_for(world.committee[2])
    for _ in range(3):
        services.claim_submit(member=world.rosa, actor=world.rosa.user, category=world.treatment, event_date=EVENT,
                              description="Tratamiento", amount_requested=D("10.00"))
    with django_assert_max_num_queries(12) as few:
        committee.get(f"/medfund/{world.coop.pk}/claims/")
    for _ in range(20):
        services.claim_submit(member=world.rosa, actor=world.rosa.user, category=world.treatment, event_date=EVENT,
                              description="Tratamiento", amount_requested=D("10.00"))
    with django_assert_max_num_queries(len(few)):
        committee.get(f"/medfund/{world.coop.pk}/claims/")


def test_the_member_sees_what_the_committee_asks_for_and_the_committee_who_read(world):
    claim = services.claim_submit(member=world.rosa, actor=world.rosa.user, category=world.treatment,
                                  event_date=EVENT, description="Dengue", amount_requested=D("300.00"))
    services.claim_review(claim=claim, actor=world.committee[0], request_documents="La boleta de la farmacia")
    mine = client_for(world.rosa.user).get("/medfund/mine/").content.decode()
    assert "The committee asks for: La boleta de la farmacia" in mine
    client_for(world.accountant).get(f"/medfund/claims/{claim.pk}/")
    page = client_for(world.committee[1]).get(f"/medfund/claims/{claim.pk}/").content.decode()
    assert 'id="reads"' in page and world.accountant.username in page.split('id="reads"')[1]
    assert 'id="reads"' not in client_for(world.accountant).get(f"/medfund/claims/{claim.pk}/").content.decode()


def test_steps_read_in_the_readers_language_and_keep_the_committee_anonymous_to_the_claimant(world):
    claim = services.claim_submit(member=world.rosa, actor=world.accountant, category=world.treatment,
                                  event_date=EVENT, description="Dengue", amount_requested=D("300.00"),
                                  documents=[("receipt", SimpleUploadedFile("b.pdf", PDF))])
    services.claim_approve(claim=claim, actor=world.committee[0], amount=D("250.00"), reason="Arancel")
    english = client_for(world.rosa.user).get(f"/medfund/claims/{claim.pk}/").content.decode()
    steps = english.split('id="steps"')[1]
    assert "on the member's behalf" in steps
    assert "USD 250.00" not in steps and world.committee[0].username not in steps and "the committee" in steps
    spanish = client_for(world.committee[1], "es").get(f"/medfund/claims/{claim.pk}/").content.decode()
    steps = spanish.split('id="steps"')[1]
    assert "USD 250,00" in steps and world.committee[0].username in steps and "en nombre del socio" in steps
