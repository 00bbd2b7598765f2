"""Reports built by a real Celery worker on the real Redis broker: asked for through the page,
followed until ready and downloaded; and a worker whose process is killed half-way leaves no file,
the task is given to the next process and the report is finished."""

import io
import subprocess
import time

import pytest
from django.test import Client
from pypdf import PdfReader

from exports.models import SettlementLine
from reports.models import Report, ReportStatus
from tests.conftest import celery_worker
from tests.factories import MemberFactory
from tests.reports.world import build

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]


def wait_for(report_id: int, statuses, timeout: float = 90) -> Report:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        report = Report.objects.get(pk=report_id)
        if report.status in statuses:
            return report
        time.sleep(0.05)
    raise AssertionError(f"report {report_id} still {Report.objects.get(pk=report_id).status}")


def test_a_report_is_built_by_the_worker_end_to_end(tmp_path):
    world = build()
    clerk = Client(HTTP_ACCEPT_LANGUAGE="es")
    clerk.force_login(world.accountant)
    with celery_worker(tmp_path):
        asked = clerk.post(f"/reports/{world.coop.pk}/ask/", {"kind": "premium", "premium-year": "2026"})
        report = wait_for(Report.objects.get().pk, {ReportStatus.DONE, ReportStatus.FAILED})
    assert report.status == ReportStatus.DONE, report.error
    assert asked.url == f"/reports/view/{report.pk}/"
    download = clerk.get(f"/reports/view/{report.pk}/file/")
    text = PdfReader(io.BytesIO(b"".join(download.streaming_content))).pages[0].extract_text()
    assert "Informe de la prima Fairtrade 2026" in " ".join(text.split())


def test_a_worker_killed_half_way_leaves_no_file_and_the_report_is_finished(tmp_path):
    world = build()
    settlement_line = SettlementLine.objects.filter(settlement=world.settlement).first()
    # Enough producers that laying the slips out takes a few seconds.
    extra = [SettlementLine(cooperative=world.coop, settlement=world.settlement,
                            member=MemberFactory(cooperative=world.coop, number=f"9{n:03d}"), boxes=10,
                            gross=settlement_line.gross, deducted=settlement_line.deducted, net=settlement_line.net)
             for n in range(400)]
    SettlementLine.objects.bulk_create(extra)
    clerk = Client(HTTP_ACCEPT_LANGUAGE="en")
    clerk.force_login(world.accountant)
    with celery_worker(tmp_path, "--pool=prefork", "--concurrency=1") as worker:
        clerk.post(f"/reports/{world.coop.pk}/ask/", {"kind": "settlement_slips",
                                                      "settlement_slips-settlement": world.settlement.pk})
        report = wait_for(Report.objects.get().pk, {ReportStatus.RUNNING})
        while Report.objects.get(pk=report.pk).progress < 10:  # well into the layout
            time.sleep(0.05)
        children = subprocess.run(["pgrep", "-P", str(worker.pid)], capture_output=True, text=True).stdout.split()
        assert children, "the worker's pool process"
        subprocess.run(["kill", "-9", *children], check=True)
        half_way = Report.objects.get(pk=report.pk)
        assert half_way.status == ReportStatus.RUNNING and not half_way.file
        report = wait_for(report.pk, {ReportStatus.DONE, ReportStatus.FAILED}, timeout=180)
    assert report.status == ReportStatus.DONE, report.error
    assert report.attempts == 2 and report.pages == 404
    assert len(list((tmp_path / "media" / "reports").rglob("*.pdf"))) == 1
