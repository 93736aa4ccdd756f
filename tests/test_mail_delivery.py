"""Mail as it arrives at the SMTP sink, sent by the real Celery worker (issue 10): an invitation,
its confirmation with the calendar file, a status change of an issue and a log-in code. Each
comes from the forum (or the portal) and the city by name, with a Reply-To that reaches a
person, a text and an HTML part with the same main link. The worker runs with the settings of
the environment, not this test's: From and Reply-To reach the sink as they were stored when
the mail was queued."""
from __future__ import annotations

import datetime as dt
import re
from email.utils import getaddresses, parseaddr

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from events import services as event_services
from events.models import Meeting, SeatPool
from issues import services as issue_services
from issues.models import Issue
from tests.factories import company_with_rep, make_meeting, make_role_holder, make_user, pool_of

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

CITY = "Malmö stad"


def _parts(message) -> tuple[str, str]:
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return text, html


def _sender(message) -> tuple[str, str]:
    return parseaddr(str(message["From"]))


def _reply_to(message) -> list[str]:
    return [address for _name, address in getaddresses([str(message["Reply-To"])])]


def test_meeting_issue_and_account_mail_reach_the_sink(client, forum, mailbox, settings):
    settings.FORUM_CITY_NAME = CITY
    settings.FORUM_SITE_URL = "https://forum.malmo.example"
    make_role_holder(forum, "coordinator", "samordnare@forum.example", first_name="Nils", last_name="Ekdahl")
    meeting = make_meeting(forum, starts_at=timezone.now() + dt.timedelta(days=40), venue_name="Malmö Live",
                           agenda="11.11 Välkommen\n12.00 Lunch")
    event_services.meeting_set_status(actor=None, meeting=meeting, status=Meeting.Status.PUBLISHED)
    company, _user = company_with_rep()
    registration = event_services.invitation_create(
        actor=None, pool=pool_of(meeting, SeatPool.Kind.CITY_PICK), organisation=company,
        contact_email="kim@forum.example", contact_name="Kim Kontakt")

    # The invitation: from the forum and the city, a reply reaches the coordinator.
    [invitation] = mailbox.wait_for(lambda m: "kim@forum.example" in m["To"])
    assert _sender(invitation) == (f"11:11 – Meet Malmö, {CITY}", parseaddr(django_settings.DEFAULT_FROM_EMAIL)[1])
    assert _reply_to(invitation) == ["samordnare@forum.example"]
    assert "Vårträff" in str(invitation["Subject"])
    text, html = _parts(invitation)
    link = f"https://forum.malmo.example{reverse('events:invitation', args=[registration.token])}"
    assert link in text and f'href="{link}"' in html
    assert CITY in text.split("\n-- \n")[-1] and CITY in html

    # Accepted: the confirmation carries the calendar file of the registration.
    client.post(reverse("events:invitation", args=[registration.token]),
                {"action": "accept", "attendee_name": "Kim Kontakt", "attendee_email": "kim@forum.example",
                 "consent": "on"})
    [confirmation] = mailbox.wait_for(lambda m: "kim@forum.example" in m["To"] and m.get_content_type()
                                      == "multipart/mixed")
    registration.refresh_from_db()
    [attachment] = list(confirmation.iter_attachments())
    content = attachment.get_content()
    [event] = Calendar.from_ical(content if isinstance(content, bytes) else content.encode()).walk("VEVENT")
    assert str(event["url"]) == f"https://forum.malmo.example{meeting.get_absolute_url()}"
    assert str(event["uid"]).endswith("@forum.malmo.example")
    assert registration.code in str(event["description"]) and "12.00 Lunch" in str(event["description"])
    assert str(event["organizer"]) == f"mailto:{django_settings.FORUM_CONTACT_EMAIL}"
    assert registration.code in _parts(confirmation)[0]

    # A status change of an issue the participant raised: the issue in the subject.
    issue = issue_services.issue_create(actor=None, meeting=meeting, text="Fler praktikplatser inom bygg",
                                        side="business", registration=registration)
    issue_services.issue_set_status(actor=None, issue=issue, status=Issue.Status.RESOLVED,
                                    answer="Staden har avtal med tio byggföretag.")
    [status] = mailbox.wait_for(lambda m: "kim@forum.example" in m["To"] and "Fler praktikplatser" in str(m["Subject"]))
    assert _reply_to(status) == ["samordnare@forum.example"]
    text, html = _parts(status)
    issue_url = f"https://forum.malmo.example{issue.get_absolute_url()}"
    assert issue_url in text and f'href="{issue_url}"' in html
    assert "Staden har avtal med tio byggföretag." in text and "Staden har avtal med tio byggföretag." in html

    # A log-in code: from the portal and the city; a reply reaches the forum's contact address.
    user = make_user("ida@forum.example", first_name="Ida", verified_email=True)
    client.logout()
    client.post(reverse("account_request_login_code"), {"email": user.email})
    [code_mail] = mailbox.wait_for(lambda m: "ida@forum.example" in m["To"])
    assert _sender(code_mail)[0] == f"Forumportalen, {CITY}"
    assert _reply_to(code_mail) == [django_settings.FORUM_CONTACT_EMAIL]
    text, html = _parts(code_mail)
    code = re.search(r"^([A-Z0-9]{4}-?[A-Z0-9]{4})$", text, re.MULTILINE).group(1)
    assert code in html and "forum.malmo.example" in text
