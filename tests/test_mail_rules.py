"""The rules of mail that need no demo data (issue 10): answer-by times on a whole hour or the
end of a day and never after the meeting's start; From and Reply-To stored with the outbox row
when it is queued and used when it is sent; the calendar file in the attendee's language.
tests/test_mail.py checks every mail rendered from the demo."""
from __future__ import annotations

import datetime as dt
from email.utils import parseaddr

import pytest
from django.utils import timezone, translation
from icalendar import Calendar

from events import services as event_services
from events.models import Meeting
from forum import mail
from forum.models import AccessibilityReport, OutboxMessage
from forum.services import mail_queue, outbox_deliver
from tests.factories import company_with_rep, delivered, make_meeting, make_role_holder, register_open

CITY = "Malmö stad"


# --- Deadlines ---------------------------------------------------------------------------------
@pytest.mark.django_db
def test_deadlines_are_rounded_and_never_after_the_start(forum):
    tz = timezone.get_default_timezone()
    at = lambda *args: dt.datetime(*args, tzinfo=tz)  # noqa: E731 - Stockholm wall-clock times
    meeting = make_meeting(forum, starts_at=at(2030, 5, 14, 11, 11))
    now = at(2030, 3, 12, 11, 42)
    # 14 days to answer an invitation: to the end of that day; 48 hours for an offer: up to the next hour.
    assert event_services.invitation_deadline(meeting, now) == at(2030, 3, 26, 23, 59, 59)
    assert event_services.offer_deadline(meeting, now) == at(2030, 3, 14, 12, 0)
    assert event_services.offer_deadline(meeting, at(2030, 3, 12, 11, 0)) == at(2030, 3, 14, 11, 0)
    # Across the change to summer time (30 March 2030) the hour is still a whole local hour.
    assert event_services.offer_deadline(meeting, at(2030, 3, 29, 9, 15)) == at(2030, 3, 31, 10, 0)
    # Close to the meeting: the whole hour before its start; inside that hour, the start itself.
    assert event_services.invitation_deadline(meeting, at(2030, 5, 10, 9, 0)) == at(2030, 5, 14, 11, 0)
    assert event_services.offer_deadline(meeting, at(2030, 5, 13, 8, 0)) == at(2030, 5, 14, 11, 0)
    assert event_services.offer_deadline(meeting, at(2030, 5, 14, 11, 5)) == meeting.starts_at


# --- Sender and Reply-To are stored when the mail is queued ------------------------------------
@pytest.mark.django_db
def test_sender_and_reply_to_are_stored_with_the_row_and_used_when_sent(forum, mailbox, settings):
    settings.FORUM_CITY_NAME = CITY
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    make_role_holder(forum, "coordinator", "nils@forum.example", first_name="Nils", last_name="Ekdahl")
    message = mail_queue(to="mottagare@forum.example", template="accessibility_receipt", language="en",
                         context={"report": AccessibilityReport.objects.create(description="x"),
                                  "quote_description": False, "contact_email": "t@forum.example"},
                         forum=forum)
    assert message.headers["From"] == f'"11:11 – Meet Malmö, {CITY}" <{address}>'
    assert message.headers["Reply-To"] == '"Nils Ekdahl" <nils@forum.example>'
    # Later changes of the settings and the roles do not change the mail already queued.
    settings.FORUM_CITY_NAME = "Någon annan stad"
    settings.DEFAULT_FROM_EMAIL = "Annan <annan@forum.example>"
    forum.roles.all().delete()
    assert outbox_deliver(message.pk).outcome == "sent"
    [received] = mailbox.wait_for(lambda m: "mottagare@forum.example" in m["To"])
    assert parseaddr(str(received["From"])) == (f"11:11 – Meet Malmö, {CITY}", address)
    assert parseaddr(str(received["Reply-To"])) == ("Nils Ekdahl", "nils@forum.example")


@pytest.mark.django_db
def test_reply_to_falls_back_to_the_contact_address(forum, settings):
    settings.FORUM_CITY_NAME = ""
    headers = mail.envelope(forum)
    assert mail.addresses_of(headers["Reply-To"]) == [settings.FORUM_CONTACT_EMAIL]
    # Without the setting the city is the forum's municipality; mail about no forum names the portal.
    assert parseaddr(headers["From"])[0] == "11:11 – Meet Malmö, Malmö"
    with translation.override("sv"):
        assert parseaddr(mail.envelope()["From"])[0] == "Forumportalen"



# --- The calendar file in the attendee's language ----------------------------------------------
@pytest.mark.django_db
def test_confirmation_carries_the_calendar_file_in_the_attendees_language(forum):
    meeting = make_meeting(forum, starts_at=timezone.now() + dt.timedelta(days=30))
    event_services.meeting_set_status(actor=None, meeting=meeting, status=Meeting.Status.REGISTRATION_OPEN)
    company, user = company_with_rep()
    user.language = "en"
    user.save(update_fields=["language"])
    registration = register_open(meeting, pair=(company, user))
    [confirmation] = delivered(OutboxMessage.objects.filter(template="events/confirmation", to_email=user.email))
    assert confirmation.language == "en"
    [event] = Calendar.from_ical(bytes(confirmation.attachments.get().content)).walk("VEVENT")
    assert f"Your check-in code: {registration.code}." in str(event["description"])


@pytest.mark.django_db
def test_the_forums_own_organiser_signs_its_mail(forum, settings):
    """Several municipalities can share one portal: a forum's organiser wins over the setting."""
    settings.FORUM_CITY_NAME = "Portalens stad"
    forum.organiser = "Malmö stad"
    forum.save(update_fields=["organiser"])
    assert parseaddr(mail.envelope(forum)["From"])[0] == "11:11 – Meet Malmö, Malmö stad"
    assert parseaddr(mail.envelope()["From"])[0].endswith("Portalens stad")
