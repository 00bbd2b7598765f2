"""The premium-use chain through the pages: draft, lines, the Assembly's approval with its minutes,
allocation, spending with a receipt, plan versus actual; who sees and changes what; bad input."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coop.models import Role
from ledger.models import Account, Transaction
from premiums import services
from premiums.models import Allocation, DevelopmentPlan, GeneralAssembly, PlanLine, PlanStatus, Spending
from tests.factories import MemberFactory, UserFactory, user_with_role

from .conftest import GA, PDF, PNG, approved_plan, pdf, png

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root", "english_client")]
D = Decimal


def ga_form(**changes):
    data = {**GA, "held_on": "2026-03-01"}
    return data | changes


def line_form(code, budget, fund=None, **changes):
    data = {"code": code, "project": f"Proyecto {code}", "objective": "Que las familias…", "beneficiaries": "Socios",
            "budget": budget, "fund": fund.pk if fund else ""}
    return data | changes


def spend_form(amount="740.00", **changes):
    data = {"amount": amount, "date": "2026-03-15", "supplier": "Librería Piura SAC", "invoice_number": "F001-2231",
            "description": "Computer, projector, copier"}
    return data | changes


def test_the_worked_example_through_the_pages(client, apoq):
    coop = apoq.cooperative
    client.force_login(apoq.accountant)
    assert client.get("/premiums/")["Location"] == f"/premiums/{coop.pk}/"
    home = client.get(f"/premiums/{coop.pk}/")
    assert "USD 3,240.00" in home.content.decode()  # three shipments' premium, unallocated
    assert 'href="/premiums/"' in home.content.decode()  # the menu's "Premium" link

    response = client.post(f"/premiums/{coop.pk}/", {"year": "2026"})
    plan = DevelopmentPlan.objects.get(cooperative=coop)
    assert response["Location"] == f"/premiums/plans/{plan.pk}/"
    for code, budget, fund in (("SALUD", "1500.00", apoq.account["3200"]), ("PREST", "1000.00", apoq.account["3100"]),
                               ("COLEGIO", "740.00", None)):
        response = client.post(f"/premiums/plans/{plan.pk}/lines/", line_form(code, budget, fund))
        assert response.status_code == 302, response.content.decode()
    lines = {line.code: line for line in PlanLine.objects.filter(plan=plan)}
    assert lines["SALUD"].fund == apoq.account["3200"] and lines["COLEGIO"].fund.code == "3-COLEGIO"

    # Nothing is allocated before the General Assembly approves the plan.
    refused = client.post(f"/premiums/lines/{lines['SALUD'].pk}/allocate/", {"amount": "10.00", "date": "2026-03-02"})
    assert refused.status_code == 200
    assert "only to a line of the plan the General Assembly approved" in refused.content.decode()
    assert not Allocation.objects.exists()

    response = client.post(f"/premiums/plans/{plan.pk}/approve/", ga_form(minutes_document=pdf()))
    assert response["Location"] == f"/premiums/plans/{plan.pk}/"
    assembly = GeneralAssembly.objects.get(plan=plan)
    assert DevelopmentPlan.objects.get(pk=plan.pk).status == PlanStatus.APPROVED
    page = client.get(f"/premiums/plans/{plan.pk}/").content.decode()
    assert f'href="/premiums/plans/{plan.pk}/minutes/"' in page and "Acta AG 2026-01" in page
    minutes = client.get(f"/premiums/plans/{plan.pk}/minutes/")
    assert minutes.status_code == 200 and minutes["Content-Type"] == "application/pdf"
    assert b"".join(minutes.streaming_content) == PDF
    assert assembly.minutes_document.name.endswith(".pdf")

    over = client.post(f"/premiums/lines/{lines['SALUD'].pk}/allocate/", {"amount": "1500.01", "date": "2026-03-02"})
    assert over.status_code == 200
    assert ("Over budget: SALUD has 1,500.00 approved, 0.00 already allocated; 1,500.00 can still be allocated."
            in over.content.decode())
    for code, amount in (("SALUD", "1500.00"), ("PREST", "1000.00"), ("COLEGIO", "740.00")):
        response = client.post(f"/premiums/lines/{lines[code].pk}/allocate/", {"amount": amount, "date": "2026-03-02"})
        assert response["Location"] == f"/premiums/plans/{plan.pk}/"
    assert Account.objects.get(pk=apoq.unallocated.pk).balance == D("0.00")

    response = client.post(f"/premiums/lines/{lines['COLEGIO'].pk}/spend/", spend_form(receipt=png()))
    assert response["Location"] == f"/premiums/plans/{plan.pk}/"
    spending = Spending.objects.get()
    receipt = client.get(f"/premiums/spending/{spending.pk}/receipt/")
    assert receipt.status_code == 200 and receipt["Content-Type"] == "image/png"
    assert b"".join(receipt.streaming_content) == PNG

    response = client.get(f"/premiums/plans/{plan.pk}/")
    rows = {row.line.code: row.actual for row in response.context["rows"]}
    assert (rows["COLEGIO"].budget, rows["COLEGIO"].allocated, rows["COLEGIO"].spent, rows["COLEGIO"].to_allocate,
            rows["COLEGIO"].in_fund) == (D("740.00"), D("740.00"), D("740.00"), D("0.00"), D("0.00"))
    assert (rows["SALUD"].allocated, rows["SALUD"].in_fund) == (D("1500.00"), D("1500.00"))
    totals = response.context["totals"]
    assert (totals.budget, totals.allocated, totals.spent, totals.in_fund) == (
        D("3240.00"), D("3240.00"), D("740.00"), D("2500.00"))
    page = response.content.decode()
    for allocation in Allocation.objects.all():
        assert f'href="/ledger/transactions/{allocation.transaction_id}/"' in page
    assert f'href="/ledger/transactions/{spending.transaction_id}/"' in page
    assert f'href="/premiums/spending/{spending.pk}/receipt/"' in page
    assert Account.objects.get(pk=apoq.bank.pk).balance == D("2500.00")
    # The year's page is the approved plan's.
    assert client.get(f"/premiums/{coop.pk}/2026/")["Location"] == f"/premiums/plans/{plan.pk}/"


def test_money_is_shown_the_reader_s_way(client, apoq):
    plan, _lines = approved_plan(apoq, [("SALUD", "1500.00", "3200")])
    client.force_login(apoq.board)
    page = client.get(f"/premiums/plans/{plan.pk}/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "USD 1\xa0500,00" in page and "USD 3\xa0240,00" in page and "01/03/2026" in page


def test_board_and_cluster_staff_read_plan_versus_actual_but_change_nothing(client, apoq):
    plan, lines = approved_plan(apoq, [("SALUD", "1500.00", "3200")])
    services.premium_allocate(line=lines["SALUD"], amount=D("100.00"), date=datetime.date(2026, 3, 2),
                              actor=apoq.accountant)
    salud = lines["SALUD"].pk
    for reader in (apoq.board, apoq.cluster):
        client.force_login(reader)
        response = client.get(f"/premiums/plans/{plan.pk}/")
        page = response.content.decode()
        assert response.status_code == 200 and "Plan versus actual" in page
        assert "<form" not in page.split("</header>")[1]  # no forms for readers
        assert client.get(f"/premiums/{apoq.cooperative.pk}/").status_code == 200
        for url, data in ((f"/premiums/{apoq.cooperative.pk}/", {"year": "2027"}),
                          (f"/premiums/plans/{plan.pk}/lines/", line_form("X", "1.00")),
                          (f"/premiums/plans/{plan.pk}/new-version/", {}),
                          (f"/premiums/lines/{salud}/allocate/", {"amount": "1.00", "date": "2026-03-03"}),
                          (f"/premiums/lines/{salud}/spend/", spend_form("1.00"))):
            assert client.post(url, data).status_code == 403, (reader, url)
    assert Allocation.objects.count() == 1 and not Spending.objects.exists()
    assert DevelopmentPlan.objects.count() == 1


def test_the_board_records_the_assembly_and_cluster_staff_do_not(client, apoq):
    plan = services.plan_draft(cooperative=apoq.cooperative, year=2026, actor=apoq.accountant)
    services.plan_line_set(plan=plan, actor=apoq.accountant, code="SALUD", project="Salud", objective="…",
                           beneficiaries="Familias", budget=D("100.00"))
    client.force_login(apoq.cluster)
    assert client.post(f"/premiums/plans/{plan.pk}/approve/", ga_form()).status_code == 403
    client.force_login(apoq.board)
    page = client.get(f"/premiums/plans/{plan.pk}/").content.decode()
    assert "Record the General Assembly" in page and "Save the line" not in page
    assert client.post(f"/premiums/plans/{plan.pk}/approve/", ga_form()).status_code == 302
    assert DevelopmentPlan.objects.get(pk=plan.pk).status == PlanStatus.APPROVED


def test_a_changed_plan_is_a_new_version_needing_its_own_approval(client, apoq):
    plan, lines = approved_plan(apoq, [("SALUD", "1000.00", "3200")])
    client.force_login(apoq.accountant)
    page = client.get(f"/premiums/plans/{plan.pk}/").content.decode()
    assert "Draft a new version" in page and "Save the line" not in page
    response = client.post(f"/premiums/plans/{plan.pk}/new-version/")
    draft = DevelopmentPlan.objects.get(status=PlanStatus.DRAFT)
    assert response["Location"] == f"/premiums/plans/{draft.pk}/" and draft.version == 2
    edit = client.get(f"/premiums/plans/{draft.pk}/", {"edit": draft.lines.get().pk})
    assert edit.context["line_form"].initial["budget"] == D("1000.00")
    client.post(f"/premiums/plans/{draft.pk}/lines/", line_form("SALUD", "1200.00", apoq.account["3200"]))
    assert "Draft a new version" not in client.get(f"/premiums/plans/{plan.pk}/").content.decode()
    again = client.post(f"/premiums/plans/{plan.pk}/new-version/", follow=True)
    assert "already has a draft" in again.content.decode()
    client.post(f"/premiums/plans/{draft.pk}/approve/", ga_form(held_on="2026-04-01", minutes_reference="Acta AG 2026-02"))
    assert DevelopmentPlan.objects.get(pk=plan.pk).status == PlanStatus.SUPERSEDED
    assert client.get(f"/premiums/{apoq.cooperative.pk}/2026/")["Location"] == f"/premiums/plans/{draft.pk}/"
    assert client.get(f"/premiums/plans/{draft.pk}/").context["totals"].budget == D("1200.00")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"minutes_document": png("acta.pdf")}, "minutes_document", "The minutes must be a PDF file."),
        ({"minutes_document": pdf(content=PDF + b"0" * (10 * 1024 * 1024))}, "minutes_document", "larger than 10 MB"),
        ({"members_present": "100"}, "members_present", "Without quorum (100 present, 184 needed)"),
        ({"votes_for": "10", "votes_against": "60"}, "votes_for", "The plan was not approved: 10 for, 60 against."),
        ({"members_present": "9" * 30}, "members_present", "less than or equal to 1000000"),
        ({"minutes_reference": "Acta\x00AG"}, "minutes_reference", "Null characters are not allowed."),
        ({"held_on": "2026-02-30"}, "held_on", "Enter a valid date."),
    ],
)
def test_a_bad_assembly_record_names_the_field_and_approves_nothing(client, apoq, changes, field, message):
    plan = services.plan_draft(cooperative=apoq.cooperative, year=2026, actor=apoq.accountant)
    services.plan_line_set(plan=plan, actor=apoq.accountant, code="SALUD", project="Salud", objective="…",
                           beneficiaries="Familias", budget=D("100.00"))
    client.force_login(apoq.accountant)
    response = client.post(f"/premiums/plans/{plan.pk}/approve/", ga_form(**changes))
    assert response.status_code == 200
    errors = response.context["assembly_form"].errors
    assert field in errors and any(message in error for error in errors[field]), errors
    assert DevelopmentPlan.objects.get(pk=plan.pk).status == PlanStatus.DRAFT and not GeneralAssembly.objects.exists()


def test_bad_lines_allocations_and_spending_are_refused_and_nothing_is_saved(client, apoq):
    plan, lines = approved_plan(apoq, [("COLEGIO", "740.00", None)])
    colegio = lines["COLEGIO"].pk
    client.force_login(apoq.accountant)
    before = Transaction.objects.count()
    for data, field in (({"amount": "abc", "date": "2026-03-02"}, "amount"),
                        ({"amount": "1e400", "date": "2026-03-02"}, "amount"),
                        ({"amount": "-5", "date": "2026-03-02"}, "amount"),
                        ({"amount": "0.001", "date": "2026-03-02"}, "amount"),
                        ({"amount": "10", "date": "2026-13-01"}, "date")):
        response = client.post(f"/premiums/lines/{colegio}/allocate/", data)
        assert response.status_code == 200 and field in response.context["rows"][0].allocation_form.errors, data
    client.post(f"/premiums/lines/{colegio}/allocate/", {"amount": "700.00", "date": "2026-03-02"})
    for data, field, message in (
        (spend_form("740.00"), None, "may not go below zero"),
        (spend_form(receipt=pdf("virus.exe", b"MZ\x90\x00")), "receipt", "The receipt must be a PDF, JPEG or PNG file."),
        (spend_form(supplier="x" * 201), "supplier", "at most 200 characters"),
        (spend_form(description="Copier\x00"), "description", "Null characters are not allowed."),
    ):
        response = client.post(f"/premiums/lines/{colegio}/spend/", data)
        form = response.context["rows"][0].spending_form
        assert response.status_code == 200 and message in " ".join(form.errors.get(field or "__all__", [])), form.errors
    assert not Spending.objects.exists() and Transaction.objects.count() == before + 1

    draft = services.plan_draft(cooperative=apoq.cooperative, year=2026, actor=apoq.accountant)
    for data, field in ((line_form("SALUD", "0"), "budget"), (line_form("SALUD", "9" * 20), "budget"),
                        (line_form("S" * 21, "10.00"), "code"), (line_form("SALUD", "10.00", project="Sa\x00lud"), "project"),
                        (line_form("PREST", "10.00", lines["COLEGIO"].fund), None)):  # one fund, two lines
        response = client.post(f"/premiums/plans/{draft.pk}/lines/", data)
        assert response.status_code == 200 and (field or "__all__") in response.context["line_form"].errors, data
    assert draft.lines.count() == 1 and not Account.objects.filter(code="3-SALUD").exists()
    for year in ("99999", "abc", ""):
        response = client.post(f"/premiums/{apoq.cooperative.pk}/", {"year": year})
        assert response.status_code == 200 and "year" in response.context["form"].errors
    response = client.post(f"/premiums/{apoq.cooperative.pk}/", {"year": "2026"})
    assert "The 2026 plan already has a draft." in response.context["form"].errors["__all__"]


def _urls(coop, plan, line, spending):
    reads = [f"/premiums/{coop.pk}/", f"/premiums/{coop.pk}/2026/", f"/premiums/plans/{plan.pk}/",
             f"/premiums/plans/{plan.pk}/minutes/", f"/premiums/spending/{spending.pk}/receipt/"]
    writes = [(f"/premiums/{coop.pk}/", {"year": "2027"}), (f"/premiums/plans/{plan.pk}/lines/", line_form("X", "1.00")),
              (f"/premiums/plans/{plan.pk}/approve/", ga_form()), (f"/premiums/plans/{plan.pk}/new-version/", {}),
              (f"/premiums/lines/{line.pk}/allocate/", {"amount": "1.00", "date": "2026-03-04"}),
              (f"/premiums/lines/{line.pk}/spend/", spend_form("1.00"))]
    return reads, writes


def test_another_coop_s_accountant_gets_404_for_every_guessed_id(client, apoq, otra):
    reads, writes = _urls(otra.cooperative, otra.plan, otra.line, otra.spending)
    client.force_login(otra.accountant)
    for url in reads:  # its own: readable
        assert client.get(url).status_code in (200, 302), url
    client.force_login(apoq.accountant)
    for url in reads:
        assert client.get(url).status_code == 404, url
    for url, data in writes:
        assert client.post(url, data).status_code == 404, url
    assert client.get("/premiums/")["Location"] == f"/premiums/{apoq.cooperative.pk}/"
    assert (Allocation.objects.count(), Spending.objects.count(), DevelopmentPlan.objects.count()) == (1, 1, 1)


@pytest.mark.parametrize("who", ["member", "importer", "committee", "nobody"])
def test_members_importers_and_others_get_nothing(client, otra, who):
    coop = otra.cooperative
    user = {
        "member": lambda: MemberFactory(cooperative=coop, user=UserFactory()).user,
        "importer": lambda: user_with_role(Role.IMPORTER, coop),
        "committee": lambda: user_with_role(Role.COMMITTEE, coop),
        "nobody": lambda: UserFactory(),
    }[who]()
    client.force_login(user)
    assert client.get("/premiums/").status_code == 403
    reads, writes = _urls(coop, otra.plan, otra.line, otra.spending)
    for url in reads:
        assert client.get(url).status_code == 404, url
    for url, data in writes:
        assert client.post(url, data).status_code == 404, url
    assert 'href="/premiums/"' not in client.get("/premiums/").content.decode()


def test_downloads_without_a_file_are_404(client, apoq):
    plan, lines = approved_plan(apoq, [("SALUD", "100.00", "3200")])  # approved without a minutes PDF
    client.force_login(apoq.accountant)
    assert client.get(f"/premiums/plans/{plan.pk}/minutes/").status_code == 404
    services.premium_allocate(line=lines["SALUD"], amount=D("50.00"), date=datetime.date(2026, 3, 2), actor=apoq.accountant)
    spending = services.premium_spend(line=lines["SALUD"], amount=D("5.00"), date=datetime.date(2026, 3, 3),
                                      actor=apoq.accountant, supplier="Botica", invoice_number="1", description="x")
    assert client.get(f"/premiums/spending/{spending.pk}/receipt/").status_code == 404
    draft = services.plan_draft(cooperative=apoq.cooperative, year=2027, actor=apoq.accountant)
    assert client.get(f"/premiums/plans/{draft.pk}/minutes/").status_code == 404


@pytest.mark.parametrize("status", [PlanStatus.APPROVED, PlanStatus.DRAFT])
def test_the_plan_page_keeps_a_constant_number_of_queries(client, apoq, status):
    def plan_with(count: int, year: int) -> DevelopmentPlan:
        plan = services.plan_draft(cooperative=apoq.cooperative, year=year, actor=apoq.accountant)
        lines = [services.plan_line_set(plan=plan, actor=apoq.accountant, code=f"L{year}-{n}", project=f"P{n}",
                                        objective="…", beneficiaries="Socios", budget=D("10.00"))
                 for n in range(count)]
        if status == PlanStatus.APPROVED:
            services.plan_approve(plan=plan, actor=apoq.accountant, **GA)
            for line in lines:
                services.premium_allocate(line=line, amount=D("5.00"), date=datetime.date(year, 3, 2), actor=apoq.accountant)
                services.premium_spend(line=line, amount=D("1.00"), date=datetime.date(year, 3, 3), actor=apoq.accountant,
                                       supplier="S", invoice_number=f"{year}-{line.code}", description="x", receipt=png())
        return plan

    few, many = plan_with(3, 2026), plan_with(10, 2027)
    client.force_login(apoq.accountant)
    counts = []
    for plan in (few, many):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/premiums/plans/{plan.pk}/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    assert counts[0] <= 15, counts
