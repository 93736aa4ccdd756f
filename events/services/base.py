"""What every booking service shares: the error it raises and the mail it queues about a registration."""
from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.dateparse import parse_datetime

from forum.mail import site_url
from forum.models import OutboxMessage
from forum.services import Attachment, DeferredMail, mail_queue, mail_queue_deferred

from ..calendar import meeting_ics
from ..models import Registration

#: How forum.services renders the mail a booking queues under the meeting lock (``_mail``
#: with ``deferred``): this module's :func:`registration_mail`.
REGISTRATION_MAIL_RENDERER = "events.services.base.registration_mail"


class BookingError(ValueError):
    """A booking that breaks a rule; the message is for the user (translated). ``field``,
    when given, names the form field the rule is about (``size``, ``hold_until``,
    ``capacity``, ``starts_at`` …), so the page shows the message there and not only at the top."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class RegistrationClosed(BookingError):
    """Open registration does not take bookings for this meeting now (not open, started, or
    no open pool): the page that offered the form has nothing left to offer."""


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


def _calendar_file(registration: Registration) -> Attachment:
    """The registration's calendar file, in the language of the mail it comes with."""
    with translation.override(_language_of(registration)):
        ics = meeting_ics(registration.meeting, registration)
    return Attachment("tematraff.ics", "text/calendar; charset=utf-8; method=PUBLISH", ics)


def _registration_for_mail(pk: int) -> Registration:
    """A registration with what its mail shows, read when the mail is rendered."""
    return Registration.objects.select_related("meeting__forum", "organisation", "attendee").get(pk=pk)


def address_of(registration: Registration) -> str:
    """Where mail about ``registration`` goes: the attendee, else the contact."""
    return registration.attendee_email or registration.contact_email


def registration_mail(args: dict[str, Any]) -> tuple[str, dict[str, Any], list[Attachment]]:
    """Render mail about a registration that a booking queued under the meeting lock (see
    :func:`_mail`): read the registration again, after the booking committed, and return the
    template, its context and (for a confirmation) the calendar file. Called by
    forum.services in the mail's language. No side effects."""
    registration = _registration_for_mail(args["registration"])
    attachments = [_calendar_file(registration)] if args.get("calendar") else []
    return args["template"], mail_context(registration, **args.get("extra", {})), attachments


#: The renderer of the mail that tells a registration's people of a new time or venue
#: (:func:`events.services.meeting_update`): :func:`meeting_change_mail`.
MEETING_CHANGE_RENDERER = "events.services.base.meeting_change_mail"


def meeting_change_mail(args: dict[str, Any]) -> tuple[str, dict[str, Any], list[Attachment]]:
    """Render the mail about a meeting's new time or venue (``events/changed``), queued by
    ``meeting_update`` for the worker: the registration and meeting as they are when it is
    sent (a seat cancelled since is not told it is kept), what changed (``changed``: "time",
    "venue") and what it was before (``previous``, its times in ISO form), and for a seat held
    when it is sent the updated calendar file. No side effects."""
    registration = _registration_for_mail(args["registration"])
    attachments = [_calendar_file(registration)] if registration.status == Registration.Status.CONFIRMED else []
    previous = dict(args["previous"])
    for name in ("starts_at", "ends_at"):
        previous[name] = parse_datetime(previous[name])
    return "events/changed", mail_context(registration, changed=args["changed"], previous=previous), attachments


def _mail(registration: Registration, template: str, *, to: str | None = None, attachments=(), actor=None,
          extra: dict | None = None, calendar: bool = False,
          deferred: list[OutboxMessage] | None = None, send_group: str = "") -> None:
    """Queue mail about ``registration`` (from its forum; a reply reaches the forum's
    coordinators), with its calendar file when ``calendar``. Given a ``deferred`` list (a
    booking under the meeting lock), only the outbox row is written now and appended to it;
    after its lock section the booking hands the rows to the worker, which renders them
    (forum.services.outbox_release_deferred), so ``extra`` must then be JSON (numbers, strings)."""
    if deferred is not None:
        deferred.append(mail_queue_deferred(
            to=to or address_of(registration),
            renderer=REGISTRATION_MAIL_RENDERER,
            args={"registration": registration.pk, "template": template, "extra": extra or {}, "calendar": calendar},
            language=_language_of(registration),
            template=template,
            created_by=actor,
            forum=registration.meeting.forum,
            send_group=send_group,
            headers=deferred.headers_for(registration.meeting.forum) if isinstance(deferred, DeferredMail) else None,
        ))
        return
    if calendar:
        attachments = [*attachments, _calendar_file(registration)]
    mail_queue(
        to=to or address_of(registration),
        template=template,
        context=mail_context(registration, **(extra or {})),
        language=_language_of(registration),
        attachments=attachments,
        created_by=actor,
        forum=registration.meeting.forum,
        send_group=send_group,
    )
