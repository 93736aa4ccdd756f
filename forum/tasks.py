"""Celery tasks of the forum-wide domain: the mail outbox."""
from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task

from . import recovery, services

logger = logging.getLogger(__name__)


@shared_task(bind=True, max_retries=None, acks_late=True)
def outbox_send(self, message_id: int) -> str:
    """Send one outbox row; safe to run any number of times (the row is sent at most once).
    A temporary failure re-schedules the task with exponential backoff."""
    delivery = services.outbox_deliver(message_id)
    if delivery.outcome == "retry":
        raise self.retry(countdown=delivery.retry_in)
    return delivery.outcome


@shared_task(acks_late=True)
def outbox_send_batch(message_ids: list[int]) -> dict[str, int]:
    """Send several outbox rows one after another over the worker's SMTP session, each at most
    once exactly as :func:`outbox_send` does (locked, marked sending, skipped unless queued).
    A row whose attempt failed for now gets a retry task of its own with its backoff; should
    the broker refuse that, its next attempt time makes the sweep hand it over; a row that could
    not be tried at all (the database away) is left to the sweep while the others go on. Returns
    the count per outcome."""
    outcomes: dict[str, int] = {}
    for message_id in message_ids:
        try:
            delivery = services.outbox_deliver(message_id)
        except Exception:  # noqa: BLE001 - e.g. the database away: this row stays for the sweep, the next may go
            logger.warning("Outbox message %s could not be delivered now; the sweep hands it over again",
                           message_id, exc_info=True)
            outcomes["error"] = outcomes.get("error", 0) + 1
            continue
        outcomes[delivery.outcome] = outcomes.get(delivery.outcome, 0) + 1
        if delivery.outcome == "retry":
            try:
                outbox_send.apply_async((message_id,), countdown=delivery.retry_in, retry=False)
            except Exception:  # noqa: BLE001 - the row waits for the sweep (its next attempt time is set)
                logger.warning("Could not schedule the retry of outbox message %s", message_id, exc_info=True)
    return outcomes


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
