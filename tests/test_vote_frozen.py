"""What was voted on stays as it was: the candidates' texts are frozen when a vote opens, a
candidate of an open vote cannot be changed, and a ballot naming an issue that is not a
candidate is refused with a message."""
from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from forum.models import Role
from issues import services
from issues.models import Ballot, Issue, IssueEvent, PriorityListEntry, VoterRecord
from tests.factories import make_role_holder
from tests.test_voting import held_meeting, make_candidates, make_voter, ranks

TEXTS = ["Snabbare bygglov", "Fler praktikplatser", "Bättre kollektivtrafik"]


@pytest.fixture
def coordinator(forum):
    return make_role_holder(forum, Role.COORDINATOR, "samordnare@example.se")


@pytest.fixture
def meeting(forum):
    return held_meeting(forum)


@pytest.fixture
def candidates(meeting):
    return make_candidates(meeting, TEXTS)


def edit(client, issue, text):
    return client.post(reverse("issues:issue_manage", args=[issue.pk]),
                       {"action": "edit", "text": text, "side": issue.side,
                        "focus_area": issue.focus_area_id or ""})


@pytest.mark.django_db
def test_a_candidate_of_an_open_vote_cannot_be_edited(client, coordinator, meeting, candidates):
    vote = services.vote_create(actor=coordinator, meeting=meeting, title="Prioritering", candidates=candidates)
    services.vote_open(actor=coordinator, vote=vote)
    client.force_login(coordinator)
    response = edit(client, candidates[0], "Ny text som ingen röstat om")
    assert response.status_code == 400
    assert "Ny text som ingen röstat om" in response.content.decode()  # what was typed is kept
    candidates[0].refresh_from_db()
    assert candidates[0].text == TEXTS[0]
    assert not IssueEvent.objects.filter(issue=candidates[0], kind=IssueEvent.Kind.EDITED).exists()
    with pytest.raises(services.IssueError):
        services.issue_set_status(actor=coordinator, issue=candidates[1], status=Issue.Status.OUT_OF_SCOPE,
                                  answer="Inte aktuellt")
    with pytest.raises(services.IssueError):
        services.issue_merge(actor=coordinator, survivor=candidates[0], duplicates=[candidates[2]])
    assert Issue.objects.filter(status=Issue.Status.CANDIDATE).count() == 3


@pytest.mark.django_db
def test_a_vote_opened_by_the_clock_also_freezes_its_candidates(coordinator, meeting, candidates):
    services.vote_create(actor=coordinator, meeting=meeting, title="Prioritering", candidates=candidates,
                         opens_at=timezone.now() - dt.timedelta(minutes=1),
                         now=timezone.now() - dt.timedelta(minutes=2))  # created just before it opened
    with pytest.raises(services.IssueError):
        services.issue_edit(actor=coordinator, issue=candidates[0], text="Ändrad")
    candidates[0].refresh_from_db()
    assert candidates[0].text == TEXTS[0]


@pytest.mark.django_db
def test_before_it_opens_a_vote_takes_the_edited_text(coordinator, meeting, candidates):
    vote = services.vote_create(actor=coordinator, meeting=meeting, title="Prioritering", candidates=candidates)
    services.issue_edit(actor=coordinator, issue=candidates[0], text="Snabbare bygglov för små företag")
    vote.refresh_from_db()
    assert vote.candidate_texts[str(candidates[0].pk)]["text"] == "Snabbare bygglov för små företag"


@pytest.mark.django_db
def test_result_and_priority_list_show_the_text_voted_on(client, coordinator, meeting, candidates, forum):
    vote = services.vote_create(actor=coordinator, meeting=meeting, title="Prioritering", candidates=candidates)
    vote = services.vote_open(actor=coordinator, vote=vote)
    _user, registration = make_voter(meeting)
    services.ballot_cast(vote=vote, registration=registration, marks={str(candidates[0].pk): 1})
    vote = services.vote_close(actor=coordinator, vote=vote)
    services.vote_confirm(actor=coordinator, vote=vote)
    client.force_login(coordinator)
    assert edit(client, candidates[0], "Omskriven efteråt").status_code == 302  # allowed once closed
    client.logout()
    result = client.get(reverse("issues:vote_result", args=[vote.pk])).content.decode()
    assert TEXTS[0] in result and "Omskriven efteråt" not in result
    assert reverse("issues:issue_detail", args=[candidates[0].pk]) in result
    forum_page = client.get(forum.get_absolute_url()).content.decode()
    assert TEXTS[0] in forum_page and "Omskriven efteråt" not in forum_page
    assert PriorityListEntry.objects.get(issue=candidates[0]).text == TEXTS[0]
    # The issue's own page shows what it is now, with its history.
    detail = client.get(reverse("issues:issue_detail", args=[candidates[0].pk])).content.decode()
    assert "Omskriven efteråt" in detail


# --- ballots naming an issue that is not a candidate -------------------------------------------
@pytest.fixture
def open_vote(coordinator, meeting, candidates):
    vote = services.vote_create(actor=coordinator, meeting=meeting, title="Prioritering", candidates=candidates[:2])
    return services.vote_open(actor=coordinator, vote=vote)


@pytest.mark.django_db
@pytest.mark.parametrize("with_valid_ranks", [True, False])
def test_a_ballot_naming_a_non_candidate_is_refused_with_a_message(client, meeting, candidates, open_vote,
                                                                   with_valid_ranks):
    user, _registration = make_voter(meeting)
    client.force_login(user)
    data = ranks(candidates, 0, 1) if with_valid_ranks else {}
    data[f"c{candidates[2].pk}"] = "3" if with_valid_ranks else "1"
    response = client.post(reverse("issues:ballot", args=[open_vote.pk]), data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    html = response.content.decode()
    assert "not on this vote" in html and "Reload the page" in html
    assert "empty" not in html
    assert not Ballot.objects.exists() and not VoterRecord.objects.exists()
