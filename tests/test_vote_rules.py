"""The vote's rules attacked through the pages: one ballot per voter whatever route they take
(a second registration, cancelling and registering again), and a vote opened once only (by
hand or by the clock)."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from events.models import Meeting, Registration
from forum.models import Role
from issues import services
from issues.models import Ballot, PriorityListEntry, Vote, VoterRecord
from tests.factories import (
    company_with_rep,
    make_company,
    make_meeting,
    make_registration,
    make_role_holder,
    make_user,
    open_with_small_pools,
    register_open,
)
from tests.test_personal_data import _log_in
from tests.test_voting import ballot_url, held_meeting, make_candidates, manage_url, ranks, receipt_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator(forum):
    return make_role_holder(forum, Role.COORDINATOR, "samordnare@example.se")


@pytest.fixture
def facilitator():
    return make_user("processledare@example.se")


@pytest.fixture
def meeting(forum, facilitator):
    return held_meeting(forum, facilitators=[facilitator])


@pytest.fixture
def candidates(meeting):
    return make_candidates(meeting, ["Snabbare bygglov", "Fler praktikplatser", "Bättre kollektivtrafik"])


# --- one ballot per voter -----------------------------------------------------------------
def test_one_person_with_two_registrations_votes_once_by_account_or_link(client, meeting, candidates,
                                                                        coordinator):
    """A representative of two companies holds a seat for each; logged in they vote through one,
    and the personal link of the other must not give them a second ballot, nor may a
    coordinator key one in on paper for it."""
    vote = services.vote_open(actor=coordinator, vote=services.vote_create(
        actor=coordinator, meeting=meeting, title="P", candidates=candidates))
    company, user = company_with_rep()
    other = make_company("Andra Företaget AB")
    first = make_registration(meeting, company, attendee=user, attendee_email=user.email)
    second = make_registration(meeting, other, attendee=user, attendee_email=user.email.upper())
    client.force_login(user)
    assert receipt_of(client.post(ballot_url(vote), ranks(candidates, 0, 1)))
    client.logout()
    response = client.post(reverse("issues:ballot_by_token", args=[vote.pk, second.token]), ranks(candidates, 2, 1))
    assert response.status_code == 400
    assert re.search("redan röstat genom en annan anmälan|already voted through another registration",
                     response.content.decode())
    client.force_login(coordinator)
    response = client.post(manage_url(vote), {"registration": second.pk, **ranks(candidates, 2)})
    assert response.status_code == 400 and re.search("redan röstat|already voted", response.content.decode())
    assert Ballot.objects.count() == 1 and list(VoterRecord.objects.values_list("registration", flat=True)) == [
        first.pk]
    # A colleague the same account answered for (another attendee's address) still votes.
    colleague = make_registration(meeting, make_company("Tredje AB"), attendee=user,
                                  attendee_email="kollega@forum.example")
    client.logout()
    response = client.post(reverse("issues:ballot_by_token", args=[vote.pk, colleague.token]), ranks(candidates, 2))
    assert response.status_code == 200 and receipt_of(response)
    assert Ballot.objects.count() == 2


def test_cancelling_and_registering_again_gives_no_second_ballot(client, forum, coordinator):
    """The vote is open before the meeting starts; a voter cancels their place after voting and
    registers again: the new registration does not vote a second time."""
    meeting = open_with_small_pools(make_meeting(forum, kind=Meeting.Kind.PRIORITISATION), size=5)
    candidates = make_candidates(meeting, ["Snabbare bygglov", "Fler praktikplatser"])
    vote = services.vote_open(actor=coordinator, vote=services.vote_create(
        actor=coordinator, meeting=meeting, title="P", candidates=candidates))
    company, user = company_with_rep()
    client.force_login(user)
    form = {"organisation": company.pk, "attendee_name": "Rep Test", "attendee_email": user.email, "consent": "on"}
    register_url = reverse("events:register", args=[meeting.pk])
    assert client.post(register_url, form).status_code == 302
    registration = Registration.objects.get(organisation=company, status=Registration.Status.CONFIRMED)
    assert receipt_of(client.post(ballot_url(vote), ranks(candidates, 0, 1)))
    assert client.post(reverse("events:registration_cancel", args=[registration.pk])).status_code == 302
    assert client.post(register_url, form).status_code == 302
    again = Registration.objects.get(organisation=company, status=Registration.Status.CONFIRMED)
    assert again.pk != registration.pk
    response = client.post(ballot_url(vote), ranks(candidates, 1, 0))
    assert response.status_code == 400
    assert re.search("redan röstat genom en annan anmälan|already voted through another registration",
                     response.content.decode())
    assert Ballot.objects.count() == 1
    assert Ballot.objects.get().marks == {str(candidates[0].pk): 1, str(candidates[1].pk): 2}


def test_turnout_keeps_who_voted_and_then_left_among_the_eligible(client, forum, coordinator):
    """The vote opens before the meeting; two participants vote, then one cancels their place
    and the other erases their account (which cancels their coming seat). Their ballots stay
    counted, so they stay among the eligible too: 2 ballots of 3, never 2 of 1 (200 %), alike
    on the management page, the result page and in the research export; after closing, the
    figure is the stored one."""
    from research import selectors as research_selectors

    meeting = open_with_small_pools(make_meeting(forum, kind=Meeting.Kind.PRIORITISATION), size=5)
    candidates = make_candidates(meeting, ["Snabbare bygglov", "Fler praktikplatser"])
    vote = services.vote_open(actor=coordinator, vote=services.vote_create(
        actor=coordinator, meeting=meeting, title="P", candidates=candidates))
    leaving, erasing, _staying = (register_open(meeting) for _ in range(3))
    for registration in (leaving, erasing):
        client.force_login(registration.attendee)
        assert receipt_of(client.post(ballot_url(vote), ranks(candidates, 0, 1)))
    client.force_login(leaving.attendee)
    assert client.post(reverse("events:registration_cancel", args=[leaving.pk])).status_code == 302
    _log_in(client, erasing.attendee)
    assert client.post(reverse("accounts:erase"), {"confirm": "on"}).status_code == 302
    assert Registration.objects.filter(meeting=meeting, status=Registration.Status.CONFIRMED).count() == 1
    assert Ballot.objects.filter(vote=vote).count() == 2

    client.force_login(coordinator)
    html = " ".join(client.get(manage_url(vote), HTTP_ACCEPT_LANGUAGE="en").content.decode().split())
    assert "2 of 3 eligible participants have voted" in html
    assert client.post(manage_url(vote), {"action": "close"}).status_code == 302
    vote.refresh_from_db()
    assert vote.status == Vote.Status.CLOSED and vote.result["turnout"]["eligible"] == 3
    # A place confirmed after closing changes nothing about the counted vote.
    register_open(meeting)
    html = " ".join(client.get(reverse("issues:vote_result", args=[vote.pk]),
                               HTTP_ACCEPT_LANGUAGE="en").content.decode().split())
    assert "2 ballots of 3 eligible participants (67 %)" in html
    html = " ".join(client.get(manage_url(vote), HTTP_ACCEPT_LANGUAGE="en").content.decode().split())
    assert "2 of 3 eligible participants have voted" in html
    with translation.override("en"):
        header, rows = research_selectors.votes(forum)
    row = next(row for row in rows if row[0] == vote.pk)
    assert row[header.index("Eligible voters")] == 3 and row[header.index("Ballots")] == 2
    assert str(row[header.index("Turnout (%)")]) == "66.7"


# --- opened once --------------------------------------------------------------------------
def test_a_vote_the_clock_opened_and_closed_cannot_be_opened_again_by_hand(client, meeting, candidates,
                                                                         coordinator, facilitator):
    """The clock opened the vote and its closing time has passed before the periodic task
    counted it: opening it "by hand" must not clear the closing time and take more ballots."""
    now = timezone.now()
    vote = services.vote_create(actor=coordinator, meeting=meeting, title="P", candidates=candidates,
                                opens_at=now + dt.timedelta(hours=1), closes_at=now + dt.timedelta(hours=2))
    _company, user = company_with_rep()
    registration = make_registration(meeting, _company, attendee=user, attendee_email=user.email)
    services.ballot_cast(vote=vote, registration=registration, marks=ranks_marks(candidates),
                         now=now + dt.timedelta(hours=1, minutes=30))
    # Time passes: the vote's times are now behind us (the rows as the clock would find them).
    Vote.objects.filter(pk=vote.pk).update(opens_at=now - dt.timedelta(hours=2), closes_at=now - dt.timedelta(hours=1))
    for person in (facilitator, coordinator):
        client.force_login(person)
        html = client.get(manage_url(vote)).content.decode()
        assert 'value="open"' not in html
        response = client.post(manage_url(vote), {"action": "open"}, follow=True)
        assert re.search("redan öppnats|already been opened", response.content.decode())
        vote.refresh_from_db()
        assert vote.status == Vote.Status.DRAFT and vote.opened_at is None
        assert vote.closes_at == now - dt.timedelta(hours=1)
    late_user, _late = make_voter_of(meeting)
    client.force_login(late_user)
    assert client.post(ballot_url(vote), ranks(candidates, 0)).status_code == 409
    assert Ballot.objects.count() == 1
    # The periodic task then counts it as it closed.
    assert services.votes_close_due() == 1
    vote.refresh_from_db()
    assert vote.status == Vote.Status.CLOSED and vote.result["turnout"]["ballots"] == 1


def test_a_vote_the_clock_has_opened_is_not_opened_again_by_hand(client, meeting, candidates, coordinator):
    now = timezone.now()
    vote = services.vote_create(actor=coordinator, meeting=meeting, title="P", candidates=candidates,
                                opens_at=now + dt.timedelta(hours=1))
    Vote.objects.filter(pk=vote.pk).update(opens_at=now - dt.timedelta(minutes=5))
    client.force_login(coordinator)
    client.post(manage_url(vote), {"action": "open"})
    vote.refresh_from_db()
    # It opened when the clock said; nothing moves that time.
    assert vote.opened_at is None and services.vote_opened_at(vote) == now - dt.timedelta(minutes=5)


def ranks_marks(issues) -> dict[int, int]:
    return {issues[0].pk: 1}


def make_voter_of(at):
    company, user = company_with_rep()
    return user, make_registration(at, company, attendee=user, attendee_email=user.email)


# --- confirming -----------------------------------------------------------------------------
def test_a_vote_closed_before_anyone_voted_publishes_no_priority_list(client, forum, meeting, candidates,
                                                                     coordinator):
    """Closed by hand before it opened (or before anyone voted): every candidate would share the
    first place, and that is no decision to publish as the forum's priority list."""
    vote = services.vote_create(actor=coordinator, meeting=meeting, title="Prioritering", candidates=candidates,
                                opens_at=timezone.now() + dt.timedelta(days=1))
    client.force_login(coordinator)
    assert client.post(manage_url(vote), {"action": "close"}).status_code == 302
    vote.refresh_from_db()
    assert vote.status == Vote.Status.CLOSED and vote.result["turnout"]["ballots"] == 0
    html = client.get(manage_url(vote)).content.decode()
    assert 'value="confirm"' not in html and 'id="vote-nothing-to-confirm"' in html
    response = client.post(manage_url(vote), {"action": "confirm"}, follow=True)
    assert re.search("ingen valsedel|No ballot was cast", response.content.decode())
    vote.refresh_from_db()
    assert vote.status == Vote.Status.CLOSED and not PriorityListEntry.objects.exists()
    assert vote.title not in client.get(reverse("forum:forum_work", args=[forum.slug])).content.decode()
    # A vote with a ballot is confirmed as before.
    other = services.vote_open(actor=coordinator, vote=services.vote_create(
        actor=coordinator, meeting=meeting, title="Andra omgången", candidates=candidates))
    _user, registration = make_voter_of(meeting)
    services.ballot_cast(vote=other, registration=registration, marks=ranks_marks(candidates))
    services.vote_close(actor=coordinator, vote=other)
    assert "Andra omgången" in client.get(reverse("forum:forum_work", args=[forum.slug])).content.decode()
    assert client.post(manage_url(other), {"action": "confirm"}).status_code == 302
    assert PriorityListEntry.objects.filter(vote=other).count() == 3


# --- who votes ----------------------------------------------------------------------------
def test_the_account_that_answered_for_a_colleague_does_not_vote_in_their_place(client, meeting, candidates,
                                                                              coordinator):
    """A representative accepts their company's invitation while logged in and names a colleague
    to attend: the seat, its ballot and its issues are the colleague's (by the personal link),
    not the representative's account's."""
    company, rep = company_with_rep()
    invitation = make_registration(meeting, company, status=Registration.Status.INVITED,
                                   contact_email=rep.email, expires_at=timezone.now() + dt.timedelta(days=7))
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.REGISTRATION_OPEN)
    client.force_login(rep)
    response = client.post(reverse("events:invitation", args=[invitation.token]), {
        "action": "accept", "attendee_name": "Kim Kollega", "attendee_email": "kim.kollega@forum.example",
        "consent": "on"})
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == Registration.Status.CONFIRMED and invitation.attendee_id == rep.pk
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.REGISTRATION_CLOSED)
    vote = services.vote_open(actor=coordinator, vote=services.vote_create(
        actor=coordinator, meeting=meeting, title="P", candidates=candidates))
    # The colleague votes by their link …
    client.logout()
    assert receipt_of(client.post(reverse("issues:ballot_by_token", args=[vote.pk, invitation.token]),
                                  ranks(candidates, 0, 1)))
    # … and the representative's account can neither see nor replace that ballot.
    client.force_login(rep)
    assert client.get(ballot_url(vote)).status_code == 403
    assert client.post(ballot_url(vote), ranks(candidates, 2)).status_code == 403
    assert Ballot.objects.get().marks == {str(candidates[0].pk): 1, str(candidates[1].pk): 2}
    capture = client.post(reverse("issues:capture", args=[meeting.pk]), {
        "action": "raise", "text": "Inte min plats", "side": "business",
        "focus_area": meeting.forum.focus_areas.first().pk})
    assert capture.status_code == 403
    # A representative who attends themselves still votes logged in.
    own_company, own_rep = company_with_rep()
    make_registration(meeting, own_company, attendee=own_rep, attendee_email=own_rep.email.upper())
    client.force_login(own_rep)
    assert receipt_of(client.post(ballot_url(vote), ranks(candidates, 2)))


# --- the ballot holds candidates only -------------------------------------------------------
def test_an_issue_merged_or_triaged_away_leaves_a_vote_that_has_not_opened(client, meeting, candidates,
                                                                          coordinator):
    """A draft vote over three candidates; the coordinator merges one into another and triages
    the third out of scope before it opens: its ballot then holds candidates only, never an issue
    merged into the one beside it; and it keeps two candidates at least."""
    extra = make_candidates(meeting, ["Lärlingsplatser behövs"])[0]
    vote = services.vote_create(actor=coordinator, meeting=meeting, title="Prioritering",
                                candidates=[*candidates, extra], opens_at=timezone.now() + dt.timedelta(days=1))
    client.force_login(coordinator)
    response = client.post(reverse("issues:issue_manage", args=[candidates[1].pk]),
                           {"action": "merge", "duplicates": [extra.pk]})
    assert response.status_code == 302
    assert set(vote.candidates.all()) == set(candidates)
    response = client.post(reverse("issues:issue_manage", args=[candidates[2].pk]),
                           {"action": "status", "status": "out_of_scope", "answer": "Inte stadens fråga."})
    assert response.status_code == 302
    vote.refresh_from_db()
    assert set(vote.candidates.all()) == {candidates[0], candidates[1]}
    assert set(vote.candidate_texts) == {str(candidates[0].pk), str(candidates[1].pk)}
    # One of the last two: refused, with the reason at the status field's form; nothing changes.
    response = client.post(reverse("issues:issue_manage", args=[candidates[0].pk]),
                           {"action": "status", "status": "out_of_scope", "answer": "Nej."})
    assert response.status_code == 400
    assert re.search("två sista kandidaterna|two last candidates", response.content.decode())
    candidates[0].refresh_from_db()
    assert candidates[0].status == "candidate" and vote.candidates.count() == 2
    # The opened ballot lists the two candidates.
    services.vote_open(actor=coordinator, vote=vote)
    user, _registration = make_voter_of(meeting)
    client.force_login(user)
    html = client.get(ballot_url(vote)).content.decode()
    assert f'name="c{candidates[0].pk}"' in html and f'name="c{candidates[1].pk}"' in html
    assert f'name="c{extra.pk}"' not in html and f'name="c{candidates[2].pk}"' not in html
