"""Every write of the operations side."""

from .backup import BackupSet, MediaSnapshot
from .models import BackupRun


def backup_run_record(*, database: BackupSet, media: MediaSnapshot) -> BackupRun:
    """A finished backup: the database's in the pgBackRest repository, the media's in restic."""
    return BackupRun.objects.create(
        label=database.label, kind=database.kind, started_at=database.started_at,
        finished_at=database.finished_at, database_bytes=database.database_bytes,
        media_snapshot=media.id, media_files=media.files, media_manifest_sha256=media.manifest_sha256,
    )
