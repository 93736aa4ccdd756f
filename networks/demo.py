"""Demo data for networks (called at the end of ``seed_demo``): three networks formed last
November from the demo priority list, in different states, with members who joined and left,
meetings, actions (some overdue), progress updates, allocations and expenses, so that last
year's annual report has content and every network page has something to show.

Everything goes through :mod:`networks.services`; the services date things "now", so rows are
then dated back into their story (a demo-only adjustment, straight in the database). Finds what
it needs by query; does nothing if the forum already has networks (safe to run again).
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from forum.models import Forum, OutboxMessage
from issues.models import Issue, IssueEvent, PriorityListEntry

from . import services
from .models import Action, Membership, Network, NetworkIssue, ProgressUpdate

FORUM_SLUG = "meet-malmo"


def _at(day: dt.date, hour: int = 15) -> dt.datetime:
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, hour))


def _issue(forum: Forum, text: str) -> Issue:
    return Issue.objects.get(forum=forum, text=text)


def _backdate_issue_link(issue: Issue, when: dt.datetime) -> None:
    NetworkIssue.objects.filter(issue=issue).update(added_at=when)
    IssueEvent.objects.filter(issue=issue, changes__has_key="network").update(at=when)


def _join(network: Network, leader: User, person: User, *, started: dt.date, ended: dt.date | None = None,
          role: str = Membership.Role.MEMBER) -> Membership:
    membership = services.membership_request(actor=person, network=network, message="")
    membership = services.membership_decide(actor=leader, membership=membership, approve=True)
    if role != Membership.Role.MEMBER:
        Membership.objects.filter(pk=membership.pk).update(role=role)
    if ended:
        membership = services.membership_end(actor=person, membership=membership)
    Membership.objects.filter(pk=membership.pk).update(started_on=started, ended_on=ended)
    membership.refresh_from_db()
    return membership


def _meeting(network, leader, title: str, day: dt.date, *, venue: str, notes: str = "", present=()):
    # Planned a month ahead (a network meeting is planned only for a time still to come).
    meeting = services.meeting_create(actor=leader, network=network, title=title, starts_at=_at(day, 8),
                                      ends_at=_at(day, 10), venue=venue,
                                      agenda="1. Läget sedan sist\n2. Åtgärderna\n3. Nästa steg",
                                      now=min(timezone.now(), _at(day - dt.timedelta(days=30))))
    if notes:
        services.meeting_record(actor=leader, meeting=meeting, notes=notes, present=present)
    return meeting


def _action(network, leader, text: str, *, owner=None, due: dt.date, done: dt.datetime | None = None,
            issues=()) -> Action:
    # Written a month before it was due (a due date set is never already passed).
    action = services.action_create(actor=leader, network=network, text=text, owner=owner, due_date=due,
                                    issues=list(issues), now=min(timezone.now(), _at(due - dt.timedelta(days=30))))
    if done:
        services.action_update(actor=leader, action=action, text=text, status=Action.Status.DONE, owner=owner,
                               due_date=due, issues=list(issues))
        Action.objects.filter(pk=action.pk).update(done_at=done, created_at=done - dt.timedelta(days=30))
    return action


def _update(network, leader, title: str, body: str, when: dt.datetime) -> None:
    update = services.update_publish(actor=leader, network=network, title=title, body=body)
    ProgressUpdate.objects.filter(pk=update.pk).update(published_at=when)


def seed(*, stdout: Any = None) -> None:
    """Seed the demo networks of the demo forum (nothing if it has networks already)."""
    forum = Forum.objects.filter(slug=FORUM_SLUG).first()
    if forum is None or forum.networks.exists():
        return
    with transaction.atomic():
        first_mail = OutboxMessage.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        _seed(forum)
        # Invented addresses: record the demo's mail as sent so none of it goes out.
        OutboxMessage.objects.filter(pk__gt=first_mail, status=OutboxMessage.Status.QUEUED).update(
            status=OutboxMessage.Status.SENT, sent_at=timezone.now())
    if stdout is not None:
        stdout.write(f"Nätverk: {forum.networks.count()} ({', '.join(forum.networks.values_list('title', flat=True))})")


def _seed(forum: Forum) -> None:
    today = timezone.localdate()
    last_year = today.year - 1
    formed = dt.date(last_year, 11, 25)
    coordinator = User.objects.get(email="samordnare@forum.example")
    sara = User.objects.get(email="processledare@forum.example")
    johan = User.objects.get(email="tjansteperson@forum.example")
    leyla = User.objects.get(email="foretag@forum.example")
    representatives = User.objects.filter(affiliations__confirmed_at__isnull=False, is_active=True,
                                          affiliations__organisation__kind="company")
    people = list(representatives.exclude(pk__in=[sara.pk, leyla.pk]).distinct().order_by("pk")[:9])
    top = [entry.issue for entry in PriorityListEntry.objects.filter(
        vote__meeting__forum=forum, issue__status=Issue.Status.CANDIDATE).select_related("issue").order_by("rank")[:2]]

    # 1. Active and public, running for a year: members came and went, meetings, money.
    youth_issue = _issue(forum, "Matchning mellan arbetsgivare och unga som varken arbetar eller studerar")
    youth = services.network_form(
        actor=coordinator, forum=forum, title="Unga i arbete",
        goal="Fler unga Malmöbor i arbete eller studier: 200 nya praktik- och sommarjobb hos företagen inom två år, "
             "och en väg in för arbetsgivare som vill anställa unga.",
        issues=[youth_issue, *top[:1]], process_leaders=[(sara, None)], focus_area=forum.focus_areas.order_by(
            "position").first(), status=Network.Status.ACTIVE)
    for issue in [youth_issue, *top[:1]]:
        _backdate_issue_link(issue, _at(formed))
    Network.objects.filter(pk=youth.pk).update(created_at=_at(formed))
    Membership.objects.filter(network=youth, person=sara).update(started_on=formed)
    contact = _join(youth, sara, johan, started=formed + dt.timedelta(days=2), role=Membership.Role.CITY_CONTACT)
    members = [_join(youth, sara, person, started=formed + dt.timedelta(days=5 + i)) for i, person in
               enumerate(people[:6])]
    left = _join(youth, sara, people[6], started=formed + dt.timedelta(days=3),
                 ended=min(today - dt.timedelta(days=10), dt.date(today.year, 2, 15)))
    leader = Membership.objects.get(network=youth, person=sara)
    _meeting(youth, sara, "Uppstartsträff", dt.date(last_year, 12, 9), venue="Malmö Live, Dag Hammarskjölds torg 4",
             notes="Vi kom överens om mål för två år och om vem som kartlägger praktikplatserna.",
             present=[leader, contact, left, *members[:4]])
    second_day = min(today - dt.timedelta(days=20), dt.date(today.year, 3, 12))
    _meeting(youth, sara, "Vårträff i nätverket", second_day, venue="Stadsbiblioteket, Regementsgatan 3",
             notes="Kartläggningen är klar. Fem företag tar emot sommarjobbare.",
             present=[leader, contact, *members[:3]])
    _meeting(youth, sara, "Avstämning inför sommaren", today + dt.timedelta(days=12),
             venue="Företagens hus, Stortorget 9")
    _action(youth, sara, "Kartlägg praktikplatser hos medlemsföretagen", owner=members[0],
            due=dt.date(last_year, 12, 20), done=_at(dt.date(last_year, 12, 18)), issues=[youth_issue])
    _action(youth, sara, "Samla arbetsgivarnas behov i en gemensam annons", owner=contact,
            due=today - dt.timedelta(days=9), issues=[youth_issue])
    _action(youth, sara, "Bjud in gymnasieskolornas studie- och yrkesvägledare", owner=members[1],
            due=today + dt.timedelta(days=30))
    _update(youth, sara, "Nätverket har startat",
            "Tolv personer från företag och staden var med på uppstartsträffen. "
            "Vi har satt målet: 200 platser på två år.",
            _at(dt.date(last_year, 12, 10)))
    _update(youth, sara, "Kartläggningen är klar",
            "Medlemsföretagen kan ta emot 64 praktikanter och sommarjobbare i år. Nästa steg är en gemensam annons.",
            _at(min(today - dt.timedelta(days=5), dt.date(today.year, 3, 20))))

    # 2. Forming and public: a process leader from the city, one request waiting.
    squares_issue = _issue(forum, "Gemensamma investeringar i stadsdelarnas torg och handel")
    squares = services.network_form(
        actor=coordinator, forum=forum, title="Torg och handel i stadsdelarna",
        goal="Levande torg i Rosengård, Fosie och Lindängen, där företag och stad investerar tillsammans.",
        issues=[squares_issue], process_leaders=[(johan, None)],
        focus_area=forum.focus_areas.order_by("position").last(), status=Network.Status.FORMING)
    services.membership_request(actor=people[7], network=squares, message="Vi har en butik vid Rosengårds centrum.")
    _update(squares, johan, "Vi söker medlemmar", "Driver du handel vid ett torg i stadsdelarna? Be om att få gå med.",
            _at(today - dt.timedelta(days=3)))

    # 3. Paused and members only: an overdue action waits for it to start again.
    visitors_issue = _issue(forum, "Ett företagsnätverk för besöksnäringen kring Malmö Live")
    visitors = services.network_form(
        actor=coordinator, forum=forum, title="Besöksnäringen kring Malmö Live",
        goal="Hotell, restauranger och arrangörer samordnar sig kring de stora evenemangen.",
        issues=[visitors_issue], process_leaders=[(leyla, None), (sara, None)],
        visibility=Network.Visibility.MEMBERS, status=Network.Status.PAUSED)
    _backdate_issue_link(visitors_issue, _at(formed))
    Network.objects.filter(pk=visitors.pk).update(created_at=_at(formed))
    Membership.objects.filter(network=visitors).update(started_on=formed)
    guest = _join(visitors, leyla, people[8], started=formed + dt.timedelta(days=4))
    _meeting(visitors, leyla, "Första träffen", dt.date(last_year, 12, 15), venue="Malmö Live, konferens",
             notes="Evenemangskalendern delas nu mellan medlemmarna.",
             present=list(visitors.memberships.filter(status=Membership.Status.ACTIVE)))
    _action(visitors, leyla, "Ta fram en gemensam evenemangskalender", owner=guest, due=today - dt.timedelta(days=40))

    # An outcome: the youth network resolved the priority list's top issue.
    if top:
        services.network_resolve_issue(
            actor=sara, network=youth, issue=top[0],
            outcome="Byggföretagen i nätverket har tagit emot 18 nyanlända praktikanter; 7 har fått anställning.")
        NetworkIssue.objects.filter(issue=top[0]).update(resolved_at=_at(dt.date(last_year, 12, 19)))
        IssueEvent.objects.filter(issue=top[0], changes__network=youth.pk, changes__status__1="resolved").update(
            at=_at(dt.date(last_year, 12, 19)))

    # The money: last year's and this year's pots, allocations and expenses.
    for year, pot in ((last_year, "500000"), (today.year, "500000")):
        services.pot_set(actor=coordinator, forum=forum, year=year, amount=pot)
    services.allocation_create(actor=coordinator, network=youth, year=last_year, amount="60000", note="Uppstart")
    services.allocation_create(actor=coordinator, network=visitors, year=last_year, amount="25000")
    services.allocation_create(actor=coordinator, network=youth, year=today.year, amount="150000")
    services.allocation_create(actor=coordinator, network=squares, year=today.year, amount="40000")
    for network, leader_, day, category, amount, note in (
        (youth, sara, dt.date(last_year, 12, 9), "room", "8500", "Lokal på Malmö Live"),
        (youth, sara, dt.date(last_year, 12, 9), "lunch_fika", "3240.50", "Frukost för 12"),
        (youth, sara, dt.date(last_year, 12, 16), "analysis", "24000", "Kartläggning av praktikplatser"),
        (visitors, leyla, dt.date(last_year, 12, 15), "lunch_fika", "1860", "Fika"),
        (youth, sara, second_day, "lunch_fika", "2100", "Frukost"),
    ):
        services.expense_create(actor=leader_, network=network, date=day, category=category, amount=amount, note=note)
