"""A report in a real browser: the accountant asks for the premium report, the page follows the
worker's progress by itself (htmx) and shows the download link when the PDF is ready."""

import pytest

from reports.models import Report, ReportStatus
from tests.browser.sessions import session
from tests.conftest import celery_worker
from tests.reports.world import build

pytestmark = [pytest.mark.browser, pytest.mark.celery, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return build()


def test_the_page_follows_the_report_until_it_can_be_downloaded(browser, live_server, screenshot, world, tmp_path):
    with celery_worker(tmp_path):
        context, page = session(browser, live_server, world.accountant.username, f"/reports/{world.coop.pk}/")
        page.fill("#ask-premium input[name=premium-year]", "2026")
        page.click("#ask-premium button:has-text('Preparar el PDF')")
        page.wait_for_url(lambda url: "/reports/view/" in url)
        link = page.wait_for_selector("text=Descargar el PDF", timeout=90_000)
        report = Report.objects.get()
        assert report.status == ReportStatus.DONE and report.pages >= 1
        screenshot(page, "ready")
        with page.expect_download() as download:
            link.click()
        assert download.value.suggested_filename.endswith(".pdf")
        listed = page.goto(f"{live_server.url}/reports/{world.coop.pk}/")
        assert listed.ok and "Rosa Chumacero" in page.inner_text("#reports")
        context.close()
