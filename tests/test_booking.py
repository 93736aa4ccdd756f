"""The booking engine in events.services: pools, hold dates, waiting list and offers,
counted from the rows under the meeting lock (on PostgreSQL)."""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from events import services
from events.models import Registration, SeatPool
from forum.models import OutboxAttachment, OutboxMessage
from tests.factories import company_with_rep, make_meeting, open_with_small_pools, pool_of, register_open

START = timezone.now() + dt.timedelta(days=60)
BEFORE_HOLD = START - dt.timedelta(days=30)
AFTER_HOLD = START - dt.timedelta(days=7)


@pytest.fixture
def meeting(forum):
    # Small pools make the rules visible: City 2, Open 2 (others removed), hold 14 days before.
    return open_with_small_pools(make_meeting(forum, starts_at=START))


def occupied(meeting):
    return Registration.objects.filter(meeting=meeting, status__in=Registration.OCCUPYING).count()


@pytest.mark.django_db
def test_open_pool_fills_then_waiting_list_before_hold_date(meeting):
    first, second, third = (register_open(meeting, now=BEFORE_HOLD) for _ in range(3))
    assert [r.status for r in (first, second, third)] == ["confirmed", "confirmed", "waiting"]
    assert services.waiting_position(third) == 1
    # The city pool's two seats stay reserved for city picks before its hold date.
    assert Registration.objects.filter(seat_pool=pool_of(meeting, SeatPool.Kind.CITY_PICK)).count() == 0


@pytest.mark.django_db
def test_released_seats_after_hold_date(meeting):
    register_open(meeting, now=BEFORE_HOLD)
    register_open(meeting, now=BEFORE_HOLD)
    late = register_open(meeting, now=AFTER_HOLD)
    assert late.status == Registration.Status.CONFIRMED
    assert late.seat_pool == pool_of(meeting, SeatPool.Kind.CITY_PICK)
    assert late.pool == pool_of(meeting, SeatPool.Kind.OPEN)


@pytest.mark.django_db
def test_waiting_list_gets_released_seats_first_after_hold_date(meeting):
    for _ in range(2):
        register_open(meeting, now=BEFORE_HOLD)
    waiting = register_open(meeting, now=BEFORE_HOLD)
    assert waiting.status == Registration.Status.WAITING
    # After the hold date, the next booking first offers the released seat to the one waiting.
    newcomer = register_open(meeting, now=AFTER_HOLD)
    waiting.refresh_from_db()
    assert waiting.status == Registration.Status.OFFERED
    assert newcomer.status == Registration.Status.CONFIRMED  # the second city seat
    assert occupied(meeting) == 4


@pytest.mark.django_db
def test_capacity_is_never_exceeded(meeting):
    meeting.capacity = 3
    meeting.save()
    statuses = [register_open(meeting, now=AFTER_HOLD).status for _ in range(5)]
    assert statuses.count("confirmed") == 3
    assert occupied(meeting) == 3


@pytest.mark.django_db
def test_invitation_uses_its_own_pool_even_with_people_waiting(meeting):
    for _ in range(3):
        register_open(meeting, now=BEFORE_HOLD)  # two confirmed, one waiting for an open seat
    company, _user = company_with_rep()
    invitation = services.invitation_create(actor=None, pool=pool_of(meeting, SeatPool.Kind.CITY_PICK),
                                            organisation=company, contact_email="inbjuden@forum.example",
                                            now=BEFORE_HOLD)
    accepted = services.invitation_accept(registration_id=invitation.pk, attendee_name="Inbjuden",
                                          attendee_email="inbjuden@forum.example", consent=True, now=BEFORE_HOLD)
    assert accepted.status == Registration.Status.CONFIRMED
    assert accepted.seat_pool == pool_of(meeting, SeatPool.Kind.CITY_PICK)
    confirmation = OutboxMessage.objects.filter(to_email="inbjuden@forum.example", template="events/confirmation").get()
    assert OutboxAttachment.objects.get(message=confirmation).filename.endswith(".ics")


@pytest.mark.django_db
def test_one_seat_per_company(meeting):
    company, user = company_with_rep()
    services.registration_open_create(actor=user, meeting=meeting, organisation=company, attendee_name="A",
                                      attendee_email=user.email, consent=True, now=BEFORE_HOLD)
    with pytest.raises(services.BookingError):
        services.registration_open_create(actor=user, meeting=meeting, organisation=company, attendee_name="B",
                                          attendee_email="b@forum.example", consent=True, now=BEFORE_HOLD)
    assert Registration.objects.filter(organisation=company).count() == 1


@pytest.mark.django_db
def test_cancel_offers_the_seat_and_an_unanswered_offer_passes_on(meeting):
    first, _second = register_open(meeting, now=BEFORE_HOLD), register_open(meeting, now=BEFORE_HOLD)
    next_in_line, after_that = register_open(meeting, now=BEFORE_HOLD), register_open(meeting, now=BEFORE_HOLD)
    services.registration_cancel(registration_id=first.pk, user=None, now=BEFORE_HOLD)
    next_in_line.refresh_from_db()
    assert next_in_line.status == Registration.Status.OFFERED
    assert OutboxMessage.objects.filter(template="events/offer", to_email=next_in_line.attendee_email).exists()
    # The job runs late (after the 48 h deadline) and twice: the offer passes on exactly once.
    late = next_in_line.offer_expires_at + dt.timedelta(hours=5)
    assert [r.pk for r in services.offers_process(meeting_id=meeting.pk, now=late)] == [after_that.pk]
    assert services.offers_process(meeting_id=meeting.pk, now=late) == []
    next_in_line.refresh_from_db()
    after_that.refresh_from_db()
    assert next_in_line.status == Registration.Status.OFFER_EXPIRED
    assert after_that.status == Registration.Status.OFFERED
    assert occupied(meeting) == 2
    # Answering after the deadline fails, decided from the clock.
    with pytest.raises(services.BookingError):
        services.offer_accept(registration_id=after_that.pk, user=None, now=after_that.offer_expires_at)
    assert occupied(meeting) <= 2


@pytest.mark.django_db
def test_invitation_expiry_is_decided_from_the_clock(meeting):
    company, _user = company_with_rep()
    invitation = services.invitation_create(actor=None, pool=pool_of(meeting, SeatPool.Kind.CITY_PICK),
                                            organisation=company, contact_email="sen@forum.example", now=BEFORE_HOLD)
    with pytest.raises(services.BookingError):
        services.invitation_accept(
            registration_id=invitation.pk,
            attendee_name="Sen",
            attendee_email="sen@forum.example",
            consent=True,
            now=invitation.expires_at + dt.timedelta(minutes=1),
        )
    invitation.refresh_from_db()
    # The late answer is refused, and what the clock decided is recorded (issue 8.12).
    assert invitation.status == Registration.Status.EXPIRED
    assert invitation.confirmed_at is None and invitation.seat_pool is None
    assert services.invitations_expire(now=invitation.expires_at) == 0


@pytest.mark.django_db
def test_reminders_go_once(meeting):
    confirmed = register_open(meeting, now=BEFORE_HOLD)
    week_before = START - dt.timedelta(days=6)
    assert services.reminders_send(now=week_before) == 1
    assert services.reminders_send(now=week_before) == 0
    day_before = START - dt.timedelta(hours=20)
    assert services.reminders_send(now=day_before) == 1
    assert services.reminders_send(now=day_before) == 0
    assert OutboxMessage.objects.filter(template="events/reminder", to_email=confirmed.attendee_email).count() == 2
