import smtplib

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.core.exceptions import ValidationError

from . import services


# A week's slips for 9,000 producers take about 7 minutes on two cores: the limits are longer than
# the default 15 minutes, and shorter than the broker's visibility timeout (an hour), past which
# Redis would hand the task to a second worker.
@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=2, default_retry_delay=30,
             soft_time_limit=45 * 60, time_limit=50 * 60)
def report_build(self, report_id: int) -> int:
    """Build one report. Idempotent (a finished report is left as it is), so a worker lost half-way
    has the message delivered again and the report is built anew."""
    try:
        services.report_build(report_id=report_id)
    except (SoftTimeLimitExceeded, ValidationError) as error:  # trying again would not help
        services.report_fail(report_id=report_id, error=error)
    except Exception as error:
        if self.request.retries >= self.max_retries:
            services.report_fail(report_id=report_id, error=error)
            return report_id
        raise self.retry(exc=error) from error
    return report_id


@shared_task(acks_late=True, autoretry_for=(smtplib.SMTPException, ConnectionError, TimeoutError), retry_backoff=60,
             retry_backoff_max=1800, max_retries=6)
def report_email(report_id: int) -> int:
    """Email a finished scheduled report to its subscribers (once: safe to retry)."""
    return services.report_email(report_id=report_id)


@shared_task(acks_late=True, autoretry_for=(ConnectionError, TimeoutError), retry_backoff=60, max_retries=5)
def quarterly_premium_reports() -> list[int]:
    """On a quarter's first day: the premium reports the board has emailed (once per co-op and quarter)."""
    return [report.pk for report in services.quarterly_reports_make()]
