"""Reads about issues and votes. List pages run a fixed number of queries."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from .models import Issue, PriorityListEntry, Vote


def issues_for_meeting(meeting) -> QuerySet[Issue]:
    """A meeting's issues, newest first, with support counts (one query)."""
    return (
        Issue.objects.filter(meeting=meeting).exclude(status=Issue.Status.MERGED)
        .select_related("focus_area", "organisation")
        .annotate(support_count=Count("supports"))
        .order_by("-created_at")
    )


# --- capture selectors
def meeting_issue(meeting, pk) -> Issue | None:
    """One issue of the meeting by id, merged ones included (support goes on to the survivor)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return Issue.objects.select_related("merged_into").filter(meeting=meeting, pk=pk).first()


def supported_issue_ids(meeting, *, person=None, registration=None) -> set[int]:
    """Ids of the meeting's issues that this person (or registration) supports (one query)."""
    from .models import IssueSupport  # imported here so the shared import line stays untouched

    who = Q(pk__in=[])
    if person is not None:
        who |= Q(person=person)
    if registration is not None:
        who |= Q(registration=registration)
    return set(IssueSupport.objects.filter(who, issue__meeting=meeting).values_list("issue_id", flat=True))


def issues_keyed_in(meeting, limit: int = 10) -> QuerySet[Issue]:
    """The latest issues facilitators keyed in at the meeting (one query)."""
    return (
        Issue.objects.filter(meeting=meeting, keyed_in_by__isnull=False)
        .select_related("focus_area", "organisation")
        .order_by("-created_at", "-pk")[:limit]
    )


def confirmed_organisations(meeting) -> QuerySet:
    """The organisations with a confirmed registration for the meeting, by name."""
    from events.models import Registration
    from forum.models import Organisation

    return (
        Organisation.objects.filter(registrations__meeting=meeting,
                                    registrations__status=Registration.Status.CONFIRMED)
        .distinct().order_by("name")
    )
# --- end capture selectors


def _published_votes() -> QuerySet[Vote]:
    """Votes whose priority list is published: confirmed, of a meeting that is not a draft.
    The latest of a forum's is its priority list."""
    return (Vote.objects.filter(status=Vote.Status.CONFIRMED).exclude(meeting__status="draft")
            .order_by("-confirmed_at", "-pk"))


def published_priority_list(forum) -> QuerySet[PriorityListEntry]:
    """The entries of the forum's latest confirmed priority list (two queries)."""
    vote = _published_votes().filter(meeting__forum=forum).first()
    if vote is None:
        return PriorityListEntry.objects.none()
    return vote.priority_list.select_related("vote", "issue__focus_area").order_by("rank", "pk")


@dataclass(frozen=True)
class PriorityList:
    """A forum's latest confirmed priority list: the vote it came from and its first entries."""

    forum: Any
    vote: Vote
    entries: list[PriorityListEntry]
    total: int


def latest_priority_lists(forums, *, first: int = 5) -> list[PriorityList]:
    """Each of ``forums``' latest confirmed priority list (as :func:`published_priority_list`)
    with its ``first`` entries, in the order of ``forums``. Two queries however many forums."""
    forums = list(forums)
    latest = _published_votes().filter(meeting__forum=OuterRef("meeting__forum")).values("pk")[:1]
    votes = {
        vote.meeting.forum_id: vote
        for vote in _published_votes().filter(meeting__forum__in=[f.pk for f in forums], pk=Subquery(latest))
        .select_related("meeting")
    }
    entries: dict[int, list[PriorityListEntry]] = defaultdict(list)
    for entry in (PriorityListEntry.objects.filter(vote__in=list(votes.values()))
                  .select_related("issue__focus_area").order_by("vote", "rank", "pk")):
        entries[entry.vote_id].append(entry)
    return [
        PriorityList(forum, votes[forum.pk], entries[votes[forum.pk].pk][:first], len(entries[votes[forum.pk].pk]))
        for forum in forums if forum.pk in votes
    ]


def votes_for_meeting(meeting) -> QuerySet[Vote]:
    return meeting.votes.annotate(ballot_count=Count("ballots")).order_by("-created_at")


# --- voting selectors ---------------------------------------------------------------------
def vote_candidates(vote: Vote) -> list[Issue]:
    """The vote's candidates in the order they were raised (the order of ``Vote.result``'s
    candidates and of the numbers on the ballot), with their focus area (one query). Each
    issue carries ``vote_text`` and ``vote_focus_area``: what the voters saw (see
    ``Vote.candidate_texts``), which pages about the vote show instead of the current text."""
    issues = list(vote.candidates.select_related("focus_area").order_by("created_at", "pk"))
    for issue in issues:
        frozen = vote.candidate_texts.get(str(issue.pk)) or {}
        issue.vote_text = frozen.get("text") or issue.text
        issue.vote_focus_area = frozen.get("focus_area", issue.focus_area.name if issue.focus_area_id else "")
    return issues


def vote_voter_count(vote: Vote) -> int:
    """How many have voted so far (never who voted what)."""
    return vote.voters.count()


def vote_eligible_count(vote: Vote) -> int:
    from events.models import Registration

    return Registration.objects.filter(meeting_id=vote.meeting_id, status=Registration.Status.CONFIRMED).count()


def vote_not_yet_voted(vote: Vote):
    """Confirmed participants of the vote's meeting with no voter record yet: the choices
    for a paper ballot."""
    from events.models import Registration

    return (
        Registration.objects.filter(meeting_id=vote.meeting_id, status=Registration.Status.CONFIRMED)
        .exclude(pk__in=vote.voters.values("registration_id"))
        .select_related("organisation").order_by("attendee_name", "contact_name", "pk")
    )


def voter_record(vote: Vote, registration):
    """The participant's voter record (that they voted, on paper or not), if any."""
    return vote.voters.filter(registration=registration).first()


def open_votes_for_participant(meeting, registration) -> list[Vote]:
    """The meeting's votes that are open now and that ``registration`` may vote in."""
    from . import permissions, services

    if registration is None:
        return []
    return [v for v in meeting.votes.order_by("created_at")
            if services.vote_is_open(v) and permissions.can_vote(v, registration)]


# --- triage selectors ---------------------------------------------------------------------
import datetime as _dt  # noqa: E402

from django.contrib.auth import get_user_model  # noqa: E402
from django.utils import timezone as _timezone  # noqa: E402
from django.utils.translation import gettext  # noqa: E402

from forum.models import FocusArea as _FocusArea  # noqa: E402

from .models import IssueEvent, Side  # noqa: E402


def _with_support_counts(queryset: QuerySet[Issue]) -> QuerySet[Issue]:
    return queryset.annotate(support_count=Count("supports", distinct=True))


def triage_queue(
    forum, *, meeting=None, focus_area=None, status: str = "", overdue: bool = False, q: str = "",
    include_merged: bool = False, today: _dt.date | None = None,
) -> QuerySet[Issue]:
    """Every issue of the forum for the coordinators' queue, filtered; merged issues are hidden
    unless asked for (or the status filter asks for them). One query, whatever the size."""
    issues = Issue.objects.filter(forum=forum)
    if status:
        issues = issues.filter(status=status)
    elif not include_merged:
        issues = issues.exclude(status=Issue.Status.MERGED)
    if meeting is not None:
        issues = issues.filter(meeting=meeting)
    if focus_area is not None:
        issues = issues.filter(focus_area=focus_area)
    if overdue:
        # A routed quick fix that is still open past its due date (resolved ones have left
        # the quick-fix status).
        issues = issues.filter(status=Issue.Status.QUICK_FIX, due_date__lt=today or _timezone.localdate())
    if q.strip():
        term = q.strip()
        issues = issues.filter(
            Q(text__icontains=term) | Q(organisation__name__icontains=term) | Q(answer__icontains=term)
        )
    return _with_support_counts(
        issues.select_related("meeting", "focus_area", "responsible", "department", "organisation", "merged_into")
    ).order_by("-created_at", "-pk")


def _public(issues: QuerySet[Issue]) -> QuerySet[Issue]:
    """Leave out the issues of meetings that are not published (a meeting set back to draft
    is visible only to those who manage it); issues without a meeting stay."""
    from events.models import Meeting

    return issues.exclude(meeting__status=Meeting.Status.DRAFT)


def public_issues(forum, *, meeting=None, focus_area=None, status: str = "", side: str = "") -> QuerySet[Issue]:
    """Every issue of the forum for the public page, merged ones included (they point at the
    issue they were merged into). Only what the public may see is used by the template:
    no person is loaded. One query."""
    issues = _public(Issue.objects.filter(forum=forum))
    if meeting is not None:
        issues = issues.filter(meeting=meeting)
    if focus_area is not None:
        issues = issues.filter(focus_area=focus_area)
    if status:
        issues = issues.filter(status=status)
    if side:
        issues = issues.filter(side=side)
    return _with_support_counts(
        issues.select_related("meeting", "focus_area", "department", "organisation", "merged_into")
    ).order_by("-created_at", "-pk")


def public_issue(pk: int) -> Issue | None:
    """One issue for its public page, with its support count and what it points at."""
    return (
        _with_support_counts(Issue.objects.filter(pk=pk))
        .select_related("forum", "meeting", "focus_area", "department", "organisation", "merged_into")
        .first()
    )


def merged_into_issue(issue: Issue) -> QuerySet[Issue]:
    """The issues that were merged into ``issue`` (findable from the survivor), except those
    of unpublished meetings."""
    return _public(Issue.objects.filter(merged_into=issue)).select_related("meeting").order_by("created_at", "pk")


def merge_candidates(issue: Issue, q: str = "", limit: int = 50) -> QuerySet[Issue]:
    """Other issues of the same forum that could be merged into ``issue``: not merged
    themselves, optionally narrowed by a text search."""
    issues = Issue.objects.filter(forum_id=issue.forum_id).exclude(pk=issue.pk).exclude(status=Issue.Status.MERGED)
    if q.strip():
        issues = issues.filter(text__icontains=q.strip())
    return _with_support_counts(issues.select_related("meeting")).order_by("-created_at", "-pk")[:limit]


def forum_people(forum):
    """The people who hold a role in the forum: who a quick fix is usually routed to."""
    return (
        get_user_model()
        .objects.filter(forum_roles__forum=forum)
        .distinct()
        .order_by("first_name", "last_name", "email")
    )


def _status_label(value) -> str:
    if value in Issue.Status.values:
        return str(Issue.Status(value).label)
    return "—" if value in (None, "") else str(value)


def issue_history(issue: Issue) -> list[dict]:
    """The staff history of an issue: who, when, and each change as (what, before, after),
    with focus areas, statuses and sides in words. Two queries."""
    events = list(issue.events.select_related("actor").order_by("at", "pk"))
    area_ids = {v for e in events for v in e.changes.get("focus_area", []) if v}
    areas = {a.pk: a.name for a in _FocusArea.objects.filter(pk__in=area_ids)} if area_ids else {}
    fields = {f.name: str(f.verbose_name) for f in Issue._meta.get_fields() if hasattr(f, "verbose_name")}

    def words(name: str, value):
        if value is None or value == "":
            return "—"
        if name == "focus_area":
            return areas.get(value, "—")
        if name == "status":
            return _status_label(value)
        if name == "side":
            return str(Side(value).label) if value in Side.values else str(value)
        if isinstance(value, bool):
            return gettext("Yes") if value else gettext("No")
        return str(value)

    history = []
    for event in events:
        changes = [
            {"field": fields.get(name, name), "before": words(name, pair[0]), "after": words(name, pair[1])}
            for name, pair in event.changes.items()
            if isinstance(pair, (list, tuple)) and len(pair) == 2
        ]
        history.append({
            "kind": event.get_kind_display(), "kind_value": event.kind, "at": event.at, "actor": event.actor,
            "changes": changes, "into": event.changes.get("into"), "from": event.changes.get("from", []),
        })
    return history


def public_issue_history(issue: Issue) -> list[dict]:
    """The public part of an issue's history: when it was raised, each status change and a
    merge, with dates and statuses in words; never who did it. One query."""
    entries = []
    for event in issue.events.filter(kind__in=(IssueEvent.Kind.CREATED, IssueEvent.Kind.STATUS,
                                                IssueEvent.Kind.MERGED)).order_by("at", "pk"):
        status = event.changes.get("status")
        if event.kind == IssueEvent.Kind.STATUS and status and status[0] == status[1]:
            continue  # a re-save without a change of status says nothing new
        entries.append({
            "kind": event.kind, "at": event.at,
            "before": _status_label(status[0]) if status else "", "after": _status_label(status[1]) if status else "",
            "into": event.changes.get("into"), "merged_count": len(event.changes.get("from", [])),
        })
    return entries


# --- what needs the coordinator (the forum's to-do page, issues/sections.py)
# The overdue quick fixes listed by name; the page gives the count of the rest and a link.
OVERDUE_SHOWN = 10


@dataclass(frozen=True)
class IssueTodos:
    """Overdue quick fixes (the first :data:`OVERDUE_SHOWN`, oldest due date first, and how many
    in all) and the votes waiting for a coordinator, by what they wait for."""

    overdue: list[Issue]
    overdue_count: int
    votes_to_open: list[Vote]
    votes_open: list[Vote]
    votes_to_close: list[Vote]
    votes_to_confirm: list[Vote]

    @property
    def empty(self) -> bool:
        return not (self.overdue or self.votes_to_open or self.votes_open or self.votes_to_close
                    or self.votes_to_confirm)


def issue_todos(forum: Any, *, now: Any = None) -> IssueTodos:
    """What the forum's issues and votes need from its coordinators. Three queries.

    A vote is to open while it is a draft the clock has not opened; open while voting goes on;
    to close when its closing time has passed but nobody (nor the periodic task yet) has closed
    it, so its result is not yet counted; to confirm when it is closed but its priority list
    not published."""
    from .services import vote_is_open

    now = now or _timezone.now()
    today = _timezone.localdate(now)
    overdue_issues = Issue.objects.filter(forum=forum, status=Issue.Status.QUICK_FIX, due_date__lt=today)
    overdue = list(overdue_issues.select_related("responsible", "department")
                   .order_by("due_date", "pk")[:OVERDUE_SHOWN])
    overdue_count = overdue_issues.count() if len(overdue) == OVERDUE_SHOWN else len(overdue)
    votes = list(Vote.objects.filter(meeting__forum=forum, status__in=(Vote.Status.DRAFT, Vote.Status.OPEN,
                                                                        Vote.Status.CLOSED))
                 .exclude(meeting__status="draft").select_related("meeting").order_by("meeting__starts_at", "pk"))
    is_open = {vote.pk: vote_is_open(vote, now) for vote in votes}
    return IssueTodos(
        overdue=overdue,
        overdue_count=overdue_count,
        votes_to_open=[v for v in votes if v.status == Vote.Status.DRAFT and not is_open[v.pk]
                       and not (v.closes_at and now >= v.closes_at)],
        votes_open=[v for v in votes if is_open[v.pk]],
        votes_to_close=[v for v in votes if v.status != Vote.Status.CLOSED and not is_open[v.pk]
                        and v.closes_at and now >= v.closes_at],
        votes_to_confirm=[v for v in votes if v.status == Vote.Status.CLOSED],
    )
# --- end what needs the coordinator
