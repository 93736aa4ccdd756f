"""Reads about meetings and seats. List pages run a fixed number of queries."""
from __future__ import annotations

import datetime as dt
import enum
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from forum.models import Affiliation

from .models import Meeting, Registration, SeatPool
from .services import SeatMap, claims_block, pool_refusal


def meetings_by_year(forum, *, include_drafts: bool, years: Iterable[int] | None = None) -> dict[int, list[Meeting]]:
    """A forum's meetings grouped by year, only ``years`` if given (one query + prefetch of
    focus areas)."""
    meetings = forum.meetings.prefetch_related("focus_areas").order_by("starts_at")
    if not include_drafts:
        meetings = meetings.exclude(status=Meeting.Status.DRAFT)
    wanted = set(years) if years is not None else None
    if wanted is not None:
        if not wanted:
            return {}
        meetings = meetings.filter(starts_at__gte=dt.datetime(min(wanted), 1, 1, tzinfo=dt.UTC),
                                   starts_at__lt=dt.datetime(max(wanted) + 1, 1, 1, tzinfo=dt.UTC))
    grouped: dict[int, list[Meeting]] = defaultdict(list)
    for meeting in meetings:
        if wanted is None or meeting.starts_at.year in wanted:
            grouped[meeting.starts_at.year].append(meeting)
    return dict(sorted(grouped.items()))


#: The yearly plan opens on last year and every year after it; each earlier year is a link.
PLAN_YEARS_BACK = 1


@dataclass(frozen=True)
class YearlyPlan:
    """The years the plan page shows, with their meetings, and the other years it links to."""

    years: dict[int, list[Meeting]]
    other_years: list[int]
    year: int | None  # the one year asked for (``?ar=``), or None for the default view


def yearly_plan(forum, *, include_drafts: bool, year: int | None = None,
                now: dt.datetime | None = None) -> YearlyPlan:
    """The plan page's years: the one ``year`` asked for if the forum has meetings then,
    otherwise last year and onwards (or the latest year, when every meeting is older). A
    forum with years of history does not render them all on every visit. Three queries
    however many years and meetings."""
    meetings = forum.meetings.all()
    if not include_drafts:
        meetings = meetings.exclude(status=Meeting.Status.DRAFT)
    all_years = sorted({starts.year for starts in meetings.order_by().values_list("starts_at", flat=True)})
    if year in all_years:
        shown = [year]
    else:
        year = None
        first = timezone.localdate(now).year - PLAN_YEARS_BACK
        shown = [y for y in all_years if y >= first] or all_years[-1:]
    return YearlyPlan(meetings_by_year(forum, include_drafts=include_drafts, years=shown),
                      [y for y in all_years if y not in shown], year)


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
    """The meeting's waiting list in its order (position = place in this list)."""
    return meeting.registrations.waiting_line().select_related("organisation")


def registrations_for_user(user: Any) -> QuerySet[Registration]:
    """A person's own registrations and those of the companies they confirmedly represent."""
    companies = Affiliation.objects.filter(person=user, confirmed_at__isnull=False).values("organisation_id")
    return (
        Registration.objects.filter(Q(attendee=user) | Q(organisation_id__in=companies))
        # A meeting set back to draft is visible only to those who manage it.
        .exclude(meeting__status=Meeting.Status.DRAFT)
        .select_related("meeting__forum", "organisation", "pool")
        .order_by("-meeting__starts_at", "created_at")
    )


def catering_rows(meeting: Meeting) -> QuerySet[Registration]:
    """Confirmed attendees with their dietary and accessibility needs."""
    return meeting.registrations.filter(status=Registration.Status.CONFIRMED).select_related(
        "organisation"
    ).order_by("organisation__name", "attendee_name")


# --- coordination selectors
def registrations_with_mail_status(meeting: Meeting) -> QuerySet[Registration]:
    """:func:`meeting_registrations` annotated with ``mail_status``: the status of the latest
    meeting mail (outbox template ``events/…``) to the contact's address. A correlated
    subquery, so the dashboard stays one query however many registrations there are."""
    from django.db.models import OuterRef, Subquery

    from forum.models import OutboxMessage

    latest = OutboxMessage.objects.filter(
        to_email=OuterRef("contact_email"), template__startswith="events/"
    ).order_by("-created_at", "-pk")
    return meeting_registrations(meeting).annotate(mail_status=Subquery(latest.values("status")[:1]))


def facilitator_candidates(forum) -> QuerySet:
    """People with the facilitator role in the forum (they may lead its meetings)."""
    from django.contrib.auth import get_user_model

    from forum.models import Role

    return get_user_model().objects.filter(
        forum_roles__forum=forum, forum_roles__role=Role.FACILITATOR, is_active=True
    ).distinct().order_by("first_name", "last_name", "email")


def company_candidates(*, search: str = "", sni_section: str = "", size_class: str = "") -> QuerySet:
    """Companies of the register for bulk invitation, filtered, each annotated with
    ``representative_email``: the email of its earliest confirmed representative (or None).
    One query."""
    from django.db.models import OuterRef, Subquery

    from forum.models import Organisation

    representative = Affiliation.objects.filter(
        organisation=OuterRef("pk"), confirmed_at__isnull=False, person__is_active=True
    ).order_by("confirmed_at", "pk")
    companies = Organisation.objects.filter(kind=Organisation.Kind.COMPANY)
    if search:
        companies = companies.filter(Q(name__icontains=search) | Q(organisationsnummer__icontains=search))
    if sni_section:
        companies = companies.filter(sni_section=sni_section)
    if size_class:
        companies = companies.filter(size_class=size_class)
    return companies.annotate(
        representative_email=Subquery(representative.values("person__email")[:1]),
        representative_name=Subquery(representative.values("person__first_name")[:1]),
    ).order_by("name")


def invitable_organisations() -> QuerySet:
    """Companies and municipal departments a coordinator can invite one at a time."""
    from forum.models import Organisation

    return Organisation.objects.filter(
        kind__in=(Organisation.Kind.COMPANY, Organisation.Kind.DEPARTMENT)
    ).order_by("kind", "name")


def nominations_for(meeting: Meeting, pools=None) -> QuerySet:
    """Nominations of a meeting, optionally only those of ``pools`` (one query)."""
    from .models import Nomination

    nominations = Nomination.objects.filter(pool__meeting=meeting).select_related(
        "pool", "company", "nominated_by", "decided_by"
    ).order_by("pool__position", "created_at", "pk")
    if pools is not None:
        nominations = nominations.filter(pool__in=list(pools))
    return nominations
# --- end coordination selectors


# --- participation selectors
def waiting_positions(registrations: list[Registration]) -> dict[int, int]:
    """Waiting-list positions (1 = first in line) of the waiting ones among ``registrations``,
    in one query for all their meetings, ordered as :func:`events.services.waiting_position`."""
    meeting_ids = {r.meeting_id for r in registrations if r.status == Registration.Status.WAITING}
    if not meeting_ids:
        return {}
    positions: dict[int, int] = {}
    counters: dict[int, int] = defaultdict(int)
    for pk, meeting_id in Registration.objects.filter(meeting_id__in=meeting_ids).waiting_line().order_by(
        "meeting_id", *Registration.WAITING_ORDER
    ).values_list("pk", "meeting_id"):
        counters[meeting_id] += 1
        positions[pk] = counters[meeting_id]
    return positions

# --- end participation selectors


# --- checkin selectors
# The check-in code's alphabet (see events.models._new_code): no 0/O, 1/I to misread at the door.
CHECKIN_CODE_LENGTH = 6


def normalise_code(text: str) -> str:
    """What was typed, as a code would be stored: upper case, no spaces or dashes."""
    return "".join(ch for ch in text.upper() if ch not in " -")


def looks_like_code(text: str) -> bool:
    code = normalise_code(text)
    return len(code) == CHECKIN_CODE_LENGTH and code.isalnum() and " " not in text.strip()


def registration_by_code(meeting: Meeting, text: str) -> Registration | None:
    """The meeting's registration with this check-in code, whatever its status (one query)."""
    return meeting.registrations.select_related("organisation").filter(code=normalise_code(text)).first()


def checkin_search(meeting: Meeting, text: str = "") -> QuerySet[Registration]:
    """Confirmed registrations whose attendee, contact, company, email or code matches every
    word of ``text`` (all of them when empty), ordered by company and name (one query)."""
    rows = meeting.registrations.filter(status=Registration.Status.CONFIRMED).select_related("organisation")
    for word in text.split():
        rows = rows.filter(
            Q(attendee_name__icontains=word) | Q(contact_name__icontains=word)
            | Q(attendee_email__icontains=word) | Q(contact_email__icontains=word)
            | Q(organisation__name__icontains=word) | Q(code__iexact=word)
        )
    return rows.order_by("organisation__name", "attendee_name", "pk")


def checkin_counts(meeting: Meeting) -> tuple[int, int]:
    """(checked in, confirmed) for "N of M checked in" (one query)."""
    counts = meeting.registrations.filter(status=Registration.Status.CONFIRMED).aggregate(
        confirmed=Count("pk"), checked_in=Count("pk", filter=Q(checked_in_at__isnull=False))
    )
    return counts["checked_in"], counts["confirmed"]
# --- end checkin selectors


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


def _open_for_registration(meeting: Meeting, open_pool: SeatPool | None, now: dt.datetime) -> bool:
    """Whether open registration takes bookings now (the booking itself decides, under the lock)."""
    return meeting.registration_is_open and open_pool is not None and now < meeting.starts_at


def registration_open(meeting: Meeting, *, now: dt.datetime | None = None) -> bool:
    """:attr:`MeetingStanding.registration_open` alone, for a booking about to be made (the
    registration form as it is sent): one query, no counting of seats or claims – the booking
    checks those under the meeting lock."""
    now = now or timezone.now()
    if not meeting.registration_is_open or now >= meeting.starts_at:
        return False
    return _open_for_registration(meeting, meeting.pools.filter(kind=SeatPool.Kind.OPEN).first(), now)


def meeting_standing(user: Any, meeting: Meeting, companies: list, *,
                     now: dt.datetime | None = None, with_seats: bool = True) -> MeetingStanding:
    """What the meeting page tells ``user`` about registering for ``meeting``; ``companies``
    are those the user confirmedly represents (:func:`events.permissions.represented_companies`).
    Read only, by the booking rules themselves: a company may register when the open pool takes
    it (:func:`events.services.pool_refusal`) and it holds no place that the one-seat rule
    counts (:func:`events.services.claims_block`) – so "Register" is offered only where the
    booking would not refuse it (it may still join the waiting list). At most five queries
    however many companies and registrations; two without ``with_seats`` (the registration
    form, which does not show the seats left: ``open_seats`` is then None)."""
    now = now or timezone.now()
    pools = list(meeting.pools.select_related("department").order_by("position", "pk"))
    open_pool = next((pool for pool in pools if pool.kind == SeatPool.Kind.OPEN), None)
    registration_open = _open_for_registration(meeting, open_pool, now)
    open_seats = (open_seats_estimate([meeting], now=now).get(meeting.pk)
                  if open_pool is not None and with_seats else None)
    # Seats a company pool keeps for its invitees are released to everyone at its hold date.
    released_at = min((pool.hold_until for pool in pools
                       if pool.for_companies and pool.kind != SeatPool.Kind.OPEN and pool.hold_until
                       and pool.hold_until > now), default=None)
    rows: list[Registration] = []
    if getattr(user, "is_authenticated", False):
        rows = list(
            meeting.registrations.filter(status__in=Registration.ACTIVE)
            .filter(Q(attendee=user) | Q(organisation__in=[company.pk for company in companies]))
            .select_related("organisation", "pool")
            .order_by("created_at", "pk")
        )
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
# --- end where a visitor stands


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

    from .models import Nomination

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
