"""The start page, the forum page and the error page in Chromium: axe-core finds no WCAG 2.1
A/AA violation at 1280 and 320 px, nothing scrolls sideways at 320 px (WCAG 1.4.10), and a
city's colour reaches the page under the enforced Content-Security-Policy."""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from events.models import Meeting
from forum.models import Role
from tests.csp import policy_guarded_page
from tests.factories import log_in_in_browser, make_forum, make_meeting, make_role_holder, open_with_small_pools
from tests.test_sections import confirmed_priority_list, register_open

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [1280, 320]


@pytest.fixture
def portal():
    """Two forums, coming meetings in every registration state, a confirmed priority list and
    a coordinator; long Swedish titles, as real ones are."""
    forum = make_forum(description="Stadens forum tillsammans med näringslivet för ett förstärkt, gemensamt arbete "
                                   "för social hållbarhet, med särskilt fokus på arbete och utbildning.")
    make_forum(municipality="Lund", name="Lundaforum för hållbar tillväxt", slug="lund")
    coordinator = make_role_holder(forum, Role.COORDINATOR, "samordnare@forum.example", verified_email=True,
                                   first_name="Saga")
    confirmed_priority_list(forum, ["Validering av utländsk yrkeserfarenhet på veckor i stället för månader",
                                    "Stadens upphandlingar uppdelade så att små företag kan lämna anbud",
                                    "Snabbare bygglov"])
    for days, title, status in ((20, "Tematräff 1: Vad kan staden göra för företagens utveckling?",
                                 Meeting.Status.REGISTRATION_OPEN),
                                (90, "Tematräff 2: Vad kan företagen göra för stadens utveckling?",
                                 Meeting.Status.PUBLISHED),
                                (10, "Vårträff", Meeting.Status.REGISTRATION_CLOSED)):
        meeting = make_meeting(forum, title=title, starts_at=timezone.now() + dt.timedelta(days=days),
                               venue_name="Studio Malmö", venue_address="Carlsgatan 12A, 211 20 Malmö")
        if status == Meeting.Status.REGISTRATION_OPEN:
            register_open(open_with_small_pools(meeting, size=3))
        else:
            Meeting.objects.filter(pk=meeting.pk).update(status=status)
    return forum, coordinator


def _check(page, axe, width: int) -> None:
    axe(page)
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{page.url} is {scroll_width} px wide at {width} px"


@pytest.mark.parametrize("width", WIDTHS)
def test_start_and_forum_pages_pass_axe_and_reflow(live_server, browser, axe, portal, width):
    forum, coordinator = portal
    with policy_guarded_page(browser, locale="sv-SE", viewport={"width": width, "height": 900}) as page:
        for path in ("/", forum.get_absolute_url()):
            page.goto(live_server.url + path)
            expect(page.get_by_role("link", name="Tematräff 1: Vad kan staden göra för företagens utveckling?")
                   .first).to_be_visible()
            _check(page, axe, width)
        # As the coordinator: the header menu and the forum page's work links.
        log_in_in_browser(page, live_server, coordinator)
        page.goto(live_server.url + forum.get_absolute_url())
        _check(page, axe, width)
        if width < 992:  # the header collapses behind its button below Bootstrap's lg breakpoint
            page.get_by_role("button", name="Visa eller dölj menyn").click()
        page.get_by_role("button", name=forum.name, exact=True).click()
        menu = page.get_by_role("button", name=forum.name, exact=True).locator("xpath=following-sibling::ul")
        expect(menu.get_by_role("link", name="Forumets sida")).to_be_visible()
        # The coordinator's tools: the forum page, to do, the yearly plan, handling of issues, news
        # and newsletters (coordinators communicate too), the overview of the networks, the
        # follow-up research's exports, roles.
        expect(menu.get_by_role("link")).to_have_count(9)
        expect(menu.get_by_role("link", name="Följeforskning: underlag")).to_be_visible()
        _check(page, axe, width)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize(("path", "status"), [("/finns-inte/", 404), ("/sprak/", 405)])
def test_error_pages_pass_axe(live_server, browser, axe, width, path, status):
    """The page for an address that names nothing, and for the address of a button (the language
    switch's, opened as a page)."""
    with policy_guarded_page(browser, locale="sv-SE", viewport={"width": width, "height": 900}) as page:
        response = page.goto(live_server.url + path)
        assert response.status == status
        assert page.locator("html").get_attribute("lang") == "sv"
        assert page.get_by_role("heading", level=1).count() == 1
        _check(page, axe, width)


def test_the_citys_colour_reaches_the_page_under_the_policy(live_server, page, axe, settings):
    """The colour comes as a stylesheet (no inline style): the header takes its darker shade and
    buttons the colour itself, with no CSP violation (the page fixture fails on any) and axe's
    contrast check passing."""
    settings.FORUM_BRAND_COLOUR = "#1f7a3a"
    settings.FORUM_SITE_NAME = "Meet Malmö"
    make_forum()
    page.goto(live_server.url + "/konto/login/")
    header = page.evaluate("getComputedStyle(document.querySelector('.site-header')).backgroundColor")
    assert header == "rgb(22, 85, 41)"  # #165529, the colour darkened
    button = page.locator(".btn-primary").first
    assert button.evaluate("element => getComputedStyle(element).backgroundColor") == "rgb(31, 122, 58)"
    expect(page.locator(".navbar-brand")).to_have_text("Meet Malmö")
    axe(page)
