"""The restore drill: a co-op's books are backed up, the server is lost, and the books come back
as they were at a chosen moment, to the cent, with their rules intact.

On a scratch cluster archiving into a pgBackRest repository: the two roles and the database made
by ops/sql/roles.sql, pgBackRest's role by ops/sql/backup_role.sql, migrated as the owner; postings
as the runtime role through the ledger's service; `manage.py backup` (full, then incremental) as
bin/backup runs it; more postings; the moment T; more postings and a media file after T; the
cluster lost; `ops.backup.restore` to T as bin/restore runs it. Prints and writes to
artifacts/restore-drill.json the RTO (restore start to the restored database answering) and the
RPO (committed work not yet in the WAL archive when the cluster was lost).

Run it alone with: .venv/bin/python -m pytest -m restore_drill -s
"""

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from psycopg import sql

from ops import backup
from tests.support.pgcluster import ScratchCluster, conf_literal, scratch_folder

pytestmark = pytest.mark.restore_drill

ROOT = Path(settings.BASE_DIR)
# What the runtime role tries on the restored books, and the words PostgreSQL refuses it with.
ATTACKS = {
    "TRUNCATE ledger_leg": "permission denied for table ledger_leg",
    "SET session_replication_role = replica": 'permission denied to set parameter "session_replication_role"',
    "ALTER TABLE ledger_leg DISABLE TRIGGER ALL": "must be owner of table ledger_leg",
    "UPDATE ledger_leg SET amount = amount + 1": "permission denied for table ledger_leg",
    "DELETE FROM ledger_transaction": "permission denied for table ledger_transaction",
}


class Drill:
    def __init__(self, folder: Path):
        self.folder = folder
        self.cluster = ScratchCluster(folder)
        self.config = backup.BackupConfig(
            stanza="drill", config_path=folder / "pgbackrest.conf", repo_path=str(folder / "repo"),
            retention_full=2, media_root=folder / "media", restic_repository=str(folder / "media-repo"),
            restic_password_file=folder / "restic-password", pg_path=self.cluster.datadir,
            pg_port=self.cluster.port, pg_socket=str(self.cluster.socket_dir), pg_user="coop_backup",
            log_path=str(folder / "log"),
        )
        self.timings: dict[str, float] = {}

    def env(self) -> dict[str, str]:
        """The child processes' environment: the settings that make BackupConfig.from_settings()
        equal self.config, and the scratch database."""
        c = self.config
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "coop.settings.dev",
            "DATABASE_URL": self.cluster.url("coop_app", "coop"),
            "DATABASE_OWNER_URL": self.cluster.url("coop_owner", "coop"),
            "DATABASE_ADMIN_URL": self.cluster.url(),
            "MEDIA_ROOT": str(c.media_root),
            "BACKUP_STANZA": c.stanza, "PGBACKREST_CONFIG": str(c.config_path), "BACKUP_REPO_TYPE": c.repo_type,
            "BACKUP_REPO_PATH": c.repo_path, "BACKUP_RETENTION_FULL": str(c.retention_full),
            "BACKUP_PG_PATH": str(c.pg_path), "BACKUP_PG_PORT": str(c.pg_port), "BACKUP_PG_SOCKET": c.pg_socket,
            "BACKUP_PG_USER": c.pg_user, "BACKUP_LOG_PATH": c.log_path,
            "RESTIC_REPOSITORY": c.restic_repository, "RESTIC_PASSWORD_FILE": str(c.restic_password_file),
        }

    def timed(self, step: str, function, *args, **kwargs):
        started = time.monotonic()
        result = function(*args, **kwargs)
        self.timings[step] = round(self.timings.get(step, 0) + time.monotonic() - started, 2)
        return result

    def child(self, *command: str) -> str:
        done = subprocess.run([sys.executable, *command], cwd=ROOT, env=self.env(), capture_output=True,
                              text=True, timeout=120)
        assert done.returncode == 0, f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}"
        return done.stdout

    def psql_file(self, path: str, **variables: str) -> None:
        options = [f"--variable={name}={value}" for name, value in variables.items()]
        subprocess.run(["psql", "-X", "-q", self.cluster.url(), *options, "-f", str(ROOT / path)],
                       check=True, capture_output=True, text=True)

    def connect(self, user: str = "coop_owner", **kwargs) -> psycopg.Connection:
        return self.cluster.connect(user, "coop", **kwargs)


@pytest.fixture
def drill(monkeypatch):
    folder = scratch_folder("coop-drill-")
    monkeypatch.setenv("RESTIC_CACHE_DIR", str(folder / "restic-cache"))
    drill = Drill(folder)
    yield drill
    drill.cluster.stop("immediate")
    if not os.environ.get("KEEP_DRILL"):  # KEEP_DRILL=1 keeps the folder, with pgBackRest's logs, to look at
        shutil.rmtree(folder, ignore_errors=True)


def books(drill: Drill) -> dict:
    """What must come back: every account's balance (kept by trigger) and the sum of its legs, the
    trial balance's totals, and the rows of every table."""
    with drill.connect() as conn:
        accounts = {code: {"type": kind, "balance": balance, "legs": legs} for code, kind, balance, legs in conn.execute(
            "SELECT a.code, a.type, a.balance, COALESCE(sum(l.amount), 0) FROM ledger_account a "
            "LEFT JOIN ledger_leg l ON l.account_id = a.id GROUP BY a.id ORDER BY a.code")}
        debits, credits = conn.execute(
            "SELECT COALESCE(sum(amount) FILTER (WHERE amount > 0), 0), COALESCE(-sum(amount) FILTER (WHERE amount < 0), 0) "
            "FROM ledger_leg").fetchone()
        tables = [name for (name,) in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")]
        rows = {name: conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(name))).fetchone()[0]
                for name in tables}
    return {"accounts": accounts, "trial_balance": {"debits": debits, "credits": credits}, "rows": rows}


def write_media(root: Path, name: str, size: int) -> None:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(hashlib.shake_256(name.encode()).digest(size))


def archive_now(drill: Drill, timeout: float = 30) -> None:
    """Closes the current WAL segment and waits until the server has archived it."""
    with drill.cluster.connect(autocommit=True) as conn:
        segment = conn.execute("SELECT pg_walfile_name(pg_switch_wal())").fetchone()[0]
        deadline = time.monotonic() + timeout
        while (conn.execute("SELECT coalesce(last_archived_wal, '') FROM pg_stat_archiver").fetchone()[0][:24]
               < segment):
            assert time.monotonic() < deadline, f"WAL segment {segment} was not archived in {timeout} s"
            time.sleep(0.1)


def lsn(text: str) -> int:
    high, low = text.split("/")
    return (int(high, 16) << 32) + int(low, 16)


def archive_lag(drill: Drill) -> dict:
    """At the moment of the loss: how much committed work had not reached the WAL archive."""
    with drill.cluster.connect("postgres", "coop") as conn:
        now, archived_at, archived_wal, current, segment_size, last_commit, lost = conn.execute(
            "SELECT now(), last_archived_time, last_archived_wal, pg_current_wal_lsn()::text, "
            "(SELECT setting::bigint FROM pg_settings WHERE name = 'wal_segment_size'), (SELECT max(posted_at) FROM ledger_transaction), "
            "(SELECT count(*) FROM ledger_transaction WHERE posted_at > last_archived_time) FROM pg_stat_archiver"
        ).fetchone()
    assert len(archived_wal) == 24, f"the last archived file is {archived_wal}, not a WAL segment"
    archived_end = ((int(archived_wal[8:16], 16) << 32) + (int(archived_wal[16:24], 16) + 1) * segment_size)
    return {
        "rpo_seconds": round(max(0.0, (last_commit - archived_at).total_seconds()), 3),
        "wal_not_archived_bytes": lsn(current) - archived_end,
        "transactions_not_archived": lost,
        "seconds_since_last_archived_wal": round((now - archived_at).total_seconds(), 3),
        "archive_timeout_seconds": backup.ARCHIVE_TIMEOUT_SECONDS,
    }


def post_by_hand(drill: Drill, memo: str) -> None:
    """A balanced transaction in plain SQL, as the runtime role (what the triggers accept)."""
    with drill.connect("coop_app") as conn, conn.transaction():
        coop, user = conn.execute("SELECT c.id, u.id FROM coop_cooperative c, coop_user u "
                                  "WHERE c.short_name = 'DRILL' AND u.username = 'drill.contador'").fetchone()
        bank, fund = (conn.execute("SELECT id FROM ledger_account WHERE cooperative_id = %s AND code = %s",
                                   [coop, code]).fetchone()[0] for code in ("1000", "3000"))
        tx, date = conn.execute("INSERT INTO ledger_transaction (cooperative_id, date, memo, source, posted_by_id) "
                                "VALUES (%s, current_date, %s, '', %s) RETURNING id, date", [coop, memo, user]).fetchone()
        for account, amount in ((bank, Decimal("12.34")), (fund, Decimal("-12.34"))):
            conn.execute("INSERT INTO ledger_leg (cooperative_id, transaction_id, account_id, amount, date) "
                         "VALUES (%s, %s, %s, %s, %s)", [coop, tx, account, amount, date])


def test_the_books_come_back_as_they_were_at_the_chosen_moment(drill):
    started = time.monotonic()
    cluster, config, media = drill.cluster, drill.config, drill.config.media_root

    # pgBackRest's file first: the server's archive_command reads it from its first segment on.
    backup.config_write(config)
    drill.timed("initdb", cluster.initdb, **{k: conf_literal(v) for k, v in backup.archive_settings(config).items()})
    drill.timed("initdb", cluster.start)
    drill.psql_file("ops/sql/roles.sql", database="coop", owner="coop_owner", owner_password="",
                    owner_createdb="NOCREATEDB", runtime="coop_app", runtime_password="")
    drill.psql_file("ops/sql/backup_role.sql", backup="coop_backup")
    drill.timed("migrate", drill.child, "manage.py", "migrate", "--noinput", "-v", "0")

    drill.timed("postings", drill.child, "-m", "tests.ops.drill_books", "open", "post:A:30")
    for name, size in (("medfund/2026/claim-0001.pdf", 300_000), ("reports/2026/12/trial-balance.pdf", 40_000),
                       ("shipments/2026/bill-of-lading-0042.pdf", 80_000)):
        write_media(media, name, size)
    media_at_full = backup.media_manifest(media)
    drill.timed("backup full", drill.child, "manage.py", "backup", "--type", "full")
    drill.timed("postings", drill.child, "-m", "tests.ops.drill_books", "post:B:20")
    write_media(media, "medfund/2026/claim-0002.jpg", 120_000)
    drill.timed("backup incr", drill.child, "manage.py", "backup", "--type", "incr")
    drill.timed("postings", drill.child, "-m", "tests.ops.drill_books", "post:C:10")

    with drill.connect() as conn:
        moment = conn.execute("SELECT clock_timestamp()").fetchone()[0]
    at_moment, media_at_moment = books(drill), backup.media_manifest(media)

    drill.timed("postings", drill.child, "-m", "tests.ops.drill_books", "post:D:10")
    write_media(media, "medfund/2026/claim-0003.png", 50_000)
    archive_now(drill)
    post_by_hand(drill, "Lost with the server: committed after the last archived WAL")
    lag = archive_lag(drill)
    assert (lag["transactions_not_archived"], lag["wal_not_archived_bytes"] > 0) == (1, True)
    assert books(drill)["rows"]["ledger_transaction"] == at_moment["rows"]["ledger_transaction"] + 11
    cluster.wipe()
    assert not cluster.datadir.exists()

    report = drill.timed("restore", backup.restore, config, backup.Target(time=moment), cluster)

    full, incr = backup.backups(config)
    assert (full.kind, incr.kind) == ("full", "incr")
    assert report.backup == incr, "the restore starts from the last backup finished before the moment"
    assert report.server_started
    after = books(drill)
    assert after["trial_balance"] == at_moment["trial_balance"]
    assert after["trial_balance"]["debits"] == after["trial_balance"]["credits"] > 0
    assert after["accounts"] == at_moment["accounts"]
    assert all(account["balance"] == (account["legs"] if account["type"] in ("asset", "expense") else -account["legs"])
               for account in after["accounts"].values())
    assert after["rows"] == at_moment["rows"]
    assert after["rows"]["ledger_transaction"] == 30 + 20 + 10
    assert backup.media_manifest(media) == media_at_moment == (media / backup.MANIFEST_NAME).read_text()
    assert report.media_files == 4
    assert (report.media_set_aside / "medfund/2026/claim-0003.png").exists(), "what came after T is set aside"
    with drill.connect() as conn:
        recorded = conn.execute("SELECT label, kind, media_manifest_sha256 FROM ops_backuprun ORDER BY finished_at").fetchall()
    assert recorded == [(full.label, "full", hashlib.sha256(media_at_full.encode()).hexdigest()),
                        (incr.label, "incr", hashlib.sha256(media_at_moment.encode()).hexdigest())]

    with drill.connect("coop_app") as conn:
        for statement, refusal in ATTACKS.items():
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match=refusal), conn.transaction():
                conn.execute(statement)
        with pytest.raises(psycopg.errors.CheckViolation, match="unbalanced"), conn.transaction():
            tx = conn.execute("INSERT INTO ledger_transaction (cooperative_id, date, memo, source) "
                              "SELECT id, current_date, 'attack', '' FROM coop_cooperative RETURNING id, cooperative_id, date").fetchone()
            conn.execute("INSERT INTO ledger_leg (cooperative_id, transaction_id, account_id, amount, date) "
                         "SELECT %s, %s, id, CASE code WHEN '1000' THEN 1.00 ELSE -0.99 END, %s FROM ledger_account "
                         "WHERE code IN ('1000', '3000')", [tx[1], tx[0], tx[2]])
    assert books(drill) == at_moment, "the refused attacks changed nothing"
    post_by_hand(drill, "After the restore: the books take postings again")
    assert books(drill)["rows"]["ledger_leg"] == at_moment["rows"]["ledger_leg"] + 2

    measured = {
        "rto_seconds": round(report.database_seconds, 2),
        "media_restore_seconds": round(report.media_seconds, 2),
        **lag,
        "restored_to": moment.isoformat(),
        "restored_from_backup": report.backup.label,
        "transactions_at_moment": at_moment["rows"]["ledger_transaction"],
        "timings_seconds": drill.timings,
        "drill_seconds": round(time.monotonic() - started, 1),
    }
    settings.TEST_ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    (settings.TEST_ARTIFACTS_DIR / "restore-drill.json").write_text(json.dumps(measured, indent=2) + "\n")
    print(f"\nRestore drill: RTO {measured['rto_seconds']} s (restore start to the restored database answering, "
          f"promoted); media {measured['media_restore_seconds']} s.")
    print(f"Restore drill: RPO {lag['rpo_seconds']} s of commits ({lag['transactions_not_archived']} transaction(s), "
          f"{lag['wal_not_archived_bytes']} bytes of WAL) not yet archived at the loss; archive_timeout bounds it "
          f"to {lag['archive_timeout_seconds']} s.")
    print(f"Restore drill: steps {drill.timings}; {measured['drill_seconds']} s in all.")
