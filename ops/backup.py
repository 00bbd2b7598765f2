"""Backups of the books and of the files beside them, and restores to a point in time.

The database (pgBackRest): PostgreSQL hands every finished WAL segment to ``pgbackrest
archive-push`` (``archive_command``), at least once a minute while anything is written
(``archive_timeout``), so a lost server loses at most about a minute of postings.
``database_backup`` copies the data directory, whole (full) or what changed since the last
backup (incremental) or the last full one (differential). A restore takes the last backup that
finished before the target and replays the archived WAL up to the target.

The files (restic): MEDIA_ROOT (claim documents, receipts, reports) is snapshotted after each
database backup, tagged with the backup's label, with a manifest (``MANIFEST_NAME``: one
``sha256  path`` line per file, sorted by path, as ``sha256sum -c`` reads it) that the restore
checks before it puts the files in place.

Nothing here uses Django's database connection: ``bin/restore`` runs it while the database is
down. ``BackupConfig.from_settings`` reads the settings; the restore drill builds its own.
"""

import configparser
import dataclasses
import datetime
import grp
import hashlib
import json
import os
import pwd
import re
import secrets
import shutil
import subprocess
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Protocol

import psycopg
from psycopg import sql

PGBACKREST_DEFAULT_CONFIG = Path("/etc/pgbackrest/pgbackrest.conf")
CONFIG_HEADER = "# Written by Coop (ops/backup.py) from its settings; changes made here are overwritten.\n"
ARCHIVE_TIMEOUT_SECONDS = 60
KINDS = ("full", "diff", "incr")
S3_OPTIONS = ("bucket", "endpoint", "region", "key", "key-secret", "uri-style")
S3_REQUIRED = ("bucket", "endpoint", "region", "key", "key-secret")
MANIFEST_NAME = ".coop-media-manifest.sha256"
# Folders a media restore works in, inside MEDIA_ROOT (a rename there never crosses a device);
# neither manifests nor snapshots include them.
RESTORE_PREFIX = ".coop-restore-"
# One host name for every machine and container that backs up the media, so a snapshot taken in
# one container is found from another.
RESTIC_HOST = "coop"
OUTPUT_LINES_IN_ERRORS = 25


class BackupError(Exception):
    """A backup or restore step failed; the message says which one and what to do about it."""


@dataclasses.dataclass(frozen=True)
class BackupConfig:
    stanza: str
    config_path: Path  # pgBackRest's configuration file, written by config_write()
    repo_path: str  # a folder (posix) or the path inside the bucket (s3)
    retention_full: int  # full backups kept; older ones and their WAL are expired
    media_root: Path
    restic_repository: str
    restic_password_file: Path
    pg_path: Path | None = None  # the data directory; asked from the server when None
    pg_port: int | None = None
    pg_socket: str | None = None  # the folder of the server's Unix socket
    pg_user: str = "postgres"  # the role pgBackRest connects as (superuser, or ops/sql/backup_role.sql)
    log_path: str = "/var/log/pgbackrest"
    repo_type: str = "posix"
    s3: Mapping[str, str] = dataclasses.field(default_factory=dict)  # S3_OPTIONS without "repo1-s3-"
    cipher_pass: str = ""  # encrypts the pgBackRest repository when set (fixed at stanza-create)

    @classmethod
    def from_settings(cls, settings=None) -> "BackupConfig":
        if settings is None:
            from django.conf import settings
        s3 = {option: value for option in S3_OPTIONS
              if (value := getattr(settings, "BACKUP_S3_" + option.upper().replace("-", "_"), ""))}
        return cls(
            stanza=settings.BACKUP_STANZA,
            config_path=Path(settings.PGBACKREST_CONFIG),
            repo_path=settings.BACKUP_REPO_PATH,
            retention_full=settings.BACKUP_RETENTION_FULL,
            media_root=Path(settings.MEDIA_ROOT),
            restic_repository=settings.RESTIC_REPOSITORY,
            restic_password_file=Path(settings.RESTIC_PASSWORD_FILE),
            pg_path=Path(settings.BACKUP_PG_PATH) if settings.BACKUP_PG_PATH else None,
            pg_port=settings.BACKUP_PG_PORT or None,
            pg_socket=settings.BACKUP_PG_SOCKET or None,
            pg_user=settings.BACKUP_PG_USER,
            log_path=settings.BACKUP_LOG_PATH,
            repo_type=settings.BACKUP_REPO_TYPE,
            s3=s3,
            cipher_pass=settings.BACKUP_REPO_CIPHER_PASS,
        )

    @property
    def server_known(self) -> bool:
        return None not in (self.pg_path, self.pg_port, self.pg_socket)


@dataclasses.dataclass(frozen=True)
class BackupSet:
    """One backup in the pgBackRest repository."""

    label: str
    kind: str
    started_at: datetime.datetime
    finished_at: datetime.datetime
    database_bytes: int
    repository_bytes: int


@dataclasses.dataclass(frozen=True)
class MediaSnapshot:
    id: str
    files: int
    manifest_sha256: str


@dataclasses.dataclass(frozen=True)
class Target:
    """What to restore: a moment (``time``), one backup as it was (``label``), or, with neither,
    everything the archive holds."""

    time: datetime.datetime | None = None
    label: str | None = None

    def __post_init__(self):
        if self.time and self.label:
            raise BackupError("Restore either to a time or to a backup label, not both.")
        if self.time and self.time.tzinfo is None:
            raise BackupError("Give the restore time with its time zone, e.g. '2026-12-04 10:00:00+00' or '-05'.")

    def __str__(self):
        return f"time {self.time.isoformat(sep=' ')}" if self.time else (
            f"backup {self.label} as it was" if self.label else "the end of the archive")


@dataclasses.dataclass(frozen=True)
class RestoreReport:
    backup: BackupSet
    target: Target
    database_seconds: float  # from the start of the restore until the database answered, promoted
    media_seconds: float
    media_files: int
    server_started: bool  # False when something else starts the server (docker compose)
    media_set_aside: Path | None  # what was in MEDIA_ROOT before, when anything was


# --- running pgBackRest, restic and psql ----------------------------------------------------------


def _run(command: list[str], what: str, **kwargs) -> str:
    try:
        done = subprocess.run(command, capture_output=True, text=True, **kwargs)
    except FileNotFoundError as error:
        raise BackupError(f"{what}: {error.filename} is not installed (Debian: apt-get install pgbackrest restic).") from error
    if done.returncode != 0:
        output = "\n".join((done.stdout + done.stderr).strip().splitlines()[-OUTPUT_LINES_IN_ERRORS:])
        raise BackupError(f"{what} failed (exit {done.returncode}):\n{output}")
    return done.stdout


def data_owner(config: BackupConfig) -> str:
    """The system user that runs PostgreSQL: the owner of the data directory (or, while it is
    missing before a restore, of the nearest folder above it)."""
    path = config.pg_path
    while not path.exists():
        path = path.parent
    owner = pwd.getpwuid(path.stat().st_uid).pw_name
    if owner == "root":
        raise BackupError(f"{config.pg_path} belongs to root, not to the user that runs PostgreSQL; create it "
                          "as that user (usually postgres), with mode 0700.")
    return owner


def _as_data_owner(config: BackupConfig, command: list[str]) -> list[str]:
    """pgBackRest must run as the user that owns the data directory; root becomes it."""
    owner = data_owner(config)
    if os.geteuid() == 0:
        return ["runuser", "-u", owner, "--", *command]
    if pwd.getpwuid(os.geteuid()).pw_name != owner:
        raise BackupError(f"Run this as root or as {owner}, who owns {config.pg_path}.")
    return command


def _make_folder(path: Path, owner: str, mode: int) -> None:
    path.mkdir(parents=True)
    path.chmod(mode)
    if os.geteuid() == 0:
        shutil.chown(path, owner, pwd.getpwnam(owner).pw_gid)


def _write_private(path: Path, text: str, mode: int) -> None:
    """Written with its mode from the start: it holds a secret."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(descriptor, "w") as file:
        file.write(text)
    path.chmod(mode)  # an older file keeps its mode through os.open


def pgbackrest(config: BackupConfig, command: str, *options: str) -> str:
    return _run(_as_data_owner(config, ["pgbackrest", f"--config={config.config_path}",
                                        f"--stanza={config.stanza}", *options, command]),
                f"pgbackrest {command}")


def _restic_password_options(config: BackupConfig) -> list[str]:
    if os.environ.get("RESTIC_PASSWORD"):
        return []
    path = config.restic_password_file
    if not path.exists():
        # Made once, on the first media backup: restic encrypts everything with it.
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        _write_private(path, secrets.token_urlsafe(32) + "\n", 0o600)
        print(f"Made the media backups' password in {path}. Keep a copy somewhere else (a password manager, "
              "a sealed envelope): without it the media backups cannot be read.")
    return [f"--password-file={path}"]


def restic(config: BackupConfig, *arguments: str, cwd: Path | None = None) -> str:
    return _run(["restic", f"--repo={config.restic_repository}", *_restic_password_options(config), *arguments],
                f"restic {arguments[0]}", cwd=cwd)


def restic_ensure(config: BackupConfig) -> bool:
    """Creates the restic repository when there is none; True when it did."""
    try:
        restic(config, "cat", "config")
        return False
    except BackupError as error:
        if "Is there a repository" not in str(error):
            raise
    restic(config, "init")
    return True


def _psql(config: BackupConfig, query: str) -> subprocess.CompletedProcess:
    """A query over the server's socket, as the system user that runs it (peer or trust auth)."""
    return subprocess.run(
        _as_data_owner(config, ["psql", "-X", "-At", "-h", config.pg_socket, "-p", str(config.pg_port),
                                "-d", "postgres", "-c", query]),
        capture_output=True, text=True,
    )


# --- PostgreSQL: archiving and the server's whereabouts --------------------------------------------


def archive_command(config: BackupConfig) -> str:
    config_option = "" if config.config_path == PGBACKREST_DEFAULT_CONFIG else f" --config={config.config_path}"
    return f"pgbackrest{config_option} --stanza={config.stanza} archive-push %p"


def archive_settings(config: BackupConfig) -> dict[str, str]:
    """The server settings archiving needs (values as SHOW gives them, unquoted)."""
    return {
        "wal_level": "replica",
        "archive_mode": "on",
        "archive_command": archive_command(config),
        "archive_timeout": str(ARCHIVE_TIMEOUT_SECONDS),  # seconds: the most WAL a loss can take
    }


# Settings good enough as they are: logical WAL holds all replica WAL holds; "always" archives too.
_ALSO_FINE = {"wal_level": {"logical"}, "archive_mode": {"always"}}
_NEED_RESTART = {"wal_level", "archive_mode"}


def server_settings(admin_url: str) -> dict[str, str]:
    names = ["data_directory", "port", "unix_socket_directories", "wal_level", "archive_mode", "archive_command",
             "archive_timeout"]
    try:
        with psycopg.connect(admin_url, connect_timeout=5) as conn:
            return dict(conn.execute("SELECT name, setting FROM pg_settings WHERE name = ANY(%s)", [names]).fetchall())
    except psycopg.Error as error:
        raise BackupError(f"Cannot ask PostgreSQL where its data is ({admin_url}): {error}. "
                          "Set DATABASE_ADMIN_URL to a superuser's URL, or BACKUP_PG_PATH, BACKUP_PG_PORT "
                          "and BACKUP_PG_SOCKET.") from error


def with_server(config: BackupConfig, admin_url: str | None) -> BackupConfig:
    """The config with the data directory, port and socket folder filled in: from the settings,
    else from the running server (admin_url), else from the pgBackRest file written last time,
    else from the machine's one Debian cluster."""
    if config.server_known:
        return config
    found = {}
    if admin_url:
        facts = server_settings(admin_url)
        found = {"pg_path": Path(facts["data_directory"]), "pg_port": int(facts["port"]),
                 "pg_socket": facts["unix_socket_directories"].split(",")[0].strip()}
    elif config.config_path.exists():
        written = configparser.ConfigParser(interpolation=None, strict=False)
        written.read(config.config_path)
        section = written[config.stanza] if written.has_section(config.stanza) else {}
        found = {"pg_path": Path(section["pg1-path"]) if "pg1-path" in section else None,
                 "pg_port": int(section["pg1-port"]) if "pg1-port" in section else None,
                 "pg_socket": section.get("pg1-socket-path")}
    elif len(clusters := DebianCluster.all()) == 1:  # a new Debian machine, its one cluster
        _cluster, port, datadir = clusters[0]
        found = {"pg_path": datadir, "pg_port": port}
    config = dataclasses.replace(config, **{key: getattr(config, key) or value for key, value in found.items()})
    if config.pg_path is None:
        raise BackupError("Where is PostgreSQL's data directory? Set BACKUP_PG_PATH (e.g. "
                          "/var/lib/postgresql/15/main), or DATABASE_ADMIN_URL so that it can be asked.")
    return dataclasses.replace(config, pg_port=config.pg_port or 5432, pg_socket=config.pg_socket or "/var/run/postgresql")


def archiving_ensure(config: BackupConfig, admin_url: str) -> tuple[list[str], "DebianCluster | None"]:
    """Turns WAL archiving on where it is off (ALTER SYSTEM as a superuser), reloads, and restarts
    a Debian cluster when archive_mode or wal_level changed. Returns what it changed and the
    cluster it restarted."""
    current = server_settings(admin_url)
    command = current["archive_command"]
    if command not in ("", "(disabled)") and not command.startswith("pgbackrest "):
        raise BackupError(f"PostgreSQL already archives its WAL with another program ({command!r}). Coop's backups "
                          f"need archive_command = '{archive_command(config)}'; change it yourself if that is right.")
    changed = [name for name, value in archive_settings(config).items()
               if current[name] != value and current[name] not in _ALSO_FINE.get(name, ())]
    if not changed:
        return [], None
    with psycopg.connect(admin_url, autocommit=True) as conn:
        for name in changed:
            # ALTER SYSTEM takes no bind parameters: the value is quoted as a literal by psycopg.
            conn.execute(sql.SQL("ALTER SYSTEM SET {} = {}").format(
                sql.Identifier(name), sql.Literal(archive_settings(config)[name])))
        conn.execute("SELECT pg_reload_conf()")
    if not _NEED_RESTART & set(changed):
        return changed, None
    cluster = DebianCluster.for_data_directory(Path(current["data_directory"]))
    if cluster is None:
        raise BackupError(f"Archiving is now set ({', '.join(changed)}), but PostgreSQL must restart to "
                          "apply archive_mode and wal_level: restart it, then run the backup again.")
    cluster.restart()
    return changed, cluster


class ServerControl(Protocol):
    """Stops and starts the PostgreSQL server whose data directory a restore replaces."""

    def stop(self) -> None: ...

    def start(self) -> object: ...


@dataclasses.dataclass(frozen=True)
class DebianCluster:
    """A cluster of Debian's postgresql-common (pg_ctlcluster 15 main ...)."""

    version: str
    name: str

    @classmethod
    def all(cls) -> list[tuple["DebianCluster", int, Path]]:
        """Every cluster of this machine, with its port and data directory."""
        if not shutil.which("pg_lsclusters"):
            return []
        found = []
        for line in _run(["pg_lsclusters", "--no-header"], "pg_lsclusters").splitlines():
            version, name, port, _status, _owner, datadir, *_log = line.split()
            found.append((cls(version, name), int(port), Path(datadir)))
        return found

    @classmethod
    def for_data_directory(cls, path: Path) -> "DebianCluster | None":
        return next((cluster for cluster, _port, datadir in cls.all() if datadir == path), None)

    def _ctl(self, action: str) -> None:
        _run(["pg_ctlcluster", self.version, self.name, action], f"pg_ctlcluster {self.version} {self.name} {action}")

    def running(self) -> bool:
        return subprocess.run(["pg_ctlcluster", self.version, self.name, "status"], capture_output=True).returncode == 0

    def stop(self) -> None:
        if self.running():
            self._ctl("stop")

    def start(self) -> None:
        self._ctl("start")

    def restart(self) -> None:
        self._ctl("restart")


@dataclasses.dataclass(frozen=True)
class ExternalServer:
    """A server something else stops and starts (docker compose): the restore only checks that it
    is stopped and leaves starting it to whoever runs the restore."""

    pg_path: Path

    def stop(self) -> None:
        if (self.pg_path / "postmaster.pid").exists():
            raise BackupError(f"PostgreSQL is running on {self.pg_path}: stop it first "
                              "(docker compose stop web worker beat backup postgres).")

    def start(self) -> None:
        return None


def server_control(config: BackupConfig) -> ServerControl:
    return DebianCluster.for_data_directory(config.pg_path) or ExternalServer(config.pg_path)


# --- the pgBackRest repository ---------------------------------------------------------------------


def config_text(config: BackupConfig) -> str:
    repo = [f"repo1-type={config.repo_type}", f"repo1-path={config.repo_path}",
            f"repo1-retention-full={config.retention_full}"]
    if config.repo_type == "s3":
        missing = [option for option in S3_REQUIRED if not config.s3.get(option)]
        if missing:
            raise BackupError("An S3 repository needs " + ", ".join(
                "BACKUP_S3_" + option.upper().replace("-", "_") for option in missing) + ".")
        repo += [f"repo1-s3-{option}={config.s3[option]}" for option in S3_OPTIONS if config.s3.get(option)]
    elif config.repo_type != "posix":
        raise BackupError(f"BACKUP_REPO_TYPE is {config.repo_type!r}: use posix (a folder) or s3.")
    if config.cipher_pass:
        repo += ["repo1-cipher-type=aes-256-cbc", f"repo1-cipher-pass={config.cipher_pass}"]
    lines = [
        "[global]", *repo,
        f"log-path={config.log_path}",
        # The server's log gets archive-push's warnings only; the commands here ask for more.
        "log-level-console=warn",
        # Checkpoint at once rather than wait up to checkpoint_timeout for the backup to begin.
        "start-fast=y",
        "compress-type=zst",
        # Half the cores: the co-op keeps working while it runs.
        f"process-max={max(1, (os.cpu_count() or 2) // 2)}",
        "",
        f"[{config.stanza}]",
        f"pg1-path={config.pg_path}",
        f"pg1-port={config.pg_port}",
        f"pg1-socket-path={config.pg_socket}",
        f"pg1-user={config.pg_user}",
    ]
    return CONFIG_HEADER + "\n".join(lines) + "\n"


def config_write(config: BackupConfig) -> None:
    """Writes pgBackRest's file (read by archive-push in the server too), readable by the data
    directory's owner, and makes the repository and log folders it writes to."""
    path = config.config_path
    if path.exists() and not path.read_text().startswith(CONFIG_HEADER):
        raise BackupError(f"{path} was not written by Coop. Set PGBACKREST_CONFIG to another file "
                          "(e.g. /etc/pgbackrest/coop.conf) or move this one away.")
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written aside and renamed: archive-push may read it at any moment.
    partial = path.with_name(path.name + ".partial")
    _write_private(partial, config_text(config), 0o640)  # it may hold the S3 secret and the cipher passphrase
    if os.geteuid() == 0:
        shutil.chown(partial, "root", grp.getgrgid(pwd.getpwnam(data_owner(config)).pw_gid).gr_name)
    partial.replace(path)
    folders = [Path(config.log_path)] + ([Path(config.repo_path)] if config.repo_type == "posix" else [])
    for folder in folders:
        if not folder.exists():
            _make_folder(folder, data_owner(config), 0o750)


def info(config: BackupConfig) -> dict:
    return json.loads(pgbackrest(config, "info", "--output=json"))[0]


def stanza_ensure(config: BackupConfig) -> bool:
    """Creates the stanza (the repository's record of this cluster) when missing; True if it did."""
    # pgBackRest's status codes: 1 missing stanza path, 3 missing stanza data.
    if info(config)["status"]["code"] not in (1, 3):
        return False
    pgbackrest(config, "stanza-create", "--log-level-console=info")
    return True


def _moment(epoch: int) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(epoch, tz=datetime.UTC)


def backups(config: BackupConfig) -> list[BackupSet]:
    """The backups in the repository, oldest first."""
    return sorted(
        (BackupSet(label=b["label"], kind=b["type"], started_at=_moment(b["timestamp"]["start"]),
                   finished_at=_moment(b["timestamp"]["stop"]), database_bytes=b["info"]["size"],
                   repository_bytes=b["info"]["repository"]["delta"])
         for b in info(config).get("backup", [])),
        key=lambda b: b.finished_at,
    )


def kind_due(sets: list[BackupSet], *, now: datetime.datetime, full_every: datetime.timedelta) -> str:
    """Full when there is none or the last one is older than ``full_every``; else incremental."""
    fulls = [b for b in sets if b.kind == "full"]
    return "full" if not fulls or now - fulls[-1].started_at >= full_every else "incr"


def database_backup(config: BackupConfig, kind: str) -> BackupSet:
    if kind not in KINDS:
        raise BackupError(f"A backup is full, diff or incr, not {kind!r}.")
    before = {b.label for b in backups(config)}
    pgbackrest(config, "backup", f"--type={kind}", "--log-level-console=info")
    new = [b for b in backups(config) if b.label not in before]
    if not new:
        raise BackupError("pgbackrest backup ended without a new backup in the repository; see "
                          f"{config.log_path}/{config.stanza}-backup.log")
    return new[-1]


def check(config: BackupConfig) -> list[str]:
    """Checks that WAL reaches the repository now and that every backup and WAL file there reads
    back whole; then that the media repository's data is whole. Returns what was checked."""
    pgbackrest(config, "check")
    pgbackrest(config, "verify")
    restic(config, "check", "--read-data-subset=1/10")
    return ["WAL archiving works (a segment was switched and reached the repository)",
            "every database backup and archived WAL file in the repository reads back with its checksum",
            "the media repository's structure, and a tenth of its data, read back whole (restic check)"]


# --- media ----------------------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while block := file.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def media_manifest(root: Path) -> str:
    """One ``sha256  path`` line per file under ``root``, sorted by path (the manifest itself and
    the restore's work folders left out)."""
    entries = []
    for folder, subfolders, files in os.walk(root):
        relative = Path(folder).relative_to(root)
        if relative == Path("."):
            subfolders[:] = [name for name in subfolders if not name.startswith(RESTORE_PREFIX)]
            files = [name for name in files if name != MANIFEST_NAME and not name.startswith(RESTORE_PREFIX)]
        for name in files:
            path = Path(folder, name)
            if path.is_file() and not path.is_symlink():
                entries.append(((relative / name).as_posix(), _sha256(path)))
    return "".join(f"{digest}  {name}\n" for name, digest in sorted(entries))


def media_backup(config: BackupConfig, label: str) -> MediaSnapshot:
    """Snapshots MEDIA_ROOT with its manifest, tagged with the database backup's label."""
    root = config.media_root.resolve()
    if not root.is_dir():
        raise BackupError(f"MEDIA_ROOT {root} is not a folder: set MEDIA_ROOT to where the uploaded files are.")
    manifest = media_manifest(root)
    (root / MANIFEST_NAME).write_text(manifest)
    restic_ensure(config)
    # "." from inside MEDIA_ROOT: the snapshot holds the files at its top, wherever MEDIA_ROOT is.
    restic(config, "backup", "--json", f"--host={RESTIC_HOST}", f"--tag={label}",
           f"--exclude={root}/{RESTORE_PREFIX}*", ".", cwd=root)
    return MediaSnapshot(id=media_snapshot_id(config, label), files=manifest.count("\n"),
                         manifest_sha256=hashlib.sha256(manifest.encode()).hexdigest())


def media_snapshot_id(config: BackupConfig, label: str) -> str:
    found = json.loads(restic(config, "snapshots", "--json", f"--tag={label}") or "[]")
    if not found:
        raise BackupError(f"No media snapshot is tagged {label}: the media backup of that database backup "
                          "failed or was removed. `restic snapshots` lists the ones there are.")
    return max(found, key=lambda snapshot: snapshot["time"])["id"]


def media_expire(config: BackupConfig, labels: set[str]) -> int:
    """Forgets the media snapshots of database backups no longer kept (pgBackRest expires them by
    BACKUP_RETENTION_FULL) and prunes their data; snapshots not tagged with a label are left alone.
    Returns how many it forgot."""
    snapshots = json.loads(restic(config, "snapshots", "--json") or "[]")
    stale = [s["id"] for s in snapshots if _labelled(tags := set(s.get("tags") or ())) and not tags & labels]
    if stale:
        restic(config, "forget", "--prune", *stale)
    return len(stale)


def _labelled(tags: set[str]) -> set[str]:
    return {tag for tag in tags if re.fullmatch(r"\d{8}-\d{6}F(_\d{8}-\d{6}[DI])?", tag)}


def media_restore(config: BackupConfig, label: str) -> tuple[int, Path | None]:
    """Puts back MEDIA_ROOT as the snapshot of ``label`` holds it, once its files match the
    manifest. What was there before is moved aside; returns the file count and where it went."""
    root = config.media_root.resolve()
    root.mkdir(parents=True, exist_ok=True)
    work = root / f"{RESTORE_PREFIX}{datetime.datetime.now(datetime.UTC):%Y%m%d-%H%M%S}"
    incoming, before = work / "incoming", work / "before"
    incoming.mkdir(parents=True)
    restic(config, "restore", media_snapshot_id(config, label), f"--target={incoming}")
    manifest = incoming / MANIFEST_NAME
    if not manifest.exists():
        raise BackupError(f"The media snapshot of {label} has no {MANIFEST_NAME}; it was not made by Coop's backup.")
    expected, restored = _entries(manifest.read_text()), _entries(media_manifest(incoming))
    # A file uploaded while the backup ran may be in the snapshot but not in the manifest: kept.
    damaged = sorted(name for name, digest in expected.items() if restored.get(name) != digest)
    if damaged:
        raise BackupError(f"{len(damaged)} media file(s) restored into {incoming} are missing or differ from the "
                          f"manifest (first: {damaged[0]}); MEDIA_ROOT was left as it was. Run "
                          "`restic check --read-data` on the media repository.")
    before.mkdir()
    for entry in root.iterdir():
        if not entry.name.startswith(RESTORE_PREFIX):
            entry.rename(before / entry.name)
    for entry in incoming.iterdir():
        entry.rename(root / entry.name)
    incoming.rmdir()
    if any(before.iterdir()):
        return len(restored), before
    before.rmdir()
    work.rmdir()
    return len(restored), None


def _entries(manifest: str) -> dict[str, str]:
    return {name: digest for digest, name in (line.split("  ", 1) for line in manifest.splitlines())}


# --- restore --------------------------------------------------------------------------------------


def backup_for(sets: list[BackupSet], target: Target) -> BackupSet:
    """The backup a restore starts from: the one named, or the last finished before the time."""
    if not sets:
        raise BackupError("The repository holds no backup yet: there is nothing to restore.")
    if target.label:
        for backup_set in sets:
            if backup_set.label == target.label:
                return backup_set
        raise BackupError(f"No backup is labelled {target.label}; there are: {', '.join(b.label for b in sets)}.")
    if target.time:
        earlier = [b for b in sets if b.finished_at <= target.time]
        if not earlier:
            raise BackupError(f"No backup finished by {target.time.isoformat(sep=' ')}; the first one finished "
                              f"at {sets[0].finished_at.isoformat(sep=' ')}.")
        return earlier[-1]
    return sets[-1]


def database_restore(config: BackupConfig, backup_set: BackupSet, target: Target) -> None:
    """pgBackRest writes the backup into the data directory (over a cluster, only the files that
    differ: --delta) and sets PostgreSQL to replay the archived WAL up to the target, then to open
    for writing."""
    if not config.pg_path.exists():
        _make_folder(config.pg_path, data_owner(config), 0o700)
    options = [f"--set={backup_set.label}", "--log-level-console=info"]
    if (config.pg_path / "PG_VERSION").exists():
        options.append("--delta")
    if target.time:
        options += ["--type=time", f"--target={target.time.isoformat(sep=' ')}", "--target-action=promote"]
    elif target.label:
        options += ["--type=immediate", "--target-action=promote"]
    pgbackrest(config, "restore", *options)


def wait_until_promoted(config: BackupConfig, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _psql(config, "SELECT pg_is_in_recovery()").stdout.strip() == "f":
            return
        if not (config.pg_path / "postmaster.pid").exists():
            raise BackupError("PostgreSQL stopped while replaying the archive; its log says why. Most often the "
                              "target lies beyond the last archived WAL: restore with --latest, or to an earlier time.")
        time.sleep(0.2)
    raise BackupError(f"PostgreSQL was still replaying the archive after {timeout:.0f} s; it goes on by itself. "
                      "Watch its log; it opens for writing when it reaches the target.")


def restore(config: BackupConfig, target: Target, server: ServerControl, *, timeout: float = 3600,
            say: Callable[[str], None] = print) -> RestoreReport:
    """Stops the server, restores the database to ``target``, starts it and waits until it has
    replayed up to the target and opened for writing; then restores the media of the backup the
    database started from."""
    config_write(config)
    backup_set = backup_for(backups(config), target)
    start = "" if target.label else f"to {target}, from "
    say(f"Restoring {start}backup {backup_set.label} (finished {backup_set.finished_at:%Y-%m-%d %H:%M:%S} UTC).")
    server.stop()
    started = time.monotonic()
    database_restore(config, backup_set, target)
    server.start()
    server_started = (config.pg_path / "postmaster.pid").exists()
    if server_started:
        say("PostgreSQL is replaying the archived WAL...")
        wait_until_promoted(config, timeout)
    database_seconds = time.monotonic() - started
    media_started = time.monotonic()
    files, set_aside = media_restore(config, backup_set.label)
    return RestoreReport(backup=backup_set, target=target, database_seconds=database_seconds,
                         media_seconds=time.monotonic() - media_started, media_files=files,
                         server_started=server_started, media_set_aside=set_aside)
