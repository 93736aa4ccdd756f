"""Check-in on the day: permissions, search by name, company and code, check-in and undo."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from events import services
from events.models import DiversityTarget, Meeting, Registration
from forum.models import AuditEvent, Role
from tests.factories import (
    log_in_in_browser,
    make_company,
    make_meeting,
    make_registration,
    make_user,
    staff_and_representative,
    verify_email,
)


def register(meeting, organisation, name: str, *, status=Registration.Status.CONFIRMED) -> Registration:
    return make_registration(meeting, organisation, status=status, attendee_name=name,
                             attendee_email=f"{name.split()[0].lower()}@example.se")


@pytest.fixture
def meeting_facilitator():
    return make_user("traffledare@example.se")


@pytest.fixture
def meeting(forum, meeting_facilitator):
    meeting = make_meeting(forum, kind=Meeting.Kind.CITY_FOR_BUSINESS, title="Tematräff 1",
                           starts_at=timezone.now() + dt.timedelta(days=1), facilitators=[meeting_facilitator])
    # Facilitators check in at a published meeting (a draft is only for its coordinators).
    meeting.status = Meeting.Status.REGISTRATION_CLOSED
    meeting.save(update_fields=["status"])
    return meeting


@pytest.fixture
def rows(meeting):
    return {
        "anna": register(meeting, make_company("Solkraft AB"), "Anna Andersson"),
        "bo": register(meeting, make_company("Byggbolaget i Malmö AB", sni="F"), "Bo Berg"),
        "cecilia": register(meeting, make_company("Cafe Cecilia AB", sni="I"), "Cecilia Ek"),
        "invited": register(meeting, make_company("Inbjuden AB"), "Ingrid Inbjuden",
                            status=Registration.Status.INVITED),
    }


@pytest.fixture
def people(forum, meeting_facilitator):
    return {"meeting_facilitator": meeting_facilitator, **staff_and_representative(forum)}


def url(meeting) -> str:
    return reverse("events:checkin", args=[meeting.pk])


@pytest.mark.django_db
@pytest.mark.parametrize("who,status", [(Role.FACILITATOR, 200), ("meeting_facilitator", 200), (Role.COORDINATOR, 200),
                                        (Role.RESEARCHER, 403), ("company", 403)])
def test_checkin_permissions(client, meeting, people, rows, who, status):
    client.force_login(people[who])
    assert client.get(url(meeting)).status_code == status
    response = client.post(reverse("events:checkin_toggle", args=[meeting.pk, rows["anna"].pk]), {"action": "checkin"})
    assert response.status_code == (302 if status == 200 else 403)
    rows["anna"].refresh_from_db()
    assert (rows["anna"].checked_in_at is not None) == (status == 200)


@pytest.mark.django_db
def test_search_by_name_company_email_and_code(client, meeting, people, rows, django_assert_max_num_queries):
    client.force_login(people[Role.FACILITATOR])
    with django_assert_max_num_queries(8):
        page = client.get(url(meeting)).content.decode()
    # Without a search: every confirmed participant, never the merely invited.
    assert "Anna Andersson" in page and "Bo Berg" in page and "Ingrid Inbjuden" not in page
    assert "0 av 3 incheckade" in page or "0 of 3 checked in" in page

    def found(q):
        response = client.get(url(meeting), {"q": q})
        assert response.status_code == 200
        return [r.attendee_name for r in response.context["rows"]]

    assert found("anna") == ["Anna Andersson"]
    assert found("byggbolaget") == ["Bo Berg"]
    assert found("cecilia@example") == ["Cecilia Ek"]
    assert found("bo berg") == ["Bo Berg"]
    code = rows["cecilia"].code
    assert found(code.lower()) == ["Cecilia Ek"]
    assert client.get(url(meeting), {"q": code}).context["by_code"] is True


@pytest.mark.django_db
def test_bad_code_and_unconfirmed_code(client, meeting, people, rows):
    client.force_login(people[Role.FACILITATOR])
    response = client.get(url(meeting), {"q": "ZZZZ99"})
    assert response.status_code == 200
    assert response.context["rows"] == [] and "ZZZZ99" in response.context["code_problem"]
    response = client.get(url(meeting), {"q": rows["invited"].code})
    assert response.context["rows"] == [] and rows["invited"].code in response.context["code_problem"]
    assert rows["invited"].code in response.content.decode()


@pytest.mark.django_db
def test_checkin_and_undo_record_attendance(client, meeting, people, rows):
    facilitator = people[Role.FACILITATOR]
    client.force_login(facilitator)
    toggle = reverse("events:checkin_toggle", args=[meeting.pk, rows["bo"].pk])
    response = client.post(toggle, {"action": "checkin", "q": "Bo"})
    assert response.status_code == 302
    assert response["Location"] == f"{url(meeting)}?q=Bo#reg-{rows['bo'].pk}"
    rows["bo"].refresh_from_db()
    assert rows["bo"].checked_in_at is not None and rows["bo"].checked_in_by == facilitator
    assert AuditEvent.objects.filter(
        action="registration.checkin", target_id=str(rows["bo"].pk), actor=facilitator
    ).exists()
    assert client.get(url(meeting)).context["checked_in"] == 1

    client.post(toggle, {"action": "undo", "q": "Bo"})
    rows["bo"].refresh_from_db()
    assert rows["bo"].checked_in_at is None and rows["bo"].checked_in_by is None
    assert AuditEvent.objects.filter(action="registration.checkout", target_id=str(rows["bo"].pk)).exists()


@pytest.mark.django_db
def test_only_confirmed_can_be_checked_in(client, meeting, people, rows):
    client.force_login(people[Role.FACILITATOR])
    response = client.post(reverse("events:checkin_toggle", args=[meeting.pk, rows["invited"].pk]),
                           {"action": "checkin"}, follow=True)
    rows["invited"].refresh_from_db()
    assert rows["invited"].checked_in_at is None
    assert len(list(response.context["messages"])) == 1
    with pytest.raises(services.BookingError):
        services.checkin(actor=people[Role.FACILITATOR], registration=rows["invited"])
    # A registration of another meeting is not found through this one.
    other = services.meeting_create(actor=None, forum=meeting.forum, kind=Meeting.Kind.PRIORITISATION, title="Annan",
                                    starts_at=meeting.starts_at, ends_at=meeting.ends_at)
    services.meeting_set_status(actor=None, meeting=other, status=Meeting.Status.PUBLISHED)
    assert client.post(reverse("events:checkin_toggle", args=[other.pk, rows["anna"].pk]),
                       {"action": "checkin"}).status_code == 404


@pytest.mark.django_db
def test_checkin_service_takes_the_clock(meeting, people, rows):
    at = timezone.now() - dt.timedelta(minutes=5)
    services.checkin(actor=people[Role.FACILITATOR], registration=rows["anna"], now=at)
    rows["anna"].refresh_from_db()
    assert rows["anna"].checked_in_at == at


# ------------------------------------------------------------------ in the browser


def _login(page, live_server, user):
    verify_email(user)
    log_in_in_browser(page, live_server, user)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_checkin_on_a_phone(live_server, phone_page, axe, forum, meeting, rows, people):
    _login(phone_page, live_server, people[Role.FACILITATOR])
    phone_page.goto(live_server.url + url(meeting))
    axe(phone_page)
    code = rows["bo"].code
    phone_page.get_by_role("searchbox").fill(code)
    phone_page.get_by_role("button", name="Sök").click()
    phone_page.wait_for_url(re.compile(r"q=" + code))
    button = phone_page.get_by_role("button", name=re.compile(r"^Checka in"))
    assert button.count() == 1
    box = button.bounding_box()
    assert box["height"] >= 44 and box["width"] <= 390
    button.click()
    phone_page.wait_for_url(re.compile(r"#reg-"))
    assert "1 av 3 incheckade" in phone_page.locator("#checkin-count").inner_text()
    assert phone_page.get_by_role("button", name=re.compile(r"^Ångra")).is_visible()
    # One column: nothing wider than the phone.
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    axe(phone_page)
    rows["bo"].refresh_from_db()
    assert rows["bo"].checked_in_at is not None


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_diversity_and_profile_pages_pass_axe(live_server, page, axe, forum, meeting, rows, people):
    DiversityTarget.objects.create(forum=forum, dimension="gender", category="woman", share=50)
    _login(page, live_server, people[Role.COORDINATOR])
    page.goto(live_server.url + reverse("events:diversity", args=[meeting.pk]))
    assert page.locator("h1").count() == 1
    axe(page)
    page.goto(live_server.url + reverse("events:diversity_targets", args=[forum.slug]))
    axe(page)
    page.goto(live_server.url + reverse("accounts:profile"))
    axe(page)
    # A refused answer (no consent) keeps the page accessible too.
    page.get_by_label("Kvinna").check()
    page.get_by_role("button", name="Spara", exact=True).click()  # the mail choices have a button of their own
    axe(page)
