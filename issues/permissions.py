"""Every permission decision about issues and votes."""
from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.utils import timezone

from events import permissions as event_permissions
from events.models import Meeting, Registration
from forum import permissions as forum_permissions

from .models import Issue, Vote

# Issues are raised while a meeting is being prepared and held, not after it is documented.
CAPTURE_STATUSES = (Meeting.Status.PUBLISHED, Meeting.Status.REGISTRATION_OPEN,
                    Meeting.Status.REGISTRATION_CLOSED, Meeting.Status.HELD)


def participant_registration(user: Any, meeting: Meeting) -> Registration | None:
    """The logged-in user's confirmed registration for the meeting, if any: one they attend
    on. The account that answered an invitation is its ``attendee`` even when it named a
    colleague to attend (another attendee's address): that seat, its ballot and its issues are
    the colleague's, by the personal link, not the account's. One query."""
    if not getattr(user, "is_authenticated", False):
        return None
    own_address = Exists(EmailAddress.objects.filter(user=user, verified=True,
                                                     email__iexact=OuterRef("attendee_email")))
    return (Registration.objects.filter(meeting=meeting, attendee=user, status=Registration.Status.CONFIRMED)
            .filter(Q(attendee_email="") | Q(attendee_email__iexact=user.email) | own_address).first())


def can_raise(meeting: Meeting, registration: Registration | None) -> bool:
    """A confirmed participant (logged in or by their personal link) raises issues."""
    return (registration is not None and registration.meeting_id == meeting.pk
            and registration.status == Registration.Status.CONFIRMED and meeting.status in CAPTURE_STATUSES)


def capture_is_open(meeting: Meeting) -> bool:
    """Issues are raised, supported and keyed in only until the meeting is documented."""
    return meeting.status in CAPTURE_STATUSES


def can_key_in(user: Any, meeting: Meeting) -> bool:
    """Facilitators of the meeting or forum and coordinators key in issues from table notes."""
    return event_permissions.can_check_in(user, meeting)


def can_triage(user: Any, forum) -> bool:
    """Merge, edit, route and answer issues: coordinators."""
    return forum_permissions.can_manage_forum(user, forum)


def can_edit(user: Any, issue: Issue) -> bool:
    """Coordinators; facilitators for the issues of their meeting (fixing what they keyed in)."""
    if can_triage(user, issue.forum):
        return True
    return issue.meeting is not None and can_key_in(user, issue.meeting)


def can_manage_vote(user: Any, meeting: Meeting) -> bool:
    """Create votes, key in paper ballots, close and confirm: coordinators."""
    return forum_permissions.can_manage_forum(user, meeting.forum)


def can_open_vote(user: Any, meeting: Meeting) -> bool:
    """Open a vote by hand during the meeting: the meeting's facilitators and coordinators."""
    return can_manage_vote(user, meeting) or event_permissions.can_check_in(user, meeting)


def can_vote(vote: Vote, registration: Registration | None) -> bool:
    """Every confirmed participant of the vote's meeting, company and municipal alike."""
    return (registration is not None and registration.meeting_id == vote.meeting_id
            and registration.status == Registration.Status.CONFIRMED)


def vote_has_begun(vote: Vote) -> bool:
    """Whether voting has begun: opened by hand or by the clock, or the vote is closed."""
    if vote.status != Vote.Status.DRAFT or vote.opened_at:
        return True
    return bool(vote.opens_at and vote.opens_at <= timezone.now())


def can_view_vote(user: Any, vote: Vote, registration: Registration | None = None) -> bool:
    """A vote is seen where its meeting is. One that has not begun (a draft: its title and
    candidates may still change) only by those who open it (the meeting's facilitators and
    coordinators) and by the meeting's confirmed participants (``registration``), whose
    ballot page says when it opens; for everyone else it does not exist yet."""
    if not event_permissions.can_view_meeting(user, vote.meeting):
        return False
    return vote_has_begun(vote) or can_vote(vote, registration) or can_open_vote(user, vote.meeting)


def can_view_issue(user: Any, issue: Issue) -> bool:
    """Issues are public, except those of a meeting that is not published (set back to
    draft): only those who manage the meeting see them."""
    return issue.meeting is None or event_permissions.can_view_meeting(user, issue.meeting)


def issue_for(user: Any, pk: int, check) -> Issue:
    issue = Issue.objects.select_related("forum", "meeting").filter(pk=pk).first()
    if issue is None:
        raise Http404
    if not check(user, issue):
        raise PermissionDenied
    return issue


def vote_for(user: Any, pk: int, check) -> Vote:
    vote = Vote.objects.select_related("meeting__forum").filter(pk=pk).first()
    if vote is None:
        raise Http404
    if not check(user, vote.meeting):
        raise PermissionDenied
    return vote
