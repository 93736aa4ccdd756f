"""Thematic networks (issue 12) on the real services: forming from issues (and the issue status
link it brings), membership over the years, meetings, actions, progress updates and outcomes,
permissions, and the pages with their query counts."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from events.models import Meeting
from forum.models import AuditEvent, OutboxMessage, Role
from issues import services as issue_services
from issues.models import Issue, IssueEvent
from networks import permissions, selectors, services
from networks.models import Action, Membership, Network, NetworkMeeting
from tests.factories import (
    make_company,
    make_forum,
    make_meeting,
    make_representative,
    make_role_holder,
    make_user,
    next_number,
)
from tests.network_helpers import form_network, raiser_and_issue

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator(forum):
    return make_role_holder(forum, Role.COORDINATOR, "samordnare@example.se")


@pytest.fixture
def leader():
    return make_representative(make_company("Ledarbolaget AB"), "ledare@example.se", first_name="Lea",
                               last_name="Ledare")


@pytest.fixture
def meeting(forum):
    """A published meeting (its issues have public pages)."""
    meeting = make_meeting(forum)
    meeting.status = Meeting.Status.PUBLISHED
    meeting.save(update_fields=["status"])
    return meeting


# --- Forming and the issue status link --------------------------------------------------------
def test_forming_links_issues_and_tells_raisers(forum, coordinator, leader, meeting):
    raiser, issue = raiser_and_issue(meeting, "Matchning mellan arbetsgivare och unga", email="rut@example.se")
    supporter = make_user("stod@example.se", language="en")
    issue_services.issue_support(issue=issue, person=supporter)
    OutboxMessage.objects.all().delete()

    network = services.network_form(actor=coordinator, forum=forum, title="Unga i arbete", goal="Fler jobb.",
                                    issues=[issue], process_leaders=[(leader, None)])

    issue.refresh_from_db()
    assert issue.status == Issue.Status.NETWORK
    assert issue.network_link.network == network
    event = IssueEvent.objects.filter(issue=issue, kind=IssueEvent.Kind.STATUS).last()
    assert event.changes == {"status": ["candidate", "network"], "network": network.pk}
    mails = {m.to_email: m for m in OutboxMessage.objects.filter(template="networks/issue_taken_up")}
    assert set(mails) == {"rut@example.se", "stod@example.se"}
    assert "Unga i arbete" in mails["stod@example.se"].subject
    assert mails["stod@example.se"].language == "en"
    leadership = network.memberships.get()
    assert (leadership.person, leadership.role, leadership.status) == (leader, "process_leader", "active")
    assert leadership.organisation_name == "Ledarbolaget AB"
    assert AuditEvent.objects.filter(action="network.form", target_id=str(network.pk)).exists()


def test_raiser_who_turned_issue_mail_off_is_not_told(forum, coordinator, leader, meeting):
    raiser, issue = raiser_and_issue(meeting, "Bygglov", email="tyst@example.se")
    raiser.notify_issue_updates = False
    raiser.save()
    OutboxMessage.objects.all().delete()
    form_network(forum, coordinator=coordinator, leader=leader, issues=[issue])
    assert not OutboxMessage.objects.filter(to_email="tyst@example.se").exists()


def test_triage_cannot_set_network_status_without_a_network(client, forum, coordinator, meeting):
    _raiser, issue = raiser_and_issue(meeting, "Parkering")
    with pytest.raises(issue_services.IssueError):
        issue_services.issue_set_status(actor=coordinator, issue=issue, status=Issue.Status.NETWORK)
    client.force_login(coordinator)
    response = client.post(reverse("issues:issue_manage", args=[issue.pk]), {"action": "status", "status": "network"},
                           HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "forms a network" in response.content.decode()
    issue.refresh_from_db()
    assert issue.status == Issue.Status.CANDIDATE


def test_issue_of_a_network_is_not_triaged_away(forum, coordinator, leader, meeting):
    _raiser, issue = raiser_and_issue(meeting, "Lokaler")
    network = form_network(forum, coordinator=coordinator, leader=leader, issues=[issue])
    with pytest.raises(issue_services.IssueError):
        issue_services.issue_set_status(actor=coordinator, issue=issue, status=Issue.Status.OUT_OF_SCOPE,
                                        answer="Nej")
    services.network_release_issue(actor=coordinator, network=network, issue=issue)
    issue.refresh_from_db()
    assert issue.status == Issue.Status.CANDIDATE
    assert not hasattr(Issue.objects.get(pk=issue.pk), "network_link") or not Issue.objects.filter(
        pk=issue.pk, network_link__isnull=False).exists()


def test_forming_refuses_other_forum_and_taken_issues(forum, coordinator, leader, meeting):
    other = make_forum(name="Göteborg", slug="gbg", municipality="Göteborg")
    _r, foreign = raiser_and_issue(make_meeting(other), "Annan fråga")
    with pytest.raises(services.NetworkError):
        form_network(forum, coordinator=coordinator, leader=leader, issues=[foreign])
    _r, issue = raiser_and_issue(meeting, "En fråga")
    form_network(forum, coordinator=coordinator, leader=leader, issues=[issue])
    with pytest.raises(services.NetworkError):
        form_network(forum, coordinator=coordinator, leader=leader, issues=[issue], title="Andra")
    with pytest.raises(services.NetworkError):
        services.network_form(actor=coordinator, forum=forum, title="T", goal="G", issues=[],
                              process_leaders=[(leader, None)])
    three = [(make_user(f"pl{i}{next_number()}@example.se"), None) for i in range(3)]
    _r, another = raiser_and_issue(meeting, "Tredje")
    with pytest.raises(services.NetworkError):
        services.network_form(actor=coordinator, forum=forum, title="T", goal="G", issues=[another],
                              process_leaders=three)


def test_outcome_resolves_issue_and_tells_raisers(forum, coordinator, leader, meeting):
    _raiser, issue = raiser_and_issue(meeting, "Praktik", email="utfall@example.se")
    network = form_network(forum, coordinator=coordinator, leader=leader, issues=[issue])
    OutboxMessage.objects.all().delete()
    services.network_resolve_issue(actor=leader, network=network, issue=issue, outcome="40 nya praktikplatser.")
    issue.refresh_from_db()
    assert (issue.status, issue.answer) == (Issue.Status.RESOLVED, "40 nya praktikplatser.")
    mail = OutboxMessage.objects.get(to_email="utfall@example.se")
    assert mail.template == "networks/issue_outcome"
    assert "40 nya praktikplatser." in mail.body_text


# --- Membership over the years ----------------------------------------------------------------
def test_membership_history_keeps_periods_and_organisation(forum, coordinator, leader):
    network = form_network(forum, coordinator=coordinator, leader=leader)
    company = make_company("Första AB")
    person = make_representative(company, "medlem@example.se", first_name="Mia", last_name="Medlem")
    first = services.membership_request(actor=person, network=network, message="Vill vara med")
    assert OutboxMessage.objects.filter(to_email="ledare@example.se", template="networks/join_request").exists()
    services.membership_decide(actor=leader, membership=first, approve=True)
    assert OutboxMessage.objects.filter(to_email="medlem@example.se", template="networks/request_approved").exists()
    services.membership_end(actor=person, membership=first)
    # The person leaves the company; the period keeps it.
    person.affiliations.all().delete()
    other = make_company("Andra AB")
    second = services.membership_request(actor=person, network=network, organisation=other)
    services.membership_decide(actor=leader, membership=second, approve=True)
    periods = [m for m in selectors.membership_history(network) if m.person_id == person.pk]
    assert sorted((m.organisation_name, m.status) for m in periods) == [("Andra AB", "active"), ("Första AB", "ended")]
    first.refresh_from_db()
    assert first.ended_on == timezone.localdate() and first.started_on == timezone.localdate()


def test_invitation_by_link_and_no_second_open_period(client, forum, coordinator, leader):
    network = form_network(forum, coordinator=coordinator, leader=leader)
    invited = services.membership_invite(actor=leader, network=network, email="ny@example.se", name="Nils Ny")
    mail = OutboxMessage.objects.get(to_email="ny@example.se")
    assert invited.token in mail.body_text
    with pytest.raises(services.NetworkError):
        services.membership_invite(actor=leader, network=network, email="NY@example.se")
    person = make_user("ny@example.se", first_name="Nils", last_name="Ny")
    client.force_login(person)
    response = client.post(reverse("networks:invitation", args=[invited.token]), {"answer": "accept"})
    assert response.status_code == 302
    invited.refresh_from_db()
    assert (invited.status, invited.person) == (Membership.Status.ACTIVE, person)


def test_only_the_networks_process_leaders_decide(client, forum, coordinator, leader):
    network = form_network(forum, coordinator=coordinator, leader=leader)
    other_network = form_network(forum, coordinator=coordinator, title="Annat nätverk")
    other_leader = other_network.memberships.get().person
    person = make_user("sokande@example.se")
    request_ = services.membership_request(actor=person, network=network)
    url = reverse("networks:membership_decide", args=[request_.pk])
    for outsider in (coordinator, other_leader, person):
        client.force_login(outsider)
        assert client.post(url, {"decision": "approve"}).status_code == 403
    request_.refresh_from_db()
    assert request_.status == Membership.Status.REQUESTED
    client.force_login(leader)
    assert client.post(url, {"decision": "approve"}).status_code == 302
    request_.refresh_from_db()
    assert request_.status == Membership.Status.ACTIVE


def test_last_process_leader_cannot_leave(forum, coordinator, leader):
    network = form_network(forum, coordinator=coordinator, leader=leader)
    with pytest.raises(services.NetworkError):
        services.membership_end(actor=leader, membership=network.memberships.get())


# --- Members-only content and other forums ------------------------------------------------------
def test_members_only_network_is_hidden_from_others(client, forum, coordinator, leader):
    network = form_network(forum, coordinator=coordinator, leader=leader, title="Slutet nätverk",
                           visibility=Network.Visibility.MEMBERS)
    services.update_publish(actor=leader, network=network, title="Hemlig lägesrapport", body="Bara för medlemmar")
    detail = reverse("networks:network_detail", args=[network.pk])
    listing = reverse("networks:network_list", args=[forum.slug])
    assert client.get(detail).status_code == 404
    assert "Slutet nätverk" not in client.get(listing).content.decode()
    client.force_login(make_user("utomstaende@example.se"))
    assert client.get(detail).status_code == 404
    other = make_forum(name="Göteborg", slug="gbg", municipality="Göteborg")
    foreign_coordinator = make_role_holder(other, Role.COORDINATOR, "gbg@example.se")
    client.force_login(foreign_coordinator)
    assert client.get(detail).status_code == 404
    assert client.get(reverse("networks:overview", args=[forum.slug])).status_code == 403
    assert client.get(reverse("networks:report", args=[forum.slug, 2026])).status_code == 403
    client.force_login(leader)
    assert "Hemlig lägesrapport" in client.get(detail).content.decode()
    client.force_login(coordinator)
    assert "Slutet nätverk" in client.get(listing).content.decode()


def test_public_network_shows_no_member_names_to_visitors(client, forum, coordinator, leader):
    network = form_network(forum, coordinator=coordinator, leader=leader, title="Öppet nätverk")
    page = client.get(reverse("networks:network_detail", args=[network.pk])).content.decode()
    assert "Öppet nätverk" in page and "Lea Ledare" not in page
    client.force_login(leader)
    assert "Lea Ledare" in client.get(reverse("networks:network_detail", args=[network.pk])).content.decode()


# --- Meetings, actions, updates ---------------------------------------------------------------
def test_meeting_invites_members_with_calendar_and_reminds_once(forum, coordinator, leader):
    network = form_network(forum, coordinator=coordinator, leader=leader)
    member = make_user("deltar@example.se")
    services.membership_decide(actor=leader, membership=services.membership_request(actor=member, network=network),
                               approve=True)
    OutboxMessage.objects.all().delete()
    starts = timezone.now() + dt.timedelta(days=3)
    meeting = services.meeting_create(actor=leader, network=network, title="Första träffen", starts_at=starts,
                                      ends_at=starts + dt.timedelta(hours=2), venue="Stadshuset")
    invitations = OutboxMessage.objects.filter(template="networks/meeting_invitation")
    assert {m.to_email for m in invitations} == {"ledare@example.se", "deltar@example.se"}
    assert all(b"BEGIN:VCALENDAR" in bytes(m.attachments.get().content) for m in invitations)
    assert services.meeting_reminders_send() == 1  # three days ahead: the week's reminder, not the day's
    assert services.meeting_reminders_send() == 0
    assert OutboxMessage.objects.filter(template="networks/meeting_reminder").count() == 2
    later = timezone.now() + dt.timedelta(days=2, hours=23)
    assert services.meeting_reminders_send(now=later) == 1
    assert OutboxMessage.objects.filter(template="networks/meeting_reminder").count() == 4
    with pytest.raises(services.NetworkError):
        services.meeting_record(actor=leader, meeting=meeting, notes="x", present=[])


def test_attendance_and_notes_after_the_meeting(forum, coordinator, leader):
    network = form_network(forum, coordinator=coordinator, leader=leader)
    starts = timezone.now() - dt.timedelta(hours=3)
    meeting = services.meeting_create(actor=leader, network=network, title="Träff", starts_at=starts,
                                      ends_at=starts + dt.timedelta(hours=2), online_url="https://example.se/mote",
                                      now=starts - dt.timedelta(days=7))  # planned a week before
    leadership = network.memberships.get()
    # A member on the meeting's day (formed a month before; also when the test runs past midnight).
    Membership.objects.filter(pk=leadership.pk).update(started_on=timezone.localdate() - dt.timedelta(days=30))
    services.meeting_record(actor=leader, meeting=meeting, notes="Vi bestämde tre saker.", present=[leadership])
    meeting.refresh_from_db()
    assert meeting.status == NetworkMeeting.Status.HELD
    assert list(meeting.attendance.values_list("membership", flat=True)) == [leadership.pk]


def test_overdue_actions_stand_out_for_leader_and_coordinator(client, forum, coordinator, leader):
    network = form_network(forum, coordinator=coordinator, leader=leader)
    owner = network.memberships.get()
    late = services.action_create(actor=leader, network=network, text="Kartlägg praktikplatser", owner=owner,
                                  due_date=timezone.localdate() - dt.timedelta(days=3),
                                  issues=[network.issue_links.get().issue],
                                  now=timezone.now() - dt.timedelta(days=10))  # written before it was due
    services.action_create(actor=leader, network=network, text="Bjud in skolorna",
                           due_date=timezone.localdate() + dt.timedelta(days=3))
    assert [a.pk for a in selectors.leader_dashboard(leader).overdue] == [late.pk]
    client.force_login(leader)
    page = client.get(reverse("networks:dashboard")).content.decode()
    assert "Kartlägg praktikplatser" in page and "Bjud in skolorna" not in page
    client.force_login(coordinator)
    overview = client.get(reverse("networks:overview", args=[forum.slug]))
    assert [row.overdue for row in overview.context["rows"]] == [1]
    services.action_update(actor=leader, action=late, text=late.text, status=Action.Status.DONE, owner=owner,
                           due_date=late.due_date)
    assert selectors.leader_dashboard(leader).overdue == []


def test_progress_update_reaches_members_in_their_language(forum, coordinator, leader):
    network = form_network(forum, coordinator=coordinator, leader=leader)
    english = make_user("english@example.se", language="en")
    services.membership_decide(actor=leader, membership=services.membership_request(actor=english, network=network),
                               approve=True)
    outsider = make_user("utanfor@example.se")
    OutboxMessage.objects.all().delete()
    services.update_publish(actor=leader, network=network, title="Tio nya platser", body="Vi har nu tio platser.")
    mails = {m.to_email: m for m in OutboxMessage.objects.filter(template="networks/progress_update")}
    assert set(mails) == {"english@example.se", "ledare@example.se"}
    assert mails["english@example.se"].language == "en"
    assert "News from the network" in mails["english@example.se"].body_text
    assert mails["ledare@example.se"].language == "sv"
    assert outsider.email not in mails


def test_only_process_leaders_write_to_the_network(client, forum, coordinator, leader):
    network = form_network(forum, coordinator=coordinator, leader=leader)
    member = make_user("vanlig@example.se")
    services.membership_decide(actor=leader, membership=services.membership_request(actor=member, network=network),
                               approve=True)
    for name in ("members", "meeting_create", "action_create", "update_create", "outcome_create", "expenses"):
        url = reverse(f"networks:{name}", args=[network.pk])
        # The forum's coordinators see everything: the members and the money, read-only.
        readers = (member,) if name in ("members", "expenses") else (member, coordinator)
        for person in readers:
            client.force_login(person)
            assert client.get(url).status_code == 403, (name, person)
        client.force_login(leader)
        assert client.get(url).status_code == 200, name


def test_coordinators_read_a_networks_members_and_expenses_from_the_overview(client, forum, coordinator, leader):
    """The overview links each network's members and money; a coordinator sees both pages
    without their forms and cannot post to them; another forum's coordinator gets nothing."""
    network = form_network(forum, coordinator=coordinator, leader=leader, title="Unga i arbete")
    asking = make_user("vill.vara.med@example.se", first_name="Vera", last_name="Vill")
    services.membership_request(actor=asking, network=network)
    members_url = reverse("networks:members", args=[network.pk])
    expenses_url = reverse("networks:expenses", args=[network.pk])
    client.force_login(coordinator)
    overview = client.get(reverse("networks:overview", args=[forum.slug]), HTTP_ACCEPT_LANGUAGE="en")
    assert members_url in overview.content.decode() and expenses_url in overview.content.decode()
    members = client.get(members_url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Vera Vill" in members and "Lea Ledare" in members.replace("\n", " ")
    assert "<form" not in members.split("<main", 1)[1] and "as a coordinator" in members
    expenses = client.get(expenses_url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Money and expenses" in expenses and "<form" not in expenses.split("<main", 1)[1]
    request_ = network.memberships.get(person=asking)
    assert client.post(reverse("networks:membership_decide", args=[request_.pk]),
                       {"decision": "approve"}).status_code == 403
    assert client.post(members_url, {"email": "ny@example.se", "name": "Ny"}).status_code == 403
    request_.refresh_from_db()
    assert request_.status == Membership.Status.REQUESTED
    other = make_forum(municipality="Lund", name="Lundaforum", slug="lund")
    client.force_login(make_role_holder(other, Role.COORDINATOR, "lund-samordnare@example.se"))
    for url in (members_url, expenses_url):
        assert client.get(url).status_code in (403, 404)


# --- The issue's public timeline ------------------------------------------------------------------
def test_issue_page_shows_the_whole_life(client, forum, coordinator, leader, meeting):
    _raiser, issue = raiser_and_issue(meeting, "Sommarjobb för unga")
    network = form_network(forum, coordinator=coordinator, leader=leader, issues=[issue], title="Sommarjobb")
    services.action_create(actor=leader, network=network, text="Ring 20 arbetsgivare", issues=[issue])
    services.network_resolve_issue(actor=leader, network=network, issue=issue, outcome="120 sommarjobb.")
    response = client.get(reverse("issues:issue_detail", args=[issue.pk]), HTTP_ACCEPT_LANGUAGE="en")
    texts = [entry.text for entry in response.context["timeline"]]
    assert texts[0] == "Raised"
    assert "Taken up by the network “Sommarjobb”" in texts
    assert "The network's action: Ring 20 arbetsgivare" in texts
    assert "120 sommarjobb." in response.content.decode()
    assert [e.at for e in response.context["timeline"]] == sorted(e.at for e in response.context["timeline"])


# --- Pages: fixed query counts ---------------------------------------------------------------------
def _grow(forum, coordinator, n: int) -> None:
    for _ in range(n):
        network = form_network(forum, coordinator=coordinator)
        leader = network.memberships.get().person
        for _j in range(3):
            person = make_user(f"m{next_number()}@example.se")
            services.membership_decide(actor=leader, approve=True,
                                       membership=services.membership_request(actor=person, network=network))


@pytest.mark.parametrize("name", ["network_list", "overview", "budget"])
def test_list_pages_run_a_fixed_number_of_queries(client, forum, coordinator, django_assert_max_num_queries, name):
    client.force_login(coordinator)
    url = reverse(f"networks:{name}", args=[forum.slug])
    _grow(forum, coordinator, 1)
    with django_assert_max_num_queries(20) as small:
        assert client.get(url).status_code == 200
    _grow(forum, coordinator, 4)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200


def test_dashboard_runs_a_fixed_number_of_queries(client, forum, coordinator, leader, django_assert_max_num_queries):
    for _ in range(2):
        form_network(forum, coordinator=coordinator, leader=leader)
    client.force_login(leader)
    with django_assert_max_num_queries(20) as small:
        client.get(reverse("networks:dashboard"))
    for _ in range(3):
        network = form_network(forum, coordinator=coordinator, leader=leader)
        services.action_create(actor=leader, network=network, text="Sen", due_date=dt.date(2020, 1, 1),
                               now=dt.datetime(2019, 12, 1, tzinfo=dt.UTC))
        services.membership_request(actor=make_user(f"x{next_number()}@example.se"), network=network)
    assert permissions.is_process_leader(leader, network)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("networks:dashboard"))


def test_network_meetings_and_due_dates_lie_ahead(client, forum, coordinator, leader):
    """The audit's cases: a network meeting planned in 2019 (its invitations went out) and an
    action due 2010-01-01. Both are refused at the field; no mail, nothing saved."""
    network = form_network(forum, coordinator=coordinator, leader=leader)
    client.force_login(leader)
    OutboxMessage.objects.all().delete()
    response = client.post(reverse("networks:meeting_create", args=[network.pk]), {
        "title": "Förr", "starts_at": "2019-03-05T08:00", "ends_at": "2019-03-05T10:00", "venue": "Stadshuset"})
    assert response.status_code == 400
    assert re.search("redan passerat|already passed", response.context["form"].errors["starts_at"][0])
    assert not NetworkMeeting.objects.exists() and not OutboxMessage.objects.exists()

    response = client.post(reverse("networks:action_create", args=[network.pk]),
                           {"text": "Kartlägg", "due_date": "2010-01-01", "status": "open"})
    assert response.status_code == 400
    assert re.search("redan passerat|already passed", response.context["form"].errors["due_date"][0])
    assert not network.actions.exists()

    # An action that became overdue keeps its date when edited; a new passed date is refused.
    action = services.action_create(actor=leader, network=network, text="Kartlägg",
                                    due_date=timezone.localdate() - dt.timedelta(days=3),
                                    now=timezone.now() - dt.timedelta(days=10))
    edit = reverse("networks:action_edit", args=[action.pk])
    data = {"text": "Kartlägg praktikplatser", "due_date": action.due_date.isoformat(), "status": "open"}
    assert client.post(edit, data).status_code == 302
    response = client.post(edit, {**data, "due_date": (action.due_date - dt.timedelta(days=1)).isoformat()})
    assert response.status_code == 400 and "due_date" in response.context["form"].errors


@pytest.mark.django_db
def test_a_networks_goal_is_kept_within_its_limit_when_edited(client, forum, coordinator, leader):
    """The edit form set the goal's limit after it was built, which adds no check: any length
    was stored. Now 10,000 characters (line breaks counted once, as the browser does) pass and
    one more is refused at the field, with the network unchanged."""
    network = form_network(forum, coordinator=coordinator, leader=leader)
    client.force_login(coordinator)
    url = reverse("networks:network_edit", args=[network.pk])
    data = {"action": "edit", "title": network.title, "status": "active", "visibility": "public",
            "focus_area": str(forum.focus_areas.first().pk)}
    response = client.post(url, {**data, "goal": "x" * 10_001})
    assert response.status_code == 400
    assert re.search("högst 10 000 tecken|at most 10,000 characters", response.content.decode().replace("\xa0", " "))
    network.refresh_from_db()
    assert network.goal == "Fler unga i arbete." and network.status == Network.Status.FORMING
    goal = ("y" * 4_999 + "\r\n") * 2
    assert len(goal) == 10_002  # 10,000 as the browser counts it
    assert client.post(url, {**data, "goal": goal}).status_code == 302
    network.refresh_from_db()
    assert network.goal == goal.replace("\r\n", "\n").strip() and network.status == Network.Status.ACTIVE
