"""What needs the coordinators now (the to-do page's meeting section)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from ..models import Meeting, Nomination, Registration

# --- what needs the coordinator (the forum's to-do page, events/sections.py)
# How far ahead the to-do page looks: invitations not answered when their pool's hold date
# (the day its seats are released) is this close, and offers that lapse this soon.
HOLD_DATE_WARNING = dt.timedelta(days=7)
OFFER_WARNING = dt.timedelta(hours=24)


@dataclass
class MeetingTodo:
    """What one coming meeting needs from its coordinators."""

    meeting: Meeting
    nominations: int = 0
    invitations: int = 0
    released_at: dt.datetime | None = None
    offers: int = 0
    first_offer_lapses: dt.datetime | None = None


def meeting_todos(forum: Any, *, now: dt.datetime | None = None) -> list[MeetingTodo]:
    """The forum's coming meetings with something waiting for the coordinators: nominations to
    decide, invitations nobody has answered with the pool's hold date near, offers about to
    lapse. Soonest meeting first. Four queries however many meetings and registrations."""
    from django.db.models import Min

    now = now or timezone.now()
    todos: dict[int, MeetingTodo] = {}
    coming = Q(meeting__forum=forum, meeting__ends_at__gt=now)

    def todo(meeting_id: int) -> MeetingTodo:
        return todos.setdefault(meeting_id, MeetingTodo(meeting=None))  # type: ignore[arg-type]

    for row in (Nomination.objects.filter(pool__meeting__forum=forum, pool__meeting__ends_at__gt=now,
                                          status=Nomination.Status.PENDING)
                .values("pool__meeting_id").annotate(n=Count("pk")).order_by()):
        todo(row["pool__meeting_id"]).nominations = row["n"]
    for row in (Registration.objects.filter(coming, status=Registration.Status.INVITED,
                                            pool__hold_until__gt=now, pool__hold_until__lte=now + HOLD_DATE_WARNING)
                .exclude(Registration.expired_invitation_q(now))
                .values("meeting_id").annotate(n=Count("pk"), first=Min("pool__hold_until")).order_by()):
        item = todo(row["meeting_id"])
        item.invitations, item.released_at = row["n"], row["first"]
    for row in (Registration.objects.filter(coming, status=Registration.Status.OFFERED,
                                            offer_expires_at__gt=now, offer_expires_at__lte=now + OFFER_WARNING)
                .values("meeting_id").annotate(n=Count("pk"), first=Min("offer_expires_at")).order_by()):
        item = todo(row["meeting_id"])
        item.offers, item.first_offer_lapses = row["n"], row["first"]
    if not todos:
        return []
    for meeting in Meeting.objects.filter(pk__in=list(todos)):
        todos[meeting.pk].meeting = meeting
    return sorted(todos.values(), key=lambda item: (item.meeting.starts_at, item.meeting.pk))
# --- end what needs the coordinator
