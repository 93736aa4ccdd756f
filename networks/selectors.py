"""Reads about networks. List readers run a fixed number of queries however many networks,
members and rows there are (the pages assert it). "Overdue" is decided here, once, never in
templates."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Max, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from forum import permissions as forum_permissions
from forum.queries import count_of
from issues import permissions as issue_permissions

from . import permissions
from .models import Action, Allocation, Expense, Membership, Network, NetworkIssue, NetworkMeeting, ProgressUpdate

ZERO = Decimal("0.00")


def is_overdue(action: Action, today: dt.date) -> bool:
    """An unfinished action past its due date."""
    return action.status in Action.UNFINISHED and action.due_date is not None and action.due_date < today


def mark_overdue(actions, today: dt.date | None = None) -> list[Action]:
    """The actions with ``overdue`` set on each (for the templates, which decide nothing)."""
    today = today or timezone.localdate()
    actions = list(actions)
    for action in actions:
        action.overdue = is_overdue(action, today)
    return actions


def overdue_actions(networks: QuerySet[Network] | list[Network], today: dt.date | None = None) -> QuerySet[Action]:
    """The unfinished actions of ``networks`` past their due date, for the lists of work to do.
    A closed network's are left out: nobody works on them any more (its own page still lists
    them)."""
    today = today or timezone.localdate()
    return (Action.objects.filter(network__in=networks, status__in=Action.UNFINISHED, due_date__lt=today)
            .exclude(network__status=Network.Status.CLOSED)
            .select_related("network", "owner").order_by("due_date", "pk"))


def visible_networks(user: Any, forum) -> QuerySet[Network]:
    """The forum's networks ``user`` may see: public ones, members-only ones they belong to,
    all for coordinators. With the count of active members and the next meeting's date."""
    networks = Network.objects.filter(forum=forum)
    if not forum_permissions.can_manage_forum(user, forum):
        visible = Q(visibility=Network.Visibility.PUBLIC)
        if getattr(user, "is_authenticated", False):
            # A subquery, not a second query: the forum page's sections run a fixed number.
            visible |= Q(pk__in=Membership.objects.filter(person=user, status=Membership.Status.ACTIVE)
                         .values("network"))
        networks = networks.filter(visible)
    now = timezone.now()
    # Each count its own subquery: two Counts over joins would count the product of a
    # network's memberships and issues (measured 40 ms at 40 networks × 30 members, bench/pages.py).
    return (networks.select_related("focus_area")
            .annotate(member_count=count_of(Membership.objects.filter(status=Membership.Status.ACTIVE), "network"),
                      issue_count=count_of(NetworkIssue.objects.all(), "network"))
            .prefetch_related(Prefetch("meetings", to_attr="next_meetings", queryset=NetworkMeeting.objects.filter(
                status=NetworkMeeting.Status.PLANNED, starts_at__gte=now).order_by("starts_at")))
            .order_by("title"))


@dataclass
class NetworkPage:
    """What a network's page shows to one person."""

    network: Network
    issues: list[NetworkIssue]
    updates: list[ProgressUpdate]
    next_meeting: NetworkMeeting | None
    actions: list[Action]
    members: list[Membership] = field(default_factory=list)
    meetings: list[NetworkMeeting] = field(default_factory=list)
    member_count: int = 0
    organisation_count: int = 0


def network_page(user: Any, network: Network) -> NetworkPage:
    """The network's page. Members and coordinators get the members' part too; a public
    network's visitors get its goal, issues, updates, actions and the next meeting's date."""
    now = timezone.now()
    active = network.memberships.filter(status=Membership.Status.ACTIVE)
    counts = active.aggregate(members=Count("pk"), organisations=Count("organisation_name", distinct=True,
                                                                        filter=~Q(organisation_name="")))
    page = NetworkPage(
        network=network,
        # An issue of a meeting set back to draft only for those who manage the meeting.
        issues=[link for link in network.issue_links.select_related("issue__focus_area", "issue__meeting__forum")
                if issue_permissions.can_view_issue(user, link.issue)],
        updates=list(network.updates.all()[:20]),
        next_meeting=network.meetings.filter(status=NetworkMeeting.Status.PLANNED, starts_at__gte=now).first(),
        actions=mark_overdue(network.actions.select_related("owner").prefetch_related("issues")),
        member_count=counts["members"], organisation_count=counts["organisations"],
    )
    if permissions.can_view_members_content(user, network):
        page.members = list(active.select_related("person").order_by("role", "name"))
        page.meetings = list(network.meetings.order_by("-starts_at")[:20])
    return page


def membership_history(network: Network) -> list[Membership]:
    """Every period of every person, newest first: who was a member when, for which organisation."""
    return list(network.memberships.select_related("person", "invited_by", "decided_by")
                .order_by("-started_on", "-created_at"))


def join_requests(networks) -> QuerySet[Membership]:
    return (Membership.objects.filter(network__in=networks, status=Membership.Status.REQUESTED)
            .select_related("network", "person").order_by("created_at"))


@dataclass
class Dashboard:
    networks: list[Network]
    meetings: list[NetworkMeeting]
    overdue: list[Action]
    requests: list[Membership]


def leader_dashboard(user: Any) -> Dashboard:
    """The process leader's page: their networks, next meetings, overdue actions, requests to
    join. Four queries however many networks."""
    led = Network.objects.filter(memberships__person=user, memberships__status=Membership.Status.ACTIVE,
                                 memberships__role=Membership.Role.PROCESS_LEADER).select_related("forum")
    networks = list(led.order_by("title"))
    return Dashboard(
        networks=networks,
        meetings=list(NetworkMeeting.objects.filter(network__in=networks, status=NetworkMeeting.Status.PLANNED,
                                                    starts_at__gte=timezone.now())
                      .select_related("network").order_by("starts_at")[:20]) if networks else [],
        overdue=mark_overdue(overdue_actions(networks)) if networks else [],
        requests=list(join_requests(networks)) if networks else [],
    )


@dataclass
class OverviewRow:
    network: Network
    member_count: int
    last_update: dt.datetime | None
    allocated: Decimal
    spent: Decimal
    overdue: int

    @property
    def left(self) -> Decimal:
        return self.allocated - self.spent


def coordinator_overview(forum, year: int) -> list[OverviewRow]:
    """Every network of the forum with its status, members, last update, money of ``year`` and
    overdue actions. Three queries however many networks."""
    today = timezone.localdate()
    networks = list(Network.objects.filter(forum=forum).annotate(
        member_count=count_of(Membership.objects.filter(status=Membership.Status.ACTIVE), "network"),
        last_update=Max("updates__published_at"),
        overdue=count_of(Action.objects.filter(status__in=Action.UNFINISHED, due_date__lt=today), "network"),
    ).order_by("title"))
    allocated = dict(Allocation.objects.filter(network__forum=forum, pot__year=year).values("network")
                     .annotate(total=Sum("amount")).values_list("network", "total"))
    spent = dict(Expense.objects.filter(network__forum=forum, pot__year=year).values("network")
                 .annotate(total=Sum("amount")).values_list("network", "total"))
    return [OverviewRow(n, n.member_count, n.last_update, allocated.get(n.pk, ZERO), spent.get(n.pk, ZERO),
                        n.overdue) for n in networks]


def network_expenses(network: Network) -> QuerySet[Expense]:
    """The network's expenses, newest first, each with whether it has a receipt. The order is
    explicit: Django leaves the model's default ordering out of a query with GROUP BY (the Count)."""
    return network.expenses.select_related("pot", "recorded_by").defer().annotate(
        has_receipt=Count("receipt")).order_by("-date", "-pk")


def issue_timeline_entries(issue) -> dict[str, Any]:
    """For the issue's public page: the network driving ``issue`` and its actions on it.
    Two queries."""
    link = NetworkIssue.objects.filter(issue=issue).select_related("network").first()
    if link is None:
        return {}
    actions = list(link.network.actions.filter(issues=issue).exclude(status=Action.Status.CANCELLED)
                   .order_by("created_at"))
    return {"link": link, "actions": actions}
