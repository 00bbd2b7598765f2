"""A real hot standby. A scratch primary (archiving its WAL) gets the Coop roles and schema; a
streaming standby is made from it with pg_basebackup -R. A process of its own with the real
settings wiring (tests/ops/standby_session.py: DATABASE_URL the primary, DATABASE_REPLICA_URL the
standby, both as the runtime role) then reads through the router, pauses the standby's replay,
asks /health/ready/, stops the standby and breaks archiving; the tests below judge what it saw.

On two idle cores about 20 s, half of it migrating the fresh database (measured: 10 s alone;
17 to 25 s while other test runs shared the machine, the whole module then 35 to 40 s)."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from django.conf import settings

from tests.support.pgcluster import PG_BIN, ScratchCluster, as_server_user, give_to_server_user

ROLES = {"database": "coop", "owner": "coop_owner", "runtime": "coop_app"}


def provision(primary: ScratchCluster) -> None:
    """The two roles and the database (ops/sql/roles.sql), then `migrate` as the owner."""
    subprocess.run(
        ["psql", primary.url(), "-q", "-v", f"database={ROLES['database']}", "-v", f"owner={ROLES['owner']}",
         "-v", "owner_password=", "-v", "owner_createdb=NOCREATEDB", "-v", f"runtime={ROLES['runtime']}",
         "-v", "runtime_password=", "-f", str(settings.BASE_DIR / "ops/sql/roles.sql")],
        check=True, capture_output=True, text=True)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=settings.BASE_DIR, check=True,
                   capture_output=True, text=True, env=app_environment(primary))


def make_standby(primary: ScratchCluster, root: Path) -> ScratchCluster:
    """A streaming standby of ``primary`` on a port of its own (-R writes standby.signal and
    primary_conninfo; the configuration copied from the primary gets this server's port after it)."""
    standby = ScratchCluster(root, "standby")
    standby.run(str(PG_BIN / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres",
                "-D", str(standby.datadir), "-R", "-X", "stream", "-c", "fast")
    standby.configure()
    return standby.start()


def app_environment(primary: ScratchCluster, standby: ScratchCluster | None = None, **extra: str) -> dict:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "coop.settings.dev",
           "DATABASE_URL": primary.url(ROLES["runtime"], ROLES["database"]),
           "DATABASE_OWNER_URL": primary.url(ROLES["owner"], ROLES["database"]), **extra}
    if standby is not None:
        env["DATABASE_REPLICA_URL"] = standby.url(ROLES["runtime"], ROLES["database"])
    return env


@pytest.fixture(scope="module")
def servers():
    root = Path(tempfile.mkdtemp(prefix="coop-standby-"))
    primary = ScratchCluster(root, "primary")
    archive = root / "archive"
    archive.mkdir()
    give_to_server_user(archive)
    standby = None
    timings = {}
    try:
        started = time.monotonic()
        primary.initdb(archive_mode="on", archive_command=f"'cp %p {archive}/%f'", max_wal_senders="4").start()
        timings["primary"] = time.monotonic() - started
        provision(primary)
        timings["provision_and_migrate"] = time.monotonic() - started - timings["primary"]
        mark = time.monotonic()
        standby = make_standby(primary, root)
        timings["standby"] = time.monotonic() - mark
        yield primary, standby, timings, root
    finally:
        for cluster in (standby, primary):
            if cluster is not None:
                cluster.stop("immediate")
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def seen(servers):
    primary, standby, timings, root = servers
    stop = as_server_user([str(PG_BIN / "pg_ctl"), "-D", str(standby.datadir), "-m", "fast", "-w", "stop"])
    args = {"primary_admin": primary.url(), "standby_admin": standby.url(), "stop_standby": stop}
    env = app_environment(primary, standby, REDIS_URL="redis://127.0.0.1:6379/14",
                          CELERY_BROKER_URL="redis://127.0.0.1:6379/15", MEDIA_ROOT=str(root / "media"),
                          DATABASE_CONN_MAX_AGE="60")
    started = time.monotonic()
    finished = subprocess.run([sys.executable, "-m", "tests.ops.standby_session", json.dumps(args)],
                              cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=180)
    timings["session_process"] = time.monotonic() - started
    assert finished.returncode == 0, finished.stderr[-4000:]
    result = json.loads(finished.stdout.strip().splitlines()[-1])
    print("timings (s):", {key: round(value, 2) for key, value in {**timings, **result["timings"]}.items()})
    return result | {"ports": {"primary": primary.port, "standby": standby.port}}


def test_a_read_in_scope_comes_from_the_standby_once_it_has_replayed_the_write(seen):
    assert seen["outside_scope_db"] == "default"
    assert seen["in_scope"] == {"db": "replica", "found": True, "port": seen["ports"]["standby"],
                                "sent_to": ["replica"]}
    assert seen["in_recovery"] is True


def test_after_a_write_and_inside_an_atomic_block_reads_stay_on_the_primary(seen):
    for step in ("after_write", "in_atomic"):
        assert seen[step] == {"db": "default", "found": True, "port": seen["ports"]["primary"],
                              "sent_to": ["default"]}, step


def test_the_importers_shipment_list_is_read_from_the_standby_and_staffs_from_the_primary(seen):
    importer, staff = seen["importer_list"], seen["staff_list"]
    assert importer["status"] == staff["status"] == 200
    assert importer["ids"] == staff["ids"] == [seen["shipment"]]
    assert importer["shipment_queries"]["replica"] >= 2 and importer["shipment_queries"]["default"] == 0
    assert staff["shipment_queries"]["replica"] == 0 and staff["shipment_queries"]["default"] >= 2


def test_a_report_is_built_from_the_standby(seen):
    report = seen["report"]
    assert report["status"] == "done" and report["pages"] >= 1
    assert report["ledger_queries"]["replica"] >= 1 and report["ledger_queries"]["default"] == 0
    # Its own row is written on the primary: taken, progress, finished.
    assert report["report_row_queries"]["default"] >= 3 and report["report_row_queries"]["replica"] == 0


def test_a_standby_further_behind_than_allowed_is_not_read(seen):
    lagging = seen["lagging"]
    assert lagging["ok"] is False and lagging["lag"] > 1 and "behind the primary" in lagging["error"]
    # The row is not on the paused standby: found, it came from the primary.
    assert lagging["read"] == {"db": "default", "found": True, "port": seen["ports"]["primary"],
                               "sent_to": ["default"]}


def test_ready_is_200_with_every_check_up_and_the_standby_lag(seen):
    health = seen["health_up"]
    assert health["status"] == 200, health["body"]
    checks = health["body"]["checks"]
    assert set(checks) == {"database", "replica", "redis", "broker", "archiving", "backup"}
    assert all(check["ok"] for check in checks.values())
    assert 0 <= checks["replica"]["lag_seconds"] < 30
    assert checks["archiving"]["archive_mode"] == "on" and checks["archiving"]["last_archived_time"]


def test_when_the_standby_stops_reads_in_scope_fall_back_to_the_primary_without_an_error(seen):
    assert seen["verdict_kept"] is True  # the router still trusted it when the read began
    assert seen["decorated_attempts"] == ["replica", "default"]  # failed on the standby, made again
    primary_read = {"db": "default", "found": True, "port": seen["ports"]["primary"]}
    assert {key: seen["decorated_after_stop"][key] for key in primary_read} == primary_read
    assert seen["scope_after_stop"] == {**primary_read, "sent_to": ["default"]}
    assert seen["timings"]["fallback"] < 5


def test_ready_names_the_standby_when_it_is_down(seen):
    health = seen["health_replica_down"]
    assert health["status"] == 503 and health["body"]["status"] == "unavailable"
    checks = health["body"]["checks"]
    assert [name for name, check in checks.items() if not check["ok"]] == ["replica"]
    assert "refused" in checks["replica"]["error"]
    assert health["seconds"] < 3


def test_ready_names_archiving_when_a_segment_could_not_be_archived(seen):
    archiving = seen["health_archiving_failed"]["body"]["checks"]["archiving"]
    assert seen["health_archiving_failed"]["status"] == 503
    assert archiving["ok"] is False and archiving["failed_count"] >= 1
    assert archiving["error"] == "the last WAL segment could not be archived"
