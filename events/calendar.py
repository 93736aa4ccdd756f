"""Calendar files (.ics) for meetings, made with the icalendar library."""
from __future__ import annotations

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vText

from .models import Meeting, Registration


def meeting_ics(meeting: Meeting, registration: Registration | None = None) -> bytes:
    """An iCalendar (RFC 5545) file with one event for ``meeting``. The UID is stable per
    meeting (and registration), so a re-sent file updates the calendar entry instead of
    adding a second one."""
    calendar = Calendar()
    calendar.add("prodid", "-//Forumportalen//forum//SV")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    host = (settings.ALLOWED_HOSTS or ["forum.localhost"])[0].lstrip(".") or "forum.localhost"
    suffix = f"-{registration.pk}" if registration is not None else ""
    event.add("uid", f"meeting-{meeting.pk}{suffix}@{host}")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", meeting.starts_at)
    event.add("dtend", meeting.ends_at)
    event.add("summary", meeting.title)
    location = ", ".join(part for part in (meeting.venue_name, meeting.venue_address) if part)
    if location:
        event["location"] = vText(location)
    description = "\n\n".join(part for part in (meeting.theme, meeting.agenda) if part)
    if description:
        event.add("description", description)
    calendar.add_component(event)
    return calendar.to_ical()
