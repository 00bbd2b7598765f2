"""Run by tests/ops/test_replica.py in a process of its own, so that the real settings wire the
router: DATABASE_URL is a scratch primary and DATABASE_REPLICA_URL its streaming standby, both as
the runtime role. It goes through the steps below against the real servers and prints one JSON
object of what it saw; the test judges it.

    python -m tests.ops.standby_session '{"primary_admin": ..., "standby_admin": ..., "stop_standby": [...]}'
"""

import contextlib
import datetime
import itertools
import json
import subprocess
import sys
import time

import django

django.setup()

import psycopg  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connections, transaction  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.utils import timezone  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from exports.services import importer_client_create  # noqa: E402
from ops.models import BackupRun  # noqa: E402
from ops.replica import standby  # noqa: E402
from ops.routers import reads_from_replica  # noqa: E402
from reports import services as report_services  # noqa: E402
from reports.models import Report  # noqa: E402
from tests.factories import ExportsWorld  # noqa: E402

ARGS = json.loads(sys.argv[1])
_labels = itertools.count(1)


def backup_recorded(name: str) -> BackupRun:
    now = timezone.now()
    return BackupRun.objects.create(
        label=f"{name}-{next(_labels)}", kind="full", started_at=now - datetime.timedelta(minutes=1),
        finished_at=now, database_bytes=1, media_snapshot="none", media_files=0, media_manifest_sha256="0" * 64)


def scalar(alias: str, sql: str):
    with connections[alias].cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]


def server_port(alias: str) -> int:
    return scalar(alias, "SELECT inet_server_port()")


@contextlib.contextmanager
def statements_sent():
    """The statements sent on each alias' connection (failed ones too). Unlike CaptureQueriesContext
    this does not connect on entering, which would fail once the standby is stopped."""
    sent = {"default": [], "replica": []}

    def counter(alias):
        def count(execute, sql, params, many, context):
            sent[alias].append(sql)
            return execute(sql, params, many, context)
        return count

    with connections["default"].execute_wrapper(counter("default")), \
            connections["replica"].execute_wrapper(counter("replica")):
        yield sent


def mentioning(sent: dict, table: str) -> dict:
    """How many of the statements on each alias name ``table``."""
    return {alias: sum(f'"{table}' in sql for sql in statements) for alias, statements in sent.items()}


def wait_for_replay(timeout: float = 20) -> float:
    """Until the standby has replayed all the primary has written; how long that took."""
    started = time.monotonic()
    with psycopg.connect(ARGS["primary_admin"], autocommit=True) as primary, \
            psycopg.connect(ARGS["standby_admin"], autocommit=True) as replica:
        target = primary.execute("SELECT pg_current_wal_lsn()").fetchone()[0]
        while not replica.execute("SELECT pg_last_wal_replay_lsn() >= %s", [target]).fetchone()[0]:
            if time.monotonic() - started > timeout:
                raise TimeoutError(f"the standby did not replay up to {target}")
            time.sleep(0.02)
    return time.monotonic() - started


def read(pk: int) -> dict:
    """Where a read of one row goes, and what it finds, counted on each connection."""
    rows = BackupRun.objects.filter(pk=pk)
    with statements_sent() as sent:
        found = rows.exists()
    # Where the row's own query went (the others: the router asking the standby for its lag).
    sent_to = sorted(alias for alias, count in mentioning(sent, "ops_backuprun").items() if count)
    return {"db": rows.db, "found": found, "port": server_port(rows.db), "sent_to": sent_to}


decorated_attempts = []


@reads_from_replica()
def read_decorated(pk: int) -> dict:
    decorated_attempts.append(BackupRun.objects.filter(pk=pk).db)
    return read(pk)


def list_shipments(client) -> dict:
    with statements_sent() as sent:
        response = client.get("/api/v1/shipments/")
    return {"status": response.status_code, "ids": [row["id"] for row in response.json()["results"]],
            "shipment_queries": mentioning(sent, "exports_shipment")}


def ready() -> dict:
    started = time.monotonic()
    response = Client().get("/health/ready/")
    return {"status": response.status_code, "body": response.json(), "seconds": time.monotonic() - started}


def main() -> dict:
    seen, timings = {}, {}
    started = time.monotonic()

    # A row written on the primary, read in a scope once the standby has replayed it.
    replayed = backup_recorded("replayed")
    timings["replay"] = wait_for_replay()
    seen["outside_scope_db"] = BackupRun.objects.filter(pk=replayed.pk).db
    with reads_from_replica():
        seen["in_scope"] = read(replayed.pk)
        seen["in_recovery"] = scalar("replica", "SELECT pg_is_in_recovery()")

    # In a scope that has written, and in an atomic block, reads stay on the primary.
    with reads_from_replica():
        written = backup_recorded("written-in-scope")
        seen["after_write"] = read(written.pk)
    with reads_from_replica(), transaction.atomic():
        seen["in_atomic"] = read(replayed.pk)

    # The importers' shipment list from the standby; staff's from the primary.
    world = ExportsWorld(members=1)
    shipment = world.plan()
    root = get_user_model().objects.create_superuser("root-standby", password=None)
    _client, token = importer_client_create(importer=world.importer, name="ERP", actor=root)
    wait_for_replay()
    importer = APIClient()
    importer.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    staff = APIClient()
    staff.force_authenticate(world.accountant)
    seen["shipment"] = shipment.pk
    seen["importer_list"], seen["staff_list"] = list_shipments(importer), list_shipments(staff)

    # A report built from the standby's data; its own row is written on the primary.
    report = Report.objects.create(cooperative=world.cooperative, kind="trial_balance", title="Trial balance",
                                   params={"on": timezone.localdate().isoformat()}, requested_by=world.accountant)
    wait_for_replay()
    with statements_sent() as sent:
        report_services.report_build(report_id=report.pk)
    report.refresh_from_db()
    seen["report"] = {"status": report.status, "pages": report.pages, "ledger_queries": mentioning(sent, "ledger_"),
                      "report_row_queries": mentioning(sent, "reports_report")}

    # A standby whose replay is paused falls behind; past the allowed lag, reads go to the primary.
    with psycopg.connect(ARGS["standby_admin"], autocommit=True) as admin:
        admin.execute("SELECT pg_wal_replay_pause()")
        while admin.execute("SELECT pg_get_wal_replay_pause_state()").fetchone()[0] != "paused":
            time.sleep(0.02)
        try:
            with override_settings(DATABASE_REPLICA_MAX_LAG=1):
                behind = backup_recorded("while-paused")
                time.sleep(1.5)
                state = standby.refresh()
                seen["lagging"] = {"ok": state.ok, "lag": state.lag, "error": state.error}
                with reads_from_replica():
                    seen["lagging"]["read"] = read(behind.pk)
        finally:
            admin.execute("SELECT pg_wal_replay_resume()")
    wait_for_replay()
    standby.refresh()

    timings["health_up"] = (health := ready())["seconds"]
    seen["health_up"] = health

    # The standby stops while the router still trusts it (the verdict is kept a few seconds).
    standby.refresh()
    subprocess.run(ARGS["stop_standby"], check=True, capture_output=True)
    seen["verdict_kept"] = standby.usable()
    stopped = time.monotonic()
    seen["decorated_after_stop"] = read_decorated(replayed.pk)
    seen["decorated_attempts"] = decorated_attempts
    with reads_from_replica():
        seen["scope_after_stop"] = read(replayed.pk)
    timings["fallback"] = time.monotonic() - stopped
    timings["health_replica_down"] = (health := ready())["seconds"]
    seen["health_replica_down"] = health

    # WAL archiving that fails is named.
    with psycopg.connect(ARGS["primary_admin"], autocommit=True) as admin:
        admin.execute("ALTER SYSTEM SET archive_command = 'false'")
        admin.execute("SELECT pg_reload_conf()")
        deadline = time.monotonic() + 20
        while admin.execute("SELECT failed_count FROM pg_stat_archiver").fetchone()[0] == 0:
            if time.monotonic() > deadline:
                raise TimeoutError("the archiver never tried the new command")
            backup_recorded("to-archive")
            admin.execute("SELECT pg_switch_wal()")
            time.sleep(0.5)
    seen["health_archiving_failed"] = ready()
    timings["session"] = time.monotonic() - started
    seen["timings"] = timings
    return seen


if __name__ == "__main__":
    print(json.dumps(main(), default=str))
