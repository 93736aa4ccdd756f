"""Issue 9, item 4 in Chromium: a refused form moves focus to its error summary, whose links lead
to the invalid fields; wide tables scroll in a region a keyboard reaches, and the page itself
does not scroll sideways at 320 px; fields and header links show the portal's focus ring; at
200 % text the coordinator's header menu wraps instead of widening the page; the meeting tabs,
checkboxes and progress bars take the portal's colour. All under the enforced
Content-Security-Policy (the page fixtures fail on any violation)."""
from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from events.models import Meeting
from forum.models import Role
from issues import services as issue_services
from issues.models import Vote
from tests.csp import policy_guarded_page
from tests.factories import log_in_in_browser, make_forum, make_meeting, make_role_holder, open_with_small_pools
from tests.test_voting import make_candidates, make_voter

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FOCUS_RING = "rgb(255, 191, 71)"  # #ffbf47, static/css/forum.css
PORTAL_BLUE = "rgb(11, 74, 139)"  # #0b4a8b


def focused(page, script: str = "el => el"):
    return page.evaluate(f"(() => {{ const el = document.activeElement; return ({script})(el); }})()")


@pytest.fixture
def coordinator_page(live_server, page):
    forum = make_forum()
    coordinator = make_role_holder(forum, Role.COORDINATOR, "samordnare@forum.example", verified_email=True,
                                   first_name="Saga")
    log_in_in_browser(page, live_server, coordinator)
    return forum, page


def test_a_refused_form_focuses_its_summary_whose_links_lead_to_the_fields(live_server, coordinator_page, axe):
    forum, page = coordinator_page
    page.goto(live_server.url + reverse("events:meeting_create", args=[forum.slug]))
    page.get_by_role("button", name="Skapa träff").click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_visible()
    assert focused(page, "el => el.hasAttribute('data-error-summary')")
    # A field's link moves focus to it; the field says it is invalid and which message describes it.
    link = summary.locator("a[href='#id_title']")
    link.click()
    assert focused(page, "el => el.id") == "id_title"
    title = page.locator("#id_title")
    expect(title).to_have_attribute("aria-invalid", "true")
    described = title.get_attribute("aria-describedby").split()
    assert "id_title_error" in described and page.locator("#id_title_error").is_visible()
    # Its accessible description is the message.
    description = page.evaluate("""() => document.getElementById('id_title').getAttribute('aria-describedby')
        .split(' ').map(id => document.getElementById(id).textContent.trim()).join(' ')""")
    assert description
    axe(page)


def test_a_refused_ballot_focuses_the_summary_and_marks_the_clashing_places(live_server, page, axe):
    forum = make_forum()
    meeting = make_meeting(forum, kind=Meeting.Kind.PRIORITISATION)
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.REGISTRATION_CLOSED)
    candidates = make_candidates(meeting, ["Snabbare bygglov", "Fler praktikplatser", "Bättre kollektivtrafik"])
    coordinator = make_role_holder(forum, Role.COORDINATOR, "samordnare@example.se")
    vote = issue_services.vote_create(actor=coordinator, meeting=meeting, title="Prioritering",
                                      candidates=candidates, method=Vote.Method.SCHULZE)
    issue_services.vote_open(actor=coordinator, vote=vote)
    user, _registration = make_voter(meeting, verified_email=True)
    log_in_in_browser(page, live_server, user)
    page.goto(live_server.url + reverse("issues:ballot", args=[vote.pk]))
    first, second = (page.locator(f"#id_c{issue.pk}") for issue in candidates[:2])
    first.select_option("1")
    second.select_option("1")
    page.locator("#cast-ballot").click()
    expect(page.locator("[data-error-summary]")).to_be_visible()
    assert focused(page, "el => el.hasAttribute('data-error-summary')")
    for field in (first, second):
        expect(field).to_have_attribute("aria-invalid", "true")
    expect(page.locator(f"#id_c{candidates[2].pk}")).not_to_have_attribute("aria-invalid", "true")
    page.locator(f"[data-error-summary] a[href='#id_c{candidates[1].pk}']").click()
    assert focused(page, "el => el.id") == f"id_c{candidates[1].pk}"
    axe(page)


def test_wide_tables_scroll_in_a_keyboard_region_and_the_page_reflows_at_320(live_server, browser, axe):
    """The coordinator's meeting overview at 320 px: the page is no wider than the window; the
    pool table's box is reached by Tab, named by its caption, and scrolls with the arrow keys."""
    forum = make_forum()
    coordinator = make_role_holder(forum, Role.COORDINATOR, "samordnare@forum.example", verified_email=True)
    meeting = open_with_small_pools(make_meeting(forum, title="Tematräff 1: Vad kan staden göra för företagens "
                                                            "utveckling?"))
    with policy_guarded_page(browser, locale="sv-SE", viewport={"width": 320, "height": 800}) as page:
        log_in_in_browser(page, live_server, coordinator)
        page.goto(live_server.url + reverse("events:meeting_manage", args=[meeting.pk]))
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
        region = page.get_by_role("region", name="Platspooler")
        expect(region).to_have_attribute("tabindex", "0")
        assert region.evaluate("el => el.scrollWidth > el.clientWidth"), "the table should be wider than 320 px"
        # Tab from the last button before the table reaches the table's box.
        page.locator(f"form[action='{reverse('events:meeting_status', args=[meeting.pk])}'] button").last.focus()
        page.keyboard.press("Tab")
        assert focused(page, "el => el.getAttribute('aria-labelledby')") == region.get_attribute("aria-labelledby")
        assert focused(page, "el => getComputedStyle(el).outlineColor") == FOCUS_RING
        page.keyboard.press("ArrowRight")
        page.keyboard.press("ArrowRight")
        page.wait_for_function("el => el.scrollLeft > 0", arg=region.element_handle())
        axe(page)


def test_fields_and_header_links_show_the_focus_ring(live_server, page):
    make_forum()
    page.goto(live_server.url + "/konto/login/")
    page.keyboard.press("Tab")  # the skip link
    page.get_by_label("E-post").focus()
    style = focused(page, "el => [getComputedStyle(el).outlineStyle, getComputedStyle(el).outlineWidth, "
                          "getComputedStyle(el).outlineColor]")
    assert style == ["solid", "3px", FOCUS_RING]
    page.locator(".site-header .nav-link").first.focus()
    page.keyboard.press("Tab")
    assert focused(page, "el => el.closest('.site-header') !== null && el.classList.contains('nav-link')")
    assert focused(page, "el => getComputedStyle(el).outlineColor") == FOCUS_RING
    assert focused(page, "el => getComputedStyle(el).outlineStyle") == "solid"


def test_header_menu_wraps_at_200_percent_text(live_server, coordinator_page):
    """Text at 200 % (the root font size doubled, as the browser's text-size setting does): the
    coordinator's header menu wraps inside the window, the language button stays on the header."""
    forum, page = coordinator_page
    page.goto(live_server.url + forum.get_absolute_url())
    page.evaluate("document.documentElement.style.fontSize = '200%'")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    button = page.locator(".language-form button").bounding_box()
    header = page.locator(".site-header").bounding_box()
    assert header["x"] <= button["x"] and button["x"] + button["width"] <= header["x"] + header["width"]
    assert header["y"] <= button["y"] and button["y"] + button["height"] <= header["y"] + header["height"]


def test_meeting_tabs_and_controls_take_the_portals_colour(live_server, coordinator_page):
    forum, page = coordinator_page
    meeting = open_with_small_pools(make_meeting(forum))
    page.goto(live_server.url + reverse("events:meeting_manage", args=[meeting.pk]))
    nav = page.get_by_role("navigation", name="Hantera träffen")
    active = nav.locator("[aria-current='page']")
    expect(active).to_have_text("Översikt")
    assert active.evaluate("el => getComputedStyle(el).borderBottomColor") == PORTAL_BLUE
    # Thirteen tabs became one row of eight (the documentation and survey among them) and a row of tools.
    assert nav.locator(".meeting-tabs a").count() == 8
    assert page.locator("progress").first.evaluate("el => getComputedStyle(el).accentColor") == PORTAL_BLUE


def test_triage_queue_fits_1280_with_the_issue_widest(live_server, coordinator_page):
    """The coordinator's triage queue at 1280 px: the table needs no sideways scrolling, the
    issue is the widest column and a meeting shows as a short label on one line."""
    import datetime as dt

    from django.utils import timezone

    from forum.models import Organisation
    from issues.models import Issue

    forum, page = coordinator_page
    meeting = make_meeting(forum, title="Tematräff 2: Vad kan företagen göra för stadens utveckling? 2025",
                           starts_at=timezone.make_aware(dt.datetime(2025, 9, 9, 11, 11)))
    department = Organisation.objects.create(kind=Organisation.Kind.DEPARTMENT,
                                             name="Arbetsmarknads- och socialförvaltningen")
    areas = list(forum.focus_areas.order_by("position"))
    for n, area in enumerate(areas):
        Issue.objects.create(forum=forum, meeting=meeting, focus_area=area, side="business", department=department,
                             status=Issue.Status.QUICK_FIX, due_date=timezone.localdate() - dt.timedelta(days=n),
                             text=f"Tydligare information om vilka tillstånd en restaurang behöver, del {n}")
    page.goto(live_server.url + reverse("issues:triage_queue", args=[forum.slug]))
    region = page.locator(".table-scroll")
    assert region.evaluate("el => el.scrollWidth <= el.clientWidth")
    widths = page.evaluate("() => Array.from(document.querySelectorAll('.triage-table thead th'), "
                           "th => th.getBoundingClientRect().width)")
    assert widths[0] == max(widths)
    label = page.locator(".triage-table td.col-meeting").first
    expect(label).to_have_text("Tematräff 2 · 2025")
    # One line: the text's own box is one line high (the cell is as high as its row).
    assert label.evaluate("el => { const r = document.createRange(); r.selectNodeContents(el); "
                          "return r.getBoundingClientRect().height; }") < 30


def test_bulk_invitation_page_updates_its_mail_counts_in_place(live_server, coordinator_page, axe):
    """Issue 13, item 7: the bulk invitation's page polls its status and updates the progress
    and the mail counts where they stand (no reload that would move a screen reader's place),
    then stops polling once the batch is done and no mail is on its way."""
    from events.models import InvitationBatch, SeatPool
    from forum.models import OutboxMessage
    from tests.factories import pool_of

    forum, page = coordinator_page
    meeting = open_with_small_pools(make_meeting(forum, title="Tematräff 5: Utskick"))
    batch = InvitationBatch.objects.create(meeting=meeting, pool=pool_of(meeting, SeatPool.Kind.CITY_PICK),
                                           total=3, done=1, status=InvitationBatch.Status.RUNNING)
    page.goto(live_server.url + reverse("events:batch_progress", args=[meeting.pk, batch.pk]))
    expect(page.locator("[data-progress-text]")).to_contain_text("1 av 3")
    axe(page)
    batch.done, batch.status = 3, InvitationBatch.Status.DONE
    batch.save()
    for n, status in enumerate([OutboxMessage.Status.SENT, OutboxMessage.Status.SENT, OutboxMessage.Status.FAILED]):
        OutboxMessage.objects.create(to_email=f"rep{n}@utskick.example", language="sv", subject="Inbjudan",
                                     body_text="…", status=status, forum=forum, send_group=batch.send_group)
    expect(page.locator('[data-count="sent"]')).to_have_text("2", timeout=15_000)
    expect(page.locator('[data-count="failed"]')).to_have_text("1")
    expect(page.locator("[data-progress-text]")).to_contain_text("3 av 3")
    expect(page.locator("[data-progress-state]")).to_have_text("Klart.")
    assert page.evaluate("document.getElementById('batch-progress').value") == 3
    page.reload()
    expect(page.get_by_role("button", name="Försök igen med de mejl som inte gick fram")).to_be_visible()
    axe(page)


# What sticks out on the right of the window (named in the assertion message when a page is too wide).
STICKING_OUT = """width => Array.from(document.querySelectorAll('main *'))
  .filter(e => e.getBoundingClientRect().right > width + 1)
  .slice(-3).map(e => e.tagName.toLowerCase() + '.' + [...e.classList].join('.'))"""


def _fits(page, width: int = 320) -> None:
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{page.url} is {scroll_width} px wide: {page.evaluate(STICKING_OUT, width)}"


def test_one_long_word_wraps_at_320_in_the_list_the_message_and_a_merge_candidate(live_server, browser, axe):
    """A company name typed as one 60-letter word (the person's organisations: the list row with
    its button, and the message after claiming it) and an issue keyed in as one 2,000-letter
    word (the triage page's merge candidates, cut to 150 characters) wrap inside 320 px
    instead of pushing the page sideways (WCAG 1.4.10)."""
    from issues.models import Issue
    from tests.factories import make_company, make_representative

    forum = make_forum()
    name = "Stadsutvecklingsbolagsfastighetsförvaltningsaktiebolagetimalmö"[:60]
    assert len(name) == 60
    company = make_company(name)
    rep = make_representative(make_company("Egna AB"), "foretag@forum.example", verified_email=True)
    coordinator = make_role_holder(forum, Role.COORDINATOR, "samordnare@forum.example", verified_email=True)
    meeting = make_meeting(forum)
    area = forum.focus_areas.order_by("position").first()
    issue = Issue.objects.create(forum=forum, meeting=meeting, focus_area=area, side="business",
                                 text="Snabbare bygglov för små företag")
    Issue.objects.create(forum=forum, meeting=meeting, focus_area=area, side="business", text="ö" * 2000)
    with policy_guarded_page(browser, locale="sv-SE", viewport={"width": 320, "height": 800}) as page:
        log_in_in_browser(page, live_server, rep)
        page.goto(live_server.url + reverse("accounts:organisations"))
        page.get_by_label("Organisationsnummer").fill(company.organisationsnummer)
        page.get_by_label("Din titel").fill("Inköpare")
        page.locator("main").get_by_role("button", name="Lägg till", exact=True).click()
        expect(page.locator(".messages .alert")).to_contain_text(name)
        expect(page.locator(".list-group-item").filter(has_text=name)).to_be_visible()
        _fits(page)
        axe(page)
    with policy_guarded_page(browser, locale="sv-SE", viewport={"width": 320, "height": 800}) as page:
        log_in_in_browser(page, live_server, coordinator)
        page.goto(live_server.url + reverse("issues:issue_manage", args=[issue.pk]))
        expect(page.locator("label.form-check-label").filter(has_text="ööööö")).to_be_visible()
        _fits(page)
