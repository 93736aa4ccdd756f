"""Celery tasks for votes."""
from __future__ import annotations

from celery import shared_task

from . import services


@shared_task
def votes_close_due() -> int:
    """Periodic: close votes whose closing time has passed, freezing their result."""
    return services.votes_close_due()
