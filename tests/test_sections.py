"""The forum page and the start page through the apps' sections (forum/sections.py): coming
meetings with their registration state, the priority lists, the forum's links and the header
menu decided by permission functions, the seats-left estimate against the real bookings, fixed
query counts, and forum/ importing no app built on it."""
from __future__ import annotations

import ast
import datetime as dt
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from events import selectors as event_selectors
from events import services as event_services
from events.models import Meeting, Registration, SeatPool
from events.sections import HOME_PAGE_LIMIT
from events.selectors import RegistrationState
from forum import sections
from forum.models import Role
from issues import services as issue_services
from issues.models import Vote
from tests.factories import (
    company_with_rep,
    make_forum,
    make_meeting,
    make_registration,
    make_role_holder,
    make_user,
    open_with_small_pools,
    pool_of,
    register_open,
)
from tests.test_voting import held_meeting, make_candidates, make_voter

Status = Meeting.Status


def english(client) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def text_of(response) -> str:
    """The page's text without tags, spaces collapsed. Inline spans (lang="sv" around Swedish
    content in the English interface) leave no space behind."""
    html = re.sub(r"</?span[^>]*>", "", response.content.decode())
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def published(forum, title: str, status: str = Status.PUBLISHED, *, days: int = 60, **fields) -> Meeting:
    meeting = make_meeting(forum, title=title, starts_at=timezone.now() + dt.timedelta(days=days),
                           venue_name="Studio Malmö", **fields)
    meeting.status = status
    meeting.save()
    return meeting


def confirmed_priority_list(forum, texts: list[str], title: str = "Prioriteringslista 2025") -> Vote:
    """A vote over ``texts`` at a past meeting, counted, closed and confirmed through the services."""
    coordinator = User.objects.filter(forum_roles__forum=forum, forum_roles__role=Role.COORDINATOR).first() \
        or make_role_holder(forum, Role.COORDINATOR, f"samordnare-{forum.slug}@example.se")
    meeting = held_meeting(forum, title=f"Tematräff 3 {forum.slug}",
                           starts_at=timezone.now() - dt.timedelta(days=30))
    candidates = make_candidates(meeting, texts)
    vote = issue_services.vote_create(actor=coordinator, meeting=meeting, title=title, candidates=candidates)
    vote = issue_services.vote_open(actor=coordinator, vote=vote)
    _user, registration = make_voter(meeting)
    issue_services.ballot_cast(vote=vote, registration=registration,
                               marks={str(issue.pk): place for place, issue in enumerate(candidates, start=1)})
    vote = issue_services.vote_close(actor=coordinator, vote=vote)
    return issue_services.vote_confirm(actor=coordinator, vote=vote)


# --- the registry itself ------------------------------------------------------------------
def test_registry_orders_sections_and_leaves_out_those_without_context():
    registry = sections.Registry()
    registry.register_forum_section(sections.ForumSection("b.second", "b.html", lambda r, f: {"n": 2}, order=20))
    registry.register_forum_section(sections.ForumSection("a.first", "a.html", lambda r, f: {"n": 1}, order=10))
    registry.register_forum_section(sections.ForumSection("c.none", "c.html", lambda r, f: None, order=5))
    rendered = registry.forum_sections(None, None)
    assert [(s.key, s.template, dict(s.context)) for s in rendered] == [
        ("a.first", "a.html", {"n": 1}), ("b.second", "b.html", {"n": 2}),
    ]


def test_registry_links_for_the_page_and_for_the_menu():
    registry = sections.Registry()
    everyone, staff = (lambda user, forum: True), (lambda user, forum: user == "staff")
    registry.register_forum_link(sections.ForumLink("p.public", "P", url=lambda forum: "/p/", visible=everyone,
                                                    order=1))
    registry.register_forum_link(sections.ForumLink("p.plan", "Plan", url=lambda forum: "/plan/", visible=everyone,
                                                    menu=staff, order=2))
    registry.register_forum_link(sections.ForumLink("p.tool", "Tool", url=lambda forum: "/tool/", visible=staff,
                                                    group=sections.LinkGroup.WORK, menu=staff, order=3))
    assert [link.url for link in registry.forum_links("public", None)] == ["/p/", "/plan/"]
    assert [link.url for link in registry.forum_links("staff", None)] == ["/p/", "/plan/", "/tool/"]
    assert [link.url for link in registry.forum_links("public", None, menu=True)] == []
    assert [link.url for link in registry.forum_links("staff", None, menu=True)] == ["/plan/", "/tool/"]
    assert [link.is_public for link in registry.forum_links("staff", None)] == [True, True, False]


def test_registry_refuses_two_entries_under_one_key_but_not_the_same_one_twice():
    registry = sections.Registry()
    link = sections.ForumLink("x.link", "X", url=lambda forum: "/x/", visible=lambda user, forum: True)
    registry.register_forum_link(link)
    registry.register_forum_link(link)  # ready() run again
    with pytest.raises(ImproperlyConfigured):
        registry.register_forum_link(sections.ForumLink("x.link", "Y", url=lambda forum: "/y/",
                                                        visible=lambda user, forum: True))


def test_the_apps_register_their_sections_and_links():
    """Events, issues and the forum itself contribute through the one registry."""
    assert sections.registry.registered_keys() == {
        "home": ["events.coming_meetings", "issues.priority_lists"],
        "forum": ["events.coming_meetings", "issues.priority_list", "communication.news", "networks.networks"],
        "links": ["forum.work", "events.plan", "issues.public", "issues.triage", "communication.news",
                  "communication.news_manage", "networks.list", "networks.overview", "communication.newsletters",
                  "networks.budget", "communication.surveys", "networks.report", "forum.roles", "research.exports"],
        "work": ["events.meeting_work", "issues.issue_work", "networks.work", "communication.follow_up"],
    }


def test_forum_imports_no_app_built_on_it():
    """Imports run one way: no module of forum/ (at any level, also inside functions) imports
    events, issues, networks, communication or research. The demo data command is left out: it calls each
    app's demo part (<app>/demo.py) in order."""
    built_on_forum = {"events", "issues", "networks", "communication", "research"}
    offenders = []
    for path in Path(settings.BASE_DIR, "forum").rglob("*.py"):
        if "management" in path.parts or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else []
            offenders += [f"{path.name}: {name}" for name in names if name.split(".")[0] in built_on_forum]
    assert offenders == []


# --- the forum page -------------------------------------------------------------------------
@pytest.mark.django_db
def test_forum_page_lists_coming_meetings_with_their_registration_state(client):
    forum = make_forum()
    other = make_forum(municipality="Lund", name="Lundaforum", slug="lund")
    later = published(forum, "Höstträff", days=90)
    open_ = open_with_small_pools(published(forum, "Vårträff", days=30))
    register_open(open_)
    full = open_with_small_pools(published(forum, "Sommarträff", days=40), size=1)
    register_open(full)
    closed = published(forum, "Vinterträff", Status.REGISTRATION_CLOSED, days=50)
    invited_only = published(forum, "Inbjudningsträff", Status.REGISTRATION_OPEN, days=70)
    invited_only.pools.filter(kind=SeatPool.Kind.OPEN).delete()
    draft = make_meeting(forum, title="Utkastträff")
    past = published(forum, "Förra årets träff", Status.HELD, days=-100)
    elsewhere = published(other, "Lundaträff")

    english(client)
    response = client.get(forum.get_absolute_url())
    assert response.status_code == 200
    page = text_of(response)
    # Soonest first, each with date, venue and state in words; seats left counted as bookings count them.
    order = [page.index(m.title) for m in (open_, full, closed, invited_only, later)]
    assert order == sorted(order)
    assert "Vårträff" in page and "Registration open – 1 seat left in the open registration" in page
    assert "Registration open – the open registration is full: new registrations join the waiting list" in page
    assert "Registration closed" in page
    assert "Published – registration opens later" in page
    assert "By invitation only" in page
    assert "Venue: Studio Malmö" in page
    content = response.content.decode()
    assert reverse("events:meeting_detail", args=[open_.pk]) in content
    for hidden in (draft, past, elsewhere):
        assert hidden.title not in page
    # What the forum is, and the links everyone needs.
    assert "In this forum the city and the business community of Malmö meet on equal terms." in page
    assert reverse("events:plan", args=[forum.slug]) in content
    assert reverse("issues:public_issues", args=[forum.slug]) in content
    assert reverse("issues:triage_queue", args=[forum.slug]) not in content


@pytest.mark.django_db
def test_forum_page_without_meetings_says_so_and_shows_the_priority_list(client):
    forum = make_forum()
    english(client)
    page = text_of(client.get(forum.get_absolute_url()))
    assert "No theme meetings are published at the moment." in page
    assert "Priority list" not in page
    vote = confirmed_priority_list(forum, ["Snabbare bygglov", "Fler praktikplatser"])
    response = client.get(forum.get_absolute_url())
    page = text_of(response)
    assert page.index("Snabbare bygglov") < page.index("Fler praktikplatser")
    assert reverse("issues:vote_result", args=[vote.pk]) in response.content.decode()


@pytest.mark.django_db
def test_forum_page_runs_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    forum = make_forum()
    coordinator = make_role_holder(forum, Role.COORDINATOR, "samordnare@example.se")
    confirmed_priority_list(forum, ["Snabbare bygglov", "Fler praktikplatser", "Bättre kollektivtrafik"])
    register_open(open_with_small_pools(published(forum, "Träff 0", days=10)))
    for visitor in (None, coordinator):
        if visitor:
            client.force_login(visitor)
        with django_assert_max_num_queries(9 if visitor is None else 13):  # news and networks: one each
            client.get(forum.get_absolute_url())
    client.logout()
    for index in range(1, 9):
        meeting = open_with_small_pools(published(forum, f"Träff {index}", days=10 + index))
        register_open(meeting)
        make_registration(meeting, company_with_rep()[0], status=Registration.Status.WAITING,
                          pool=pool_of(meeting, SeatPool.Kind.OPEN), waiting_since=timezone.now())
    for visitor in (None, coordinator):
        if visitor:
            client.force_login(visitor)
        with django_assert_max_num_queries(9 if visitor is None else 13):  # news and networks: one each
            response = client.get(forum.get_absolute_url())
        assert response.content.decode().count('class="meeting-item"') == 9


# --- the start page -------------------------------------------------------------------------
@pytest.mark.django_db
def test_start_page_shows_what_is_happening_now(client):
    malmo = make_forum()
    lund = make_forum(municipality="Lund", name="Lundaforum", slug="lund")
    open_ = open_with_small_pools(published(malmo, "Vårträff i Malmö", days=20), size=3)
    published(lund, "Höstträff i Lund", days=80)
    confirmed_priority_list(malmo, [f"Fråga {n}" for n in range(1, 8)])
    english(client)
    response = client.get("/")
    page = text_of(response)
    assert response.status_code == 200
    # The purpose, what is open now, the coming meetings across forums, the latest priority list.
    assert "How the forum works" in page
    now_start = page.index("Open for registration now")
    assert "Vårträff i Malmö (11:11 – Meet Malmö): Registration open – 3 seats left in the open registration" in page
    coming = page.index("Coming theme meetings")
    assert now_start < coming < page.index("Vårträff i Malmö", coming) < page.index("Höstträff i Lund")
    assert "Höstträff i Lund" not in page[now_start:coming]
    assert "The latest priority list" in page
    assert "Fråga 1" in page and "Fråga 5" in page and "Fråga 6" not in page  # the top five
    assert "The whole priority list of 11:11 – Meet Malmö (7 issues)" in page
    assert reverse("events:meeting_detail", args=[open_.pk]) in response.content.decode()
    assert response.content.decode().count('class="card h-100"') == 2  # every forum still listed


@pytest.mark.django_db
def test_start_page_before_anything_happens(client):
    make_forum()
    english(client)
    page = text_of(client.get("/"))
    assert "No theme meetings are published at the moment." in page
    assert "Open for registration now" not in page and "The latest priority list" not in page


@pytest.mark.django_db
def test_start_page_runs_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    forums = [make_forum(municipality=f"Kommun {n}", name=f"Forum {n}", slug=f"forum-{n}") for n in range(2)]
    confirmed_priority_list(forums[0], ["Snabbare bygglov", "Fler praktikplatser"])
    register_open(open_with_small_pools(published(forums[0], "Träff", days=10)))
    with django_assert_max_num_queries(7):
        client.get("/")
    for n in range(2, 6):
        forum = make_forum(municipality=f"Kommun {n}", name=f"Forum {n}", slug=f"forum-{n}")
        confirmed_priority_list(forum, ["Snabbare bygglov", "Fler praktikplatser"], title=f"Lista {n}")
        for index in range(2):
            register_open(open_with_small_pools(published(forum, f"Träff {n}.{index}", days=10 + n + index)))
    with django_assert_max_num_queries(7):
        response = client.get("/")
    assert response.content.decode().count('class="meeting-item"') == HOME_PAGE_LIMIT
    assert response.content.decode().count('class="priority-top"') == 5


# --- the header menu: links decided by permission functions -----------------------------------
def header_of(response) -> str:
    content = response.content.decode()
    return content[content.index("<header"):content.index("</header>")]


@pytest.mark.django_db
def test_header_menu_shows_each_forum_the_tools_of_the_users_role(client, django_assert_max_num_queries):
    forum = make_forum()
    lund = make_forum(municipality="Lund", name="Lundaforum", slug="lund")
    triage_url = reverse("issues:triage_queue", args=[forum.slug])
    roles_url = reverse("forum:forum_roles", args=[forum.slug])
    plan_url = reverse("events:plan", args=[forum.slug])

    facilitator = make_role_holder(forum, Role.FACILITATOR, "processledare@example.se")
    client.force_login(facilitator)
    header = header_of(client.get("/"))
    assert forum.get_absolute_url() in header and lund.get_absolute_url() not in header  # no role in Lund
    assert plan_url not in header and triage_url not in header and roles_url not in header
    # The public links are on the forum page, for everyone.
    content = client.get(forum.get_absolute_url()).content.decode()
    assert plan_url in content and reverse("issues:public_issues", args=[forum.slug]) in content
    assert triage_url not in content and roles_url not in content

    coordinator = make_role_holder(forum, Role.COORDINATOR, "samordnare@example.se")
    client.force_login(coordinator)
    header = header_of(client.get("/"))
    assert plan_url in header and triage_url in header and roles_url in header
    assert triage_url in client.get(forum.get_absolute_url()).content.decode()

    # The portal administrator may act in every forum: each is in the menu with its work links,
    # also without any role (base.html's old `"coordinator" in roles` left them out).
    admin = User.objects.create_superuser("admin@example.se", "Lösen-för-test-123")
    client.force_login(admin)
    for n in range(3):
        make_forum(municipality=f"Kommun {n}", name=f"Forum {n}", slug=f"forum-{n}")
    with django_assert_max_num_queries(11):
        header = header_of(client.get("/"))
    assert triage_url in header and roles_url in header and plan_url in header
    assert reverse("issues:triage_queue", args=[lund.slug]) in header
    assert reverse("forum:forum_roles", args=["forum-2"]) in header


@pytest.mark.django_db
def test_the_menu_follows_roles_at_once_and_costs_no_query_without_any(client):
    """The request's user read says whether the person holds a role anywhere
    (accounts.models._by_pk), so someone without one renders the header without asking for
    roles, and a role granted or revoked in between shows on the very next page."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from forum import services as forum_services

    forum = make_forum()
    person = make_user("utan-roll@example.se")
    client.force_login(person)
    with CaptureQueriesContext(connection) as queries:
        header = header_of(client.get("/"))
    assert forum.get_absolute_url() not in header
    assert not [q for q in queries.captured_queries if q["sql"].startswith('SELECT "forum_forumrole"')]
    assert any("holds_forum_roles" in q["sql"] for q in queries.captured_queries)  # read with the user

    coordinator = make_role_holder(forum, Role.COORDINATOR, "samordnare@example.se")
    role = forum_services.role_grant(actor=coordinator, forum=forum, user=person, role=Role.FACILITATOR)
    assert forum.get_absolute_url() in header_of(client.get("/"))  # the next page, same session
    forum_services.role_revoke(actor=coordinator, forum_role=role)
    assert forum.get_absolute_url() not in header_of(client.get("/"))


# --- seats left: the estimate follows the booking rule ----------------------------------------
def _estimate(meeting: Meeting, now=None) -> int:
    return event_selectors.open_seats_estimate([meeting], now=now)[meeting.pk]


@pytest.mark.django_db
def test_seats_left_estimate_agrees_with_the_bookings():
    forum = make_forum()
    meeting = open_with_small_pools(make_meeting(forum), size=2)  # City pick 2 (held), Open 2, capacity 4
    assert _estimate(meeting) == 2
    register_open(meeting)
    assert _estimate(meeting) == 1
    # After the City pick's hold date its free seats are open to companies registering.
    SeatPool.objects.filter(meeting=meeting, kind=SeatPool.Kind.CITY_PICK).update(
        hold_until=timezone.now() - dt.timedelta(hours=1))
    assert _estimate(meeting) == 3
    # Book while the estimate says there is a seat: each booking gets one; then the next waits.
    while (left := _estimate(meeting)) > 0:
        assert register_open(meeting).status == Registration.Status.CONFIRMED
        assert _estimate(meeting) == left - 1
    assert register_open(meeting).status == Registration.Status.WAITING
    # Under the meeting lock the booking service's own count says the same.
    with transaction.atomic():
        seats = event_services._lock(meeting.pk)
        assert seats.available_to(pool_of(meeting, SeatPool.Kind.OPEN), timezone.now()) == 0
    [coming] = event_selectors.coming_meetings([forum])
    assert (coming.state, coming.seats_left) == (RegistrationState.FULL, 0)


@pytest.mark.django_db
def test_seats_left_estimate_lets_the_waiting_list_go_first_and_frees_lapsed_offers():
    forum = make_forum()
    meeting = open_with_small_pools(make_meeting(forum), size=1)  # Open 1, City pick 1 (held)
    first = register_open(meeting)
    waiting = register_open(meeting)
    assert waiting.status == Registration.Status.WAITING
    # A seat freed without the offers having run yet (the periodic task is late): the one
    # waiting gets it first, so nobody new does.
    Registration.objects.filter(pk=first.pk).update(status=Registration.Status.CANCELLED, seat_pool=None)
    assert _estimate(meeting) == 0
    assert register_open(meeting).status == Registration.Status.WAITING  # the booking agrees
    waiting.refresh_from_db()
    assert waiting.status == Registration.Status.OFFERED
    # The offer lapses unanswered: at its deadline it no longer holds the seat, the next in line does.
    later = waiting.offer_expires_at + dt.timedelta(minutes=1)
    assert _estimate(meeting, now=later) == 0
    # With nobody left waiting, the lapsed offer's seat is free again.
    Registration.objects.filter(meeting=meeting, status=Registration.Status.WAITING).update(
        status=Registration.Status.CANCELLED)
    assert _estimate(meeting, now=later) == 1
    assert register_open(meeting, now=later).status == Registration.Status.CONFIRMED


@pytest.mark.django_db
def test_seats_left_never_exceed_the_meetings_capacity():
    forum = make_forum()
    meeting = open_with_small_pools(make_meeting(forum), size=5)
    Meeting.objects.filter(pk=meeting.pk).update(capacity=2)
    meeting.refresh_from_db()
    assert _estimate(meeting) == 2
    register_open(meeting)
    register_open(meeting)
    assert _estimate(meeting) == 0
    assert register_open(meeting).status == Registration.Status.WAITING


@pytest.mark.django_db
def test_tied_places_are_written_alike_on_the_result_and_the_published_lists(client):
    """Two issues tied for first share places 1 and 2: "1–2" and "tied" on the vote's result
    page, on the forum page's priority list and on the start page alike (not "1" on the lists)."""
    forum = make_forum()
    coordinator = make_role_holder(forum, Role.COORDINATOR, "samordnare-lika@example.se")
    meeting = held_meeting(forum, title="Tematräff 3", starts_at=timezone.now() - dt.timedelta(days=30))
    candidates = make_candidates(meeting, ["Snabbare bygglov", "Fler praktikplatser", "Bättre cykelvägar"])
    vote = issue_services.vote_create(actor=coordinator, meeting=meeting, title="Lista", candidates=candidates)
    vote = issue_services.vote_open(actor=coordinator, vote=vote)
    for order in ((0, 1, 2), (1, 0, 2)):  # the first two each win once: a tie
        _user, registration = make_voter(meeting)
        issue_services.ballot_cast(vote=vote, registration=registration,
                                   marks={str(candidates[i].pk): place for place, i in enumerate(order, start=1)})
    vote = issue_services.vote_confirm(actor=coordinator, vote=issue_services.vote_close(actor=coordinator, vote=vote))
    english(client)
    pages = [text_of(client.get(reverse("issues:vote_result", args=[vote.pk]))),
             text_of(client.get(forum.get_absolute_url())), text_of(client.get("/"))]
    for page in pages:
        assert page.count("1–2 tied") == 2, page
        assert "1 tied" not in page
