"""Capturing issues in Chromium against the live server: a participant on a phone raises an
issue with the keyboard and supports another; the key-in page and the room screen pass axe;
the room screen picks up a new issue without reloading. Names are matched in Swedish or
English so the flow is checked whatever the state of the merged catalogue."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from events.models import Meeting
from forum.models import Role
from issues import services
from issues.models import Issue, IssueSupport, Side
from tests.factories import (
    company_with_rep,
    log_in_in_browser,
    make_meeting,
    make_registration,
    make_role_holder,
    verify_email,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def name(sv: str, en: str) -> re.Pattern:
    return re.compile(rf"{re.escape(sv)}|{re.escape(en)}")


@pytest.fixture
def meeting(forum):
    meeting = make_meeting(forum, focus_areas=forum.focus_areas.all())
    meeting.status = Meeting.Status.HELD
    meeting.save()
    return meeting


@pytest.fixture
def facilitator(forum):
    return make_role_holder(forum, Role.FACILITATOR, "processledare@forum.example", verified_email=True)


def test_participant_raises_and_supports_issues_on_a_phone(live_server, phone_page, axe, meeting):
    company, user = company_with_rep(verified_email=True)
    registration = make_registration(meeting, company, attendee=user)
    other = services.issue_create(actor=None, meeting=meeting, text="Fler praktikplatser i staden",
                                  side=Side.CITY, focus_area=meeting.forum.focus_areas.first(), keyed_in=True)
    log_in_in_browser(phone_page, live_server, user)
    phone_page.goto(live_server.url + meeting.get_absolute_url())
    phone_page.get_by_role("link", name=name("Frågor: ta upp och stöd", "Issues: raise and support")).click()
    phone_page.wait_for_url(re.compile(r"/fragor/$"))
    expect(phone_page.get_by_role("heading", level=1)).to_have_text(name("Frågor", "Issues"))
    axe(phone_page)

    # Typed and submitted with the keyboard (the select is set directly: native pickers differ).
    phone_page.get_by_label(name("Din fråga", "Your issue")).click()
    phone_page.keyboard.type("Svårt att hitta lokaler för praktik")
    focus = meeting.forum.focus_areas.order_by("position").first()
    phone_page.get_by_label(name("Fokusområde", "Focus area")).select_option(str(focus.pk))
    phone_page.get_by_label(name("Visa min fråga anonymt", "Show my issue anonymously")).focus()
    phone_page.keyboard.press("Space")
    phone_page.get_by_role("button", name=name("Ta upp frågan", "Raise the issue")).focus()
    phone_page.keyboard.press("Enter")
    phone_page.wait_for_load_state()
    expect(phone_page.get_by_text("Svårt att hitta lokaler för praktik")).to_be_visible()
    issue = Issue.objects.get(raised_by=user)
    assert issue.raised_by_registration == registration and issue.anonymous and issue.side == Side.BUSINESS

    phone_page.get_by_role("button", name=name("Jag också", "Me too")).click()
    phone_page.wait_for_load_state()
    expect(phone_page.locator(f"#issue-{other.pk}")).to_contain_text(name("Du stöder frågan", "You support this issue"))
    assert IssueSupport.objects.filter(issue=other, person=user).exists()
    # The phone_page fits the phone: nothing scrolls sideways.
    assert phone_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    axe(phone_page)


def test_key_in_and_room_screen_pass_axe_and_the_screen_updates_itself(live_server, page, axe, meeting,
                                                                       facilitator):
    log_in_in_browser(page, live_server, facilitator)
    page.goto(f"{live_server.url}/tematraff/{meeting.pk}/fragor/skriv-in/")
    expect(page.locator("textarea")).to_be_focused()
    page.keyboard.type("Bättre belysning vid hållplatsen")
    page.get_by_label(name("Fokusområde", "Focus area")).select_option(index=1)
    page.get_by_label(name("Staden", "The city")).check()
    page.get_by_role("button", name=name("Spara och skriv in nästa", "Save and key in the next")).click()
    page.wait_for_load_state()
    expect(page.locator("textarea")).to_be_focused()
    expect(page.get_by_label(name("Staden", "The city"))).to_be_checked()
    axe(page)

    page.goto(f"{live_server.url}/tematraff/{meeting.pk}/fragor/skarm/")
    expect(page.get_by_text("Bättre belysning vid hållplatsen")).to_be_visible()
    axe(page)

    company, rep = company_with_rep()
    verify_email(rep)
    registration = make_registration(meeting, company, attendee=rep)
    services.issue_create(actor=rep, meeting=meeting, registration=registration, text="Ny fråga från salen",
                          side=Side.BUSINESS, focus_area=meeting.forum.focus_areas.first(), anonymous=True)
    expect(page.get_by_text("Ny fråga från salen")).to_be_visible(timeout=10_000)
    assert company.name not in page.content()
    # The newest comes first.
    expect(page.locator(".screen-issue").first).to_contain_text("Ny fråga från salen")
