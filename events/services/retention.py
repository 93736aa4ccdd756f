"""Personal data retention of registrations."""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from forum.services import audit_record

from ..models import Registration


# --- Personal data retention ------------------------------------------------------------
def registration_anonymise(registration: Registration, now: dt.datetime) -> None:
    """Remove what names a person from ``registration`` (names, addresses, needs, the personal
    link); the row stays for the aggregates: organisation, pool, status, attendance, and the
    voter records that keep a vote's one ballot per registration. The caller holds the row
    (select_for_update) inside a transaction and records the audit event."""
    registration.contact_email = registration.attendee_email = ""
    registration.contact_name = registration.attendee_name = ""
    registration.dietary_needs = registration.accessibility_needs = ""
    registration.needs_cleared_at = registration.needs_cleared_at or now
    registration.attendee = None
    # A new random token: the personal link stops working.
    registration.token = Registration._meta.get_field("token").default()
    registration.anonymised_at = now
    registration.save()


def registrations_retention(*, now: dt.datetime | None = None) -> tuple[int, int]:
    """Delete dietary and accessibility needs of meetings that are over, and anonymise the
    registrations of meetings that ended more than FORUM_REGISTRATION_RETENTION_DAYS ago
    (periodic). What aggregates need stays: organisation, pool, status, attendance.
    Returns (needs cleared, registrations anonymised)."""
    now = now or timezone.now()
    with transaction.atomic():
        cleared = Registration.objects.filter(meeting__ends_at__lt=now, needs_cleared_at__isnull=True).update(
            dietary_needs="", accessibility_needs="", needs_cleared_at=now
        )
        old = Registration.objects.filter(
            meeting__ends_at__lt=now - dt.timedelta(days=settings.FORUM_REGISTRATION_RETENTION_DAYS),
            anonymised_at__isnull=True,
        )
        anonymised = 0
        for registration in old.select_for_update():
            registration_anonymise(registration, now)
            anonymised += 1
        if cleared or anonymised:
            audit_record(actor=None, action="registration.retention",
                         data={"needs_cleared": cleared, "anonymised": anonymised})
    return cleared, anonymised
