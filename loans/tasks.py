from celery import shared_task

from . import services


@shared_task(acks_late=True, autoretry_for=(ConnectionError, TimeoutError), retry_backoff=60, max_retries=5)
def loan_rounds_propose() -> list[int]:
    """At the start of each quarter: one proposed round per co-op (idempotent: safe to retry, to
    run twice, or to run again after a worker died half-way — the transaction is all or nothing)."""
    return [loan_round.pk for loan_round in services.rounds_propose_due()]
