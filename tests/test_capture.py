"""Capturing issues at a meeting: participants raise and support them from their phones
(logged in or by their invitation link), facilitators key them in from table notes, and the
room screen shows them. Visible text is matched in Swedish or English so the tests pass
before and after the lead merges the translation fragments."""
from __future__ import annotations

import re

import pytest
from django.urls import reverse

from events.models import Meeting, Registration, SeatPool
from forum.models import Role
from issues import services
from issues.models import Issue, IssueSupport, Side
from tests.factories import (
    company_with_rep,
    make_company,
    make_meeting,
    make_registration,
    make_role_holder,
    make_user,
    pool_of,
)


@pytest.fixture
def facilitator(forum):
    return make_role_holder(forum, Role.FACILITATOR, "processledare@forum.example", first_name="Pia",
                            last_name="Ledare")


@pytest.fixture
def meeting(forum, facilitator):
    meeting = make_meeting(forum, focus_areas=forum.focus_areas.all(), facilitators=[facilitator])
    meeting.status = Meeting.Status.HELD
    meeting.save()
    return meeting


@pytest.fixture
def participant(meeting):
    """A company representative with a confirmed seat: (registration, user)."""
    company, user = company_with_rep()
    return make_registration(meeting, company, attendee=user), user


def area(meeting):
    return meeting.forum.focus_areas.order_by("position").first()


def capture_url(meeting) -> str:
    return reverse("issues:capture", args=[meeting.pk])


def raise_data(meeting, **extra) -> dict:
    return {"action": "raise", "text": "Svårt att få tag i lokaler för praktik", "focus_area": area(meeting).pk,
            "side": Side.BUSINESS, **extra}


def text_of(response) -> str:
    return response.content.decode()


# --- Raising an issue -------------------------------------------------------------------
@pytest.mark.django_db
def test_participant_raises_an_issue_when_logged_in(client, meeting, participant):
    registration, user = participant
    client.force_login(user)
    page = client.get(capture_url(meeting))
    assert page.status_code == 200
    assert re.search("Ta upp en fråga|Raise an issue", text_of(page))
    # Company representatives speak for business by default.
    assert re.search(r'value="business"[^>]*checked', text_of(page))

    response = client.post(capture_url(meeting), raise_data(meeting, anonymous="on"))
    assert response.status_code == 302
    issue = Issue.objects.get()
    assert issue.raised_by == user and issue.raised_by_registration == registration
    assert issue.organisation == registration.organisation and issue.meeting == meeting
    assert issue.side == Side.BUSINESS and issue.anonymous and issue.focus_area == area(meeting)
    assert issue.keyed_in_by is None

    listed = text_of(client.get(capture_url(meeting)))
    assert "Svårt att få tag i lokaler för praktik" in listed
    assert re.search("Anonym|Anonymous", listed)
    assert registration.organisation.name not in listed.split("Svårt att få tag")[1]


@pytest.mark.django_db
def test_participant_raises_an_issue_by_the_invitation_link(client, meeting):
    company, user = company_with_rep()
    registration = make_registration(meeting, company, attendee=user, pool=pool_of(meeting, SeatPool.Kind.MUNICIPAL))
    url = reverse("issues:capture_token", args=[registration.token])
    page = client.get(url)
    assert page.status_code == 200
    # A municipal participant speaks for the city by default.
    assert re.search(r'value="city"[^>]*checked', text_of(page))

    response = client.post(url, raise_data(meeting, side=Side.CITY))
    assert response.status_code == 302 and response["Location"].startswith(url)
    issue = Issue.objects.get()
    assert issue.raised_by_registration == registration and issue.raised_by == user
    assert issue.side == Side.CITY and not issue.anonymous


@pytest.mark.django_db
def test_bad_input_is_400_keeps_what_was_typed_and_changes_nothing(client, meeting, participant):
    _registration, user = participant
    client.force_login(user)
    response = client.post(capture_url(meeting), raise_data(meeting, text="   ", side="", anonymous="on"))
    assert response.status_code == 400
    html = text_of(response)
    assert re.search("Skriv frågan|Write the issue", html)
    assert re.search("Välj om du talar för staden|Choose whether you speak for the city", html)
    assert f'value="{area(meeting).pk}" selected' in html
    assert Issue.objects.count() == 0


@pytest.mark.django_db
def test_a_participant_raises_at_most_the_limit_and_key_in_has_none(client, meeting, facilitator, participant):
    """One registration cannot flood the meeting with issues, logged in or by its link: past
    ISSUES_PER_REGISTRATION the form says so, keeps the text and saves nothing. Facilitators
    keying in table notes, and the other participants, go on."""
    registration, user = participant
    for number in range(services.ISSUES_PER_REGISTRATION - 1):
        services.issue_create(actor=user, meeting=meeting, registration=registration, text=f"Fråga {number}",
                              side=Side.BUSINESS)
    client.force_login(user)
    assert client.post(capture_url(meeting), raise_data(meeting)).status_code == 302
    assert Issue.objects.count() == services.ISSUES_PER_REGISTRATION
    typed = "Ännu en fråga om lokaler för praktik"
    for url in (capture_url(meeting), reverse("issues:capture_token", args=[registration.token])):
        response = client.post(url, raise_data(meeting, text=typed), HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 400
        html = " ".join(text_of(response).split())
        assert (f"You have already raised {services.ISSUES_PER_REGISTRATION} issues at this meeting, which is as "
                "many as one participant can raise.") in html
        assert typed in html
    assert Issue.objects.count() == services.ISSUES_PER_REGISTRATION
    assert not Issue.objects.filter(text=typed).exists()
    # Another participant still raises theirs; the facilitator keys in from the table notes.
    company, other = company_with_rep()
    make_registration(meeting, company, attendee=other)
    client.force_login(other)
    assert client.post(capture_url(meeting), raise_data(meeting, text=typed)).status_code == 302
    client.force_login(facilitator)
    for number in range(2):
        response = client.post(reverse("issues:key_in", args=[meeting.pk]),
                               {"text": f"Från bordet {number}", "focus_area": area(meeting).pk, "side": Side.CITY})
        assert response.status_code == 302
    assert Issue.objects.count() == services.ISSUES_PER_REGISTRATION + 3


@pytest.mark.django_db
def test_me_too_posted_again_and_again_counts_once(client, meeting, participant):
    from forum.models import AuditEvent

    _registration, user = participant
    issue = services.issue_create(actor=None, meeting=meeting, text="Fler praktikplatser", side=Side.BUSINESS,
                                  keyed_in=True)
    client.force_login(user)
    for _ in range(5):
        assert client.post(capture_url(meeting), {"action": "support", "issue": issue.pk}).status_code == 302
    assert IssueSupport.objects.filter(issue=issue).count() == 1
    assert AuditEvent.objects.filter(action="issue.support").count() == 1


# --- Who may not ------------------------------------------------------------------------
@pytest.mark.django_db
def test_anonymous_visitor_is_sent_to_log_in(client, meeting):
    response = client.post(capture_url(meeting), raise_data(meeting))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]
    assert Issue.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["not_confirmed", "other_meeting", "no_registration"])
def test_non_participants_are_refused(client, forum, meeting, kind):
    company, user = company_with_rep()
    if kind == "not_confirmed":
        make_registration(meeting, company, attendee=user, status=Registration.Status.INVITED)
    elif kind == "other_meeting":
        other = make_meeting(forum, title="Höstträff")
        other.status = Meeting.Status.HELD
        other.save()
        make_registration(other, company, attendee=user)
    client.force_login(user)
    page = client.get(capture_url(meeting))
    assert page.status_code == 403
    assert re.search("Bara bekräftade deltagare|Only confirmed participants", text_of(page))
    assert client.post(capture_url(meeting), raise_data(meeting)).status_code == 403
    assert Issue.objects.count() == 0


@pytest.mark.django_db
def test_invitation_link_refuses_unconfirmed_and_unknown(client, meeting):
    company, _user = company_with_rep()
    invited = make_registration(meeting, company, status=Registration.Status.INVITED)
    url = reverse("issues:capture_token", args=[invited.token])
    assert client.post(url, raise_data(meeting)).status_code == 403
    assert client.get(reverse("issues:capture_token", args=["no-such-token"])).status_code == 404
    assert Issue.objects.count() == 0


@pytest.mark.django_db
def test_a_documented_meeting_refuses_new_issues_and_support(client, meeting, participant):
    registration, user = participant
    issue = services.issue_create(actor=None, meeting=meeting, text="Tidigare fråga", side=Side.CITY,
                                  focus_area=area(meeting), keyed_in=True)
    meeting.status = Meeting.Status.DOCUMENTED
    meeting.save()
    client.force_login(user)
    page = client.get(capture_url(meeting))
    assert page.status_code == 200
    assert re.search("dokumenterad|documented", text_of(page)) and "Tidigare fråga" in text_of(page)
    assert client.post(capture_url(meeting), raise_data(meeting)).status_code == 403
    assert client.post(capture_url(meeting), {"action": "support", "issue": issue.pk}).status_code == 403
    assert Issue.objects.count() == 1 and IssueSupport.objects.count() == 0
    facilitator = meeting.facilitators.get()
    client.force_login(facilitator)
    assert client.post(reverse("issues:key_in", args=[meeting.pk]), raise_data(meeting)).status_code == 403
    assert Issue.objects.count() == 1


# --- Me too -----------------------------------------------------------------------------
@pytest.mark.django_db
def test_me_too_is_idempotent_and_the_link_counts_as_the_same_person(client, meeting, participant):
    registration, user = participant
    issue = services.issue_create(actor=None, meeting=meeting, text="Fler praktikplatser", side=Side.BUSINESS,
                                  focus_area=area(meeting), keyed_in=True)
    client.force_login(user)
    first = client.post(capture_url(meeting), {"action": "support", "issue": issue.pk})
    assert first.status_code == 302 and first["Location"].endswith(f"#issue-{issue.pk}")
    again = client.post(capture_url(meeting), {"action": "support", "issue": issue.pk}, follow=True)
    assert re.search("Du stöder redan|You already support", text_of(again))
    client.logout()
    client.post(reverse("issues:capture_token", args=[registration.token]), {"action": "support", "issue": issue.pk})
    assert IssueSupport.objects.filter(issue=issue).count() == 1
    page = text_of(client.get(reverse("issues:capture_token", args=[registration.token])))
    assert re.search("Du stöder frågan|You support this issue", page)
    assert re.search("1 person stöder|1 person supports", page)


@pytest.mark.django_db
def test_support_for_a_merged_issue_goes_to_the_survivor(client, forum, meeting, participant):
    _registration, user = participant
    coordinator = make_role_holder(forum, Role.COORDINATOR, "samordnare@forum.example")
    survivor = services.issue_create(actor=None, meeting=meeting, text="Lokaler", side=Side.BUSINESS, keyed_in=True)
    duplicate = services.issue_create(actor=None, meeting=meeting, text="Lokalbrist", side=Side.BUSINESS,
                                      keyed_in=True)
    services.issue_merge(actor=coordinator, survivor=survivor, duplicates=[duplicate])
    client.force_login(user)
    response = client.post(capture_url(meeting), {"action": "support", "issue": duplicate.pk})
    assert response.status_code == 302 and response["Location"].endswith(f"#issue-{survivor.pk}")
    assert list(IssueSupport.objects.values_list("issue_id", "person_id")) == [(survivor.pk, user.pk)]


@pytest.mark.django_db
def test_support_for_another_meetings_issue_is_404(client, forum, meeting, participant):
    _registration, user = participant
    other = make_meeting(forum, title="Höstträff")
    foreign = services.issue_create(actor=None, meeting=other, text="Annan", side=Side.CITY, keyed_in=True)
    client.force_login(user)
    assert client.post(capture_url(meeting), {"action": "support", "issue": foreign.pk}).status_code == 404
    assert IssueSupport.objects.count() == 0


# --- Key-in -----------------------------------------------------------------------------
@pytest.mark.django_db
def test_facilitator_keys_in_several_in_a_row(client, meeting, facilitator, participant):
    registration, _user = participant
    url = reverse("issues:key_in", args=[meeting.pk])
    client.force_login(facilitator)
    page = client.get(url)
    assert page.status_code == 200 and "autofocus" in text_of(page)
    second_area = meeting.forum.focus_areas.order_by("position")[1]
    texts = ["Bättre kollektivtrafik till industriområdet", "Enklare upphandling", "Fler sommarjobb"]
    location = url
    for number, text in enumerate(texts):
        data = {"text": text, "focus_area": second_area.pk, "side": Side.CITY}
        if number == 1:
            data.update(organisation=registration.organisation.pk, anonymous="on")
        response = client.post(url, data)
        assert response.status_code == 302
        location = response["Location"]
        assert f"focus_area={second_area.pk}" in location and "side=city" in location
    again = text_of(client.get(location))
    # The next one starts with the same focus area and side, and the cursor in the text field.
    assert f'value="{second_area.pk}" selected' in again
    assert re.search(r'value="city"[^>]*checked', again)
    assert re.search(r"<textarea[^>]*autofocus", again)
    assert re.search("Frågan har sparats|The issue has been saved", again)
    for text in texts:
        assert text in again

    issues = list(Issue.objects.order_by("created_at"))
    assert [i.text for i in issues] == texts
    assert all(i.keyed_in_by == facilitator and i.raised_by is None and i.raised_by_registration is None
               for i in issues)
    assert issues[1].organisation == registration.organisation and issues[1].anonymous
    assert issues[0].organisation is None


@pytest.mark.django_db
def test_key_in_refuses_an_organisation_not_at_the_meeting(client, meeting, facilitator):
    stranger = make_company("Främling AB")
    client.force_login(facilitator)
    response = client.post(reverse("issues:key_in", args=[meeting.pk]),
                           {"text": "Något", "focus_area": area(meeting).pk, "side": Side.CITY,
                            "organisation": stranger.pk})
    assert response.status_code == 400 and "Något" in text_of(response)
    assert Issue.objects.count() == 0


@pytest.mark.django_db
def test_company_rep_cannot_key_in_or_see_the_room_screen(client, meeting, participant):
    _registration, user = participant
    client.force_login(user)
    for name in ("issues:key_in", "issues:screen", "issues:screen_json"):
        assert client.get(reverse(name, args=[meeting.pk])).status_code == 403
    assert client.post(reverse("issues:key_in", args=[meeting.pk]), raise_data(meeting)).status_code == 403
    assert Issue.objects.count() == 0


# --- The room screen --------------------------------------------------------------------
@pytest.mark.django_db
def test_room_screen_shows_texts_and_counts_but_no_anonymous_names_or_emails(client, meeting, facilitator):
    company, rep = company_with_rep()
    company.name = "Hemlighet AB"
    company.save()
    hidden = make_registration(meeting, company, attendee=rep)
    open_company, open_rep = company_with_rep()
    shown = make_registration(meeting, open_company, attendee=open_rep)
    secret = services.issue_create(actor=rep, meeting=meeting, registration=hidden, text="Anonym fråga",
                                   side=Side.BUSINESS, focus_area=area(meeting), anonymous=True)
    public = services.issue_create(actor=open_rep, meeting=meeting, registration=shown, text="Öppen fråga",
                                   side=Side.BUSINESS, focus_area=area(meeting))
    services.issue_support(issue=secret, person=open_rep, registration=shown)
    services.issue_support(issue=secret, registration=make_registration(meeting, company_with_rep()[0]))

    client.force_login(facilitator)
    response = client.get(reverse("issues:screen_json", args=[meeting.pk]))
    assert response.status_code == 200
    data = response.json()
    rows = {row["text"]: row for row in data["issues"]}
    assert rows["Anonym fråga"]["support_count"] == 2 and rows["Öppen fråga"]["support_count"] == 0
    assert rows["Anonym fråga"]["organisation"] == "" and rows["Öppen fråga"]["organisation"] == open_company.name
    assert [row["text"] for row in data["issues"]] == ["Öppen fråga", "Anonym fråga"]  # newest first
    raw = response.content.decode()
    assert "Hemlighet AB" not in raw
    for person in (rep, open_rep):
        assert person.email not in raw and person.first_name not in raw

    page = client.get(reverse("issues:screen", args=[meeting.pk]))
    html = text_of(page)
    assert page.status_code == 200
    assert "Anonym fråga" in html and "Öppen fråga" in html and "Hemlighet AB" not in html
    assert 'aria-live="polite"' in html and '<meta http-equiv="refresh" content="15">' in html
    assert reverse("forum:accessibility") in html and 'class="skip-link"' in html
    assert public.pk in [row["id"] for row in data["issues"]]


# --- Links ------------------------------------------------------------------------------
@pytest.mark.django_db
def test_links_from_the_meeting_page_the_invitation_and_the_coordinator_nav(client, forum, meeting, participant):
    registration, user = participant
    client.force_login(user)
    assert capture_url(meeting) in text_of(client.get(meeting.get_absolute_url()))
    outsider = make_user("utanfor@forum.example")
    client.force_login(outsider)
    assert capture_url(meeting) not in text_of(client.get(meeting.get_absolute_url()))
    client.logout()
    invitation = text_of(client.get(reverse("events:invitation", args=[registration.token])))
    assert reverse("issues:capture_token", args=[registration.token]) in invitation
    coordinator = make_role_holder(forum, Role.COORDINATOR, "samordnare@forum.example")
    client.force_login(coordinator)
    manage = text_of(client.get(reverse("events:meeting_manage", args=[meeting.pk])))
    assert reverse("issues:key_in", args=[meeting.pk]) in manage
    assert reverse("issues:screen", args=[meeting.pk]) in manage


# --- Fixed number of queries ------------------------------------------------------------
def _issues(meeting, count: int, supporters) -> None:
    for n in range(count):
        issue = services.issue_create(actor=None, meeting=meeting, text=f"Fråga {n}", side=Side.BUSINESS,
                                      focus_area=area(meeting), keyed_in=True, anonymous=n % 2 == 0,
                                      organisation=supporters[n % len(supporters)].organisation)
        for registration in supporters[: n % 3]:
            services.issue_support(issue=issue, registration=registration)


@pytest.mark.django_db
@pytest.mark.parametrize("count", [5, 40])
def test_participant_page_and_room_screen_run_a_fixed_number_of_queries(
    client, meeting, facilitator, participant, count, django_assert_max_num_queries,
):
    registration, user = participant
    supporters = [registration] + [make_registration(meeting, company_with_rep()[0]) for _ in range(2)]
    _issues(meeting, count, supporters)
    client.force_login(user)
    # Session, user, meeting, registration, its pool (side), focus areas, issues, supports,
    # the user's forum roles (menu), the registration's organisation.
    with django_assert_max_num_queries(10):
        response = client.get(capture_url(meeting))
    assert response.status_code == 200 and text_of(response).count('id="issue-') == count
    client.logout()
    with django_assert_max_num_queries(5):
        response = client.get(reverse("issues:capture_token", args=[registration.token]))
    assert response.status_code == 200 and text_of(response).count('id="issue-') == count
    client.force_login(facilitator)
    with django_assert_max_num_queries(5):
        response = client.get(reverse("issues:screen", args=[meeting.pk]))
    assert response.status_code == 200 and text_of(response).count('class="screen-issue"') == count
    with django_assert_max_num_queries(5):
        response = client.get(reverse("issues:screen_json", args=[meeting.pk]))
    assert len(response.json()["issues"]) == count
