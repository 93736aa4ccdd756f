"""The priority vote: creating, opening and closing it, casting and checking ballots, the
result and its confirmation as the forum's priority list."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from events.diversity import MIN_CELL
from events.models import Meeting, Registration
from forum.fields import DOTS, YEAR_MAX, YEAR_MIN, range_message
from forum.services import apply_changes, audit_record

from .. import tally
from ..models import Ballot, Issue, PriorityListEntry, Side, Vote, VoterRecord
from .base import IssueError


# --- The vote ---------------------------------------------------------------------------
def _freeze_candidates(vote: Vote) -> None:
    """Take the candidates' texts as the voters will see them (see ``Vote.candidate_texts``)."""
    vote.candidate_texts = {
        str(issue.pk): {"text": issue.text, "focus_area": issue.focus_area.name if issue.focus_area_id else ""}
        for issue in vote.candidates.select_related("focus_area")
    }
    vote.save(update_fields=["candidate_texts"])


# What may change in a draft vote; the meeting and the candidates were checked when it was created.
VOTE_EDITABLE_FIELDS = ("title", "method", "dots", "opens_at", "closes_at")


def vote_problems(
    *, candidates: Iterable[Issue] | None = None, forum_id: int | None = None, method: str | None = None,
    dots: int | None = None, opens_at: dt.datetime | None = None, closes_at: dt.datetime | None = None,
    current: Vote | None = None, now: dt.datetime | None = None,
) -> dict[str, str]:
    """Everything wrong with a vote's settings, as {field: message}, so a form can show every
    message at its field at once; empty when all is well. No side effects.

    The rules, when the vote is created (``current`` None) and when a draft ``current`` is
    changed: at least two ``candidates``, each a candidate for the priority list (of the
    forum ``forum_id``, when given); a known counting ``method``; points per voter within
    ``forum.fields.DOTS``; times within the portal's year window, in the future when they are
    set or changed (a time left as it was is not checked again), and a closing time after the
    opening time. A value passed as None is not checked (a form leaves out what failed its
    own field check; times of None mean "by hand")."""
    now = now or timezone.now()
    problems: dict[str, str] = {}
    if candidates is not None:
        candidates = list(candidates)
        if len(candidates) < 2:
            problems["candidates"] = _("A vote needs at least two candidate issues.")
        elif any(c.status != Issue.Status.CANDIDATE or (forum_id is not None and c.forum_id != forum_id)
                 for c in candidates):
            problems["candidates"] = _("Only candidates for the priority list of this forum can be voted on.")
    if method is not None and method not in Vote.Method.values:
        problems["method"] = _("Choose a counting method.")
    if dots is not None and (isinstance(dots, bool) or not isinstance(dots, int) or not DOTS[0] <= dots <= DOTS[1]):
        problems["dots"] = range_message(*DOTS)
    for name, moment in (("opens_at", opens_at), ("closes_at", closes_at)):
        if moment is None:
            continue
        if not YEAR_MIN <= moment.year <= YEAR_MAX:
            problems[name] = _("Choose a date between %(min)s and %(max)s.") % {"min": YEAR_MIN, "max": YEAR_MAX}
        elif moment <= now and (current is None or moment != getattr(current, name)):
            # A time that has passed would open (or close) the vote the moment it is saved,
            # before anyone has seen its settings.
            problems[name] = _("The time has already passed. Choose a time later than now.")
    if opens_at and closes_at and closes_at <= opens_at:
        # Said at the closing time, over any other message there: it is what to change.
        problems["closes_at"] = _("The vote must close after it opens.")
    return problems


def _refuse(problems: dict[str, str]) -> None:
    if problems:
        raise IssueError(next(iter(problems.values())), field_errors=problems)


def vote_settings_check(
    *, method: str, dots: int, opens_at: dt.datetime | None, closes_at: dt.datetime | None,
    current: Vote | None = None, now: dt.datetime | None = None,
) -> None:
    """The rules of :func:`vote_problems` for a vote's settings (not its candidates). Raises
    IssueError with the first message and, in ``field_errors``, each field's; no side effects."""
    _refuse(vote_problems(method=method, dots=dots, opens_at=opens_at, closes_at=closes_at, current=current,
                          now=now))


def vote_create(
    *, actor: Any, meeting: Meeting, title: str, candidates: Iterable[Issue], method: str = Vote.Method.SCHULZE,
    dots: int = 5, opens_at: dt.datetime | None = None, closes_at: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> Vote:
    """A vote over candidate issues at a prioritisation or combined meeting. Coordinators.
    Refused (IssueError, with every field's message in ``field_errors``) at another kind of
    meeting and when :func:`vote_problems` finds anything. Side effects: the vote, its
    candidates and their texts, an audit row."""
    if meeting.kind not in (Meeting.Kind.PRIORITISATION, Meeting.Kind.COMBINED):
        raise IssueError(_("Votes are held at prioritisation and combined meetings."))
    candidates = list(candidates)
    _refuse(vote_problems(candidates=candidates, forum_id=meeting.forum_id, method=method, dots=dots,
                          opens_at=opens_at, closes_at=closes_at, now=now))
    with transaction.atomic():
        vote = Vote.objects.create(meeting=meeting, title=title, method=method, dots=dots, opens_at=opens_at,
                                   closes_at=closes_at, created_by=actor)
        vote.candidates.set(candidates)
        _freeze_candidates(vote)
        audit_record(actor=actor, action="vote.create", target=vote, forum=meeting.forum)
    return vote


def vote_is_open(vote: Vote, now: dt.datetime | None = None) -> bool:
    """Open by hand, or by the clock between its opening and closing times."""
    now = now or timezone.now()
    if vote.status in (Vote.Status.CLOSED, Vote.Status.CONFIRMED):
        return False
    if vote.closes_at and now >= vote.closes_at:
        return False
    return vote.status == Vote.Status.OPEN or bool(vote.opens_at and vote.opens_at <= now)


def vote_opened_at(vote: Vote, now: dt.datetime | None = None) -> dt.datetime | None:
    """When voting actually began, or None if it has not: opened by hand (``opened_at``), or
    by the clock at its opening time once that has passed – unless the vote was closed before
    it. No side effects."""
    if vote.opened_at:
        return vote.opened_at
    end = vote.closed_at or now or timezone.now()
    if vote.opens_at and vote.opens_at <= end:
        return vote.opens_at
    return None


def vote_closed_at(vote: Vote, now: dt.datetime | None = None) -> dt.datetime | None:
    """When voting actually ended, or None if it has not: closed by hand or by the periodic
    task (``closed_at``), or, for a vote that had opened, its closing time once passed (no
    ballot is taken after it, even before the task has counted the result). No side effects."""
    now = now or timezone.now()
    ends = [vote.closed_at] if vote.closed_at else []
    if vote.closes_at and vote.closes_at <= now and (vote.status == Vote.Status.OPEN or vote_opened_at(vote, now)):
        ends.append(vote.closes_at)
    return min(ends) if ends else None


def vote_is_editable(vote: Vote, now: dt.datetime | None = None) -> bool:
    """Whether a vote's settings may still change (or the vote be deleted): a draft that
    nobody has opened, by hand or by the clock, and that holds no ballot, so no voter ever
    sees a ballot change under them. One query (the ballots)."""
    return vote.status == Vote.Status.DRAFT and not vote_is_open(vote, now) and not vote.ballots.exists()


def _audit_value(value: Any) -> Any:
    """A field's value as the audit row's JSON keeps it (a time in UTC, as the database has it)."""
    return value.astimezone(dt.UTC).isoformat() if isinstance(value, dt.datetime) else value


def vote_update(*, actor: Any, vote: Vote, **fields: Any) -> Vote:
    """Change a draft vote's title, counting method, points per voter or times (the admin;
    whoever Django's permissions and the forum's scope allow there – the caller has checked).

    Decided under the vote's row lock, which opening it and casting a ballot also take:
    refused (IssueError) once the vote has been opened by hand or by the clock or holds a
    ballot, and when the new settings break :func:`vote_settings_check`. Side effects: the
    row and, if anything changed, an audit row with the old and new values."""
    with transaction.atomic():
        current = Vote.objects.select_for_update(of=("self",)).select_related("meeting__forum").get(pk=vote.pk)
        if not vote_is_editable(current):
            raise IssueError(_("The vote can no longer be changed: it has been opened or has ballots."))
        before = Vote(opens_at=current.opens_at, closes_at=current.closes_at)
        changes = apply_changes(current, fields, VOTE_EDITABLE_FIELDS)
        vote_settings_check(method=current.method, dots=current.dots, opens_at=current.opens_at,
                            closes_at=current.closes_at, current=before)
        if changes:
            current.save(update_fields=list(changes))
            audit_record(actor=actor, action="vote.update", target=current, forum=current.meeting.forum,
                         data={"changes": {name: [_audit_value(old), _audit_value(new)]
                                           for name, (old, new) in changes.items()}})
    return current


def vote_delete(*, actor: Any, vote: Vote) -> None:
    """Delete a draft vote that nobody has opened and that holds no ballot (the admin; the
    caller has checked Django's permission and the forum's scope). Refused (IssueError)
    otherwise, under the vote's row lock. Side effects: the vote and its candidate links go;
    an audit row keeps its title and candidates."""
    with transaction.atomic():
        current = Vote.objects.select_for_update(of=("self",)).select_related("meeting__forum").get(pk=vote.pk)
        if not vote_is_editable(current):
            raise IssueError(_("The vote can no longer be deleted: it has been opened or has ballots."))
        audit_record(actor=actor, action="vote.delete", target=current, forum=current.meeting.forum,
                     data={"title": current.title, "meeting": current.meeting_id,
                           "candidates": sorted(current.candidates.values_list("pk", flat=True))})
        current.delete()


def vote_may_open(vote: Vote, now: dt.datetime | None = None) -> bool:
    """Whether the vote may still be opened by hand: a draft that has not begun. Opened by the
    clock counts as opened: opening it again would move the time it opened and take the
    candidates' texts again, and clearing a closing time that has passed (as opening a vote
    meant to be opened by hand does) would take ballots after the vote had closed."""
    return vote.status == Vote.Status.DRAFT and vote_opened_at(vote, now) is None


def vote_open(*, actor: Any, vote: Vote, now: dt.datetime | None = None) -> Vote:
    """Open a vote by hand (facilitators of the meeting and coordinators). Refused
    (IssueError) once it has been opened, by hand or by the clock at its opening time."""
    now = now or timezone.now()
    with transaction.atomic():
        vote = Vote.objects.select_for_update().get(pk=vote.pk)
        if not vote_may_open(vote, now):
            raise IssueError(_("The vote has already been opened."))
        vote.status = Vote.Status.OPEN
        vote.opened_at = now
        if vote.closes_at and vote.closes_at <= now:
            vote.closes_at = None
        vote.save()
        _freeze_candidates(vote)
        audit_record(actor=actor, action="vote.open", target=vote, forum=vote.meeting.forum)
    return vote


def vote_close(*, actor: Any, vote: Vote, now: dt.datetime | None = None) -> Vote:
    """Close a vote and freeze its result; after this nothing about the vote changes.
    Coordinators by hand, or the periodic task once the closing time has passed."""
    now = now or timezone.now()
    with transaction.atomic():
        vote = Vote.objects.select_for_update().get(pk=vote.pk)
        if vote.status in (Vote.Status.CLOSED, Vote.Status.CONFIRMED):
            raise IssueError(_("The vote is already closed."))
        vote.status = Vote.Status.CLOSED
        vote.closed_at = now
        vote.result = vote_result(vote)
        vote.save()
        audit_record(actor=actor, action="vote.close", target=vote, forum=vote.meeting.forum)
    return vote


def votes_close_due(*, now: dt.datetime | None = None) -> int:
    """Periodic: close votes whose closing time has passed, once they have opened (by hand,
    or by the clock: a draft with an opening time, which comes before its closing time). A
    draft to be opened by hand that nobody opened is left alone: closing it would publish an
    empty result, and opening it by hand still works (:func:`vote_open`)."""
    now = now or timezone.now()
    due = Vote.objects.filter(Q(status=Vote.Status.OPEN) | Q(status=Vote.Status.DRAFT, opens_at__isnull=False),
                              closes_at__lte=now)
    closed = 0
    for vote in due:
        try:
            vote_close(actor=None, vote=vote, now=now)
            closed += 1
        except IssueError:
            pass
    return closed



# A side's own ranking is published only from this many ballots: with one or two city voters,
# "the ranking among city voters" would be their ballots, readable by anyone who knows who
# they are. The same threshold as the forum's other statistics.
SIDE_RESULT_MIN_BALLOTS = MIN_CELL


def eligible_registrations(vote: Vote):
    """Who counts as eligible in the vote's turnout: every confirmed participant of the vote's
    meeting, company and municipal alike, and everyone who already voted (a voter record),
    each once. A ballot cast before the voter cancelled their place (or erased their account)
    stays counted, so its voter stays among the eligible: turnout never exceeds 100 %."""
    return Registration.objects.filter(meeting_id=vote.meeting_id).filter(
        Q(status=Registration.Status.CONFIRMED) | Q(pk__in=VoterRecord.objects.filter(vote=vote)
                                                    .values("registration_id")))


def vote_result(vote: Vote) -> dict:
    """Count the vote: the ranking (ties as ties), scores, the pairwise matrix, turnout, the
    rankings among business and among city voters (withheld for a side with fewer than
    :data:`SIDE_RESULT_MIN_BALLOTS` ballots), and the tie-broken order."""
    candidates = list(vote.candidates.order_by("created_at", "pk").values_list("pk", flat=True))
    ballots = list(Ballot.objects.filter(vote=vote).values_list("side", "marks"))

    def marks_of(rows):
        return [{int(k): v for k, v in marks.items()} for _side, marks in rows]

    all_marks = marks_of(ballots)
    combined = tally.count(vote.method, candidates, all_marks)
    by_side = {}
    for side in Side.values:
        side_marks = marks_of([row for row in ballots if row[0] == side])
        withheld = 0 < len(side_marks) < SIDE_RESULT_MIN_BALLOTS
        by_side[side] = {
            "ballots": len(side_marks),
            "withheld": withheld,
            "ranking": None if withheld else tally.count(vote.method, candidates, side_marks).ranking,
        }
    return {
        "method": vote.method,
        "candidates": candidates,
        "ranking": combined.ranking,
        "scores": {str(c): s for c, s in combined.scores.items()},
        "pairwise": combined.pairwise,
        "ordered": tally.break_ties(combined, all_marks, candidates),
        "tie_break": tally.TIE_BREAK,
        "turnout": {
            "ballots": len(ballots),
            "paper": VoterRecord.objects.filter(vote=vote, paper=True).count(),
            "eligible": eligible_registrations(vote).count(),
        },
        "by_side": by_side,
    }


def vote_may_confirm(vote: Vote) -> bool:
    """Whether the vote's result may be confirmed as the priority list: it is closed and at
    least one ballot was counted (a vote closed before anyone voted decided nothing)."""
    return vote.status == Vote.Status.CLOSED and bool(vote.result and vote.result["turnout"]["ballots"])


def vote_confirm(*, actor: Any, vote: Vote, now: dt.datetime | None = None) -> Vote:
    """Confirm the decided priority list from a closed vote and publish it on the forum.
    Coordinators. Refused (IssueError) unless :func:`vote_may_confirm`."""
    now = now or timezone.now()
    with transaction.atomic():
        vote = Vote.objects.select_for_update().get(pk=vote.pk)
        if vote.status != Vote.Status.CLOSED:
            raise IssueError(_("Only a closed vote's result can be confirmed."))
        if not vote_may_confirm(vote):
            # Closed before anyone voted: every candidate would share the first place.
            raise IssueError(_("No ballot was cast in this vote, so it has no priority list to confirm."))
        ranks: dict[int, tuple[int, bool]] = {}
        place = 1
        for group in vote.result["ranking"]:
            for candidate in group:
                ranks[candidate] = (place, len(group) > 1)
            place += len(group)
        texts = vote.candidate_texts
        PriorityListEntry.objects.bulk_create(
            PriorityListEntry(vote=vote, issue_id=candidate, rank=ranks[candidate][0], tied=ranks[candidate][1],
                              text=texts.get(str(candidate), {}).get("text", ""),
                              focus_area_name=texts.get(str(candidate), {}).get("focus_area", ""))
            for candidate in vote.result["ordered"]
        )
        vote.status = Vote.Status.CONFIRMED
        vote.confirmed_at = now
        vote.confirmed_by = actor
        vote.save()
        audit_record(actor=actor, action="vote.confirm", target=vote, forum=vote.meeting.forum)
    return vote
