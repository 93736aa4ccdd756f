"""Participation in Chromium against the live server, with the real worker and SMTP sink:
answering an invitation from the mailed link, and registering, waiting, and accepting an
offer. Names are matched in Swedish or English so the flow is checked whatever the state of
the merged catalogue; the Swedish wording itself is asserted in tests/test_participation.py."""
from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest

from events import services
from events.models import Registration, SeatPool
from tests.factories import company_with_rep, log_in_in_browser, make_meeting, open_with_small_pools

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def name(sv: str, en: str) -> re.Pattern:
    return re.compile(rf"{re.escape(sv)}|{re.escape(en)}")


@pytest.fixture
def meeting(forum):
    return open_with_small_pools(make_meeting(
        forum, theme="Kompetensförsörjning", focus_areas=forum.focus_areas.all(),
        venue_name="Malmö Live", venue_address="Dag Hammarskjölds torg 4", venue_accessibility="Hiss finns.",
    ))


def path_of(mailbox, msg, fragment: str) -> str:
    [link] = [url for url in mailbox.links(msg) if fragment in url]
    return urlparse(link).path


def test_accept_an_invitation_from_the_mailed_link(live_server, page, mailbox, axe, meeting):
    company, _rep = company_with_rep(verified_email=True)
    registration = services.invitation_create(
        actor=None, pool=meeting.pools.get(kind=SeatPool.Kind.CITY_PICK), organisation=company,
        contact_email="inbjuden@forum.example", contact_name="Ines Inbjuden",
    )
    [invitation] = mailbox.wait_for(lambda m: "inbjuden@forum.example" in m["To"])
    page.goto(live_server.url + path_of(mailbox, invitation, "/inbjudan/"))
    assert company.name in page.content()
    axe(page)

    page.get_by_label(name("Specialkost", "Dietary needs")).fill("Vegetarisk")
    page.get_by_label(name("Jag godkänner", "I agree")).check()
    page.get_by_role("button", name=name("Tacka ja", "Accept the invitation")).click()
    page.wait_for_load_state()
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED
    assert registration.code in page.content()
    axe(page)

    [confirmation] = mailbox.wait_for(
        lambda m: "inbjuden@forum.example" in m["To"] and any(True for _ in m.iter_attachments())
    )
    assert registration.code in mailbox.body_text(confirmation)


def test_register_wait_and_accept_the_offer(live_server, page, mailbox, axe, meeting):
    # The open pool (2 seats) is full; the city's seats are held for weeks yet.
    others = []
    for _ in range(2):
        other_company, other_user = company_with_rep(verified_email=True)
        others.append(services.registration_open_create(
            actor=other_user, meeting=meeting, organisation=other_company, attendee_name="Annan",
            attendee_email=other_user.email, consent=True,
        ))
    company, user = company_with_rep(verified_email=True)

    log_in_in_browser(page, live_server, user)

    page.goto(live_server.url + meeting.get_absolute_url())
    assert page.locator("h1").inner_text() == "Vårträff"
    axe(page)
    page.get_by_role("link", name=name("Anmäl", "Register")).click()
    page.wait_for_url(re.compile(r"/anmal/$"))
    axe(page)
    assert page.get_by_label(name("e-postadress", "email address")).input_value() == user.email
    page.get_by_label(name("Jag godkänner", "I agree")).check()
    page.get_by_role("button", name=name("Skicka anmälan", "Send registration")).click()
    page.wait_for_url(re.compile(r"/mina-anmalningar/$"))
    assert re.search(r"(nummer|number) 1", page.content())
    axe(page)
    registration = Registration.objects.get(organisation=company)
    assert registration.status == Registration.Status.WAITING

    # Another company cancels: the seat is offered to the first in line at once, by mail.
    services.registration_cancel(registration_id=others[0].pk, user=None)
    [offer] = mailbox.wait_for(
        lambda m: user.email in m["To"] and re.search("ledig plats|seat is free", m["Subject"], re.IGNORECASE)
    )
    page.goto(live_server.url + path_of(mailbox, offer, "/inbjudan/"))
    axe(page)
    page.get_by_role("button", name=name("Tacka ja till platsen", "Accept the seat")).click()
    page.wait_for_load_state()
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED
    assert registration.code in page.content()

    page.goto(live_server.url + "/mina-anmalningar/")
    assert registration.code in page.content()
    axe(page)


def test_a_coordinator_moves_the_venue_and_the_attendee_is_told(live_server, page, mailbox, axe, meeting):
    """The edit page says beforehand who will be mailed; the change is made with the keyboard
    alone; the page says how many were told; the seat holder's mail says the venue before."""
    from forum.models import Role
    from tests.factories import make_registration, make_role_holder

    coordinator = make_role_holder(meeting.forum, Role.COORDINATOR, "samordnare@forum.example", verified_email=True)
    services.meeting_set_status(actor=coordinator, meeting=meeting, status="published")
    company, rep = company_with_rep(verified_email=True)
    make_registration(meeting, company, attendee=rep, attendee_email="plats@forum.example",
                      contact_email="plats@forum.example")
    log_in_in_browser(page, live_server, coordinator)
    page.goto(live_server.url + f"/tematraff/{meeting.pk}/redigera/")
    note = page.get_by_text(re.compile(r"mejlar vi 1 person som har en plats|1 person who has a seat"))
    assert note.is_visible()
    axe(page)

    venue = page.get_by_role("textbox", name=re.compile(r"^(Lokal|Venue)$"))
    venue.focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("Stadshuset")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/hantera/$"))
    assert page.get_by_text(re.compile(r"1 person får ett mejl|1 person gets an email")).is_visible()
    axe(page)

    [told] = mailbox.wait_for(lambda m: "plats@forum.example" in m["To"] and "Stadshuset" in mailbox.body_text(m))
    assert re.search(r"Lokal före ändringen: Malmö Live, Dag Hammarskjölds torg 4\.|"
                     r"Venue before the change: Malmö Live, Dag Hammarskjölds torg 4\.", mailbox.body_text(told))
