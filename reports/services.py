"""Asking for a report and building it. Building is idempotent: a retried task of a finished
report does nothing, and one stopped half-way starts again from the beginning."""

import datetime
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from coop.models import Cooperative
from ops.routers import reads_from_replica

from . import pdf
from .base import kind_of
from .models import Report, ReportStatus, ReportSubscription

log = logging.getLogger(__name__)
# A report whose worker was lost this many times is given up, not handed to a fourth.
MAX_ATTEMPTS = 3


def report_request(*, cooperative: Cooperative, kind: str, data, actor, language: str | None = None) -> Report:
    """A report asked for by ``actor`` (None: the scheduled job), queued for a worker once the
    transaction commits."""
    report_kind = kind_of(kind)
    params = report_kind.clean_params(cooperative, data)
    if actor is not None and not report_kind.allowed(actor, cooperative.pk, params):
        raise ValidationError(_("Your role does not allow this report."))
    language = language or translation.get_language() or "es"
    with translation.override(language):
        title = report_kind.title(cooperative, params)
    report = Report.objects.create(cooperative=cooperative, kind=kind, params=params, title=title[:200],
                                   language=language[:8], requested_by=actor)
    from .tasks import report_build

    transaction.on_commit(lambda: report_build.delay(report.pk))
    return report


def _letterhead(report: Report) -> dict:
    """What every page shows: the co-op, its logo, when the report was made and who asked."""
    who = (report.requested_by.get_full_name() or report.requested_by.username) if report.requested_by else _(
        "the scheduled job")
    when = formats.date_format(timezone.localtime(), "SHORT_DATETIME_FORMAT")
    return {"report": report, "cooperative": report.cooperative, "logo": pdf.logo_data_uri(report.cooperative),
            "language": report.language, "footer": _("Made on %(when)s, asked by %(who)s") % {"when": when, "who": who},
            "page_word": _("Page"), "of_word": _("of")}


def _progress(report: Report, percent: int) -> None:
    Report.objects.filter(pk=report.pk).update(progress=min(percent, 99))


# A report's data is read, and its templates evaluated, from the hot standby when there is one
# (ops/routers.py): out of the scope stay the writes on the report row (status, progress).
@reads_from_replica()
def _parts(kind, report) -> list:
    return kind.parts(report)


@reads_from_replica()
def _layout(template: str, letterhead: dict, make_context) -> bytes:
    return pdf.render(template, {**letterhead, **make_context()})[0]


def report_build(*, report_id: int) -> Report:
    """Lay the report out and store its PDF; the row points at the file only once it is whole."""
    with transaction.atomic():
        report = Report.objects.select_for_update(of=("self",)).select_related("cooperative", "requested_by").get(
            pk=report_id)
        if report.status in (ReportStatus.DONE, ReportStatus.FAILED):
            return report  # a repeated delivery of the task
        if report.attempts >= MAX_ATTEMPTS:
            # Its worker was lost each time (out of memory, past the time limit): stop trying.
            report_fail(report_id=report.pk, error=RuntimeError("worker lost"))
            report.refresh_from_db()
            return report
        report.status, report.started_at, report.progress = ReportStatus.RUNNING, timezone.now(), 1
        report.attempts += 1
        report.error = ""
        report.save(update_fields=["status", "started_at", "progress", "attempts", "error"])
    kind = kind_of(report.kind)
    with translation.override(report.language):
        letterhead = {**_letterhead(report), "stamped": kind.stamped}
        parts = _parts(kind, report)
        rendered = []
        for index, (template, context) in enumerate(parts, start=1):
            rendered.append(_layout(template, letterhead, context))
            _progress(report, 5 + 85 * index // len(parts))
        content, pages = pdf.join(rendered) if len(rendered) > 1 else (rendered[0], None)
        if kind.stamped:
            content = pdf.stamp_page_numbers(content, page_word=letterhead["page_word"], of_word=letterhead["of_word"])
        pages = pages or pdf.page_count(content)
        _progress(report, 95)
    name = f"{slugify(report.title)[:80] or report.kind}-{report.pk}.pdf"
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        if report.status == ReportStatus.DONE:
            return report
        report.file.save(name, ContentFile(content), save=False)
        report.status, report.progress, report.pages, report.finished_at = (
            ReportStatus.DONE, 100, pages, timezone.now())
        report.save(update_fields=["file", "status", "progress", "pages", "finished_at"])
        if report.scheduled:
            from .tasks import report_email

            transaction.on_commit(lambda: report_email.delay(report.pk))
    return report


def report_fail(*, report_id: int, error: Exception) -> None:
    """Say why a report could not be built (the task gave up)."""
    log.error("Report %s failed", report_id, exc_info=error)
    language = Report.objects.filter(pk=report_id).values_list("language", flat=True).first() or "es"
    with translation.override(language):
        message = " ".join(error.messages) if isinstance(error, ValidationError) else _(
            "The report could not be built (%(error)s). Ask for it again; if it fails again, tell the administrator."
        ) % {"error": type(error).__name__}
    Report.objects.filter(pk=report_id).exclude(status=ReportStatus.DONE).update(
        status=ReportStatus.FAILED, error=message[:500], finished_at=timezone.now())


# Scheduled reports by email ---------------------------------------------------------------------

SCHEDULED_KINDS = ("premium",)


def subscription_set(*, cooperative: Cooperative, user, kind: str, subscribed: bool) -> bool:
    """Have (or stop having) the scheduled ``kind`` report emailed; only to those who may read it."""
    if kind not in SCHEDULED_KINDS:
        raise ValidationError({"kind": _("This report is not sent by email.")})
    if subscribed:
        if not kind_of(kind).allowed(user, cooperative.pk, {}):
            raise ValidationError(_("Your role does not allow this report."))
        if not user.email:
            raise ValidationError(_("Add an email address to your account first."))
        ReportSubscription.objects.get_or_create(cooperative=cooperative, user=user, kind=kind)
    else:
        ReportSubscription.objects.filter(cooperative=cooperative, user=user, kind=kind).delete()
    return subscribed


def quarterly_reports_make(*, today: datetime.date | None = None) -> list[Report]:
    """The scheduled job, on a quarter's first days: each co-op with subscribers gets the premium
    report of the year to the end of the quarter just ended, made once (a unique constraint)."""
    today = today or timezone.localdate()
    year, quarter = (today.year, (today.month - 1) // 3) if today.month > 3 else (today.year - 1, 4)
    made = []
    for cooperative in Cooperative.objects.filter(
            pk__in=ReportSubscription.objects.filter(kind="premium").values("cooperative")).order_by("pk"):
        params = {"year": year, "quarter": quarter}
        with transaction.atomic():
            with translation.override(settings.LANGUAGE_CODE):
                title = kind_of("premium").title(cooperative, params)
            report, created = Report.objects.select_for_update().get_or_create(
                cooperative=cooperative, kind="premium", params=params, scheduled=True,
                defaults={"title": title[:200], "language": settings.LANGUAGE_CODE})
            if not created and report.status == ReportStatus.FAILED:
                # Failed last time: start it again (the beat job runs on the quarter's first days).
                report.status, report.error, report.attempts, report.progress = ReportStatus.QUEUED, "", 0, 0
                report.save(update_fields=["status", "error", "attempts", "progress"])
            elif not created and report.status != ReportStatus.QUEUED:
                continue  # being built, or built (and emailed, or about to be)
            from .tasks import report_build

            # Also a report left queued: the broker may have been down when it was first queued
            # (building it twice is harmless: the first to finish is kept).
            transaction.on_commit(lambda pk=report.pk: report_build.delay(pk))
            made.append(report)
    return made


def report_email(*, report_id: int) -> int:
    """Email a finished scheduled report to its subscribers who may still read it; once."""
    with transaction.atomic():
        report = Report.objects.select_for_update(of=("self",)).select_related("cooperative").get(pk=report_id)
        if report.emailed_at or report.status != ReportStatus.DONE:
            return 0
        kind = kind_of(report.kind)
        recipients = sorted({s.user.email for s in ReportSubscription.objects.filter(
            cooperative=report.cooperative, kind=report.kind).select_related("user")
            if s.user.email and s.user.is_active and kind.allowed(s.user, report.cooperative_id, report.params)})
        if recipients:
            with translation.override(report.language):
                message = EmailMessage(
                    subject=report.title,
                    body=_("The report is attached. It is also listed, with every report asked for, on the "
                           "Reports page of %(coop)s.") % {"coop": report.cooperative.name},
                    to=recipients)
            with report.file.open("rb") as handle:
                message.attach(f"{slugify(report.title)[:80] or report.kind}.pdf", handle.read(), "application/pdf")
            message.send()
        report.emailed_at = timezone.now()
        report.save(update_fields=["emailed_at"])
    return len(recipients)
