"""The annual report of a forum to the municipal board, and the evaluation over the first
three years (seed 002: "Arbetsorganisationen föreslås årligen rapportera hur arbetet
fortskrider till kommunstyrelsen"; "Utvärdering och revidering av konceptet sker efter tre år").

Everything is computed from the rows when asked, so the report always agrees with the pages.
Participation is given only in aggregates, and any group smaller than
:data:`events.diversity.MIN_CELL` (5) is suppressed (shown as "fewer than 5", its number
withheld). A fixed number of queries whatever the size of the forum.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone

from events.diversity import MIN_CELL
from events.models import Meeting, Registration, SeatPool
from forum.models import AuditEvent
from issues.models import Issue, IssueEvent, PriorityListEntry, Vote

from .models import (
    Action,
    Allocation,
    Attendance,
    BudgetPot,
    Expense,
    Membership,
    Network,
    NetworkMeeting,
    ProgressUpdate,
)

ZERO = Decimal("0.00")
HELD = (Meeting.Status.HELD, Meeting.Status.DOCUMENTED)
# Who came: checked in on a seat still confirmed, as the check-in page counts "N of M checked
# in" (a place checked in early and cancelled before the start is not attendance).
ATTENDED = Q(checked_in_at__isnull=False, status=Registration.Status.CONFIRMED)


@dataclass(frozen=True)
class Cell:
    """A count in a participation table: ``value`` None when suppressed (1–4 people)."""

    value: int | None

    @classmethod
    def of(cls, n: int) -> Cell:
        return cls(None if 0 < n < MIN_CELL else n)

    @property
    def suppressed(self) -> bool:
        return self.value is None


@dataclass
class MeetingRow:
    title: str
    date: dt.date
    kind: str
    business: Cell
    city: Cell
    total: Cell


@dataclass
class NetworkRow:
    network: Network
    issues: int
    resolved: int
    members: int
    joined: int
    left: int
    meetings: int
    attendance: Cell
    actions_done: int
    actions_open: int
    allocated: Decimal
    spent: Decimal
    updates: list = field(default_factory=list)


@dataclass
class AnnualReport:
    forum: object
    year: int
    meetings: list[MeetingRow]
    participants: Cell
    issues_raised: int
    issues_by_status: list[tuple[str, int]]
    issues_by_area: list[tuple[str, list[int], int]]  # (area, counts per status, total)
    status_labels: list[str]
    priority_list: list[PriorityListEntry]
    networks: list[NetworkRow]
    network_meetings: int
    actions_done: int
    pot: Decimal | None
    allocated: Decimal
    spent: Decimal
    spent_by_category: list[tuple[str, Decimal]]


def _bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    return (dt.datetime(year, 1, 1, tzinfo=tz), dt.datetime(year + 1, 1, 1, tzinfo=tz))


def annual_report(forum, year: int) -> AnnualReport:
    """The forum's report for ``year`` (calendar year, in the portal's time zone)."""
    start, end = _bounds(year)
    in_year = Q(starts_at__gte=start, starts_at__lt=end)
    # Theme meetings held and who came (checked in), by side, suppressed below MIN_CELL.
    came = Q(registrations__checked_in_at__isnull=False, registrations__status=Registration.Status.CONFIRMED)
    meetings = list(Meeting.objects.filter(in_year, forum=forum, status__in=HELD).annotate(
        city=Count("registrations", filter=came & Q(registrations__pool__kind=SeatPool.Kind.MUNICIPAL)),
        business=Count("registrations", filter=came & ~Q(registrations__pool__kind=SeatPool.Kind.MUNICIPAL)),
    ).order_by("starts_at"))
    rows = [MeetingRow(m.title, timezone.localdate(m.starts_at), m.get_kind_display(), Cell.of(m.business),
                       Cell.of(m.city), Cell.of(m.business + m.city)) for m in meetings]
    participants = (Registration.objects.filter(ATTENDED, meeting__in=[m.pk for m in meetings])
                    .exclude(organisation__isnull=True).values("organisation").distinct().count())

    # Issues raised in the year, by their status now and by focus area.
    issues = Issue.objects.filter(forum=forum, created_at__gte=start, created_at__lt=end).exclude(
        status=Issue.Status.MERGED)
    statuses = [s for s in Issue.Status if s != Issue.Status.MERGED]
    grid: dict[str, Counter] = {}
    totals: Counter = Counter()
    rows_by_area = issues.values("focus_area__name", "status").annotate(n=Count("pk"))
    for area, status, n in rows_by_area.values_list("focus_area__name", "status", "n"):
        grid.setdefault(area or "–", Counter())[status] += n
        totals[status] += n
    by_area = [(area, [counts[s.value] for s in statuses], sum(counts.values()))
               for area, counts in sorted(grid.items())]

    # The priority list confirmed in the year (else the latest one before it).
    vote = (Vote.objects.filter(meeting__forum=forum, status=Vote.Status.CONFIRMED, confirmed_at__lt=end)
            .order_by("-confirmed_at").first())
    priority = list(PriorityListEntry.objects.filter(vote=vote).select_related("issue")) if vote else []

    # Networks that existed during the year, and any given or spending the year's money (one
    # formed in January from last year's pot): the money's totals are the sums of their rows.
    with_money = (Q(pk__in=Allocation.objects.filter(pot__forum=forum, pot__year=year).values("network"))
                  | Q(pk__in=Expense.objects.filter(pot__forum=forum, pot__year=year).values("network")))
    networks = list(Network.objects.filter(Q(created_at__lt=end) | with_money, forum=forum)
                    .select_related("focus_area").annotate(
        n_issues=Count("issue_links", distinct=True),
        n_resolved=Count("issue_links", filter=Q(issue_links__resolved_at__gte=start, issue_links__resolved_at__lt=end),
                         distinct=True),
    ).order_by("title"))
    ids = [n.pk for n in networks]
    year_start, year_end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    # People, not periods: one who left and joined again within the year is one member (a
    # period without its person, erased, is one of its own).
    members: dict[int, set] = defaultdict(set)
    joined: dict[int, set] = defaultdict(set)
    left: dict[int, set] = defaultdict(set)
    for pk, net, person, started, ended in Membership.objects.filter(
            network__in=ids, started_on__isnull=False).values_list("pk", "network", "person", "started_on", "ended_on"):
        who = ("person", person) if person is not None else ("period", pk)
        if started <= year_end and (ended is None or ended >= year_start):
            members[net].add(who)
        if year_start <= started <= year_end:
            joined[net].add(who)
        if ended and year_start <= ended <= year_end:
            left[net].add(who)
    held = NetworkMeeting.objects.filter(network__in=ids, status=NetworkMeeting.Status.HELD, starts_at__gte=start,
                                         starts_at__lt=end)
    meetings_by = Counter(dict(held.values("network").annotate(n=Count("pk")).values_list("network", "n")))
    attendance_by = Counter(dict(Attendance.objects.filter(meeting__in=held, present=True)
                                 .values("meeting__network").annotate(n=Count("pk"))
                                 .values_list("meeting__network", "n")))
    done = Counter(dict(Action.objects.filter(network__in=ids, status=Action.Status.DONE, done_at__gte=start,
                                              done_at__lt=end).values("network").annotate(n=Count("pk"))
                        .values_list("network", "n")))
    open_ = Counter(dict(Action.objects.filter(network__in=ids, status__in=Action.UNFINISHED)
                         .values("network").annotate(n=Count("pk")).values_list("network", "n")))
    allocated = dict(Allocation.objects.filter(network__in=ids, pot__year=year).values("network")
                     .annotate(t=Sum("amount")).values_list("network", "t"))
    spent = dict(Expense.objects.filter(network__in=ids, pot__year=year).values("network")
                 .annotate(t=Sum("amount")).values_list("network", "t"))
    updates: dict[int, list] = {}
    for update in ProgressUpdate.objects.filter(network__in=ids, published_at__gte=start, published_at__lt=end,
                                                network__visibility=Network.Visibility.PUBLIC).order_by("published_at"):
        updates.setdefault(update.network_id, []).append(update)
    network_rows = [NetworkRow(
        network=n, issues=n.n_issues, resolved=n.n_resolved, members=len(members[n.pk]), joined=len(joined[n.pk]),
        left=len(left[n.pk]), meetings=meetings_by[n.pk], attendance=Cell.of(attendance_by[n.pk]),
        actions_done=done[n.pk], actions_open=open_[n.pk], allocated=allocated.get(n.pk, ZERO),
        spent=spent.get(n.pk, ZERO), updates=updates.get(n.pk, []),
    ) for n in networks]

    pot = BudgetPot.objects.filter(forum=forum, year=year).first()
    by_category = dict(Expense.objects.filter(network__forum=forum, pot__year=year).values("category")
                       .annotate(t=Sum("amount")).values_list("category", "t"))
    return AnnualReport(
        forum=forum, year=year, meetings=rows, participants=Cell.of(participants),
        issues_raised=sum(totals.values()),
        issues_by_status=[(str(s.label), totals[s.value]) for s in statuses],
        issues_by_area=by_area, status_labels=[str(s.label) for s in statuses], priority_list=priority,
        networks=network_rows, network_meetings=sum(meetings_by.values()), actions_done=sum(done.values()),
        pot=pot.amount if pot else None, allocated=sum(allocated.values(), start=ZERO),
        spent=sum(spent.values(), start=ZERO),
        spent_by_category=[(str(c.label), by_category.get(c.value, ZERO)) for c in Expense.Category],
    )


@dataclass
class YearFigures:
    year: int
    meetings: int
    participants: Cell
    issues_raised: int
    issues_resolved: int
    networks_active: int
    network_meetings: int
    actions_done: int
    spent: Decimal


def first_year(forum) -> int:
    """The forum's start-up year: its first theme meeting's, else the year it was created."""
    first = Meeting.objects.filter(forum=forum).order_by("starts_at").values_list("starts_at", flat=True).first()
    return timezone.localdate(first).year if first else timezone.localdate(forum.created_at).year


def _resolved_by_year(forum) -> Counter:
    """The forum's issues resolved now, counted in the year (local time) they were last set to
    resolved, from their history: not by ``updated_at``, which any later edit moves. An issue
    without such a history entry counts in the year it was last changed. Two queries."""
    resolved = dict(Issue.objects.filter(forum=forum, status=Issue.Status.RESOLVED).values_list("pk", "updated_at"))
    history = IssueEvent.objects.filter(issue__forum=forum, issue__status=Issue.Status.RESOLVED,
                                        kind=IssueEvent.Kind.STATUS)
    for issue_id, change, at in history.order_by("at", "pk").values_list("issue_id", "changes", "at"):
        status = (change or {}).get("status")
        if isinstance(status, list) and len(status) == 2 and status[1] == Issue.Status.RESOLVED:
            resolved[issue_id] = at
    return Counter(timezone.localdate(at).year for at in resolved.values())


def _network_lifetimes(forum) -> list[tuple[dt.datetime, dt.datetime | None]]:
    """Each network of the forum as (formed, closed): closed when its status was last set to
    closed (the audit trail of network_update), None while it is not closed – not its
    ``updated_at``, which a later edit of a closed network's title or visibility moves, making
    it active again in the years after. A closed network without that trail: its
    ``updated_at``. Two queries."""
    nets = {pk: (created, updated if status == Network.Status.CLOSED else None) for pk, created, status, updated
            in Network.objects.filter(forum=forum).values_list("pk", "created_at", "status", "updated_at")}
    closed_at: dict[int, dt.datetime] = {}
    for target, data, at in (AuditEvent.objects.filter(action="network.update", target_type="networks.network",
                                                        forum=forum)
                             .order_by("at", "pk").values_list("target_id", "data", "at")):
        status = (data or {}).get("status")
        if isinstance(status, list) and len(status) == 2 and status[1] == Network.Status.CLOSED:
            closed_at[int(target)] = at
    return [(created, closed_at.get(pk, closed) if closed else None) for pk, (created, closed) in nets.items()]


def evaluation(forum, years: int = 3) -> list[YearFigures]:
    """Key figures for each of the forum's first ``years`` years (seed 002's evaluation after
    three years). A fixed number of queries per year."""
    start_year = first_year(forum)
    resolved_by_year = _resolved_by_year(forum)
    networks = _network_lifetimes(forum)
    figures = []
    for year in range(start_year, start_year + years):
        start, end = _bounds(year)
        held = Meeting.objects.filter(forum=forum, status__in=HELD, starts_at__gte=start, starts_at__lt=end)
        participants = (Registration.objects.filter(ATTENDED, meeting__in=held)
                        .values("organisation").distinct().count())
        figures.append(YearFigures(
            year=year, meetings=held.count(), participants=Cell.of(participants),
            issues_raised=Issue.objects.filter(forum=forum, created_at__gte=start, created_at__lt=end).exclude(
                status=Issue.Status.MERGED).count(),
            issues_resolved=resolved_by_year[year],
            networks_active=sum(1 for formed, closed in networks
                                if formed < end and (closed is None or closed >= start)),
            network_meetings=NetworkMeeting.objects.filter(network__forum=forum, status=NetworkMeeting.Status.HELD,
                                                           starts_at__gte=start, starts_at__lt=end).count(),
            actions_done=Action.objects.filter(network__forum=forum, status=Action.Status.DONE, done_at__gte=start,
                                               done_at__lt=end).count(),
            spent=Expense.objects.filter(network__forum=forum, pot__year=year).aggregate(t=Sum("amount"))["t"] or ZERO,
        ))
    return figures
