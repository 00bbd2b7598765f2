"""The Celery wiring end to end: a real worker process on the real Redis broker."""

import datetime
import io
import time

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from coop.models import Role
from coop.tasks import certification_expiry_notify
from tests.factories import CertificationFactory, CooperativeFactory, user_with_role


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_expiry_notice_task_runs_on_a_real_worker(worker):
    coop = CooperativeFactory(short_name="APOQ")
    user_with_role(Role.ADMIN, coop, username="admin-apoq", email="admin@apoq.example")
    certification = CertificationFactory(
        cooperative=coop, number="FLO-777",
        expires_on=timezone.localdate() + datetime.timedelta(days=30),
    )

    result = certification_expiry_notify.delay()
    assert result.get(timeout=60) == 1

    certification.refresh_from_db()
    assert certification.expiry_notice_for == certification.expires_on
    messages = [p.read_text() for p in worker.iterdir()]
    assert len(messages) == 1
    assert "FLO-777" in messages[0] and "admin@apoq.example" in messages[0]

    # Run again: nothing more is sent.
    assert certification_expiry_notify.delay().get(timeout=60) == 0
    time.sleep(0.2)
    assert len(list(worker.iterdir())) == 1


@pytest.mark.django_db
def test_beat_schedule_is_kept_in_the_database_and_created_once():
    call_command("setup_schedules", stdout=io.StringIO())
    call_command("setup_schedules", stdout=io.StringIO())
    task = PeriodicTask.objects.get(name="Certification expiry notices")
    assert task.task == "coop.tasks.certification_expiry_notify"
    assert (task.crontab.hour, task.crontab.minute) == ("6", "0")
    assert PeriodicTask.objects.filter(task="coop.tasks.certification_expiry_notify").count() == 1
    assert settings.CELERY_BEAT_SCHEDULER == "django_celery_beat.schedulers:DatabaseScheduler"
