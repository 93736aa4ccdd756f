"""Ballots of the priority vote: casting a ballot (once per registration, a paper
ballot keyed in by a coordinator), the voter's key that keeps the ballot apart from the voter,
and the receipt code that lets the voter check their ballot was counted. The vote's life (create,
open, close, confirm) and its result are in :mod:`.voting`."""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from events.models import Registration
from forum.services import audit_record

from ..models import Ballot, Vote, VoterRecord
from .base import BallotMarksError, IssueError, side_of
from .voting import vote_is_open


def _voter_key(vote: Vote, registration: Registration, secret: str | None = None) -> str:
    # Keyed with the server's secret: the database alone does not link voter and ballot.
    return salted_hmac("issues.ballot", f"{vote.pk}:{registration.pk}", secret=secret,
                       algorithm="sha256").hexdigest()


def _voter_keys(vote: Vote, registration: Registration) -> list[str]:
    """The voter's key under the current secret, then under each of SECRET_KEY_FALLBACKS, so
    a ballot cast before the secret was rotated is still found (and replaced, not doubled)."""
    return [_voter_key(vote, registration)] + [
        _voter_key(vote, registration, secret) for secret in settings.SECRET_KEY_FALLBACKS
    ]


def _receipt_hash(code: str) -> str:
    return hashlib.sha256(code.strip().upper().replace("-", "").encode()).hexdigest()


def _new_receipt() -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    raw = "".join(secrets.choice(alphabet) for _ in range(12))
    return "-".join(raw[i : i + 4] for i in range(0, 12, 4))


def clean_marks(vote: Vote, marks: Mapping[Any, Any]) -> dict[str, int]:
    """Validate a ballot's marks for the vote's method; returns {"<issue id>": int}.
    Ranked: ranks 1..k, each once, over some or all candidates. Dots: whole points, at most
    the vote's total."""
    candidate_ids = {str(pk) for pk in vote.candidates.values_list("pk", flat=True)}
    cleaned: dict[str, int] = {}
    for key, value in marks.items():
        if value in (None, ""):
            continue
        key = str(key)
        if key not in candidate_ids:
            raise IssueError(_("The ballot names an issue that is not on this vote. Reload the page and fill in "
                               "the ballot again."))
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise IssueError(_("Use whole numbers.")) from None
        if number < 0 or (vote.method != Vote.Method.DOTS and number == 0):
            raise IssueError(_("Use whole numbers from 1 upwards."))
        if number:
            cleaned[key] = number
    if vote.method == Vote.Method.DOTS:
        if sum(cleaned.values()) > vote.dots:
            raise IssueError(_("You can give at most %(dots)d points in all.") % {"dots": vote.dots})
    else:
        ranks = sorted(cleaned.values())
        if ranks != list(range(1, len(ranks) + 1)):
            raise _ranking_error(cleaned)
    if not cleaned:
        raise IssueError(_("The ballot is empty."))
    return cleaned


def _ranking_error(cleaned: Mapping[str, int]) -> BallotMarksError:
    """Why places ``cleaned`` ({issue id: place}) are not 1, 2, 3 … each once: which places
    clash and which are missing (for the ballot's fields, see :class:`BallotMarksError`)."""
    by_place: dict[int, list[str]] = {}
    for key, place in cleaned.items():
        by_place.setdefault(place, []).append(key)
    clashes = {place: keys for place, keys in sorted(by_place.items()) if len(keys) > 1}
    gaps = [place for place in range(1, max(by_place) + 1) if place not in by_place]
    after_gap = [key for key, place in cleaned.items() if gaps and place > gaps[0]]
    return BallotMarksError(_("Number your choices 1, 2, 3 … without gaps, each number once."),
                            clashes=clashes, gaps=gaps, after_gap=after_gap)


def ballot_cast(
    *, vote: Vote, registration: Registration, marks: Mapping[Any, Any], actor: Any = None, paper: bool = False,
    now: dt.datetime | None = None,
) -> str:
    """Cast (or, while the vote is open, replace) one participant's ballot. Returns a new
    receipt code, shown once; only its hash is kept. A paper ballot keyed in by a
    coordinator is marked as such and is refused for anyone who has already voted.
    The caller has checked eligibility (:func:`issues.permissions.can_vote`) or, for paper,
    :func:`issues.permissions.can_manage_vote`."""
    now = now or timezone.now()
    with transaction.atomic():
        # The vote row lock serialises ballots of one vote: two simultaneous submissions by
        # one voter leave exactly one ballot.
        vote = Vote.objects.select_for_update().get(pk=vote.pk)
        if not vote_is_open(vote, now):
            raise IssueError(_("The vote is not open."))
        if registration.meeting_id != vote.meeting_id or registration.status != Registration.Status.CONFIRMED:
            raise IssueError(_("Only confirmed participants of the meeting can vote."))
        cleaned = clean_marks(vote, marks)
        record = VoterRecord.objects.filter(vote=vote, registration=registration).first()
        if record is not None and (paper or record.paper):
            raise IssueError(_("This participant has already voted."))
        if record is None and _voted_by_another_registration(vote, registration):
            raise IssueError(_("This participant has already voted.") if paper else
                             _("You have already voted through another registration for this meeting."))
        if record is None:
            VoterRecord.objects.create(vote=vote, registration=registration, paper=paper,
                                       entered_by=actor if paper else None)
        receipt = _new_receipt()
        keys = _voter_keys(vote, registration)
        if record is not None:
            earlier = Ballot.objects.filter(vote=vote, voter_key__in=keys).first()
            if earlier is None:
                # The server secret changed without the old one in SECRET_KEY_FALLBACKS: the
                # earlier ballot cannot be found, and a second one would count twice.
                raise IssueError(_("Your ballot has been counted, but it can no longer be changed."))
            if earlier.voter_key != keys[0]:
                earlier.voter_key = keys[0]
                earlier.save(update_fields=["voter_key"])
        Ballot.objects.update_or_create(
            vote=vote, voter_key=keys[0],
            # Whether it was on paper is kept on the voter record only: a paper flag on the
            # ballot would tie the few paper ballots to the few paper voters.
            defaults={"receipt_hash": _receipt_hash(receipt), "side": side_of(registration), "marks": cleaned},
        )
        if paper:
            audit_record(actor=actor, action="vote.paper_ballot", target=vote, forum=vote.meeting.forum)
    return receipt


def _voted_by_another_registration(vote: Vote, registration: Registration) -> bool:
    """Whether the person who attends on ``registration`` has voted in ``vote`` through another
    of their registrations for the meeting: one for a second organisation, or one cancelled
    before they registered again. One ballot per voter: the person is known by the address
    they attend by (the attendee's, else the contact's, as ``events.services.people`` reads
    it); the account that answered an invitation may have named a colleague, so it does not
    say who attends. An anonymised registration names nobody and is its own voter."""
    address = (registration.attendee_email or registration.contact_email).strip()
    if not address:
        return False
    same_person = (Q(registration__attendee_email__iexact=address)
                   | Q(registration__attendee_email="", registration__contact_email__iexact=address))
    return (VoterRecord.objects.filter(vote=vote, registration__meeting_id=vote.meeting_id)
            .exclude(registration=registration).filter(same_person).exists())


def has_voted(vote: Vote, registration: Registration) -> bool:
    return VoterRecord.objects.filter(vote=vote, registration=registration).exists()


def receipt_check(*, vote: Vote, code: str) -> Ballot | None:
    """The ballot counted under this receipt, if any (for the voter to compare with what they cast)."""
    return Ballot.objects.filter(vote=vote, receipt_hash=_receipt_hash(code)).first()
