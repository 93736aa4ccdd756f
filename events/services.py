"""Writes about theme meetings and seats.

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
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from forum import reminders
from forum.mail import site_url
from forum.models import AuditEvent, Organisation
from forum.services import Attachment, audit_record, mail_queue

from .models import InvitationBatch, Meeting, Nomination, Registration, SeatPool


class BookingError(ValueError):
    """A booking that breaks a rule; the message is for the user (translated)."""


# --- Meetings and the yearly plan -------------------------------------------------------
# Default pools for 90 company seats (seed 002) and municipal participants (seed 001 style).
DEFAULT_POOLS: list[tuple[str, str, int]] = [
    (SeatPool.Kind.CITY_PICK, "Stadens urval", 30),
    (SeatPool.Kind.PARTNER_PICK, "Partnerorganisationernas urval", 30),
    (SeatPool.Kind.OPEN, "Öppen anmälan", 30),
    (SeatPool.Kind.MUNICIPAL, "Politiker", 10),
    (SeatPool.Kind.MUNICIPAL, "Förvaltningschefer", 10),
    (SeatPool.Kind.MUNICIPAL, "Tjänstepersoner", 10),
]
# Start-up year of seed 002: meeting 1 in May, 2 in September, 3 (prioritisation) in November.
STARTUP_MEETINGS: list[tuple[str, str, int]] = [
    (Meeting.Kind.CITY_FOR_BUSINESS, "Tematräff 1: Vad kan staden göra för företagens utveckling?", 5),
    (Meeting.Kind.BUSINESS_FOR_CITY, "Tematräff 2: Vad kan företagen göra för stadens utveckling?", 9),
    (Meeting.Kind.PRIORITISATION, "Tematräff 3: Beslut om prioriteringslista", 11),
]
LATER_MEETINGS: list[tuple[str, int]] = [("Vårträff", 4), ("Höstträff", 10)]
# A pool's seats are held for it until two weeks before the meeting (seed 001 releases
# unclaimed seats some weeks before the day).
DEFAULT_HOLD = dt.timedelta(days=14)


def _meeting_time(year: int, month: int) -> tuple[dt.datetime, dt.datetime]:
    """11:11 on the second Tuesday of the month: the concept's name is its start time."""
    day = dt.date(year, month, 1)
    tuesdays = [day + dt.timedelta(days=i) for i in range(31) if (day + dt.timedelta(days=i)).month == month
                and (day + dt.timedelta(days=i)).weekday() == 1]
    date = tuesdays[1]
    tz = timezone.get_default_timezone()
    start = dt.datetime.combine(date, dt.time(11, 11), tzinfo=tz)
    return start, start + dt.timedelta(hours=3)


def meeting_create(
    *, actor: Any, forum, kind: str, title: str, starts_at: dt.datetime, ends_at: dt.datetime,
    focus_areas: Iterable = (), facilitators: Iterable = (), with_default_pools: bool = True, **fields: Any,
) -> Meeting:
    """Create a meeting in draft, by default with the default pools. Coordinators only."""
    with transaction.atomic():
        meeting = Meeting.objects.create(
            forum=forum, kind=kind, title=title, starts_at=starts_at, ends_at=ends_at, created_by=actor, **fields
        )
        meeting.focus_areas.set(focus_areas)
        meeting.facilitators.set(facilitators)
        if with_default_pools:
            hold_until = starts_at - DEFAULT_HOLD
            SeatPool.objects.bulk_create(
                SeatPool(meeting=meeting, kind=pool_kind, name=name, size=size, hold_until=hold_until, position=i)
                for i, (pool_kind, name, size) in enumerate(DEFAULT_POOLS)
            )
            meeting.capacity = sum(size for _k, _n, size in DEFAULT_POOLS)
            meeting.save(update_fields=["capacity"])
        audit_record(actor=actor, action="meeting.create", target=meeting, forum=forum)
    return meeting


def meeting_update(*, actor: Any, meeting: Meeting, focus_areas=None, facilitators=None, **fields: Any) -> Meeting:
    """Edit a meeting's facts. Coordinators only."""
    with transaction.atomic():
        for name, value in fields.items():
            setattr(meeting, name, value)
        meeting.save()
        if focus_areas is not None:
            meeting.focus_areas.set(focus_areas)
        if facilitators is not None:
            meeting.facilitators.set(facilitators)
        audit_record(actor=actor, action="meeting.update", target=meeting, forum=meeting.forum,
                     data={"fields": sorted(fields)})
    return meeting


def meeting_set_status(*, actor: Any, meeting: Meeting, status: str) -> Meeting:
    """Move a meeting forwards through its statuses (or one step back). Coordinators only."""
    order = Meeting.STATUS_ORDER
    if status not in order:
        raise BookingError(_("Unknown status."))
    if order.index(status) < order.index(meeting.status) - 1:
        raise BookingError(_("A meeting can only go back one step."))
    with transaction.atomic():
        previous = meeting.status
        meeting.status = status
        meeting.save(update_fields=["status"])
        audit_record(actor=actor, action="meeting.status", target=meeting, forum=meeting.forum,
                     data={"from": previous, "to": status})
    return meeting


def startup_year_create(*, actor: Any, forum, year: int) -> list[Meeting]:
    """The start-up year of seed 002: theme meetings 1, 2 and 3 with default pools."""
    focus_areas = list(forum.focus_areas.all())
    meetings = []
    with transaction.atomic():
        for kind, title, month in STARTUP_MEETINGS:
            starts_at, ends_at = _meeting_time(year, month)
            meetings.append(meeting_create(actor=actor, forum=forum, kind=kind, title=f"{title} {year}",
                                           starts_at=starts_at, ends_at=ends_at, focus_areas=focus_areas))
    return meetings


def later_year_create(*, actor: Any, forum, year: int) -> list[Meeting]:
    """A later year: a spring and an autumn meeting, each combining all three questions."""
    focus_areas = list(forum.focus_areas.all())
    meetings = []
    with transaction.atomic():
        for title, month in LATER_MEETINGS:
            starts_at, ends_at = _meeting_time(year, month)
            meetings.append(meeting_create(actor=actor, forum=forum, kind=Meeting.Kind.COMBINED,
                                           title=f"{title} {year}", starts_at=starts_at, ends_at=ends_at,
                                           focus_areas=focus_areas))
    return meetings


def pool_save(*, actor: Any, meeting: Meeting, pool: SeatPool | None = None, **fields: Any) -> SeatPool:
    """Create or edit a pool. A pool cannot shrink below the seats it has given out."""
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if pool is not None and "size" in fields:
            taken = Registration.objects.filter(seat_pool=pool, status__in=Registration.OCCUPYING).count()
            if fields["size"] < taken:
                raise BookingError(
                    _("The pool already has %(taken)d confirmed or offered seats; it cannot be smaller.")
                    % {"taken": taken}
                )
        if pool is None:
            pool = SeatPool.objects.create(meeting=locked, **fields)
        else:
            for name, value in fields.items():
                setattr(pool, name, value)
            pool.save()
        audit_record(actor=actor, action="pool.save", target=pool, forum=meeting.forum, data={"fields": sorted(fields)})
    return pool


def pool_delete(*, actor: Any, pool: SeatPool) -> None:
    """Remove a pool that nobody has been invited to or registered through."""
    with transaction.atomic():
        if pool.registrations.exists() or pool.seated.exists() or pool.nominations.exists():
            raise BookingError(_("The pool is in use and cannot be removed."))
        audit_record(actor=actor, action="pool.delete", target=pool, forum=pool.meeting.forum)
        pool.delete()


# --- Seats ------------------------------------------------------------------------------
@dataclass
class SeatMap:
    """Occupied seats per pool, counted from the rows inside the meeting lock."""

    meeting: Meeting
    pools: list[SeatPool]
    occupied: Counter

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


def _lock(meeting_id: int) -> SeatMap:
    """Lock the meeting row and count its occupied seats. Call inside transaction.atomic()."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting_id)
    pools = list(meeting.pools.order_by("position", "pk"))
    occupied = Counter(
        Registration.objects.filter(meeting=meeting, status__in=Registration.OCCUPYING)
        .values_list("seat_pool_id", flat=True)
    )
    return SeatMap(meeting=meeting, pools=pools, occupied=occupied)


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
    claims = Registration.objects.filter(
        meeting=meeting, organisation=organisation, status__in=Registration.ACTIVE
    ).only("meeting_id", "organisation_id", "status", "contact_email")
    return claims_block(meeting, organisation, contact_email, claims)


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
    return (
        Registration.objects.filter(meeting_id=registration.meeting_id, status=Registration.Status.WAITING)
        .filter(
            Q(waiting_since__lt=registration.waiting_since)
            | Q(waiting_since=registration.waiting_since, pk__lt=registration.pk)
        )
        .count()
        + 1
    )


def _language_of(registration: Registration) -> str:
    """The language mail about ``registration`` is written in: the attendee's own, else the default."""
    return getattr(registration.attendee, "language", None) or settings.LANGUAGE_CODE


def mail_context(registration: Registration, **extra: Any) -> dict[str, Any]:
    """What every mail about a registration shows: the registration, its meeting, and the
    addresses of its personal page, of the meeting's page and of the forum's page (which lists
    the coming meetings). ``extra``: what one kind of mail adds (waiting ``position``, the
    ``previous_status`` of a cancelled registration, the reminder's ``days_left``)."""
    meeting = registration.meeting
    base = site_url()
    return {
        "registration": registration,
        "meeting": meeting,
        "registration_url": base + reverse("events:invitation", args=[registration.token]),
        "meeting_url": base + meeting.get_absolute_url(),
        "forum_url": base + meeting.forum.get_absolute_url(),
        **extra,
    }


def _mail(registration: Registration, template: str, *, to: str | None = None, attachments=(), actor=None,
          extra: dict | None = None) -> None:
    """Queue mail about ``registration`` (from its forum; a reply reaches the forum's coordinators)."""
    mail_queue(
        to=to or registration.attendee_email or registration.contact_email,
        template=template,
        context=mail_context(registration, **(extra or {})),
        language=_language_of(registration),
        attachments=attachments,
        created_by=actor,
        forum=registration.meeting.forum,
    )


def _confirm(registration: Registration, now: dt.datetime, actor: Any) -> None:
    from .calendar import meeting_ics

    registration.status = Registration.Status.CONFIRMED
    registration.confirmed_at = now
    registration.offer_expires_at = None
    registration.save()
    # The calendar file in the language of the mail it comes with.
    with translation.override(_language_of(registration)):
        ics = meeting_ics(registration.meeting, registration)
    _mail(registration, "events/confirmation", actor=actor,
          attachments=[Attachment("tematraff.ics", "text/calendar; charset=utf-8; method=PUBLISH", ics)])


def _wait(registration: Registration, now: dt.datetime, actor: Any) -> None:
    registration.status = Registration.Status.WAITING
    registration.waiting_since = now
    registration.seat_pool = None
    registration.save()
    # Counted under the meeting lock, so the number in the mail is the one at that moment.
    _mail(registration, "events/waiting", actor=actor, extra={"position": waiting_position(registration)})


# --- Deadlines --------------------------------------------------------------------------
# Answer-by times people can remember (issue 10): an invitation runs to the end of a day, a
# waiting-list offer to a whole hour, both in the city's time zone (TIME_ZONE,
# Europe/Stockholm), never past the start of the meeting.
END_OF_DAY = dt.time(23, 59, 59)


def _whole_hour_down(moment: dt.datetime) -> dt.datetime:
    local = timezone.localtime(moment)
    return local.replace(minute=0, second=0, microsecond=0)


def _not_after_start(deadline: dt.datetime, meeting: Meeting, now: dt.datetime) -> dt.datetime:
    """``deadline``, or – when it would fall after the meeting has started – the whole hour
    before the start (11:00 for a meeting at 11:11); the start itself if that hour has passed."""
    if deadline <= meeting.starts_at:
        return deadline
    hour = _whole_hour_down(meeting.starts_at)
    return hour if hour > now else meeting.starts_at


def invitation_deadline(meeting: Meeting, now: dt.datetime) -> dt.datetime:
    """The answer-by time of an invitation sent at ``now``: the end of the day (23:59:59 local
    time) ``meeting.invitation_days`` days later, or earlier if the meeting starts first."""
    day = timezone.localdate(now + dt.timedelta(days=meeting.invitation_days))
    end_of_day = dt.datetime.combine(day, END_OF_DAY, tzinfo=timezone.get_default_timezone())
    return _not_after_start(end_of_day, meeting, now)


def offer_deadline(meeting: Meeting, now: dt.datetime) -> dt.datetime:
    """Until when a waiting-list offer made at ``now`` is open: ``meeting.offer_hours`` hours,
    rounded up to the next whole hour (never shorter than promised), or earlier if the meeting
    starts first."""
    exact = now + dt.timedelta(hours=meeting.offer_hours)
    hour = _whole_hour_down(exact)
    rounded = hour if hour == exact else hour + dt.timedelta(hours=1)
    return _not_after_start(rounded, meeting, now)


# --- Invitations ------------------------------------------------------------------------
def invitation_create(
    *, actor: Any, pool: SeatPool, organisation: Organisation, contact_email: str, contact_name: str = "",
    now: dt.datetime | None = None,
) -> Registration:
    """Invite a company (or a department's participant) through a pool: a personal link by
    mail that works without a password, valid until the answer-by date. Coordinators only
    (partner pools: through an approved nomination)."""
    now = now or timezone.now()
    with transaction.atomic():
        seats = _lock(pool.meeting_id)
        meeting = seats.meeting
        if meeting.status in (Meeting.Status.HELD, Meeting.Status.DOCUMENTED):
            raise BookingError(_("The meeting has already been held."))
        if pool.meeting_id != meeting.pk:
            raise BookingError(_("The pool belongs to another meeting."))
        if not meeting.is_public:
            # The mail would show a meeting that only its managers may see yet.
            raise BookingError(_("Publish the meeting before you invite anyone to it."))
        _check_eligible(pool, organisation)
        if _has_claim(meeting, organisation, contact_email):
            raise BookingError(
                _("%(name)s is already invited or registered for this meeting.") % {"name": organisation.name}
            )
        expires_at = invitation_deadline(meeting, now)
        registration = Registration.objects.create(
            meeting=meeting, pool=pool, organisation=organisation, source=Registration.Source.INVITATION,
            status=Registration.Status.INVITED, contact_email=contact_email, contact_name=contact_name,
            expires_at=expires_at, created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit_record(actor=actor, action="registration.invite", target=registration, forum=meeting.forum)
        _mail(registration, "events/invitation", actor=actor)
    return registration


def invitation_batch_create(*, actor: Any, pool: SeatPool, items: list[dict]) -> InvitationBatch:
    """Queue a bulk invitation; a Celery task works through it after commit."""
    from forum import broker

    from .tasks import invitation_batch_run

    if not pool.meeting.is_public:
        raise BookingError(_("Publish the meeting before you invite anyone to it."))
    with transaction.atomic():
        batch = InvitationBatch.objects.create(meeting=pool.meeting, pool=pool, items=items, total=len(items),
                                               created_by=actor)
        audit_record(actor=actor, action="registration.invite_bulk", target=batch, forum=pool.meeting.forum,
                     data={"count": len(items)})
        # Bounded and never raising (forum.broker): if Redis is down the request still answers
        # at once, and a worker's recovery or invitation_batches_resume picks the batch up.
        transaction.on_commit(lambda: broker.publish(invitation_batch_run, [(batch.pk,)]), robust=True)
    return batch


def invitation_batches_resume(*, now: dt.datetime | None = None, grace: dt.timedelta = dt.timedelta(minutes=2)) -> int:
    """Periodic: enqueue unfinished bulk invitations whose task was lost (older than
    ``grace``; a worker that has just connected passes 0, events.tasks). Running a batch
    twice at once is safe: each step locks the batch row and takes the next item by index."""
    from .tasks import invitation_batch_run

    now = now or timezone.now()
    stale = list(InvitationBatch.objects.exclude(status=InvitationBatch.Status.DONE).filter(
        created_at__lt=now - grace
    ).values_list("pk", flat=True))
    for batch_id in stale:
        invitation_batch_run.delay(batch_id)
    return len(stale)


def invitation_batch_step(batch_id: int) -> bool:
    """Invite the next company of a batch; returns False when the batch is done. Each step
    is its own transaction, so progress is visible while it runs and a re-run continues
    where it stopped."""
    with transaction.atomic():
        batch = InvitationBatch.objects.select_for_update().get(pk=batch_id)
        if batch.done >= batch.total:
            if batch.status != InvitationBatch.Status.DONE:
                batch.status = InvitationBatch.Status.DONE
                batch.save(update_fields=["status"])
            return False
        item = batch.items[batch.done]
        organisation = Organisation.objects.get(pk=item["organisation"])
        try:
            with transaction.atomic():
                invitation_create(actor=batch.created_by, pool=batch.pool, organisation=organisation,
                                  contact_email=item["email"], contact_name=item.get("name", ""))
        except BookingError as error:
            batch.skipped = [*batch.skipped, {"organisation": organisation.name, "reason": str(error)}]
        batch.done += 1
        batch.status = InvitationBatch.Status.RUNNING if batch.done < batch.total else InvitationBatch.Status.DONE
        batch.save(update_fields=["done", "status", "skipped"])
        return batch.done < batch.total


def _expire_invitation(registration: Registration, now: dt.datetime) -> bool:
    """Under the meeting lock: record an unanswered invitation past its answer-by date as
    expired (with an audit row). True if it was. The caller lets its transaction commit
    before refusing the answer, so the expiry is kept, not rolled back with the error."""
    if registration.effective_status(now) != Registration.Status.EXPIRED or \
            registration.status == Registration.Status.EXPIRED:
        return False
    registration.status = Registration.Status.EXPIRED
    registration.save(update_fields=["status", "updated_at"])
    audit_record(actor=None, action="registration.expire", target=registration, forum=registration.meeting.forum)
    return True


def invitation_expire(*, registration_id: int, now: dt.datetime | None = None) -> bool:
    """Record an unanswered invitation past its answer-by date as expired, now rather than
    when the periodic task comes round (an answer arrived late: the personal link page calls
    this before refusing it). Idempotent; True if it expired the invitation just now."""
    now = now or timezone.now()
    with transaction.atomic():
        _lock_for(registration_id)
        registration = Registration.objects.select_for_update().select_related("meeting__forum").get(pk=registration_id)
        return _expire_invitation(registration, now)


def _check_answerable(registration: Registration) -> None:
    if registration.status == Registration.Status.EXPIRED:
        raise BookingError(_("The invitation has expired."))
    if registration.status != Registration.Status.INVITED:
        raise BookingError(_("The invitation has already been answered."))


def invitation_accept(
    *, registration_id: int, attendee_name: str, attendee_email: str, dietary_needs: str = "",
    accessibility_needs: str = "", consent: bool, user: Any = None, now: dt.datetime | None = None,
) -> Registration:
    """Accept an invitation from its personal link. Gets a seat in the invitation's pool (or
    a released one); if none is free the company joins the waiting list. The caller has
    checked the token. Side effects: confirmation mail with a calendar file, or a waiting-list mail."""
    now = now or timezone.now()
    if not consent:
        raise BookingError(_("You must consent to the handling of your details to attend."))
    with transaction.atomic():
        seats = _lock_for(registration_id)
        registration = Registration.objects.select_for_update().get(pk=registration_id)
        # Decided from the clock: a late answer finds the invitation expired, and that is
        # recorded (this transaction commits) before the answer is refused below.
        expired = _expire_invitation(registration, now)
        if not expired:
            _check_answerable(registration)
            registration.attendee_name = attendee_name
            registration.attendee_email = attendee_email
            registration.dietary_needs = dietary_needs
            registration.accessibility_needs = accessibility_needs
            registration.consent_at = now
            if getattr(user, "is_authenticated", False):
                registration.attendee = user
            # Those already waiting get first pick of what is free; then the invitee.
            _offer_free_seats(seats, now)
            seat = seats.seat_for(registration.pool, now)
            if seat is None:
                _wait(registration, now, user)
            else:
                _take(seats, registration, seat)
                _confirm(registration, now, user)
            audit_record(actor=user, action="registration.accept", target=registration, forum=seats.meeting.forum,
                         data={"status": registration.status})
    if expired:
        raise BookingError(_("The invitation has expired."))
    return registration


def _lock_for(registration_id: int) -> SeatMap:
    meeting_id = Registration.objects.filter(pk=registration_id).values_list("meeting_id", flat=True).get()
    return _lock(meeting_id)


def invitation_decline(*, registration_id: int, user: Any = None, now: dt.datetime | None = None) -> Registration:
    """Decline an invitation from its personal link."""
    now = now or timezone.now()
    with transaction.atomic():
        _lock_for(registration_id)
        registration = Registration.objects.select_for_update().get(pk=registration_id)
        expired = _expire_invitation(registration, now)
        if not expired:
            _check_answerable(registration)
            registration.status = Registration.Status.DECLINED
            registration.save()
            audit_record(actor=user, action="registration.decline", target=registration,
                         forum=registration.meeting.forum)
    if expired:
        raise BookingError(_("The invitation has expired."))
    return registration


def invitations_expire(*, now: dt.datetime | None = None) -> int:
    """Mark unanswered invitations past their answer-by date as expired (periodic)."""
    now = now or timezone.now()
    with transaction.atomic():
        due = list(Registration.objects.select_for_update().filter(
            status=Registration.Status.INVITED, expires_at__lte=now
        ).values_list("pk", "meeting__forum_id"))
        if not due:
            return 0
        Registration.objects.filter(pk__in=[pk for pk, _forum in due]).update(
            status=Registration.Status.EXPIRED, updated_at=now
        )
        # One audit row per forum for the bulk write, naming the registrations it expired.
        by_forum: dict[int, list[int]] = {}
        for pk, forum_id in due:
            by_forum.setdefault(forum_id, []).append(pk)
        for forum_id, ids in by_forum.items():
            AuditEvent.objects.create(action="registration.expire_bulk", forum_id=forum_id,
                                      data={"registrations": ids, "count": len(ids)})
    return len(due)


# --- Open registration and the waiting list ---------------------------------------------
def registration_open_create(
    *, actor: Any, meeting: Meeting, organisation: Organisation, attendee_name: str, attendee_email: str,
    dietary_needs: str = "", accessibility_needs: str = "", consent: bool, now: dt.datetime | None = None,
) -> Registration:
    """A logged-in representative registers their company: first come, first served in the
    open pool (or a released seat); when full, the company joins the waiting list. The
    caller has checked :func:`events.permissions.can_register_for`."""
    now = now or timezone.now()
    if not consent:
        raise BookingError(_("You must consent to the handling of your details to attend."))
    with transaction.atomic():
        seats = _lock(meeting.pk)
        meeting = seats.meeting
        if meeting.status != Meeting.Status.REGISTRATION_OPEN:
            raise BookingError(_("Registration for this meeting is not open."))
        if now >= meeting.starts_at:
            # Open registration closes when the meeting starts at the latest (the meeting
            # page says so), even if nobody has set the status yet.
            raise BookingError(_("The meeting has already started."))
        open_pool = next((p for p in seats.pools if p.kind == SeatPool.Kind.OPEN), None)
        if open_pool is None:
            raise BookingError(_("This meeting has no open registration."))
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
        _offer_free_seats(seats, now)
        seat = seats.seat_for(open_pool, now)
        if seat is None:
            _wait(registration, now, actor)
        else:
            _take(seats, registration, seat)
            _confirm(registration, now, actor)
        audit_record(actor=actor, action="registration.open", target=registration, forum=meeting.forum,
                     data={"status": registration.status})
    return registration


def _offer_free_seats(seats: SeatMap, now: dt.datetime) -> list[Registration]:
    """Under the meeting lock: expire offers past their deadline (the seat returns and the
    company is told), then offer every free seat to the first in line who may use it.

    Works only from the rows, so it is idempotent and safe to run late or twice. Someone
    behind in the line gets a seat only if nobody ahead of them can use it (for example a
    released seat of another audience), so the order is kept.
    """
    meeting = seats.meeting
    offered: list[Registration] = []
    for stale in Registration.objects.select_for_update().filter(
        meeting=meeting, status=Registration.Status.OFFERED, offer_expires_at__lte=now
    ):
        seats.occupied[stale.seat_pool_id] -= 1
        stale.status = Registration.Status.OFFER_EXPIRED
        stale.seat_pool = None
        stale.save()
        _mail(stale, "events/offer_expired")
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
    if all(pool.is_held(now) for pool in free) and not Registration.objects.filter(
        meeting=meeting, status=Registration.Status.WAITING, pool__in=free
    ).exists():
        return offered
    for waiting in Registration.objects.select_for_update().filter(
        meeting=meeting, status=Registration.Status.WAITING
    ).select_related("pool").order_by("waiting_since", "pk"):
        seat = seats.seat_for(waiting.pool, now)
        if seat is None:
            continue
        _take(seats, waiting, seat)
        waiting.status = Registration.Status.OFFERED
        waiting.offer_expires_at = offer_deadline(meeting, now)
        waiting.save()
        _mail(waiting, "events/offer")
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
            Q(status=Registration.Status.OFFERED, offer_expires_at__lte=now) | Q(status=Registration.Status.WAITING),
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
        expired = registration.offer_expires_at is not None and now >= registration.offer_expires_at
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


# --- Nominations ------------------------------------------------------------------------
def nomination_create(
    *, actor: Any, pool: SeatPool, company: Organisation, contact_email: str, contact_name: str = "",
    motivation: str = "",
) -> Nomination:
    """A partner nominator proposes a company for their own pool, up to the pool's size.
    The caller has checked :func:`events.permissions.can_nominate`."""
    with transaction.atomic():
        pool = SeatPool.objects.select_for_update().select_related("meeting").get(pk=pool.pk)
        if not pool.meeting.is_public:
            raise BookingError(_("The meeting is not published."))
        if pool.meeting.status in (Meeting.Status.HELD, Meeting.Status.DOCUMENTED):
            raise BookingError(_("The meeting has already been held."))
        if pool.kind != SeatPool.Kind.PARTNER_PICK:
            raise BookingError(_("Companies are nominated only into partner pools."))
        if company.kind != Organisation.Kind.COMPANY:
            raise BookingError(_("Only companies can be nominated."))
        _check_eligible(pool, company)
        live = pool.nominations.exclude(status=Nomination.Status.REJECTED).count()
        if live >= pool.size:
            raise BookingError(
                _("The pool is full: %(size)d companies have already been nominated.") % {"size": pool.size}
            )
        if pool.nominations.filter(company=company).exists():
            raise BookingError(_("%(name)s has already been nominated to this pool.") % {"name": company.name})
        nomination = Nomination.objects.create(pool=pool, company=company, contact_email=contact_email,
                                               contact_name=contact_name, motivation=motivation, nominated_by=actor)
        audit_record(actor=actor, action="nomination.create", target=nomination, forum=pool.meeting.forum)
    return nomination


def nomination_decide(*, actor: Any, nomination: Nomination, approve: bool) -> Nomination:
    """A coordinator approves (which sends the invitation) or rejects a nomination."""
    with transaction.atomic():
        nomination = Nomination.objects.select_for_update().get(pk=nomination.pk)
        if nomination.status != Nomination.Status.PENDING:
            raise BookingError(_("The nomination has already been decided."))
        nomination.status = Nomination.Status.APPROVED if approve else Nomination.Status.REJECTED
        nomination.decided_by = actor
        nomination.save()
        if approve:
            invitation_create(actor=actor, pool=nomination.pool, organisation=nomination.company,
                              contact_email=nomination.contact_email, contact_name=nomination.contact_name)
        audit_record(actor=actor, action="nomination.decide", target=nomination, forum=nomination.pool.meeting.forum,
                     data={"approved": approve})
    return nomination


# --- On the day -------------------------------------------------------------------------
def checkin(*, actor: Any, registration: Registration, undo: bool = False,
            now: dt.datetime | None = None) -> Registration:
    """Record (or undo) attendance. The caller has checked :func:`events.permissions.can_check_in`
    (facilitators of the forum or the meeting, coordinators). Side effect: an audit event."""
    with transaction.atomic():
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if registration.status != Registration.Status.CONFIRMED:
            raise BookingError(_("Only confirmed participants can be checked in."))
        registration.checked_in_at = None if undo else (now or timezone.now())
        registration.checked_in_by = None if undo else actor
        registration.save(update_fields=["checked_in_at", "checked_in_by", "updated_at"])
        audit_record(actor=actor, action="registration.checkout" if undo else "registration.checkin",
                     target=registration, forum=registration.meeting.forum)
    return registration


# --- Diversity targets ------------------------------------------------------------------
def diversity_targets_save(*, actor: Any, forum, targets: dict) -> None:
    """Set a forum's diversity target shares. ``targets`` maps (dimension, category) to a
    percentage, or None to remove that target. The caller has checked
    :func:`events.permissions.can_view_diversity` and that each dimension sums to at most 100.
    Side effects: DiversityTarget rows created, changed or deleted; one audit event."""
    from .models import DiversityTarget

    with transaction.atomic():
        existing = {
            (t.dimension, t.category): t for t in DiversityTarget.objects.select_for_update().filter(forum=forum)
        }
        changed = []
        for (dimension, category), share in targets.items():
            current = existing.get((dimension, category))
            if share is None:
                if current is not None:
                    current.delete()
                    changed.append(f"{dimension}:{category}")
            elif current is None:
                DiversityTarget.objects.create(forum=forum, dimension=dimension, category=category, share=share)
                changed.append(f"{dimension}:{category}")
            elif current.share != share:
                current.share = share
                current.save(update_fields=["share"])
                changed.append(f"{dimension}:{category}")
        audit_record(actor=actor, action="diversity.targets", target=forum, forum=forum, data={"changed": changed})


# --- Reminders --------------------------------------------------------------------------
def reminders_send(*, now: dt.datetime | None = None) -> int:
    """Queue reminders 7 days and 1 day before each meeting, once per registration (periodic),
    through the machinery shared with network meetings (forum.reminders): the row is locked and
    stamped in the same transaction as its mail, so a second run (or a late one) sends nothing
    twice."""

    def send(registration: Registration, days_left: int) -> None:
        _mail(registration, "events/reminder", extra={"days_left": days_left})

    confirmed = Registration.objects.filter(status=Registration.Status.CONFIRMED).select_related("meeting")
    return reminders.send_due(queryset=confirmed, starts_path="meeting__starts_at", send=send, now=now)


# --- Personal data retention ------------------------------------------------------------
def registrations_retention(*, now: dt.datetime | None = None) -> tuple[int, int]:
    """Delete dietary and accessibility needs of meetings that are over, and anonymise the
    registrations of meetings that ended more than FORUM_REGISTRATION_RETENTION_DAYS ago
    (periodic). What aggregates need stays: organisation, pool, status, attendance.
    Returns (needs cleared, registrations anonymised)."""
    now = now or timezone.now()
    with transaction.atomic():
        cleared = Registration.objects.filter(meeting__ends_at__lt=now, needs_cleared_at__isnull=True).update(
            dietary_needs="", accessibility_needs="", needs_cleared_at=now
        )
        old = Registration.objects.filter(
            meeting__ends_at__lt=now - dt.timedelta(days=settings.FORUM_REGISTRATION_RETENTION_DAYS),
            anonymised_at__isnull=True,
        )
        anonymised = 0
        for registration in old.select_for_update():
            registration.contact_email = registration.attendee_email = ""
            registration.contact_name = registration.attendee_name = ""
            registration.attendee = None
            # A new random token: the personal link stops working.
            registration.token = Registration._meta.get_field("token").default()
            registration.anonymised_at = now
            registration.save()
            anonymised += 1
        if cleared or anonymised:
            audit_record(actor=None, action="registration.retention",
                         data={"needs_cleared": cleared, "anonymised": anonymised})
    return cleared, anonymised
