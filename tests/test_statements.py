"""forum.statements: a read compiled once returns what the ORM's queryset returns, call after
call, with new values – model rows with their select_related objects, deferred fields,
values_list rows, list parameters of every length, datetimes – in one query, on each thread's
own connection; and it refuses what it cannot do the ORM's way."""
from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Q
from django.db.transaction import TransactionManagementError
from django.utils import timezone

from accounts.models import User
from events.models import Meeting, Registration, SeatPool
from forum.statements import Param, Params, Statement
from tests.factories import (
    company_with_rep,
    make_forum,
    make_meeting,
    make_registration,
    open_with_small_pools,
    run_concurrently,
)

HELD = Statement(lambda: Registration.objects.filter(meeting=Param("meeting"), status__in=Registration.ACTIVE)
                 .filter(Q(attendee=Param("user")) | Q(organisation__in=Params("companies")))
                 .select_related("organisation", "pool").order_by("created_at", "pk"))
MEETING = Statement(lambda: Meeting.objects.select_related("forum").filter(pk=Param("pk"))[:1])
CREATED_BEFORE = Statement(lambda: Registration.objects.filter(created_at__lt=Param("before"))
                           .only("pk", "status", "created_at").order_by("pk"))
CODES = Statement(lambda: Registration.objects.filter(meeting=Param("meeting")).values_list("pk", "code", "status")
                  .order_by("pk"))


def _fields(instance) -> dict:
    return {field.attname: getattr(instance, field.attname) for field in type(instance)._meta.concrete_fields}


def _scene():
    meeting = open_with_small_pools(make_meeting(make_forum()), size=3)
    pairs = [company_with_rep() for _ in range(4)]
    rows = [make_registration(meeting, company, attendee=user) for company, user in pairs[:3]]
    rows[1].status = Registration.Status.CANCELLED
    rows[1].save(update_fields=["status"])
    return meeting, pairs, rows


@pytest.mark.django_db
def test_model_rows_with_their_related_objects_are_the_orms(django_assert_num_queries):
    meeting, pairs, _rows = _scene()
    (c1, u1), (c2, _u2), (c3, _u3), (_c4, u4) = pairs
    for user, companies in ((u1, []), (u1, [c2.pk]), (u4, [c1.pk, c2.pk, c3.pk]), (u4, []), (u4, [c3.pk])):
        orm = list(Registration.objects.filter(meeting=meeting, status__in=Registration.ACTIVE)
                   .filter(Q(attendee=user) | Q(organisation__in=companies))
                   .select_related("organisation", "pool").order_by("created_at", "pk"))
        with django_assert_num_queries(1):
            ours = HELD(meeting=meeting.pk, user=user, companies=companies)
            # The joined objects came with the row, as select_related brings them.
            joined = [(r.organisation.name, r.pool.name) for r in ours]
        assert joined == [(r.organisation.name, r.pool.name) for r in orm]
        assert [_fields(r) for r in ours] == [_fields(r) for r in orm]
        assert all(not r._state.adding and r._state.db == "default" for r in ours)
    # Nothing to find and nothing the ORM would ask: no query, as the ORM.
    assert Statement(lambda: Registration.objects.filter(organisation__in=Params("ids")))(ids=[]) == []


@pytest.mark.django_db
def test_deferred_fields_values_lists_datetimes_and_slices_are_the_orms(django_assert_num_queries):
    meeting, _pairs, rows = _scene()
    cut = rows[1].created_at + dt.timedelta(microseconds=1)
    orm = list(Registration.objects.filter(created_at__lt=cut).only("pk", "status", "created_at").order_by("pk"))
    ours = CREATED_BEFORE(before=cut)
    assert [(r.pk, r.status, r.created_at) for r in ours] == [(r.pk, r.status, r.created_at) for r in orm]
    assert ours[0].get_deferred_fields() == orm[0].get_deferred_fields()
    assert CODES(meeting=meeting.pk) == list(
        Registration.objects.filter(meeting=meeting).values_list("pk", "code", "status").order_by("pk"))
    with django_assert_num_queries(1):
        found = MEETING.first(pk=meeting.pk)
        assert found.forum.name == meeting.forum.name
    assert _fields(found) == _fields(Meeting.objects.get(pk=meeting.pk))
    assert MEETING.first(pk=meeting.pk + 1000) is None
    assert timezone.is_aware(ours[0].created_at)


@pytest.mark.django_db(transaction=True)
def test_each_thread_compiles_on_its_own_connection_and_reads_its_own_values():
    forum = make_forum()
    meetings = [make_meeting(forum, title=f"Träff {n}") for n in range(4)]
    results, errors = run_concurrently([lambda m=m: MEETING.first(pk=m.pk).title for m in meetings * 2])
    assert errors == [None] * 8
    assert results == [m.title for m in meetings * 2]


@pytest.mark.django_db(transaction=True)
def test_a_locking_read_needs_a_transaction_every_time():
    meeting = make_meeting(make_forum())
    locked = Statement(lambda: Meeting.objects.select_for_update(of=("self",)).filter(pk=Param("pk")))
    with transaction.atomic():
        assert locked.first(pk=meeting.pk) == meeting
    with pytest.raises(TransactionManagementError):
        locked(pk=meeting.pk)


@pytest.mark.django_db
def test_what_a_statement_cannot_do_the_orms_way_is_refused():
    meeting = make_meeting(make_forum())
    for build in (lambda: Meeting.objects.prefetch_related("pools").filter(pk=Param("pk")),
                  lambda: meeting.pools.filter(pk=Param("pk")),
                  lambda: SeatPool.objects.filter(pk=Param("pk")).values_list("pk", flat=True),
                  lambda: SeatPool.objects.filter(pk=Param("pk")).values("pk")):
        with pytest.raises(TypeError):
            Statement(build)(pk=1)
    # The ORM reads filter(pk=None) as IS NULL; a bound NULL would silently find nothing.
    with pytest.raises(TypeError):
        MEETING(pk=None)


@pytest.mark.django_db
def test_the_user_read_of_every_request_is_djangos_get(django_assert_num_queries):
    _company, user = company_with_rep()
    _other_company, other = company_with_rep()
    djangos = User.objects.filter(pk=user.pk).get()
    with django_assert_num_queries(1):
        assert _fields(User.objects.get(pk=user.pk)) == _fields(djangos)
    with pytest.raises(User.DoesNotExist):
        User.objects.get(pk=other.pk + 1000)
    # Related managers keep their relation: a group's users are only its members.
    group = Group.objects.create(name="Testgrupp för satser")
    group.user_set.add(user)
    assert group.user_set.get(pk=user.pk) == user
    with pytest.raises(User.DoesNotExist):
        group.user_set.get(pk=other.pk)
    assert User.objects.get(email=other.email) == other
