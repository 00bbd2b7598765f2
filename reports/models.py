"""A report asked for, built in the background and kept.

A ``Report`` row is made when someone (or the scheduled job) asks; a Celery task builds it with
WeasyPrint, saying how far it got, and stores the finished file. The row points at a file only
once the whole PDF is written, so a worker stopped half-way leaves no broken download: the task is
retried (acks_late) and builds it again.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from coop.models import Cooperative


class ReportStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting")
    RUNNING = "running", _("Being built")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class Report(models.Model):
    cooperative = models.ForeignKey(Cooperative, on_delete=models.PROTECT, related_name="reports")
    # One of the kinds in reports/kinds/ (premium, trial_balance, loan_statement...).
    kind = models.CharField(_("report"), max_length=30)
    # What the report is about, e.g. {"year": 2026} or {"member": 12}; checked by its kind.
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    title = models.CharField(_("title"), max_length=200)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="es")
    status = models.CharField(_("status"), max_length=8, choices=ReportStatus.choices, default=ReportStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    error = models.CharField(_("why it failed"), max_length=500, blank=True)
    file = models.FileField(_("file"), upload_to="reports/%Y/%m/", blank=True)
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    # Empty when the scheduled job asked.
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    requested_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # Made by the scheduled job for the people subscribed to it, and emailed to them once.
    scheduled = models.BooleanField(_("scheduled"), default=False)
    emailed_at = models.DateTimeField(_("emailed at"), null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="report_progress_percent"),
            models.CheckConstraint(condition=~Q(status="done") | ~Q(file=""), name="finished_report_has_file"),
            # The scheduled job makes each period's report once, however often it runs.
            models.UniqueConstraint(fields=["cooperative", "kind", "params"], condition=Q(scheduled=True),
                                    name="one_scheduled_report_per_period"),
        ]
        indexes = [models.Index(fields=["cooperative", "-requested_at"], name="report_list_idx")]

    def __str__(self):
        return self.title

    @property
    def finished(self) -> bool:
        return self.status in (ReportStatus.DONE, ReportStatus.FAILED)


class ReportSubscription(models.Model):
    """Someone who has a kind of report emailed to them when the scheduled job makes it (the board's
    quarterly premium report)."""

    cooperative = models.ForeignKey(Cooperative, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="report_subscriptions")
    kind = models.CharField(_("report"), max_length=30)
    created_at = models.DateTimeField(_("since"), auto_now_add=True)

    class Meta:
        verbose_name = _("report by email")
        verbose_name_plural = _("reports by email")
        constraints = [models.UniqueConstraint(fields=["cooperative", "user", "kind"], name="one_subscription")]

    def __str__(self):
        return f"{self.user_id}: {self.kind}"
