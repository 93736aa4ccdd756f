"""Recovery without waiting on timers: what a Celery worker does each time it has connected
to the broker – when it starts, and again when Redis comes back after an outage.

:class:`RecoverOnConnect` is a step of the worker's consumer (forum/celery.py adds it), so it
starts after every (re)connection, not only once like the ``worker_ready`` signal. It
publishes the tasks named in ``settings.FORUM_RECOVERY_TASKS`` (one per app, the way
``CELERY_BEAT_SCHEDULE`` names the periodic ones): the outbox hands over the mail that waited
(forum.tasks.outbox_recover), meetings resume bulk invitations a killed worker left half done
(events.tasks.invitation_batches_recover). Each such task runs its work inside :func:`once`,
so that several workers (re)connecting together do it once; the work itself is idempotent, so
a second run would only cost time.

Without it, mail queued while Redis was down waited for the sweep's grace period and the next
beat tick (2–3 minutes after Redis returned), and a half-done batch for the 5-minute resume.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from celery import bootsteps

logger = logging.getLogger(__name__)

T = TypeVar("T")

#: How long one worker's recovery keeps the others from repeating it (seconds).
LOCK_SECONDS = 30


def run_once(name: str, work: Callable[[], T]) -> T | None:
    """Run ``work`` inside :func:`once`; None when another worker ran it just now, or when the
    database cannot be reached (a worker may connect to Redis before PostgreSQL is up: the
    periodic tasks will come round)."""
    from django.db import DatabaseError

    try:
        with once(name) as first:
            return work() if first else None
    except DatabaseError as error:
        logger.warning("Recovery %r skipped: the database cannot be reached (%s)", name, error)
        return None


@contextmanager
def once(name: str) -> Iterator[bool]:
    """Yield True for the first caller across all workers within :data:`LOCK_SECONDS`, False
    for the others. The lock is an ``add`` in the shared cache (Redis, or the database while
    Redis is unreachable – forum/cache.py) and is left to expire, not released, so a worker
    that connects a moment later does not repeat the work."""
    from django.core.cache import cache

    yield cache.add(f"forum:recovery:{name}", True, timeout=LOCK_SECONDS)


class RecoverOnConnect(bootsteps.StartStopStep):
    """Consumer step: after the worker has connected (at start and after every reconnection),
    publish the recovery tasks of ``settings.FORUM_RECOVERY_TASKS``."""

    requires = {"celery.worker.consumer.tasks:Tasks"}

    def start(self, consumer) -> None:
        from django.conf import settings

        for name in getattr(settings, "FORUM_RECOVERY_TASKS", ()):
            try:
                consumer.app.send_task(name)
            except Exception:  # noqa: BLE001 - the periodic tasks still come round
                logger.warning("Could not publish the recovery task %s", name, exc_info=True)
