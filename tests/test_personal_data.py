"""A person's own data: they download it, and they erase their account (DESIGN, "Rules that
always hold": a person can download their data and have it erased; aggregates stay).

Through the real pages, on the real database: the download holds the person's data and nobody
else's; erasing cancels coming seats through the booking rule (the next in line is offered the
seat), removes what names the person everywhere and keeps the rows the figures count; a role or
a network someone must take over first is named and nothing changes."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import User
from communication.models import Follower
from events.models import Registration
from forum.models import AuditEvent, OutboxMessage, Role
from issues.models import Issue, IssueSupport
from networks.models import Membership
from tests.factories import (
    PASSWORD,
    company_with_rep,
    make_meeting,
    make_registration,
    make_role_holder,
    open_with_small_pools,
    register_open,
)
from tests.network_helpers import form_network, raiser_and_issue

pytestmark = pytest.mark.django_db


def _log_in(client, user: User) -> None:
    """Log in and give the password again, as the data pages ask for it (allauth)."""
    client.force_login(user)
    response = client.get(reverse("accounts:personal_data_download"))
    assert response.status_code == 302 and response.url.startswith(reverse("account_reauthenticate"))
    assert client.post(response.url, {"password": PASSWORD}).status_code == 302


def test_the_download_holds_the_persons_data_and_nobody_elses(client, forum):
    meeting = open_with_small_pools(make_meeting(forum, title="Vårträff om kompetens"))
    mine = register_open(meeting)
    user = mine.attendee
    theirs = register_open(meeting)
    _raiser, issue = raiser_and_issue(meeting, "Fler praktikplatser för unga")
    IssueSupport.objects.create(issue=issue, person=user)
    network = form_network(forum, title="Unga i arbete")
    Membership.objects.create(network=network, person=user, name=user.get_full_name(), email=user.email,
                              status=Membership.Status.ACTIVE, organisation_name=mine.organisation.name)
    Follower.objects.create(forum=forum, email=user.email.upper(), language="sv", confirmed_at=timezone.now())

    # Without the password given again, no file.
    client.force_login(user)
    response = client.get(reverse("accounts:personal_data_download"))
    assert response.status_code == 302

    _log_in(client, user)
    response = client.get(reverse("accounts:personal_data_download"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"] and ".json" in response["Content-Disposition"]
    assert response["Cache-Control"] == "no-store"
    data = json.loads(response.content)
    text = json.dumps(data, ensure_ascii=False)
    assert data["email"] == user.email
    titles = [section["title"] for section in data["sections"]]
    assert titles[0] == "Ditt konto"
    for expected in (user.email, user.first_name, "Vårträff om kompetens", mine.organisation.name,
                     "Fler praktikplatser för unga", "Unga i arbete", forum.name):
        assert expected in text
    # The registration's confirmation mail is there, by subject.
    assert OutboxMessage.objects.filter(to_email=user.email).first().subject in text
    # Nobody else's registration, address or name.
    assert theirs.attendee.email not in text and theirs.organisation.name not in text
    assert AuditEvent.objects.filter(action="account.data_export", target_id=str(user.pk)).count() == 1


def test_erasing_an_account_gives_its_seat_to_the_next_in_line_and_keeps_no_name(client, forum):
    meeting = open_with_small_pools(make_meeting(forum), size=1)
    seated = register_open(meeting)
    user = seated.attendee
    # The open pool has one seat: the next company waits.
    waiting = register_open(meeting)
    assert waiting.status == Registration.Status.WAITING
    # A meeting already held, which the figures count.
    held = make_meeting(forum, title="Höstträff")
    held_registration = make_registration(held, seated.organisation, attendee=user, attendee_email=user.email,
                                          contact_email=user.email, dietary_needs="Vegetarisk",
                                          checked_in_at=timezone.now())
    past = timezone.now() - dt.timedelta(days=30)
    type(held).objects.filter(pk=held.pk).update(starts_at=past, ends_at=past + dt.timedelta(hours=3))
    _raiser, issue = raiser_and_issue(held, "Enklare upphandlingar")
    Issue.objects.filter(pk=issue.pk).update(raised_by=user)
    kept_support = IssueSupport.objects.create(issue=issue, person=user, registration=held_registration)
    network = form_network(forum)
    membership = Membership.objects.create(network=network, person=user, name=user.get_full_name(),
                                           email=user.email, status=Membership.Status.ACTIVE,
                                           organisation_name=seated.organisation.name)
    Follower.objects.create(forum=forum, email=user.email, language="sv", confirmed_at=timezone.now())
    address, name = user.email, user.get_full_name()

    _log_in(client, user)
    response = client.get(reverse("accounts:erase"))
    assert response.status_code == 200
    assert "Radera ditt konto" in response.content.decode()
    response = client.post(reverse("accounts:erase"), {"confirm": "on"})
    assert response.status_code == 302 and response.url == reverse("forum:home")
    assert "Ditt konto är raderat." in client.get(response.url).content.decode()
    assert "_auth_user_id" not in client.session

    assert not User.objects.filter(email=address).exists()
    # The seat was cancelled through the booking rule: the next in line is offered it.
    seated.refresh_from_db()
    waiting.refresh_from_db()
    assert seated.status == Registration.Status.CANCELLED
    assert waiting.status == Registration.Status.OFFERED
    assert OutboxMessage.objects.filter(to_email=waiting.attendee_email, status=OutboxMessage.Status.QUEUED).exists()
    # The held meeting still counts the attendance, without the person.
    held_registration.refresh_from_db()
    assert held_registration.status == Registration.Status.CONFIRMED and held_registration.checked_in_at
    assert (held_registration.attendee, held_registration.attendee_email, held_registration.attendee_name,
            held_registration.contact_email, held_registration.dietary_needs) == (None, "", "", "", "")
    assert held_registration.anonymised_at is not None
    with translation.override("sv"):  # staff lists say so rather than show an empty cell
        assert held_registration.display_attendee == "Anonymiserad"
    # The issue and the support through the registration stay, without the person.
    issue.refresh_from_db()
    kept_support.refresh_from_db()
    assert issue.raised_by is None and issue.text == "Enklare upphandlingar"
    assert kept_support.person is None
    # The membership ended and names nobody; the organisation stays for the network's figures.
    membership.refresh_from_db()
    assert membership.status == Membership.Status.ENDED and membership.ended_on == timezone.localdate()
    assert (membership.person, membership.name, membership.email) == (None, "", "")
    assert membership.organisation_name == seated.organisation.name
    assert not Follower.objects.filter(email__iexact=address).exists()
    # No mail waits for the address (the cancellation's own included), and none sent keeps it.
    assert not OutboxMessage.objects.filter(to_email__iexact=address).exists()
    # Nothing else names them.
    for registration in Registration.objects.all():
        assert address not in (registration.attendee_email, registration.contact_email)
        assert registration.attendee_name != name
    erased = AuditEvent.objects.get(action="account.erase")
    assert erased.actor is None and address not in json.dumps(erased.data)
    assert erased.data["changed"]["events"] == 2


def test_a_colleagues_seat_that_the_person_only_answered_for_stays_with_the_colleague(client, forum):
    """The person answered the company's invitation logged in (so the registration's account is
    theirs) and named a colleague to attend, with the colleague's needs: the download lists the
    place without the colleague's details, and erasing leaves the colleague their seat."""
    meeting = open_with_small_pools(make_meeting(forum), size=1)
    company, contact = company_with_rep()
    registration = make_registration(meeting, company, pool=meeting.pools.get(kind="open"), attendee=contact,
                                     contact_email=contact.email, contact_name=contact.get_full_name(),
                                     attendee_email="kollega@example.se", attendee_name="Kim Kollega",
                                     dietary_needs="Glutenfri", accessibility_needs="Hörslinga")
    _log_in(client, contact)
    text = client.get(reverse("accounts:personal_data_download")).content.decode()
    assert meeting.title in text and contact.email in text
    assert "Kim Kollega" not in text and "kollega@example.se" not in text and "Glutenfri" not in text
    assert client.post(reverse("accounts:erase"), {"confirm": "on"}).status_code == 302
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED
    assert (registration.contact_email, registration.contact_name) == ("kollega@example.se", "Kim Kollega")
    assert (registration.attendee, registration.attendee_name, registration.dietary_needs) == (
        None, "Kim Kollega", "Glutenfri")
    # Nobody was told their seat was cancelled.
    assert not OutboxMessage.objects.filter(to_email="kollega@example.se").exists()


def test_erasing_needs_the_box_ticked(client, forum):
    _company, user = company_with_rep()
    _log_in(client, user)
    response = client.post(reverse("accounts:erase"), {})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Kryssa i rutan för att bekräfta att du vill radera ditt konto." in page
    assert User.objects.filter(pk=user.pk).exists()
    assert not AuditEvent.objects.filter(action="account.erase").exists()


@pytest.mark.parametrize("who", ["coordinator", "communicator", "process_leader"])
def test_a_duty_someone_must_take_over_is_named_and_nothing_is_erased(client, forum, who):
    if who == "coordinator":
        user = make_role_holder(forum, Role.COORDINATOR, "samordnare@example.se")
        expected = "Du är samordnare för 11:11 – Meet Malmö."
    elif who == "communicator":
        user = make_role_holder(forum, Role.COMMUNICATOR, "kommunikator@example.se")
        expected = "Du har en roll i 11:11 – Meet Malmö."
    else:
        _company, user = company_with_rep()
        form_network(forum, leader=user, title="Cirkulära Malmö")
        expected = "Du är processledare för Cirkulära Malmö."
    _log_in(client, user)
    page = client.get(reverse("accounts:personal_data")).content.decode()
    assert expected in page
    response = client.get(reverse("accounts:erase"))
    assert expected in response.content.decode() and 'name="confirm"' not in response.content.decode()
    response = client.post(reverse("accounts:erase"), {"confirm": "on"})
    assert response.status_code == 400 and expected in response.content.decode()
    assert User.objects.filter(pk=user.pk).exists()


def test_the_pages_are_for_logged_in_people_and_reached_from_the_profile(client, forum):
    for name in ("accounts:personal_data", "accounts:personal_data_download", "accounts:erase"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and reverse("account_login") in response.url
    _company, user = company_with_rep()
    client.force_login(user)
    profile = client.get(reverse("accounts:profile")).content.decode()
    assert reverse("accounts:personal_data") in profile
    # The password is asked before the page (so that its link then gives the file, not a page).
    response = client.get(reverse("accounts:personal_data"))
    assert response.status_code == 302 and response.url.startswith(reverse("account_reauthenticate"))
    response = client.post(response.url, {"password": PASSWORD})
    assert response.status_code == 302 and response.url == reverse("accounts:personal_data")
    page = client.get(response.url).content.decode()
    assert f'href="{reverse("accounts:personal_data_download")}"' in page and reverse("accounts:erase") in page
    download = client.get(reverse("accounts:personal_data_download"))
    assert download.status_code == 200 and download["Content-Type"].startswith("application/json")
