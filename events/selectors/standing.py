"""Where visitors stand: coming meetings with their registration state, and what a
visitor's companies hold at a meeting."""
from __future__ import annotations

import datetime as dt
import enum
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from forum.statements import Param, Params, Statement

from ..models import Meeting, Registration, SeatPool
from ..services import SeatMap, claims_block, pool_refusal
from .registrations import waiting_positions


# --- coming meetings (the forum page and the start page, through events/sections.py)
class RegistrationState(str, enum.Enum):
    """Where a coming meeting's registration stands, as the forum and start pages say it
    (a str, so templates compare it with "open" and so on)."""

    OPEN = "open"  # open registration, seats left
    FULL = "full"  # open registration, no seat left: new registrations join the waiting list
    LATER = "later"  # published, open registration not yet opened
    CLOSED = "closed"  # registration closed
    INVITATION_ONLY = "invitation_only"  # no open registration: seats go by invitation and nomination


@dataclass(frozen=True)
class ComingMeeting:
    """A published meeting that has not ended, with its registration state and, while
    registration is open, the estimated seats left in the open registration."""

    meeting: Meeting
    state: RegistrationState
    seats_left: int | None

    @property
    def registration_open(self) -> bool:
        return self.state in (RegistrationState.OPEN, RegistrationState.FULL)


COMING_STATUSES = (Meeting.Status.PUBLISHED, Meeting.Status.REGISTRATION_OPEN, Meeting.Status.REGISTRATION_CLOSED)


def open_seats_estimate(meetings: Iterable[Meeting], *, now: dt.datetime | None = None) -> dict[int, int]:
    """Seats left in each meeting's open registration, by meeting id (meetings without an open
    pool are left out). For display only: two queries however many meetings, no lock.

    Counted by the booking services' own rule (:class:`events.services.SeatMap`: the open pool's
    free seats, then those released by company pools past their hold date, within the
    meeting's capacity) from the same rows, but without the meeting lock – so it is an
    estimate: a booking at the same moment may take the last seat first, and only the locked
    booking decides. As in a booking, an offer past its deadline no longer holds its seat, and
    those on the waiting list get first pick of the free seats.
    """
    now = now or timezone.now()
    meetings = list(meetings)
    if not meetings:
        return {}
    pools: dict[int, list[SeatPool]] = defaultdict(list)
    for pool in SeatPool.objects.filter(meeting__in=meetings).order_by("position", "pk"):
        pools[pool.meeting_id].append(pool)
    occupied: dict[int, Counter] = defaultdict(Counter)
    waiting: dict[int, Counter] = defaultdict(Counter)
    Status = Registration.Status
    rows = (
        Registration.objects.filter(meeting__in=meetings)
        .filter(Q(status=Status.CONFIRMED) | (Q(status=Status.OFFERED) & ~Registration.expired_offer_q(now))
                | Q(status=Status.WAITING))
        .values_list("meeting_id", "status", "seat_pool_id", "pool_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for meeting_id, status, seat_pool_id, pool_id, n in rows:
        if status == Status.WAITING:
            waiting[meeting_id][pool_id] += n
        else:
            occupied[meeting_id][seat_pool_id] += n
    estimate: dict[int, int] = {}
    for meeting in meetings:
        open_pool = next((pool for pool in pools[meeting.pk] if pool.kind == SeatPool.Kind.OPEN), None)
        if open_pool is None:
            continue
        seats = SeatMap(meeting=meeting, pools=pools[meeting.pk], occupied=occupied[meeting.pk])
        # Those waiting take their seats first, each through their own pool, as the offers would.
        for pool in seats.pools:
            for _position in range(waiting[meeting.pk][pool.pk]):
                seat = seats.seat_for(pool, now)
                if seat is None:
                    break
                seats.occupied[seat.pk] += 1
        estimate[meeting.pk] = seats.available_to(open_pool, now)
    return estimate


def _registration_state(meeting: Meeting, open_seats: int | None) -> RegistrationState:
    if meeting.status == Meeting.Status.REGISTRATION_CLOSED:
        return RegistrationState.CLOSED
    if open_seats is None:
        return RegistrationState.INVITATION_ONLY
    if meeting.status == Meeting.Status.PUBLISHED:
        return RegistrationState.LATER
    return RegistrationState.OPEN if open_seats > 0 else RegistrationState.FULL


def coming_meetings(forums: Iterable[Any] | None = None, *, now: dt.datetime | None = None,
                    limit: int | None = None) -> list[ComingMeeting]:
    """Published meetings of ``forums`` (all forums when None) that have not ended, soonest
    first, at most ``limit``, each with its registration state. Three queries however many
    meetings and forums. Drafts never appear (not even to their coordinators: this is the
    public view; the yearly plan shows them the drafts)."""
    now = now or timezone.now()
    meetings = (
        Meeting.objects.filter(status__in=COMING_STATUSES, ends_at__gt=now)
        .select_related("forum")
        .order_by("starts_at", "pk")
    )
    if forums is not None:
        meetings = meetings.filter(forum__in=[forum.pk for forum in forums])
    meetings = list(meetings[:limit] if limit else meetings)
    seats = open_seats_estimate(meetings, now=now)
    return [
        ComingMeeting(meeting, _registration_state(meeting, seats.get(meeting.pk)), seats.get(meeting.pk))
        for meeting in meetings
    ]
# --- end coming meetings


# --- where a visitor stands at a meeting (the meeting page)
@dataclass(frozen=True)
class CompanyStanding:
    """One of the visitor's companies at a meeting: what it holds there (its live
    registrations, each with its waiting-list position when waiting) and whether open
    registration could still take it, or why not."""

    organisation: Any
    registrations: list[tuple[Registration, int | None]]
    can_register: bool
    refusal: str | None


@dataclass(frozen=True)
class MeetingStanding:
    """Where a meeting's registration stands for the visitor: seats left in the open
    registration (an estimate, see :func:`open_seats_estimate`), when it closes, when seats
    kept for invitations are released to it, and what each of the visitor's companies holds."""

    registration_open: bool
    open_seats: int | None
    closes_at: dt.datetime
    released_at: dt.datetime | None
    companies: list[CompanyStanding]
    others: list[tuple[Registration, int | None]]

    @property
    def can_register(self) -> bool:
        return self.registration_open and any(company.can_register for company in self.companies)

    @property
    def holds_anything(self) -> bool:
        return bool(self.others) or any(company.registrations for company in self.companies)

    @property
    def held_states(self) -> set[str]:
        """The states (:meth:`Registration.effective_status`) of what the companies that may
        not register hold here – "confirmed", "waiting", "offered", "invited" …: why the page
        offers them no registration, in words that fit (a company on the waiting list has no
        seat yet)."""
        return {registration.effective_status() for company in self.companies if not company.can_register
                for registration, _position in company.registrations}

    @property
    def refusals(self) -> list[str]:
        """Why the open pool takes none of the visitor's companies that hold nothing here
        (:func:`events.services.pool_refusal`), each said once."""
        said: list[str] = []
        for company in self.companies:
            if not company.can_register and not company.registrations and company.refusal \
                    and company.refusal not in said:
                said.append(company.refusal)
        return said


def _open_for_registration(meeting: Meeting, open_pool: SeatPool | None, now: dt.datetime) -> bool:
    """Whether open registration takes bookings now (the booking itself decides, under the lock)."""
    return meeting.registration_is_open and open_pool is not None and now < meeting.starts_at


def meeting_standing(user: Any, meeting: Meeting, companies: list, *,
                     now: dt.datetime | None = None, for_form: bool = False,
                     organisations: list | None = None) -> MeetingStanding:
    """What the meeting page tells ``user`` about registering for ``meeting``; ``companies``
    are those the user confirmedly represents (:func:`events.permissions.represented_companies`).
    ``organisations``: every organisation the user confirmedly belongs to
    (:func:`events.permissions.represented_organisations`), whose registrations are shown too
    (``others``: a department's seats, as "My invitations and registrations" lists them);
    by default only the companies'.
    Read only, by the booking rules themselves: a company may register when the open pool takes
    it (:func:`events.services.pool_refusal`) and it holds no place that the one-seat rule
    counts (:func:`events.services.claims_block`) – so "Register" is offered only where the
    booking would not refuse it (it may still join the waiting list). At most five queries
    however many companies and registrations. ``for_form``: what the registration form needs
    and no more – two queries, no seat estimate (``open_seats`` is None), and pools and rows
    read without their departments, organisations and pools (the form shows none of them, so
    it does not make them: about 1 ms of a registration page's CPU, issue 14)."""
    now = now or timezone.now()
    pools = (_FORM_POOLS if for_form else _POOLS)(meeting=meeting.pk)
    for pool in pools:
        pool.meeting = meeting  # as read through meeting.pools
    open_pool = next((pool for pool in pools if pool.kind == SeatPool.Kind.OPEN), None)
    registration_open = _open_for_registration(meeting, open_pool, now)
    open_seats = (open_seats_estimate([meeting], now=now).get(meeting.pk)
                  if open_pool is not None and not for_form else None)
    # Seats a company pool keeps for its invitees are released to everyone at its hold date.
    released_at = min((pool.hold_until for pool in pools
                       if pool.for_companies and pool.kind != SeatPool.Kind.OPEN and pool.hold_until
                       and pool.hold_until > now), default=None)
    rows: list[Registration] = []
    if getattr(user, "is_authenticated", False):
        rows = (_FORM_HELD if for_form else _HELD)(
            meeting=meeting.pk, user=user.pk,
            companies=[organisation.pk for organisation in (companies if organisations is None else organisations)])
        for row in rows:
            row.meeting = meeting
    positions = waiting_positions(rows)
    standings = []
    for company in companies:
        held = [(r, positions.get(r.pk)) for r in rows if r.organisation_id == company.pk]
        refusal = pool_refusal(open_pool, company) if open_pool is not None else None
        blocked = claims_block(meeting, company, getattr(user, "email", ""), rows)
        standings.append(CompanyStanding(company, held, registration_open and refusal is None and not blocked, refusal))
    company_ids = {company.pk for company in companies}
    others = [(r, positions.get(r.pk)) for r in rows if r.organisation_id not in company_ids]
    return MeetingStanding(registration_open, open_seats, meeting.starts_at, released_at, standings, others)


# Read on every meeting page and registration (issue 14: compiled once, see forum.statements).
def _pools() -> QuerySet:
    return SeatPool.objects.filter(meeting=Param("meeting")).order_by("position", "pk")


def _held() -> QuerySet:
    return (Registration.objects.filter(meeting=Param("meeting"), status__in=Registration.ACTIVE)
            .filter(Q(attendee=Param("user")) | Q(organisation__in=Params("companies")))
            .order_by("created_at", "pk"))


_FORM_POOLS, _POOLS = Statement(_pools), Statement(lambda: _pools().select_related("department"))
_FORM_HELD, _HELD = Statement(_held), Statement(lambda: _held().select_related("organisation", "pool"))
# --- end where a visitor stands
