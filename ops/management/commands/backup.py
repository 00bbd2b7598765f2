"""`manage.py backup`: the database with pgBackRest and MEDIA_ROOT with restic, recorded as a
BackupRun. `--info` lists the backups, `--check` reads them back."""

import datetime

from django.conf import settings
from django.core.management import BaseCommand, CommandError
from django.db import DatabaseError

from ops import backup
from ops.services import backup_run_record


class Command(BaseCommand):
    help = "Backs up the database (pgBackRest) and the media files (restic) and records the backup."

    def add_arguments(self, parser):
        parser.add_argument("--type", choices=[*backup.KINDS, "auto"], default="auto",
                            help="auto (the default): full when the last full backup is older than "
                                 "BACKUP_FULL_EVERY_DAYS or there is none, else incremental")
        parser.add_argument("--enable-archiving", action="store_true",
                            help="turn WAL archiving on first where it is off (as DATABASE_ADMIN_URL's superuser; "
                                 "restarts a Debian cluster)")
        parser.add_argument("--info", action="store_true", help="list the backups instead of taking one")
        parser.add_argument("--check", action="store_true",
                            help="check that archiving works and that the backups read back whole, instead of taking one")

    def handle(self, *args, **options):
        try:
            self._handle(options)
        except backup.BackupError as error:
            raise CommandError(str(error)) from error

    def _handle(self, options):
        config = backup.BackupConfig.from_settings()
        enable_archiving = options["enable_archiving"] and not options["info"]
        admin_url = settings.DATABASE_ADMIN_URL if (enable_archiving or not config.server_known) else None
        config = backup.with_server(config, admin_url)
        backup.config_write(config)
        if enable_archiving:
            changed, restarted = backup.archiving_ensure(config, settings.DATABASE_ADMIN_URL)
            if changed:
                restart = f" and restarted PostgreSQL {restarted.version}/{restarted.name}" if restarted else ""
                self.stdout.write(f"WAL archiving was not set up: set {', '.join(changed)} (ALTER SYSTEM){restart}. "
                                  f"From now on PostgreSQL sends its WAL to {config.repo_path} at least every "
                                  f"{backup.ARCHIVE_TIMEOUT_SECONDS} s.")
        if options["info"]:
            self.stdout.write(backup.pgbackrest(config, "info"))
            try:
                self.stdout.write(backup.restic(config, "snapshots"))
            except backup.BackupError as error:
                self.stdout.write(f"No media snapshots: {error}")
            return
        if backup.stanza_ensure(config):
            self.stdout.write(f"Created the pgBackRest stanza {config.stanza} in {config.repo_path}.")
        if options["check"]:
            for line in backup.check(config):
                self.stdout.write(self.style.SUCCESS(f"OK: {line}"))
            return
        kind = options["type"]
        if kind == "auto":
            kind = backup.kind_due(backup.backups(config), now=datetime.datetime.now(datetime.UTC),
                                   full_every=datetime.timedelta(days=settings.BACKUP_FULL_EVERY_DAYS))
        database = backup.database_backup(config, kind)
        media = backup.media_backup(config, database.label)
        try:
            backup_run_record(database=database, media=media)
        except DatabaseError as error:
            raise CommandError(f"Backup {database.label} and its media snapshot {media.id[:8]} are in the "
                               f"repositories, but recording it in the database failed: {error}") from error
        forgotten = backup.media_expire(config, {b.label for b in backup.backups(config)})
        if forgotten:
            self.stdout.write(f"Forgot {forgotten} media snapshot(s) of expired database backups.")
        self.stdout.write(self.style.SUCCESS(
            f"Backup {database.label} ({database.kind}): database {database.database_bytes / 2**20:.1f} MB "
            f"({database.repository_bytes / 2**20:.1f} MB added to the repository), "
            f"{media.files} media files in snapshot {media.id[:8]}."))
