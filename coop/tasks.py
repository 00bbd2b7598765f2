import smtplib

from celery import shared_task

from . import services


@shared_task(
    acks_late=True,
    autoretry_for=(smtplib.SMTPException, ConnectionError, TimeoutError),
    retry_backoff=60,
    retry_backoff_max=1800,
    max_retries=6,
)
def certification_expiry_notify() -> int:
    """Daily: warn co-op administrators of certifications expiring within 90 days (idempotent)."""
    return services.certification_expiry_notify()
