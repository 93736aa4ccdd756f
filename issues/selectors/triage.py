"""Reads for triage: the coordinators' queue, the public issue pages, an issue's history, and
what the forum's issues and votes need from its coordinators (the to-do page)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import (
    BooleanField,
    ExpressionWrapper,
    Q,
    QuerySet,
)
from django.utils import timezone
from django.utils.translation import gettext

from events.models import Meeting
from forum.models import FocusArea
from forum.queries import count_of

from ..models import Issue, IssueEvent, IssueSupport, Side, Vote
from ..services import vote_is_open, vote_opened_at


def _with_support_counts(queryset: QuerySet[Issue]) -> QuerySet[Issue]:
    """``support_count`` per issue as a subquery, not a join and GROUP BY: a page of 50 issues
    is then read from the index in order (issue_forum_newest) and counted for those 50 alone,
    instead of grouping every issue of the forum first; the paginator's count stays a plain
    count of rows."""
    return queryset.annotate(support_count=count_of(IssueSupport.objects.all(), "issue"))


def triage_queue(
    forum, *, meeting=None, focus_area=None, status: str = "", overdue: bool = False, q: str = "",
    include_merged: bool = False, today: dt.date | None = None,
) -> QuerySet[Issue]:
    """Every issue of the forum for the coordinators' queue, filtered; merged issues are hidden
    unless asked for (or the status filter asks for them). One query, whatever the size."""
    today = today or timezone.localdate()
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
        issues = issues.filter(Issue.overdue_q(today))
    if q.strip():
        term = q.strip()
        issues = issues.filter(
            Q(text__icontains=term) | Q(organisation__name__icontains=term) | Q(answer__icontains=term)
        )
    # Each row says whether it is overdue by the same rule as the filter (the page marks it).
    return _with_support_counts(
        issues.select_related("meeting", "focus_area", "responsible", "department", "organisation", "merged_into")
    ).annotate(overdue=ExpressionWrapper(Issue.overdue_q(today), output_field=BooleanField())).order_by(
        "-created_at", "-pk"
    )


def _public(issues: QuerySet[Issue]) -> QuerySet[Issue]:
    """Leave out the issues of meetings that are not published (a meeting set back to draft
    is visible only to those who manage it); issues without a meeting stay."""
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
        issues.select_related("meeting", "focus_area", "department", "organisation", "merged_into__meeting__forum")
    ).order_by("-created_at", "-pk")


def public_issue(pk: int) -> Issue | None:
    """One issue for its public page, with its support count and what it points at."""
    return (
        _with_support_counts(Issue.objects.filter(pk=pk))
        .select_related("forum", "meeting", "focus_area", "department", "organisation", "merged_into__meeting__forum")
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
    areas = {a.pk: a.name for a in FocusArea.objects.filter(pk__in=area_ids)} if area_ids else {}
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
    now = now or timezone.now()
    today = timezone.localdate(now)
    overdue_issues = Issue.objects.filter(Issue.overdue_q(today), forum=forum)
    overdue = list(overdue_issues.select_related("responsible", "department")
                   .order_by("due_date", "pk")[:OVERDUE_SHOWN])
    overdue_count = overdue_issues.count() if len(overdue) == OVERDUE_SHOWN else len(overdue)
    votes = list(Vote.objects.filter(meeting__forum=forum, status__in=(Vote.Status.DRAFT, Vote.Status.OPEN,
                                                                        Vote.Status.CLOSED))
                 .exclude(meeting__status="draft")
                 # Closed before anyone voted: nothing to confirm (services.vote_may_confirm).
                 .exclude(status=Vote.Status.CLOSED, result__turnout__ballots=0).select_related("meeting")
                 # A closed vote's result is large (the pairwise matrix): the to-do page needs none of it.
                 .defer("result", "candidate_texts").order_by("meeting__starts_at", "pk"))
    is_open = {vote.pk: vote_is_open(vote, now) for vote in votes}
    # Opened by hand or by the clock: only such a vote can have run out of time. A draft to be
    # opened by hand whose closing time passed is still to open (opening it drops that time).
    opened = {vote.pk: vote.status == Vote.Status.OPEN or vote_opened_at(vote, now) is not None for vote in votes}
    return IssueTodos(
        overdue=overdue,
        overdue_count=overdue_count,
        votes_to_open=[v for v in votes if v.status == Vote.Status.DRAFT and not opened[v.pk]],
        votes_open=[v for v in votes if is_open[v.pk]],
        votes_to_close=[v for v in votes if v.status != Vote.Status.CLOSED and not is_open[v.pk] and opened[v.pk]
                        and v.closes_at and now >= v.closes_at],
        votes_to_confirm=[v for v in votes if v.status == Vote.Status.CLOSED],
    )
