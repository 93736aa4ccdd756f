"""One home per rule (issue 11): the waiting list's order, an invitation's or offer's state by the
clock, "may cancel", "overdue" and the coordinator's menu are each decided in one Python
function, and the pages show what that function says (templates decide no rules)."""
from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from events import selectors as event_selectors
from events import services as event_services
from events.models import Meeting, Registration
from forum.models import Organisation, Role
from issues import selectors as issue_selectors
from issues import services as issue_services
from issues.models import Issue
from tests.factories import (
    company_with_rep,
    make_company,
    make_meeting,
    make_registration,
    make_role_holder,
    make_user,
    open_with_small_pools,
    register_open,
)
from tests.test_triage import raise_issue


def _header(client) -> str:
    html = client.get(reverse("forum:home")).content.decode()
    return html[html.index("<header"):html.index("</header>")]


# --- the menu -----------------------------------------------------------------------------
@pytest.mark.django_db
def test_a_superuser_gets_the_coordinator_menu_without_a_role(client, forum):
    """The header menu comes from the permission functions, so the portal administrator, who
    holds no role in the forum, gets the coordinator's links as a coordinator does; a person
    without a role gets none."""
    coordinator_links = [reverse("events:plan", args=[forum.slug]), reverse("forum:forum_work", args=[forum.slug])]
    coordinator = make_role_holder(forum, Role.COORDINATOR, "samordnare@example.se")
    superuser = make_user("admin@example.se", is_superuser=True, is_staff=True)
    nobody = make_user("ingen@example.se")
    for user, expected in ((coordinator, True), (superuser, True), (nobody, False)):
        client.force_login(user)
        header = _header(client)
        assert all((link in header) is expected for link in coordinator_links), user.email


# --- may cancel ---------------------------------------------------------------------------
@pytest.mark.django_db
def test_may_cancel_comes_from_one_function_and_the_page_follows_it(client, forum):
    now = timezone.now()
    coming = make_meeting(forum, title="Kommande")
    past = make_meeting(forum, title="Förra", starts_at=now - dt.timedelta(days=3))
    for meeting in (coming, past):
        meeting.status = Meeting.Status.PUBLISHED
        meeting.save()
    # Every row names the person as attendee, so all are theirs to see (and, by the rule, to cancel).
    company, user = company_with_rep()
    rows = {
        "confirmed": make_registration(coming, company, attendee=user),
        "waiting": make_registration(coming, make_company("Väntande AB"), attendee=user,
                                     status=Registration.Status.WAITING, waiting_since=now),
        "offer lapsed by the clock": make_registration(
            coming, make_company("Erbjuden AB"), attendee=user, status=Registration.Status.OFFERED,
            offer_expires_at=now - dt.timedelta(minutes=1)),
        "invited": make_registration(coming, make_company("Inbjuden AB"), attendee=user,
                                     status=Registration.Status.INVITED, expires_at=now + dt.timedelta(days=3)),
        "meeting started": make_registration(past, company, attendee=user),
    }
    expected = {"confirmed": True, "waiting": True, "offer lapsed by the clock": False, "invited": False,
                "meeting started": False}
    assert {name: r.may_cancel(now) for name, r in rows.items()} == expected
    assert rows["offer lapsed by the clock"].effective_status(now) == Registration.Status.OFFER_EXPIRED

    client.force_login(user)
    response = client.get(reverse("events:my_registrations"))
    html = response.content.decode()
    shown = {row["registration"].pk: row["may_cancel"] for row in response.context["rows"]}
    for name, registration in rows.items():
        assert shown[registration.pk] is expected[name], name
        cancel_url = reverse("events:registration_cancel", args=[registration.pk])
        assert (cancel_url in html) is expected[name], name
    # Where the page offers no button, the service refuses too.
    with pytest.raises(event_services.BookingError):
        event_services.registration_cancel(registration_id=rows["meeting started"].pk, user=user)

    # The personal link page follows the same flag.
    link = client.get(reverse("events:invitation", args=[rows["confirmed"].token]))
    assert link.context["may_cancel"] is True and 'value="cancel"' in link.content.decode()
    link = client.get(reverse("events:invitation", args=[rows["meeting started"].token]))
    assert link.context["may_cancel"] is False and 'value="cancel"' not in link.content.decode()


# --- overdue ------------------------------------------------------------------------------
@pytest.mark.django_db
def test_overdue_flag_filter_and_to_do_page_share_one_rule(client, forum):
    today = timezone.localdate()
    coordinator = make_role_holder(forum, Role.COORDINATOR, "samordnare@example.se")
    department = Organisation.objects.create(kind=Organisation.Kind.DEPARTMENT, name="Gatukontoret")
    meeting = make_meeting(forum, title="Träff")
    meeting.status = Meeting.Status.PUBLISHED
    meeting.save()
    issues = {}
    for name, due in (("yesterday", -1), ("today", 0), ("tomorrow", 1), ("resolved late", -5)):
        issue = raise_issue(meeting, f"Fråga {name}")
        issue_services.issue_set_status(actor=coordinator, issue=issue, status=Issue.Status.QUICK_FIX,
                                        department=department, responsible=coordinator,
                                        due_date=today + dt.timedelta(days=due),
                                        now=timezone.now() - dt.timedelta(days=10))  # triaged before any was due
        issues[name] = issue
    issue_services.issue_set_status(actor=coordinator, issue=issues["resolved late"], status=Issue.Status.RESOLVED,
                                    answer="Klart.")
    by_rule = set(Issue.objects.filter(Issue.overdue_q(today)).values_list("pk", flat=True))
    assert by_rule == {issues["yesterday"].pk}

    client.force_login(coordinator)
    url = reverse("issues:triage_queue", args=[forum.slug])
    page = client.get(url).context["page"]
    assert {issue.pk for issue in page.object_list if issue.overdue} == by_rule
    filtered = client.get(url, {"overdue": "on"}).context["page"]
    assert {issue.pk for issue in filtered.object_list} == by_rule
    assert {issue.pk for issue in issue_selectors.issue_todos(forum).overdue} == by_rule
    html = client.get(url).content.decode()
    assert html.count('class="text-danger"') == 1


# --- the waiting list's order -------------------------------------------------------------
@pytest.mark.django_db
def test_waiting_list_order_is_defined_once(forum):
    meeting = open_with_small_pools(make_meeting(forum), size=1)
    # The City pool's seat is held for it: one open seat, then the line.
    seated = [register_open(meeting)]
    waiting = [register_open(meeting) for _ in range(3)]
    assert {r.status for r in seated} == {Registration.Status.CONFIRMED}
    assert {r.status for r in waiting} == {Registration.Status.WAITING}
    # A tie on the time is settled by the id, in every place that orders the line.
    Registration.objects.filter(pk__in=[waiting[1].pk, waiting[2].pk]).update(waiting_since=waiting[1].waiting_since)
    line = list(event_selectors.waiting_list(meeting))
    assert line == list(Registration.objects.filter(meeting=meeting).waiting_line())
    assert [r.pk for r in line] == sorted((r.pk for r in waiting), key=lambda pk: (
        Registration.objects.get(pk=pk).waiting_since, pk))
    positions = event_selectors.waiting_positions(line)
    for place, registration in enumerate(line, start=1):
        assert event_services.waiting_position(registration) == place == positions[registration.pk]
    # The freed seat goes to the first in that line.
    event_services.registration_cancel(registration_id=seated[0].pk, user=None)
    line[0].refresh_from_db()
    assert line[0].status == Registration.Status.OFFERED
    assert [r.pk for r in event_selectors.waiting_list(meeting)] == [r.pk for r in line[1:]]
