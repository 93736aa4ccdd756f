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
    calendar = Calendar()
    calendar.add("prodid", "-//Forumportalen//forum//SV")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    suffix = f"-{registration.pk}" if registration is not None else ""
    event.add("uid", f"meeting-{meeting.pk}{suffix}@{_domain()}")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", meeting.starts_at)
    event.add("dtend", meeting.ends_at)
    event.add("summary", meeting.title)
    url = site_url() + meeting.get_absolute_url()
    event["url"] = vUri(url)
    location = ", ".join(part for part in (meeting.venue_name, meeting.venue_address) if part)
    if location:
        event["location"] = vText(location)
    event.add("description", _description(meeting, registration, url))
    organizer = vCalAddress(f"mailto:{settings.FORUM_CONTACT_EMAIL}")
    organizer.params["cn"] = vText(meeting.forum.name)
    event["organizer"] = organizer
    event.add("status", "CONFIRMED")
    calendar.add_component(event)
    return calendar.to_ical()
