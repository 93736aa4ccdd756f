"""What is not yet public stays with those who prepare it, and each forum is its own world:
the holes an audit of "a second forum, every role against every URL" found beyond what
tests/test_every_url.py (GET and an empty POST) reaches."""
from __future__ import annotations

import pytest
from django.urls import reverse

from forum.models import Role
from issues import services
from tests.factories import company_with_rep, make_forum, make_role_holder, make_user
from tests.test_voting import held_meeting, make_candidates, make_voter

pytestmark = pytest.mark.django_db

SECRET = "Hemlig omröstning om budgeten"


@pytest.fixture
def draft_vote(forum):
    """A vote created for a meeting and not opened yet, with its coordinator and facilitator."""
    coordinator = make_role_holder(forum, Role.COORDINATOR, "samordnare@example.se")
    facilitator = make_user("processledare@example.se")
    meeting = held_meeting(forum, facilitators=[facilitator])
    candidates = make_candidates(meeting, ["Snabbare bygglov", "Fler praktikplatser"])
    vote = services.vote_create(actor=coordinator, meeting=meeting, title=SECRET, candidates=candidates)
    return {"vote": vote, "meeting": meeting, "coordinator": coordinator, "facilitator": facilitator}


def _vote_pages(vote, token: str = "no-such-token") -> list[str]:
    return [reverse("issues:vote_result", args=[vote.pk]), reverse("issues:receipt_check", args=[vote.pk]),
            reverse("issues:ballot", args=[vote.pk]), reverse("issues:ballot_by_token", args=[vote.pk, token])]


def test_a_vote_not_yet_open_is_seen_only_by_those_who_run_it_and_its_voters(client, forum, draft_vote):
    vote, meeting = draft_vote["vote"], draft_vote["meeting"]
    other = make_forum(slug="lund", name="Lund möter näringslivet", municipality="Lund")
    other_coordinator = make_role_holder(other, Role.COORDINATOR, "lundsamordnare@example.se")
    _company, stranger = company_with_rep()
    # A confirmed participant of another meeting of the forum, with their personal link.
    elsewhere_user, elsewhere = make_voter(held_meeting(forum, title="Annat möte"))

    # Not logged in, by the other meeting's link, or logged in without a part in the meeting:
    # the vote does not exist yet (its title is not on any page, not even an error page).
    client.logout()
    for url in _vote_pages(vote, elsewhere.token):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code in (302, 404), url
        assert SECRET not in response.content.decode(), url
    for user in (stranger, other_coordinator, elsewhere_user):
        client.force_login(user)
        for url in _vote_pages(vote)[:3]:
            response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
            assert response.status_code == 404, (user.email, url)
            assert SECRET not in response.content.decode(), (user.email, url)

    # The meeting's confirmed participants are told it is not open yet (by login and by link).
    voter, registration = make_voter(meeting)
    client.force_login(voter)
    response = client.get(reverse("issues:ballot", args=[vote.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200 and "not open yet" in response.content.decode()
    client.logout()
    response = client.get(reverse("issues:ballot_by_token", args=[vote.pk, registration.token]),
                          HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200 and "not open yet" in response.content.decode()
    # Those who open it (the meeting's facilitator, the forum's coordinator) see it.
    for user in (draft_vote["facilitator"], draft_vote["coordinator"]):
        client.force_login(user)
        assert client.get(reverse("issues:vote_result", args=[vote.pk])).status_code == 200
        assert client.get(reverse("issues:receipt_check", args=[vote.pk])).status_code == 200

    # Once opened, the vote's public pages are everyone's.
    services.vote_open(actor=draft_vote["coordinator"], vote=vote)
    client.logout()
    response = client.get(reverse("issues:vote_result", args=[vote.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200 and SECRET in response.content.decode()
    assert client.get(reverse("issues:receipt_check", args=[vote.pk])).status_code == 200


def test_a_vote_opened_by_the_clock_is_public_without_a_hand_on_it(client, forum, draft_vote):
    import datetime as dt

    from django.utils import timezone

    from issues.models import Vote

    vote = draft_vote["vote"]
    Vote.objects.filter(pk=vote.pk).update(opens_at=timezone.now() - dt.timedelta(minutes=1))
    response = client.get(reverse("issues:vote_result", args=[vote.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200 and SECRET in response.content.decode()


def test_an_issue_of_a_meeting_set_back_to_draft_is_not_named_where_others_point_at_it(client, forum):
    from events.models import Meeting
    from issues.models import Issue
    from tests.network_helpers import form_network, raiser_and_issue

    coordinator = make_role_holder(forum, Role.COORDINATOR, "samordnare@example.se")
    # Raised while the meeting was published, taken up by a network, a duplicate merged into it …
    postponed = held_meeting(forum, title="Flyttad träff")
    _raiser, survivor = raiser_and_issue(postponed, "Hemlig fråga om tomtpriser")
    network = form_network(forum, coordinator=coordinator, issues=[survivor])
    _other, duplicate = raiser_and_issue(held_meeting(forum, title="Höstträff"), "Dyra tomter")
    services.issue_merge(actor=coordinator, survivor=survivor, duplicates=[duplicate])
    # … and then the meeting is set back to draft: its issues are its managers' only.
    Meeting.objects.filter(pk=postponed.pk).update(status=Meeting.Status.DRAFT)
    assert Issue.objects.get(pk=duplicate.pk).merged_into_id == survivor.pk

    pages = [reverse("issues:public_issues", args=[forum.slug]), reverse("issues:issue_detail", args=[duplicate.pk]),
             reverse("networks:network_detail", args=[network.pk])]
    _company, stranger = company_with_rep()
    for user in (None, stranger):
        if user is None:
            client.logout()
        else:
            client.force_login(user)
        for url in pages:
            response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
            assert response.status_code == 200, url
            body = response.content.decode()
            assert "Hemlig fråga" not in body and reverse("issues:issue_detail", args=[survivor.pk]) not in body, url
        assert client.get(reverse("issues:issue_detail", args=[survivor.pk])).status_code == 404
    # The duplicate still says it was merged; the forum's coordinator sees everything.
    client.force_login(coordinator)
    for url in pages:
        assert "Hemlig fråga" in client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode(), url
