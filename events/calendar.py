"""Calendar files (.ics) for meetings, made with the icalendar library.

The event carries what a person needs in their calendar without opening the mail again: the
meeting's title, time and venue, the address of its public page (URL, and in the description
for calendars that do not show URL), a description (the theme and the agenda; for a
registration also who attends for which organisation and the check-in code), the organiser
(the forum, with ``FORUM_CONTACT_EMAIL``) and a UID on the portal's own domain
(``FORUM_SITE_URL``). Texts are in the active language: the confirmation mail renders the
file in the recipient's.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vCalAddress, vText, vUri

from forum.mail import site_url

from .models import Meeting, Registration


def _domain() -> str:
    """The portal's own host name (``FORUM_SITE_URL``, without a port), for UIDs."""
    return urlsplit(settings.FORUM_SITE_URL).hostname or "forum.localhost"


def _description(meeting: Meeting, registration: Registration | None, url: str) -> str:
    parts = [part.strip() for part in (meeting.theme, meeting.agenda) if part and part.strip()]
    if registration is not None:
        parts.append("\n".join([
            _("Attendee: %(name)s, %(organisation)s") % {
                "name": registration.display_attendee, "organisation": registration.organisation.name},
            _("Your check-in code: %(code)s. Show the code when you arrive.") % {"code": registration.code},
        ]))
    parts.append(_("The meeting's page: %(url)s") % {"url": url})
    return "\n\n".join(parts)


def meeting_ics(meeting: Meeting, registration: Registration | None = None) -> bytes:
    """An iCalendar (RFC 5545) file with one event for ``meeting`` (and ``registration``: the
    attendee's own copy with the check-in code). The UID is stable per meeting (and
    registration), so a re-sent file updates the calendar entry instead of adding a second one."""
    suffix = f"-{registration.pk}" if registration is not None else ""
    url = site_url() + meeting.get_absolute_url()
    return event_ics(
        uid=f"meeting-{meeting.pk}{suffix}", starts_at=meeting.starts_at, ends_at=meeting.ends_at,
        summary=meeting.title, url=url,
        location=", ".join(part for part in (meeting.venue_name, meeting.venue_address) if part),
        description=_description(meeting, registration, url), organiser=meeting.forum.name,
        sequence=meeting.schedule_version,
    )


def event_ics(*, uid: str, starts_at, ends_at, summary: str, url: str, location: str, description: str,
              organiser: str, cancelled: bool = False, sequence: int = 0) -> bytes:
    """An iCalendar file with one event, organised by ``organiser`` (a forum's name) at
    ``FORUM_CONTACT_EMAIL``; ``uid`` is made unique on the portal's own domain. ``sequence``
    counts the changes of its time and place: a calendar takes a file with a higher one as
    the newer version of the entry it has. Shared by theme meetings and network meetings
    (networks/services)."""
    calendar = Calendar()
    calendar.add("prodid", "-//Forumportalen//forum//SV")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "PUBLISH")
    event = Event()
    event.add("uid", f"{uid}@{_domain()}")
    event.add("sequence", sequence)
    event.add("dtstamp", timezone.now())
    event.add("dtstart", starts_at)
    event.add("dtend", ends_at)
    event.add("summary", summary)
    event["url"] = vUri(url)
    if location:
        event["location"] = vText(location)
    event.add("description", description)
    organizer = vCalAddress(f"mailto:{settings.FORUM_CONTACT_EMAIL}")
    organizer.params["cn"] = vText(organiser)
    event["organizer"] = organizer
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    calendar.add_component(event)
    return calendar.to_ical()
