"""Handing work to the Celery workers, and saying so plainly when their queue (Redis) is down.

A service that queues work calls ``require_queue()`` before it writes anything, so a broker that
is down refuses the request whole (a 503 in the user's language) instead of leaving a row that no
worker will ever see; then ``enqueue_after_commit`` sends the task once the row is committed. If
the broker goes down in between, the row stays queued and the sweep of its app sends it again.
"""

import logging

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from kombu import Connection

logger = logging.getLogger(__name__)


class QueueUnavailable(Exception):
    """The workers' queue cannot be reached: nothing was saved, the user may try again later."""

    message = _("The work queue is unavailable; nothing was saved. Try again in a few minutes.")

    def __str__(self):
        return str(self.message)


def require_queue(timeout: float = 1.0) -> None:
    """Raises QueueUnavailable unless the broker answers within ``timeout`` seconds."""
    try:
        with Connection(settings.CELERY_BROKER_URL, connect_timeout=timeout,
                        transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS) as connection:
            connection.ensure_connection(max_retries=1, timeout=timeout)
    except Exception as error:  # kombu raises the transport's own errors (redis, socket, ...)
        logger.warning("work queue unavailable: %s", error.__class__.__name__)
        raise QueueUnavailable from error


def enqueue_after_commit(task, *args) -> None:
    """Sends ``task(*args)`` once the current transaction commits (at once outside one). A send
    that fails then is logged, not raised: the row it is about is saved and its sweep sends it."""

    def send():
        try:
            task.delay(*args)
        except Exception:
            logger.warning("could not queue %s%r; its sweep will", task.name, args, exc_info=True)

    transaction.on_commit(send)
