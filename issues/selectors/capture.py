"""Reads for capture: a meeting's issues, who supports what, what was keyed in."""
from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from events.models import Registration
from forum.models import Organisation

from ..models import Issue, IssueSupport


def issues_for_meeting(meeting) -> QuerySet[Issue]:
    """A meeting's issues, newest first, with support counts (one query)."""
    return (
        Issue.objects.filter(meeting=meeting).exclude(status=Issue.Status.MERGED)
        .select_related("focus_area", "organisation")
        .annotate(support_count=Count("supports"))
        .order_by("-created_at")
    )


def meeting_issue(meeting, pk) -> Issue | None:
    """One issue of the meeting by id, merged ones included (support goes on to the survivor)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return Issue.objects.select_related("merged_into").filter(meeting=meeting, pk=pk).first()


def supported_issue_ids(meeting, *, person=None, registration=None) -> set[int]:
    """Ids of the meeting's issues that this person (or registration) supports (one query)."""
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
    return (
        Organisation.objects.filter(registrations__meeting=meeting,
                                    registrations__status=Registration.Status.CONFIRMED)
        .distinct().order_by("name")
    )
