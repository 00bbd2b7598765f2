"""The shipments API as importers' programs and co-op staff use it: scoping by guessing ids,
traceability, premium figures and the idempotent premium payment advice."""

import pytest
from rest_framework.test import APIClient

from coop.models import Role
from ledger.models import Transaction
from premiums.models import PremiumReceipt
from tests.exports.world import world_fixture  # noqa: F401 (the ``world`` fixture)
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db


def test_importer_sees_its_shipments_across_coops_and_nothing_else(world):
    listed = world.importer_a.get("/api/v1/shipments/").json()
    assert {row["id"] for row in listed["results"]} == {world.shipments["a1"].pk, world.shipments["a2"].pk}
    assert {row["cooperative"] for row in listed["results"]} == {"APOQ", "HUALTACO"}
    # Guessing the other importer's shipment id: 404, not 403.
    assert world.importer_a.get(f"/api/v1/shipments/{world.shipments['b1'].pk}/").status_code == 404
    assert world.importer_b.get(f"/api/v1/shipments/{world.shipments['a1'].pk}/").status_code == 404
    assert world.importer_b.get(f"/api/v1/shipments/{world.shipments['a2'].pk}/deliveries/").status_code == 404
    response = world.importer_b.post(f"/api/v1/shipments/{world.shipments['a1'].pk}/premium-payments/",
                                     {"amount": "1.00", "paid_on": "2026-10-20", "reference": "x"}, format="json")
    assert response.status_code == 404
    # Nor the co-ops' other data.
    assert world.importer_a.get("/api/v1/members/").json()["results"] == []
    assert world.importer_a.get("/api/v1/ledger/accounts/").json()["results"] == []


def test_detail_has_traceability_and_premium(world):
    shipment = world.shipments["a1"]
    body = world.importer_a.get(f"/api/v1/shipments/{shipment.pk}/").json()
    assert body["boxes"] == 1080 and body["rejected_boxes"] == 12
    assert body["premium"] == {"accrued": "1080.00", "paid": "0.00", "outstanding": "1080.00"}
    assert len(body["traceability"]) == 3
    assert all("name" not in line for line in body["traceability"])  # member numbers only
    assert [step["status"] for step in body["steps"]] == ["planned", "loading", "shipped", "invoiced"]
    world.apoq.share_producer_names = True
    world.apoq.save(update_fields=["share_producer_names"])
    body = world.importer_a.get(f"/api/v1/shipments/{shipment.pk}/").json()
    assert all(line["name"] for line in body["traceability"])


def test_payment_advice_is_idempotent(world):
    shipment = world.shipments["a1"]
    url = f"/api/v1/shipments/{shipment.pk}/premium-payments/"
    body = {"amount": "400.00", "paid_on": "2026-10-20", "reference": "SWIFT 123"}
    before = Transaction.objects.count()
    first = world.importer_a.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="advice-1")
    again = world.importer_a.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="advice-1")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert Transaction.objects.count() == before + 1
    conflict = world.importer_a.post(url, {**body, "amount": "500.00"}, format="json", HTTP_IDEMPOTENCY_KEY="advice-1")
    assert conflict.status_code == 409
    assert PremiumReceipt.objects.filter(shipment=shipment).count() == 1
    detail = world.importer_a.get(f"/api/v1/shipments/{shipment.pk}/").json()
    assert detail["premium"] == {"accrued": "1080.00", "paid": "400.00", "outstanding": "680.00"}
    too_much = world.importer_a.post(url, {**body, "amount": "680.01"}, format="json", HTTP_IDEMPOTENCY_KEY="advice-2")
    assert too_much.status_code == 400 and "amount" in too_much.json()


@pytest.mark.parametrize("body", [
    {"amount": "abc", "paid_on": "2026-10-20", "reference": "x"},
    {"amount": "1e400", "paid_on": "2026-10-20", "reference": "x"},
    {"amount": "-5", "paid_on": "2026-10-20", "reference": "x"},
    {"amount": "5.00", "paid_on": "20-10-2026", "reference": "x"},
    {"amount": "5.00", "paid_on": "2026-10-20", "reference": "nul\x00byte"},
    {"amount": "5.00", "paid_on": "2026-10-20"},
])
def test_bad_advice_is_a_400_naming_the_field(world, body):
    url = f"/api/v1/shipments/{world.shipments['a1'].pk}/premium-payments/"
    response = world.importer_a.post(url, body, format="json")
    assert response.status_code == 400
    assert set(response.json()) & {"amount", "paid_on", "reference"}


@pytest.mark.parametrize("query", ["status=nonsense", "from=2026-99-99", "cooperative=99999999999999999999",
                                   "page=-1", "container=%00", "product=" + "x" * 5000])
def test_absurd_query_parameters_never_fail(world, query):
    assert world.importer_a.get(f"/api/v1/shipments/?{query}").status_code in (200, 404)


def test_staff_see_their_coop_only(world):
    api = APIClient()
    api.force_authenticate(world.staff[world.hualtaco.pk])
    rows = api.get("/api/v1/shipments/").json()["results"]
    assert [row["id"] for row in rows] == [world.shipments["a2"].pk]
    assert api.get(f"/api/v1/shipments/{world.shipments['a1'].pk}/").status_code == 404
    # The board reads but does not record payments.
    board = user_with_role(Role.BOARD, world.hualtaco, username="directivo")
    api.force_authenticate(board)
    response = api.post(f"/api/v1/shipments/{world.shipments['a2'].pk}/premium-payments/",
                        {"amount": "1.00", "paid_on": "2026-10-20", "reference": "x"}, format="json")
    assert response.status_code == 403


def test_list_queries_do_not_grow_with_the_page(world, django_assert_max_num_queries):
    api = world.importer_a
    with django_assert_max_num_queries(8):
        assert api.get("/api/v1/shipments/?page_size=1").status_code == 200
    with django_assert_max_num_queries(8):
        assert api.get("/api/v1/shipments/").status_code == 200


def test_a_token_that_is_wrong_is_refused(world):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION="Token " + "0" * 64)
    assert api.get("/api/v1/shipments/").status_code == 401


def test_documents_reach_the_importer_of_the_shipment_only(world, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    settings.MEDIA_ROOT = tmp_path
    shipment = world.shipments["a1"]
    staff = Client(HTTP_ACCEPT_LANGUAGE="en")
    staff.force_login(world.staff[world.apoq.pk])
    fake = SimpleUploadedFile("bl.pdf", b"not a pdf", content_type="application/pdf")
    refused = staff.post(f"/exports/shipments/{shipment.pk}/documents/", {"document-kind": "bill_of_lading",
                                                                           "document-file": fake})
    assert refused.status_code == 400 and "must be a PDF, JPEG or PNG" in refused.content.decode()
    pdf = SimpleUploadedFile("B/L 0042.pdf", b"%PDF-1.7 bill of lading", content_type="application/pdf")
    added = staff.post(f"/exports/shipments/{shipment.pk}/documents/", {"document-kind": "bill_of_lading",
                                                                         "document-file": pdf})
    assert added.status_code == 302
    document = shipment.documents.get()
    assert b"".join(staff.get(f"/exports/documents/{document.pk}/").streaming_content).startswith(b"%PDF")

    listed = world.importer_a.get(f"/api/v1/shipments/{shipment.pk}/").json()["documents"]
    assert [d["kind"] for d in listed] == ["bill_of_lading"]
    download = world.importer_a.get(f"/api/v1/shipments/{shipment.pk}/documents/{document.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    assert world.importer_b.get(f"/api/v1/shipments/{shipment.pk}/documents/{document.pk}/").status_code == 404
    other = world.shipments["a2"]
    assert world.importer_a.get(f"/api/v1/shipments/{other.pk}/documents/{document.pk}/").status_code == 404
    hualtaco = Client()
    hualtaco.force_login(world.staff[world.hualtaco.pk])
    assert hualtaco.get(f"/exports/documents/{document.pk}/").status_code == 404


def test_premium_reconciliation_per_importer(world):
    api = APIClient()
    api.force_authenticate(world.staff[world.apoq.pk])
    rows = api.get(f"/api/v1/premiums/reconciliation/?cooperative={world.apoq.pk}").json()
    assert rows == [
        {"importer": "Importer A", "shipments": 1, "accrued": "1080.00", "received": "0.00", "outstanding": "1080.00"},
        {"importer": "Importer B", "shipments": 1, "accrued": "1080.00", "received": "0.00", "outstanding": "1080.00"},
    ]
    assert api.get(f"/api/v1/premiums/reconciliation/?cooperative={world.hualtaco.pk}").status_code == 404
    assert world.importer_a.get(f"/api/v1/premiums/reconciliation/?cooperative={world.apoq.pk}").status_code == 404


def test_throttling_answers_429(world, monkeypatch):
    from rest_framework.throttling import UserRateThrottle

    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "3/minute", "anon": "3/minute"})
    from django.core.cache import cache

    cache.clear()
    codes = [world.importer_b.get("/api/v1/shipments/").status_code for _ in range(5)]
    assert codes[:3] == [200, 200, 200] and codes[3:] == [429, 429]
