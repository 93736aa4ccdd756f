"""Reads about meetings and seats. List pages run a fixed number of queries."""
from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from forum.models import Affiliation

from .models import Meeting, Registration, SeatPool


def meetings_by_year(forum, *, include_drafts: bool) -> dict[int, list[Meeting]]:
    """A forum's meetings grouped by year (one query + prefetch of focus areas)."""
    meetings = forum.meetings.prefetch_related("focus_areas").order_by("starts_at")
    if not include_drafts:
        meetings = meetings.exclude(status=Meeting.Status.DRAFT)
    years: dict[int, list[Meeting]] = defaultdict(list)
    for meeting in meetings:
        years[meeting.starts_at.year].append(meeting)
    return dict(sorted(years.items()))


def pools_with_fill(meeting: Meeting) -> QuerySet[SeatPool]:
    """Pools annotated with ``confirmed``, ``offered``, ``invited`` and ``waiting`` counts."""
    return meeting.pools.annotate(
        confirmed=Count("seated", filter=Q(seated__status=Registration.Status.CONFIRMED), distinct=True),
        offered=Count("seated", filter=Q(seated__status=Registration.Status.OFFERED), distinct=True),
        invited=Count("registrations", filter=Q(registrations__status=Registration.Status.INVITED), distinct=True),
        waiting=Count("registrations", filter=Q(registrations__status=Registration.Status.WAITING), distinct=True),
    ).select_related("partner_organisation", "department").order_by("position", "pk")


def meeting_registrations(meeting: Meeting) -> QuerySet[Registration]:
    """All registrations of a meeting with what the dashboard shows (one query)."""
    return meeting.registrations.select_related("organisation", "pool", "seat_pool", "attendee").order_by(
        "status", "waiting_since", "created_at"
    )


def waiting_list(meeting: Meeting) -> QuerySet[Registration]:
    return meeting.registrations.filter(status=Registration.Status.WAITING).select_related(
        "organisation"
    ).order_by("waiting_since", "pk")


def registrations_for_user(user: Any) -> QuerySet[Registration]:
    """A person's own registrations and those of the companies they confirmedly represent."""
    companies = Affiliation.objects.filter(person=user, confirmed_at__isnull=False).values("organisation_id")
    return (
        Registration.objects.filter(Q(attendee=user) | Q(organisation_id__in=companies))
        .select_related("meeting__forum", "organisation", "pool")
        .order_by("-meeting__starts_at", "created_at")
    )


def catering_rows(meeting: Meeting) -> QuerySet[Registration]:
    """Confirmed attendees with their dietary and accessibility needs."""
    return meeting.registrations.filter(status=Registration.Status.CONFIRMED).select_related(
        "organisation"
    ).order_by("organisation__name", "attendee_name")
