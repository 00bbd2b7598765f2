from celery import shared_task

from . import services


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=30, max_retries=5)
def certification_expiry_notify() -> int:
    """Daily: warn co-op administrators of certifications expiring within 90 days (idempotent)."""
    return services.certification_expiry_notify()
