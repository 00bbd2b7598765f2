"""`manage.py restore`: the database to a time or a backup, and the media of that backup. Needs no
database connection (the database is stopped while it runs)."""

import argparse
import datetime

from django.core.management import BaseCommand, CommandError

from ops import backup


def moment(text: str) -> datetime.datetime:
    try:
        value = datetime.datetime.fromisoformat(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"{text!r} is not a time; write it as '2026-12-04 10:00:00+00'.") from error
    if value.tzinfo is None:
        raise argparse.ArgumentTypeError(f"say the time zone of {text!r}, e.g. '{text}+00' (UTC) or '{text}-05' (Lima).")
    return value


class Command(BaseCommand):
    help = ("Restores the database to a point in time (--time) or to a backup as it was (--label), or everything "
            "archived (--latest), and the media files of the backup it starts from.")
    requires_system_checks = []

    def add_arguments(self, parser):
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--time", type=moment, help="e.g. '2026-12-04 10:00:00+00'")
        target.add_argument("--label", help="a backup label from `bin/backup --info`, e.g. 20261204-101500F")
        target.add_argument("--latest", action="store_true", help="all that reached the WAL archive")
        parser.add_argument("--noinput", "--no-input", action="store_false", dest="interactive",
                            help="do not ask for confirmation")
        parser.add_argument("--timeout", type=float, default=3600,
                            help="seconds to wait for PostgreSQL to replay the archive (default 3600)")

    def handle(self, *args, **options):
        target = backup.Target(time=options["time"], label=options["label"])
        try:
            config = backup.with_server(backup.BackupConfig.from_settings(), admin_url=None)
            if options["interactive"]:
                answer = input(f"This stops PostgreSQL, replaces its data in {config.pg_path} with {target} and the "
                               f"files in {config.media_root} with those of the backup it starts from.\n"
                               "Type yes to go on: ")
                if answer.strip().lower() != "yes":
                    raise CommandError("Nothing was restored.")
            report = backup.restore(config, target, backup.server_control(config), timeout=options["timeout"],
                                    say=self.stdout.write)
        except backup.BackupError as error:
            raise CommandError(str(error)) from error
        if report.server_started:
            self.stdout.write(f"The database answers again, restored to {target}, "
                              f"{report.database_seconds:.0f} s after the restore began.")
        else:
            self.stdout.write(f"The database files are restored to {target}. Start PostgreSQL now "
                              "(docker compose up -d): it replays the archive up to the target and opens.")
        self.stdout.write(f"{report.media_files} media files restored from backup {report.backup.label}; "
                          "they match their manifest.")
        if report.media_set_aside:
            self.stdout.write(f"The media files that were there before are in {report.media_set_aside}; "
                              "delete that folder once you are satisfied.")
        self.stdout.write(self.style.SUCCESS("Restore done."))
        self.stdout.write("Take a full backup once the database runs (bin/backup --type full): the backups from "
                          "before this restore belong to the history it replaced.")
