"""The medical fund over the API: a member's claim with a document, the committee's approvals,
payment with an Idempotency-Key; what each role reads (guessing ids), no-store, reads logged."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from coop.models import Role, User
from medfund.models import Claim, ClaimRead, ClaimStatus
from tests.factories import user_with_role
from tests.medfund.world import PDF, build

pytestmark = pytest.mark.django_db
D = Decimal


def api_for(user) -> APIClient:
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    api.force_authenticate(user)
    return api


@pytest.fixture
def world():
    return build()


def new_claim(api, **overrides):
    body = {"category": "treatment", "event_date": "2026-09-20", "description": "Dengue de Ana, tratamiento",
            "amount_requested": "600.00", **overrides}
    return api.post("/api/v1/medfund/claims/", body, format="json")


def test_a_claim_through_the_api(world):
    rosa = api_for(world.rosa.user)
    created = new_claim(rosa, beneficiary=world.ana.pk)
    assert created.status_code == 201, created.json()
    claim = created.json()
    assert (claim["status"], claim["beneficiary_name"], claim["category"]) == ("submitted", "Ana Quispe", "treatment")
    assert "no-store" in created["Cache-Control"]
    upload = rosa.post(f"/api/v1/medfund/claims/{claim['id']}/documents/",
                       {"kind": "receipt", "file": SimpleUploadedFile("boleta.pdf", PDF)}, format="multipart")
    assert upload.status_code == 201 and [d["kind"] for d in upload.json()["documents"]] == ["receipt"]
    document_id = upload.json()["documents"][0]["id"]
    assert rosa.get(f"/api/v1/medfund/claims/{claim['id']}/documents/{document_id}/").status_code == 200

    assert api_for(world.rosa.user).post(f"/api/v1/medfund/claims/{claim['id']}/approve/",
                                         {"amount": "600.00"}, format="json").status_code == 403
    for member in world.committee[:2]:
        answer = api_for(member).post(f"/api/v1/medfund/claims/{claim['id']}/approve/", {"amount": "600.00"},
                                      format="json")
        assert answer.status_code == 200, answer.json()
    assert answer.json()["status"] == "approved"

    clerk = api_for(world.accountant)
    paid = clerk.post(f"/api/v1/medfund/claims/{claim['id']}/pay/", {}, format="json",
                      HTTP_IDEMPOTENCY_KEY="pago-42")
    assert paid.status_code == 200 and paid.json()["status"] == "paid"
    assert "description" not in paid.json()  # the accountant reads the amounts only
    again = clerk.post(f"/api/v1/medfund/claims/{claim['id']}/pay/", {}, format="json",
                       HTTP_IDEMPOTENCY_KEY="pago-42")
    assert again.status_code == 200 and world.fund == D("2400.00")
    no_key = clerk.post(f"/api/v1/medfund/claims/{claim['id']}/pay/", {}, format="json")
    assert no_key.status_code == 400 and "Idempotency-Key" in no_key.json()
    other_key = clerk.post(f"/api/v1/medfund/claims/{claim['id']}/pay/", {}, format="json",
                           HTTP_IDEMPOTENCY_KEY="pago-43")
    assert other_key.status_code == 400 and "paid" in str(other_key.json())
    assert clerk.get("/api/v1/medfund/claims/abc/").status_code == 404
    assert clerk.post("/api/v1/medfund/claims/abc/pay/", {}, format="json").status_code == 404

    dashboard = api_for(world.board).get(f"/api/v1/medfund/dashboard/?cooperative={world.coop.pk}").json()
    assert (dashboard["balance"], dashboard["paid_total"], dashboard["paid_count"]) == ("2400.00", "600.00", 1)
    assert dashboard["paid_by_category"] == [{"category": "Tratamiento", "count": 1, "total": "600.00"}]


def test_bad_claims_are_refused_naming_the_field(world):
    rosa = api_for(world.rosa.user)
    assert "beneficiary" in new_claim(rosa, beneficiary=world.carmen.pk).json()
    assert "amount_requested" in new_claim(rosa, amount_requested="900.00").json()
    assert "category" in new_claim(rosa, category="dentist").json()
    assert "event_date" in new_claim(rosa, event_date="2027-01-01").json()
    assert "member" in new_claim(rosa, member=world.julio.pk).json()
    staff = api_for(world.accountant)
    assert "event_date" in new_claim(staff, member=world.julio.pk, event_date="2026-11-01").json()  # waiting period
    wrong = new_claim(rosa)
    html = rosa.post(f"/api/v1/medfund/claims/{wrong.json()['id']}/documents/",
                     {"kind": "receipt", "file": SimpleUploadedFile("a.pdf", b"<html></html>")}, format="multipart")
    assert html.status_code == 400 and "file" in html.json()
    assert Claim.objects.count() == 1


def test_who_reads_what_through_the_api(world):
    claim_id = new_claim(api_for(world.rosa.user)).json()["id"]
    other = build(short_name="HUAL")
    cluster = user_with_role(Role.CLUSTER_STAFF, world.coop, username="cluster")
    julio = User.objects.create_user("julio-api", password="x")
    world.julio.user = julio
    world.julio.save(update_fields=["user"])
    url = f"/api/v1/medfund/claims/{claim_id}/"

    committee = api_for(world.committee[2]).get(url).json()
    assert committee["description"].startswith("Dengue")
    accountant = api_for(world.accountant).get(url).json()
    assert accountant["amount_requested"] == "600.00" and "description" not in accountant and "category" not in accountant
    listed = api_for(world.accountant).get("/api/v1/medfund/claims/").json()["results"]
    assert [row["id"] for row in listed] == [claim_id] and "description" not in listed[0]
    assert "description" in api_for(world.committee[0]).get("/api/v1/medfund/claims/").json()["results"][0]
    for reader in (world.board, cluster, julio, other.accountant, other.committee[0], other.rosa.user):
        assert api_for(reader).get(url).status_code == 404, reader
        assert api_for(reader).get("/api/v1/medfund/claims/").json()["results"] == []
    assert api_for(other.board).get(f"/api/v1/medfund/dashboard/?cooperative={world.coop.pk}").status_code == 404
    assert api_for(cluster).get(f"/api/v1/medfund/dashboard/?cooperative={world.coop.pk}").status_code == 200
    assert set(ClaimRead.objects.values_list("reader__username", "via")) >= {
        (world.committee[2].username, "api"), (world.accountant.username, "api"),
        (world.accountant.username, "api-list")}
    assert Claim.objects.get().status == ClaimStatus.SUBMITTED  # reading changed nothing
