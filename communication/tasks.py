"""Celery tasks of communication; the periodic ones are in CELERY_BEAT_SCHEDULE (settings)."""
from __future__ import annotations

from celery import shared_task

from forum import broker

from . import services
from .models import Frequency, Newsletter


@shared_task
def news_mail_due() -> int:
    """Every minute: email the news posts whose publish time has come (once each)."""
    return services.news_mail_due()


@shared_task(acks_late=True)
def newsletter_send(newsletter_id: int) -> int:
    """Send a due newsletter to the end, batch by batch; safe to run twice at once (the
    batches are locked rows) or again after a crash (it goes on where it stopped)."""
    if not services.newsletter_start(newsletter_id):
        return 0
    total = 0
    while handled := services.newsletter_send_batch(newsletter_id):
        total += handled
    return total


@shared_task
def newsletters_due() -> int:
    """Every minute: start newsletters whose time has come, and resume any left half-sent."""
    from django.utils import timezone

    due = Newsletter.objects.filter(status=Newsletter.Status.SCHEDULED, send_at__lte=timezone.now()) | \
        Newsletter.objects.filter(status=Newsletter.Status.SENDING)
    ids = list(due.values_list("pk", flat=True))
    # Through forum.broker: bounded in time and never raising while Redis is away (the next
    # minute tries again). A second run of a newsletter already sending is harmless.
    published, _recovered = broker.publish(newsletter_send, [(pk,) for pk in ids])
    return published


@shared_task
def digests_daily() -> int:
    """07:00 Stockholm time each day."""
    return services.digests_send(frequency=Frequency.DAILY)


@shared_task
def digests_weekly() -> int:
    """07:00 Stockholm time each Monday."""
    return services.digests_send(frequency=Frequency.WEEKLY)


@shared_task
def survey_reminders_due() -> int:
    """Hourly: the one reminder of each survey, five days after the documentation went out."""
    return services.survey_reminders_due()
