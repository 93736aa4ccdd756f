"""Attendance on the day of the meeting."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from forum.services import audit_record

from ..models import Registration
from .base import BookingError


# --- On the day -------------------------------------------------------------------------
def checkin(*, actor: Any, registration: Registration, undo: bool = False,
            now: dt.datetime | None = None) -> Registration:
    """Record (or undo) attendance. The caller has checked :func:`events.permissions.can_check_in`
    (facilitators of the forum or the meeting, coordinators). Side effect: an audit event."""
    with transaction.atomic():
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if registration.status != Registration.Status.CONFIRMED:
            raise BookingError(_("Only confirmed participants can be checked in."))
        registration.checked_in_at = None if undo else (now or timezone.now())
        registration.checked_in_by = None if undo else actor
        registration.save(update_fields=["checked_in_at", "checked_in_by", "updated_at"])
        audit_record(actor=actor, action="registration.checkout" if undo else "registration.checkin",
                     target=registration, forum=registration.meeting.forum)
    return registration
