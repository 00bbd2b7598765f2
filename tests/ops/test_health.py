"""/health/ stays a liveness check; /health/ready/ says which of the app's needs is down.

The real Redis and broker are left running: a check is pointed at a closed port, or at a port
that accepts connections and never answers. The standby and WAL archiving are checked against
scratch servers in tests/ops/test_replica.py."""

import datetime
import socket
import time

import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import timezone

from ops.models import BackupRun
from ops.replica import configured
from tests.support.pgcluster import free_port

# The replica, when DATABASE_REPLICA_URL is set for the run, is a mirror of the test database.
pytestmark = pytest.mark.django_db(databases="__all__")
CHECKS = {"database", "redis", "broker", "archiving", "backup"} | ({"replica"} if configured() else set())


def backup_finished(hours_ago: float) -> BackupRun:
    finished = timezone.now() - datetime.timedelta(hours=hours_ago)
    return BackupRun.objects.create(
        label=f"20260101-000000F-{hours_ago}", kind="full", started_at=finished - datetime.timedelta(minutes=3),
        finished_at=finished, database_bytes=10_000_000, media_snapshot="snapshot-1", media_files=12,
        media_manifest_sha256="0" * 64)


def ready(client) -> tuple[int, dict]:
    response = client.get("/health/ready/")
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    return response.status_code, response.json()


def redis_at(url: str) -> dict:
    return {"default": {**settings.CACHES["default"], "LOCATION": url}}


@pytest.fixture
def silent_port():
    """A port that accepts connections and never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield listener.getsockname()[1]


def test_liveness_stays_a_liveness_check(client):
    response = client.get("/health/")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_ready_needs_no_login_and_reports_every_check(client):
    backup_finished(hours_ago=2)
    status, body = ready(client)
    checks = body["checks"]
    assert set(checks) == CHECKS
    assert [name for name, check in checks.items() if not check["ok"]] in ([], ["archiving"])
    assert checks["backup"]["age_hours"] == pytest.approx(2, abs=0.01)
    assert {"archive_mode", "failed_count", "last_archived_time"} <= set(checks["archiving"])
    # Whether this server archives WAL is its own business; the answer follows what it says.
    assert (status, body["status"]) == ((200, "ok") if checks["archiving"]["ok"] else (503, "unavailable"))


def test_redis_that_refuses_connections_is_named(client):
    backup_finished(hours_ago=1)
    with override_settings(CACHES=redis_at(f"redis://127.0.0.1:{free_port()}/0")):
        status, body = ready(client)
    assert status == 503 and body["status"] == "unavailable"
    assert body["checks"]["redis"]["ok"] is False and "refused" in body["checks"]["redis"]["error"]
    assert body["checks"]["database"]["ok"] and body["checks"]["broker"]["ok"] and body["checks"]["backup"]["ok"]


def test_redis_that_does_not_answer_is_given_up_on_within_the_timeout(client, silent_port):
    started = time.monotonic()
    with override_settings(CACHES=redis_at(f"redis://127.0.0.1:{silent_port}/0")):
        status, body = ready(client)
    assert status == 503 and body["checks"]["redis"]["ok"] is False
    assert time.monotonic() - started < 4


def test_a_broker_that_refuses_connections_is_named(client):
    backup_finished(hours_ago=1)
    with override_settings(CELERY_BROKER_URL=f"redis://127.0.0.1:{free_port()}/0"):
        status, body = ready(client)
    assert status == 503
    assert body["checks"]["broker"]["ok"] is False and "refused" in body["checks"]["broker"]["error"]
    assert body["checks"]["redis"]["ok"] and body["checks"]["database"]["ok"] and body["checks"]["backup"]["ok"]


def test_a_broker_that_does_not_answer_is_given_up_on_within_the_timeout(client, silent_port):
    started = time.monotonic()
    with override_settings(CELERY_BROKER_URL=f"redis://127.0.0.1:{silent_port}/0"):
        status, body = ready(client)
    assert status == 503 and body["checks"]["broker"]["ok"] is False
    assert time.monotonic() - started < 4


def test_no_backup_at_all_is_named(client):
    status, body = ready(client)
    assert status == 503
    assert body["checks"]["backup"] == {"ok": False, "error": "no backup recorded"}


@override_settings(BACKUP_MAX_AGE_HOURS=26)
def test_a_backup_older_than_the_setting_is_named(client):
    backup_finished(hours_ago=26.5)
    status, body = ready(client)
    assert status == 503
    assert body["checks"]["backup"]["ok"] is False and body["checks"]["backup"]["age_hours"] == pytest.approx(26.5)
    backup_finished(hours_ago=25)  # the newest one counts
    assert ready(client)[1]["checks"]["backup"]["ok"] is True


def test_passwords_in_urls_are_not_shown(client):
    port = free_port()
    with override_settings(CELERY_BROKER_URL=f"redis://:broker-s3cret@127.0.0.1:{port}/0",
                           CACHES=redis_at(f"redis://:cache-s3cret@127.0.0.1:{port}/0")):
        response = client.get("/health/ready/")
    assert response.status_code == 503
    assert b"s3cret" not in response.content and b"redis://" not in response.content
