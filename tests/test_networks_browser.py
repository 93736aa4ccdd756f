"""Networks in Chromium against the live server, with the real worker and SMTP sink: a person
asks to join, the process leader approves, writes a progress update and it reaches the new
member's mailbox; the network page and the annual report have no axe violations."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from django.conf import settings
from django.utils import timezone

from events.models import Meeting
from forum.models import Role
from networks.models import Membership
from tests.csp import policy_guarded_page
from tests.factories import (
    PASSWORD,
    log_in_in_browser,
    make_company,
    make_meeting,
    make_representative,
    make_role_holder,
)
from tests.network_helpers import form_network


def english(page, live_server) -> None:
    """Show the pages in English (the new texts' Swedish is in i18n-pending until merged)."""
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url}])


pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_ask_to_join_be_approved_and_receive_an_update(live_server, page, browser, mailbox, axe, forum):
    coordinator = make_role_holder(forum, Role.COORDINATOR, "samordnare@example.se")
    leader = make_representative(make_company("Ledarbolaget AB"), "ledare@example.se", first_name="Lea",
                                 last_name="Ledare", verified_email=True)
    network = form_network(forum, coordinator=coordinator, leader=leader, title="Unga i arbete")
    member = make_representative(make_company("Medlemsbolaget AB"), "medlem@example.se", first_name="Mia",
                                 last_name="Medlem", verified_email=True)

    log_in_in_browser(page, live_server, member)
    english(page, live_server)
    page.goto(live_server.url + network.get_absolute_url())
    axe(page)
    page.get_by_label("Why you want to join (optional)").fill("Vi anställer unga.")
    page.get_by_role("button", name="Ask to join").click()
    page.wait_for_url(live_server.url + network.get_absolute_url())
    request_ = Membership.objects.get(person=member)
    assert (request_.status, request_.organisation_name) == ("requested", "Medlemsbolaget AB")
    mailbox.wait_for(lambda m: "ledare@example.se" in m["To"] and "Mia Medlem" in str(m["Subject"]))

    with policy_guarded_page(browser, locale="sv-SE", viewport={"width": 1280, "height": 900}) as leader_page:
        log_in_in_browser(leader_page, live_server, leader)
        english(leader_page, live_server)
        leader_page.goto(live_server.url + f"/natverk/{network.pk}/medlemmar/")
        axe(leader_page)
        leader_page.get_by_role("button", name=re.compile("^Approve")).click()
        leader_page.wait_for_url(re.compile(r"/medlemmar/$"))
        request_.refresh_from_db()
        assert request_.status == "active"
        mailbox.wait_for(lambda m: "medlem@example.se" in m["To"])
        leader_page.goto(live_server.url + f"/natverk/{network.pk}/lagesrapport/ny/")
        leader_page.get_by_role("textbox", name=re.compile(r"Title")).fill("Tio nya praktikplatser")
        leader_page.get_by_role("textbox", name=re.compile(r"Text")).fill("Vi har nu tio platser hos fem företag.")
        leader_page.get_by_role("button", name="Publish the update").click()
        leader_page.wait_for_url(re.compile(r"/natverk/\d+/"))

    [update] = mailbox.wait_for(lambda m: "medlem@example.se" in m["To"] and "Tio nya praktikplatser" in str(
        m["Subject"]))
    assert "Vi har nu tio platser hos fem företag." in mailbox.body_text(update)
    page.reload()
    assert page.get_by_text("Tio nya praktikplatser").is_visible()


def test_report_and_dashboard_pages_have_no_axe_violations(live_server, page, axe, forum):
    coordinator = make_role_holder(forum, Role.COORDINATOR, "samordnare@example.se", verified_email=True)
    network = form_network(forum, coordinator=coordinator, title="Unga i arbete")
    from networks import services

    leader = network.memberships.get().person
    services.action_create(actor=leader, network=network, text="Sen åtgärd", due_date=dt.date(2020, 1, 1),
                           now=dt.datetime(2019, 12, 1, tzinfo=dt.UTC))  # written before it was due
    log_in_in_browser(page, live_server, coordinator, PASSWORD)
    year = dt.date.today().year
    for path in (f"/forum/{forum.slug}/arsrapport/{year}/", f"/forum/{forum.slug}/utvardering/",
                 f"/forum/{forum.slug}/natverk/oversikt/", f"/forum/{forum.slug}/natverk/budget/",
                 f"/forum/{forum.slug}/natverk/", f"/forum/{forum.slug}/natverk/nytt/",
                 network.get_absolute_url(), f"/natverk/{network.pk}/andra/"):
        page.goto(live_server.url + path)
        axe(page)


# Every text of every chart on the page, as the browser lays it out, against its picture's width.
_CHART_TEXT_OUTSIDE = """() => [...document.querySelectorAll("svg.report-chart")].flatMap(svg => {
    const width = svg.viewBox.baseVal.width;
    return [...svg.querySelectorAll("text")].map(t => t.getBBox())
        .filter(box => box.x < 0 || box.x + box.width > width + 0.5)
        .map(box => [box.x, box.width, width]);
})"""


def test_chart_labels_fit_inside_their_pictures(live_server, page, forum):
    """The annual report's charts, laid out by Chromium: no label or number is cut at the
    picture's edge, not even a meeting's long title (it was, at the left edge)."""
    coordinator = make_role_holder(forum, Role.COORDINATOR, "samordnare@example.se", verified_email=True)
    starts_at = timezone.now() - dt.timedelta(hours=5)
    meeting = make_meeting(forum, title="Tematräff 1: Vad kan staden göra för företagens utveckling? 2025",
                           starts_at=starts_at)
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.HELD)
    log_in_in_browser(page, live_server, coordinator, PASSWORD)
    for width in (1280, 320):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(live_server.url + f"/forum/{forum.slug}/arsrapport/{timezone.localdate(starts_at).year}/")
        assert page.locator("svg.report-chart").count() >= 2
        assert page.evaluate(_CHART_TEXT_OUTSIDE) == []
