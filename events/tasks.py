"""Celery tasks for meetings: bulk invitations, waiting-list offers, reminders, expiry."""
from __future__ import annotations

import datetime as dt

from celery import shared_task

from forum import recovery

from . import services


@shared_task(acks_late=True)
def invitation_batch_run(batch_id: int) -> None:
    """Work through a bulk invitation one company at a time (progress visible meanwhile)."""
    while services.invitation_batch_step(batch_id):
        pass


@shared_task
def offers_process_all() -> int:
    """Periodic: expire unanswered offers and offer freed seats to the next in line."""
    return services.offers_process_all()


@shared_task
def offers_process(meeting_id: int) -> int:
    return len(services.offers_process(meeting_id=meeting_id))


@shared_task
def reminders_send() -> int:
    """Periodic: reminders 7 days and 1 day before each meeting."""
    return services.reminders_send()


@shared_task
def invitations_expire() -> int:
    """Periodic: unanswered invitations past their answer-by date expire."""
    return services.invitations_expire()


@shared_task
def registrations_retention() -> tuple[int, int]:
    """Periodic: delete needs after the meeting, anonymise registrations after the retention period."""
    return services.registrations_retention()


@shared_task
def invitation_batches_resume() -> int:
    """Periodic: restart bulk invitations whose task was lost."""
    return services.invitation_batches_resume()


@shared_task
def invitation_batches_recover() -> int | None:
    """When a worker has (re)connected to the broker (forum.recovery): resume every unfinished
    bulk invitation at once, not after the periodic task's grace period. Once across workers;
    None if another worker did it just now."""
    return recovery.run_once("invitation-batches", lambda: services.invitation_batches_resume(grace=dt.timedelta(0)))
