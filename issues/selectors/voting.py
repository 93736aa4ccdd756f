"""Reads about the priority vote: candidates, turnout, who may vote, and the published
priority lists."""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, OuterRef, QuerySet, Subquery

from events.models import Registration

from .. import permissions, tally
from ..models import Issue, PriorityListEntry, Vote
from ..services import eligible_registrations, vote_is_open


def _published_votes() -> QuerySet[Vote]:
    """Votes whose priority list is published: confirmed, of a meeting that is not a draft.
    The latest of a forum's is its priority list."""
    return (Vote.objects.filter(status=Vote.Status.CONFIRMED).exclude(meeting__status="draft")
            # The stored result and frozen texts are large JSON (a vote over 100 issues: the
            # pairwise matrix); the priority lists show the vote's title only.
            .defer("result", "candidate_texts")
            .order_by("-confirmed_at", "-pk"))


def with_places(entries: list[PriorityListEntry]) -> list[PriorityListEntry]:
    """Give each entry ``place``, written as the vote's result page writes it: tied entries
    share their first place (``rank``), and their place reads "1–2" for a group of two. Pass
    whole lists (the group sizes are counted from them). Returns ``entries``."""
    sizes = Counter((entry.vote_id, entry.rank) for entry in entries)
    for entry in entries:
        entry.place = tally.place_label(entry.rank, sizes[entry.vote_id, entry.rank])
    return entries


def published_priority_list(forum) -> list[PriorityListEntry]:
    """The entries of the forum's latest confirmed priority list, each with its ``place``
    (:func:`with_places`; two queries)."""
    vote = _published_votes().filter(meeting__forum=forum).first()
    if vote is None:
        return []
    # Each entry's vote is the one read above (the related manager sets it), not read again.
    return with_places(list(vote.priority_list.select_related("issue__focus_area").order_by("rank", "pk")))


@dataclass(frozen=True)
class PriorityList:
    """A forum's latest confirmed priority list: the vote it came from and its first entries."""

    forum: Any
    vote: Vote
    entries: list[PriorityListEntry]
    total: int


def latest_priority_lists(forums, *, first: int = 5) -> list[PriorityList]:
    """Each of ``forums``' latest confirmed priority list (as :func:`published_priority_list`)
    with its ``first`` entries, in the order of ``forums``. Two queries however many forums."""
    forums = list(forums)
    latest = _published_votes().filter(meeting__forum=OuterRef("meeting__forum")).values("pk")[:1]
    votes = {
        vote.meeting.forum_id: vote
        for vote in _published_votes().filter(meeting__forum__in=[f.pk for f in forums], pk=Subquery(latest))
        .select_related("meeting")
    }
    entries: dict[int, list[PriorityListEntry]] = defaultdict(list)
    for entry in (PriorityListEntry.objects.filter(vote__in=list(votes.values()))
                  .select_related("issue__focus_area").order_by("vote", "rank", "pk")):
        entries[entry.vote_id].append(entry)
    for listed in entries.values():
        with_places(listed)  # before the top is cut off: a tie across it keeps its whole place
    return [
        PriorityList(forum, votes[forum.pk], entries[votes[forum.pk].pk][:first], len(entries[votes[forum.pk].pk]))
        for forum in forums if forum.pk in votes
    ]


def turnout_percent(turnout: dict, *, places: int = 0) -> Decimal | None:
    """A counted vote's turnout (its stored ``result["turnout"]``): ballots in per cent of the
    eligible participants, rounded half up to ``places`` decimals – the result page gives whole
    per cent, the research export one decimal, and the two agree (5 of 8 is 63 % and 62.5, not
    62 % by Python's round-half-to-even). None without eligible participants."""
    eligible, ballots = turnout.get("eligible") or 0, turnout.get("ballots") or 0
    if not eligible:
        return None
    return (Decimal(100 * ballots) / Decimal(eligible)).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)


def votes_for_meeting(meeting) -> QuerySet[Vote]:
    return meeting.votes.annotate(ballot_count=Count("ballots")).order_by("-created_at")


# --- voting selectors ---------------------------------------------------------------------
def vote_candidates(vote: Vote) -> list[Issue]:
    """The vote's candidates in the order they were raised (the order of ``Vote.result``'s
    candidates and of the numbers on the ballot), with their focus area (one query). Each
    issue carries ``vote_text`` and ``vote_focus_area``: what the voters saw (see
    ``Vote.candidate_texts``), which pages about the vote show instead of the current text."""
    issues = list(vote.candidates.select_related("focus_area").order_by("created_at", "pk"))
    for issue in issues:
        frozen = vote.candidate_texts.get(str(issue.pk)) or {}
        issue.vote_text = frozen.get("text") or issue.text
        issue.vote_focus_area = frozen.get("focus_area", issue.focus_area.name if issue.focus_area_id else "")
    return issues


def vote_voter_count(vote: Vote) -> int:
    """How many have voted so far (never who voted what)."""
    return vote.voters.count()


def vote_eligible_count(vote: Vote) -> int:
    """The eligible figure of the vote's turnout, counted as the stored result counts it; a
    counted vote's is the one frozen in its result (a closed vote never changes)."""
    if vote.result and "turnout" in vote.result:
        return vote.result["turnout"]["eligible"]
    return eligible_registrations(vote).count()


def vote_not_yet_voted(vote: Vote):
    """Confirmed participants of the vote's meeting with no voter record yet: the choices
    for a paper ballot."""
    return (
        Registration.objects.filter(meeting_id=vote.meeting_id, status=Registration.Status.CONFIRMED)
        .exclude(pk__in=vote.voters.values("registration_id"))
        .select_related("organisation").order_by("attendee_name", "contact_name", "pk")
    )


def voter_record(vote: Vote, registration):
    """The participant's voter record (that they voted, on paper or not), if any."""
    return vote.voters.filter(registration=registration).first()


def counted_votes(meeting) -> list[Vote]:
    """The meeting's votes with a result to show (closed, or with the priority list confirmed),
    oldest first: what a meeting page links to once the meeting is over. One query."""
    return list(meeting.votes.filter(status__in=[Vote.Status.CLOSED, Vote.Status.CONFIRMED])
                .exclude(result={}).defer("result", "candidate_texts").order_by("created_at", "pk"))


def open_votes_for_participant(meeting, registration) -> list[Vote]:
    """The meeting's votes that are open now and that ``registration`` may vote in."""
    if registration is None:
        return []
    return [v for v in meeting.votes.order_by("created_at")
            if vote_is_open(v) and permissions.can_vote(v, registration)]
