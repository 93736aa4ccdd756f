"""Never overbooked, under any concurrency (DESIGN "Theme meetings and seats").

Each test starts many threads at once (a ``threading.Barrier``); every thread has its own
PostgreSQL connection (Django connections are per thread) and calls the real booking
services, which serialise on a row lock of the meeting. The tests run with
``transaction=True`` so the threads see each other's committed rows.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable

import pytest
from django.utils import timezone

from accounts.models import User
from events import services
from events.models import Meeting, Registration, SeatPool
from forum.models import Organisation
from tests.factories import make_company, make_meeting, make_representative, run_concurrently

pytestmark = pytest.mark.django_db(transaction=True)

OPEN_SEATS = 5
COMPANIES = 60


@pytest.fixture
def meeting(forum) -> Meeting:
    """Registration open, meeting in 60 days: every pool's hold date (14 days before) is in
    the future, so no released seats; only the open pool's 5 seats can be booked."""
    meeting = make_meeting(forum, kind=Meeting.Kind.CITY_FOR_BUSINESS, title="Tematräff 1")
    open_pool = meeting.pools.get(kind=SeatPool.Kind.OPEN)
    services.pool_save(actor=None, meeting=meeting, pool=open_pool, size=OPEN_SEATS)
    services.meeting_set_status(actor=None, meeting=meeting, status=Meeting.Status.REGISTRATION_OPEN)
    assert meeting.capacity >= 100  # the meeting's capacity never binds here: the pool does
    return meeting


@pytest.fixture
def representatives() -> list[tuple[User, Organisation]]:
    """COMPANIES companies, each with one confirmed representative."""
    result = []
    for i in range(COMPANIES):
        company = make_company(f"Företag {i:03d} AB")
        result.append((make_representative(company, f"rep{i:03d}@forum.example"), company))
    return result



def _register(meeting: Meeting, user: User, company: Organisation) -> Callable[[], Registration]:
    return lambda: services.registration_open_create(
        actor=user, meeting=meeting, organisation=company, attendee_name=f"Deltagare {company.pk}",
        attendee_email=user.email, consent=True,
    )


def _assert_never_overbooked(meeting: Meeting) -> None:
    """Occupied seats never exceed any pool's size, nor the meeting's capacity."""
    rows = Registration.objects.filter(meeting=meeting, status__in=Registration.OCCUPYING)
    per_pool = Counter(rows.values_list("seat_pool_id", flat=True))
    sizes = dict(meeting.pools.values_list("pk", "size"))
    assert None not in per_pool, "an occupying registration without a seat"
    for pool_id, taken in per_pool.items():
        assert taken <= sizes[pool_id], (pool_id, taken, sizes[pool_id])
    assert rows.count() <= Meeting.objects.get(pk=meeting.pk).capacity


def _assert_waiting_list_in_order(meeting: Meeting) -> list[Registration]:
    waiting = list(
        Registration.objects.filter(meeting=meeting, status=Registration.Status.WAITING).order_by("waiting_since", "pk")
    )
    positions = [services.waiting_position(r) for r in waiting]
    assert positions == list(range(1, len(waiting) + 1))
    return waiting


def test_burst_of_open_registrations_fills_exactly_the_pool(meeting, representatives):
    jobs = [_register(meeting, user, company) for user, company in representatives]
    results, errors = run_concurrently(jobs)

    assert [e for e in errors if e is not None] == []
    statuses = Counter(r.status for r in results)
    assert statuses == {Registration.Status.CONFIRMED: OPEN_SEATS,
                        Registration.Status.WAITING: COMPANIES - OPEN_SEATS}

    # The database agrees with what the callers were told.
    rows = Registration.objects.filter(meeting=meeting)
    assert rows.count() == COMPANIES
    assert rows.filter(status=Registration.Status.CONFIRMED).count() == OPEN_SEATS
    open_pool = meeting.pools.get(kind=SeatPool.Kind.OPEN)
    assert set(rows.filter(status=Registration.Status.CONFIRMED).values_list("seat_pool_id", flat=True)) == {
        open_pool.pk
    }
    _assert_never_overbooked(meeting)

    waiting = _assert_waiting_list_in_order(meeting)
    assert len(waiting) == COMPANIES - OPEN_SEATS
    assert all(r.seat_pool_id is None for r in waiting)
    assert len({r.organisation_id for r in rows}) == COMPANIES
    # The place each booking was told (in its mail and on the page) is its place in the line,
    # though they all raced: the line's order is the order they took the meeting's lock in.
    told = {r.pk: r.position for r in results if r.status == Registration.Status.WAITING}
    assert told == {r.pk: services.waiting_position(r) for r in waiting}


def test_same_company_submitted_ten_times_gets_one_registration(meeting, representatives):
    user, company = representatives[0]
    results, errors = run_concurrently([_register(meeting, user, company) for _ in range(10)])

    booked = [r for r in results if r is not None]
    assert len(booked) == 1
    assert booked[0].status == Registration.Status.CONFIRMED
    refused = [e for e in errors if e is not None]
    assert len(refused) == 9
    assert all(isinstance(e, services.BookingError) for e in refused), refused
    assert all(company.name in str(e) for e in refused)
    assert Registration.objects.filter(meeting=meeting, organisation=company).count() == 1
    _assert_never_overbooked(meeting)


def test_concurrent_cancellations_and_offer_runs_never_overbook(meeting, representatives):
    # 5 confirmed, 15 waiting, booked one after the other.
    registrations = [_register(meeting, user, company)() for user, company in representatives[:20]]
    assert Counter(r.status for r in registrations)[Registration.Status.CONFIRMED] == OPEN_SEATS
    confirmed = [r for r in registrations if r.status == Registration.Status.CONFIRMED]
    waiting_users = {r.pk: r.attendee for r in registrations if r.status == Registration.Status.WAITING}

    # Three cancellations and eight offer runs at once.
    jobs: list[Callable[[], object]] = [
        (lambda r=r: services.registration_cancel(registration_id=r.pk, user=r.attendee)) for r in confirmed[:3]
    ]
    jobs += [lambda: services.offers_process(meeting_id=meeting.pk) for _ in range(8)]
    # ... and the same cancellation submitted twice more: only one may succeed.
    jobs += [lambda: services.registration_cancel(registration_id=confirmed[0].pk, user=confirmed[0].attendee)
             for _ in range(2)]
    _results, errors = run_concurrently(jobs)

    unexpected = [e for e in errors if e is not None and not isinstance(e, services.BookingError)]
    assert unexpected == []
    assert sum(isinstance(e, services.BookingError) for e in errors) == 2
    _assert_never_overbooked(meeting)
    rows = Registration.objects.filter(meeting=meeting)
    assert rows.filter(status=Registration.Status.CANCELLED).count() == 3
    # Every freed seat went to the next in line, in order: the first three waiting.
    first_three = sorted(waiting_users, key=lambda pk: Registration.objects.get(pk=pk).waiting_since)[:3]
    offered = set(rows.filter(status=Registration.Status.OFFERED).values_list("pk", flat=True))
    assert offered == set(first_three)
    assert rows.filter(status__in=Registration.OCCUPYING).count() == OPEN_SEATS

    # Now the offers go unanswered past their deadline while more offer runs, cancellations
    # and acceptances race each other.
    later = timezone.now() + dt.timedelta(hours=meeting.offer_hours + 1)
    still_confirmed = list(rows.filter(status=Registration.Status.CONFIRMED))
    jobs = [lambda: services.offers_process(meeting_id=meeting.pk, now=later) for _ in range(6)]
    jobs += [(lambda r=r: services.registration_cancel(registration_id=r.pk, user=r.attendee, now=later))
             for r in still_confirmed]
    jobs += [(lambda pk=pk: services.offer_accept(registration_id=pk, user=None, now=later)) for pk in offered]
    _results, errors = run_concurrently(jobs)

    # Accepting an expired offer is refused; nothing else fails.
    assert [e for e in errors if e is not None and not isinstance(e, services.BookingError)] == []
    _assert_never_overbooked(meeting)
    assert rows.filter(status=Registration.Status.OFFER_EXPIRED).count() == 3
    assert rows.filter(status=Registration.Status.CONFIRMED).count() == 0
    # 5 seats, all offered to the next five in line (10 were still waiting).
    assert rows.filter(status=Registration.Status.OFFERED).count() == OPEN_SEATS
    assert rows.filter(status=Registration.Status.WAITING).count() == 15 - 3 - OPEN_SEATS
    _assert_waiting_list_in_order(meeting)
    offered_now = list(rows.filter(status=Registration.Status.OFFERED).order_by("waiting_since", "pk"))
    still_waiting = list(rows.filter(status=Registration.Status.WAITING))
    assert max(r.waiting_since for r in offered_now) <= min(r.waiting_since for r in still_waiting)
