"""Reminder mail before a meeting."""
from __future__ import annotations

import datetime as dt

from forum import reminders
from forum.services import audit_record

from ..models import Registration
from .base import _mail


# --- Reminders --------------------------------------------------------------------------
def reminders_send(*, now: dt.datetime | None = None) -> int:
    """Queue reminders 7 days and 1 day before each meeting, once per registration (periodic),
    through the machinery shared with network meetings (forum.reminders): the row is locked and
    stamped in the same transaction as its mail, so a second run (or a late one) sends nothing
    twice. Side effect: an audit event per reminder sent."""

    def send(registration: Registration, days_left: int, window: int) -> None:
        _mail(registration, "events/reminder", extra={"days_left": days_left})
        audit_record(actor=None, action="registration.remind", target=registration,
                     forum=registration.meeting.forum, data={"days": window})

    confirmed = Registration.objects.filter(status=Registration.Status.CONFIRMED).select_related("meeting__forum")
    return reminders.send_due(queryset=confirmed, starts_path="meeting__starts_at", send=send, now=now)
