"""Celery tasks for networks."""
from __future__ import annotations

from celery import shared_task

from . import services


@shared_task
def meeting_reminders_send() -> int:
    """Periodic: reminders a week and a day before each planned network meeting."""
    return services.meeting_reminders_send()
