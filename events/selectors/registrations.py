"""Reads of meetings, their pools, registrations, candidates and nominations."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from forum.models import Affiliation, OutboxMessage
from forum.queries import count_of
from forum.selectors import mail_status

from ..models import InvitationBatch, Meeting, Nomination, Registration, SeatPool


def meetings_by_year(forum, *, include_drafts: bool, years: Iterable[int] | None = None) -> dict[int, list[Meeting]]:
    """A forum's meetings grouped by year, only ``years`` if given (one query + prefetch of
    focus areas). The year is the portal's local one (Europe/Stockholm), as the annual report
    counts it: a meeting at 00:30 on New Year's Day is in the new year, not in the old one
    (UTC)."""
    meetings = forum.meetings.prefetch_related("focus_areas").order_by("starts_at")
    if not include_drafts:
        meetings = meetings.exclude(status=Meeting.Status.DRAFT)
    wanted = set(years) if years is not None else None
    if wanted is not None:
        if not wanted:
            return {}
        tz = timezone.get_current_timezone()
        meetings = meetings.filter(starts_at__gte=dt.datetime(min(wanted), 1, 1, tzinfo=tz),
                                   starts_at__lt=dt.datetime(max(wanted) + 1, 1, 1, tzinfo=tz))
    grouped: dict[int, list[Meeting]] = defaultdict(list)
    for meeting in meetings:
        year = timezone.localtime(meeting.starts_at).year
        if wanted is None or year in wanted:
            grouped[year].append(meeting)
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
    all_years = sorted({timezone.localtime(starts).year
                        for starts in meetings.order_by().values_list("starts_at", flat=True)})
    if year in all_years:
        shown = [year]
    else:
        year = None
        first = timezone.localdate(now).year - PLAN_YEARS_BACK
        shown = [y for y in all_years if y >= first] or all_years[-1:]
    return YearlyPlan(meetings_by_year(forum, include_drafts=include_drafts, years=shown),
                      [y for y in all_years if y not in shown], year)


def pools_with_fill(meeting: Meeting, *, now: dt.datetime | None = None) -> QuerySet[SeatPool]:
    """Pools annotated with ``confirmed``, ``offered``, ``invited`` and ``waiting`` counts (one query).
    As the clock sees them (:meth:`Registration.effective_status`): an offer past its deadline
    holds no seat and an invitation past its answer-by date waits for no answer, even before
    the periodic task has written so – as the meeting page's seats left count them."""
    Status = Registration.Status
    now = now or timezone.now()
    return meeting.pools.annotate(
        confirmed=count_of(Registration.objects.filter(status=Status.CONFIRMED), "seat_pool"),
        offered=count_of(Registration.objects.filter(status=Status.OFFERED)
                         .exclude(Registration.expired_offer_q(now)), "seat_pool"),
        invited=count_of(Registration.objects.filter(status=Status.INVITED)
                         .exclude(Registration.expired_invitation_q(now)), "pool"),
        waiting=count_of(Registration.objects.filter(status=Status.WAITING), "pool"),
    ).select_related("partner_organisation", "department").order_by("position", "pk")


def meeting_registrations(meeting: Meeting) -> QuerySet[Registration]:
    """All registrations of a meeting with what the dashboard shows (one query)."""
    return meeting.registrations.select_related("organisation", "pool", "seat_pool", "attendee").order_by(
        "status", "waiting_since", "created_at"
    )


# Registrations whose people hold a seat, wait for one or have an invitation or offer to
# answer: those told when the meeting's time or venue changes (events.services.meeting_update).
TOLD_STATUSES = (Registration.Status.CONFIRMED, Registration.Status.INVITED, Registration.Status.OFFERED,
                 Registration.Status.WAITING)


def people_told_of_changes(meeting: Meeting) -> QuerySet[Registration]:
    """The registrations a change of ``meeting``'s time or venue is mailed to, oldest first."""
    return meeting.registrations.filter(status__in=TOLD_STATUSES).order_by("pk")


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
    meeting mail (outbox template ``events/…``) to the contact's address from the meeting's
    forum since the registration was made – not a mail of another forum's meeting to the same
    address, nor one from before. A correlated subquery, so the dashboard stays one query
    however many registrations there are."""
    latest = OutboxMessage.objects.filter(
        to_email=OuterRef("contact_email"), template__startswith="events/", forum=meeting.forum_id,
        created_at__gte=OuterRef("created_at"),
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


def invitation_batch_mail_status(batch: InvitationBatch) -> dict[str, int]:
    """The batch's invitation mails by outbox status (see :func:`forum.selectors.mail_status`). One query."""
    return mail_status(OutboxMessage.objects.filter(send_group=batch.send_group))
