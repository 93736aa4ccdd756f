"""Issue 9, items 4 and 5 on the server side: the accessible patterns every template uses (the
error summary, scroll regions for wide tables, lang="sv" on Swedish content in the English
interface), a refused ballot that says which places clash, and pages that say where people
stand (the meeting page, the coordinators' to-do page, the triage queue, the vote result).
The same pages in Chromium: tests/test_a11y_browser.py; the crawl: tests/test_a11y_crawl.py."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from communication import services as communication_services
from events import services as event_services
from events.models import Meeting, Nomination, Registration, SeatPool
from forum.models import Organisation, OutboxMessage, Role
from issues import services as issue_services
from issues.models import Issue, Vote
from tests.factories import (
    company_with_rep,
    make_company,
    make_forum,
    make_meeting,
    make_registration,
    make_representative,
    make_role_holder,
    open_with_small_pools,
    pool_of,
    register_open,
)
from tests.test_voting import make_candidates, make_voter

TEMPLATES = Path(settings.BASE_DIR, "templates")


def english(client) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def open_meeting(forum, **fields) -> Meeting:
    """Registration open, City pick and Open pools of two seats, held until 14 days before."""
    return open_with_small_pools(make_meeting(forum, title="Tematräff 2: Vad kan företagen göra? 2026",
                                              focus_areas=forum.focus_areas.all(), **fields))


# --- the patterns are used everywhere ---------------------------------------------------------
def _templates() -> list[Path]:
    """The portal's page templates: not mail, and not the Django admin's (its own look)."""
    return [path for path in TEMPLATES.rglob("*.html") if not {"email", "admin"} & set(path.parts)]


def test_every_template_with_form_fields_has_an_error_summary():
    """A template that renders fields (crispy, by hand or the ballot's) shows the error summary;
    crispy's own non-field error box is switched off (templates/bootstrap5/errors.html)."""
    renders_fields = re.compile(r"\|crispy|as_crispy_field|field_widget|_ballot_fields\.html|{% element field ")
    missing = [
        str(path.relative_to(TEMPLATES)) for path in _templates()
        if renders_fields.search(path.read_text()) and "error_summary" not in path.read_text()
        and path.name not in ("_ballot_fields.html", "_field_errors.html")
    ]
    assert not missing, f"templates with form fields but no {{% error_summary %}}: {missing}"
    assert not re.search(r"\S", re.sub(r"{% comment %}.*?{% endcomment %}", "",
                                       (TEMPLATES / "bootstrap5/errors.html").read_text(), flags=re.S))


def test_every_table_scrolls_in_a_region_named_by_its_caption():
    """Each table is inside {% scroll_region %}, whose id names the table's caption."""
    for path in _templates():
        text = path.read_text()
        if "<table" not in text or path.parts[-3:-1] == ("allauth", "elements"):
            continue
        regions = re.findall(r'{% scroll_region ("[^"]*"(?: [^%]+)?) %}\s*<table[^>]*>\s*<caption id="([^"]+)"', text)
        assert len(regions) == text.count("<table"), f"{path}: a table outside a scroll region or without a caption id"
        for args, caption_id in regions:
            literal = args.split('"')[1]
            assert caption_id.startswith(literal), f"{path}: region {args} does not name caption {caption_id}"


# --- the error summary and the fields ---------------------------------------------------------
@pytest.mark.django_db
def test_a_refused_form_has_a_summary_linking_to_each_invalid_field(client, forum):
    coordinator = make_role_holder(forum, Role.COORDINATOR, "samordnare@example.se")
    client.force_login(coordinator)
    english(client)
    response = client.post(reverse("events:meeting_create", args=[forum.slug]), {"title": "", "kind": "combined"})
    assert response.status_code == 400
    html = response.content.decode()
    summary = html[html.index("data-error-summary"):html.index("</ul>", html.index("data-error-summary"))]
    assert 'tabindex="-1"' in html[html.index("data-error-summary") - 60:html.index("data-error-summary") + 60]
    links = re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary)
    assert ("id_title", "Title: This field is required.") in links
    for field_id, _text in links:
        field = re.search(rf'<(?:input|select|textarea)[^>]*id="{field_id}"[^>]*>', html).group(0)
        assert 'aria-invalid="true"' in field
        described = re.search(r'aria-describedby="([^"]+)"', field).group(1).split()
        assert f"{field_id}_error" in described and f'id="{field_id}_error"' in html
    assert 'src="/static/js/forms.js"' in html


@pytest.mark.django_db
def test_a_message_from_the_services_is_in_the_summary(client, forum):
    """A booking the services refuse (no field of the form is wrong) is said in the summary."""
    meeting = open_meeting(forum)
    company, user = company_with_rep()
    register_open(meeting, pair=(company, user))
    client.force_login(user)
    english(client)
    response = client.post(reverse("events:register", args=[meeting.pk]), {
        "organisation": company.pk, "attendee_name": "Sam", "attendee_email": "sam@example.se", "consent": "on",
    })
    assert response.status_code == 400
    html = response.content.decode()
    summary = html[html.index("data-error-summary"):html.index("</div>", html.index("data-error-summary"))]
    assert f"{company.name} is already invited or registered for this meeting." in summary


@pytest.mark.django_db
def test_a_refused_ballot_says_which_places_clash_at_the_fields(client, forum):
    meeting = make_meeting(forum, kind=Meeting.Kind.PRIORITISATION)
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.REGISTRATION_CLOSED)
    a, b, c, d = make_candidates(meeting, ["Snabbare bygglov", "Fler praktikplatser", "Bättre kollektivtrafik",
                                           "Fler cykelbanor"])
    coordinator = make_role_holder(forum, Role.COORDINATOR, "samordnare@example.se")
    vote = issue_services.vote_create(actor=coordinator, meeting=meeting, title="Prioritering",
                                      candidates=[a, b, c, d], method=Vote.Method.SCHULZE)
    issue_services.vote_open(actor=coordinator, vote=vote)
    user, _registration = make_voter(meeting)
    client.force_login(user)
    english(client)
    # Places 1, 1 and 3: issues 1 and 2 clash, issue 4 comes after the missing place 2.
    response = client.post(reverse("issues:ballot", args=[vote.pk]), {f"c{a.pk}": "1", f"c{b.pk}": "1",
                                                                    f"c{d.pk}": "3"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Your ballot was not counted" in html or "Din valsedel räknades inte" in html
    summary = html[html.index("data-error-summary"):html.index("</ul>", html.index("data-error-summary"))]
    assert f'href="#id_c{a.pk}">Place: Issue 1 has the same place (1) as issue 2.' in summary
    assert f'href="#id_c{b.pk}">Place: Issue 2 has the same place (1) as issue 1.' in summary
    assert f'href="#id_c{d.pk}">Place: Issue 4 has place 3, but no issue has place 2.' in summary
    for issue in (a, b, d):
        field = re.search(rf'<select[^>]*id="id_c{issue.pk}"[^>]*>', html).group(0)
        assert 'aria-invalid="true"' in field
        # Still described by its issue's text, and now by its message too.
        assert f'aria-describedby="issue-{issue.pk} id_c{issue.pk}_error"' in field
        assert f'id="id_c{issue.pk}_error"' in html
    assert 'aria-invalid' not in re.search(rf'<select[^>]*id="id_c{c.pk}"[^>]*>', html).group(0)
    # What the voter chose is kept.
    assert re.search(rf'<select[^>]*id="id_c{d.pk}".*?<option value="3" selected>', html, re.S)
    assert not vote.ballots.exists()


# --- lang="sv" on Swedish content in the English interface ------------------------------------
@pytest.mark.django_db
def test_swedish_content_is_marked_in_english_pages_only(client, forum):
    meeting = open_meeting(forum, theme="Kompetensförsörjning i Malmö")
    Issue.objects.create(forum=forum, meeting=meeting, text="Snabbare bygglov för små företag", side="business",
                         focus_area=forum.focus_areas.first())
    pages = {
        "meeting": reverse("events:meeting_detail", args=[meeting.pk]),
        "forum": forum.get_absolute_url(),
        "issues": reverse("issues:public_issues", args=[forum.slug]),
    }
    swedish = {name: client.get(url).content.decode() for name, url in pages.items()}
    english(client)
    html = {name: client.get(url).content.decode() for name, url in pages.items()}
    assert f'<h1><span lang="sv">{meeting.title}</span></h1>' in html["meeting"]
    assert '<p lang="sv">Kompetensförsörjning i Malmö</p>' in html["meeting"]
    assert '<li><span lang="sv">Arbete och utbildning</span></li>' in html["meeting"]  # a focus area
    assert f'<h1><span lang="sv">{forum.name}</span></h1>' in html["forum"]
    assert '<span lang="sv">Snabbare bygglov för små företag</span>' in html["issues"]
    for page in swedish.values():
        assert 'lang="sv"' not in page.replace('<html lang="sv">', "")


# --- the meeting page: where the visitor stands ----------------------------------------------
@pytest.mark.django_db
def test_meeting_page_shows_seats_deadline_and_what_the_companies_hold(client, forum, django_assert_max_num_queries):
    meeting = open_meeting(forum)
    meeting.pools.filter(kind=SeatPool.Kind.CITY_PICK).update(hold_until=meeting.starts_at - dt.timedelta(days=14))
    url = reverse("events:meeting_detail", args=[meeting.pk])
    english(client)
    anonymous = client.get(url).content.decode()
    assert "Registration is open: 2 seats left in the open registration." in anonymous
    assert "at the latest when the meeting starts on" in anonymous
    assert "Seats kept for invited companies that are still free on" in anonymous

    # A representative of four companies: one registered, one invited, one waiting, one free.
    user = company_with_rep()[1]
    companies = [make_company(f"Bolag {n} AB") for n in range(4)]
    from forum import services as forum_services
    for company in companies:
        forum_services.affiliation_create(actor=None, person=user, organisation=company, title="VD", confirmed=True)
    registered = register_open(meeting, pair=(companies[0], user))
    invited = make_registration(meeting, companies[1], status=Registration.Status.INVITED,
                                expires_at=timezone.now() + dt.timedelta(days=5))
    register_open(meeting)  # someone else takes the last open seat
    waiting = register_open(meeting, pair=(companies[2], user))
    assert registered.status == Registration.Status.CONFIRMED and waiting.status == Registration.Status.WAITING
    client.force_login(user)
    english(client)
    with django_assert_max_num_queries(20):
        html = client.get(url).content.decode()
    places = html[html.index('id="your-places"'):html.index("</ul>", html.index('id="your-places"'))]
    places = re.sub(r'</?span[^>]*>', "", places)  # the names are marked lang="sv" in English
    assert f"{companies[0].name}</strong>:\nregistered – " in places
    assert f"{companies[1].name}</strong>:\ninvited – answer by" in places
    assert reverse("events:invitation", args=[invited.token]) in places
    assert f"{companies[2].name}</strong>:\non the waiting list as number 1" in places
    assert companies[3].name not in places
    assert "the open registration is full" in html
    # Bolag 3 AB (and the user's first company) may still register: the page offers it.
    assert reverse("events:register", args=[meeting.pk]) in html
    form = client.get(reverse("events:register", args=[meeting.pk])).content.decode()
    offered = re.findall(r'<option value="(\d+)"', form)
    assert str(companies[3].pk) in offered and str(companies[0].pk) not in offered

    # The same page, however many registrations, runs the same queries.
    for _n in range(5):
        register_open(meeting)
    with django_assert_max_num_queries(20):
        client.get(url)


@pytest.mark.django_db
def test_meeting_page_offers_register_only_where_it_can_succeed(client, forum):
    meeting = open_meeting(forum)
    company, user = company_with_rep()
    registration = register_open(meeting, pair=(company, user))
    # An offer: the company's seat is offered until a time the page says.
    Registration.objects.filter(pk=registration.pk).update(
        status=Registration.Status.OFFERED, offer_expires_at=timezone.now() + dt.timedelta(hours=20))
    client.force_login(user)
    english(client)
    html = client.get(reverse("events:meeting_detail", args=[meeting.pk])).content.decode()
    assert "offered a seat – answer by" in html
    assert reverse("events:registration_offer", args=[registration.pk]) in html
    assert reverse("events:register", args=[meeting.pk]) not in html
    # Offered, not seated: the page says what to do about the offer, not that the place is had.
    assert "Answer the offer above before it runs out" in html
    assert "already have their places" not in html and "already has its place" not in html
    response = client.get(reverse("events:register", args=[meeting.pk]))
    assert response.status_code == 302 and response["Location"] == meeting.get_absolute_url()


@pytest.mark.django_db
def test_meeting_page_tells_a_waiting_company_that_it_waits(client, forum):
    """A company on the waiting list is told it waits and how a seat reaches it – not that it
    has its place, which a seated company is told."""
    meeting = open_meeting(forum)
    seated, seated_user = company_with_rep()
    register_open(meeting, pair=(seated, seated_user))
    register_open(meeting)
    company, user = company_with_rep()
    waiting = register_open(meeting, pair=(company, user))
    assert waiting.status == Registration.Status.WAITING
    english(client)
    client.force_login(user)
    html = client.get(meeting.get_absolute_url()).content.decode()
    assert "on the waiting list as number 1" in html
    assert "A company on the waiting list cannot register again. If a seat becomes free" in html
    assert "already have their places" not in html and "already has its place" not in html
    client.force_login(seated_user)
    html = client.get(meeting.get_absolute_url()).content.decode()
    assert "A registered company already has its place at this meeting." in html
    assert "waiting list cannot register" not in html


@pytest.mark.django_db
def test_meeting_page_shows_a_city_official_their_departments_seats(client, forum):
    """A city official sees every seat of their department, as "My invitations and
    registrations" lists them, and is told how municipal seats are given – not to become a
    company's representative."""
    meeting = make_meeting(forum, title="Vårträff 2026")
    meeting.status = Meeting.Status.REGISTRATION_OPEN
    meeting.save(update_fields=["status"])
    department = Organisation.objects.create(kind=Organisation.Kind.DEPARTMENT, name="Stadsbyggnadskontoret")
    official = make_representative(department, "tjansteperson@example.se", title="Handläggare",
                                   first_name="Johan", last_name="Sjövall")
    municipal = pool_of(meeting, SeatPool.Kind.MUNICIPAL)
    make_registration(meeting, department, pool=municipal, attendee=official, confirmed_at=timezone.now())
    make_registration(meeting, department, pool=municipal, contact_email="kollega@example.se",
                      attendee_name="Kim Kollega", confirmed_at=timezone.now())
    english(client)
    client.force_login(official)
    html = client.get(meeting.get_absolute_url()).content.decode()
    mine = client.get(reverse("events:my_registrations")).content.decode()
    for name in ("Johan Sjövall attends", "Kim Kollega attends"):
        assert name in html and name.split()[0] in mine
    assert html.count("registered –") == 2
    assert "The city's departments have seats of their own" in html
    assert "you need to be a confirmed representative of a company" not in html
    assert reverse("accounts:organisations") not in html.split('id="take-part"', 1)[1].split("</section>", 1)[0]


@pytest.mark.django_db
def test_the_page_of_a_meeting_that_is_over_links_what_came_of_it(client, forum):
    """No participation box and no calendar file once a meeting is over; its documentation
    (once sent) and its vote's result instead."""
    coordinator = make_role_holder(forum, Role.COORDINATOR, "samordnare-efter@example.se")
    meeting = make_meeting(forum, kind=Meeting.Kind.PRIORITISATION, title="Tematräff 3",
                           starts_at=timezone.now() - dt.timedelta(days=30))
    # Played out as it happened: published before it started.
    for status in (Meeting.Status.PUBLISHED, Meeting.Status.REGISTRATION_CLOSED, Meeting.Status.HELD):
        event_services.meeting_set_status(actor=coordinator, meeting=meeting, status=status,
                                          now=meeting.starts_at - dt.timedelta(days=40))
    english(client)
    calendar = reverse("events:meeting_calendar", args=[meeting.pk])
    documentation = reverse("communication:follow_up_public", args=[meeting.pk])
    html = client.get(meeting.get_absolute_url()).content.decode()
    assert 'id="take-part"' not in html and calendar not in html and "Registration is not open" not in html
    assert "After the meeting" in html and documentation not in html

    candidates = make_candidates(meeting, ["Snabbare bygglov", "Fler praktikplatser"])
    vote = issue_services.vote_create(actor=coordinator, meeting=meeting, title="Prioriteringslistan",
                                      candidates=candidates)
    vote = issue_services.vote_open(actor=coordinator, vote=vote)
    _user, registration = make_voter(meeting)
    issue_services.ballot_cast(vote=vote, registration=registration,
                               marks={str(candidates[0].pk): 1, str(candidates[1].pk): 2})
    issue_services.vote_close(actor=coordinator, vote=vote)
    follow_up = communication_services.follow_up_save(actor=coordinator, meeting=meeting, summary="Vi sågs.",
                                                      links="")
    html = client.get(meeting.get_absolute_url()).content.decode()
    assert documentation not in html  # a draft is no documentation yet
    communication_services.follow_up_publish(actor=coordinator, follow_up=follow_up)
    html = client.get(meeting.get_absolute_url()).content.decode()
    assert documentation in html and reverse("issues:vote_result", args=[vote.pk]) in html
    assert 'id="take-part"' not in html and calendar not in html
    assert client.get(documentation).status_code == 200


@pytest.mark.django_db
def test_open_registration_closes_when_the_meeting_starts(forum):
    meeting = open_meeting(forum)
    with pytest.raises(event_services.BookingError):
        register_open(meeting, now=meeting.starts_at + dt.timedelta(minutes=1))
    assert not meeting.registrations.exists()


# --- the coordinators' to-do page ------------------------------------------------------------
def _todo_world(forum, coordinator, *, extra: int = 0):
    """A coming meeting with a nomination to decide, an invitation near its hold date and an
    offer about to lapse; an overdue quick fix; a vote of each kind; a failed mail. ``extra``
    more of each, to show the page's queries do not grow."""
    now = timezone.now()
    meeting = make_meeting(forum, starts_at=now + dt.timedelta(days=18))
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.REGISTRATION_OPEN)
    meeting.refresh_from_db()
    partner_pool = pool_of(meeting, SeatPool.Kind.PARTNER_PICK)
    for _ in range(1 + extra):
        Nomination.objects.create(pool=partner_pool, company=make_company(), contact_email="n@example.se")
        make_registration(meeting, make_company(), status=Registration.Status.INVITED,
                          expires_at=now + dt.timedelta(days=10))  # City pick held until 4 days from now
        make_registration(meeting, make_company(), status=Registration.Status.OFFERED,
                          offer_expires_at=now + dt.timedelta(hours=5))
        Issue.objects.create(forum=forum, text="Belysning på Amiralsgatan", side="business",
                             status=Issue.Status.QUICK_FIX, due_date=timezone.localdate() - dt.timedelta(days=3))
        OutboxMessage.objects.create(to_email="x@example.se", subject="Inbjudan", template="events/invitation",
                                     status=OutboxMessage.Status.FAILED, forum=forum)
        OutboxMessage.objects.create(to_email="y@example.se", subject="Påminnelse", template="events/reminder",
                                     status=OutboxMessage.Status.INTERRUPTED, forum=forum)
    held = make_meeting(forum, kind=Meeting.Kind.PRIORITISATION, title="Tematräff 3: Beslut om prioriteringslista 2026",
                        starts_at=now + dt.timedelta(days=1))
    Meeting.objects.filter(pk=held.pk).update(status=Meeting.Status.REGISTRATION_CLOSED)
    candidates = make_candidates(held, ["A", "B"])
    votes = {}
    for name in ("draft", "open", "closed", "late"):
        votes[name] = issue_services.vote_create(actor=coordinator, meeting=held, title=f"Omröstning {name}",
                                                 candidates=candidates, method=Vote.Method.SCHULZE)
    issue_services.vote_open(actor=coordinator, vote=votes["open"])
    issue_services.vote_open(actor=coordinator, vote=votes["closed"])
    # A closed vote is to confirm once a ballot was counted (issues.services.vote_may_confirm).
    issue_services.ballot_cast(vote=votes["closed"], registration=make_registration(held, make_company()),
                               marks={candidates[0].pk: 1})
    issue_services.vote_close(actor=coordinator, vote=votes["closed"])
    Vote.objects.filter(pk=votes["late"].pk).update(status=Vote.Status.OPEN, closes_at=now - dt.timedelta(minutes=5))
    return meeting, votes


@pytest.mark.django_db
def test_coordinators_to_do_page_gathers_what_needs_them(client, forum, django_assert_max_num_queries):
    coordinator = make_role_holder(forum, Role.COORDINATOR, "samordnare@example.se")
    meeting, votes = _todo_world(forum, coordinator)
    client.force_login(coordinator)
    english(client)
    url = reverse("forum:forum_work", args=[forum.slug])
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "1 nomination to decide" in html and reverse("events:nominations", args=[meeting.pk]) in html
    assert "1 invitation not answered; the pool's free seats are released to everyone on" in html
    assert "1 offer of a seat not answered; the first lapses on" in html
    assert "1 quick fix is overdue" in html and "Belysning på Amiralsgatan" in html
    sections = {heading: html.index(heading) for heading in (
        "Votes whose time is up, not yet closed", "Closed votes whose priority list is not confirmed",
        "Votes open now", "Votes not yet open")}
    assert list(sections) == sorted(sections, key=sections.get)
    for name, heading in (("late", "Votes whose time is up"), ("closed", "Closed votes"), ("open", "Votes open now"),
                          ("draft", "Votes not yet open")):
        after = html[sections[next(h for h in sections if h.startswith(heading))]:]
        assert after.index(f"Omröstning {name}") < after.index("</ul>")
    assert "1 email about the forum could not be sent." in html
    assert f"?status__exact=failed&amp;forum__id__exact={forum.pk}" in html
    assert "1 email about the forum was interrupted while it was being sent" in html
    assert f"?status__exact=interrupted&amp;forum__id__exact={forum.pk}" in html
    # The header menu leads there, first among the coordinator's tools.
    header = html[html.index("<header"):html.index("</header>")]
    assert header.index(url) < header.index(reverse("events:plan", args=[forum.slug]))

    # The same queries with more of everything (one more: the overdue count, once the page lists
    # only the first of them).
    with django_assert_max_num_queries(25) as few:
        client.get(url)
    _todo_world(forum, coordinator, extra=12)
    with django_assert_max_num_queries(25) as many:
        html = client.get(url).content.decode()
    assert "14 quick fixes are overdue" in html and "Every overdue quick fix" in html
    assert "13 nominations to decide" in html and "14 emails about the forum could not be sent." in html
    assert len(many.captured_queries) <= len(few.captured_queries) + 1


@pytest.mark.django_db
def test_to_do_page_is_for_the_forums_coordinators_only(client, forum):
    other = make_forum(municipality="Lund", name="Lundaforum", slug="lund")
    lund_coordinator = make_role_holder(other, Role.COORDINATOR, "lund@example.se")
    facilitator = make_role_holder(forum, Role.FACILITATOR, "processledare@example.se")
    url = reverse("forum:forum_work", args=[forum.slug])
    for user in (lund_coordinator, facilitator):
        client.force_login(user)
        assert client.get(url).status_code in (403, 404)
    client.logout()
    assert client.get(url).status_code in (302, 403)


# --- the triage queue and the vote result -----------------------------------------------------
@pytest.mark.django_db
def test_triage_queue_shows_meetings_by_a_short_label(client, forum):
    coordinator = make_role_holder(forum, Role.COORDINATOR, "samordnare@example.se")
    start = timezone.make_aware(dt.datetime(2025, 9, 9, 11, 11))
    meeting = make_meeting(forum, title="Tematräff 2: Vad kan företagen göra för stadens utveckling? 2025",
                           starts_at=start)
    spring = make_meeting(forum, title="Vårträff 2026", starts_at=start + dt.timedelta(days=200))
    assert meeting.short_label == "Tematräff 2 · 2025" and spring.short_label == "Vårträff 2026"
    Issue.objects.create(forum=forum, meeting=meeting, text="Snabbare bygglov", side="business")
    client.force_login(coordinator)
    html = client.get(reverse("issues:triage_queue", args=[forum.slug])).content.decode()
    table = html[html.index("<table"):html.index("</table>")]
    assert "Tematräff 2 · 2025" in table and "Vad kan företagen" not in table
    assert 'class="status-badge status-new"' in table


@pytest.mark.django_db
def test_vote_result_puts_turnout_first_and_names_winning_votes(client, forum):
    meeting = make_meeting(forum, kind=Meeting.Kind.PRIORITISATION)
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.REGISTRATION_CLOSED)
    a, b = make_candidates(meeting, ["Snabbare bygglov", "Fler praktikplatser"])
    coordinator = make_role_holder(forum, Role.COORDINATOR, "samordnare@example.se")
    vote = issue_services.vote_create(actor=coordinator, meeting=meeting, title="Prioritering", candidates=[a, b],
                                      method=Vote.Method.SCHULZE)
    issue_services.vote_open(actor=coordinator, vote=vote)
    for _ in range(issue_services.SIDE_RESULT_MIN_BALLOTS):
        issue_services.ballot_cast(vote=vote, registration=make_voter(meeting)[1], marks={a.pk: 1, b.pk: 2})
    issue_services.ballot_cast(vote=vote, registration=make_voter(meeting, city=True)[1], marks={b.pk: 1})
    issue_services.vote_close(actor=coordinator, vote=vote)
    english(client)
    html = client.get(reverse("issues:vote_result", args=[vote.pk])).content.decode()
    assert html.index('id="turnout"') < html.index('id="ranking"')
    assert re.search(r"Turnout: 6 ballots of \d+ eligible participants \(\d+ %\), of which 0 on paper\.", html)
    assert "counted in winning votes: the number of ballots that ranked the winning issue above the other" in html
    table = html[html.index('id="ranking"'):html.index("</table>", html.index('id="ranking"'))]
    # Business voters have a column; the one city ballot is withheld, said below the table.
    assert "Place, business voters (5 ballots)" in table and "city voters" not in table
    assert re.search(r"City voters: not shown: with fewer than 5 ballots", html)
