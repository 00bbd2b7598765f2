"""Each report built with WeasyPrint and read back with pypdf: its text against the database's
figures (totals, names, pages), in Spanish and English, on the co-op's letterhead."""

import io
import re

import pytest
from pypdf import PdfReader

from exports.models import SettlementLine
from loans.models import Loan, LoanRound
from medfund import services as medfund
from reports import services
from reports.models import Report, ReportStatus
from tests.reports.world import D, build

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build()


def made(world, kind, data, actor=None, language="en", django_capture_on_commit_callbacks=None) -> Report:
    """Ask for a report and build it here (the worker's part is tested in test_worker.py)."""
    report = services.report_request(cooperative=world.coop, kind=kind, data=data, actor=actor or world.accountant,
                                     language=language)
    report = services.report_build(report_id=report.pk)
    assert report.status == ReportStatus.DONE and report.progress == 100
    return report


def pages_of(report) -> list[str]:
    with report.file.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    assert len(reader.pages) == report.pages
    # Words as read, one space between them (lines break where the layout wraps them).
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def test_the_premium_report_matches_the_books(world):
    report = made(world, "premium", {"year": "2026"})
    text = "\n".join(pages_of(report))
    assert "Fairtrade premium report 2026 · APOQ" in text
    assert "Premium earned USD 1,000.00" in text and "Received USD 600.00" in text and "Outstanding USD 400.00" in text
    assert "F001-0001" in text and "Importer" in text and "1,000" in text
    assert "SALUD · Fondo médico" in text and "Acta AG 2026-01" in text and "USD 500.00" in text
    assert "Botica Sullana" in text
    # Funds: unallocated got 1,000.00 and gave 500.00; the medical fund got 500.00 and spent 100.00.
    # (The chart of accounts is named in Spanish when a co-op is created.)
    assert "3000 Prima no asignada USD 0.00 USD 1,000.00 USD 500.00 USD 500.00" in text
    assert "3200 Fondo de emergencia médica USD 0.00 USD 500.00 USD 100.00 USD 400.00" in text
    assert "Made on" in text and "asked by Rosa Chumacero" in text and f"Page 1 of {report.pages}" in text


def test_the_premium_report_in_spanish(world):
    text = "\n".join(pages_of(made(world, "premium", {"year": "2026"}, language="es")))
    assert "Informe de la prima Fairtrade 2026" in text and "Prima generada USD 1.000,00" in text.replace(
        "\xa0", ".").replace("1 000", "1.000") and "Página 1 de" in text


def test_the_trial_balance_adds_up(world):
    text = "\n".join(pages_of(made(world, "trial_balance", {"on": "2026-12-31"})))
    total = re.search(r"Total USD ([0-9,.]+) USD ([0-9,.]+)", text)
    assert total and total[1] == total[2], text
    assert "1200 Préstamos por cobrar Asset USD 1,000.00" in text


def test_a_members_loan_statement(world):
    member = world.members[0]
    text = "\n".join(pages_of(made(world, "loan_statement", {"member_number": member.number})))
    loan = Loan.objects.get(member=member)
    assert f"Loan statement of 0001 {member.full_name}" in text
    assert "Owed today USD 400.00" in text and str(loan.principal) in text.replace(",", "")
    assert "500 Fairtrade boxes in the previous quarter, out of 1,000 boxes" in text
    assert "capped at the maximum" in text


def test_a_loan_round_report_says_why(world):
    loan_round = LoanRound.objects.get(cooperative=world.coop)
    text = "\n".join(pages_of(made(world, "loan_round", {"round": str(loan_round.pk)})))
    assert "0001" in text and "capped at the maximum" in text and "pro rata to the boxes" in text
    assert "No Fairtrade boxes in the reference period" in text  # member 0005
    assert "Total 1,000 USD 1,000.00" in text


def test_the_medical_fund_report_names_nobody(world):
    text = "\n".join(pages_of(made(world, "medfund", {"year": "2026"}, actor=world.board)))
    assert "Totals only" in text and "Fund balance USD 400.00" in text
    assert not any(member.last_name in text for member in world.members)
    assert medfund  # the fund's own services are untouched by the report


def test_a_packing_list_and_a_traceability_certificate(world):
    packing = "\n".join(pages_of(made(world, "packing_list", {"container": world.shipment.container_number})))
    assert world.shipment.container_display in packing and "Total 1,000 0" in packing
    assert all(member.number in packing for member in world.members[:4])
    certificate = "\n".join(pages_of(made(world, "traceability", {"shipment": str(world.shipment.pk)})))
    assert "FLOCERT FLO-3456" in certificate and "31/05/2028" in certificate
    assert "certifies that the fruit in container" in certificate


def test_settlement_slips_are_one_page_a_producer(world):
    lines = list(SettlementLine.objects.filter(settlement=world.settlement).select_related("member")
                 .order_by("member__number"))
    report = made(world, "settlement_slips", {"settlement": str(world.settlement.pk)})
    pages = pages_of(report)
    assert report.pages == len(lines) == 4
    for number, (page, line) in enumerate(zip(pages, lines, strict=True), start=1):
        assert line.member.number in page and f"Page {number} of 4" in page
        assert f"USD {line.net:,.2f}" in page


def test_a_report_stopped_half_way_is_built_again(world):
    report = services.report_request(cooperative=world.coop, kind="trial_balance", data={"on": "2026-12-31"},
                                     actor=world.accountant)
    # A worker took it, marked it running and was lost before writing anything.
    Report.objects.filter(pk=report.pk).update(status=ReportStatus.RUNNING, attempts=1, progress=40)
    report = services.report_build(report_id=report.pk)
    assert (report.status, report.attempts, report.pages) == (ReportStatus.DONE, 2, 1)
    again = services.report_build(report_id=report.pk)  # a repeated delivery changes nothing
    assert (again.attempts, again.file.name) == (2, report.file.name)


def test_bad_parameters_name_the_field(world):
    from django.core.exceptions import ValidationError

    for kind, data, field in (("premium", {"year": "20x6"}, "year"), ("premium", {"year": "1999"}, "year"),
                              ("loan_statement", {"member_number": "9999"}, "member_number"),
                              ("packing_list", {"container": "XXXU0000000"}, "container"),
                              ("trial_balance", {"on": "2026-02-30"}, "on"),
                              ("settlement_slips", {"settlement": "0"}, "settlement")):
        with pytest.raises(ValidationError) as caught:
            services.report_request(cooperative=world.coop, kind=kind, data=data, actor=world.accountant)
        assert field in caught.value.message_dict, (kind, caught.value)
    assert not Report.objects.exists()
    assert D  # money in these reports is read back as text above


def test_a_report_laid_out_in_parts_is_numbered_through(world, monkeypatch):
    from reports.kinds import premium

    rows = premium.shipment_rows(world.coop, premium.Period(2026))
    monkeypatch.setattr(premium, "shipment_rows", lambda cooperative, period: rows * 90)
    monkeypatch.setattr(premium.PremiumReport, "rows_per_part", 40)
    report = made(world, "premium", {"year": "2026"})
    pages = pages_of(report)
    assert report.pages == len(pages) > 3
    for number, page in enumerate(pages, start=1):
        assert page.count(f"Page {number} of {report.pages}") == 1, (number, page[-120:])
    assert sum(page.count("MSKU9070323") for page in pages) == 90


def test_the_letterhead_carries_the_cooperatives_logo_and_address(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from coop.uploads import clean_logo

    world.coop.address = "Caserío Querecotillo s/n, Sullana"
    world.coop.logo = clean_logo(SimpleUploadedFile("logo.png", LOGO))
    world.coop.save(update_fields=["address", "logo"])
    report = made(world, "trial_balance", {"on": "2026-12-31"})
    with report.file.open("rb") as handle:
        page = PdfReader(io.BytesIO(handle.read())).pages[0]
    assert len(page.images) == 1
    assert "Caserío Querecotillo s/n, Sullana" in " ".join(page.extract_text().split())


# A 1x1 green PNG.
LOGO = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415408d763d0b0e60000"
    "0283014d0a7c6c0e0000000049454e44ae426082")
