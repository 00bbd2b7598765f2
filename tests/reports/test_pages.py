"""Asking for reports through the pages, following their progress, downloading them; who may,
also by guessing ids; CSV and XLSX of the tables behind them, matching what the pages show."""

import csv
import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.test import Client

from coop.models import Role, User
from coop.services import cooperative_create
from ledger.selectors import trial_balance
from reports import services
from reports.models import Report, ReportStatus
from tests.factories import user_with_role
from tests.reports.world import build

pytestmark = pytest.mark.django_db


def client_for(user, language="en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


@pytest.fixture
def world():
    return build()


def test_ask_watch_and_download(world, django_capture_on_commit_callbacks):
    clerk = client_for(world.accountant)
    page = clerk.get(f"/reports/{world.coop.pk}/")
    assert page.status_code == 200 and "Fairtrade premium report" in page.content.decode()
    with django_capture_on_commit_callbacks() as queued:
        asked = clerk.post(f"/reports/{world.coop.pk}/ask/", {"kind": "premium", "premium-year": "2026"})
    report = Report.objects.get()
    assert asked.status_code == 302 and asked.url == f"/reports/view/{report.pk}/" and len(queued) == 1
    waiting = clerk.get(asked.url, HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in waiting and "Waiting" in waiting
    services.report_build(report_id=report.pk)
    done = clerk.get(asked.url, HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in done and f"/reports/view/{report.pk}/file/" in done
    download = clerk.get(f"/reports/view/{report.pk}/file/")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF-")
    listed = clerk.get(f"/reports/{world.coop.pk}/").content.decode()
    assert "Rosa Chumacero" in listed and "Download" in listed


def test_bad_input_is_shown_on_the_form(world):
    refused = client_for(world.accountant).post(f"/reports/{world.coop.pk}/ask/", {"kind": "premium",
                                                                                   "premium-year": "abc"})
    assert refused.status_code == 400 and "Choose the year" in refused.content.decode()
    assert client_for(world.accountant).post(f"/reports/{world.coop.pk}/ask/", {"kind": "nothing"}).status_code == 404
    assert not Report.objects.exists()


def test_who_may_read_which_report_also_by_guessing_ids(world):
    premium = services.report_build(report_id=services.report_request(
        cooperative=world.coop, kind="premium", data={"year": 2026}, actor=world.accountant).pk)
    member, other_member = world.members[0], world.members[1]
    member.user = User.objects.create_user("socio", password="x")
    member.save(update_fields=["user"])
    statement = services.report_build(report_id=services.report_request(
        cooperative=world.coop, kind="loan_statement", data={"member": member.pk}, actor=member.user).pk)
    fund = services.report_build(report_id=services.report_request(
        cooperative=world.coop, kind="medfund", data={"year": 2026}, actor=world.committee).pk)
    other = cooperative_create(name="Otra", short_name="OTRA", country="PE")
    stranger = user_with_role(Role.ACCOUNTANT, other, username="otra")

    def status(user, report):
        return client_for(user).get(f"/reports/view/{report.pk}/file/").status_code

    assert status(world.board, premium) == 200 and status(world.accountant, statement) == 200
    assert status(member.user, statement) == 200 and status(member.user, premium) == 404
    assert status(world.committee, premium) == 404 and status(world.committee, fund) == 200
    assert status(world.board, fund) == 200
    for report in (premium, statement, fund):
        assert status(stranger, report) == 404
    # A member asks only for their own statement.
    asked = client_for(member.user).post(f"/reports/{world.coop.pk}/ask/", {"kind": "loan_statement",
                                                                           "member": other_member.pk})
    assert asked.status_code == 404
    assert client_for(member.user).post(f"/reports/{world.coop.pk}/ask/", {"kind": "premium",
                                                                          "premium-year": "2026"}).status_code == 404
    assert client_for(stranger).get(f"/reports/{world.coop.pk}/").status_code == 404
    listed = client_for(stranger).get(f"/reports/{other.pk}/").content.decode()
    assert "Loan statement" not in listed and "premium report 2026 · APOQ" not in listed
    assert client_for(stranger).get(f"/reports/{world.coop.pk}/premium/export.csv?year=2026").status_code == 404


def test_csv_and_xlsx_match_the_pages(world):
    clerk = client_for(world.accountant)
    answer = clerk.get(f"/reports/{world.coop.pk}/trial_balance/export.csv?on=2026-12-31")
    assert answer.status_code == 200 and answer["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert rows[0] == ["Code", "Account", "Type", "Debit", "Credit"]
    page = {line.account.code: (line.debit, line.credit)
            for line in trial_balance(user=world.accountant, cooperative=world.coop)}
    assert {row[0]: (Decimal(row[3]), Decimal(row[4])) for row in rows[1:]} == page

    book = clerk.get(f"/reports/{world.coop.pk}/premium/export.xlsx?year=2026")
    assert book.status_code == 200
    sheets = openpyxl.load_workbook(io.BytesIO(book.content), read_only=True)
    importers = list(sheets["Premium per importer"].values)
    assert importers[0] == ("Importer", "Shipments", "Boxes", "Premium earned", "Received", "Outstanding")
    assert importers[1][1:] == (1, 1000, 1000, 600, 400)
    reconciliation = clerk.get(f"/exports/{world.coop.pk}/premium/").content.decode()
    assert "USD 1,000.00" in reconciliation and "USD 600.00" in reconciliation
    assert set(sheets.sheetnames) >= {"Premium per shipment", "Allocations", "Plan versus actual", "Fund balances"}
    bad = clerk.get(f"/reports/{world.coop.pk}/premium/export.xlsx?year=abc")
    assert bad.status_code == 400 and "year" in bad.content.decode()
    assert clerk.get(f"/reports/{world.coop.pk}/premium/export.pdf?year=2026").status_code == 404


def test_a_failed_report_says_why(world):
    report = services.report_request(cooperative=world.coop, kind="premium", data={"year": 2026},
                                     actor=world.accountant)
    services.report_fail(report_id=report.pk, error=RuntimeError("disk full"))
    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED and "RuntimeError" in report.error and not report.file
    page = client_for(world.accountant).get(f"/reports/view/{report.pk}/").content.decode()
    assert "could not be built" in page


def test_reports_over_the_api_an_importer_gets_its_packing_list(world):
    from django.contrib.auth import get_user_model
    from rest_framework.test import APIClient

    from exports.models import Importer
    from exports.services import importer_client_create

    root = get_user_model().objects.create_superuser("root", password="x")
    program, _token = importer_client_create(importer=world.shipment.importer, name="ERP", actor=root)
    other_importer = Importer.objects.create(name="Otro", country="NL")
    other_program, _token = importer_client_create(importer=other_importer, name="ERP", actor=root)
    api = APIClient()
    api.force_authenticate(program.user)
    asked = api.post("/api/v1/reports/", {"cooperative": world.coop.pk, "kind": "packing_list",
                                          "params": {"shipment": world.shipment.pk}}, format="json")
    assert asked.status_code == 202, asked.json()
    report_id = asked.json()["id"]
    assert api.get(f"/api/v1/reports/{report_id}/").json()["status"] == "queued"
    services.report_build(report_id=report_id)
    answer = api.get(f"/api/v1/reports/{report_id}/").json()
    assert answer["status"] == "done" and answer["download"] == f"/api/v1/reports/{report_id}/file/"
    assert api.get(answer["download"]).status_code == 200
    assert api.post("/api/v1/reports/", {"cooperative": world.coop.pk, "kind": "premium", "params": {"year": 2026}},
                    format="json").status_code == 404
    stranger = APIClient()
    stranger.force_authenticate(other_program.user)
    assert stranger.get(f"/api/v1/reports/{report_id}/").status_code == 404
    assert stranger.get(f"/api/v1/reports/{report_id}/file/").status_code == 404
    assert stranger.post("/api/v1/reports/", {"cooperative": world.coop.pk, "kind": "packing_list",
                                              "params": {"shipment": world.shipment.pk}},
                         format="json").status_code == 404
    bad = api.post("/api/v1/reports/", {"cooperative": world.coop.pk, "kind": "packing_list",
                                        "params": {"container": "NOPE"}}, format="json")
    assert bad.status_code == 400 and "container" in bad.json()
    assert stranger.get("/api/v1/reports/").json()["results"] == []
    assert api.get("/api/v1/reports/abc/").status_code == 404


def test_every_report_has_its_tables_as_csv_and_xlsx(world):
    from exports.models import SettlementLine
    from loans.models import LoanRound

    clerk = client_for(world.accountant)
    queries = {"premium": "year=2026", "trial_balance": "on=2026-12-31", "medfund": "year=2026",
               "loan_statement": f"member={world.members[0].pk}",
               "loan_round": f"round={LoanRound.objects.get(cooperative=world.coop).pk}",
               "packing_list": f"shipment={world.shipment.pk}", "traceability": f"shipment={world.shipment.pk}",
               "settlement_slips": f"settlement={world.settlement.pk}"}
    from reports.base import KINDS

    assert set(queries) == set(KINDS)
    for kind, query in queries.items():
        book = clerk.get(f"/reports/{world.coop.pk}/{kind}/export.xlsx?{query}")
        assert book.status_code == 200, kind
        sheets = openpyxl.load_workbook(io.BytesIO(book.content), read_only=True)
        assert all(next(sheet.values) for sheet in sheets.worksheets), kind  # every sheet has its headers
        text = clerk.get(f"/reports/{world.coop.pk}/{kind}/export.csv?{query}").content.decode("utf-8-sig")
        assert text.splitlines()[0], kind
    slips = clerk.get(f"/reports/{world.coop.pk}/settlement_slips/export.csv?settlement={world.settlement.pk}")
    assert len(slips.content.decode("utf-8-sig").strip().splitlines()) == 1 + SettlementLine.objects.filter(
        settlement=world.settlement).count()


def test_what_a_review_found(world, django_capture_on_commit_callbacks):
    from django.contrib.auth import get_user_model
    from rest_framework.test import APIClient

    from exports.services import importer_client_create
    from reports.templatetags.report_format import css_string

    # Text in the page margins cannot end its CSS string, whatever it holds.
    escaped = css_string('Coop "Norte" \\ <b>&\r\nx\'y')
    assert escaped.startswith('"') and escaped.endswith('"')
    assert not any(char in escaped[1:-1] for char in '"\r\n<>&\'') and "\\5C " in escaped

    # Parameters are looked at only for those who may ask: nothing is told to others.
    stranger = user_with_role(Role.ACCOUNTANT, cooperative_create(name="Otra", short_name="OTRA", country="PE"),
                              username="otra")
    asked = client_for(stranger).post(f"/reports/{world.coop.pk}/ask/", {"kind": "loan_statement",
                                                                         "loan_statement-member_number": "0001"})
    assert asked.status_code == 404
    assert client_for(stranger).get(f"/reports/{world.coop.pk}/packing_list/export.csv?container=X").status_code == 404
    # A NUL character is a clear 400, not a 500.
    nul = client_for(world.accountant).get(f"/reports/{world.coop.pk}/packing_list/export.csv?container=AB%00C")
    assert nul.status_code == 400
    api = APIClient()
    api.force_authenticate(world.accountant)
    unknown = api.post("/api/v1/reports/", {"cooperative": world.coop.pk, "kind": "nothing", "params": {}},
                       format="json")
    assert unknown.status_code == 400 and "kind" in unknown.json()
    assert api.post("/api/v1/reports/", {"cooperative": world.coop.pk, "kind": "loan_statement",
                                         "params": {"member_number": "0\x000"}}, format="json").status_code == 400

    # An importer reads its shipment's producers by number; names only where the co-op shares them.
    root = get_user_model().objects.create_superuser("root", password="x")
    program, _token = importer_client_create(importer=world.shipment.importer, name="ERP", actor=root)
    importer = Client()
    importer.force_login(program.user)
    csv_text = importer.get(f"/reports/{world.coop.pk}/traceability/export.csv?shipment={world.shipment.pk}"
                            ).content.decode("utf-8-sig")
    assert "0001" in csv_text and world.members[0].last_name not in csv_text
    staff_csv = client_for(world.accountant).get(
        f"/reports/{world.coop.pk}/traceability/export.csv?shipment={world.shipment.pk}").content.decode("utf-8-sig")
    assert world.members[0].last_name in staff_csv

    # A report whose worker was lost three times is given up, with the reason.
    report = services.report_request(cooperative=world.coop, kind="trial_balance", data={"on": "2026-12-31"},
                                     actor=world.accountant)
    Report.objects.filter(pk=report.pk).update(status=ReportStatus.RUNNING, attempts=3)
    report = services.report_build(report_id=report.pk)
    assert report.status == ReportStatus.FAILED and not report.file and report.error

    # The quarterly report that failed is started again by the next run of the job.
    from reports.models import ReportSubscription

    ReportSubscription.objects.create(cooperative=world.coop, user=world.board, kind="premium")
    first = services.quarterly_reports_make(today=datetime.date(2026, 10, 1))[0]
    services.report_fail(report_id=first.pk, error=RuntimeError("disk full"))
    with django_capture_on_commit_callbacks() as queued:
        again = services.quarterly_reports_make(today=datetime.date(2026, 10, 2))
    assert [r.pk for r in again] == [first.pk] and len(queued) == 1
    assert Report.objects.get(pk=first.pk).status == ReportStatus.QUEUED
