"""Support ("me too") counts each person once: the raiser of an issue is not also counted as its
supporter, neither by supporting it on the participant page nor when a coordinator merges a
duplicate they raised (or supported) into it."""
from __future__ import annotations

import re

import pytest
from django.urls import reverse

from events.models import Meeting
from forum.models import Role
from issues.models import Issue, IssueSupport
from tests.factories import company_with_rep, make_meeting, make_registration, make_role_holder

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(forum):
    meeting = make_meeting(forum, focus_areas=forum.focus_areas.all())
    meeting.status = Meeting.Status.HELD
    meeting.save()
    return meeting


def participant(meeting):
    company, user = company_with_rep()
    return user, make_registration(meeting, company, attendee=user, attendee_email=user.email)


def raise_by_page(client, url, meeting, text) -> Issue:
    area = meeting.forum.focus_areas.order_by("position").first()
    response = client.post(url, {"action": "raise", "text": text, "focus_area": area.pk, "side": "business"})
    assert response.status_code == 302
    return Issue.objects.get(text=text)


def test_the_raiser_does_not_support_their_own_issue(client, meeting):
    user, registration = participant(meeting)
    client.force_login(user)
    url = reverse("issues:capture", args=[meeting.pk])
    issue = raise_by_page(client, url, meeting, "Fler praktikplatser")
    response = client.post(url, {"action": "support", "issue": issue.pk}, follow=True)
    assert re.search("tog själv upp|raised this issue yourself", response.content.decode())
    # … nor by their personal link.
    client.logout()
    token_url = reverse("issues:capture_token", args=[registration.token])
    client.post(token_url, {"action": "support", "issue": issue.pk})
    assert not IssueSupport.objects.filter(issue=issue).exists()
    assert re.search("0 personer stöder|0 people support", client.get(token_url).content.decode())
    # Someone else's support counts.
    other, _registration = participant(meeting)
    client.force_login(other)
    client.post(url, {"action": "support", "issue": issue.pk})
    assert IssueSupport.objects.filter(issue=issue).count() == 1


def test_merging_a_duplicate_of_the_same_raiser_counts_them_once(client, forum, meeting):
    user, _registration = participant(meeting)
    backer, _backer_registration = participant(meeting)
    client.force_login(user)
    url = reverse("issues:capture", args=[meeting.pk])
    survivor = raise_by_page(client, url, meeting, "Fler lärlingsplatser")
    duplicate = raise_by_page(client, url, meeting, "Lärlingsplatser behövs")
    client.force_login(backer)
    client.post(url, {"action": "support", "issue": duplicate.pk})
    coordinator = make_role_holder(forum, Role.COORDINATOR, "samordnare@forum.example")
    client.force_login(coordinator)
    response = client.post(reverse("issues:issue_manage", args=[survivor.pk]),
                           {"action": "merge", "duplicates": [duplicate.pk]})
    assert response.status_code == 302
    # The duplicate's supporter carries over; its raiser is the survivor's raiser, counted once.
    assert list(IssueSupport.objects.filter(issue=survivor).values_list("person", flat=True)) == [backer.pk]
    client.force_login(user)
    assert re.search("1 person stöder|1 person supports", client.get(url).content.decode())


def test_a_merge_tells_those_who_raised_or_supported_the_duplicate_once(client, forum, meeting):
    from forum.models import OutboxMessage

    user, _registration = participant(meeting)
    other, _other_registration = participant(meeting)
    backer, _backer_registration = participant(meeting)
    client.force_login(user)
    url = reverse("issues:capture", args=[meeting.pk])
    survivor = raise_by_page(client, url, meeting, "Fler lärlingsplatser")
    client.force_login(other)
    duplicate = raise_by_page(client, url, meeting, "Lärlingsplatser behövs")
    client.force_login(backer)
    client.post(url, {"action": "support", "issue": duplicate.pk})
    coordinator = make_role_holder(forum, Role.COORDINATOR, "samordnare@forum.example")
    client.force_login(coordinator)
    assert client.post(reverse("issues:issue_manage", args=[survivor.pk]),
                       {"action": "merge", "duplicates": [duplicate.pk]}).status_code == 302
    mails = list(OutboxMessage.objects.filter(template="issues/status_changed"))
    # The duplicate's raiser and supporter, once each; the survivor's raiser saw no change.
    assert sorted(m.to_email for m in mails) == sorted([other.email, backer.email])
    for mail in mails:
        assert "Lärlingsplatser behövs" in mail.body_text and "Fler lärlingsplatser" in mail.body_text
        assert re.search("slagits ihop|merged", mail.body_text)
        assert "väntar på att hanteras" not in mail.body_text and "waiting to be handled" not in mail.body_text


def test_erasing_an_account_keeps_its_support_counted_naming_nobody(client, forum, meeting):
    """DESIGN: aggregates stay when a person is erased. A support given by the account alone
    (logged in, no registration on the row) used to go with the account, so "N people support
    this" dropped; it stays, with no person and no registration, through a later merge too."""
    import json

    from tests.test_personal_data import _log_in

    raiser, _registration = participant(meeting)
    backer, _backer_registration = participant(meeting)
    client.force_login(raiser)
    url = reverse("issues:capture", args=[meeting.pk])
    survivor = raise_by_page(client, url, meeting, "Fler lärlingsplatser")
    duplicate = raise_by_page(client, url, meeting, "Lärlingsplatser behövs")
    _log_in(client, backer)
    assert client.post(url, {"action": "support", "issue": duplicate.pk}).status_code == 302
    exported = json.dumps(json.loads(client.get(reverse("accounts:personal_data_download")).content),
                          ensure_ascii=False)
    assert "Lärlingsplatser behövs" in exported
    assert client.post(reverse("accounts:erase"), {"confirm": "on"}).status_code == 302

    support = IssueSupport.objects.get(issue=duplicate)
    assert (support.person_id, support.registration_id) == (None, None)
    client.force_login(raiser)
    page = " ".join(client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode().split())
    assert "Lärlingsplatser behövs" in page and "1 person supports this" in page
    assert backer.email not in page
    assert client.get(reverse("issues:issue_detail", args=[duplicate.pk])).status_code == 200
    # Merged, the kept support moves to the survivor and still counts (those who are told of
    # the merge are read from the supports: one that names nobody is nobody to tell).
    coordinator = make_role_holder(forum, Role.COORDINATOR, "samordnare@forum.example")
    client.force_login(coordinator)
    assert client.post(reverse("issues:issue_manage", args=[survivor.pk]),
                       {"action": "merge", "duplicates": [duplicate.pk]}).status_code == 302
    assert IssueSupport.objects.filter(issue=survivor).count() == 1
    manage = " ".join(client.get(reverse("issues:issue_manage", args=[survivor.pk]),
                                 HTTP_ACCEPT_LANGUAGE="en").content.decode().split())
    assert re.search(r"Supporters</dt><dd[^>]*>1<", manage)
    client.force_login(raiser)
    page = " ".join(client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode().split())
    assert "1 person supports this" in page
