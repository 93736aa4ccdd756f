"""Reads about issues and votes. List pages run a fixed number of queries."""
from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from .models import Issue, PriorityListEntry, Vote


def issues_for_meeting(meeting) -> QuerySet[Issue]:
    """A meeting's issues, newest first, with support counts (one query)."""
    return (
        Issue.objects.filter(meeting=meeting).exclude(status=Issue.Status.MERGED)
        .select_related("focus_area", "organisation")
        .annotate(support_count=Count("supports"))
        .order_by("-created_at")
    )


def published_priority_list(forum) -> QuerySet[PriorityListEntry]:
    """The entries of the forum's latest confirmed priority list (one query)."""
    vote = Vote.objects.filter(meeting__forum=forum, status=Vote.Status.CONFIRMED).order_by("-confirmed_at").first()
    if vote is None:
        return PriorityListEntry.objects.none()
    return vote.priority_list.select_related("issue__focus_area").order_by("rank", "pk")


def votes_for_meeting(meeting) -> QuerySet[Vote]:
    return meeting.votes.annotate(ballot_count=Count("ballots")).order_by("-created_at")
