"""The premium-use chain over REST: the worked example, Idempotency-Key retries, scoping by guessed
ids, read-only roles, and 400s naming the field."""

import datetime
from decimal import Decimal

import pytest

from coop.models import Role
from ledger.models import Transaction
from premiums import services
from premiums.models import Allocation, DevelopmentPlan, GeneralAssembly, PlanStatus, Spending
from tests.factories import MemberFactory, UserFactory, user_with_role

from .conftest import GA, PDF, approved_plan, pdf, png

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root", "english_client")]
JSON = "application/json"
D = Decimal


def ga_body(**changes):
    return {**GA, "held_on": "2026-03-01"} | changes


def line_body(code, budget, fund=None, **changes):
    return {"code": code, "project": f"Proyecto {code}", "objective": "…", "beneficiaries": "Socios",
            "budget": budget, "fund": fund.pk if fund else None} | changes


def spend_body(line, amount="740.00", **changes):
    return {"line": line, "amount": amount, "date": "2026-03-15", "supplier": "Librería Piura SAC",
            "invoice_number": "F001-2231", "description": "Computer, projector, copier"} | changes


def test_the_worked_example_over_the_api(client, apoq):
    coop = apoq.cooperative
    client.force_login(apoq.accountant)
    created = client.post("/api/v1/premiums/plans/", {"cooperative": coop.pk, "year": 2026}, content_type=JSON)
    assert created.status_code == 201 and created.json()["status"] == "draft" and created.json()["version"] == 1
    plan_id = created.json()["id"]
    lines = {}
    for code, budget, fund in (("SALUD", "1500.00", apoq.account["3200"]), ("PREST", "1000.00", apoq.account["3100"]),
                               ("COLEGIO", "740.00", None)):
        response = client.post(f"/api/v1/premiums/plans/{plan_id}/lines/", line_body(code, budget, fund), content_type=JSON)
        assert response.status_code == 201, response.json()
        lines[code] = response.json()["id"]
    assert response.json()["fund_code"] == "3-COLEGIO" and response.json()["budget"] == "740.00"

    early = client.post("/api/v1/premiums/allocations/", {"line": lines["SALUD"], "amount": "10.00", "date": "2026-03-02"},
                        content_type=JSON)
    assert early.status_code == 400 and "General Assembly approved" in early.json()["non_field_errors"][0]

    approved = client.post(f"/api/v1/premiums/plans/{plan_id}/approve/", ga_body(minutes_document=pdf()))  # multipart
    assert approved.status_code == 201, approved.json()
    assert approved.json()["minutes_url"] == f"/premiums/plans/{plan_id}/minutes/"
    assert b"".join(client.get(approved.json()["minutes_url"]).streaming_content) == PDF

    over = client.post("/api/v1/premiums/allocations/", {"line": lines["SALUD"], "amount": "1500.01", "date": "2026-03-02"},
                       content_type=JSON)
    assert over.status_code == 400
    assert over.json() == {"amount": [
        "Over budget: SALUD has 1,500.00 approved, 0.00 already allocated; 1,500.00 can still be allocated."]}

    transactions = Transaction.objects.count()
    body = {"line": lines["SALUD"], "amount": "1500.00", "date": "2026-03-02"}
    first = client.post("/api/v1/premiums/allocations/", body, content_type=JSON, HTTP_IDEMPOTENCY_KEY="ag-2026-salud")
    again = client.post("/api/v1/premiums/allocations/", body, content_type=JSON, HTTP_IDEMPOTENCY_KEY="ag-2026-salud")
    assert (first.status_code, again.status_code) == (201, 201) and first.json() == again.json()
    assert first.json()["amount"] == "1500.00"  # decimals travel as strings
    assert Allocation.objects.count() == 1 and Transaction.objects.count() == transactions + 1
    for code, amount in (("PREST", "1000.00"), ("COLEGIO", "740.00")):
        response = client.post("/api/v1/premiums/allocations/", {"line": lines[code], "amount": amount, "date": "2026-03-02"},
                               content_type=JSON)
        assert response.status_code == 201

    spent = client.post("/api/v1/premiums/spending/", spend_body(lines["COLEGIO"], receipt=png()),
                        HTTP_IDEMPOTENCY_KEY="F001-2231")
    assert spent.status_code == 201, spent.json()
    assert spent.json()["receipt_url"] == f"/premiums/spending/{spent.json()['id']}/receipt/"
    retried = client.post("/api/v1/premiums/spending/", spend_body(lines["COLEGIO"], receipt=png()),
                          HTTP_IDEMPOTENCY_KEY="F001-2231")
    assert retried.status_code == 201 and retried.json() == spent.json() and Spending.objects.count() == 1

    detail = client.get(f"/api/v1/premiums/plans/{plan_id}/").json()
    assert detail["status"] == "approved" and [line["code"] for line in detail["lines"]] == ["COLEGIO", "PREST", "SALUD"]
    actual = {row["code"]: row for row in detail["plan_vs_actual"]}
    assert actual["COLEGIO"] == {"code": "COLEGIO", "project": "Proyecto COLEGIO", "budget": "740.00", "allocated": "740.00",
                                 "spent": "740.00", "to_allocate": "0.00", "in_fund": "0.00"}
    assert (actual["SALUD"]["allocated"], actual["SALUD"]["in_fund"]) == ("1500.00", "1500.00")
    assert (detail["totals"]["budget"], detail["totals"]["spent"], detail["totals"]["in_fund"]) == (
        "3240.00", "740.00", "2500.00")

    listed = client.get("/api/v1/premiums/plans/", {"cooperative": coop.pk, "year": 2026}).json()["results"]
    assert [p["id"] for p in listed] == [plan_id] and listed[0]["approval"]["minutes_reference"] == "Acta AG 2026-01"
    assert client.get("/api/v1/premiums/plans/", {"year": 2025}).json()["results"] == []
    allocations = client.get("/api/v1/premiums/allocations/", {"line": lines["SALUD"]}).json()["results"]
    assert [a["amount"] for a in allocations] == ["1500.00"] and allocations[0]["transaction"] == first.json()["transaction"]
    assert client.get("/api/v1/premiums/spending/", {"year": 2026}).json()["count"] == 1


def test_the_same_key_from_another_user_is_another_request(client, apoq):
    _plan, lines = approved_plan(apoq, [("SALUD", "1500.00", "3200")])
    second_accountant = user_with_role(Role.ACCOUNTANT, apoq.cooperative, username="contador2")
    body = {"line": lines["SALUD"].pk, "amount": "100.00", "date": "2026-03-02"}
    for user in (apoq.accountant, second_accountant):
        client.force_login(user)
        assert client.post("/api/v1/premiums/allocations/", body, content_type=JSON,
                           HTTP_IDEMPOTENCY_KEY="same-key").status_code == 201
    assert Allocation.objects.count() == 2


@pytest.mark.parametrize(
    ("url", "body", "field"),
    [
        ("plans", {"year": 99999}, "year"),
        ("plans", {"year": "dos mil"}, "year"),
        ("lines", line_body("SAL\x00UD", "10.00"), "code"),
        ("lines", line_body("SALUD", "1e400"), "budget"),
        ("lines", line_body("SALUD", "NaN"), "budget"),
        ("lines", line_body("SALUD", "0.00"), "budget"),
        ("lines", line_body("SALUD", "10.00", objective="x" * 2001), "objective"),
        ("approve", ga_body(members_present=10**30), "members_present"),
        ("approve", ga_body(members_present=100), "members_present"),
        ("approve", ga_body(votes_for=10, votes_against=60), "votes_for"),
        ("approve", ga_body(held_on="2026-02-30"), "held_on"),
        ("approve", ga_body(minutes_reference="Acta\x00"), "minutes_reference"),
        ("allocations", {"amount": "99999999999999999999.00", "date": "2026-03-02"}, "amount"),
        ("allocations", {"amount": "-1.00", "date": "2026-03-02"}, "amount"),
        ("allocations", {"amount": "1.001", "date": "2026-03-02"}, "amount"),
        ("allocations", {"amount": "1.00", "date": "2026-03-02", "line": 10**30}, "line"),
        ("spending", {**spend_body(None, "1.00"), "supplier": "Botica\x00"}, "supplier"),
        ("spending", {**spend_body(None, "1.00"), "invoice_number": "x" * 61}, "invoice_number"),
        ("spending", spend_body(None, "999.00"), "non_field_errors"),  # more than the fund holds
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_saves_nothing(client, apoq, url, body, field):
    plan, lines = approved_plan(apoq, [("SALUD", "1500.00", "3200")])
    services.premium_allocate(line=lines["SALUD"], amount=D("100.00"), date=datetime.date(2026, 3, 2), actor=apoq.accountant)
    draft = services.plan_draft(cooperative=apoq.cooperative, year=2027, actor=apoq.accountant)
    services.plan_line_set(plan=draft, actor=apoq.accountant, code="SALUD", project="Salud", objective="…",
                           beneficiaries="Familias", budget=D("100.00"), fund=apoq.account["3200"])
    target = {"plans": "/api/v1/premiums/plans/", "lines": f"/api/v1/premiums/plans/{draft.pk}/lines/",
              "approve": f"/api/v1/premiums/plans/{draft.pk}/approve/", "allocations": "/api/v1/premiums/allocations/",
              "spending": "/api/v1/premiums/spending/"}[url]
    body = {"cooperative": apoq.cooperative.pk, "line": lines["SALUD"].pk, **body} if url in ("plans", "allocations") else body
    if url == "spending":
        body["line"] = lines["SALUD"].pk
    client.force_login(apoq.accountant)
    before = (Transaction.objects.count(), DevelopmentPlan.objects.count(), draft.lines.count(), GeneralAssembly.objects.count(),
              Allocation.objects.count(), Spending.objects.count())
    response = client.post(target, body, content_type=JSON)
    assert response.status_code == 400 and field in response.json(), response.json()
    assert (Transaction.objects.count(), DevelopmentPlan.objects.count(), draft.lines.count(), GeneralAssembly.objects.count(),
            Allocation.objects.count(), Spending.objects.count()) == before


def test_bad_files_and_keys_are_400(client, apoq):
    _plan, lines = approved_plan(apoq, [("SALUD", "1500.00", "3200")])
    services.premium_allocate(line=lines["SALUD"], amount=D("100.00"), date=datetime.date(2026, 3, 2), actor=apoq.accountant)
    draft = services.plan_draft(cooperative=apoq.cooperative, year=2027, actor=apoq.accountant)
    client.force_login(apoq.accountant)
    response = client.post(f"/api/v1/premiums/plans/{draft.pk}/approve/", ga_body(minutes_document=png("acta.pdf")))
    assert response.status_code == 400 and response.json() == {"minutes_document": ["The minutes must be a PDF file."]}
    big = pdf(content=PDF + b"0" * (10 * 1024 * 1024))
    response = client.post(f"/api/v1/premiums/plans/{draft.pk}/approve/", ga_body(minutes_document=big))
    assert response.status_code == 400 and "larger than 10 MB" in response.json()["minutes_document"][0]
    response = client.post("/api/v1/premiums/spending/", spend_body(lines["SALUD"].pk, "5.00", receipt=pdf("x.gif", b"GIF89a")))
    assert response.status_code == 400 and "receipt" in response.json()
    response = client.post("/api/v1/premiums/allocations/", {"line": lines["SALUD"].pk, "amount": "1.00", "date": "2026-03-02"},
                           content_type=JSON, HTTP_IDEMPOTENCY_KEY="k" * 81)
    assert response.status_code == 400 and "Idempotency-Key" in response.json()
    # A line of a draft takes no spending.
    draft_line = services.plan_line_set(plan=draft, actor=apoq.accountant, code="SALUD", project="Salud", objective="…",
                                        beneficiaries="Familias", budget=D("100.00"), fund=apoq.account["3200"])
    response = client.post("/api/v1/premiums/spending/", spend_body(draft_line.pk, "5.00"), content_type=JSON)
    assert response.status_code == 400 and "line" in response.json()
    assert not Spending.objects.exists() and not GeneralAssembly.objects.filter(plan=draft).exists()


def test_board_and_cluster_staff_read_but_do_not_write(client, apoq):
    plan, lines = approved_plan(apoq, [("SALUD", "1500.00", "3200")])
    draft = services.plan_draft(cooperative=apoq.cooperative, year=2027, actor=apoq.accountant)
    services.plan_line_set(plan=draft, actor=apoq.accountant, code="SALUD", project="Salud", objective="…",
                           beneficiaries="Familias", budget=D("100.00"), fund=apoq.account["3200"])
    line = lines["SALUD"].pk
    for reader in (apoq.board, apoq.cluster):
        client.force_login(reader)
        assert client.get(f"/api/v1/premiums/plans/{plan.pk}/").status_code == 200
        assert client.get("/api/v1/premiums/plans/").json()["count"] == 2
        assert client.get("/api/v1/premiums/allocations/").status_code == 200
        for url, body in (("/api/v1/premiums/plans/", {"cooperative": apoq.cooperative.pk, "year": 2028}),
                          (f"/api/v1/premiums/plans/{draft.pk}/lines/", line_body("X", "1.00")),
                          ("/api/v1/premiums/allocations/", {"line": line, "amount": "1.00", "date": "2026-03-02"}),
                          ("/api/v1/premiums/spending/", spend_body(line, "1.00"))):
            assert client.post(url, body, content_type=JSON).status_code == 403, (reader, url)
    assert client.post(f"/api/v1/premiums/plans/{draft.pk}/approve/", ga_body(), content_type=JSON).status_code == 403
    client.force_login(apoq.board)  # the board records the Assembly, as the service allows
    assert client.post(f"/api/v1/premiums/plans/{draft.pk}/approve/", ga_body(), content_type=JSON).status_code == 201
    assert DevelopmentPlan.objects.get(pk=draft.pk).status == PlanStatus.APPROVED
    assert not Allocation.objects.exists() and not Spending.objects.exists()


def test_another_coop_s_ids_are_404(client, apoq, otra):
    client.force_login(apoq.accountant)
    for url in (f"/api/v1/premiums/plans/{otra.plan.pk}/", "/api/v1/premiums/plans/abc/"):
        assert client.get(url).status_code == 404, url
    for url, body in ((f"/api/v1/premiums/plans/{otra.plan.pk}/lines/", line_body("X", "1.00")),
                      (f"/api/v1/premiums/plans/{otra.plan.pk}/approve/", ga_body()),
                      ("/api/v1/premiums/plans/", {"cooperative": otra.cooperative.pk, "year": 2027}),
                      ("/api/v1/premiums/allocations/", {"line": otra.line.pk, "amount": "1.00", "date": "2026-03-02"}),
                      ("/api/v1/premiums/spending/", spend_body(otra.line.pk, "1.00"))):
        assert client.post(url, body, content_type=JSON).status_code == 404, url
    assert client.get("/api/v1/premiums/plans/").json()["results"] == []
    assert client.get("/api/v1/premiums/allocations/", {"cooperative": otra.cooperative.pk}).json()["results"] == []
    assert client.get("/api/v1/premiums/spending/").json()["results"] == []
    # A fund of another co-op is not a choice for a line.
    plan = services.plan_draft(cooperative=apoq.cooperative, year=2026, actor=apoq.accountant)
    response = client.post(f"/api/v1/premiums/plans/{plan.pk}/lines/", line_body("SALUD", "10.00", otra.account["3200"]),
                           content_type=JSON)
    assert response.status_code == 400 and "fund" in response.json()
    assert (Allocation.objects.count(), Spending.objects.count(), DevelopmentPlan.objects.count()) == (1, 1, 2)


@pytest.mark.parametrize("who", ["member", "importer"])
def test_members_and_importers_get_nothing(client, otra, who):
    coop = otra.cooperative
    user = (MemberFactory(cooperative=coop, user=UserFactory()).user if who == "member"
            else user_with_role(Role.IMPORTER, coop))
    client.force_login(user)
    assert client.get(f"/api/v1/premiums/plans/{otra.plan.pk}/").status_code == 404
    assert client.get("/api/v1/premiums/plans/").json()["results"] == []
    assert client.get("/api/v1/premiums/spending/").json()["results"] == []
    for url, body in (("/api/v1/premiums/plans/", {"cooperative": coop.pk, "year": 2027}),
                      ("/api/v1/premiums/allocations/", {"line": otra.line.pk, "amount": "1.00", "date": "2026-03-02"}),
                      ("/api/v1/premiums/spending/", spend_body(otra.line.pk, "1.00"))):
        assert client.post(url, body, content_type=JSON).status_code == 403, url
    for url, body in ((f"/api/v1/premiums/plans/{otra.plan.pk}/lines/", line_body("X", "1.00")),
                      (f"/api/v1/premiums/plans/{otra.plan.pk}/approve/", ga_body())):
        assert client.post(url, body, content_type=JSON).status_code == 404, url
    client.logout()
    assert client.get("/api/v1/premiums/plans/").status_code in (401, 403)
