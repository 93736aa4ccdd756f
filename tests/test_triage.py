"""Triage of issues: the coordinators' queue and issue page (edit with history, status,
merge), the feedback mail on every status change, and the public issues pages."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from events.models import Meeting
from forum.models import Organisation, OutboxMessage, Role
from issues import services
from issues.models import Issue, IssueEvent, IssueSupport, Side
from tests.factories import (
    make_company,
    make_meeting,
    make_registration,
    make_representative,
    make_role_holder,
    make_user,
    next_number,
)

TODAY = timezone.localdate()


@pytest.fixture
def coordinator(forum):
    return make_role_holder(forum, Role.COORDINATOR, "samordnare@example.se", first_name="Sara", last_name="Samordnare")


@pytest.fixture
def meetings(forum):
    first = make_meeting(forum, kind="city_for_business", title="Träff 1")
    second = make_meeting(forum, kind="business_for_city", title="Träff 2",
                          starts_at=timezone.now() + dt.timedelta(days=90))
    for meeting in (first, second):
        meeting.status = Meeting.Status.PUBLISHED
        meeting.save()
    return first, second


@pytest.fixture
def department():
    return Organisation.objects.create(kind=Organisation.Kind.DEPARTMENT, name="Fastighets- och gatukontoret")


def participant(meeting, *, email=None, name="Per", notify=True, company=None):
    """A confirmed participant with an account, representing a company, and their registration."""
    company = company or make_company()
    user = make_representative(company, email or f"deltagare{next_number()}@example.se", first_name=name,
                               last_name="Deltagare", notify_issue_updates=notify)
    return user, make_registration(meeting, company, attendee=user)


def raise_issue(meeting, text="Svårt att få bygglov i tid", *, registration=None, area=None, anonymous=False,
                side=Side.BUSINESS) -> Issue:
    if registration is None:
        _user, registration = participant(meeting)
    area = area or meeting.forum.focus_areas.order_by("position").first()
    return services.issue_create(actor=registration.attendee, meeting=meeting, text=text, side=side, focus_area=area,
                                 anonymous=anonymous, registration=registration)


def queue_ids(client, forum, **params) -> set[int]:
    response = client.get(reverse("issues:triage_queue", args=[forum.slug]), params)
    assert response.status_code == 200
    return {issue.pk for issue in response.context["page"].object_list}


# --- The queue ---------------------------------------------------------------------------
@pytest.mark.django_db
def test_queue_filters_each_narrow(client, forum, coordinator, meetings, department):
    first, second = meetings
    area1, area2 = list(forum.focus_areas.order_by("position")[:2])
    a = raise_issue(first, "Parkering vid Hyllie", area=area1)
    b = raise_issue(second, "Praktikplatser för unga", area=area2)
    overdue = raise_issue(first, "Trasig gatubelysning", area=area2)
    later = raise_issue(second, "Skyltning i centrum", area=area1)
    merged = raise_issue(first, "Parkeringen i Hyllie igen", area=area1)
    services.issue_merge(actor=coordinator, survivor=a, duplicates=[merged])
    for issue, due in ((overdue, TODAY - dt.timedelta(days=1)), (later, TODAY + dt.timedelta(days=10))):
        services.issue_set_status(actor=coordinator, issue=issue, status=Issue.Status.QUICK_FIX, department=department,
                                  responsible=coordinator, due_date=due,
                                  now=timezone.now() - dt.timedelta(days=5))  # triaged before the overdue one was due
    client.force_login(coordinator)

    assert queue_ids(client, forum) == {a.pk, b.pk, overdue.pk, later.pk}  # merged hidden by default
    assert queue_ids(client, forum, merged="on") == {a.pk, b.pk, overdue.pk, later.pk, merged.pk}
    assert queue_ids(client, forum, meeting=first.pk) == {a.pk, overdue.pk}
    assert queue_ids(client, forum, focus_area=area2.pk) == {b.pk, overdue.pk}
    assert queue_ids(client, forum, status="quick_fix") == {overdue.pk, later.pk}
    assert queue_ids(client, forum, status="merged") == {merged.pk}
    assert queue_ids(client, forum, overdue="on") == {overdue.pk}
    assert queue_ids(client, forum, q="praktik") == {b.pk}
    assert queue_ids(client, forum, meeting=second.pk, focus_area=area1.pk) == {later.pk}
    html = client.get(reverse("issues:triage_queue", args=[forum.slug])).content.decode()
    assert "Sara Samordnare" in html and (TODAY - dt.timedelta(days=1)).isoformat() in html
    # The coordinator's menu links to the queue.
    assert reverse("issues:triage_queue", args=[forum.slug]) in client.get("/").content.decode()


@pytest.mark.django_db
def test_permissions(client, forum, coordinator, meetings):
    issue = raise_issue(meetings[0])
    queue = reverse("issues:triage_queue", args=[forum.slug])
    manage = reverse("issues:issue_manage", args=[issue.pk])
    assert client.get(reverse("issues:public_issues", args=[forum.slug])).status_code == 200
    assert client.get(reverse("issues:issue_detail", args=[issue.pk])).status_code == 200
    assert client.get(queue).status_code == 302  # to the log-in page

    client.force_login(coordinator)
    assert client.get(queue).status_code == 200
    assert client.get(manage).status_code == 200

    facilitator = make_role_holder(forum, Role.FACILITATOR, "processledare@example.se")
    client.force_login(facilitator)
    assert client.get(queue).status_code == 403
    # A facilitator may fix the text of an issue but not triage it.
    assert client.get(manage).status_code == 200
    response = client.post(manage, {"action": "status", "status": "candidate"})
    assert response.status_code == 403
    issue.refresh_from_db()
    assert issue.status == Issue.Status.NEW

    _company_user, _registration = participant(meetings[0])
    client.force_login(_company_user)
    assert client.get(queue).status_code == 403
    assert client.get(manage).status_code == 403
    assert client.post(manage, {"action": "edit", "text": "Ändrat", "side": "city"}).status_code == 403


# --- Editing keeps history ---------------------------------------------------------------
@pytest.mark.django_db
def test_edit_keeps_before_and_after(client, forum, coordinator, meetings):
    area1, area2 = list(forum.focus_areas.order_by("position")[:2])
    issue = raise_issue(meetings[0], "Bygglov tar för lång tid", area=area1)
    client.force_login(coordinator)
    url = reverse("issues:issue_manage", args=[issue.pk])
    response = client.post(url, {"action": "edit", "text": "Bygglov tar för lång tid i Malmö",
                                 "focus_area": area2.pk, "side": "business", "anonymous": "on"})
    assert response.status_code == 302
    event = IssueEvent.objects.get(issue=issue, kind=IssueEvent.Kind.EDITED)
    assert event.actor == coordinator
    assert event.changes["text"] == ["Bygglov tar för lång tid", "Bygglov tar för lång tid i Malmö"]
    assert event.changes["focus_area"] == [area1.pk, area2.pk]
    assert event.changes["anonymous"] == [False, True]
    html = client.get(url).content.decode()
    assert f"{area1.name}</span> → {area2.name}" in html
    assert "Sara Samordnare" in html
    assert re.search("Visas anonymt för allmänheten|Shown anonymously to the public", html)

    # An empty text: 400, nothing changed, the other fields kept.
    response = client.post(url, {"action": "edit", "text": "   ", "focus_area": area1.pk, "side": "city"})
    assert response.status_code == 400
    issue.refresh_from_db()
    assert issue.text == "Bygglov tar för lång tid i Malmö" and issue.side == "business"


# --- Merging ------------------------------------------------------------------------------
@pytest.mark.django_db
def test_merge_carries_supporters_and_raisers(client, forum, coordinator, meetings):
    meeting = meetings[0]
    raiser_a, reg_a = participant(meeting, name="Anna")
    raiser_b, reg_b = participant(meeting, name="Bo")
    supporter_c, reg_c = participant(meeting, name="Cecilia")
    survivor = raise_issue(meeting, "Fler lärlingsplatser", registration=reg_a)
    duplicate = raise_issue(meeting, "Lärlingsplatser behövs", registration=reg_b)
    other = raise_issue(meeting, "Något helt annat")
    services.issue_support(issue=duplicate, person=supporter_c)
    services.issue_support(issue=survivor, person=supporter_c)  # already supports both
    services.issue_support(issue=duplicate, person=raiser_a)

    client.force_login(coordinator)
    url = reverse("issues:issue_manage", args=[survivor.pk])
    listed = client.get(url, {"q": "lärling"})
    assert listed.status_code == 200
    assert [c.pk for c in listed.context["merge_candidates"]] == [duplicate.pk]
    # Nothing chosen: 400 with a message, nothing merged.
    empty = client.post(url, {"action": "merge"})
    assert empty.status_code == 400
    assert re.search("Välj minst en fråga|Choose at least one issue", empty.content.decode())
    assert client.post(url, {"action": "merge", "duplicates": [duplicate.pk]}).status_code == 302

    duplicate.refresh_from_db()
    assert duplicate.status == Issue.Status.MERGED and duplicate.merged_into == survivor
    supporters = list(IssueSupport.objects.filter(issue=survivor).values_list("person_id", flat=True))
    assert raiser_b.pk in supporters and supporter_c.pk in supporters
    assert len(supporters) == len(set(supporters))  # no one supports twice
    assert not IssueSupport.objects.filter(issue=duplicate).exists()
    assert Issue.objects.get(pk=other.pk).status == Issue.Status.NEW

    # The merged issue points at the survivor, on its staff page and publicly.
    staff = client.get(reverse("issues:issue_manage", args=[duplicate.pk])).content.decode()
    assert reverse("issues:issue_manage", args=[survivor.pk]) in staff
    client.logout()
    public = client.get(reverse("issues:public_issues", args=[forum.slug])).content.decode()
    assert "Lärlingsplatser behövs" in public and reverse("issues:issue_detail", args=[survivor.pk]) in public
    detail = client.get(duplicate.get_absolute_url()).content.decode()
    assert reverse("issues:issue_detail", args=[survivor.pk]) in detail
    assert re.search("sammanförd|slagits ihop|merged", detail, re.I)
    survivor_page = client.get(survivor.get_absolute_url()).content.decode()
    assert duplicate.get_absolute_url() in survivor_page


# --- Status changes ------------------------------------------------------------------------
@pytest.mark.django_db
def test_status_change_validation(client, forum, coordinator, meetings, department):
    issue = raise_issue(meetings[0])
    client.force_login(coordinator)
    url = reverse("issues:issue_manage", args=[issue.pk])
    due = (TODAY + dt.timedelta(days=14)).isoformat()

    response = client.post(url, {"action": "status", "status": "quick_fix", "responsible": coordinator.pk,
                                 "due_date": due, "answer": "Vi tittar på det"})
    assert response.status_code == 400
    html = response.content.decode()
    assert re.search("förvaltning|department", html) and "Vi tittar på det" in html and due in html
    response = client.post(url, {"action": "status", "status": "resolved", "answer": "  "})
    assert response.status_code == 400
    response = client.post(url, {"action": "status", "status": "quick_fix", "department": department.pk,
                                 "responsible_email": "ingen@example.se", "due_date": due})
    assert response.status_code == 400
    issue.refresh_from_db()
    assert issue.status == Issue.Status.NEW and issue.department is None
    assert not IssueEvent.objects.filter(issue=issue, kind=IssueEvent.Kind.STATUS).exists()
    assert not OutboxMessage.objects.filter(template="issues/status_changed").exists()

    # A responsible person chosen by email address.
    official = make_user("handlaggare@example.se", first_name="Hanna", last_name="Handläggare")
    response = client.post(url, {"action": "status", "status": "quick_fix", "department": department.pk,
                                 "responsible_email": "Handlaggare@example.se", "due_date": due})
    assert response.status_code == 302
    issue.refresh_from_db()
    assert (issue.status, issue.department, issue.responsible, issue.due_date.isoformat()) == (
        Issue.Status.QUICK_FIX, department, official, due)
    history = client.get(url).content.decode()
    assert re.search(r"(Ny|New)</span> → (Snabbåtgärd|Quick fix)", history)


# --- Feedback -------------------------------------------------------------------------------
@pytest.mark.django_db
def test_status_change_mails_raisers_and_supporters_who_want_it(forum, coordinator, meetings):
    meeting = meetings[0]
    raiser, registration = participant(meeting, email="fragestallare@example.se")
    issue = raise_issue(meeting, "Cykelparkering vid stationen", registration=registration)
    wants, _r = participant(meeting, email="vill@example.se")
    opted_out, _r = participant(meeting, email="vill-inte@example.se", notify=False)
    link_only = make_registration(meeting, make_company(), attendee=None, attendee_email="lank@example.se",
                                  attendee_name="Lena Länk")
    for person in (wants, opted_out):
        services.issue_support(issue=issue, person=person)
    services.issue_support(issue=issue, registration=link_only)
    # An address given at registration that belongs to an account which turned the mail off.
    make_user("konto-av@example.se", notify_issue_updates=False)
    services.issue_support(issue=issue, registration=make_registration(
        meeting, make_company(), attendee=None, attendee_email="konto-av@example.se"))

    services.issue_set_status(actor=coordinator, issue=issue, status=Issue.Status.RESOLVED,
                              answer="Ett nytt cykelgarage öppnar i maj.")
    mails = list(OutboxMessage.objects.filter(template="issues/status_changed"))
    assert sorted(m.to_email for m in mails) == ["fragestallare@example.se", "lank@example.se", "vill@example.se"]
    for mail in mails:
        assert "Ett nytt cykelgarage öppnar i maj." in mail.body_text and "Ett nytt cykelgarage" in mail.body_html
        assert "Cykelparkering vid stationen" in mail.body_text
        assert re.search("Löst|Resolved", mail.subject)
        assert issue.get_absolute_url() in mail.body_text and reverse("accounts:profile") in mail.body_text
    # Setting the same status again tells no one again.
    services.issue_set_status(actor=coordinator, issue=issue, status=Issue.Status.RESOLVED, answer="Ändrat svar")
    assert OutboxMessage.objects.filter(template="issues/status_changed").count() == 3


@pytest.mark.django_db
def test_quick_fix_mail_names_department_and_due_date(forum, coordinator, meetings, department):
    raiser, registration = participant(meetings[0], email="snabb@example.se")
    issue = raise_issue(meetings[0], registration=registration)
    due = TODAY + dt.timedelta(days=7)
    services.issue_set_status(actor=coordinator, issue=issue, status=Issue.Status.QUICK_FIX, department=department,
                              responsible=coordinator, due_date=due)
    [mail] = OutboxMessage.objects.filter(template="issues/status_changed")
    assert department.name in mail.body_text and "Sara Samordnare" in mail.body_text
    assert str(due.year) in mail.body_text


@pytest.mark.django_db
def test_profile_turns_issue_mail_off(client):
    """Issue mail is one of the email choices on "My details" (communication's preferences,
    issue 13); the account's notify_issue_updates follows it, since issue_recipients reads it."""
    user = make_user("profil@example.se", first_name="Pia", last_name="Profil")
    client.force_login(user)
    page = client.get(reverse("accounts:profile"))
    assert 'name="issue_updates" value="immediately"' in page.content.decode().replace(" checked", "")
    choices = {"issue_updates": "never", "network_updates": "weekly", "news": "weekly", "newsletters": "immediately"}
    response = client.post(reverse("communication:preferences"), choices)
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.notify_issue_updates is False
    client.post(reverse("communication:preferences"), {**choices, "issue_updates": "immediately"})
    user.refresh_from_db()
    assert user.notify_issue_updates is True


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_feedback_mail_reaches_the_smtp_sink(forum, mailbox):
    coordinator = make_role_holder(forum, Role.COORDINATOR, "samordnare-arbetare@example.se")
    meeting = make_meeting(forum)
    _raiser, registration = participant(meeting, email="aterkoppling@example.se")
    issue = raise_issue(meeting, "Bättre busstrafik till industriområdet", registration=registration)
    services.issue_set_status(actor=coordinator, issue=issue, status=Issue.Status.CANDIDATE)
    [received] = mailbox.wait_for(lambda m: "aterkoppling@example.se" in m["To"])
    body = received.get_body(preferencelist=("plain",)).get_content()
    assert "Bättre busstrafik till industriområdet" in body
    assert re.search("prioriteringslistan|priority list", body)
    assert len([m for m in mailbox.messages() if "aterkoppling@example.se" in m["To"]]) == 1


# --- The public pages ------------------------------------------------------------------------
@pytest.mark.django_db
def test_public_page_hides_anonymous_raisers(client, forum, coordinator, meetings, department):
    meeting = meetings[0]
    secret_company = make_company("Hemliga Bolaget AB")
    secret, secret_reg = participant(meeting, email="hemlig.person@example.se", name="Hemlighetsfulla",
                                     company=secret_company)
    anonymous = raise_issue(meeting, "Anonym fråga om trygghet", registration=secret_reg, anonymous=True)
    open_company = make_company("Öppna Bolaget AB")
    _open, open_reg = participant(meeting, email="oppen.person@example.se", name="Öppenhjärtiga",
                                  company=open_company)
    named = raise_issue(meeting, "Öppen fråga om lokaler", registration=open_reg)
    services.issue_set_status(actor=coordinator, issue=named, status=Issue.Status.QUICK_FIX, department=department,
                              responsible=coordinator, due_date=TODAY + dt.timedelta(days=5))
    services.issue_set_status(actor=coordinator, issue=anonymous, status=Issue.Status.OUT_OF_SCOPE,
                              answer="Frågan gäller polisen.")

    for url in (reverse("issues:public_issues", args=[forum.slug]), anonymous.get_absolute_url(),
                named.get_absolute_url()):
        html = client.get(url).content.decode()
        for hidden in ("Hemliga Bolaget AB", "hemlig.person@example.se", "Hemlighetsfulla", "oppen.person@example.se",
                       "Öppenhjärtiga", "Sara Samordnare", "samordnare@example.se"):
            assert hidden not in html, (url, hidden)
    listing = client.get(reverse("issues:public_issues", args=[forum.slug])).content.decode()
    assert re.search("Anonym|Anonymous", listing)
    assert "Öppna Bolaget AB" in listing and department.name in listing and "Frågan gäller polisen." in listing
    detail = client.get(named.get_absolute_url()).content.decode()
    assert "Öppna Bolaget AB" in detail and department.name in detail
    assert re.search("(Ny|New) (till|to) (Snabbåtgärd|Quick fix)", detail)
    # The forum page links here.
    assert reverse("issues:public_issues", args=[forum.slug]) in client.get(forum.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_public_page_filters(client, forum, coordinator, meetings):
    first, second = meetings
    area1, area2 = list(forum.focus_areas.order_by("position")[:2])
    a = raise_issue(first, "Fråga A", area=area1, side=Side.CITY)
    b = raise_issue(second, "Fråga B", area=area2, side=Side.BUSINESS)
    services.issue_set_status(actor=coordinator, issue=b, status=Issue.Status.CANDIDATE)
    url = reverse("issues:public_issues", args=[forum.slug])

    def ids(**params):
        response = client.get(url, params)
        assert response.status_code == 200
        return {i.pk for i in response.context["page"].object_list}

    assert ids() == {a.pk, b.pk}
    assert ids(meeting=first.pk) == {a.pk}
    assert ids(focus_area=area2.pk) == {b.pk}
    assert ids(status="candidate") == {b.pk}
    assert ids(side="city") == {a.pk}


# --- Query counts ------------------------------------------------------------------------------
def _many_issues(forum, meeting, coordinator, department, count):
    organisations = [make_company() for _ in range(3)]
    people = [make_user(f"massa{next_number()}@example.se") for _ in range(3)]
    for n in range(count):
        issue = Issue.objects.create(
            forum=forum, meeting=meeting, text=f"Fråga nummer {n}", side=Side.BUSINESS,
            focus_area=forum.focus_areas.first(), organisation=organisations[n % 3], raised_by=people[n % 3],
            anonymous=n % 2 == 0, status=Issue.Status.QUICK_FIX, department=department, responsible=coordinator,
            due_date=TODAY,
        )
        IssueSupport.objects.create(issue=issue, person=people[(n + 1) % 3])


@pytest.mark.django_db
@pytest.mark.parametrize("count", [5, 40])
def test_list_pages_run_fixed_queries(client, forum, coordinator, meetings, department, count,
                                      django_assert_max_num_queries):
    _many_issues(forum, meetings[0], coordinator, department, count)
    client.force_login(coordinator)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("issues:triage_queue", args=[forum.slug]))
    assert response.status_code == 200 and response.context["page"].paginator.count == count
    with django_assert_max_num_queries(12):
        response = client.get(reverse("issues:public_issues", args=[forum.slug]))
    assert response.status_code == 200 and len(response.context["page"].object_list) == count
    client.logout()
    with django_assert_max_num_queries(8):
        response = client.get(reverse("issues:public_issues", args=[forum.slug]))
    assert response.status_code == 200
    issue = Issue.objects.filter(forum=forum).first()
    with django_assert_max_num_queries(8):
        assert client.get(issue.get_absolute_url()).status_code == 200


@pytest.mark.django_db
def test_unknown_issue_is_404(client):
    assert client.get(reverse("issues:issue_detail", args=[999999])).status_code == 404
    assert client.get(reverse("issues:issue_manage", args=[999999])).status_code == 302  # log in first


# --- Accessibility ------------------------------------------------------------------------------
@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_triage_and_public_pages_pass_axe(live_server, page, axe, forum, department):
    from tests.factories import log_in_in_browser

    coordinator = make_role_holder(forum, Role.COORDINATOR, "samordnare-axe@example.se", verified_email=True,
                                   first_name="Sara", last_name="Samordnare")
    meeting = make_meeting(forum)
    issue = raise_issue(meeting, "Fler mötesplatser i Rosengård")
    duplicate = raise_issue(meeting, "Mötesplatser i Rosengård", anonymous=True)
    services.issue_set_status(actor=coordinator, issue=issue, status=Issue.Status.QUICK_FIX, department=department,
                              responsible=coordinator, due_date=TODAY)
    services.issue_merge(actor=coordinator, survivor=issue, duplicates=[duplicate])
    page.goto(live_server.url + reverse("issues:public_issues", args=[forum.slug]))
    assert page.get_by_role("heading", level=1).count() == 1
    axe(page)
    page.goto(live_server.url + issue.get_absolute_url())
    axe(page)
    log_in_in_browser(page, live_server, coordinator)
    page.goto(live_server.url + reverse("issues:triage_queue", args=[forum.slug]))
    assert page.get_by_text("Fler mötesplatser i Rosengård").count() >= 1
    axe(page)
    page.goto(live_server.url + reverse("issues:issue_manage", args=[issue.pk]))
    axe(page)


@pytest.mark.django_db
def test_quick_fix_says_at_each_missing_field_and_refuses_a_passed_due_date(client, forum, coordinator, meetings,
                                                                             department):
    issue = raise_issue(meetings[0])
    client.force_login(coordinator)
    url = reverse("issues:issue_manage", args=[issue.pk])
    response = client.post(url, {"action": "status", "status": "quick_fix", "department": department.pk})
    assert response.status_code == 400
    errors = response.context["status_form"].errors
    assert set(errors) == {"responsible", "due_date"}, errors
    assert re.search("ansvarig person|responsible person", errors["responsible"][0])

    # The audit's case: "Klart senast" 2020-01-01.
    response = client.post(url, {"action": "status", "status": "quick_fix", "department": department.pk,
                                 "responsible": coordinator.pk, "due_date": "2020-01-01"})
    assert response.status_code == 400
    assert re.search("redan passerat|already passed", response.context["status_form"].errors["due_date"][0])
    issue.refresh_from_db()
    assert issue.status == Issue.Status.NEW and issue.due_date is None

    # Set while it lay ahead, an overdue date is kept when the issue is triaged again.
    services.issue_set_status(actor=coordinator, issue=issue, status=Issue.Status.QUICK_FIX, department=department,
                              responsible=coordinator, due_date=TODAY - dt.timedelta(days=2),
                              now=timezone.now() - dt.timedelta(days=5))
    response = client.post(url, {"action": "status", "status": "quick_fix", "department": department.pk,
                                 "responsible": coordinator.pk, "due_date": (TODAY - dt.timedelta(days=2)).isoformat()})
    assert response.status_code == 302
