"""A theme meeting's new time or venue reaches everyone it concerns (what people signed up for
does not change under them unannounced): through the coordinator's edit page, on PostgreSQL,
with the real Celery worker rendering the mails and the SMTP sink receiving them. The seat
holder's mail brings the updated calendar file (same UID, higher SEQUENCE); the waiting list,
the open invitation and the open offer are told too; cancelled and declined ones are not.
Seats held for invitations are released as long before the meeting as before."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from events import services as event_services
from events.calendar import meeting_ics
from events.forms import MeetingForm
from events.models import Meeting, SeatPool
from forum.fields import DATETIME_LOCAL
from forum.models import AuditEvent, OutboxMessage, Role
from tests.factories import company_with_rep, make_company, make_meeting, make_registration, make_role_holder, pool_of

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _form_data(meeting: Meeting, **changes) -> dict:
    """The edit form as the page fills it in, with ``changes``."""
    data = {}
    for name, value in MeetingForm.initial_for(meeting).items():
        if isinstance(value, dt.datetime):
            data[name] = timezone.localtime(value).strftime(DATETIME_LOCAL)
        elif isinstance(value, list):
            data[name] = [str(item.pk) for item in value]
        else:
            data[name] = value
    data.update(changes)
    return data


@pytest.fixture
def scene(forum):
    """An open meeting in 40 days at Stadshuset, with one registration in every status."""
    coordinator = make_role_holder(forum, Role.COORDINATOR, "samordnare@example.se")
    meeting = make_meeting(forum, title="Vårträff", starts_at=timezone.now() + dt.timedelta(days=40),
                           venue_name="Stadshuset", venue_address="August Palms plats 1, 205 80 Malmö")
    event_services.meeting_set_status(actor=coordinator, meeting=meeting, status=Meeting.Status.PUBLISHED)
    company, seated = company_with_rep()
    people = {"confirmed": make_registration(meeting, company, attendee=seated, attendee_email=seated.email,
                                             contact_email=seated.email)}
    for status in ("waiting", "invited", "offered", "cancelled", "declined"):
        organisation = make_company(f"{status.title()} AB")
        people[status] = make_registration(
            meeting, organisation, status=status, pool=pool_of(meeting, SeatPool.Kind.OPEN),
            contact_email=f"{status}@example.se", expires_at=timezone.now() + dt.timedelta(days=10),
            offer_expires_at=timezone.now() + dt.timedelta(hours=40),
            waiting_since=timezone.now() if status == "waiting" else None)
    return {"coordinator": coordinator, "meeting": meeting, "people": people}


def test_a_new_time_is_mailed_to_everyone_it_concerns_with_the_updated_calendar(client, scene, mailbox):
    meeting, people = scene["meeting"], scene["people"]
    holds = dict(meeting.pools.values_list("pk", "hold_until"))
    client.force_login(scene["coordinator"])
    edit = reverse("events:meeting_edit", args=[meeting.pk])
    page = client.get(edit, HTTP_ACCEPT_LANGUAGE="sv").content.decode()
    assert re.search(r"mejlar vi de 4 personer som har en plats, står på väntelistan eller har en inbjudan att "
                     r"svara på\. Mejlet visar också tid och lokal före ändringen\.|we email the 4 people who have a "
                     r"seat, are on the waiting list or have an invitation to answer\. The email also shows", page)

    new_start = timezone.localtime(meeting.starts_at + dt.timedelta(days=7)).replace(
        hour=13, minute=0, second=0, microsecond=0)
    response = client.post(edit, _form_data(meeting, starts_at=new_start.strftime(DATETIME_LOCAL),
                                             ends_at=(new_start + dt.timedelta(hours=3)).strftime(DATETIME_LOCAL)),
                           HTTP_ACCEPT_LANGUAGE="sv", follow=True)
    assert "Träffen har sparats. 4 personer får ett mejl om den nya tiden eller lokalen." in response.content.decode()

    told = {"confirmed", "waiting", "invited", "offered"}
    rows = OutboxMessage.objects.filter(template="events/changed")
    assert sorted(rows.values_list("to_email", flat=True)) == sorted(
        people[s].attendee_email or people[s].contact_email for s in told)
    audit = AuditEvent.objects.get(action="meeting.update", target_id=str(meeting.pk))
    assert audit.data == {"fields": ["ends_at", "starts_at"], "told": 4}

    # The seat holder: the new time, the old one, and the calendar file that replaces the first.
    seat = mailbox.wait_for(lambda m: people["confirmed"].attendee_email in m["To"])[-1]
    assert str(seat["Subject"]).startswith("Ny tid: Vårträff, ")
    text = seat.get_body(preferencelist=("plain",)).get_content()
    assert "Tematräffen har fått en ny tid." in text and "Före ändringen: " in text and "kl. 13:00–16:00" in text
    assert "Du har kvar din plats." in text
    [attachment] = list(seat.iter_attachments())
    content = attachment.get_content()
    [event] = Calendar.from_ical(content if isinstance(content, bytes) else content.encode()).walk("VEVENT")
    assert str(event["uid"]).startswith(f"meeting-{meeting.pk}-{people['confirmed'].pk}@")
    assert int(event["sequence"]) == 1
    assert event.decoded("dtstart") == new_start

    # The others: told, without a calendar file; each with what their registration is now.
    expected = {"waiting": "Du står kvar på väntelistan.", "invited": "Din inbjudan gäller fortfarande.",
                "offered": "Erbjudandet om plats gäller fortfarande."}
    for status, sentence in expected.items():
        [message] = mailbox.wait_for(lambda m, s=status: f"{s}@example.se" in m["To"])
        assert sentence in message.get_body(preferencelist=("plain",)).get_content()
        assert not list(message.iter_attachments())
    assert not [m for m in mailbox.messages() if "cancelled@" in m["To"] or "declined@" in m["To"]]

    # Seats held for invitations are released as long before the meeting as before.
    moved = dict(meeting.pools.values_list("pk", "hold_until"))
    shift = new_start - meeting.starts_at.replace(second=0, microsecond=0)  # to the minute, as shown
    assert all(moved[pk] - holds[pk] == shift for pk in holds)
    meeting.refresh_from_db()
    assert meeting.schedule_version == 1 and meeting.starts_at == new_start


def test_a_change_that_keeps_time_and_venue_mails_nobody(client, scene):
    meeting = scene["meeting"]
    client.force_login(scene["coordinator"])
    response = client.post(reverse("events:meeting_edit", args=[meeting.pk]),
                           _form_data(meeting, agenda="11.11 Välkommen\n12.00 Lunch", capacity="150"),
                           HTTP_ACCEPT_LANGUAGE="sv", follow=True)
    assert "Träffen har sparats." in response.content.decode()
    assert not OutboxMessage.objects.filter(template="events/changed").exists()
    meeting.refresh_from_db()
    assert (meeting.schedule_version, meeting.capacity) == (0, 150)


def test_a_held_meeting_is_corrected_for_the_record_without_mail(scene):
    """After the start nobody is told, but the meeting's calendar file still gets a newer
    version (it is downloadable from the meeting's page)."""
    meeting = scene["meeting"]
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() - dt.timedelta(days=2),
                                                 ends_at=timezone.now() - dt.timedelta(days=2, hours=-3))
    meeting.refresh_from_db()
    event_services.meeting_update(actor=scene["coordinator"], meeting=meeting, venue_name="Malmö Live")
    assert not OutboxMessage.objects.filter(template="events/changed").exists()
    meeting.refresh_from_db()
    assert (meeting.venue_name, meeting.schedule_version) == ("Malmö Live", 1)
    [event] = Calendar.from_ical(meeting_ics(meeting)).walk("VEVENT")
    assert int(event["sequence"]) == 1 and "Malmö Live" in str(event["location"])


def test_a_meeting_moved_earlier_brings_open_answer_by_times_forward(scene):
    """No answer-by time falls after the start of the meeting: an invitation open for ten more
    days, of a meeting moved to five days from now, must be answered by the whole hour before
    its new start; an offer that ends before it keeps its time."""
    meeting, people = scene["meeting"], scene["people"]
    offer_ends = people["offered"].offer_expires_at
    new_start = timezone.localtime(timezone.now() + dt.timedelta(days=5)).replace(
        hour=11, minute=11, second=0, microsecond=0)
    event_services.meeting_update(actor=scene["coordinator"], meeting=meeting, starts_at=new_start,
                                  ends_at=new_start + dt.timedelta(hours=3))
    people["invited"].refresh_from_db()
    people["offered"].refresh_from_db()
    assert people["invited"].expires_at == new_start.replace(minute=0)
    assert people["offered"].offer_expires_at == offer_ends
    assert OutboxMessage.objects.filter(template="events/changed").count() == 4


def test_seats_in_total_cannot_drop_below_the_seats_given_out(client, scene):
    """As a pool cannot shrink below its seats: the confirmed and the offered seat stay theirs,
    the page says why, and nothing of the submission is saved (nor mailed)."""
    meeting = scene["meeting"]
    client.force_login(scene["coordinator"])
    response = client.post(reverse("events:meeting_edit", args=[meeting.pk]),
                           _form_data(meeting, capacity="1", venue_name="Malmö Live"), HTTP_ACCEPT_LANGUAGE="sv")
    assert response.status_code == 400
    assert "Träffen har redan 2 bekräftade eller erbjudna platser och kan inte ha färre." in response.content.decode()
    meeting.refresh_from_db()
    assert (meeting.capacity, meeting.venue_name, meeting.schedule_version) == (120, "Stadshuset", 0)
    assert not OutboxMessage.objects.filter(template="events/changed").exists()


def test_a_meeting_set_back_to_draft_is_changed_without_mail(client, scene):
    """A draft is seen by nobody but its coordinators (its personal links act as if it did not
    exist), so its new venue is not mailed either, and its edit page promises no mail."""
    meeting = scene["meeting"]
    event_services.meeting_set_status(actor=scene["coordinator"], meeting=meeting, status=Meeting.Status.DRAFT)
    client.force_login(scene["coordinator"])
    edit = reverse("events:meeting_edit", args=[meeting.pk])
    assert "får ett mejl om ändringen" not in client.get(edit, HTTP_ACCEPT_LANGUAGE="sv").content.decode()
    client.post(edit, _form_data(meeting, venue_name="Malmö Live"), HTTP_ACCEPT_LANGUAGE="sv")
    meeting.refresh_from_db()
    assert (meeting.venue_name, meeting.schedule_version) == ("Malmö Live", 1)
    assert not OutboxMessage.objects.filter(template="events/changed").exists()


def test_a_registration_cancelled_before_its_change_mail_is_sent_is_not_told_its_seat_is_kept(scene):
    """The worker renders the mail when it sends it, from the registration as it is then: a
    seat cancelled in between gets no calendar file and no "your seat is kept"."""
    from events.services.base import meeting_change_mail
    from forum import mail

    seat = scene["people"]["confirmed"]
    args = {"registration": seat.pk, "changed": ["venue"],
            "previous": {"starts_at": scene["meeting"].starts_at.isoformat(),
                         "ends_at": scene["meeting"].ends_at.isoformat(), "venue_name": "Stadshuset",
                         "venue_address": ""}}
    template, context, attachments = meeting_change_mail(args)
    assert template == "events/changed" and len(attachments) == 1
    seat.status = "cancelled"
    seat.save(update_fields=["status"])
    template, context, attachments = meeting_change_mail(args)
    text = mail.render(f"email/{template}", context, language="sv", forum=scene["meeting"].forum).text
    assert attachments == [] and "Du har kvar din plats" not in text
    assert "Din anmälan till träffen gäller inte längre, så du behöver inte göra något." in text
    assert "Lokal före ändringen: Stadshuset." in text
