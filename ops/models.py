"""What the operations side keeps in the database: the backups taken, so /health/ready/ can tell
their age and a restore can name what it restores."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .privileges import APPEND_ONLY


class BackupKind(models.TextChoices):
    FULL = "full", _("Full")
    DIFF = "diff", _("Differential")
    INCR = "incr", _("Incremental")


class BackupRun(models.Model):
    """One finished backup: pgBackRest's label for the database and the media snapshot beside it."""

    runtime_privileges = APPEND_ONLY

    label = models.CharField(_("backup label"), max_length=64, unique=True)
    kind = models.CharField(_("kind"), max_length=4, choices=BackupKind.choices)
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"))
    database_bytes = models.BigIntegerField(_("database size"))
    media_snapshot = models.CharField(_("media snapshot"), max_length=64)
    media_files = models.PositiveIntegerField(_("media files"))
    # SHA-256 of the media manifest (one "sha256  path" line per file, sorted by path).
    media_manifest_sha256 = models.CharField(_("media manifest checksum"), max_length=64)

    class Meta:
        ordering = ["-finished_at"]
        verbose_name = _("backup")
        verbose_name_plural = _("backups")

    def __str__(self):
        return self.label
