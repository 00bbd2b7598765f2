"""The parts of ops/backup.py that need no server: the media manifest, which backup a restore
starts from, when a full backup is due, and pgBackRest's file. The whole path is the restore drill."""

import datetime
import json
import subprocess
from pathlib import Path

import pytest

from ops import backup

UTC = datetime.UTC


def config(tmp_path: Path, **changes) -> backup.BackupConfig:
    return backup.BackupConfig(**{
        "stanza": "coop", "config_path": tmp_path / "pgbackrest.conf", "repo_path": "/var/lib/pgbackrest",
        "retention_full": 4, "media_root": tmp_path / "media", "restic_repository": str(tmp_path / "restic"),
        "restic_password_file": tmp_path / "password", "pg_path": tmp_path, "pg_port": 5432,
        "pg_socket": "/var/run/postgresql", **changes})


def backup_set(label: str, kind: str, finished: datetime.datetime) -> backup.BackupSet:
    return backup.BackupSet(label=label, kind=kind, started_at=finished - datetime.timedelta(minutes=5),
                            finished_at=finished, database_bytes=1, repository_bytes=1)


def test_the_manifest_lists_every_file_sorted_as_sha256sum_checks_it(tmp_path):
    media = tmp_path / "media"
    for name, content in (("reports/2026/b.pdf", b"b"), ("medfund/2026/a b.jpg", b"a"), ("z.txt", b""),
                          (backup.MANIFEST_NAME, b"old"), (f"{backup.RESTORE_PREFIX}1/before/x", b"x")):
        (media / name).parent.mkdir(parents=True, exist_ok=True)
        (media / name).write_bytes(content)

    manifest = backup.media_manifest(media)

    assert [line.split("  ", 1)[1] for line in manifest.splitlines()] == ["medfund/2026/a b.jpg", "reports/2026/b.pdf", "z.txt"]
    (media / backup.MANIFEST_NAME).write_text(manifest)
    subprocess.run(["sha256sum", "--check", "--strict", "--quiet", backup.MANIFEST_NAME], cwd=media, check=True)
    (media / "z.txt").write_bytes(b"changed")
    assert backup.media_manifest(media) != manifest


def test_a_restore_starts_from_the_last_backup_finished_before_the_moment():
    monday = datetime.datetime(2026, 11, 30, 2, tzinfo=UTC)
    sets = [backup_set("F", "full", monday), backup_set("F_I1", "incr", monday + datetime.timedelta(hours=6)),
            backup_set("F_I2", "incr", monday + datetime.timedelta(hours=12))]

    at = monday + datetime.timedelta(hours=11, minutes=59)
    assert backup.backup_for(sets, backup.Target(time=at)).label == "F_I1"
    assert backup.backup_for(sets, backup.Target(time=monday + datetime.timedelta(hours=12))).label == "F_I2"
    assert backup.backup_for(sets, backup.Target(label="F")).label == "F"
    assert backup.backup_for(sets, backup.Target()).label == "F_I2"
    with pytest.raises(backup.BackupError, match="No backup finished by"):
        backup.backup_for(sets, backup.Target(time=monday - datetime.timedelta(seconds=1)))
    with pytest.raises(backup.BackupError, match="No backup is labelled X; there are: F, F_I1, F_I2"):
        backup.backup_for(sets, backup.Target(label="X"))
    with pytest.raises(backup.BackupError, match="time zone"):
        backup.Target(time=datetime.datetime(2026, 12, 4, 10))


def test_a_full_backup_is_due_weekly_and_first():
    week = datetime.timedelta(days=7)
    monday = datetime.datetime(2026, 11, 30, 2, tzinfo=UTC)
    sets = [backup_set("F", "full", monday), backup_set("F_I", "incr", monday + datetime.timedelta(days=3))]

    assert backup.kind_due([], now=monday, full_every=week) == "full"
    assert backup.kind_due(sets, now=monday + datetime.timedelta(days=6), full_every=week) == "incr"
    assert backup.kind_due(sets, now=monday + week, full_every=week) == "full"


def test_the_pgbackrest_file_says_where_the_repository_and_the_cluster_are(tmp_path):
    text = backup.config_text(config(tmp_path, pg_user="coop_backup"))

    assert text.startswith(backup.CONFIG_HEADER)
    for line in ("repo1-type=posix", "repo1-path=/var/lib/pgbackrest", "repo1-retention-full=4", "[coop]",
                 f"pg1-path={tmp_path}", "pg1-port=5432", "pg1-socket-path=/var/run/postgresql", "pg1-user=coop_backup"):
        assert line in text.splitlines()
    assert "cipher" not in text


def test_an_s3_repository_needs_its_bucket_and_keys(tmp_path):
    with pytest.raises(backup.BackupError, match="BACKUP_S3_KEY, BACKUP_S3_KEY_SECRET"):
        backup.config_text(config(tmp_path, repo_type="s3", s3={"bucket": "b", "endpoint": "e", "region": "r"}))

    text = backup.config_text(config(tmp_path, repo_type="s3", cipher_pass="long secret", s3={
        "bucket": "coop-backups", "endpoint": "s3.example.org", "region": "eu", "key": "K", "key-secret": "S",
        "uri-style": "path"}))
    for line in ("repo1-type=s3", "repo1-s3-bucket=coop-backups", "repo1-s3-endpoint=s3.example.org",
                 "repo1-s3-region=eu", "repo1-s3-key=K", "repo1-s3-key-secret=S", "repo1-s3-uri-style=path",
                 "repo1-cipher-type=aes-256-cbc", "repo1-cipher-pass=long secret"):
        assert line in text.splitlines()


def test_a_pgbackrest_file_written_by_someone_else_is_left_alone(tmp_path):
    (tmp_path / "pgbackrest.conf").write_text("[global]\nrepo1-path=/elsewhere\n")

    with pytest.raises(backup.BackupError, match="was not written by Coop"):
        backup.config_write(config(tmp_path))
    assert (tmp_path / "pgbackrest.conf").read_text() == "[global]\nrepo1-path=/elsewhere\n"


def test_the_archive_command_names_a_config_file_only_when_it_is_not_the_default(tmp_path):
    assert backup.archive_command(config(tmp_path, config_path=backup.PGBACKREST_DEFAULT_CONFIG)) == (
        "pgbackrest --stanza=coop archive-push %p")
    assert backup.archive_command(config(tmp_path)) == (
        f"pgbackrest --config={tmp_path}/pgbackrest.conf --stanza=coop archive-push %p")


def test_media_snapshots_go_with_the_database_backups_they_belong_to(tmp_path, monkeypatch):
    monkeypatch.setenv("RESTIC_CACHE_DIR", str(tmp_path / "cache"))
    media = config(tmp_path)
    (tmp_path / "media" / "medfund").mkdir(parents=True)
    (tmp_path / "media" / "medfund" / "claim.pdf").write_bytes(b"%PDF claim")
    old, kept = "20261101-020000F", "20261129-020000F_20261130-080000I"
    for label in (old, kept):
        backup.media_backup(media, label)
    backup.restic(media, "backup", "--tag=by-hand", ".", cwd=tmp_path / "media")

    assert backup.media_expire(media, {kept}) == 1

    tags = [s["tags"] for s in json.loads(backup.restic(media, "snapshots", "--json"))]
    assert sorted(tags) == [[kept], ["by-hand"]]
    assert backup.media_expire(media, {kept}) == 0


def test_media_that_do_not_match_their_manifest_are_not_put_in_place(tmp_path, monkeypatch):
    monkeypatch.setenv("RESTIC_CACHE_DIR", str(tmp_path / "cache"))
    media = config(tmp_path)
    root = tmp_path / "media"
    (root / "medfund").mkdir(parents=True)
    (root / "medfund" / "claim.pdf").write_bytes(b"%PDF claim")
    manifest = backup.media_manifest(root)
    # Uploaded while the backup ran: in the snapshot, not in the manifest.
    (root / "medfund" / "late.pdf").write_bytes(b"%PDF late")
    (root / backup.MANIFEST_NAME).write_text(manifest)
    backup.restic_ensure(media)
    backup.restic(media, "backup", "--tag=20261201-020000F", ".", cwd=root)
    (root / backup.MANIFEST_NAME).write_text(manifest.replace(manifest[:8], "00000000"))
    backup.restic(media, "backup", "--tag=20261202-020000F", ".", cwd=root)
    (root / "medfund" / "today.pdf").write_bytes(b"%PDF today")

    with pytest.raises(backup.BackupError, match=r"1 media file\(s\) .* differ from the manifest \(first: medfund/claim.pdf\)"):
        backup.media_restore(media, "20261202-020000F")
    assert (root / "medfund" / "today.pdf").exists(), "MEDIA_ROOT is left as it was"

    files, set_aside = backup.media_restore(media, "20261201-020000F")
    assert files == 2
    assert sorted(p.name for p in (root / "medfund").iterdir()) == ["claim.pdf", "late.pdf"]
    assert (set_aside / "medfund" / "today.pdf").read_bytes() == b"%PDF today"
