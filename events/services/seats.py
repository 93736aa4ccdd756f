"""Seats: the booking rule, open registration, the waiting list and its offers, cancellation.
Booking rule (issue 3, DESIGN "Theme meetings and seats"): every action that may take or free
a seat runs inside one transaction holding a row lock on the meeting
(``SELECT … FOR UPDATE``), and counts occupied seats from the registration rows there and
then. Nothing is cached, so concurrent bookings serialise on the meeting and confirmed
seats never exceed a pool's size or the meeting's capacity. Hold dates are compared with
the clock at the moment of booking, so they hold even if no scheduled job ran.

Every function records who did it (``forum.services.audit_record``) and queues its mail in
the same transaction (``forum.services.mail_queue``). Views check permission first with
:mod:`events.permissions`.
"""
from __future__ import annotations

import datetime as dt
import logging
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from forum.models import Organisation, OutboxMessage
from forum.services import DeferredMail, audit_record, outbox_release_deferred
from forum.statements import Param, Statement

from ..models import Meeting, Registration, SeatPool
from .base import BookingError, RegistrationClosed, _mail
from .deadlines import offer_deadline
from .seat_sql import SEATED, seat_map_sql

# How long each booking holds a meeting's lock, logged at DEBUG when someone listens
# (bench/registration_burst.py does): the lock serialises a meeting's bookings, so its hold
# time bounds how many registrations per second one meeting takes.
lock_log = logging.getLogger("events.locks")


# --- Seats ------------------------------------------------------------------------------
@dataclass
class SeatMap:
    """Occupied seats per pool, counted from the rows inside the meeting lock."""

    meeting: Meeting
    pools: list[SeatPool]
    occupied: Counter
    # The earliest lapse of each pool's occupying offers: whether any has lapsed (so its seat
    # returns) is known without another query.
    offer_deadlines: list = field(default_factory=list)
    # With ``_lock(…, waiting_until=t)``: how many wait in the meeting's line since t or
    # earlier – the place a booking that joins the line at t takes, before it is written.
    waiting_until_count: int | None = None

    def has_lapsed_offers(self, now: dt.datetime) -> bool:
        return any(deadline is not None and deadline <= now for deadline in self.offer_deadlines)

    @property
    def total(self) -> int:
        return sum(self.occupied.values())

    def free_in(self, pool: SeatPool) -> int:
        return max(pool.size - self.occupied[pool.pk], 0)

    def pools_open_to(self, pool: SeatPool, now: dt.datetime) -> list[SeatPool]:
        """Whose seats a booking through ``pool`` may take now, in the order it takes them:
        its own pool first; then pools of the same audience whose hold date has passed."""
        return [pool] + [
            other for other in self.pools
            if other.pk != pool.pk and other.for_companies == pool.for_companies and not other.is_held(now)
        ]

    def seat_for(self, pool: SeatPool, now: dt.datetime) -> SeatPool | None:
        """The pool whose seat a booking through ``pool`` gets now, or None if none is free."""
        if self.total >= self.meeting.capacity:
            return None
        return next((other for other in self.pools_open_to(pool, now) if self.free_in(other)), None)

    def available_to(self, pool: SeatPool, now: dt.datetime) -> int:
        """How many bookings through ``pool``, one after another, would get a seat now (the
        same rule as :meth:`seat_for`: positive exactly when it finds a seat)."""
        free = sum(self.free_in(other) for other in self.pools_open_to(pool, now))
        return max(min(free, self.meeting.capacity - self.total), 0)


def _lock(meeting_id: int, *, waiting_until: dt.datetime | None = None) -> SeatMap:
    """Lock the meeting row and count its occupied seats. Call inside transaction.atomic().
    Only the meeting's row is locked (``of``), its forum is read along for the mail. With
    ``waiting_until``, also count those waiting since then or earlier (see :func:`_seat_map`)."""
    return _seat_map(_lock_meeting(meeting_id), waiting_until=waiting_until)


def _lock_meeting(meeting_id: int) -> Meeting:
    """The first half of :func:`_lock`: the meeting row, locked; its seats are not counted yet."""
    meeting = _LOCKED_MEETING.first(pk=meeting_id)
    if meeting is None:
        raise Meeting.DoesNotExist(meeting_id)
    if lock_log.isEnabledFor(logging.DEBUG):
        taken = time.perf_counter()
        transaction.on_commit(lambda: lock_log.debug(
            "meeting %s: lock held", meeting_id, extra={"held_ms": (time.perf_counter() - taken) * 1000}))
    return meeting


def _seat_map(meeting: Meeting, *, waiting_until: dt.datetime | None = None) -> SeatMap:
    """The second half of :func:`_lock`, with the meeting locked: one statement (so it sees
    every booking committed before the lock) for the pools with their occupied seats, their
    earliest offer deadline, whether anyone waits in them and, with ``waiting_until``, how
    many have waited since then or earlier – the place in line of a booking joining it then,
    learnt without another round trip. Each statement here is one every other booking of the
    meeting waits for."""
    # Written out once (seat_sql.seat_map_sql) rather than built by the ORM per booking:
    # composing its subqueries cost about 6 ms of Python per booking, all of it inside the lock
    # that the meeting's other bookings queue behind (bench/README.md, issue 14).
    Status = Registration.Status
    params = [*Registration.OCCUPYING, Status.OFFERED, *SEATED, meeting.pk,
              connection.ops.adapt_datetimefield_value(waiting_until), meeting.pk, Status.WAITING, meeting.pk]
    pools = list(SeatPool.objects.raw(seat_map_sql(), params))
    occupied = Counter({pool.pk: pool.occupied_seats for pool in pools if pool.occupied_seats})
    offer_deadlines = [_as_datetime(pool.first_offer_lapses) for pool in pools if pool.first_offer_lapses is not None]
    return SeatMap(meeting=meeting, pools=pools, occupied=occupied, offer_deadlines=offer_deadlines,
                   waiting_until_count=sum(pool.waiting_until for pool in pools) if waiting_until is not None
                   else None)


def _as_datetime(value: Any) -> dt.datetime:
    """A datetime read by a raw statement: PostgreSQL gives one; SQLite gives its text (UTC)."""
    if isinstance(value, dt.datetime):
        return value
    parsed = parse_datetime(str(value))
    if parsed is None:
        raise ValueError(f"not a datetime: {value!r}")
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed, dt.UTC)


def _take(seats: SeatMap, registration: Registration, seat_pool: SeatPool) -> None:
    seats.occupied[seat_pool.pk] += 1
    registration.seat_pool = seat_pool


def claims_block(meeting: Meeting, organisation: Organisation, contact_email: str,
                 registrations: Iterable[Registration]) -> bool:
    """The one-seat rule over rows already read: True when ``organisation`` may not take
    another place at ``meeting``, given ``registrations`` (at least its live ones there). One
    seat per company per meeting (unless the meeting allows more). A department sends several
    people, so for other organisations only the same person twice is refused. Pure: the
    booking services apply it to the rows they read under the meeting lock, and
    :func:`events.selectors.meeting_standing` to the rows it shows (without the lock)."""
    claims = [r for r in registrations if r.organisation_id == organisation.pk and r.meeting_id == meeting.pk
              and r.status in Registration.ACTIVE]
    if organisation.kind == Organisation.Kind.COMPANY:
        return len(claims) >= meeting.seats_per_company
    return any(r.contact_email.lower() == contact_email.lower() for r in claims)


def _has_claim(meeting: Meeting, organisation: Organisation, contact_email: str) -> bool:
    """:func:`claims_block` over the organisation's live registrations for the meeting."""
    claims = _CLAIMS(meeting=meeting.pk, organisation=organisation.pk)
    return claims_block(meeting, organisation, contact_email, claims)


# Under or at the meeting lock on every booking (issue 14: compiled once, see forum.statements).
_LOCKED_MEETING = Statement(
    lambda: Meeting.objects.select_for_update(of=("self",)).select_related("forum").filter(pk=Param("pk")))
_CLAIMS = Statement(lambda: Registration.objects.filter(
    meeting=Param("meeting"), organisation=Param("organisation"), status__in=Registration.ACTIVE
).only("meeting_id", "organisation_id", "status", "contact_email").order_by())  # no join for the default order


def pool_refusal(pool: SeatPool, organisation: Organisation) -> str | None:
    """Why ``organisation`` may not take a seat through ``pool``, or None if it may.

    The one rule of who sits in which pool, used by every booking service (invitation, bulk
    invitation, nomination, open registration; offers from the waiting list only ever go to
    registrations that passed it) and by the forms that want to say it early. The company
    pools (city pick, partner pick, open registration) are for companies; the municipal
    pools are for the city's departments, and a pool tied to one department for that
    department only. Partner organisations nominate companies rather than take company seats,
    and non-profit organisations have no pool of their own (seed 002's 90 seats are company seats).
    """
    if pool.kind == SeatPool.Kind.MUNICIPAL:
        if organisation.kind != Organisation.Kind.DEPARTMENT:
            return _("The seats of a municipal pool are for the city's departments.")
        if pool.department_id is not None and pool.department_id != organisation.pk:
            return _("The seats of this pool are for %(department)s.") % {"department": pool.department.name}
        return None
    if organisation.kind != Organisation.Kind.COMPANY:
        return _("The seats of this pool are for companies; %(name)s is not a company.") % {"name": organisation.name}
    return None


def _check_eligible(pool: SeatPool, organisation: Organisation) -> None:
    refusal = pool_refusal(pool, organisation)
    if refusal:
        raise BookingError(refusal)


def waiting_position(registration: Registration) -> int | None:
    """1 for the first in line; None if not waiting."""
    if registration.status != Registration.Status.WAITING:
        return None
    return Registration.objects.waiting_ahead_of(registration).count() + 1


def _confirm(registration: Registration, now: dt.datetime, actor: Any,
             deferred: list[OutboxMessage] | None = None) -> None:
    registration.status = Registration.Status.CONFIRMED
    registration.confirmed_at = now
    registration.offer_expires_at = None
    registration.save()
    _mail(registration, "events/confirmation", actor=actor, calendar=True, deferred=deferred)


def _wait(registration: Registration, now: dt.datetime, actor: Any,
          deferred: list[OutboxMessage] | None = None, ahead: int | None = None) -> None:
    """Put ``registration`` at the end of the waiting line (under the meeting lock). ``ahead``:
    how many wait before it, when the caller counted them under the same lock (else counted here)."""
    registration.status = Registration.Status.WAITING
    registration.waiting_since = now
    registration.seat_pool = None
    registration.save()
    # Counted under the meeting lock, so the number in the mail (and the page's message,
    # registration.position) is the one at that moment.
    registration.position = ahead + 1 if ahead is not None else waiting_position(registration)
    _mail(registration, "events/waiting", actor=actor, extra={"position": registration.position}, deferred=deferred)


def _lock_for(registration_id: int) -> SeatMap:
    meeting_id = Registration.objects.filter(pk=registration_id).values_list("meeting_id", flat=True).get()
    return _lock(meeting_id)


# --- Open registration and the waiting list ---------------------------------------------
def registration_open_create(
    *, actor: Any, meeting: Meeting, organisation: Organisation, attendee_name: str, attendee_email: str,
    dietary_needs: str = "", accessibility_needs: str = "", consent: bool, now: dt.datetime | None = None,
) -> Registration:
    """A logged-in representative registers their company: first come, first served in the
    open pool (or a released seat); when full, the company joins the waiting list. The
    caller has checked :func:`events.permissions.can_register_for`.

    Bookings of one meeting take turns on its lock, so the lock section only decides and
    writes rows; the worker renders the mail (and calendar file) once it has committed
    (forum.services.mail_queue_deferred: the outbox rows themselves are in the booking's
    transaction). Side effects: the registration, outbox rows (this one's and any offers to
    the waiting list), audit rows; tasks after commit."""
    if not consent:
        raise BookingError(_("You must consent to the handling of your details to attend."))
    # Who the booking's mail is from and whom a reply reaches: read now, before the lock
    # (the rows are then written with it), as a mail queued at booking time would be.
    deferred = DeferredMail(meeting.forum)
    with transaction.atomic():
        locked = _lock_meeting(meeting.pk)
        # The clock is read once the lock is ours, so the waiting line's order (since when)
        # is the order the bookings took the lock in, and the place each is told stays its place.
        now = now or timezone.now()
        seats = _seat_map(locked, waiting_until=now)
        meeting = seats.meeting
        if meeting.status != Meeting.Status.REGISTRATION_OPEN:
            raise RegistrationClosed(_("Registration for this meeting is not open."))
        if now >= meeting.starts_at:
            # Open registration closes when the meeting starts at the latest (the meeting
            # page says so), even if nobody has set the status yet.
            raise RegistrationClosed(_("The meeting has already started."))
        open_pool = next((p for p in seats.pools if p.kind == SeatPool.Kind.OPEN), None)
        if open_pool is None:
            raise RegistrationClosed(_("This meeting has no open registration."))
        _check_eligible(open_pool, organisation)
        if _has_claim(meeting, organisation, actor.email):
            raise BookingError(
                _("%(name)s is already invited or registered for this meeting.") % {"name": organisation.name}
            )
        registration = Registration(
            meeting=meeting, pool=open_pool, organisation=organisation, source=Registration.Source.OPEN,
            contact_email=actor.email, contact_name=actor.get_full_name(), attendee=actor,
            attendee_name=attendee_name, attendee_email=attendee_email, dietary_needs=dietary_needs,
            accessibility_needs=accessibility_needs, consent_at=now, created_by=actor,
        )
        # First come, first served: those already waiting get first pick of free seats.
        offered = _offer_free_seats(seats, now, deferred=deferred)
        seat = seats.seat_for(open_pool, now)
        if seat is None:
            # Those waiting since ``now`` or earlier are ahead of a registration joining the
            # line at ``now`` (the line's order: since when, then pk, and its pk comes last) –
            # unless offers just took some of them out of the line: then count again.
            _wait(registration, now, actor, deferred=deferred, ahead=None if offered else seats.waiting_until_count)
        else:
            _take(seats, registration, seat)
            _confirm(registration, now, actor, deferred=deferred)
        audit_record(actor=actor, action="registration.open", target=registration, forum=meeting.forum,
                     data={"status": registration.status})
    # The lock is released (or, inside a caller's transaction, this still runs in it).
    outbox_release_deferred(deferred)
    return registration


def _offer_free_seats(seats: SeatMap, now: dt.datetime,
                      deferred: list[OutboxMessage] | None = None) -> list[Registration]:
    """Under the meeting lock: expire offers past their deadline (the seat returns and the
    company is told), then offer every free seat to the first in line who may use it.

    Works only from the rows, so it is idempotent and safe to run late or twice. Someone
    behind in the line gets a seat only if nobody ahead of them can use it (for example a
    released seat of another audience), so the order is kept.
    """
    meeting = seats.meeting
    offered: list[Registration] = []
    lapsed: Iterable[Registration] = ()  # not .none(): even an empty queryset is compiled
    if seats.has_lapsed_offers(now):  # known from the rows the lock counted: no query otherwise
        lapsed = Registration.objects.select_for_update().filter(Registration.expired_offer_q(now), meeting=meeting)
    for stale in lapsed:
        seats.occupied[stale.seat_pool_id] -= 1
        stale.status = Registration.Status.OFFER_EXPIRED
        stale.seat_pool = None
        stale.save()
        stale.meeting = meeting
        _mail(stale, "events/offer_expired", deferred=deferred)
        audit_record(actor=None, action="registration.offer_expire", target=stale, forum=meeting.forum)
    if meeting.status in (Meeting.Status.HELD, Meeting.Status.DOCUMENTED) or now >= meeting.starts_at:
        return offered
    # Skip reading (and locking) the whole waiting list when nobody on it can get a seat:
    # no free seat at all, or only seats still held for pools nobody is waiting in. Every
    # booking passes through here, so on a full meeting with a long waiting list this keeps
    # the time each booking holds the meeting lock constant (bench/registration_burst.py).
    free = [pool for pool in seats.pools if seats.free_in(pool)]
    if seats.total >= meeting.capacity or not free:
        return offered
    # Whether anyone waits in a pool was read with the lock (_lock: has_waiting).
    if all(pool.is_held(now) for pool in free) and not any(pool.has_waiting for pool in free):
        return offered
    waiting_line = Registration.objects.select_for_update().filter(meeting=meeting).waiting_line()
    for waiting in waiting_line.select_related("pool"):
        seat = seats.seat_for(waiting.pool, now)
        if seat is None:
            continue
        _take(seats, waiting, seat)
        waiting.status = Registration.Status.OFFERED
        waiting.offer_expires_at = offer_deadline(meeting, now)
        waiting.save()
        waiting.meeting = meeting
        _mail(waiting, "events/offer", deferred=deferred)
        audit_record(actor=None, action="registration.offer", target=waiting, forum=meeting.forum)
        offered.append(waiting)
    return offered


def offers_process(*, meeting_id: int, now: dt.datetime | None = None) -> list[Registration]:
    """Expire unanswered offers and offer free seats to the next in line (periodic, and at
    once whenever a seat is freed). Returns the registrations offered a seat in this run."""
    now = now or timezone.now()
    with transaction.atomic():
        return _offer_free_seats(_lock(meeting_id), now)


def offers_process_all(*, now: dt.datetime | None = None) -> int:
    """Periodic: process every meeting with offers due or people waiting."""
    now = now or timezone.now()
    meeting_ids = set(
        Registration.objects.filter(
            Registration.expired_offer_q(now) | Q(status=Registration.Status.WAITING),
            meeting__starts_at__gt=now,
        ).values_list("meeting_id", flat=True)
    )
    return sum(len(offers_process(meeting_id=mid, now=now)) for mid in sorted(meeting_ids))


def offer_accept(
    *, registration_id: int, user: Any, dietary_needs: str | None = None, accessibility_needs: str | None = None,
    now: dt.datetime | None = None,
) -> Registration:
    """Accept a waiting-list offer before its deadline (decided from the clock)."""
    now = now or timezone.now()
    with transaction.atomic():
        _lock_for(registration_id)
        registration = Registration.objects.select_for_update().get(pk=registration_id)
        if registration.status != Registration.Status.OFFERED:
            raise BookingError(_("There is no open offer to accept."))
        expired = registration.effective_status(now) == Registration.Status.OFFER_EXPIRED
        if not expired:
            if dietary_needs is not None:
                registration.dietary_needs = dietary_needs
            if accessibility_needs is not None:
                registration.accessibility_needs = accessibility_needs
            _confirm(registration, now, user)
            audit_record(actor=user, action="registration.offer_accept", target=registration,
                         forum=registration.meeting.forum)
    if expired:
        # Decided from the clock: a late answer loses the seat, which passes on at once.
        offers_process(meeting_id=registration.meeting_id, now=now)
        raise BookingError(_("The offer has expired."))
    return registration


def registration_cancel(*, registration_id: int, user: Any, now: dt.datetime | None = None) -> Registration:
    """Cancel a place (confirmed, offered, invited or waiting). A freed seat is offered to the
    next in line at once. The caller has checked :func:`events.permissions.can_manage_registration`."""
    now = now or timezone.now()
    with transaction.atomic():
        _lock_for(registration_id)
        registration = Registration.objects.select_for_update().get(pk=registration_id)
        if registration.status not in Registration.ACTIVE:
            raise BookingError(_("This registration is no longer active."))
        if registration.meeting.starts_at <= now:
            raise BookingError(_("The meeting has already started."))
        freed = registration.status in Registration.OCCUPYING
        previous_status = registration.status
        registration.status = Registration.Status.CANCELLED
        registration.seat_pool = None
        registration.save()
        # The mail says what was cancelled: a seat, a place on the waiting list, an invitation.
        _mail(registration, "events/cancelled", actor=user, extra={"previous_status": previous_status})
        audit_record(actor=user, action="registration.cancel", target=registration, forum=registration.meeting.forum)
        if freed:
            offers_process(meeting_id=registration.meeting_id, now=now)
    return registration
