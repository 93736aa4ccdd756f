"""Reminder mail before a meeting."""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from forum.services import audit_record

from ..models import Registration
from .base import _mail


# --- Reminders --------------------------------------------------------------------------
def reminders_send(*, now: dt.datetime | None = None) -> int:
    """Queue reminders 7 days and 1 day before each meeting, once per registration (periodic).
    The row is locked and stamped in the same transaction as its mail, so a second run (or a
    late one) sends nothing twice. Side effect: an audit event per reminder sent."""
    now = now or timezone.now()
    sent = 0
    for days, field in ((7, "reminded_7_at"), (1, "reminded_1_at")):
        due = Registration.objects.filter(
            status=Registration.Status.CONFIRMED,
            meeting__starts_at__gt=now,
            meeting__starts_at__lte=now + dt.timedelta(days=days),
            **{f"{field}__isnull": True},
        ).values_list("pk", flat=True)
        for registration_id in list(due):
            with transaction.atomic():
                registration = (
                    Registration.objects.select_for_update().select_related("meeting__forum").get(pk=registration_id)
                )
                if getattr(registration, field) is not None or registration.status != Registration.Status.CONFIRMED:
                    continue
                # A one-day reminder makes the seven-day one pointless if both are due.
                if days == 7 and registration.meeting.starts_at <= now + dt.timedelta(days=1):
                    registration.reminded_7_at = now
                    registration.save(update_fields=["reminded_7_at"])
                    continue
                setattr(registration, field, now)
                registration.save(update_fields=[field])
                # Days left by the calendar (Stockholm time), as the reader counts them.
                days_left = (timezone.localdate(registration.meeting.starts_at) - timezone.localdate(now)).days
                _mail(registration, "events/reminder", extra={"days_left": days_left})
                audit_record(actor=None, action="registration.remind", target=registration,
                             forum=registration.meeting.forum, data={"days": days})
                sent += 1
    return sent
