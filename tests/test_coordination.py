"""The coordinator side of theme meetings: yearly plan, meetings, status, pools, the dashboard,
invitations (single and bulk through the real worker), nominations and the catering list."""
from __future__ import annotations

import datetime as dt
import re
import time

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from communication import services as communication_services
from events import services as events_services
from events.models import InvitationBatch, Meeting, Nomination, Registration, SeatPool
from forum import services
from forum.models import AuditEvent, Organisation, OutboxMessage, Role
from tests.factories import (
    log_in_in_browser,
    make_company,
    make_meeting,
    make_registration,
    make_representative,
    make_role_holder,
    make_user,
    pool_of,
)


@pytest.fixture
def people(forum, partners):
    result = {"company": make_user("foretag@forum.example")}
    for role in (Role.COORDINATOR, Role.COMMUNICATOR, Role.FACILITATOR):
        result[role] = make_role_holder(forum, role, first_name=role.capitalize())
    for key, partner in (("nominator", partners[0]), ("nominator_b", partners[1])):
        result[key] = make_role_holder(forum, Role.PARTNER_NOMINATOR, f"{key}@forum.example",
                                       partner_organisation=partner)
    return result


@pytest.fixture
def meeting(forum, people):
    return make_meeting(forum, actor=people[Role.COORDINATOR], kind=Meeting.Kind.CITY_FOR_BUSINESS,
                        title="Tematräff 1: Vad kan staden göra?")


@pytest.fixture
def published(meeting):
    """The meeting published: invitations and nominations wait until then."""
    meeting.status = Meeting.Status.PUBLISHED
    meeting.save(update_fields=["status"])
    return meeting


def _login(client, user) -> None:
    client.force_login(user)


def _confirmed(meeting: Meeting, pool: SeatPool, company: Organisation, **fields) -> Registration:
    """A confirmed seat as fixture data (the booking itself is tested in the engine's tests)."""
    return make_registration(meeting, company, pool=pool, confirmed_at=timezone.now(), consent_at=timezone.now(),
                             **fields)


# --- Permissions ------------------------------------------------------------------------
MEETING_PAGES = ["events:meeting_manage", "events:meeting_edit", "events:pools", "events:invite",
                 "events:nominations", "events:catering"]


@pytest.mark.django_db
@pytest.mark.parametrize("name", MEETING_PAGES + ["events:meeting_create"])
def test_coordinator_pages_permissions(client, people, meeting, forum, name):
    url = reverse(name, kwargs={"slug": forum.slug} if name == "events:meeting_create" else {"pk": meeting.pk})
    response = client.get(url)
    assert response.status_code == 302 and "/konto/login/" in response["Location"]
    for who in (Role.COMMUNICATOR, Role.FACILITATOR, "company"):
        _login(client, people[who])
        assert client.get(url).status_code == 403, who
    _login(client, people[Role.COORDINATOR])
    assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_batch_progress_permissions(client, people, meeting):
    batch = InvitationBatch.objects.create(meeting=meeting, pool=pool_of(meeting, SeatPool.Kind.CITY_PICK), total=0)
    url = reverse("events:batch_progress", kwargs={"pk": meeting.pk, "batch_pk": batch.pk})
    assert "/konto/login/" in client.get(url)["Location"]
    _login(client, people["company"])
    assert client.get(url).status_code == 403
    _login(client, people[Role.COORDINATOR])
    assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_plan_shows_drafts_to_coordinators_only(client, people, meeting, forum):
    url = reverse("events:plan", kwargs={"slug": forum.slug})
    # A draft is invisible to the public and to other roles.
    assert meeting.title not in client.get(url).content.decode()
    _login(client, people[Role.COMMUNICATOR])
    assert meeting.title not in client.get(url).content.decode()
    _login(client, people[Role.COORDINATOR])
    page = client.get(url).content.decode()
    assert meeting.title in page and reverse("events:meeting_manage", kwargs={"pk": meeting.pk}) in page
    events_services.meeting_set_status(actor=None, meeting=meeting, status=Meeting.Status.PUBLISHED)
    client.logout()
    response = client.get(url)
    assert response.status_code == 200 and meeting.title in response.content.decode()
    # Linked from the forum page.
    assert url in client.get(forum.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_plan_puts_a_meeting_in_its_local_year(client, people, forum):
    """A meeting at 00:30 on New Year's Day in Malmö (23:30 UTC the day before) belongs to the
    new year on the plan, as in the annual report: the plan grouped by the UTC year."""
    from zoneinfo import ZoneInfo

    from events.selectors import yearly_plan

    starts = dt.datetime(2028, 1, 1, 0, 30, tzinfo=ZoneInfo("Europe/Stockholm"))
    new_year = make_meeting(forum, title="Nyårsträff", starts_at=starts)
    autumn = make_meeting(forum, title="Höstträff", starts_at=dt.datetime(2027, 10, 5, 9, tzinfo=dt.UTC))
    for meeting in (new_year, autumn):
        events_services.meeting_set_status(actor=None, meeting=meeting, status=Meeting.Status.PUBLISHED)
    expected: dict[int, list[str]] = {}
    for meeting in Meeting.objects.order_by("starts_at"):
        expected.setdefault(meeting.starts_at.astimezone(ZoneInfo("Europe/Stockholm")).year, []).append(meeting.title)
    assert expected == {2027: ["Höstträff"], 2028: ["Nyårsträff"]}
    for year in (2027, 2028):
        plan = yearly_plan(forum, include_drafts=False, year=year)
        assert {y: [m.title for m in ms] for y, ms in plan.years.items()} == {year: expected[year]}
    plan = yearly_plan(forum, include_drafts=False)
    assert {y: [m.title for m in ms] for y, ms in plan.years.items()} == expected
    url = reverse("events:plan", kwargs={"slug": forum.slug})
    page = client.get(url, {"ar": "2027"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Höstträff" in page and "Nyårsträff" not in page


# --- Yearly plan actions ----------------------------------------------------------------
@pytest.mark.django_db
def test_plan_creates_startup_and_later_years(client, people, forum):
    url = reverse("events:plan", kwargs={"slug": forum.slug})
    _login(client, people[Role.COORDINATOR])
    response = client.post(url, {"action": "startup", "startup-year": "2027"})
    assert response.status_code == 302
    startup = list(forum.meetings.filter(starts_at__year=2027))
    assert len(startup) == 3
    assert [m.kind for m in startup] == [Meeting.Kind.CITY_FOR_BUSINESS, Meeting.Kind.BUSINESS_FOR_CITY,
                                         Meeting.Kind.PRIORITISATION]
    for m in startup:
        assert m.status == Meeting.Status.DRAFT
        assert sorted(m.pools.values_list("size", flat=True)) == [10, 10, 10, 30, 30, 30]

    response = client.post(url, {"action": "later", "later-year": "2028"})
    assert response.status_code == 302
    later = list(forum.meetings.filter(starts_at__year=2028))
    assert len(later) == 2 and {m.kind for m in later} == {Meeting.Kind.COMBINED}
    assert all(m.pools.count() == 6 for m in later)
    assert "2028" in client.get(url).content.decode()


@pytest.mark.django_db
def test_plan_actions_refuse_bad_year_and_others(client, people, forum):
    url = reverse("events:plan", kwargs={"slug": forum.slug})
    response = client.post(url, {"action": "startup", "startup-year": "tjugo"})
    assert response.status_code == 302 and "/konto/login/" in response["Location"]
    _login(client, people[Role.COMMUNICATOR])
    assert client.post(url, {"action": "startup", "startup-year": "2027"}).status_code == 403
    _login(client, people[Role.COORDINATOR])
    response = client.post(url, {"action": "startup", "startup-year": "tjugo"})
    assert response.status_code == 400
    assert 'value="tjugo"' in response.content.decode()
    assert not Meeting.objects.exists()


# --- Meeting create and edit ------------------------------------------------------------
def _meeting_data(forum, facilitators=(), **overrides) -> dict:
    data = {
        "kind": Meeting.Kind.BUSINESS_FOR_CITY, "title": "Höstträff om arbete", "theme": "Kompetensförsörjning",
        "focus_areas": [a.pk for a in forum.focus_areas.all()[:2]],
        "starts_at": "2027-09-14T11:11", "ends_at": "2027-09-14T14:11",
        "venue_name": "Malmö Live", "venue_address": "Dag Hammarskjölds torg 4",
        "venue_accessibility": "Hörslinga och ramp", "facilitators": [u.pk for u in facilitators],
        "agenda": "Välkommen\nSamtal\nAvslutning", "capacity": "120", "seats_per_company": "1",
        "offer_hours": "48", "invitation_days": "14",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_meeting_create_and_edit(client, people, forum):
    _login(client, people[Role.COORDINATOR])
    url = reverse("events:meeting_create", kwargs={"slug": forum.slug})
    page = client.get(url).content.decode()
    assert 'type="datetime-local"' in page and 'type="checkbox"' in page
    response = client.post(url, _meeting_data(forum, facilitators=[people[Role.FACILITATOR]]))
    assert response.status_code == 302
    meeting = Meeting.objects.get()
    assert meeting.title == "Höstträff om arbete" and meeting.status == Meeting.Status.DRAFT
    assert meeting.focus_areas.count() == 2 and list(meeting.facilitators.all()) == [people[Role.FACILITATOR]]
    assert meeting.pools.count() == 6
    assert response["Location"] == reverse("events:meeting_manage", kwargs={"pk": meeting.pk})

    edit = reverse("events:meeting_edit", kwargs={"pk": meeting.pk})
    assert 'value="Höstträff om arbete"' in client.get(edit).content.decode()
    response = client.post(edit, _meeting_data(forum, title="Vårträff om arbete", capacity="150"))
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.title == "Vårträff om arbete" and meeting.capacity == 150 and not meeting.facilitators.exists()


@pytest.mark.django_db
def test_the_seats_typed_for_a_new_meeting_are_shared_out_into_the_default_pools(client, people, forum):
    """The number the coordinator types is kept (it was replaced by the default pools' 120),
    shared out in the default proportions, so the pools hold exactly the meeting's seats."""
    _login(client, people[Role.COORDINATOR])
    url = reverse("events:meeting_create", kwargs={"slug": forum.slug})
    assert client.post(url, _meeting_data(forum, capacity="90")).status_code == 302
    meeting = Meeting.objects.get()
    sizes = list(meeting.pools.order_by("position").values_list("kind", "size"))
    assert meeting.capacity == 90
    assert sizes == [(SeatPool.Kind.CITY_PICK, 23), (SeatPool.Kind.PARTNER_PICK, 23), (SeatPool.Kind.OPEN, 23),
                     (SeatPool.Kind.MUNICIPAL, 7), (SeatPool.Kind.MUNICIPAL, 7), (SeatPool.Kind.MUNICIPAL, 7)]
    # The pools then hold every seat: none is left for a new pool.
    response = client.post(reverse("events:pools", kwargs={"pk": meeting.pk}),
                           {"pool": "new", "new-kind": SeatPool.Kind.OPEN, "new-name": "Extra", "new-size": "1"})
    assert response.status_code == 400 and meeting.pools.count() == 6


@pytest.mark.django_db
def test_meeting_bad_input_is_refused_and_kept(client, people, forum, meeting):
    _login(client, people[Role.COORDINATOR])
    url = reverse("events:meeting_create", kwargs={"slug": forum.slug})
    response = client.post(url, _meeting_data(forum, title="Fel tid", ends_at="2027-09-14T10:00"))
    assert response.status_code == 400
    assert "The meeting must end after it starts." in response.content.decode() or \
        "Träffen måste sluta efter att den börjar." in response.content.decode()
    assert 'value="Fel tid"' in response.content.decode()
    assert Meeting.objects.count() == 1

    # Only facilitators of the forum, and at most two of them.
    others = [make_user(f"pl{i}@forum.example") for i in range(2)]
    for user in others:
        services.role_grant(actor=None, forum=forum, user=user, role=Role.FACILITATOR)
    response = client.post(url, _meeting_data(forum, facilitators=[people[Role.FACILITATOR], *others]))
    assert response.status_code == 400 and Meeting.objects.count() == 1
    response = client.post(url, _meeting_data(forum, facilitators=[people["company"]]))
    assert response.status_code == 400 and Meeting.objects.count() == 1

    edit = reverse("events:meeting_edit", kwargs={"pk": meeting.pk})
    before = (meeting.title, meeting.starts_at, meeting.ends_at)
    response = client.post(edit, _meeting_data(forum, title="Ändrad", starts_at="2027-09-14T15:00"))
    assert response.status_code == 400
    meeting.refresh_from_db()
    assert (meeting.title, meeting.starts_at, meeting.ends_at) == before


# --- Status -----------------------------------------------------------------------------
@pytest.mark.django_db
def test_status_moves_forwards_and_one_step_back(client, people, meeting):
    _login(client, people[Role.COORDINATOR])
    url = reverse("events:meeting_status", kwargs={"pk": meeting.pk})
    manage = reverse("events:meeting_manage", kwargs={"pk": meeting.pk})
    # Up to held by the buttons; documented only by sending the documentation (below).
    for status in Meeting.STATUS_ORDER[1:Meeting.STATUS_ORDER.index(Meeting.Status.HELD) + 1]:
        page = client.get(manage).content.decode()
        assert f'value="{status}"' in page
        assert client.post(url, {"status": status}).status_code == 302
        meeting.refresh_from_db()
        assert meeting.status == status
    assert client.post(url, {"status": Meeting.Status.REGISTRATION_CLOSED}).status_code == 302
    assert client.post(url, {"status": Meeting.Status.HELD}).status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.HELD
    # Two steps back at once is refused, and so is nonsense.
    assert client.post(url, {"status": Meeting.Status.PUBLISHED}).status_code == 400
    assert client.post(url, {"status": "cancelled"}).status_code == 400
    assert client.get(url).status_code == 405
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.HELD
    _login(client, people[Role.COMMUNICATOR])
    assert client.post(url, {"status": Meeting.Status.DOCUMENTED}).status_code == 403


@pytest.mark.django_db
def test_documented_means_the_documentation_was_sent(client, people, meeting):
    """A held meeting is not marked documented by hand (the to-do page would still list it as
    waiting for its documentation): the overview's next step and its tabs lead to the
    documentation, and sending it makes the meeting documented, for good."""
    coordinator = people[Role.COORDINATOR]
    for status in (Meeting.Status.PUBLISHED, Meeting.Status.REGISTRATION_CLOSED, Meeting.Status.HELD):
        events_services.meeting_set_status(actor=coordinator, meeting=meeting, status=status)
    _login(client, coordinator)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    url = reverse("events:meeting_status", kwargs={"pk": meeting.pk})
    follow_up_url = reverse("communication:follow_up", args=[meeting.pk])
    manage = client.get(reverse("events:meeting_manage", kwargs={"pk": meeting.pk})).content.decode()
    assert f'value="{Meeting.Status.DOCUMENTED}"' not in manage
    tabs = manage[manage.index('class="meeting-tabs"'):manage.index("</ul>", manage.index('class="meeting-tabs"'))]
    assert follow_up_url in tabs and "Documentation and survey" in tabs
    response = client.post(url, {"status": Meeting.Status.DOCUMENTED})
    assert response.status_code == 400 and "Documentation and survey" in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.HELD
    # The documentation page has the same tabs, the current one marked.
    assert 'aria-current="page">Documentation and survey' in client.get(follow_up_url).content.decode()

    follow_up = communication_services.follow_up_save(actor=coordinator, meeting=meeting, summary="Vi sågs.",
                                                      links="")
    communication_services.follow_up_publish(actor=coordinator, follow_up=follow_up)
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.DOCUMENTED
    assert client.post(url, {"status": Meeting.Status.HELD}).status_code == 400
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.DOCUMENTED


# --- Pools ------------------------------------------------------------------------------
@pytest.mark.django_db
def test_pools_edit_add_delete(client, people, meeting, partners):
    _login(client, people[Role.COORDINATOR])
    url = reverse("events:pools", kwargs={"pk": meeting.pk})
    partner_pool = pool_of(meeting, SeatPool.Kind.PARTNER_PICK)
    prefix = f"pool-{partner_pool.pk}"
    hold = timezone.localtime(meeting.starts_at - dt.timedelta(days=20))
    response = client.post(url, {
        "pool": partner_pool.pk, f"{prefix}-name": "Företagarnas urval", f"{prefix}-size": "15",
        f"{prefix}-hold_until": f"{hold:%Y-%m-%d}T23:59", f"{prefix}-partner_organisation": partners[0].pk,
    })
    assert response.status_code == 302
    partner_pool.refresh_from_db()
    assert (partner_pool.name, partner_pool.size, partner_pool.partner_organisation) == \
        ("Företagarnas urval", 15, partners[0])
    assert timezone.localtime(partner_pool.hold_until).date() == hold.date()

    response = client.post(url, {"pool": "new", "new-kind": SeatPool.Kind.PARTNER_PICK, "new-name": "MINC:s urval",
                                 "new-size": "15", "new-partner_organisation": partners[1].pk})
    assert response.status_code == 302
    added = meeting.pools.get(name="MINC:s urval")
    assert added.partner_organisation == partners[1]

    # A department only for municipal pools: refused, nothing saved.
    department = Organisation.objects.create(kind=Organisation.Kind.DEPARTMENT, name="Stadskontoret")
    response = client.post(url, {"pool": "new", "new-kind": SeatPool.Kind.OPEN, "new-name": "Fel",
                                 "new-size": "5", "new-department": department.pk})
    assert response.status_code == 400 and not meeting.pools.filter(name="Fel").exists()

    assert client.post(url, {"pool": added.pk, "delete": "1"}).status_code == 302
    assert not meeting.pools.filter(pk=added.pk).exists()


@pytest.mark.django_db
def test_pool_cannot_shrink_below_confirmed_or_be_deleted_in_use(client, people, meeting):
    _login(client, people[Role.COORDINATOR])
    url = reverse("events:pools", kwargs={"pk": meeting.pk})
    city = pool_of(meeting, SeatPool.Kind.CITY_PICK)
    for _ in range(3):
        _confirmed(meeting, city, make_company())
    prefix = f"pool-{city.pk}"
    response = client.post(url, {"pool": city.pk, f"{prefix}-name": "Stadens urval", f"{prefix}-size": "2"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "3" in page and ("cannot be smaller" in page or "inte vara mindre" in page)
    assert 'value="2"' in page  # what the coordinator typed is kept
    city.refresh_from_db()
    assert city.size == 30
    response = client.post(url, {"pool": city.pk, "delete": "1"})
    assert response.status_code == 400 and meeting.pools.filter(pk=city.pk).exists()


# --- Dashboard --------------------------------------------------------------------------
def _fill(meeting: Meeting, count: int, offset: int) -> None:
    city = pool_of(meeting, SeatPool.Kind.CITY_PICK)
    open_pool = pool_of(meeting, SeatPool.Kind.OPEN)
    statuses = [OutboxMessage.Status.QUEUED, OutboxMessage.Status.SENT, OutboxMessage.Status.FAILED]
    for i in range(count):
        company = make_company(f"Företag {offset + i:03d} AB")
        email = f"kontakt{offset + i}@example.se"
        if i % 3 == 0:
            Registration.objects.create(meeting=meeting, pool=open_pool, organisation=company,
                                        source=Registration.Source.OPEN, status=Registration.Status.WAITING,
                                        contact_email=email, waiting_since=timezone.now())
        else:
            Registration.objects.create(meeting=meeting, pool=city, organisation=company,
                                        source=Registration.Source.INVITATION, status=Registration.Status.INVITED,
                                        contact_email=email)
            for status in (OutboxMessage.Status.QUEUED, statuses[i % 3]):
                OutboxMessage.objects.create(to_email=email, language="sv", template="events/invitation",
                                             subject="Inbjudan", body_text="…", status=status, forum=meeting.forum)


@pytest.mark.django_db
def test_dashboard_runs_fixed_number_of_queries(client, people, meeting, django_assert_max_num_queries):
    _login(client, people[Role.COORDINATOR])
    url = reverse("events:meeting_manage", kwargs={"pk": meeting.pk})
    client.get(url)  # warm up the session
    _fill(meeting, 5, 0)
    with django_assert_max_num_queries(10) as small:
        response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Företag 001 AB" in page and "kontakt1@example.se" in page
    assert re.search(r"(Sent|Skickat|Skickad)", page) and re.search(r"(Failed|Misslyckad)", page)
    _fill(meeting, 35, 100)
    with django_assert_max_num_queries(10) as large:
        response = client.get(url)
    assert Registration.objects.filter(meeting=meeting).count() == 40
    assert response.content.decode().count("<tr>") > 40
    assert len(large.captured_queries) == len(small.captured_queries)


@pytest.mark.django_db
def test_dashboard_mail_status_is_of_this_forums_mail_since_the_registration(client, people, meeting):
    """The registrations' mail column showed the latest meeting mail to the contact's address
    from anywhere: another forum's failed invitation to the same person read "Failed" on this
    meeting's list though its own mail was sent."""
    from events.selectors import registrations_with_mail_status
    from tests.factories import make_forum

    email = "vd@angsbacka.se"
    registration = make_registration(meeting, make_company(), status=Registration.Status.INVITED,
                                     contact_email=email)
    other = make_meeting(make_forum(slug="goteborg", name="Göteborgsforum", municipality="Göteborg"))
    make_registration(other, make_company(), status=Registration.Status.INVITED, contact_email=email)
    old = OutboxMessage.objects.create(to_email=email, language="sv", template="events/invitation", subject="x",
                                       body_text="x", status=OutboxMessage.Status.FAILED, forum=meeting.forum)
    OutboxMessage.objects.filter(pk=old.pk).update(created_at=registration.created_at - dt.timedelta(days=30))
    OutboxMessage.objects.create(to_email=email, language="sv", template="events/invitation", subject="x",
                                 body_text="x", status=OutboxMessage.Status.SENT, forum=meeting.forum)
    OutboxMessage.objects.create(to_email=email, language="sv", template="events/invitation", subject="x",
                                 body_text="x", status=OutboxMessage.Status.FAILED, forum=other.forum)
    mails = [m for m in OutboxMessage.objects.order_by("created_at", "pk") if m.to_email == email
             and m.forum_id == meeting.forum_id and m.created_at >= registration.created_at]
    [row] = registrations_with_mail_status(meeting)
    assert row.mail_status == mails[-1].status == OutboxMessage.Status.SENT
    _login(client, people[Role.COORDINATOR])
    page = client.get(reverse("events:meeting_manage", kwargs={"pk": meeting.pk}), HTTP_ACCEPT_LANGUAGE="en")
    assert "Failed" not in page.content.decode().split(email, 1)[1].split("</tr>", 1)[0]


@pytest.mark.django_db
def test_dashboard_shows_pool_fill_and_hold_date(client, people, meeting):
    _login(client, people[Role.COORDINATOR])
    city = pool_of(meeting, SeatPool.Kind.CITY_PICK)
    city.hold_until = timezone.now() - dt.timedelta(days=1)
    city.save()
    for _ in range(2):
        _confirmed(meeting, city, make_company())
    page = client.get(reverse("events:meeting_manage", kwargs={"pk": meeting.pk})).content.decode()
    assert 'max="30" value="2"' in page
    assert "Passed: unclaimed seats are open to everyone" in page or "fria" in page


@pytest.mark.django_db
def test_dashboard_pool_fill_counts_as_the_clock_sees_it_and_agrees_with_the_meeting_page(client, people, meeting):
    """An offer past its deadline holds no seat and an invitation past its answer-by date
    awaits no answer, even before the periodic task writes so: the dashboard counted both
    (an open pool of 2 with one confirmed seat and one lapsed offer read "2 of 2", while the
    meeting page said one seat was left). Expected figures counted here from the rows; rows of
    another forum's meeting and declined, cancelled and expired rows never count."""
    from events.selectors import open_seats_estimate, pools_with_fill
    from tests.factories import make_forum, open_with_small_pools

    open_with_small_pools(meeting, size=2)
    now = timezone.now()
    city, open_pool = pool_of(meeting, SeatPool.Kind.CITY_PICK), pool_of(meeting, SeatPool.Kind.OPEN)
    Status = Registration.Status
    _confirmed(meeting, open_pool, make_company())
    make_registration(meeting, make_company(), pool=open_pool, status=Status.OFFERED,
                      offer_expires_at=now - dt.timedelta(hours=1))
    make_registration(meeting, make_company(), pool=city, status=Status.INVITED, expires_at=now - dt.timedelta(days=1))
    make_registration(meeting, make_company(), pool=city, status=Status.INVITED, expires_at=now + dt.timedelta(days=3))
    make_registration(meeting, make_company(), pool=city, status=Status.OFFERED,
                      offer_expires_at=now + dt.timedelta(hours=5))
    for status in (Status.DECLINED, Status.CANCELLED, Status.EXPIRED, Status.OFFER_EXPIRED):
        make_registration(meeting, make_company(), pool=city, status=status)
    other = make_meeting(make_forum(slug="goteborg", name="Göteborgsforum", municipality="Göteborg"))
    for pool in other.pools.all():
        make_registration(other, make_company(), pool=pool, status=Status.OFFERED)
        make_registration(other, make_company(), pool=pool, status=Status.INVITED)

    rows = [r for r in Registration.objects.all() if r.meeting_id == meeting.pk]

    def counted(status: str, link: str, pool: SeatPool) -> int:
        return sum(1 for r in rows if getattr(r, link) == pool.pk and r.effective_status(now) == status)

    expected = {pool.pk: (counted(Status.CONFIRMED, "seat_pool_id", pool),
                          counted(Status.OFFERED, "seat_pool_id", pool),
                          counted(Status.INVITED, "pool_id", pool), counted(Status.WAITING, "pool_id", pool))
                for pool in (city, open_pool)}
    assert expected == {city.pk: (0, 1, 1, 0), open_pool.pk: (1, 0, 0, 0)}
    assert {p.pk: (p.confirmed, p.offered, p.invited, p.waiting) for p in pools_with_fill(meeting)} == expected
    # The open pool's seats left are the same on the dashboard and on the meeting page.
    assert open_seats_estimate([meeting], now=now)[meeting.pk] == open_pool.size - sum(expected[open_pool.pk][:2])

    _login(client, people[Role.COORDINATOR])
    page = client.get(reverse("events:meeting_manage", kwargs={"pk": meeting.pk}), HTTP_ACCEPT_LANGUAGE="en")
    assert f'id="fill-{open_pool.pk}" max="2" value="1"' in page.content.decode()


@pytest.mark.usefixtures("published")
# --- Invitations ------------------------------------------------------------------------
@pytest.mark.django_db
def test_single_invitation_queues_mail(client, people, meeting):
    _login(client, people[Role.COORDINATOR])
    company = make_company("Ängsbacka Bygg AB")
    city = pool_of(meeting, SeatPool.Kind.CITY_PICK)
    url = reverse("events:invite", kwargs={"pk": meeting.pk})
    assert "Ängsbacka Bygg AB" in client.get(url).content.decode()
    response = client.post(url, {"action": "single", "one-pool": city.pk, "one-organisation": company.pk,
                                 "one-contact_email": "vd@angsbacka.se", "one-contact_name": "Åsa Öberg"})
    assert response.status_code == 302
    registration = Registration.objects.get(meeting=meeting, organisation=company)
    assert registration.status == Registration.Status.INVITED and registration.pool == city
    message = OutboxMessage.objects.get(to_email="vd@angsbacka.se")
    assert message.template == "events/invitation" and message.status == OutboxMessage.Status.QUEUED

    # The same company twice: refused with the service's message; a company in a municipal pool too.
    response = client.post(url, {"action": "single", "one-pool": city.pk, "one-organisation": company.pk,
                                 "one-contact_email": "annan@angsbacka.se"})
    assert response.status_code == 400 and "Ängsbacka Bygg AB" in response.content.decode()
    municipal = pool_of(meeting, SeatPool.Kind.MUNICIPAL)
    response = client.post(url, {"action": "single", "one-pool": municipal.pk, "one-organisation": make_company().pk,
                                 "one-contact_email": "x@example.se"})
    assert response.status_code == 400
    # Partner pools are not offered for direct invitation.
    partner = pool_of(meeting, SeatPool.Kind.PARTNER_PICK)
    response = client.post(url, {"action": "single", "one-pool": partner.pk, "one-organisation": make_company().pk,
                                 "one-contact_email": "y@example.se"})
    assert response.status_code == 400
    assert Registration.objects.filter(meeting=meeting).count() == 1


@pytest.mark.django_db
def test_company_picker_filters(client, people, meeting):
    _login(client, people[Role.COORDINATOR])
    bygg = make_company("Bygg i Syd AB", sni="F", size="10-49")
    kod = make_company("Kod och Kaffe AB", sni="J", size="0-9")
    url = reverse("events:invite", kwargs={"pk": meeting.pk})

    def listed(company, page):  # the picker's boxes (the single-invitation select lists all)
        return f'name="bulk-companies" value="{company.pk}"' in page

    page = client.get(url, {"sni": "F"}).content.decode()
    assert listed(bygg, page) and not listed(kod, page)
    page = client.get(url, {"size": "0-9", "q": "kaffe"}).content.decode()
    assert listed(kod, page) and not listed(bygg, page)


@pytest.mark.usefixtures("published")
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_bulk_invitation_runs_on_the_worker(client, people, meeting, mailbox):
    _login(client, people[Role.COORDINATOR])
    with_rep = [make_company(f"Bulkföretag {n} AB") for n in range(1, 4)]
    for n, company in enumerate(with_rep, start=1):
        make_representative(company, f"rep{n}@bulk.example", first_name="Rep")
    without = make_company("Utan Representant AB")
    city = pool_of(meeting, SeatPool.Kind.CITY_PICK)
    response = client.post(reverse("events:invite", kwargs={"pk": meeting.pk}), {
        "action": "bulk", "bulk-pool": city.pk, "bulk-companies": [c.pk for c in [*with_rep, without]],
    }, follow=False)
    assert response.status_code == 302
    batch = InvitationBatch.objects.get()
    assert batch.total == 3
    assert response["Location"] == reverse("events:batch_progress", kwargs={"pk": meeting.pk, "batch_pk": batch.pk})

    progress_url = response["Location"]
    deadline = time.monotonic() + 30
    while True:
        data = client.get(progress_url, {"format": "json"}).json()
        if data["status"] == "done" or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert data["status"] == "done" and data["done"] == data["total"] == 3
    assert set(Registration.objects.filter(meeting=meeting).values_list("contact_email", flat=True)) == {
        "rep1@bulk.example", "rep2@bulk.example", "rep3@bulk.example"}

    page_response = client.get(progress_url)
    page = page_response.content.decode()
    assert '<meta http-equiv="refresh"' not in page
    assert "<progress" in page and 'value="3"' in page and re.search(r"3 (of|av) 3", page)
    # The company without a confirmed representative was named as skipped.
    session_messages = [str(m) for m in page_response.context["messages"]] if page_response.context else []
    assert any("Utan Representant AB" in m for m in session_messages) or "Utan Representant AB" in page
    mailbox.wait_for(lambda m: "rep1@bulk.example" in m["To"])


@pytest.mark.django_db
def test_batch_progress_polls_while_running(client, people, meeting):
    _login(client, people[Role.COORDINATOR])
    batch = InvitationBatch.objects.create(meeting=meeting, pool=pool_of(meeting, SeatPool.Kind.CITY_PICK),
                                           total=30, done=12, status=InvitationBatch.Status.RUNNING)
    url = reverse("events:batch_progress", kwargs={"pk": meeting.pk, "batch_pk": batch.pk})
    page = client.get(url).content.decode()
    # The counts update in place (static/js/progress.js), not by reloading the whole page.
    assert '<meta http-equiv="refresh"' not in page
    assert f'data-progress-url="{url}?format=json"' in page and "js/progress.js" in page
    assert re.search(r"12 (of|av) 30", page) and 'max="30" value="12"' in page
    assert client.get(url, {"format": "json"}).json() == {
        "status": "running", "running": True, "done": 12, "handled": 12, "total": 30, "percent": 40, "skipped": [],
        "queued": 0, "sent": 0, "failed": 0, "unknown": 0}
    # Rounded down, as the newsletter's: 199 of 200 is 99 %, never 100 % before the last one.
    InvitationBatch.objects.filter(pk=batch.pk).update(total=200, done=199)
    assert client.get(url, {"format": "json"}).json()["percent"] == 100 * 199 // 200 == 99
    batch.status, batch.done = InvitationBatch.Status.DONE, 30
    batch.save()
    page = client.get(url).content.decode()
    # Done and no mail on its way: nothing left to poll.
    assert "data-progress-url" not in page and "js/progress.js" not in page


@pytest.mark.usefixtures("published")
@pytest.mark.django_db(transaction=True)
def test_bulk_invitation_mail_status_and_retry(client, people, meeting, forum, mailbox):
    """Item 7 of issue 13: the batch's page counts its invitation mails by status, and puts
    the failed ones back in the queue; the worker then sends them."""
    companies = [make_company(f"Statusföretag {n} AB") for n in range(1, 4)]
    for n, company in enumerate(companies, start=1):
        make_representative(company, f"status{n}@bulk.example", first_name="Rep")
    mailbox.fail_next(1, permanent=True)  # the mail server refuses one of the three for good
    _login(client, people[Role.COORDINATOR])
    response = client.post(reverse("events:invite", kwargs={"pk": meeting.pk}), {
        "action": "bulk", "bulk-pool": pool_of(meeting, SeatPool.Kind.CITY_PICK).pk,
        "bulk-companies": [c.pk for c in companies]})
    batch = InvitationBatch.objects.get()
    progress_url = response["Location"]
    group = OutboxMessage.objects.filter(send_group=batch.send_group)
    deadline = time.monotonic() + 30
    while client.get(progress_url, {"format": "json"}).json()["running"] and time.monotonic() < deadline:
        time.sleep(0.2)
    assert group.count() == 3
    mailbox.wait_until_idle(group)
    [failed] = group.filter(status=OutboxMessage.Status.FAILED)
    assert failed.last_error.startswith("SMTPDataError") and "550" in failed.last_error

    data = client.get(progress_url, {"format": "json"}).json()
    assert (data["sent"], data["failed"], data["queued"], data["unknown"]) == (2, 1, 0, 0)
    page = client.get(progress_url).content.decode()
    retry_url = reverse("events:batch_retry", kwargs={"pk": meeting.pk, "batch_pk": batch.pk})
    assert f'action="{retry_url}"' in page
    assert re.search(r'data-count="failed">1<', page) and re.search(r'data-count="sent">2<', page)

    # Someone who does not manage the meeting can neither retry nor see the counts.
    for who in (Role.COMMUNICATOR, "company"):
        _login(client, people[who])
        assert client.post(retry_url).status_code == 403
        assert client.get(progress_url).status_code == 403
    failed.refresh_from_db()
    assert failed.status == OutboxMessage.Status.FAILED

    _login(client, people[Role.COORDINATOR])
    assert client.get(retry_url).status_code == 405
    response = client.post(retry_url)
    assert response.status_code == 302 and response["Location"] == progress_url
    mailbox.wait_for(lambda m: failed.to_email in str(m["To"]), timeout=30)
    mailbox.wait_until_idle(group)
    data = client.get(progress_url, {"format": "json"}).json()
    assert (data["sent"], data["failed"], data["queued"]) == (3, 0, 0)
    assert {str(m["To"]) for m in mailbox.messages()} == {f"status{n}@bulk.example" for n in range(1, 4)}
    assert AuditEvent.objects.filter(action="registration.invite_bulk_retry", data__requeued=1).count() == 1
    # Nothing failed now: a second press puts nothing back and says so.
    follow = client.post(retry_url, follow=True)
    assert any("Inget" in str(m) or "No email" in str(m) for m in follow.context["messages"])
    assert AuditEvent.objects.filter(action="registration.invite_bulk_retry").count() == 1


# --- Nominations ------------------------------------------------------------------------
@pytest.fixture
def partner_pools(meeting, partners):
    """The partner pick split per partner: 2 seats for Företagarna, 2 for MINC."""
    first = pool_of(meeting, SeatPool.Kind.PARTNER_PICK)
    events_services.pool_save(actor=None, meeting=meeting, pool=first, size=2, partner_organisation=partners[0])
    second = events_services.pool_save(actor=None, meeting=meeting, kind=SeatPool.Kind.PARTNER_PICK,
                                       name="MINC:s urval", size=2, partner_organisation=partners[1])
    return first, second


@pytest.mark.usefixtures("published")
@pytest.mark.django_db
def test_nominator_nominates_into_own_pool_only(client, people, meeting, partner_pools):
    own, other = partner_pools
    url = reverse("events:nominations", kwargs={"pk": meeting.pk})
    for who in (Role.COMMUNICATOR, Role.FACILITATOR, "company"):
        _login(client, people[who])
        assert client.get(url).status_code == 403, who
    company = make_company("Nominerad AB")
    _login(client, people["nominator"])
    page = client.get(url).content.decode()
    assert own.name in page and f'value="{other.pk}"' not in page
    response = client.post(url, {"pool": own.pk, "organisationsnummer": company.organisationsnummer,
                                 "contact_email": "vd@nominerad.se", "contact_name": "Vera",
                                 "motivation": "Många unga anställda"})
    assert response.status_code == 302
    nomination = Nomination.objects.get()
    assert (nomination.pool, nomination.company, nomination.nominated_by) == (own, company, people["nominator"])

    # The other partner's pool: 403, nothing created.
    response = client.post(url, {"pool": other.pk, "company": make_company().pk, "contact_email": "a@b.se"})
    assert response.status_code == 403 and Nomination.objects.count() == 1

    # The other partner's nominator does not see this nomination.
    row = '<th scope="row">Nominerad AB<br>'
    _login(client, people["nominator_b"])
    assert row not in client.get(url).content.decode()
    # A coordinator sees it.
    _login(client, people[Role.COORDINATOR])
    assert row in client.get(url).content.decode()


@pytest.mark.usefixtures("published")
@pytest.mark.django_db
def test_nomination_bad_input_and_full_pool(client, people, meeting, partner_pools):
    own, _other = partner_pools
    url = reverse("events:nominations", kwargs={"pk": meeting.pk})
    _login(client, people["nominator"])
    response = client.post(url, {"pool": own.pk, "organisationsnummer": "123", "contact_email": "a@b.se"})
    assert response.status_code == 400 and not Nomination.objects.exists()
    for n in (1, 2):
        assert client.post(url, {"pool": own.pk, "company": make_company().pk,
                                 "contact_email": f"c{n}@b.se"}).status_code == 302
    response = client.post(url, {"pool": own.pk, "company": make_company().pk, "contact_email": "c3@b.se",
                                 "motivation": "Bra företag"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "The pool is full" in page or "Poolen är full" in page
    assert "Bra företag" in page
    assert Nomination.objects.count() == 2


@pytest.mark.usefixtures("published")
@pytest.mark.django_db
def test_nominator_finds_the_form_and_is_told_what_to_fix(client, people, meeting, partner_pools):
    """The meeting page leads a partner nominator (only) to the nominations; a post without a
    pool is a field error with the input kept (not a 404); an organisationsnummer not in the
    register says what to do next; the empty choices read "Choose …", not "---------"."""
    own, _other = partner_pools
    url = reverse("events:nominations", kwargs={"pk": meeting.pk})
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    for who in (Role.COMMUNICATOR, Role.FACILITATOR, "company"):
        _login(client, people[who])
        assert url not in client.get(meeting.get_absolute_url()).content.decode(), who
    client.logout()  # (which drops every cookie, the language's too)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert url not in client.get(meeting.get_absolute_url()).content.decode()
    _login(client, people["nominator"])
    assert url in client.get(meeting.get_absolute_url()).content.decode()

    form = client.get(url).content.decode()
    assert "---------" not in form and "Choose a pool" in form and "Choose a company" in form
    response = client.post(url, {"pool": "", "company": make_company("Utan Pool AB").pk,
                                 "contact_email": "vd@utanpool.se", "contact_name": "Pia Pool",
                                 "motivation": "Anställer unga"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Choose the pool to nominate the company into." in page and 'id="id_pool_error"' in page
    assert "vd@utanpool.se" in page and "Pia Pool" in page and "Anställer unga" in page
    assert not Nomination.objects.exists()

    response = client.post(url, {"pool": own.pk, "organisationsnummer": "556036-0793",
                                 "contact_email": "vd@okand.se", "contact_name": "Olle Okänd"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "No company with that organisationsnummer is in the register." in page
    assert "creates an account" in page and settings.FORUM_CONTACT_EMAIL in page
    assert "556036-0793" in page and "Olle Okänd" in page
    assert not Nomination.objects.exists()


@pytest.mark.usefixtures("published")
@pytest.mark.django_db
def test_coordinator_approves_and_rejects(client, people, meeting, partner_pools):
    own, _other = partner_pools
    approved = events_services.nomination_create(actor=people["nominator"], pool=own, company=make_company(),
                                                 contact_email="ja@example.se", contact_name="Jan")
    rejected = events_services.nomination_create(actor=people["nominator"], pool=own, company=make_company(),
                                                 contact_email="nej@example.se")
    _login(client, people["nominator"])
    decide = reverse("events:nomination_decide", kwargs={"pk": meeting.pk, "nomination_pk": approved.pk})
    assert client.post(decide, {"decision": "approve"}).status_code == 403
    _login(client, people[Role.COORDINATOR])
    assert client.post(decide, {"decision": "approve"}).status_code == 302
    approved.refresh_from_db()
    assert approved.status == Nomination.Status.APPROVED and approved.decided_by == people[Role.COORDINATOR]
    registration = Registration.objects.get(meeting=meeting, organisation=approved.company)
    assert registration.status == Registration.Status.INVITED and registration.pool == own
    assert OutboxMessage.objects.filter(to_email="ja@example.se", template="events/invitation").exists()

    url = reverse("events:nomination_decide", kwargs={"pk": meeting.pk, "nomination_pk": rejected.pk})
    assert client.post(url, {"decision": "reject"}).status_code == 302
    rejected.refresh_from_db()
    assert rejected.status == Nomination.Status.REJECTED
    assert not Registration.objects.filter(organisation=rejected.company).exists()
    assert client.post(url, {"decision": "maybe"}).status_code == 400


# --- Catering ---------------------------------------------------------------------------
@pytest.mark.django_db
def test_catering_csv(client, people, meeting):
    city = pool_of(meeting, SeatPool.Kind.CITY_PICK)
    _confirmed(meeting, city, make_company("Östra Åkeri AB"), attendee_name="Märta Ärlig",
               dietary_needs="Vegetarisk; glutenfri", accessibility_needs="Rullstol")
    _confirmed(meeting, city, make_company("Bageri Syd AB"), attendee_name="Bo Ek")
    make_registration(meeting, make_company("Inbjuden AB"), status=Registration.Status.INVITED,
                      contact_email="inbjuden@example.se")
    url = reverse("events:catering", kwargs={"pk": meeting.pk})
    _login(client, people["company"])
    assert client.get(url).status_code == 403
    _login(client, people[Role.COORDINATOR])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert len(lines) == 3
    assert lines[0].count(";") == 3
    assert lines[1] == "Bageri Syd AB;Bo Ek;;"
    assert lines[2] == 'Östra Åkeri AB;Märta Ärlig;"Vegetarisk; glutenfri";Rullstol'
    assert "Inbjuden AB" not in response.content.decode("utf-8-sig")


# --- Navigation -------------------------------------------------------------------------
@pytest.mark.django_db
def test_navigation_links_plan_for_coordinators(client, people, forum):
    plan = reverse("events:plan", kwargs={"slug": forum.slug})
    _login(client, people[Role.COORDINATOR])
    assert plan in client.get("/").content.decode()
    _login(client, people[Role.COMMUNICATOR])
    assert f'class="dropdown-item" href="{plan}"' not in client.get("/").content.decode()


# --- In the browser ---------------------------------------------------------------------
@pytest.mark.browser
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_coordinator_plans_a_year_in_the_browser(live_server, page, axe, forum):
    user = make_role_holder(forum, Role.COORDINATOR, "samordnare@forum.example", first_name="Sara",
                            verified_email=True)
    make_company("Kod och Kaffe AB")

    log_in_in_browser(page, live_server, user)

    page.goto(live_server.url + reverse("events:plan", kwargs={"slug": forum.slug}))
    assert page.locator("h1").count() == 1
    axe(page)
    year = str(timezone.now().year + 1)
    startup = page.locator("form", has=page.locator("input[name=action][value=startup]"))
    startup.get_by_role("spinbutton").fill(year)
    startup.get_by_role("button").click()
    page.wait_for_load_state()
    assert Meeting.objects.filter(forum=forum).count() == 3
    axe(page)

    first = Meeting.objects.filter(forum=forum).order_by("starts_at").first()
    page.get_by_role("link", name=first.title).click()
    page.wait_for_url(re.compile(r"/tematraff/\d+/hantera/$"))
    assert page.locator("h1").inner_text() == first.title
    axe(page)

    for name in ("events:meeting_edit", "events:pools", "events:invite"):
        page.goto(live_server.url + reverse(name, kwargs={"pk": first.pk}))
        assert page.locator("h1").count() == 1
        axe(page)


# --- Seat pools share out the meeting's seats; dates in the past ----------------------------
def _local(moment) -> str:
    """A time as the datetime-local field sends it."""
    return f"{timezone.localtime(moment):%Y-%m-%dT%H:%M}"


def _error(response, field: str, form: str = "form") -> str:
    """The first message at ``field`` of the page's ``form``."""
    return response.context[form].errors[field][0]

@pytest.mark.django_db
def test_pools_never_hold_more_seats_than_the_meeting_and_hold_dates_end_before_it(client, people, meeting):
    """The audit's case: City pick grown to 200 of 120 seats, and a hold date after the start,
    were both saved. Now each is refused at its field, and nothing changes."""
    _login(client, people[Role.COORDINATOR])
    url = reverse("events:pools", kwargs={"pk": meeting.pk})
    city = pool_of(meeting, SeatPool.Kind.CITY_PICK)
    prefix = f"pool-{city.pk}"
    assert meeting.capacity == 120 and sum(meeting.pools.values_list("size", flat=True)) == 120
    response = client.post(url, {"pool": city.pk, f"{prefix}-name": "Stadens urval", f"{prefix}-size": "200"})
    assert response.status_code == 400
    form = dict((p.pk, f) for p, f in response.context["rows"])[city.pk]
    # 120 seats, 90 in the other pools: this one can have 30 (what it has), not "30 left".
    assert re.search("högst 30 platser|at most 30 seats", form.errors["size"][0]), form.errors
    late = timezone.localtime(meeting.starts_at + dt.timedelta(days=1))
    response = client.post(url, {"pool": city.pk, f"{prefix}-name": "Stadens urval", f"{prefix}-size": "30",
                                 f"{prefix}-hold_until": _local(late)})
    assert response.status_code == 400
    form = dict((p.pk, f) for p, f in response.context["rows"])[city.pk]
    assert re.search("före träffens start|before the meeting starts", form.errors["hold_until"][0])
    # A new pool cannot take seats the others hold.
    response = client.post(url, {"pool": "new", "new-kind": SeatPool.Kind.OPEN, "new-name": "Extra", "new-size": "1"})
    assert response.status_code == 400
    assert re.search(r"högst 0 platser|at most 0 seats", response.context["new_form"].errors["size"][0])
    city.refresh_from_db()
    assert (city.size, city.hold_until) == (30, meeting.starts_at - events_services.DEFAULT_HOLD)
    assert not meeting.pools.filter(name="Extra").exists()

    # Made smaller, a pool frees seats that another may then take.
    client.post(url, {"pool": city.pk, f"{prefix}-name": "Stadens urval", f"{prefix}-size": "20"})
    response = client.post(url, {"pool": "new", "new-kind": SeatPool.Kind.OPEN, "new-name": "Extra", "new-size": "10"})
    assert response.status_code == 302 and meeting.pools.get(name="Extra").size == 10

    # The meeting's seats cannot drop below what the pools hold.
    edit = reverse("events:meeting_edit", kwargs={"pk": meeting.pk})
    data = _meeting_data(forum=meeting.forum, capacity="100", starts_at=_local(meeting.starts_at),
                         ends_at=_local(meeting.ends_at))
    response = client.post(edit, data)
    assert response.status_code == 400
    assert re.search("Gör poolerna mindre först|Make the pools smaller first", _error(response, "capacity"))
    meeting.refresh_from_db()
    assert meeting.capacity == 120


@pytest.mark.django_db
def test_meetings_start_in_the_future_and_a_started_one_is_not_published(client, people, forum, meeting):
    _login(client, people[Role.COORDINATOR])
    url = reverse("events:meeting_create", kwargs={"slug": forum.slug})
    response = client.post(url, _meeting_data(forum, title="Förr", starts_at="2001-05-08T11:11",
                                              ends_at="2001-05-08T14:11"))
    assert response.status_code == 400
    assert re.search("börja senare än nu|start later than now", _error(response, "starts_at"))
    assert 'value="Förr"' in response.content.decode() and not Meeting.objects.filter(title="Förr").exists()

    # A year whose meetings have passed is refused as a whole, at the year.
    plan = reverse("events:plan", kwargs={"slug": forum.slug})
    response = client.post(plan, {"action": "startup", "startup-year": str(timezone.now().year - 1)})
    assert response.status_code == 400
    assert re.search("har passerat|has passed", _error(response, "year", "startup_form"))
    assert forum.meetings.count() == 1

    # A meeting not yet started is not moved into the past.
    edit = reverse("events:meeting_edit", kwargs={"pk": meeting.pk})
    response = client.post(edit, _meeting_data(forum, starts_at="2001-05-08T11:11", ends_at="2001-05-08T14:11"))
    assert response.status_code == 400 and re.search("har inte börjat|has not started", _error(response, "starts_at"))

    # One that has started may have its record corrected, but is not published nor opened again.
    started = make_meeting(forum, title="Pågår", starts_at=timezone.now() - dt.timedelta(hours=1))
    status = reverse("events:meeting_status", kwargs={"pk": started.pk})
    response = client.post(status, {"status": Meeting.Status.PUBLISHED})
    assert response.status_code == 400 and re.search("har redan börjat|has already started", response.content.decode())
    started.refresh_from_db()
    assert started.status == Meeting.Status.DRAFT
    response = client.post(reverse("events:meeting_edit", kwargs={"pk": started.pk}), _meeting_data(
        forum, title="Pågår", starts_at=_local(started.starts_at - dt.timedelta(hours=1)),
        ends_at=_local(started.ends_at)))
    assert response.status_code == 302
