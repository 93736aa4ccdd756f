"""The benchmarks' set-ups still pass the portal's rules (issue 14, item 5: `make bench` runs them all).

Each benchmark writes its scenario through the portal's services, so a rule added later (a
meeting cannot be created in the past) can break a benchmark that no other test runs: the tally
benchmark did exactly that. Here each set-up runs at a tiny size on the test database, and what it
wrote is checked to be the scenario its benchmark measures.
"""
from __future__ import annotations

import pytest

from bench import burst_setup, mail_fanout, tally_bench
from events.models import Meeting, Registration, SeatPool
from issues import services as issue_services
from issues.models import Vote


@pytest.mark.django_db
def test_the_tally_benchmark_seeds_a_vote_a_method_that_counts_every_ballot():
    votes = tally_bench.seed_votes(candidates=6, ballots=12)
    assert set(votes) == {Vote.Method.SCHULZE, Vote.Method.BORDA, Vote.Method.DOTS}
    for method, vote in votes.items():
        result = issue_services.vote_result(vote)
        assert result["turnout"]["ballots"] == 12, method
        # A meeting under way: it began before the vote is counted.
        assert vote.meeting.starts_at < vote.meeting.ends_at


@pytest.mark.django_db
def test_the_burst_benchmark_opens_a_meeting_with_the_seats_it_asks_for():
    scenario = burst_setup.set_up(clients=3, seats=2)
    meeting = Meeting.objects.get(pk=scenario.meeting_pk)
    assert meeting.status == Meeting.Status.REGISTRATION_OPEN
    assert meeting.pools.get(kind=SeatPool.Kind.OPEN).size == 2
    assert len(scenario.clients) == 3 and scenario.path.endswith(f"/{meeting.pk}/anmal/")
    assert not Registration.objects.filter(meeting=meeting).exists()


@pytest.mark.django_db
def test_the_mail_fanout_benchmark_writes_a_newsletter_to_its_followers():
    communicator, newsletter = mail_fanout.set_up(recipients=3)
    assert newsletter.forum.followers.filter(confirmed_at__isnull=False).count() == 3
    assert newsletter.subject_sv and communicator.email.endswith("@bench.example")
