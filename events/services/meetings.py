"""Meetings, the yearly plan, seat pools and a forum's diversity targets."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import F, Sum
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from forum.services import DeferredMail, audit_record, mail_queue_deferred, outbox_release_deferred

from ..models import DiversityTarget, Meeting, Registration, SeatPool
from ..selectors import people_told_of_changes
from .base import MEETING_CHANGE_RENDERER, BookingError, _language_of, address_of
from .deadlines import latest_answer_by

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


def _check_new_start(starts_at: dt.datetime, now: dt.datetime) -> None:
    # A meeting planned now is a meeting people can still come to: one that starts in the past
    # would be published, invited to and mailed about as if it lay ahead.
    if starts_at <= now:
        raise BookingError(_("The start has already passed. A new meeting must start later than now."),
                           field="starts_at")


def default_pool_sizes(capacity: int | None = None) -> list[int]:
    """The default pools' sizes for ``capacity`` seats: in the proportions of DEFAULT_POOLS
    (a quarter to the municipal pools, the rest shared by the three company pools), whole
    seats by the largest remainder, summing to ``capacity`` exactly; the default sizes when
    it is None. No side effects."""
    defaults = [size for _kind, _name, size in DEFAULT_POOLS]
    if capacity is None:
        return defaults
    total = sum(defaults)
    exact = [capacity * size / total for size in defaults]
    sizes = [int(share) for share in exact]
    # The seats rounding left over go to the pools that lost the most, earliest first.
    for index in sorted(range(len(exact)), key=lambda i: (sizes[i] - exact[i], i))[: capacity - sum(sizes)]:
        sizes[index] += 1
    return sizes


def meeting_create(
    *, actor: Any, forum, kind: str, title: str, starts_at: dt.datetime, ends_at: dt.datetime,
    focus_areas: Iterable = (), facilitators: Iterable = (), with_default_pools: bool = True,
    now: dt.datetime | None = None, **fields: Any,
) -> Meeting:
    """Create a meeting in draft, by default with the default pools. Coordinators only.
    Refused (BookingError at ``starts_at``) when it would start at or before ``now`` (the
    moment it is planned: the clock, or the demo's own time). Side effects: the meeting,
    its pools, an audit row."""
    _check_new_start(starts_at, now or timezone.now())
    with transaction.atomic():
        meeting = Meeting.objects.create(
            forum=forum, kind=kind, title=title, starts_at=starts_at, ends_at=ends_at, created_by=actor, **fields
        )
        meeting.focus_areas.set(focus_areas)
        meeting.facilitators.set(facilitators)
        if with_default_pools:
            hold_until = starts_at - DEFAULT_HOLD
            # The seats the coordinator gave are shared out in the default proportions (the
            # pools then hold them all, as pool_save requires); without a number, the defaults.
            sizes = default_pool_sizes(fields.get("capacity"))
            SeatPool.objects.bulk_create(
                SeatPool(meeting=meeting, kind=pool_kind, name=name, size=size, hold_until=hold_until, position=i)
                for i, ((pool_kind, name, _default), size) in enumerate(zip(DEFAULT_POOLS, sizes, strict=True))
            )
            meeting.capacity = sum(sizes)
            meeting.save(update_fields=["capacity"])
        audit_record(actor=actor, action="meeting.create", target=meeting, forum=forum)
    return meeting


# The facts people plan around, by what the change mail calls them: a change to any of them
# before the meeting starts is mailed to those it concerns (events.selectors.people_told_of_changes).
TOLD_FACTS: dict[str, tuple[str, ...]] = {"time": ("starts_at", "ends_at"), "venue": ("venue_name", "venue_address")}


def _changed_facts(meeting: Meeting, fields: dict[str, Any]) -> list[str]:
    return [what for what, names in TOLD_FACTS.items()
            if any(name in fields and _as_told(fields[name]) != _as_told(getattr(meeting, name)) for name in names)]


def _as_told(value: Any) -> Any:
    # Times to the minute, as every page and mail shows them (and as the edit form sends them
    # back): a meeting made elsewhere with seconds is not "moved" by saving its page.
    return value.replace(second=0, microsecond=0) if isinstance(value, dt.datetime) else value


def meeting_changes_are_told(meeting: Meeting, now: dt.datetime | None = None) -> bool:
    """Whether a new time or venue of ``meeting`` is mailed to those it concerns: when it is
    published and has not started. A held meeting's facts are corrected for the record, and
    a draft (also one set back to draft) is seen by nobody but its coordinators, so nobody is
    mailed about either. No side effects."""
    return meeting.status != Meeting.Status.DRAFT and meeting.starts_at > (now or timezone.now())


def meeting_changes_told(meeting: Meeting, fields: dict[str, Any], now: dt.datetime | None = None) -> list[str]:
    """Which told facts ("time", "venue") ``fields`` would change for ``meeting``, if such a
    change is mailed (:func:`meeting_changes_are_told`). No side effects."""
    return _changed_facts(meeting, fields) if meeting_changes_are_told(meeting, now) else []


def meeting_update(*, actor: Any, meeting: Meeting, focus_areas=None, facilitators=None,
                   now: dt.datetime | None = None, **fields: Any) -> Meeting:
    """Edit a meeting's facts. Coordinators only (the caller has checked). Refused
    (BookingError, naming the field) when the seats in total would be fewer than those already
    confirmed or offered, or fewer than the pools' seats together (the pools are made smaller
    first), and when a meeting that has not started would be moved to a start that has passed
    (a meeting that has started may still have its record corrected).

    What people signed up for does not change under them unannounced: when the time or the
    venue of a published meeting that has not started changes, everyone it concerns (a seat, a place on
    the waiting list, an invitation or offer to answer) gets a mail saying what changed and
    what it was, those with a seat with the updated calendar file (the same UID and a higher
    SEQUENCE, so their calendar moves the entry); the worker renders the mails after the
    commit. Hold dates of seat pools that have not passed move with the start, so seats held
    for invitations are released as long before the meeting as before; a meeting moved earlier
    brings open answer-by times that would fall after its new start forward to the latest one
    allowed (:func:`latest_answer_by`).

    Side effects, in one transaction under the meeting's lock (which bookings take too, so
    nobody booking meanwhile is missed or told twice): the meeting row, its focus areas and
    facilitators, the pools' hold dates, open answer-by times, one outbox row per person told,
    an audit row naming the fields whose value changed and how many people were told."""
    deferred = DeferredMail(meeting.forum)
    now = now or timezone.now()
    with transaction.atomic():
        current = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if ("starts_at" in fields and current.starts_at > now and fields["starts_at"] <= now
                and _as_told(fields["starts_at"]) != _as_told(current.starts_at)):
            raise BookingError(_("The meeting has not started yet, so it cannot be moved to a time that has "
                                 "passed."), field="starts_at")
        if "capacity" in fields and fields["capacity"] < current.capacity:
            taken = current.registrations.filter(status__in=Registration.OCCUPYING).count()
            if fields["capacity"] < taken:
                # As a pool (pool_save): nobody loses a seat they were given.
                raise BookingError(
                    _("The meeting already has %(taken)d confirmed or offered seats; it cannot have fewer.")
                    % {"taken": taken}, field="capacity")
            pooled = _pooled_seats(current)
            if fields["capacity"] < pooled:
                # The pools share out the meeting's seats (pool_save): fewer seats than the
                # pools hold would promise seats the meeting does not have.
                raise BookingError(
                    _("The pools have %(pooled)d seats together. Make the pools smaller first, then lower the "
                      "seats in total.") % {"pooled": pooled}, field="capacity")
        changed_facts = _changed_facts(current, fields)
        told_facts = changed_facts if meeting_changes_are_told(current, now) else []
        moved_by = (_as_told(fields["starts_at"]) - _as_told(current.starts_at) if "starts_at" in fields
                    else dt.timedelta(0))
        previous = {"starts_at": current.starts_at.isoformat(), "ends_at": current.ends_at.isoformat(),
                    "venue_name": current.venue_name, "venue_address": current.venue_address}
        changed = sorted(name for name, value in fields.items() if getattr(current, name) != value)
        if changed_facts:
            # Time or venue changed (even of a held meeting): calendars must see a newer version.
            fields["schedule_version"] = current.schedule_version + 1
        for name, value in fields.items():
            setattr(current, name, value)
            setattr(meeting, name, value)  # the caller's copy shows the change too
        if fields:
            current.save(update_fields=list(fields))
        if focus_areas is not None:
            meeting.focus_areas.set(focus_areas)
        if facilitators is not None:
            meeting.facilitators.set(facilitators)
        if moved_by:
            SeatPool.objects.filter(meeting=meeting, hold_until__gt=now).update(hold_until=F("hold_until") + moved_by)
        if moved_by < dt.timedelta(0):
            # Moved earlier: no open answer-by time may fall after the new start (the rule of
            # every deadline, events.services.deadlines), and the change mail says the new one.
            latest = latest_answer_by(current, now)
            current.registrations.filter(status=Registration.Status.INVITED,
                                         expires_at__gt=current.starts_at).update(expires_at=latest)
            current.registrations.filter(status=Registration.Status.OFFERED,
                                         offer_expires_at__gt=current.starts_at).update(offer_expires_at=latest)
        if told_facts:
            for registration in people_told_of_changes(meeting).select_related("attendee"):
                deferred.append(mail_queue_deferred(
                    to=address_of(registration),
                    renderer=MEETING_CHANGE_RENDERER,
                    args={"registration": registration.pk, "changed": told_facts, "previous": previous},
                    language=_language_of(registration), template="events/changed", created_by=actor,
                    forum=meeting.forum, headers=deferred.headers_for(meeting.forum),
                ))
        audit_record(actor=actor, action="meeting.update", target=meeting, forum=meeting.forum,
                     data={"fields": changed, "told": len(deferred)})
    outbox_release_deferred(deferred)
    return meeting


# Statuses that invite people to a meeting still ahead: not for one that has started.
STATUSES_AHEAD = (Meeting.Status.PUBLISHED, Meeting.Status.REGISTRATION_OPEN)


def meeting_set_status(*, actor: Any, meeting: Meeting, status: str, documentation_sent: bool = False,
                       now: dt.datetime | None = None) -> Meeting:
    """Move a meeting forwards through its statuses (or one step back). Coordinators only.
    Refused (BookingError) for an unknown status, more than one step back, and publishing or
    opening registration (also by stepping back to it) once the meeting has started at
    ``now`` (the clock, or the demo's own time). Side effects: the status, an audit row.

    "Documented" means that the meeting's documentation has been sent to its participants:
    only sending it (``communication.services.follow_up_publish``, which passes
    ``documentation_sent``) moves a meeting there, and a documented meeting stays so – the
    status, the yearly plan and the coordinators' to-do ("meetings waiting for their
    documentation") then say the same."""
    order = Meeting.STATUS_ORDER
    if status not in order:
        raise BookingError(_("Unknown status."))
    if order.index(status) < order.index(meeting.status) - 1:
        raise BookingError(_("A meeting can only go back one step."))
    documented = Meeting.Status.DOCUMENTED
    if status == documented and meeting.status != documented and not documentation_sent:
        raise BookingError(_("A meeting becomes documented when its documentation is sent to the participants: "
                             "write and send it under “Documentation and survey”."))
    if meeting.status == documented and status != documented:
        raise BookingError(_("The meeting's documentation has been sent to the participants: it stays documented."))
    if status in STATUSES_AHEAD and status != meeting.status and meeting.starts_at <= (now or timezone.now()):
        raise BookingError(_("The meeting has already started, so it can no longer be published or opened for "
                             "registration."))
    with transaction.atomic():
        previous = meeting.status
        meeting.status = status
        meeting.save(update_fields=["status"])
        audit_record(actor=actor, action="meeting.status", target=meeting, forum=meeting.forum,
                     data={"from": previous, "to": status})
    return meeting


def _check_year_ahead(year: int, months: Iterable[int], now: dt.datetime) -> None:
    # Every meeting of the plan is a new meeting (meeting_create): refuse the year as a whole,
    # before any is made, rather than leave half a plan.
    first = min(_meeting_time(year, month)[0] for month in months)
    if first <= now:
        raise BookingError(
            _("The year's first meeting would start on %(start)s, which has passed. Choose a later year, or create "
              "the meetings one by one.") % {"start": formats.date_format(timezone.localtime(first), "j F Y")},
            field="year")


def startup_year_create(*, actor: Any, forum, year: int, now: dt.datetime | None = None) -> list[Meeting]:
    """The start-up year of seed 002: theme meetings 1, 2 and 3 with default pools, as drafts.
    Coordinators only. Refused (BookingError at ``year``) when any would start at or before
    ``now`` (a new meeting starts in the future). Side effects: as :func:`meeting_create`."""
    now = now or timezone.now()
    _check_year_ahead(year, (month for _k, _t, month in STARTUP_MEETINGS), now)
    focus_areas = list(forum.focus_areas.all())
    meetings = []
    with transaction.atomic():
        for kind, title, month in STARTUP_MEETINGS:
            starts_at, ends_at = _meeting_time(year, month)
            meetings.append(meeting_create(actor=actor, forum=forum, kind=kind, title=f"{title} {year}",
                                           starts_at=starts_at, ends_at=ends_at, focus_areas=focus_areas, now=now))
    return meetings


def later_year_create(*, actor: Any, forum, year: int, now: dt.datetime | None = None) -> list[Meeting]:
    """A later year: a spring and an autumn meeting, each combining all three questions, as
    drafts. Coordinators only. Refused as :func:`startup_year_create`."""
    now = now or timezone.now()
    _check_year_ahead(year, (month for _t, month in LATER_MEETINGS), now)
    focus_areas = list(forum.focus_areas.all())
    meetings = []
    with transaction.atomic():
        for title, month in LATER_MEETINGS:
            starts_at, ends_at = _meeting_time(year, month)
            meetings.append(meeting_create(actor=actor, forum=forum, kind=Meeting.Kind.COMBINED,
                                           title=f"{title} {year}", starts_at=starts_at, ends_at=ends_at,
                                           focus_areas=focus_areas, now=now))
    return meetings


def _pooled_seats(meeting: Meeting, *, without: SeatPool | None = None) -> int:
    """The seats of ``meeting``'s pools together (leaving out ``without``)."""
    pools = SeatPool.objects.filter(meeting=meeting)
    if without is not None:
        pools = pools.exclude(pk=without.pk)
    return pools.aggregate(total=Sum("size"))["total"] or 0


def pool_save(*, actor: Any, meeting: Meeting, pool: SeatPool | None = None, **fields: Any) -> SeatPool:
    """Create or edit a pool. Coordinators only (the caller has checked). Refused
    (BookingError, naming the field), under the meeting's lock: a pool shrunk below the seats
    it has given out; a pool added or grown so that the pools together would have more seats
    than the meeting (the message says how many are left to share out: a pool's seats are
    reserved for it, so more than the meeting has would promise seats nobody can get); a hold
    date at or after the meeting's start (seats held past the start are never released).
    Side effects: the pool, an audit row."""
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if pool is not None and "size" in fields:
            taken = Registration.objects.filter(seat_pool=pool, status__in=Registration.OCCUPYING).count()
            if fields["size"] < taken:
                raise BookingError(
                    _("The pool already has %(taken)d confirmed or offered seats; it cannot be smaller.")
                    % {"taken": taken}, field="size"
                )
        size = fields.get("size", pool.size if pool is not None else 0)
        if size > (pool.size if pool is not None else 0):
            # Only a pool that grows is checked: renaming a pool of a meeting whose pools were
            # already over its seats (made before this rule) is not refused for that.
            # The most this pool can have: its own seats and those no pool holds yet.
            most = max(locked.capacity - _pooled_seats(locked, without=pool), 0)
            if size > most:
                raise BookingError(ngettext(
                    "The pools together cannot have more than the meeting's %(capacity)d seats, so this pool can "
                    "have at most %(most)d seat. Make another pool smaller first, or give the meeting more seats.",
                    "The pools together cannot have more than the meeting's %(capacity)d seats, so this pool can "
                    "have at most %(most)d seats. Make another pool smaller first, or give the meeting more seats.",
                    most) % {"capacity": locked.capacity, "most": most}, field="size")
        hold_until = fields.get("hold_until")
        if hold_until is not None and hold_until >= locked.starts_at:
            raise BookingError(
                _("The seats can only be reserved until a time before the meeting starts (%(start)s).")
                % {"start": formats.date_format(timezone.localtime(locked.starts_at), "j F Y H:i")},
                field="hold_until")
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


# --- Diversity targets ------------------------------------------------------------------
def diversity_targets_save(*, actor: Any, forum, targets: dict) -> None:
    """Set a forum's diversity target shares. ``targets`` maps (dimension, category) to a
    percentage, or None to remove that target. The caller has checked
    :func:`events.permissions.can_view_diversity` and that each dimension sums to at most 100.
    Side effects: DiversityTarget rows created, changed or deleted; one audit event."""
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
