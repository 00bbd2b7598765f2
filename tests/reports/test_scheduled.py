"""The board's quarterly premium report: subscribed on the reports page, made once per co-op and
quarter by the scheduled job however often it runs, and emailed once with the PDF attached."""

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django_celery_beat.models import PeriodicTask

from reports import services
from reports.models import Report, ReportStatus, ReportSubscription
from tests.reports.world import build

pytestmark = pytest.mark.django_db


def test_the_quarterly_premium_report_is_made_once_and_emailed_once(django_capture_on_commit_callbacks):
    world = build()
    world.board.email = "directiva@apoq.example"
    world.board.save(update_fields=["email"])
    board = Client(HTTP_ACCEPT_LANGUAGE="en")
    board.force_login(world.board)
    assert "Email it to me each quarter" in board.get(f"/reports/{world.coop.pk}/").content.decode()
    assert board.post(f"/reports/{world.coop.pk}/email/", {"kind": "premium", "subscribed": "1"}).status_code == 302
    assert ReportSubscription.objects.filter(user=world.board, kind="premium").exists()
    committee = Client()
    committee.force_login(world.committee)
    committee.post(f"/reports/{world.coop.pk}/email/", {"kind": "premium", "subscribed": "1"})
    assert not ReportSubscription.objects.filter(user=world.committee).exists()  # not a premium reader

    october = datetime.date(2026, 10, 1)
    with django_capture_on_commit_callbacks() as queued:
        made = services.quarterly_reports_make(today=october)
    assert len(made) == 1 and len(queued) == 1
    # Run again: the same report (still waiting for a worker) is queued again, never a second one.
    assert [r.pk for r in services.quarterly_reports_make(today=october)] == [made[0].pk]
    report = Report.objects.get(scheduled=True)
    assert report.params == {"year": 2026, "quarter": 3} and report.requested_by is None
    assert "hasta el cierre del trimestre 3" in report.title  # in the co-op's language, Spanish

    with django_capture_on_commit_callbacks() as queued:
        services.report_build(report_id=report.pk)
    assert len(queued) == 1  # the email, once the report is done
    assert services.report_email(report_id=report.pk) == 1
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE and report.emailed_at is not None
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["directiva@apoq.example"] and message.attachments[0][2] == "application/pdf"
    assert message.attachments[0][1].startswith(b"%PDF-")
    assert services.report_email(report_id=report.pk) == 0 and len(mail.outbox) == 1  # once
    assert services.quarterly_reports_make(today=october) == []  # built and emailed: nothing more

    january = services.quarterly_reports_make(today=datetime.date(2027, 1, 2))
    assert january[0].params == {"year": 2026, "quarter": 4}


def test_the_schedule_is_kept_in_the_database():
    call_command("setup_schedules", stdout=open("/dev/null", "w"))
    task = PeriodicTask.objects.get(task="reports.tasks.quarterly_premium_reports")
    assert (task.crontab.day_of_month, task.crontab.month_of_year) == ("1", "1,4,7,10")
