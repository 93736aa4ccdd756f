"""The annual report to the municipal board and the three-year evaluation: figures from known
data (participation in aggregates, groups under 5 suppressed), the printable page and the PDF
made by WeasyPrint (its text read back with pypdf)."""
from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfReader

from events.models import Meeting, SeatPool
from forum.models import Role
from issues.models import Issue
from networks import charts, report, services
from networks.models import Action, Membership, Network, NetworkMeeting
from tests.factories import make_company, make_meeting, make_registration, make_role_holder, make_user, pool_of
from tests.network_helpers import form_network, raiser_and_issue

pytestmark = pytest.mark.django_db
YEAR = 2025
TZ = dt.UTC


def _at(month: int, day: int = 1) -> dt.datetime:
    return dt.datetime(YEAR, month, day, 12, tzinfo=TZ)


@pytest.fixture
def coordinator(forum):
    return make_role_holder(forum, Role.COORDINATOR, "samordnare@example.se")


@pytest.fixture
def known(forum, coordinator):
    """A year with one held theme meeting (6 business and 2 city participants checked in),
    3 issues raised, a network with a held meeting of 3, an action done and money spent."""
    meeting = make_meeting(forum, title="Vårträff 2025", starts_at=_at(5, 10))
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.HELD)
    for i in range(8):
        pool = pool_of(meeting, SeatPool.Kind.MUNICIPAL if i < 2 else SeatPool.Kind.CITY_PICK)
        make_registration(meeting, make_company(), pool=pool, checked_in_at=_at(5, 10))
    make_registration(meeting, make_company())  # confirmed but never came
    issues = [raiser_and_issue(meeting, f"Fråga {n}")[1] for n in range(3)]
    Issue.objects.filter(pk__in=[i.pk for i in issues]).update(created_at=_at(5, 10))
    network = form_network(forum, coordinator=coordinator, issues=issues[:2], title="Unga i arbete")
    Network.objects.filter(pk=network.pk).update(created_at=_at(6))
    leader = network.memberships.get().person
    Membership.objects.filter(network=network).update(started_on=dt.date(YEAR, 6, 1))
    for n in range(2):
        person = make_user(f"medlem{n}@example.se")
        m = services.membership_decide(actor=leader, approve=True,
                                       membership=services.membership_request(actor=person, network=network))
        Membership.objects.filter(pk=m.pk).update(started_on=dt.date(YEAR, 7, 1))
    held = services.meeting_create(actor=leader, network=network, title="Träff", starts_at=_at(9),
                                   ends_at=_at(9) + dt.timedelta(hours=2), venue="Stadshuset",
                                   now=_at(9) - dt.timedelta(days=30))  # planned a month before
    services.meeting_record(actor=leader, meeting=held, notes="Bra", present=network.memberships.all())
    action = services.action_create(actor=leader, network=network, text="Kartlägg")
    services.action_update(actor=leader, action=action, text="Kartlägg", status=Action.Status.DONE)
    Action.objects.filter(pk=action.pk).update(done_at=_at(10))
    services.network_resolve_issue(actor=leader, network=network, issue=issues[0], outcome="Klart")
    network.issue_links.filter(issue=issues[0]).update(resolved_at=_at(11))
    services.pot_set(actor=coordinator, forum=forum, year=YEAR, amount="500000")
    services.allocation_create(actor=coordinator, network=network, year=YEAR, amount="50000")
    services.expense_create(actor=leader, network=network, date=dt.date(YEAR, 9, 1), category="lunch_fika",
                            amount="1234.50")
    return network


def test_annual_report_figures(forum, known):
    with translation.override("en"):
        data = report.annual_report(forum, YEAR)
    [row] = data.meetings
    assert (row.business.value, row.city.suppressed, row.total.value) == (6, True, 8)
    assert data.participants.value == 8
    assert data.issues_raised == 3
    statuses = dict(data.issues_by_status)
    assert statuses["Resolved"] == 1 and statuses["Taken up by a network"] == 1
    assert statuses["Candidate for the priority list"] == 1
    [network_row] = data.networks
    assert (network_row.issues, network_row.resolved, network_row.members) == (2, 1, 3)
    assert (network_row.meetings, network_row.attendance.suppressed, network_row.actions_done) == (1, True, 1)
    assert (network_row.allocated, network_row.spent) == (Decimal("50000.00"), Decimal("1234.50"))
    assert (data.pot, data.allocated, data.spent) == (Decimal("500000.00"), Decimal("50000.00"), Decimal("1234.50"))
    assert dict(data.spent_by_category)["Lunch and fika"] == Decimal("1234.50")
    assert report.annual_report(forum, YEAR + 3).networks[0].actions_done == 0


def test_evaluation_covers_the_first_three_years(forum, known):
    years = report.evaluation(forum)
    assert [y.year for y in years] == [YEAR, YEAR + 1, YEAR + 2]
    assert (years[0].meetings, years[0].issues_raised, years[0].actions_done) == (1, 3, 1)
    assert years[0].spent == Decimal("1234.50") and years[1].spent == Decimal("0.00")


def test_report_page_prints_and_hides_small_groups(client, forum, coordinator, known):
    client.force_login(coordinator)
    response = client.get(reverse("networks:report", args=[forum.slug, YEAR]), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    page = response.content.decode()
    assert "css/report.css" in page and "<svg" in page and "<script" not in page.split("</main>")[0].split(
        "<main")[-1]
    assert "fewer than 5" in page
    assert client.get(reverse("networks:evaluation", args=[forum.slug])).status_code == 200


def test_report_pdf_has_the_reports_headings(client, forum, coordinator, known):
    client.force_login(coordinator)
    response = client.get(reverse("networks:report_pdf", args=[forum.slug, YEAR]), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-") and len(response.content) > 2000
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    text = " ".join(text.split())
    for heading in (f"Annual report {YEAR}", "Theme meetings and participation", "Priority list",
                    "Networks and their progress", "Money", "Unga i arbete"):
        assert heading in text, heading


def test_report_is_for_coordinators_only(client, forum, known):
    leader = known.memberships.filter(role="process_leader").get().person
    client.force_login(leader)
    assert client.get(reverse("networks:report", args=[forum.slug, YEAR])).status_code == 403
    assert client.get(reverse("networks:report_pdf", args=[forum.slug, YEAR])).status_code == 403


def test_report_runs_a_fixed_number_of_queries(client, forum, coordinator, known, django_assert_max_num_queries):
    client.force_login(coordinator)
    url = reverse("networks:report", args=[forum.slug, YEAR])
    with django_assert_max_num_queries(40) as first:
        client.get(url)
    for n in range(3):
        form_network(forum, coordinator=coordinator, title=f"Fler {n}")
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(url)
    assert NetworkMeeting.objects.count() == 1 and timezone.now()


def test_chart_labels_sit_above_their_bars_whole_or_shortened_with_an_ellipsis():
    """Each label has the picture's whole width on its own line (it was drawn left of its bar
    and cut at the picture's left edge); a label too long for the line ends in "…", and the
    table beside the chart keeps it whole. No rows, no picture."""
    long_title = "Tematräff 1: Vad kan staden göra för företagens utveckling och tillväxt i Malmö? 2025"
    svg = str(charts.bar_chart([(long_title, 66), ("Kort <b>", 3), ("Dold", None)]))
    labels = re.findall(r'<text x="2" y="[\d.]+" font-size="13" fill="#1f2328">([^<]*)</text>', svg)
    assert labels == [long_title[: charts.LABEL_CHARS - 1].rstrip() + "…", "Kort &lt;b&gt;", "Dold", "–"]
    assert len(labels[0]) <= charts.LABEL_CHARS
    assert "66</text>" in svg and "3</text>" in svg  # the values, right of their bars
    assert all(float(x) >= 0 for x in re.findall(r' x="([-\d.]+)"', svg))
    assert charts.bar_chart([]) == ""


def test_a_year_without_meetings_or_issues_says_so_and_draws_no_empty_chart(client, forum, coordinator):
    client.force_login(coordinator)
    page = client.get(reverse("networks:report", args=[forum.slug, 2031]), HTTP_ACCEPT_LANGUAGE="sv").content.decode()
    assert "Ingen tematräff hölls i år." in page and "Ingen fråga togs upp i år." in page
    # The issues by status and the money by category (all naught) are drawn; the meetings are not.
    assert page.count('class="report-chart"') == 2
    assert "<figure></figure>" not in page


def _resolved_in_year_independently(forum, year: int) -> int:
    """The issues of ``forum`` resolved now whose last move to "resolved" in their history
    fell in ``year``, Stockholm time: counted from the rows, not by the report."""
    from zoneinfo import ZoneInfo

    from issues.models import IssueEvent

    last: dict[int, dt.datetime] = {}
    for event in IssueEvent.objects.order_by("at", "pk"):
        status = (event.changes or {}).get("status")
        if event.kind == "status" and isinstance(status, list) and status[1] == Issue.Status.RESOLVED:
            last[event.issue_id] = event.at
    resolved = {i.pk for i in Issue.objects.all() if i.forum_id == forum.pk and i.status == Issue.Status.RESOLVED}
    return sum(1 for pk, at in last.items() if pk in resolved and at.astimezone(ZoneInfo("Europe/Stockholm")).year
               == year)


def test_evaluation_counts_an_issue_resolved_in_the_year_it_was_resolved(forum):
    """An issue resolved in 2025 and edited later counts in 2025 (the count went by
    ``updated_at``, so every edit moved it into the edit's year); one resolved at 00:30 on
    New Year's Day, Stockholm time (23:30 UTC the day before), counts in the new year; one
    resolved and then reopened counts nowhere; another forum's never."""
    from issues import services as issue_services
    from issues.models import IssueEvent
    from tests.factories import make_forum

    meeting = make_meeting(forum, title="Vårträff 2025", starts_at=_at(3, 10))
    other_forum = make_forum(slug="goteborg", name="Göteborgsforum", municipality="Göteborg")
    other = make_meeting(other_forum, title="Annan träff", starts_at=_at(3, 10))

    def resolved(meeting, text: str, at: dt.datetime) -> Issue:
        issue = raiser_and_issue(meeting, text)[1]
        issue = issue_services.issue_set_status(actor=None, issue=issue, status=Issue.Status.RESOLVED,
                                                answer="Klart.")
        IssueEvent.objects.filter(issue=issue, kind=IssueEvent.Kind.STATUS).update(at=at)
        Issue.objects.filter(pk=issue.pk).update(created_at=_at(3, 10), updated_at=at)
        return issue

    edited = resolved(meeting, "Löst i juni, ändrad senare", _at(6, 5))
    Issue.objects.filter(pk=edited.pk).update(updated_at=dt.datetime(YEAR + 1, 2, 1, tzinfo=TZ))
    resolved(meeting, "Löst på nyårsnatten", dt.datetime(YEAR, 12, 31, 23, 30, tzinfo=TZ))  # 00:30 in Malmö
    reopened = resolved(meeting, "Öppnad igen", _at(8))
    issue_services.issue_set_status(actor=None, issue=Issue.objects.get(pk=reopened.pk),
                                    status=Issue.Status.CANDIDATE)
    Issue.objects.filter(pk=reopened.pk).update(updated_at=_at(9))
    resolved(other, "En annan forums fråga", _at(6, 5))

    figures = {y.year: y.issues_resolved for y in report.evaluation(forum)}
    expected = {year: _resolved_in_year_independently(forum, year) for year in figures}
    assert expected == {YEAR: 1, YEAR + 1: 1, YEAR + 2: 0}
    assert figures == expected


def test_annual_report_counts_members_not_membership_periods(forum, coordinator):
    """A member who left in April and joined again in September was two members of the year
    (each period counted): the report counts people. Periods outside the year, requests that
    were declined and another forum's network never count; the expected figures are counted
    here from the rows."""
    from tests.factories import make_forum

    network = form_network(forum, coordinator=coordinator, title="Unga i arbete")
    leader = network.memberships.get().person
    Membership.objects.filter(network=network).update(started_on=dt.date(YEAR - 1, 11, 1))
    Network.objects.filter(pk=network.pk).update(created_at=dt.datetime(YEAR - 1, 11, 1, tzinfo=TZ))

    def period(person, started: dt.date, ended: dt.date | None, net=network, by=leader) -> None:
        membership = services.membership_decide(actor=by, approve=True, membership=services.membership_request(
            actor=person, network=net))
        if ended:
            membership = services.membership_end(actor=person, membership=membership)
        Membership.objects.filter(pk=membership.pk).update(started_on=started, ended_on=ended)

    back_again, left_last_year, newcomer = (make_user(f"{name}@example.se") for name in ("tillbaka", "forra", "ny"))
    period(back_again, dt.date(YEAR, 2, 1), dt.date(YEAR, 4, 30))
    period(back_again, dt.date(YEAR, 9, 1), None)
    period(left_last_year, dt.date(YEAR - 1, 3, 1), dt.date(YEAR - 1, 12, 31))
    period(newcomer, dt.date(YEAR, 12, 31), None)
    services.membership_decide(actor=leader, approve=False,
                               membership=services.membership_request(actor=make_user("nej@example.se"),
                                                                      network=network))
    other = form_network(make_forum(slug="goteborg", name="Göteborgsforum", municipality="Göteborg"),
                         title="Annat nätverk")
    period(back_again, dt.date(YEAR, 5, 1), None, net=other, by=other.memberships.get().person)

    start, end = dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31)
    rows = [m for m in Membership.objects.all() if m.network_id == network.pk and m.started_on]
    expected = (len({m.person_id for m in rows if m.started_on <= end and (m.ended_on is None or m.ended_on >= start)}),
                len({m.person_id for m in rows if start <= m.started_on <= end}),
                len({m.person_id for m in rows if m.ended_on and start <= m.ended_on <= end}))
    assert expected == (3, 2, 1)  # the leader, back_again and the newcomer; two joined; one left
    [row] = report.annual_report(forum, YEAR).networks
    assert (row.members, row.joined, row.left) == expected


def test_annual_report_money_adds_up_with_a_network_formed_after_the_year(forum, coordinator):
    """A network formed in January and given money from last year's pot: the report of that
    year left it out of the networks and of "Allocated" and "Used", while the rows of "Used"
    by category counted its expense – the figures did not add up. Another forum's money and
    the next year's never count; expected sums computed here from the rows."""
    from networks.models import Allocation, Expense
    from tests.factories import make_forum

    early = form_network(forum, coordinator=coordinator, title="Unga i arbete")
    Network.objects.filter(pk=early.pk).update(created_at=_at(3))
    late = form_network(forum, coordinator=coordinator, title="Torg och handel")
    Network.objects.filter(pk=late.pk).update(created_at=dt.datetime(YEAR + 1, 1, 10, tzinfo=TZ))
    other_forum = make_forum(slug="goteborg", name="Göteborgsforum", municipality="Göteborg")
    elsewhere = form_network(other_forum, title="Annat nätverk")
    for net, by in ((early, coordinator), (late, coordinator), (elsewhere, None)):
        services.pot_set(actor=by, forum=net.forum, year=YEAR, amount="100000")
        services.pot_set(actor=by, forum=net.forum, year=YEAR + 1, amount="100000")
        leader = net.memberships.get().person
        for year, amount in ((YEAR, "20000"), (YEAR + 1, "7000")):
            services.allocation_create(actor=by, network=net, year=year, amount=amount)
            # The next year's expense dated in January: an expense is never dated after today.
            services.expense_create(actor=leader, network=net, date=dt.date(year, 12 if year == YEAR else 1, 20),
                                    category="room", amount="1500.25")
    services.expense_create(actor=late.memberships.get().person, network=late, date=dt.date(YEAR, 12, 30),
                            category="analysis", amount="999.75")

    def total(model) -> Decimal:
        return sum((r.amount for r in model.objects.all() if r.network.forum_id == forum.pk and r.pot.year == YEAR),
                   Decimal("0.00"))

    data = report.annual_report(forum, YEAR)
    assert (data.allocated, data.spent) == (total(Allocation), total(Expense)) == (Decimal("40000.00"),
                                                                                    Decimal("4000.25"))
    assert sum((amount for _label, amount in data.spent_by_category), Decimal("0.00")) == data.spent
    assert sum((row.spent for row in data.networks), Decimal("0.00")) == data.spent
    assert {row.network.title for row in data.networks} == {"Unga i arbete", "Torg och handel"}


def test_attendance_in_the_report_is_what_the_check_in_page_counts(forum):
    """A place checked in early and then cancelled before the start kept its check-in time and
    was counted as a participant of the meeting and of the year, while the check-in page
    ("N of M checked in") left it out. A no-show and another forum's meeting never count."""
    from events import selectors as event_selectors
    from events import services as event_services
    from events.models import Registration
    from tests.factories import make_forum

    starts = _at(5, 10)
    meeting = make_meeting(forum, title="Vårträff 2025", starts_at=starts)
    other = make_meeting(make_forum(slug="goteborg", name="Göteborgsforum", municipality="Göteborg"),
                         starts_at=starts)
    early = starts - dt.timedelta(minutes=30)
    for m in (meeting, other):
        for i in range(6):
            pool = pool_of(m, SeatPool.Kind.MUNICIPAL if i == 0 else SeatPool.Kind.CITY_PICK)
            registration = make_registration(m, make_company(), pool=pool)
            event_services.checkin(actor=None, registration=registration, now=early)
        make_registration(m, make_company())  # confirmed, never came
    gone = Registration.objects.filter(meeting=meeting, checked_in_at__isnull=False).order_by("pk").last()
    event_services.registration_cancel(registration_id=gone.pk, user=None, now=early + dt.timedelta(minutes=5))
    Meeting.objects.filter(pk__in=[meeting.pk, other.pk]).update(status=Meeting.Status.HELD)

    rows = [r for r in Registration.objects.all() if r.meeting_id == meeting.pk]
    came = [r for r in rows if r.checked_in_at and r.status == Registration.Status.CONFIRMED]
    assert len(came) == 5 and event_selectors.checkin_counts(meeting) == (5, 6)
    data = report.annual_report(forum, YEAR)
    [row] = data.meetings
    assert row.total.value == len(came) == event_selectors.checkin_counts(meeting)[0]
    assert data.participants.value == len({r.organisation_id for r in came})
    assert report.evaluation(forum)[0].participants.value == len({r.organisation_id for r in came})


def test_the_annual_report_link_opens_last_year_also_on_new_years_eve_of_a_leap_year():
    """The link went to the year of 365 days ago: on 31 December 2028 (a leap year) that is
    2028 itself, whose report is not done yet."""
    from networks.sections import _last_year

    for today in (dt.date(2028, 12, 31), dt.date(2028, 1, 1), dt.date(2027, 12, 31), dt.date(2026, 11, 30)):
        assert _last_year(today) == today.year - 1


def test_evaluation_counts_a_network_closed_in_a_year_as_active_up_to_that_year_only(forum, coordinator):
    """A network closed in June and made members-only the next February was active again in
    that next year: the evaluation read the close from ``updated_at``, which the later edit
    moved. Another forum's networks never count. Expected figures from the rows."""
    from forum.models import AuditEvent
    from tests.factories import make_forum

    make_meeting(forum, title="Vårträff 2025", starts_at=_at(3, 10))  # the forum's first year is 2025
    closed = form_network(forum, coordinator=coordinator, title="Stängt nätverk")
    active = form_network(forum, coordinator=coordinator, title="Aktivt nätverk")
    form_network(make_forum(slug="goteborg", name="Göteborgsforum", municipality="Göteborg"), title="Annat")
    Network.objects.filter(forum=forum).update(created_at=_at(3))
    services.network_update(actor=coordinator, network=closed, status=Network.Status.CLOSED)
    AuditEvent.objects.filter(action="network.update", target_id=str(closed.pk)).update(at=_at(6))
    services.network_update(actor=coordinator, network=Network.objects.get(pk=closed.pk),
                            visibility=Network.Visibility.MEMBERS)
    AuditEvent.objects.filter(action="network.update", target_id=str(closed.pk), at__gt=_at(7)).update(
        at=dt.datetime(YEAR + 1, 2, 1, tzinfo=TZ))
    Network.objects.filter(pk=closed.pk).update(updated_at=dt.datetime(YEAR + 1, 2, 1, tzinfo=TZ))

    closed_on = max(e.at for e in AuditEvent.objects.all() if e.action == "network.update"
                    and e.target_id == str(closed.pk) and (e.data.get("status") or [None, None])[1] == "closed")
    expected = {year: sum(1 for n in Network.objects.all() if n.forum_id == forum.pk
                          and n.created_at < dt.datetime(year + 1, 1, 1, tzinfo=TZ)
                          and not (n.pk == closed.pk and closed_on < dt.datetime(year, 1, 1, tzinfo=TZ)))
                for year in (YEAR, YEAR + 1, YEAR + 2)}
    assert expected == {YEAR: 2, YEAR + 1: 1, YEAR + 2: 1} and active.pk != closed.pk
    assert {y.year: y.networks_active for y in report.evaluation(forum)} == expected
