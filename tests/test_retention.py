"""Personal data of past meetings: needs deleted after the meeting, registrations
anonymised after the retention period, aggregates kept."""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from events import services
from events.models import Meeting, Registration, SeatPool
from forum import services as forum_services


@pytest.mark.django_db
def test_needs_cleared_after_meeting_and_anonymised_after_retention(client, settings):
    settings.FORUM_REGISTRATION_RETENTION_DAYS = 365
    forum = forum_services.forum_create(actor=None, municipality="Malmö", name="Meet Malmö", slug="meet-malmo")
    start = timezone.now() + dt.timedelta(days=30)
    meeting = services.meeting_create(actor=None, forum=forum, kind=Meeting.Kind.COMBINED, title="Höstträff",
                                      starts_at=start, ends_at=start + dt.timedelta(hours=3))
    services.meeting_set_status(actor=None, meeting=meeting, status=Meeting.Status.PUBLISHED)
    company = forum_services.organisation_create(actor=None, kind="company", name="Sofielunds Bageri AB",
                                                 organisationsnummer="5591234561", sni_section="C", size_class="0-9")
    invitation = services.invitation_create(actor=None, pool=meeting.pools.get(kind=SeatPool.Kind.CITY_PICK),
                                            organisation=company, contact_email="vd@forum.example", contact_name="Vera")
    services.invitation_accept(registration_id=invitation.pk, attendee_name="Vera Exempel",
                               attendee_email="vd@forum.example", dietary_needs="Glutenfritt",
                               accessibility_needs="Hörslinga", consent=True)
    registration = Registration.objects.get(pk=invitation.pk)
    services.checkin(actor=None, registration=registration, now=start)
    token = registration.token

    # Before the meeting is over nothing is touched, however often the job runs.
    assert services.registrations_retention(now=start) == (0, 0)

    after = meeting.ends_at + dt.timedelta(hours=1)
    assert services.registrations_retention(now=after) == (1, 0)
    registration.refresh_from_db()
    assert (registration.dietary_needs, registration.accessibility_needs) == ("", "")
    assert registration.attendee_name == "Vera Exempel"  # still needed for follow-up

    much_later = meeting.ends_at + dt.timedelta(days=366)
    assert services.registrations_retention(now=much_later) == (0, 1)
    assert services.registrations_retention(now=much_later) == (0, 0)
    registration.refresh_from_db()
    assert registration.attendee_name == registration.attendee_email == registration.contact_email == ""
    assert registration.attendee_id is None
    # Aggregates stay: the company, the status and the attendance.
    assert registration.organisation == company
    assert registration.status == Registration.Status.CONFIRMED
    assert registration.checked_in_at is not None
    # The personal link no longer leads anywhere.
    assert client.get(f"/inbjudan/{token}/").status_code == 404
