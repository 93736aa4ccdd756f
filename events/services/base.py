"""What every booking service shares: the error it raises and the mail it queues about a registration."""
from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse

from forum.mail import site_url
from forum.services import mail_queue

from ..models import Registration


class BookingError(ValueError):
    """A booking that breaks a rule; the message is for the user (translated)."""


def _language_of(registration: Registration) -> str:
    """The language mail about ``registration`` is written in: the attendee's own, else the default."""
    return getattr(registration.attendee, "language", None) or settings.LANGUAGE_CODE


def mail_context(registration: Registration, **extra: Any) -> dict[str, Any]:
    """What every mail about a registration shows: the registration, its meeting, and the
    addresses of its personal page, of the meeting's page and of the forum's page (which lists
    the coming meetings). ``extra``: what one kind of mail adds (waiting ``position``, the
    ``previous_status`` of a cancelled registration, the reminder's ``days_left``)."""
    meeting = registration.meeting
    base = site_url()
    return {
        "registration": registration,
        "meeting": meeting,
        "registration_url": base + reverse("events:invitation", args=[registration.token]),
        "meeting_url": base + meeting.get_absolute_url(),
        "forum_url": base + meeting.forum.get_absolute_url(),
        **extra,
    }


def _mail(registration: Registration, template: str, *, to: str | None = None, attachments=(), actor=None,
          extra: dict | None = None) -> None:
    """Queue mail about ``registration`` (from its forum; a reply reaches the forum's coordinators)."""
    mail_queue(
        to=to or registration.attendee_email or registration.contact_email,
        template=template,
        context=mail_context(registration, **(extra or {})),
        language=_language_of(registration),
        attachments=attachments,
        created_by=actor,
        forum=registration.meeting.forum,
    )
