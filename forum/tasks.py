"""Celery tasks of the forum-wide domain: the mail outbox."""
from __future__ import annotations

from datetime import timedelta

from celery import shared_task

from . import recovery, services


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


@shared_task
def outbox_recover() -> int | None:
    """When a worker has (re)connected to the broker (forum.recovery): hand over every queued
    row that is due, without the sweep's grace period. Once across workers; None if another
    worker did it just now."""
    return recovery.run_once("outbox", lambda: services.outbox_sweep(grace=timedelta(0)))
