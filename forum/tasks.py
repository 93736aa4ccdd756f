"""Celery tasks of the forum-wide domain: the mail outbox."""
from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(bind=True, max_retries=None, acks_late=True)
def outbox_send(self, message_id: int) -> str:
    """Send one outbox row; safe to run any number of times (the row is sent at most once).
    A temporary failure re-schedules the task with exponential backoff."""
    delivery = services.outbox_deliver(message_id)
    if delivery.outcome == "retry":
        raise self.retry(countdown=delivery.retry_in)
    return delivery.outcome


@shared_task
def outbox_sweep() -> int:
    """Periodic (Celery beat, every minute): enqueue rows whose task was lost."""
    return services.outbox_sweep()
